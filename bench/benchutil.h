// SPDX-License-Identifier: GPL-3.0-or-later
// Small helpers for benchmarks: a clock, percentiles, and the one-line figure format that
// scripts/bench collects ("BENCH {json}").
#pragma once

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

namespace sightline::bench {

inline double nowSeconds()
{
    using namespace std::chrono;
    return duration<double>(steady_clock::now().time_since_epoch()).count();
}

// CPU time this process has used so far, all threads, user and system.
inline double processCpuSeconds()
{
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

// CPU time another process has used so far (user and system, from /proc), 0 if unknown.
inline double otherProcessCpuSeconds(long long pid)
{
    std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    const size_t close = stat.rfind(')'); // the command name may hold spaces
    if (close == std::string::npos)
        return 0;
    std::istringstream fields(stat.substr(close + 2));
    std::string field;
    double ticks = 0;
    for (int i = 3; i <= 15 && fields >> field; ++i)
        if (i == 14 || i == 15) // utime, stime
            ticks += std::stod(field);
    return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
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
