// SPDX-License-Identifier: GPL-3.0-or-later
// Small helpers for benchmarks: a clock, percentiles, and the one-line figure format that
// scripts/bench collects ("BENCH {json}").
#pragma once

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <string>
#include <vector>

namespace sightline::bench {

inline double nowSeconds()
{
    using namespace std::chrono;
    return duration<double>(steady_clock::now().time_since_epoch()).count();
}

inline double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return 0.0;
    std::sort(v.begin(), v.end());
    const size_t i = std::min(v.size() - 1, static_cast<size_t>(p * (v.size() - 1) + 0.5));
    return v[i];
}

inline void figure(const std::string &name, double value, const std::string &unit,
                   const std::string &baseline = {}, const std::string &target = {})
{
    nlohmann::json j = {{"name", name}, {"value", value}, {"unit", unit}};
    if (!baseline.empty())
        j["baseline"] = baseline;
    if (!target.empty())
        j["target"] = target;
    std::cout << "BENCH " << j.dump() << std::endl;
}

} // namespace sightline::bench
