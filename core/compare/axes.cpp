// SPDX-License-Identifier: GPL-3.0-or-later
#include "compare/axes.h"

#include <algorithm>
#include <cfloat>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <set>

namespace sightline {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Decimal inputs such as 1e-5 and 0.01 do not divide to exactly 1000; allow for rounding.
constexpr double kLogRatio = 1000.0 * (1 - 1e-9);

// MLflow stores infinity as +/-DBL_MAX; both count as infinite here.
bool isInfinite(double v)
{
    return std::isinf(v) || v >= DBL_MAX || v <= -DBL_MAX;
}

bool isFiniteValue(double v)
{
    return !std::isnan(v) && !isInfinite(v);
}

// The whole text as a number, or nullopt.
std::optional<double> parseNumber(const std::string &text)
{
    const char *begin = text.data();
    const char *end = begin + text.size();
    if (begin != end && *begin == '+')
        ++begin;
    if (begin == end)
        return std::nullopt;
    double v = 0.0;
    auto [ptr, ec] = std::from_chars(begin, end, v);
    if (ec != std::errc() || ptr != end)
        return std::nullopt;
    return v;
}

std::vector<AxisTick> linearTicks(const CompareAxis &axis, double lo, double hi, int maxTicks)
{
    std::vector<AxisTick> out;
    const double raw = (hi - lo) / std::max(1, maxTicks - 1);
    if (!(raw > 0) || !std::isfinite(raw))
        return out;
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    const double norm = raw / magnitude;
    const double step = (norm <= 1.0   ? 1.0
                         : norm <= 2.0 ? 2.0
                         : norm <= 2.5 ? 2.5
                         : norm <= 5.0 ? 5.0
                                       : 10.0)
        * magnitude;
    const double first = std::ceil(lo / step - 1e-9);
    for (int k = 0; k < 1000; ++k) {
        double v = (first + k) * step;
        if (v > hi + step * 1e-9)
            break;
        if (std::abs(v) < step * 1e-9)
            v = 0.0;
        out.push_back({axis.positionOf(v), formatTick(v)});
    }
    return out;
}

} // namespace

const char *axisKindName(AxisKind kind)
{
    switch (kind) {
    case AxisKind::Numeric:
        return "numeric";
    case AxisKind::Log:
        return "log";
    case AxisKind::Categorical:
        return "categorical";
    }
    return "numeric";
}

bool CompareAxis::isMissing(size_t run) const
{
    return run >= positions.size() || std::isnan(positions[run]);
}

double CompareAxis::positionOf(double v) const
{
    if (std::isnan(v) || kind == AxisKind::Categorical)
        return kNaN;
    if (isInfinite(v))
        return v > 0 ? 1.0 : 0.0;
    if (kind == AxisKind::Log) {
        if (v <= 0 || min <= 0)
            return kNaN;
        if (max <= min)
            return 0.5;
        return (std::log10(v) - std::log10(min)) / (std::log10(max) - std::log10(min));
    }
    if (max <= min)
        return 0.5;
    return (v - min) / (max - min);
}

double CompareAxis::valueAt(double position) const
{
    switch (kind) {
    case AxisKind::Categorical:
        return kNaN;
    case AxisKind::Log:
        if (min <= 0)
            return kNaN;
        return std::pow(10.0, std::log10(min) + position * (std::log10(max) - std::log10(min)));
    case AxisKind::Numeric:
        break;
    }
    return min + position * (max - min);
}

double CompareAxis::categoryPosition(int index) const
{
    const int n = static_cast<int>(categories.size());
    if (index < 0 || index >= n)
        return kNaN;
    return n == 1 ? 0.5 : double(index) / (n - 1);
}

int CompareAxis::categoryAt(double position) const
{
    const int n = static_cast<int>(categories.size());
    if (n == 0 || std::isnan(position))
        return -1;
    if (n == 1)
        return 0;
    return std::clamp(static_cast<int>(std::lround(position * (n - 1))), 0, n - 1);
}

