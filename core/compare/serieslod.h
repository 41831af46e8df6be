// SPDX-License-Identifier: GPL-3.0-or-later
// SeriesLod: one metric history held for drawing. Compact (values as doubles; steps and
// timestamps stored as a formula when regular, as 32-bit offsets when they fit) and with a
// min/max pyramid from 16-point buckets up, so the exact minimum and maximum of any index range
// costs O(log n) plus at most 30 raw reads. That is what lets a chart give every pixel column the
// true extremes of the points under it without touching every raw point per frame.
#pragma once

#include "mlflow/entities.h"
#include "store/store.h"
#include "util/intpacking.h"
#include "util/result.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <emmintrin.h>
#include <limits>
#include <memory>
#include <vector>

namespace sightline {

// An integer column stored as a + i*b when regular, as int32 offsets from a base when they fit,
// or as plain int64 (IntPacking decides).
class IntColumn {
public:
    IntColumn() = default;
    explicit IntColumn(const std::vector<int64_t> &values);
    size_t size() const { return m_size; }
    int64_t operator[](size_t i) const
    {
        if (m_packing.kind == IntPacking::Kind::Progression)
            return m_packing.progressionAt(i);
        if (m_packing.kind == IntPacking::Kind::Offset32)
            return m_packing.fromOffset(m_offsets[i]);
        return m_full[i];
    }
    bool isRegular() const { return m_packing.kind == IntPacking::Kind::Progression; }
    int64_t base() const { return m_packing.base; }
    int64_t stride() const { return m_packing.stride; }
    bool isNonDecreasing() const { return m_nonDecreasing; }
    // First index whose value is >= v (size() when none); needs isNonDecreasing().
    size_t lowerBound(double v) const
    {
        if (m_size == 0)
            return 0;
        if (isRegular() && stride() > 0) {
            const double k = std::ceil((v - static_cast<double>(base()))
                                       / static_cast<double>(stride()));
            if (!(k > 0))
                return 0;
            return k >= static_cast<double>(m_size) ? m_size : static_cast<size_t>(k);
        }
        return searchLowerBound(v);
    }
    size_t memoryBytes() const;

private:
    size_t searchLowerBound(double v) const;
    IntPacking m_packing;
    size_t m_size = 0;
    bool m_nonDecreasing = true;
    std::vector<int32_t> m_offsets;
    std::vector<int64_t> m_full;
};

// Extremes of the finite values of a range, and which non-finite values it holds. MLflow's
// +/-DBL_MAX (how it stores infinity) counts as infinite.
struct ValueRange {
    enum Flag : uint8_t { HasNaN = 1, HasPosInf = 2, HasNegInf = 4 };
    double min = 0.0;
    double max = 0.0;
    bool hasFinite = false;
    uint8_t flags = 0;

    void add(double v);
    void merge(const ValueRange &other);
};

class SeriesLod {
public:
    enum class XAxis { Step, Time }; // relative time is Time minus an offset
    static constexpr size_t kBucket = 16; // points per bucket of the first pyramid level

    SeriesLod() = default;
    // Points are ordered by step (then timestamp) if they are not already.
    static SeriesLod fromSeries(const MetricSeries &series);
    static SeriesLod fromValues(std::vector<int64_t> steps, std::vector<int64_t> timestamps,
                                std::vector<double> values);
    // Reads a stored history without holding all of it as 24-byte points at once.
    static Result<SeriesLod> load(const Store::HistoryReader &reader);

    size_t size() const { return m_values.size(); }
    bool empty() const { return m_values.empty(); }
    int64_t step(size_t i) const { return m_steps[i]; }
    int64_t timestamp(size_t i) const { return m_timestamps[i]; }
    double value(size_t i) const { return m_values[i]; }
    const std::vector<double> &values() const { return m_values; }
    double x(size_t i, XAxis axis) const
    {
        return axis == XAxis::Step ? static_cast<double>(m_steps[i])
                                   : static_cast<double>(m_timestamps[i]);
    }
    const IntColumn &xColumn(XAxis axis) const
    {
        return axis == XAxis::Step ? m_steps : m_timestamps;
    }
    // Whether x never decreases along the points (always true for steps).
    bool isMonotone(XAxis axis) const;
    // First index whose x is >= v.
    size_t lowerBound(double v, XAxis axis) const
    {
        return axis == XAxis::Step ? m_steps.lowerBound(v) : m_timestamps.lowerBound(v);
    }

    // Asks the CPU to start loading what range() reads around point i. A chart sweeping its
    // columns calls it a few columns ahead: the raw values one column reads are far from the
    // previous column's, so without it every column waits on a cache miss.
    void prefetchIndex(size_t i) const
    {
        // Addresses as integers: a prefetch cannot fault, so nothing needs clamping, and GCC
        // drops prefetches whose address goes through a bounds check.
        const uintptr_t values = reinterpret_cast<uintptr_t>(m_values.data())
            + (i - i % kBucket) * sizeof(double);
        __builtin_prefetch(reinterpret_cast<const void *>(values));
        __builtin_prefetch(reinterpret_cast<const void *>(values + 64));
        __builtin_prefetch(reinterpret_cast<const void *>(values + kBucket * sizeof(double) - 8));
        if (!m_levels.empty())
            __builtin_prefetch(reinterpret_cast<const void *>(
                reinterpret_cast<uintptr_t>(m_levels[0].data()) + i / kBucket * sizeof(Bucket)));
    }

