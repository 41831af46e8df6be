// SPDX-License-Identifier: GPL-3.0-or-later
#include "compare/rasterize.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <limits>
#include <vector>

namespace sightline {

namespace {

constexpr float kEmptyTop = std::numeric_limits<float>::infinity();

bool finiteValue(double v)
{
    return v > -DBL_MAX && v < DBL_MAX;
}

struct Rasterizer {
    const SeriesLod &s;
    const PlotFrame &f;
    int begin;
    int end;
    ColumnSpans &out;
    float clampLo;
    float clampHi;

    float clampY(double y) const
    {
        if (!(y > clampLo)) // NaN (log of a non-positive value) lands below the plot
            return std::isnan(y) ? clampHi : clampLo;
        return y < clampHi ? static_cast<float>(y) : clampHi;
    }

    void addSpan(int c, double y0, double y1)
    {
        if (c < begin || c >= end)
            return;
        float a = clampY(y0), b = clampY(y1);
        if (a > b)
            std::swap(a, b);
        out.top[c] = std::min(out.top[c], a);
        out.bottom[c] = std::max(out.bottom[c], b);
    }

    // The part of the segment (x0, y0)-(x1, y1) (column units, x0 <= x1) in each column it crosses.
    void segment(double x0, double y0, double x1, double y1)
    {
        if (x1 < begin || x0 >= end)
            return;
        const double slope = x1 > x0 ? (y1 - y0) / (x1 - x0) : 0.0;
        const int c0 = std::max(begin, static_cast<int>(std::floor(std::max(x0, -1.0))));
        const int c1 = std::min(end - 1, static_cast<int>(std::floor(std::min(x1, 1e9))));
        for (int c = c0; c <= c1; ++c) {
            const double xa = std::max(x0, static_cast<double>(c));
            const double xb = std::min(x1, static_cast<double>(c + 1));
            addSpan(c, y0 + (xa - x0) * slope, y0 + (xb - x0) * slope);
        }
    }

    double yOf(double v) const
    {
        return f.logY ? f.pixelY(v) : (yMaxLinear - v) * yScale;
    }
    double xOf(size_t i) const { return (s.x(i, f.axis) - f.xOffset - f.xMin) * xScale; }

    double yMaxLinear = 0.0;
    double yScale = 1.0;
    double xScale = 1.0;
    double dx = 1.0;
    // Regular x (steps logged at a fixed stride): index arithmetic instead of a search.
    bool regular = false;
    int64_t regularBase = 0;
    int64_t regularStride = 1;
    double regularInverse = 1.0;

    // x of point i when the steps are regular, without IntColumn's dispatch on its form.
    double regularX(size_t i) const
    {
        return static_cast<double>(regularBase + static_cast<int64_t>(i) * regularStride);
    }

    // First point whose x is at or after the left edge of column c.
    size_t boundary(int c) const
    {
        const double x = f.xMin + c * dx + f.xOffset;
        if (!regular)
            return s.lowerBound(x, f.axis);
        const size_t n = s.size();
        const double t = (x - static_cast<double>(regularBase)) * regularInverse;
        size_t i = 0;
        if (t >= double(n)) {
            i = n;
        } else if (t > 0) {
            i = static_cast<size_t>(t);
            i += static_cast<double>(i) < t ? 1 : 0;
        }
        // The multiplication by the inverse can land one off; step to the exact answer.
        while (i > 0 && regularX(i - 1) >= x)
            --i;
        while (i < n && regularX(i) < x)
            ++i;
        return i;
    }

    void run()
    {
        yMaxLinear = f.yMax;
        yScale = f.height / (f.yMax - f.yMin);
        xScale = f.width / (f.xMax - f.xMin);
        dx = (f.xMax - f.xMin) / f.width;
        const IntColumn &xc = s.xColumn(f.axis);
        regular = xc.isRegular() && xc.stride() > 0;
        regularBase = xc.base();
        regularStride = xc.stride();
        regularInverse = 1.0 / double(xc.stride());
        const size_t n = s.size();
        if (n == 0 || begin >= end)
            return;
        // Every column edge's first point, once: the sweep below reads them and prefetches
        // the values a few columns ahead.
        thread_local std::vector<size_t> edges;
        edges.resize(static_cast<size_t>(end - begin + 1));
        for (int c = begin; c <= end; ++c)
            edges[static_cast<size_t>(c - begin)] = boundary(c);
        if (end == f.width) {
            // Points exactly on the right edge belong to the last column.
            size_t &last = edges.back();
            while (last < n && s.x(last, f.axis) - f.xOffset <= f.xMax)
                ++last;
        }
        auto edge = [&](int c) { return edges[static_cast<size_t>(c - begin)]; };
        size_t i = edge(begin);
        // The point before the first column starts the line into it.
        size_t prev = i > 0 ? i - 1 : n;
        constexpr int kAhead = 16;
        for (int c = begin; c < std::min(end, begin + kAhead); ++c)
            s.prefetchIndex(edge(c + 1));
        for (int c = begin; c < end && i < n; ++c) {
            if (c + kAhead < end)
                s.prefetchIndex(edge(c + kAhead + 1));
            const size_t last = edge(c + 1);
            if (last <= i)
                continue;
            const ValueRange r = s.range(i, last);
            out.flags[c] |= r.flags;
            if (r.hasFinite)
                addSpan(c, yOf(r.max), yOf(r.min));
            // The line from the previous point to the first point of this column.
            if (prev < n && finiteValue(s.value(prev)) && finiteValue(s.value(i)))
                segment(xOf(prev), yOf(s.value(prev)), xOf(i), yOf(s.value(i)));
            prev = last - 1;
            i = last;
        }
        // The line leaving the last column towards the next point beyond the plot.
        if (prev < n && i < n && finiteValue(s.value(prev)) && finiteValue(s.value(i)))
            segment(xOf(prev), yOf(s.value(prev)), xOf(i), yOf(s.value(i)));
    }
};

} // namespace

double PlotFrame::pixelX(double x) const
{
    return (x - xMin) / (xMax - xMin) * width;
}

double PlotFrame::pixelY(double v) const
{
    if (logY) {
        if (!(v > 0) || !(yMin > 0))
            return std::numeric_limits<double>::quiet_NaN();
        const double l0 = std::log10(yMin), l1 = std::log10(yMax);
        return (l1 - std::log10(v)) / (l1 - l0) * height;
    }
    return (yMax - v) / (yMax - yMin) * height;
}

void ColumnSpans::reset(int width)
{
    top.assign(static_cast<size_t>(width), kEmptyTop);
    bottom.assign(static_cast<size_t>(width), -kEmptyTop);
    flags.assign(static_cast<size_t>(width), 0);
}

void rasterizeSeries(const SeriesLod &series, const PlotFrame &frame, int columnBegin,
                     int columnEnd, ColumnSpans &out)
{
    if (!(frame.xMax > frame.xMin) || frame.width <= 0 || frame.height <= 0)
        return;
    Rasterizer r{series,
                 frame,
                 std::max(0, columnBegin),
                 std::min(frame.width, columnEnd),
                 out,
                 -2.0f,
                 static_cast<float>(frame.height) + 2.0f};
    r.run();
}

} // namespace sightline
