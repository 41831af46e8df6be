// SPDX-License-Identifier: GPL-3.0-or-later
#include "compare/smoothing.h"

#include <cmath>

namespace sightline {

std::vector<double> smoothEma(const double *values, size_t count, double weight)
{
    std::vector<double> out(values, values + count);
    if (count == 0 || weight <= 0.0)
        return out;
    bool constant = true;
    for (size_t i = 1; i < count && constant; ++i)
        constant = values[i] == values[0];
    if (constant)
        return out;
    double last = 0.0;
    double debias = 1.0; // w^k, kept as a running product
    for (size_t i = 0; i < count; ++i) {
        const double v = values[i];
        if (!std::isfinite(v))
            continue;
        last = last * weight + (1.0 - weight) * v;
        debias *= weight;
        out[i] = weight == 1.0 ? last : last / (1.0 - debias);
    }
    return out;
}

} // namespace sightline
