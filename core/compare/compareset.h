// SPDX-License-Identifier: GPL-3.0-or-later
// A comparison set: the runs a user compares and how the compare pane shows them. Sets are
// named, saved in the workspace (as JSON in the store) and exported or imported as JSON files.
#pragma once

#include "util/result.h"

#include <cstdint>
#include <string>
#include <vector>

namespace sightline {

struct ComparisonSet {
    enum class XAxis { Step, WallTime, RelativeTime };
    enum class Band { StdDev, MinMax };

    std::string name;
    std::vector<std::string> runIds;     // any experiments, in the order the user picked them
    std::vector<std::string> metricKeys; // charts in the grid; empty: every key of the set
    XAxis xAxis = XAxis::Step;
    double smoothing = 0.0;              // EMA weight 0..0.99
    bool logY = false;
    std::string groupBy;                 // a run column ("params.optimizer", "tags.team") or empty
    Band band = Band::StdDev;
    bool groupTraces = false;            // draw the individual runs under each group's mean
    std::vector<std::string> parallelAxes; // run columns ("params.lr", "metrics.val_loss:min")
    std::string scatterX;
    std::string scatterY;
    int64_t updatedMs = 0;

    bool operator==(const ComparisonSet &) const = default;
};

const char *xAxisName(ComparisonSet::XAxis axis); // "step", "wall", "relative"

// One JSON object: {"name": ..., "runs": [...], "metrics": [...], "x_axis": "step", ...}.
std::string comparisonSetToJson(const ComparisonSet &set, bool pretty = false);
// Validates every field; an error names the field and what was wrong with it.
Result<ComparisonSet> comparisonSetFromJson(const std::string &json);

} // namespace sightline
