// SPDX-License-Identifier: GPL-3.0-or-later
// Drift statistics as pure functions. Each states its formula and conventions; numbers match
// scipy (ks_2samp, wasserstein_distance, chisquare) and Evidently's definitions.
//
// Shared conventions:
// - A result that cannot be computed (an empty sample, spans of different lengths, a zero total,
//   NaN in a sample) is NaN, never a made-up "no drift" value; callers show it as "n/a".
// - Frequency spans ("p", "q", counts) may hold counts or fractions; where a function normalises
//   them it says so.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace sightline::drift {

// Two-sample Kolmogorov-Smirnov, two-sided, with scipy.stats.ks_2samp(method='auto') semantics
// (scipy 1.10):
// - statistic D = max over x of |F_ref(x) - F_cur(x)|, the empirical CDFs evaluated just after
//   every distinct value of either sample (ties are consumed together, as scipy's
//   searchsorted(side='right') does), F(x) = (count of values <= x) / n. D is computed as an
//   exact integer ratio and rounded once (scipy's subtraction of two rounded CDFs can differ in
//   the last bit).
// - exact p-value when max(n, m) <= 10000 (scipy's MAX_AUTO_N): with g = gcd(n, m),
//   lcm = (n / g) * m and h = round(D * lcm), P(D_{n,m} >= h / lcm) by lattice-path counting
//   (n == m: the alternating reflection series; otherwise Hodges' inside method in the
//   probability form of Viehmann 2021). The reported statistic is then h / lcm, as in scipy.
//   Should that computation leave [0, 1], the asymptotic p-value of h / lcm is used instead.
// - asymptotic p-value otherwise: N = round(n m / (n + m)) (round half to even) and
//   p = P(D_N >= D) of the one-sample two-sided distribution (scipy.stats.kstwo.sf(D, N), see
//   ksOneSampleSurvival), not the limiting Kolmogorov distribution.
// - p is clipped to [0, 1]; D == 0 gives p = 1.
// Inputs are sorted ascending. An empty sample, or NaN anywhere in either, gives statistic and
// p-value NaN (exact = false); callers drop NaN before sorting. Infinite values are ordinary
// values here. Cost O(n + m) for the statistic; the exact p-value is O(n + m) when n == m and
// O(max(n, m) * (D * min(n, m) + 1)) otherwise.
struct KsResult {
    double statistic = 0.0;
    double pValue = 1.0;
    bool exact = false;
};
KsResult ksTwoSample(std::span<const double> sortedReference,
                     std::span<const double> sortedCurrent);

// Wasserstein-1 distance between the two empirical distributions (scipy.stats.wasserstein_distance,
// unweighted): the integral of |F_ref - F_cur| over the real line, i.e. the sum over consecutive
// distinct values x_k < x_{k+1} of both samples of |F_ref(x_k) - F_cur(x_k)| * (x_{k+1} - x_k).
// Inputs are sorted ascending. An empty sample or NaN in either gives NaN. Finite inputs whose
// differences overflow a double are rescaled, so the result is finite whenever it is
// representable. Infinite values: +inf unless both samples put the same mass beyond every finite
// value (then those stretches contribute 0, where scipy says NaN). Cost O(n + m).
double wasserstein1(std::span<const double> sortedReference,
                    std::span<const double> sortedCurrent);

// Both of the above from one merge of the two samples (about half the cost of two calls), with the
// same conventions.
struct KsWassersteinResult {
    KsResult ks;
    double wasserstein1 = 0.0;
};
KsWassersteinResult ksAndWasserstein1(std::span<const double> sortedReference,
                                      std::span<const double> sortedCurrent);

// The p-value part of ksTwoSample for a statistic D already known for samples of sizes n and m
// (exact or asymptotic by the same rule; the returned statistic is h / lcm in the exact case).
// NaN for n < 1, m < 1, or D outside [0, 1] or NaN.
KsResult ksFromStatistic(double statistic, int64_t n, int64_t m);

// Population Stability Index over matching bins: sum((c - r) * ln(c / r)) on bin fractions,
// where an empty bin's fraction is replaced by `emptyBinFraction` (Evidently uses 0.0001, or the
// smallest non-zero fraction / 10^6 when that is smaller; here it is always the argument).
// The fractions are used as given (not normalised). Empty spans or different lengths give NaN.
double psi(std::span<const double> referenceFractions, std::span<const double> currentFractions,
           double emptyBinFraction = 0.0001);

