// SPDX-License-Identifier: GPL-3.0-or-later
// SeriesLod: one metric history held for drawing. Compact (values as doubles; steps and
// timestamps stored as a formula when regular, as 32-bit offsets when they fit) and with a
// min/max pyramid from 16-point buckets up, so the exact minimum and maximum of any index range
// costs O(log n) plus at most 30 raw reads. That is what lets a chart give every pixel column the
// true extremes of the points under it without touching every raw point per frame.
#pragma once

#include "mlflow/entities.h"
#include "store/store.h"
#include "util/result.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace sightline {

// An integer column stored as a + i*b when regular, as int32 offsets from a base when they fit,
// or as plain int64.
class IntColumn {
public:
    IntColumn() = default;
    explicit IntColumn(const std::vector<int64_t> &values);
    size_t size() const { return m_size; }
    int64_t operator[](size_t i) const
    {
        if (m_kind == Kind::Regular)
            return m_base + static_cast<int64_t>(i) * m_stride;
        if (m_kind == Kind::Offset32)
            return m_base + m_offsets[i];
        return m_full[i];
    }
    bool isRegular() const { return m_kind == Kind::Regular; }
    bool isNonDecreasing() const { return m_nonDecreasing; }
    // First index whose value is >= v (size() when none); needs isNonDecreasing().
    size_t lowerBound(double v) const;
    size_t memoryBytes() const;

private:
    enum class Kind { Regular, Offset32, Full };
    Kind m_kind = Kind::Regular;
    size_t m_size = 0;
    int64_t m_base = 0;
    int64_t m_stride = 1;
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
    // Whether x never decreases along the points (always true for steps).
    bool isMonotone(XAxis axis) const;
    // First index whose x is >= v.
    size_t lowerBound(double v, XAxis axis) const;

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

} // namespace sightline
