// SPDX-License-Identifier: GPL-3.0-or-later
// How a column of 64-bit integers (a history's steps or timestamps) can be kept in less room:
// as a progression (base + i * stride, no per-value bytes), as 32-bit offsets from a base, or
// as it is. The arithmetic wraps modulo 2^64, so every column round-trips exactly, the extremes
// of int64 included.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>

namespace sightline {

struct IntPacking {
    enum class Kind : uint8_t { Full = 0, Progression = 1, Offset32 = 2 };
    Kind kind = Kind::Progression;
    int64_t base = 0;   // the first value
    int64_t stride = 1; // Progression: the step from one value to the next

    // The most compact kind that holds `values` exactly. The loops have no early exit, so they
    // vectorize: a history of a thousand points is classified in well under a microsecond.
    static IntPacking of(const int64_t *values, size_t n)
    {
        IntPacking p;
        if (n == 0)
            return p;
        p.base = values[0];
        p.stride = n > 1 ? difference(values[1], values[0]) : 1;
        const auto base = static_cast<uint64_t>(p.base), stride = static_cast<uint64_t>(p.stride);
        uint64_t mismatch = 0;
        for (size_t i = 0; i < n; ++i)
            mismatch |= static_cast<uint64_t>(values[i]) ^ (base + i * stride);
        if (mismatch == 0)
            return p;
        // Offsets from the base fit 32 bits when adding 2^31 leaves them below 2^32.
        uint64_t outside = 0;
        for (size_t i = 0; i < n; ++i)
            outside |= (static_cast<uint64_t>(values[i]) - base + (uint64_t(1) << 31)) >> 32;
        p.kind = outside == 0 ? Kind::Offset32 : Kind::Full;
        return p;
    }

    // Bytes each value takes in a packed column.
    size_t width() const
    {
        return kind == Kind::Progression ? 0 : kind == Kind::Offset32 ? sizeof(int32_t)
                                                                      : sizeof(int64_t);
    }

    int64_t progressionAt(size_t i) const
    {
        return static_cast<int64_t>(static_cast<uint64_t>(base)
                                    + static_cast<uint64_t>(i) * static_cast<uint64_t>(stride));
    }
    int64_t fromOffset(int32_t offset) const
    {
        return static_cast<int64_t>(static_cast<uint64_t>(base)
                                    + static_cast<uint64_t>(static_cast<int64_t>(offset)));
    }
    int32_t offsetOf(int64_t value) const
    {
        return static_cast<int32_t>(difference(value, base));
    }

    // value - from, wrapping.
    static int64_t difference(int64_t value, int64_t from)
    {
        return static_cast<int64_t>(static_cast<uint64_t>(value) - static_cast<uint64_t>(from));
    }
};

} // namespace sightline