// Jensen-Shannon distance (the square root of the divergence) with logarithms in `base`
// (scipy.spatial.distance.jensenshannon; Evidently uses base e). Inputs are normalised first:
// p /= sum(p), q /= sum(q), m = (p + q) / 2,
// JS = sqrt((sum p_i ln(p_i / m_i) + sum q_i ln(q_i / m_i)) / (2 ln(base))), terms with a zero
// numerator fraction count 0. In [0, sqrt(ln 2 / ln base)]; rounding below 0 is clamped to 0.
// NaN for empty spans, different lengths, a zero or non-finite sum, a negative entry, or a base
// that is not positive and different from 1.
double jensenShannon(std::span<const double> p, std::span<const double> q,
                     double base = 2.718281828459045);

// Hellinger distance: sqrt(1 - sum(sqrt(p_i q_i))) on normalised inputs, in [0, 1] (Evidently's
// definition for categories), evaluated as sqrt(sum((sqrt p_i - sqrt q_i)^2) / 2), which is the
// same number without the cancellation near 0. NaN as for jensenShannon.
double hellinger(std::span<const double> p, std::span<const double> q);

// L-infinity distance between normalised category frequencies: max |p_i - q_i|, in [0, 1].
// NaN as for jensenShannon.
double linf(std::span<const double> p, std::span<const double> q);

// Chi-square goodness of fit of the current counts against the reference proportions scaled to
// the current total (Evidently's chisquare test; scipy.stats.chisquare(observed, expected)):
// expected_i = reference_i * (sum(current) / sum(reference)), statistic = sum over used bins of
// (current_i - expected_i)^2 / expected_i, degrees of freedom = used bins - 1, p-value =
// chiSquareSurvival(statistic, dof). A bin is used when either side counts something in it
// (Evidently only lists categories seen in either sample; scipy would turn 0/0 into NaN).
// A bin empty in the reference but not in the current sample makes the statistic +inf and
// p = 0, as in scipy. A single used bin gives statistic 0, dof 0 and p = 1 (scipy says NaN).
// Different lengths, a negative or NaN count, or a zero total on either side: statistic and
// p-value NaN, dof 0.
struct Chi2Result {
    double statistic = 0.0;
    double pValue = 1.0;
    int degreesOfFreedom = 0;
};
Chi2Result chiSquare(std::span<const double> referenceCounts,
                     std::span<const double> currentCounts);

// Two-proportion Z-test for a binary column (pooled variance), two-sided p-value (Evidently's
// z_stat_test): p1 = s1 / n1, p2 = s2 / n2, P = (s1 + s2) / (n1 + n2),
// z = (p1 - p2) / sqrt(P (1 - P) (1 / n1 + 1 / n2)), p = 2 * normalSurvival(|z|). Evidently
// writes 2 * (1 - Phi(|z|)), which rounds to 0 below about 1e-16; this keeps the small values.
// P (1 - P) == 0 (both samples all successes or all failures) gives p = 1 (Evidently's rule for
// one identical value on both sides). A total <= 0, successes outside [0, total] or NaN: NaN.
double proportionsZTestPValue(double referenceSuccesses, double referenceTotal,
                              double currentSuccesses, double currentTotal);

// Special functions used above, exposed for tests.
// 1 - CDF of the chi-square distribution: the regularized upper incomplete gamma function
// Q(dof / 2, x / 2) (scipy.stats.chi2.sf), relative error around 1e-13 or better. x <= 0 gives 1,
// x = +inf gives 0; dof <= 0 or NaN arguments give NaN.
double chiSquareSurvival(double x, double degreesOfFreedom); // 1 - CDF
// 1 - Phi(z) = erfc(z / sqrt 2) / 2 (scipy.stats.norm.sf), accurate in both tails.
double normalSurvival(double z);                             // 1 - Phi(z)
// Survival function of the limiting Kolmogorov distribution, P(K > x) =
// 2 sum_{k>=1} (-1)^(k-1) exp(-2 k^2 x^2) (scipy.special.kolmogorov); 1 for x <= 0, NaN for NaN.
double kolmogorovSurvival(double x);                         // scipy.special.kolmogorov
// P(D_n >= d) for the one-sample two-sided Kolmogorov-Smirnov statistic of n observations
// (scipy.stats.kstwo.sf(d, n)), with scipy's choice of method (Simard and L'Ecuyer 2011): exact
// formulas near the ends of the range, Durbin's matrix (Marsaglia-Tsang-Wang), Pomeranz's
// recursion, 2 * smirnovSurvival, or the Pelz-Good expansion. 1 for d <= 1 / (2n), 0 for d >= 1;
// NaN for n < 1 or NaN d.
double ksOneSampleSurvival(double d, int64_t n);
// P(D+_n >= d) for the one-sided statistic (scipy.special.smirnov(n, d)), by the
// Birnbaum-Tingey sum in extended precision; for n > 1000000, exp(-(6nd + 1)^2 / (18n)) as in
// scipy. NaN outside n >= 1, 0 <= d <= 1.
double smirnovSurvival(int64_t n, double d);

} // namespace sightline::drift
