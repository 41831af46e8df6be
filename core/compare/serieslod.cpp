// SPDX-License-Identifier: GPL-3.0-or-later
#include "compare/serieslod.h"
#include "compare/smoothing.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <limits>
#include <numeric>

namespace sightline {

// --- IntColumn ---

IntColumn::IntColumn(const std::vector<int64_t> &values) : m_size(values.size())
{
    for (size_t i = 1; i < values.size() && m_nonDecreasing; ++i)
        m_nonDecreasing = values[i] >= values[i - 1];
    if (values.empty())
        return;
    m_packing = IntPacking::of(values.data(), values.size());
    if (m_packing.kind == IntPacking::Kind::Offset32) {
        m_offsets.resize(values.size());
        for (size_t i = 0; i < values.size(); ++i)
            m_offsets[i] = m_packing.offsetOf(values[i]);
    } else if (m_packing.kind == IntPacking::Kind::Full) {
        m_full = values;
    }
}

size_t IntColumn::searchLowerBound(double v) const
{
    size_t lo = 0, hi = m_size;
    while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        if (static_cast<double>((*this)[mid]) < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

size_t IntColumn::memoryBytes() const
{
    return m_offsets.capacity() * sizeof(int32_t) + m_full.capacity() * sizeof(int64_t);
}

// --- ValueRange ---

void ValueRange::add(double v)
{
    if (std::isnan(v)) {
        flags |= HasNaN;
    } else if (v >= DBL_MAX) {
        flags |= HasPosInf;
    } else if (v <= -DBL_MAX) {
        flags |= HasNegInf;
    } else if (!hasFinite) {
        min = max = v;
        hasFinite = true;
    } else {
        min = std::min(min, v);
        max = std::max(max, v);
    }
}

void ValueRange::merge(const ValueRange &o)
{
    flags |= o.flags;
    if (!o.hasFinite)
        return;
    if (!hasFinite) {
        min = o.min;
        max = o.max;
        hasFinite = true;
        return;
    }
    min = std::min(min, o.min);
    max = std::max(max, o.max);
}

// --- SeriesLod ---

namespace {

// The three columns reordered by a stable sort of their indices under `less`.
template<typename Less>
void permute(std::vector<int64_t> &steps, std::vector<int64_t> &timestamps,
             std::vector<double> &values, Less less)
{
    const size_t n = values.size();
    std::vector<size_t> order(n);
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(), less);
    std::vector<int64_t> st(n), ts(n);
    std::vector<double> vs(n);
    for (size_t i = 0; i < n; ++i) {
        st[i] = steps[order[i]];
        ts[i] = timestamps[order[i]];
        vs[i] = values[order[i]];
    }
    steps.swap(st);
    timestamps.swap(ts);
    values.swap(vs);
}

} // namespace

namespace {

constexpr uint8_t kHasFinite = 8;

} // namespace

SeriesLod SeriesLod::fromSeries(const MetricSeries &s)
{
    return fromValues(s.steps, s.timestamps, s.values);
}

SeriesLod SeriesLod::fromValues(std::vector<int64_t> steps, std::vector<int64_t> timestamps,
                                std::vector<double> values)
{
    const size_t n = std::min({steps.size(), timestamps.size(), values.size()});
    steps.resize(n);
    timestamps.resize(n);
    values.resize(n);
    bool sorted = true;
    for (size_t i = 1; i < n && sorted; ++i)
        sorted = steps[i] > steps[i - 1]
            || (steps[i] == steps[i - 1] && timestamps[i] >= timestamps[i - 1]);
    if (!sorted)
        permute(steps, timestamps, values, [&](size_t a, size_t b) {
            return steps[a] != steps[b] ? steps[a] < steps[b] : timestamps[a] < timestamps[b];
        });
    SeriesLod lod;
    lod.m_steps = IntColumn(steps);
    lod.m_timestamps = IntColumn(timestamps);
    lod.m_values = std::move(values);
    lod.buildPyramid();
    return lod;
}

Result<SeriesLod> SeriesLod::load(const Store::HistoryReader &reader)
{
    using Column = Store::HistoryReader::Column;
    const size_t n = reader.size();
    std::vector<double> values(n);
    if (auto r = reader.read(Column::Values, 0, n, values.data()); !r)
        return r.error();
    // Steps and timestamps are read one at a time into a scratch vector: most are regular or fit
    // in 32 bits, so the compact form is built without keeping both 8-byte columns around.
    std::vector<int64_t> scratch(n);
    if (auto r = reader.read(Column::Steps, 0, n, scratch.data()); !r)
        return r.error();
    bool stepsSorted = true;
    for (size_t i = 1; i < n && stepsSorted; ++i)
        stepsSorted = scratch[i] > scratch[i - 1];
    if (!stepsSorted) {
        // Repeated or unordered steps: take the general path that sorts.
        std::vector<int64_t> timestamps(n);
        if (auto r = reader.read(Column::Timestamps, 0, n, timestamps.data()); !r)
            return r.error();
        return fromValues(std::move(scratch), std::move(timestamps), std::move(values));
    }
    SeriesLod lod;
    lod.m_steps = IntColumn(scratch);
    if (auto r = reader.read(Column::Timestamps, 0, n, scratch.data()); !r)
        return r.error();
    lod.m_timestamps = IntColumn(scratch);
    lod.m_values = std::move(values);
    lod.buildPyramid();
    return lod;
}

void SeriesLod::buildPyramid()
{
    m_levels.clear();
    m_levelFlags.clear();
    const size_t n = m_values.size();
    const size_t buckets = n / kBucket;
    m_total = ValueRange{};
    if (buckets == 0) {
        m_total = scan(0, n);
        return;
    }
    std::vector<Bucket> level(buckets);
    std::vector<uint8_t> flags(buckets);
    const double *v = m_values.data();
    for (size_t b = 0; b < buckets; ++b) {
        RangeAccumulator acc;
        acc.anyRun(v + b * kBucket, kBucket);
        uint8_t f = acc.flags;
        const double lo = acc.lo, hi = acc.hi;
        if (lo <= hi)
            f |= kHasFinite;
        level[b] = {lo, hi};
        flags[b] = f;
    }
    m_levels.push_back(std::move(level));
    m_levelFlags.push_back(std::move(flags));
    while (m_levels.back().size() >= 2) {
        const auto &below = m_levels.back();
        const auto &belowFlags = m_levelFlags.back();
        const size_t m = below.size() / 2;
        std::vector<Bucket> up(m);
        std::vector<uint8_t> upFlags(m);
        for (size_t i = 0; i < m; ++i) {
            up[i] = {std::min(below[2 * i].min, below[2 * i + 1].min),
                     std::max(below[2 * i].max, below[2 * i + 1].max)};
            upFlags[i] = belowFlags[2 * i] | belowFlags[2 * i + 1];
        }
        m_levels.push_back(std::move(up));
        m_levelFlags.push_back(std::move(upFlags));
    }
    m_total.flags = 0xff; // not known yet: range() must read the flags
    m_total = range(0, n);
}

ValueRange SeriesLod::scan(size_t first, size_t last) const
{
    ValueRange r;
    for (size_t i = first; i < last; ++i)
        r.add(m_values[i]);
    return r;
}

bool SeriesLod::isMonotone(XAxis axis) const
{
    return axis == XAxis::Step ? m_steps.isNonDecreasing() : m_timestamps.isNonDecreasing();
}


SeriesLod SeriesLod::sortedByTime() const
{
    const size_t n = size();
    std::vector<int64_t> st(n), ts(n);
    for (size_t i = 0; i < n; ++i) {
        st[i] = m_steps[i];
        ts[i] = m_timestamps[i];
    }
    std::vector<double> vs = m_values;
    permute(st, ts, vs, [&](size_t a, size_t b) { return ts[a] < ts[b]; });
    // Keep the time order: build directly rather than through fromValues(), which sorts by step.
    SeriesLod lod;
    lod.m_steps = IntColumn(st);
    lod.m_timestamps = IntColumn(ts);
    lod.m_values = std::move(vs);
    lod.buildPyramid();
    return lod;
}

SeriesLod SeriesLod::smoothed(double weight) const
{
    SeriesLod lod;
    lod.m_steps = m_steps;
    lod.m_timestamps = m_timestamps;
    lod.m_values = smoothEma(m_values.data(), m_values.size(), weight);
    lod.buildPyramid();
    return lod;
}

size_t SeriesLod::memoryBytes() const
{
    size_t bytes = m_values.capacity() * sizeof(double) + m_steps.memoryBytes()
        + m_timestamps.memoryBytes();
    for (size_t i = 0; i < m_levels.size(); ++i)
        bytes += m_levels[i].capacity() * sizeof(Bucket) + m_levelFlags[i].capacity();
    return bytes;
}

} // namespace sightline
