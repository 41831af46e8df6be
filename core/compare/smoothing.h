// SPDX-License-Identifier: GPL-3.0-or-later
// Smoothing of metric curves as TensorBoard's scalar dashboard computes it: an exponential moving
// average started at zero and divided by the debias factor 1 - w^k (k = finite points so far),
//     last = last * w + (1 - w) * v;   smoothed = last / (1 - w^k)
// Non-finite values pass through unchanged and do not advance the average; a constant series
// is returned as it is. w = 0 leaves the values alone.
#pragma once

#include <cstddef>
#include <vector>

namespace sightline {

std::vector<double> smoothEma(const double *values, size_t count, double weight);

} // namespace sightline