    // Exact extremes of the values in [first, last).
    ValueRange range(size_t first, size_t last) const;
    // Of every point.
    const ValueRange &total() const { return m_total; }

    // The same points ordered by timestamp, for a time axis when timestamps go backwards.
    SeriesLod sortedByTime() const;
    // TensorBoard's debiased EMA of the values (see smoothing.h), as a series on the same x.
    SeriesLod smoothed(double weight) const;

    size_t memoryBytes() const;

private:
    void buildPyramid();
    ValueRange scan(size_t first, size_t last) const;

    IntColumn m_steps;
    IntColumn m_timestamps;
    std::vector<double> m_values;
    // m_levels[0]: buckets of 16 points, each next level pairs the one below.
    struct Bucket {
        double min;
        double max;
    };
    std::vector<std::vector<Bucket>> m_levels;
    std::vector<std::vector<uint8_t>> m_levelFlags; // ValueRange flags, plus 8 = has finite
    ValueRange m_total;
};

// Running extremes kept in registers; turned into a ValueRange once at the end.
struct RangeAccumulator {
    double lo = std::numeric_limits<double>::infinity();
    double hi = -std::numeric_limits<double>::infinity();
    uint8_t flags = 0;

    // Raw points known to be finite: a loop the compiler vectorizes.
    void finiteRun(const double *v, size_t n)
    {
        // Two lanes at a time; min/max of finite doubles needs no NaN care.
        __m128d a = _mm_set1_pd(lo), b = _mm_set1_pd(hi);
        size_t i = 0;
        for (; i + 2 <= n; i += 2) {
            const __m128d x = _mm_loadu_pd(v + i);
            a = _mm_min_pd(a, x);
            b = _mm_max_pd(b, x);
        }
        double l[2], h[2];
        _mm_storeu_pd(l, a);
        _mm_storeu_pd(h, b);
        lo = std::min(l[0], l[1]);
        hi = std::max(h[0], h[1]);
        if (i < n) {
            lo = std::min(lo, v[i]);
            hi = std::max(hi, v[i]);
        }
    }
    void anyRun(const double *v, size_t n)
    {
        for (size_t i = 0; i < n; ++i) {
            const double x = v[i];
            if (x > -DBL_MAX && x < DBL_MAX) {
                lo = x < lo ? x : lo;
                hi = x > hi ? x : hi;
            } else {
                flags |= std::isnan(x) ? ValueRange::HasNaN
                                       : (x > 0 ? ValueRange::HasPosInf : ValueRange::HasNegInf);
            }
        }
    }
    ValueRange result() const
    {
        ValueRange r;
        r.flags = flags;
        if (lo <= hi) {
            r.hasFinite = true;
            r.min = lo;
            r.max = hi;
        }
        return r;
    }
};

inline ValueRange SeriesLod::range(size_t first, size_t last) const
{
    last = std::min(last, m_values.size());
    if (first >= last)
        return {};
    const double *v = m_values.data();
    RangeAccumulator acc;
    if (m_levels.empty() || last - first <= kBucket) {
        if (m_total.flags == 0)
            acc.finiteRun(v + first, last - first);
        else
            acc.anyRun(v + first, last - first);
        return acc.result();
    }
    // Raw points before the first whole bucket and after the last one; the bucket's flags say
    // whether the fast loop may be used on them.
    // A series with no NaN or infinity at all (the usual case) never reads the flags.
    const bool allFinite = m_total.flags == 0;
    const auto &flags0 = m_levelFlags[0];
    auto raw = [&](size_t a, size_t b) {
        if (a >= b)
            return;
        const size_t bucket = a / kBucket;
        if (allFinite || (bucket < flags0.size() && (flags0[bucket] & 7) == 0))
            acc.finiteRun(v + a, b - a);
        else
            acc.anyRun(v + a, b - a);
    };
    size_t a = (first + kBucket - 1) / kBucket; // first whole bucket
    size_t b = last / kBucket;                  // one past the last whole bucket
    if (a >= b) {
        // No whole bucket: at most two partial ones.
        const size_t split = std::min(last, a * kBucket);
        raw(first, split);
        raw(split, last);
        return acc.result();
    }
    raw(first, a * kBucket);
    raw(b * kBucket, last);
    for (size_t level = 0; a < b; ++level) {
        const Bucket *buckets = m_levels[level].data();
        const uint8_t *f = m_levelFlags[level].data();
        auto take = [&](size_t i) {
            acc.lo = buckets[i].min < acc.lo ? buckets[i].min : acc.lo;
            acc.hi = buckets[i].max > acc.hi ? buckets[i].max : acc.hi;
            if (!allFinite)
                acc.flags |= f[i] & 7;
        };
        if (level + 1 == m_levels.size() || b - a <= 8) {
            for (size_t i = a; i < b; ++i)
                take(i);
            break;
        }
        if (a & 1)
            take(a++);
        if (b & 1)
            take(--b);
        a >>= 1;
        b >>= 1;
    }
    return acc.result();
}

} // namespace sightline
