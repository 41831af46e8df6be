// SPDX-License-Identifier: GPL-3.0-or-later
// Grouping curves: the runs of a group sampled on a common x grid and summarised per sample as
// mean, standard deviation (population), minimum and maximum, for a mean line with a band.
#pragma once

#include "compare/serieslod.h"

#include <string>
#include <vector>

namespace sightline {

struct GroupCurve {
    std::vector<double> x;
    std::vector<double> mean;
    std::vector<double> stddev;
    std::vector<double> min;
    std::vector<double> max;
    std::vector<int> count; // runs with a finite value at the sample
};

struct GroupMember {
    const SeriesLod *series = nullptr;
    double xOffset = 0.0; // subtracted from the series' x (relative time)
};

// Samples `samples` points evenly over [xMin, xMax]. A run contributes at x the value of its last
// point at or before x, and only inside its own x extent (a finished run does not drag the mean
// past its end). Non-finite values are left out. Samples no run covers get count 0 and NaNs.
GroupCurve aggregateGroup(const std::vector<GroupMember> &members, SeriesLod::XAxis axis,
                          double xMin, double xMax, int samples);

// The group of each run for a grouping column: its value as text, "(none)" when missing.
std::string groupLabel(const std::string *value);

} // namespace sightline
