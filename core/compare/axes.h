// SPDX-License-Identifier: GPL-3.0-or-later
// Axes of the compare pane's parallel coordinates and scatter: for each chosen run column, the
// kind of axis (numeric, logarithmic or categorical, chosen from the values unless the user
// overrides it), its domain, and every run's place on it in normalised units (0 at the bottom,
// 1 at the top). Brushes on the axes, and which runs pass them, are computed here too.
#pragma once

#include "query/columns.h"
#include "store/store.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sightline {

enum class AxisKind { Numeric, Log, Categorical };

const char *axisKindName(AxisKind kind); // "numeric", "log", "categorical"

struct CompareAxis {
    RunColumn column;
    AxisKind kind = AxisKind::Numeric;
    AxisKind detectedKind = AxisKind::Numeric; // what the values suggest
    bool numericPossible = false;              // every present value is a number
    bool logPossible = false;                  // ... and every finite one is positive

    // Numeric and log axes: the range of the finite values (min == max when they are all equal).
    double min = 0.0;
    double max = 0.0;
    // Categorical axes: the distinct values, in numeric order when they are all numbers and in
    // text order otherwise; category i sits at i / (n - 1), a single one in the middle.
    std::vector<std::string> categories;

    // One entry per run, in the order of the runs given.
    std::vector<double> positions;   // 0..1; NaN when the run has no value (drawn as "missing")
    std::vector<double> values;      // the number, NaN when missing or not a number
    std::vector<int> categoryIndex;  // categorical axes: index into categories, -1 when missing
    std::vector<std::string> texts;  // the value as shown ("NaN" too), empty when absent

    bool isMissing(size_t run) const;
    // Where a value sits on a numeric or log axis; +/-inf go to the ends, NaN when it has no place.
    double positionOf(double value) const;
    // The value at a normalised position on a numeric or log axis (NaN on categorical axes).
    double valueAt(double position) const;
    // The category index at (or nearest to) a normalised position, -1 when there is none.
    int categoryAt(double position) const;
    double categoryPosition(int index) const;
};

// Builds one axis. Without `kind` (or when the values do not allow it: log with a value <= 0,
// numeric with a value that is not a number) the kind is detected from the values:
// categorical when any present value is not a number, log when every value is positive and
// max / min >= 1000, numeric otherwise. Text that reads as a number ("0.001", "1e-4") counts as
// one. NaN counts as missing; +/-inf (and MLflow's +/-DBL_MAX) sit at the ends of the axis and do
// not widen its domain. Empty text counts as missing.
CompareAxis buildAxis(const std::vector<RunRecord> &runs, const RunColumn &column,
                      std::optional<AxisKind> kind = std::nullopt);

std::vector<CompareAxis> buildAxes(const std::vector<RunRecord> &runs,
                                   const std::vector<RunColumn> &columns,
                                   const std::vector<std::optional<AxisKind>> &kinds = {});

// Columns worth comparing in a set of runs: every param, each metric as last, min and max, and
// every tag except MLflow's own ("mlflow.*"); keys sorted within each group.
std::vector<RunColumn> compareColumns(const std::vector<RunRecord> &runs);

struct AxisTick {
    double position = 0.0; // normalised
    std::string label;
};

// Tick marks for an axis: "nice" steps on numeric axes, decades (with 2 and 5 between them when
// the range is short) on log axes, every category on categorical ones. At most about
// `maxTicks` on numeric and log axes.
std::vector<AxisTick> axisTicks(const CompareAxis &axis, int maxTicks = 6);

// A short label for a tick value: "0.001", "250", "1e6", "2.5e-5".
std::string formatTick(double value);

// A brush keeps the runs whose position on its axis lies in [low, high] (normalised units), or,
// when `byCategory` is set, whose category index is one of `categories`. A run with no value on
// a brushed axis never passes.
struct AxisBrush {
    double low = 0.0;
    double high = 1.0;
    bool byCategory = false;
    std::vector<int> categories;

    bool operator==(const AxisBrush &) const = default;
};

bool passesBrush(const CompareAxis &axis, size_t run, const AxisBrush &brush);

// For each run, whether it passes every brush (brushes are keyed by axis index; a brush naming
// an axis that does not exist is ignored). Without brushes every run passes.
std::vector<bool> runsPassingBrushes(const std::vector<CompareAxis> &axes,
                                     const std::map<int, AxisBrush> &brushes, size_t runCount);

} // namespace sightline
