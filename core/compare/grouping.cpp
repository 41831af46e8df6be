// SPDX-License-Identifier: GPL-3.0-or-later
#include "compare/grouping.h"

#include <cfloat>
#include <cmath>
#include <limits>

namespace sightline {

GroupCurve aggregateGroup(const std::vector<GroupMember> &members, SeriesLod::XAxis axis,
                          double xMin, double xMax, int samples)
{
    GroupCurve g;
    if (samples < 2 || !(xMax >= xMin))
        return g;
    const auto n = static_cast<size_t>(samples);
    const double nan = std::numeric_limits<double>::quiet_NaN();
    g.x.resize(n);
    g.mean.assign(n, nan);
    g.stddev.assign(n, nan);
    g.min.assign(n, nan);
    g.max.assign(n, nan);
    g.count.assign(n, 0);
    std::vector<double> sum(n, 0.0), sumSq(n, 0.0);
    for (size_t k = 0; k < n; ++k)
        g.x[k] = xMin + (xMax - xMin) * static_cast<double>(k) / static_cast<double>(n - 1);
    for (const GroupMember &m : members) {
        const SeriesLod *s = m.series;
        if (!s || s->empty())
            continue;
        const double first = s->x(0, axis) - m.xOffset;
        const double last = s->x(s->size() - 1, axis) - m.xOffset;
        for (size_t k = 0; k < n; ++k) {
            const double x = g.x[k];
            if (x < first || x > last)
                continue;
            // Last point at or before x.
            size_t i = s->lowerBound(x + m.xOffset, axis);
            if (i == s->size() || s->x(i, axis) - m.xOffset > x)
                --i;
            const double v = s->value(i);
            if (!(v > -DBL_MAX && v < DBL_MAX))
                continue;
            if (g.count[k] == 0) {
                g.min[k] = g.max[k] = v;
            } else {
                g.min[k] = std::min(g.min[k], v);
                g.max[k] = std::max(g.max[k], v);
            }
            sum[k] += v;
            sumSq[k] += v * v;
            ++g.count[k];
        }
    }
    for (size_t k = 0; k < n; ++k) {
        if (g.count[k] == 0)
            continue;
        const double c = g.count[k];
        g.mean[k] = sum[k] / c;
        g.stddev[k] = std::sqrt(std::max(0.0, sumSq[k] / c - g.mean[k] * g.mean[k]));
    }
    return g;
}

std::string groupLabel(const std::string *value)
{
    return value ? *value : std::string("(none)");
}

} // namespace sightline