CompareAxis buildAxis(const std::vector<RunRecord> &runs, const RunColumn &column,
                      std::optional<AxisKind> kind)
{
    CompareAxis axis;
    axis.column = column;
    const size_t n = runs.size();
    axis.texts.resize(n);
    axis.values.assign(n, kNaN);
    std::vector<bool> present(n, false);

    bool allNumeric = true;
    bool allPositive = true;
    bool anyFinite = false;
    double lo = std::numeric_limits<double>::infinity();
    double hi = -std::numeric_limits<double>::infinity();
    for (size_t i = 0; i < n; ++i) {
        CellValue cell = cellValue(runs[i], column);
        if (!cell.present || (!cell.numeric && cell.text.empty()))
            continue;
        std::optional<double> number;
        if (cell.numeric)
            number = cell.number;
        else
            number = parseNumber(cell.text);
        axis.texts[i] = std::move(cell.text);
        if (!number) {
            present[i] = true;
            allNumeric = false;
            continue;
        }
        axis.values[i] = *number;
        if (std::isnan(*number))
            continue; // shown as "NaN", placed as missing
        present[i] = true;
        if (isFiniteValue(*number)) {
            anyFinite = true;
            lo = std::min(lo, *number);
            hi = std::max(hi, *number);
            allPositive = allPositive && *number > 0;
        }
    }

    axis.numericPossible = allNumeric;
    axis.logPossible = allNumeric && anyFinite && allPositive;
    if (anyFinite) {
        axis.min = lo;
        axis.max = hi;
    }
    if (!allNumeric)
        axis.detectedKind = AxisKind::Categorical;
    else if (axis.logPossible && axis.max / axis.min >= kLogRatio)
        axis.detectedKind = AxisKind::Log;
    else
        axis.detectedKind = AxisKind::Numeric;

    axis.kind = axis.detectedKind;
    if (kind) {
        if (*kind == AxisKind::Categorical || (*kind == AxisKind::Numeric && axis.numericPossible)
            || (*kind == AxisKind::Log && axis.logPossible))
            axis.kind = *kind;
    }

    axis.positions.assign(n, kNaN);
    axis.categoryIndex.assign(n, -1);
    if (axis.kind != AxisKind::Categorical) {
        for (size_t i = 0; i < n; ++i)
            if (present[i])
                axis.positions[i] = axis.positionOf(axis.values[i]);
        return axis;
    }

    // Categories: distinct texts, by number when every value is one.
    std::vector<std::pair<double, std::string>> distinct;
    {
        std::set<std::string> seen;
        for (size_t i = 0; i < n; ++i)
            if (present[i] && seen.insert(axis.texts[i]).second)
                distinct.emplace_back(allNumeric ? axis.values[i] : 0.0, axis.texts[i]);
    }
    std::sort(distinct.begin(), distinct.end());
    axis.categories.reserve(distinct.size());
    std::map<std::string, int> indexOf;
    for (auto &[number, text] : distinct) {
        indexOf.emplace(text, static_cast<int>(axis.categories.size()));
        axis.categories.push_back(text);
    }
    for (size_t i = 0; i < n; ++i) {
        if (!present[i])
            continue;
        const int index = indexOf.at(axis.texts[i]);
        axis.categoryIndex[i] = index;
        axis.positions[i] = axis.categoryPosition(index);
    }
    return axis;
}

std::vector<CompareAxis> buildAxes(const std::vector<RunRecord> &runs,
                                   const std::vector<RunColumn> &columns,
                                   const std::vector<std::optional<AxisKind>> &kinds)
{
    std::vector<CompareAxis> out;
    out.reserve(columns.size());
    for (size_t i = 0; i < columns.size(); ++i)
        out.push_back(buildAxis(runs, columns[i], i < kinds.size() ? kinds[i] : std::nullopt));
    return out;
}

std::vector<RunColumn> compareColumns(const std::vector<RunRecord> &runs)
{
    std::set<std::string> params, metrics, tags;
    for (const RunRecord &r : runs) {
        for (const KeyValue &p : r.run.params)
            params.insert(p.key);
        for (const Metric &m : r.run.metrics)
            metrics.insert(m.key);
        for (const auto &[key, summary] : r.summaries)
            metrics.insert(key);
        for (const KeyValue &t : r.run.tags)
            if (t.key.rfind("mlflow.", 0) != 0)
                tags.insert(t.key);
    }
    std::vector<RunColumn> out;
    for (const std::string &k : params)
        out.push_back({RunColumn::Kind::Param, k, RunColumn::Aggregate::Last});
    for (const std::string &k : metrics)
        for (auto agg : {RunColumn::Aggregate::Last, RunColumn::Aggregate::Min,
                         RunColumn::Aggregate::Max})
            out.push_back({RunColumn::Kind::Metric, k, agg});
    for (const std::string &k : tags)
        out.push_back({RunColumn::Kind::Tag, k, RunColumn::Aggregate::Last});
    return out;
}

