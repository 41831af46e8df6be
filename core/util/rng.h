// SPDX-License-Identifier: GPL-3.0-or-later
// A small deterministic random generator for demo data, tests and benchmarks. The standard
// distributions (std::normal_distribution, ...) differ between standard libraries; this does
// not, so generated files are the same everywhere.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <random>
#include <string>

namespace sightline {

class Rng {
public:
    explicit Rng(uint64_t seed) : m_gen(seed) {}

    // Uniform in [0, 1) from the top 53 bits.
    double uniform() { return (m_gen() >> 11) * (1.0 / 9007199254740992.0); }
    // Standard normal by Box-Muller (one draw per call).
    double normal()
    {
        double u1 = uniform();
        const double u2 = uniform();
        if (u1 < 1e-300)
            u1 = 1e-300;
        return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
    }
    int below(int n) { return static_cast<int>(uniform() * n); }
    bool chance(double p) { return uniform() < p; }
    // Index drawn with the given weights (summing to 1).
    size_t pick(std::initializer_list<double> weights)
    {
        double u = uniform();
        size_t i = 0;
        for (double w : weights) {
            if (u < w)
                return i;
            u -= w;
            ++i;
        }
        return i - 1;
    }
    std::string hex(int digits)
    {
        static const char *h = "0123456789abcdef";
        std::string s;
        for (int i = 0; i < digits; ++i)
            s += h[m_gen() & 15];
        return s;
    }

private:
    std::mt19937_64 m_gen;
};

} // namespace sightline
