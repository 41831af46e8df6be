// SPDX-License-Identifier: GPL-3.0-or-later
// Rasterizing a metric curve into pixel columns: for every column of the plot, the vertical span
// the polyline through the points covers there — the exact minimum and maximum of the points
// whose x falls in the column, widened by the line segments that enter the column from its
// neighbours. Drawing those spans draws every raw point (peaks are never lost) at a cost that
// depends on the width of the plot, not on the number of points. Non-finite values break the
// line and are reported per column so the chart can mark them.
#pragma once

#include "compare/serieslod.h"

#include <cstdint>
#include <vector>

namespace sightline {

struct PlotFrame {
    double xMin = 0.0; // data x at the left edge of column 0
    double xMax = 1.0; // data x at the right edge of the last column
    int width = 1;     // pixel columns
    double yMin = 0.0; // data y at the bottom edge
    double yMax = 1.0; // data y at the top edge
    int height = 1;    // pixel rows; row 0 is the top
    bool logY = false;
    SeriesLod::XAxis axis = SeriesLod::XAxis::Step;
    double xOffset = 0.0; // subtracted from every x (relative time)

    double pixelX(double x) const; // column units: 0 at the left edge, width at the right
    double pixelY(double v) const; // row units: 0 at the top edge, height at the bottom
};

// Per column, the covered rows [top, bottom] (floats, clamped a little outside the plot); a
// column is empty when top > bottom. flags holds ValueRange flags of the points in the column.
struct ColumnSpans {
    std::vector<float> top;
    std::vector<float> bottom;
    std::vector<uint8_t> flags;

    void reset(int width);
    bool empty(int column) const { return top[column] > bottom[column]; }
};

// Fills columns [columnBegin, columnEnd) of `out` (already reset to the frame's width); other
// columns are left alone, so two threads can each fill a half.
void rasterizeSeries(const SeriesLod &series, const PlotFrame &frame, int columnBegin,
                     int columnEnd, ColumnSpans &out);

} // namespace sightline