std::string formatTick(double v)
{
    if (std::isnan(v))
        return "NaN";
    if (isInfinite(v))
        return v > 0 ? "inf" : "-inf";
    if (v == 0.0)
        return "0";
    const double a = std::abs(v);
    char buf[48];
    if (a >= 1e5 || a < 1e-3) {
        std::snprintf(buf, sizeof buf, "%.3g", v);
        // "1e+06" -> "1e6", "2.5e-05" -> "2.5e-5"
        std::string s(buf);
        const auto e = s.find('e');
        if (e == std::string::npos)
            return s;
        std::string mantissa = s.substr(0, e);
        std::string exponent = s.substr(e + 1);
        bool negative = false;
        if (!exponent.empty() && (exponent[0] == '+' || exponent[0] == '-')) {
            negative = exponent[0] == '-';
            exponent.erase(0, 1);
        }
        while (exponent.size() > 1 && exponent[0] == '0')
            exponent.erase(0, 1);
        return mantissa + "e" + (negative ? "-" : "") + exponent;
    }
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

std::vector<AxisTick> axisTicks(const CompareAxis &axis, int maxTicks)
{
    std::vector<AxisTick> out;
    maxTicks = std::max(2, maxTicks);
    switch (axis.kind) {
    case AxisKind::Categorical:
        for (size_t i = 0; i < axis.categories.size(); ++i)
            out.push_back({axis.categoryPosition(static_cast<int>(i)), axis.categories[i]});
        return out;
    case AxisKind::Numeric:
        if (axis.max <= axis.min) {
            out.push_back({0.5, formatTick(axis.min)});
            return out;
        }
        return linearTicks(axis, axis.min, axis.max, maxTicks);
    case AxisKind::Log:
        break;
    }
    if (axis.min <= 0)
        return out;
    if (axis.max <= axis.min) {
        out.push_back({0.5, formatTick(axis.min)});
        return out;
    }
    const double lmin = std::log10(axis.min);
    const double lmax = std::log10(axis.max);
    const int first = static_cast<int>(std::ceil(lmin - 1e-9));
    const int last = static_cast<int>(std::floor(lmax + 1e-9));
    const int decades = last - first + 1;
    if (decades >= 2) {
        const int stride = (decades + maxTicks - 1) / maxTicks;
        for (int d = first; d <= last; d += stride) {
            const double v = std::pow(10.0, d);
            out.push_back({axis.positionOf(v), formatTick(v)});
        }
        return out;
    }
    // Less than two decades: 1, 2 and 5 times the powers of ten within the range.
    for (int d = first - 1; d <= last; ++d)
        for (double m : {1.0, 2.0, 5.0}) {
            const double v = m * std::pow(10.0, d);
            if (v >= axis.min * (1 - 1e-9) && v <= axis.max * (1 + 1e-9))
                out.push_back({axis.positionOf(v), formatTick(v)});
        }
    if (out.size() >= 2 && static_cast<int>(out.size()) <= maxTicks)
        return out;
    return linearTicks(axis, axis.min, axis.max, maxTicks);
}

bool passesBrush(const CompareAxis &axis, size_t run, const AxisBrush &brush)
{
    if (axis.isMissing(run))
        return false;
    if (brush.byCategory) {
        const int index = run < axis.categoryIndex.size() ? axis.categoryIndex[run] : -1;
        return index >= 0
            && std::find(brush.categories.begin(), brush.categories.end(), index)
            != brush.categories.end();
    }
    constexpr double eps = 1e-9;
    const double p = axis.positions[run];
    return p >= std::min(brush.low, brush.high) - eps && p <= std::max(brush.low, brush.high) + eps;
}

std::vector<bool> runsPassingBrushes(const std::vector<CompareAxis> &axes,
                                     const std::map<int, AxisBrush> &brushes, size_t runCount)
{
    std::vector<bool> out(runCount, true);
    for (const auto &[index, brush] : brushes) {
        if (index < 0 || index >= static_cast<int>(axes.size()))
            continue;
        const CompareAxis &axis = axes[static_cast<size_t>(index)];
        for (size_t i = 0; i < runCount; ++i)
            if (out[i] && !passesBrush(axis, i, brush))
                out[i] = false;
    }
    return out;
}

} // namespace sightline
