// SPDX-License-Identifier: GPL-3.0-or-later
// Drift statistics. The Kolmogorov-Smirnov p-values follow scipy 1.10 step by step (the same
// choice of method in every range, the same recursions), so that a report made here and a
// notebook made with scipy agree to about 12 digits or better; the formulas are documented in
// statistics.h. Where this code departs from scipy's arithmetic it is for speed (no division in
// a dependency chain) or accuracy (exact integer CDF differences), never for a different number.
#include "drift/statistics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace sightline::drift {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kPi = 3.14159265358979323846;

bool containsNaN(std::span<const double> values)
{
    // A plain reduction rather than std::any_of, so the compiler can vectorise it: this pass is a
    // small share of a KS test on a million values.
    bool nan = false;
    for (double v : values)
        nan |= (v != v);
    return nan;
}

double clip01(double p)
{
    if (std::isnan(p))
        return p;
    return std::clamp(p, 0.0, 1.0);
}

// ---------------------------------------------------------------------------------------------
// One merge over both sorted samples: the KS statistic and the Wasserstein-1 integral.

struct MergeResult {
    double ks = 0.0;
    double w1 = 0.0;
};

// z_0 <= z_1 <= ... is the merged sequence; before taking z_k, (i, j) count the values already
// taken. When z_k > z_{k-1} every value <= z_{k-1} has been taken, so (i / n, j / m) are the two
// CDFs at z_{k-1}: the point scipy evaluates (searchsorted side='right'). Within a run of equal
// values the gap is 0, so those in-between counts are ignored for D and weigh nothing in W.
// The CDF difference is kept as the integer s = i m - j n (exact, no division in the loop);
// D = max |s| / (n m) and W = sum |s| gap / (n m). `scale` multiplies every value (1, or a
// power of two that keeps |s| * gap finite for huge values).
class MergeScan
{
public:
    MergeScan(std::span<const double> a, std::span<const double> b, bool wantW, double scale)
        : m_a(a), m_b(b), m_wantW(wantW), m_scale(scale)
    {
    }

    MergeResult run()
    {
        const size_t n1 = m_a.size(), n2 = m_b.size();
        const int64_t step1 = int64_t(n2), step2 = int64_t(n1);
        size_t i = 0, j = 0;
        m_prev = std::min(m_a[0], m_b[0]) * m_scale;
        // Both samples left: the hot loop, without bounds checks beyond its condition.
        while (i < n1 && j < n2) {
            const double x = m_a[i], y = m_b[j];
            const bool takeA = x <= y;
            visit(takeA ? x : y);
            i += takeA;
            j += !takeA;
            m_s += takeA ? step1 : -step2;
        }
        for (; i < n1; ++i) {
            visit(m_a[i]);
            m_s += step1;
        }
        for (; j < n2; ++j) {
            visit(m_b[j]);
            m_s -= step2;
        }
        const double nm = double(n1) * double(n2);
        return {double(m_best) / nm, m_w / nm};
    }

private:
    void visit(double value)
    {
        const double v = value * m_scale;
        const double gap = v - m_prev; // NaN for two equal infinities: neither test passes
        const uint64_t absS = uint64_t(m_s < 0 ? -m_s : m_s);
        m_best = gap > 0.0 ? std::max(m_best, absS) : m_best;
        if (m_wantW)
            m_w += (gap > 0.0 && absS != 0) ? double(absS) * gap : 0.0;
        m_prev = v;
    }

    std::span<const double> m_a, m_b;
    bool m_wantW;
    double m_scale;
    double m_prev = 0.0;
    int64_t m_s = 0;
    uint64_t m_best = 0;
    double m_w = 0.0;
};

MergeResult mergeScan(std::span<const double> a, std::span<const double> b, bool wantW,
                      double scale)
{
    return MergeScan(a, b, wantW, scale).run();
}

// W from a finished merge, redone on scaled values when finite inputs overflowed: everything is
// scaled down by a power of two (exact except for tiny values, whose gaps cannot matter next to
// an overflowing sum) and the result back up. |s| < 2^64 and the gaps are below 2^1025, so
// 2^-66 keeps every product finite.
double wassersteinFromMerge(std::span<const double> a, std::span<const double> b,
                            const MergeResult &m)
{
    if (!std::isinf(m.w1) || !std::isfinite(a.front()) || !std::isfinite(a.back()) ||
        !std::isfinite(b.front()) || !std::isfinite(b.back()))
        return m.w1;
    const double down = std::ldexp(1.0, -66);
    return mergeScan(a, b, true, down).w1 / down;
}

// ---------------------------------------------------------------------------------------------
// Exact two-sample KS p-values (scipy's _compute_prob_outside_square and the pythran
// _compute_outer_prob_inside_method).

// P(D_{n,n} >= h/n) = 2 (A0 - A0 A1 + A0 A1 A2 - ...) evaluated Horner-style from the innermost
// term, each A_k a ratio of h factors, which avoids the cancellation of the binomial series.
double probOutsideSquare(int64_t n, int64_t h)
{
    double p = 0.0;
    for (int64_t k = n / h; k >= 0; --k) {
        double p1 = 1.0;
        for (int64_t j = 0; j < h; ++j)
            p1 = double(n - k * h - j) * p1 / double(n + k * h + j + 1);
        p = p1 * (1.0 - p);
    }
    return 2.0 * p;
}

int64_t floorDiv(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        --q;
    return q;
}

int64_t ceilDiv(int64_t a, int64_t b)
{
    return -floorDiv(-a, b);
}

// Proportion of lattice paths from (0,0) to (m,n) that leave |x/m - y/n| < h / lcm(m, n),
// computed column by column over a sliding window as a probability (Viehmann's recursion), so
// no binomial coefficient ever overflows.
double probOutsideLattice(int64_t m, int64_t n, int64_t g, int64_t h)
{
    if (m < n)
        std::swap(m, n);
    const int64_t mg = m / g;
    const int64_t ng = n / g;
    int64_t minj = 0;
    int64_t maxj = std::min(ceilDiv(h, mg), n + 1);
    int64_t curlen = maxj - minj;
    const int64_t lenA = std::min(2 * maxj + 2, n + 1);
    std::vector<double> A(static_cast<size_t>(lenA) + 2, 1.0);
    std::fill(A.begin(), A.begin() + maxj, 0.0);
    // 1 / (i + j) from a table: a division in the recursion's dependency chain would set its
    // pace (about three times slower); the weights stay a convex combination, so the rounding
    // differences (an ulp per step) do not grow.
    std::vector<double> inverse(size_t(m + n + 1), 0.0);
    for (size_t k = 1; k < inverse.size(); ++k)
        inverse[k] = 1.0 / double(k);
    for (int64_t i = 1; i <= m; ++i) {
        const int64_t lastminj = minj, lastlen = curlen;
        minj = std::max<int64_t>(floorDiv(ng * i - h, mg) + 1, 0);
        minj = std::min(minj, n);
        maxj = std::min(ceilDiv(ng * i + h, mg), n + 1);
        if (maxj <= minj)
            return 1.0;
        double val = minj == 0 ? 0.0 : 1.0;
        const double di = double(i);
        const int64_t shift = minj - lastminj;
        for (int64_t jj = 0; jj < maxj - minj; ++jj) {
            const int64_t j = jj + minj;
            val = (A[size_t(jj + shift)] * di + val * double(j)) * inverse[size_t(i + j)];
            A[size_t(jj)] = val;
        }
        curlen = maxj - minj;
        if (lastlen > curlen) {
            const int64_t from = maxj - minj;
            const int64_t to = std::min(from + (lastlen - curlen), int64_t(A.size()));
            std::fill(A.begin() + from, A.begin() + to, 1.0);
        }
    }
    return A[size_t(maxj - minj - 1)];
}

// ---------------------------------------------------------------------------------------------
// The one-sample two-sided distribution (scipy/stats/_ksstats.py, Simard & L'Ecuyer 2011).

constexpr int kScaleExponent = 128;
const long double kScaleUp = std::ldexp(1.0L, kScaleExponent);
const long double kScaleDown = std::ldexp(1.0L, -kScaleExponent);

// log(n! / n^n) by Stirling's series with n log n taken out up front.
double logFactorialOverPower(double n)
{
    static const double coeffs[] = {-2.955065359477124183e-2, 6.4102564102564102564e-3,
                                    -1.9175269175269175269e-3, 8.4175084175084175084e-4,
                                    -5.952380952380952381e-4,  7.9365079365079365079e-4,
                                    -2.7777777777777777778e-3, 8.3333333333333333333e-2};
    const double rn = 1.0 / n;
    const double x = rn / n;
    double poly = 0.0;
    for (double c : coeffs)
        poly = poly * x + c;
    return std::log(n) / 2 - n + std::log(2 * kPi) / 2 + rn * poly;
}

using Matrix = std::vector<double>; // row-major, size dim * dim

Matrix matmul(const Matrix &x, const Matrix &y, int dim)
{
    Matrix r(static_cast<size_t>(dim) * dim, 0.0);
    for (int i = 0; i < dim; ++i)
        for (int k = 0; k < dim; ++k) {
            const double xik = x[size_t(i) * dim + k];
            if (xik == 0.0)
                continue;
            const double *yr = &y[size_t(k) * dim];
            double *rr = &r[size_t(i) * dim];
            for (int j = 0; j < dim; ++j)
                rr[j] += xik * yr[j];
        }
    return r;
}

// P(D_n <= d) by Durbin's matrix, as Marsaglia, Tsang and Wang compute it: the (k,k) entry of
// H^n times n!/n^n, with exponent bookkeeping so neither over- nor underflows.
double kolmogorovCdfDurbin(int64_t n, double d)
{
    if (d >= 1.0)
        return 1.0;
    const double nd = double(n) * d;
    if (nd <= 0.5)
        return 0.0;
    const int k = int(std::ceil(nd));
    const double h = k - nd;
    const int m = 2 * k - 1;

    std::vector<double> v(static_cast<size_t>(m)), w(static_cast<size_t>(m));
    double fac = 1.0;
    for (int j = 1; j <= m; ++j) {
        w[size_t(j - 1)] = fac;
        fac /= j;
        v[size_t(j - 1)] = (1.0 - std::pow(h, j)) * fac;
    }
    const double tt = std::pow(std::max(2 * h - 1.0, 0.0), m) - 2 * std::pow(h, m);
    v[size_t(m - 1)] = (1.0 + tt) * fac;

    Matrix H(static_cast<size_t>(m) * m, 0.0);
    auto at = [m](Matrix &x, int r, int c) -> double & { return x[size_t(r) * m + c]; };
    for (int i = 1; i < m; ++i)
        for (int r = i - 1; r < m; ++r)
            at(H, r, i) = w[size_t(r - (i - 1))];
    for (int r = 0; r < m; ++r)
        at(H, r, 0) = v[size_t(r)];
    for (int c = 0; c < m; ++c)
        at(H, m - 1, c) = v[size_t(m - 1 - c)];

    Matrix power(static_cast<size_t>(m) * m, 0.0);
    for (int r = 0; r < m; ++r)
        at(power, r, r) = 1.0;
    int64_t nn = n;
    long expnt = 0, hExpnt = 0;
    const double up = double(kScaleUp);
    while (nn > 0) {
        if (nn % 2) {
            power = matmul(power, H, m);
            expnt += hExpnt;
        }
        nn /= 2;
        if (nn == 0)
            break; // the last squaring would not be used
        H = matmul(H, H, m);
        hExpnt *= 2;
        if (std::fabs(at(H, k - 1, k - 1)) > up) {
            for (double &x : H)
                x /= up;
            hExpnt += kScaleExponent;
        }
    }

    long double p = at(power, k - 1, k - 1);
    const long double ln = (long double)n;
    for (int64_t i = 1; i <= n; ++i) {
        p = (long double)i * p / ln;
        if (std::fabs(p) < kScaleDown) {
            p *= kScaleUp;
            expnt -= kScaleExponent;
        }
    }
    if (expnt != 0)
        p = std::ldexp(p, int(expnt));
    return double(p);
}

void pomeranzBounds(int64_t i, int64_t n, int64_t ll, int64_t ceilf, int64_t roundf, int64_t &j1,
                    int64_t &j2)
{
    if (i == 0) {
        j1 = -ll - ceilf - 1;
        j2 = ll + ceilf - 1;
    } else {
        const int64_t half = (i + 1) / 2, odd = (i + 1) % 2;
        if (odd == 0) { // i is odd
            if (half == n + 1) {
                j1 = n - ll - ceilf - 1;
                j2 = n + ll + ceilf - 1;
            } else {
                j1 = half - 1 - ll - roundf - 1;
                j2 = half + ll - 1 + ceilf - 1;
            }
        } else {
            j1 = half - 1 - ll - 1;
            j2 = half + ll + roundf - 1;
        }
    }
    j1 = std::max<int64_t>(j1 + 2, 0);
    j2 = std::min(j2, n);
}

// P(D_n <= x) by Pomeranz's recursion: rows of truncated Poisson convolutions, two rows kept.
double kolmogorovCdfPomeranz(int64_t n, double x)
{
    const double t = double(n) * x;
    const int64_t ll = int64_t(std::floor(t));
    const double f = t - double(ll);
    const double g = std::min(f, 1.0 - f);
    const int64_t ceilf = f > 0 ? 1 : 0;
    const int64_t roundf = f > 0.5 ? 1 : 0;
    const int64_t npwrs = 2 * (ll + 1);
    const size_t width = static_cast<size_t>(npwrs);
    std::vector<double> gpower(width), twogpower(width), onem2gpower(width);
    gpower[0] = twogpower[0] = onem2gpower[0] = 1.0;
    const double gOverN = g / double(n), twoGOverN = 2 * g / double(n),
                 oneMinusTwoGOverN = (1 - 2 * g) / double(n);
    for (int64_t m = 1; m < npwrs; ++m) {
        gpower[size_t(m)] = gpower[size_t(m - 1)] * gOverN / double(m);
        twogpower[size_t(m)] = twogpower[size_t(m - 1)] * twoGOverN / double(m);
        onem2gpower[size_t(m)] = onem2gpower[size_t(m - 1)] * oneMinusTwoGOverN / double(m);
    }

    std::vector<double> V0(width, 0.0), V1(width, 0.0);
    V1[0] = 1.0;
    int64_t V0s = 0, V1s = 0;
    long expnt = 0;
    const double up = double(kScaleUp), down = double(kScaleDown);
    int64_t j1, j2;
    pomeranzBounds(0, n, ll, ceilf, roundf, j1, j2);
    for (int64_t i = 1; i < 2 * n + 2; ++i) {
        const int64_t k1 = j1;
        std::swap(V0, V1);
        std::swap(V0s, V1s);
        std::fill(V1.begin(), V1.end(), 0.0);
        pomeranzBounds(i, n, ll, ceilf, roundf, j1, j2);
        const std::vector<double> &pwrs =
            (i == 1 || i == 2 * n + 1) ? gpower : (i % 2 ? twogpower : onem2gpower);
        const int64_t ln2 = j2 - k1 + 1;
        if (ln2 <= 0)
            continue;
        // conv = np.convolve(V0[k1 - V0s : k1 - V0s + ln2], pwrs[:ln2]); V1[:len] = conv[start:]
        const int64_t segStart = k1 - V0s;
        const int64_t segLen = std::clamp<int64_t>(npwrs - segStart, 0, ln2);
        const int64_t convStart = j1 - k1;
        const int64_t convLen = j2 - j1 + 1;
        for (int64_t out = 0; out < convLen && out < npwrs; ++out) {
            const int64_t tIdx = convStart + out;
            double s = 0.0;
            const int64_t lo = std::max<int64_t>(0, tIdx - (ln2 - 1));
            const int64_t hi = std::min(tIdx, segLen - 1);
            for (int64_t sIdx = lo; sIdx <= hi; ++sIdx)
                s += V0[size_t(segStart + sIdx)] * pwrs[size_t(tIdx - sIdx)];
            V1[size_t(out)] = s;
        }
        const double vmax = *std::max_element(V1.begin(), V1.end());
        if (vmax > 0 && vmax < down) {
            for (double &vv : V1)
                vv *= up;
            expnt -= kScaleExponent;
        }
        V1s = V0s + j1 - k1;
    }

    long double ans = V1[size_t(n - V1s)];
    for (int64_t m = 1; m <= n; ++m) {
        if (std::fabs(ans) > kScaleUp) {
            ans *= kScaleDown;
            expnt += kScaleExponent;
        }
        ans *= (long double)m;
    }
    if (expnt != 0)
        ans = std::ldexp(ans, int(expnt));
    return double(ans);
}

// P(D_n <= x) by the Pelz-Good expansion of the Li-Chien/Korolyuk asymptotic series, written
// with Jacobi theta functions so it converges for small x sqrt(n).
double kolmogorovCdfPelzGood(int64_t n, double x)
{
    if (x <= 0.0)
        return 0.0;
    if (x >= 1.0)
        return 1.0;
    const double pi2 = kPi * kPi, pi4 = pi2 * pi2, pi6 = pi4 * pi2;
    const double z = std::sqrt(double(n)) * x;
    const double z2 = z * z, z3 = z2 * z, z4 = z2 * z2, z6 = z4 * z2;
    const double qlog = -pi2 / 8 / z2;
    if (qlog < -708)
        return 0.0;
    double q = std::exp(qlog);

    const double k1a = -z2, k1b = pi2 / 4;
    const double k2a = 6 * z6 + 2 * z4, k2b = (2 * z4 - 5 * z2) * pi2 / 4,
                 k2c = pi4 * (1 - 2 * z2) / 16;
    const double k3d = pi6 * (5 - 30 * z2) / 64, k3c = pi4 * (-60 * z2 + 212 * z4) / 16,
                 k3b = pi2 * (135 * z4 - 96 * z6) / 4, k3a = -30 * z6 - 90 * std::pow(z, 8);

    double K[4] = {0, 0, 0, 0};
    const int maxk = int(std::ceil(16 * z / kPi));
    for (int k = maxk; k > 0; --k) {
        const double m = 2.0 * k - 1, m2 = m * m, m4 = m2 * m2, m6 = m4 * m2;
        const double qpower = std::pow(q, 8.0 * k);
        const double coeffs[4] = {1.0, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4,
                                  k3a + k3b * m2 + k3c * m4 + k3d * m6};
        for (int c = 0; c < 4; ++c)
            K[c] = K[c] * qpower + coeffs[c];
    }
    const double sqrt2pi = std::sqrt(2 * kPi);
    const double denom[4] = {z, 6 * z4, 72 * std::pow(z, 7), 6480 * std::pow(z, 10)};
    for (int c = 0; c < 4; ++c)
        K[c] = K[c] * q * sqrt2pi / denom[c];

    q = std::exp(-pi2 / 2 / z2);
    const double sqrt3z = std::sqrt(3.0) * z;
    double k2extra = 0.0, k3extra = 0.0;
    for (int k = maxk; k > 0; --k) {
        const double ks2 = double(k) * k;
        const double qp = std::pow(q, ks2);
        const double kspi = kPi * k;
        k2extra += ks2 * qp;
        k3extra += (sqrt3z + kspi) * (sqrt3z - kspi) * ks2 * qp;
    }
    K[2] += k2extra * pi2 * sqrt2pi / (-36 * z3);
    K[3] += k3extra * pi2 * sqrt2pi / (216 * z6);
    double sum = 0.0;
    for (int c = 0; c < 4; ++c)
        sum += K[c] / std::pow(double(n), c / 2.0);
    return sum;
}

// ---------------------------------------------------------------------------------------------
// Incomplete gamma pieces for the chi-square survival function.

// log(1 + t) - t without cancellation near 0: with y = t / (2 + t),
// log(1 + t) = 2 atanh(y) = 2 (y + y^3/3 + ...), and 2y - t = -t^2 / (2 + t).
double log1pmx(double t)
{
    if (std::fabs(t) > 0.5)
        return std::log1p(t) - t;
    const double y = t / (2 + t), y2 = y * y;
    double term = y * y2, sum = 0.0;
    for (int k = 3; k < 200; k += 2) {
        const double add = term / k;
        sum += add;
        if (std::fabs(add) <= 1e-17 * std::fabs(sum))
            break;
        term *= y2;
    }
    return -t * t / (2 + t) + 2 * sum;
}

// lgamma(a) - ((a - 1/2) log a - a + log(2 pi) / 2): Stirling's correction, for a >= 10.
double stirlingCorrection(double a)
{
    const double r = 1.0 / a, r2 = r * r;
    // Bernoulli-number coefficients B_2k / (2k (2k - 1)).
    return r * (1.0 / 12 + r2 * (-1.0 / 360 + r2 * (1.0 / 1260 + r2 * (-1.0 / 1680 +
           r2 * (1.0 / 1188 + r2 * (-691.0 / 360360 + r2 * (1.0 / 156 +
           r2 * (-3617.0 / 122400))))))));
}

// log(x^a e^-x / Gamma(a)), written around x = a for large a so that a huge a log x and a huge
// lgamma(a) do not cancel.
double logGammaPrefactor(double a, double x)
{
    if (a < 10.0) // tgamma rather than lgamma, which writes the global signgam
        return a * std::log(x) - x - std::log(std::tgamma(a));
    return a * log1pmx((x - a) / a) + 0.5 * std::log(a / (2 * kPi)) - stirlingCorrection(a);
}

// Regularized upper incomplete gamma Q(a, x): the power series of P when x < a + 1 (then
// Q = 1 - P, which is not small there), the continued fraction of Q otherwise (modified Lentz).
double gammaQ(double a, double x)
{
    if (std::isnan(a) || std::isnan(x) || a <= 0)
        return kNaN;
    if (x <= 0)
        return 1.0;
    if (std::isinf(x))
        return 0.0;
    const double logPre = logGammaPrefactor(a, x);
    constexpr double eps = 1e-17;
    if (x < a + 1) {
        double term = 1.0 / a, sum = term;
        for (int n = 1; n < 100000; ++n) {
            term *= x / (a + n);
            sum += term;
            if (term < sum * eps)
                break;
        }
        return 1.0 - sum * std::exp(logPre);
    }
    constexpr double tiny = 1e-300;
    double b = x + 1 - a;
    double c = 1.0 / tiny;
    double d = 1.0 / b;
    double h = d;
    for (int i = 1; i < 100000; ++i) {
        const double an = -i * (i - a);
        b += 2;
        d = an * d + b;
        if (std::fabs(d) < tiny)
            d = tiny;
        c = b + an / c;
        if (std::fabs(c) < tiny)
            c = tiny;
        d = 1.0 / d;
        const double delta = d * c;
        h *= delta;
        if (std::fabs(delta - 1.0) < eps)
            break;
    }
    return std::exp(logPre) * h;
}

// Normalises both spans (p /= sum p); false when they cannot be compared.
bool normalisePair(std::span<const double> p, std::span<const double> q, std::vector<double> &pn,
                   std::vector<double> &qn)
{
    if (p.empty() || p.size() != q.size())
        return false;
    double sp = 0.0, sq = 0.0;
    for (size_t i = 0; i < p.size(); ++i) {
        if (!(p[i] >= 0) || !(q[i] >= 0))
            return false; // negative or NaN
        sp += p[i];
        sq += q[i];
    }
    if (!(sp > 0) || !(sq > 0) || std::isinf(sp) || std::isinf(sq))
        return false;
    pn.resize(p.size());
    qn.resize(q.size());
    for (size_t i = 0; i < p.size(); ++i) {
        pn[i] = p[i] / sp;
        qn[i] = q[i] / sq;
    }
    return true;
}

// log1p in long double; a short series for |x| < 1/64 (error below 1e-21), as most calls in the
// Smirnov sum are that small and the library call is several times slower.
long double log1pSmall(long double x)
{
    const long double ax = std::fabs(x);
    if (ax >= 1.0L / 64)
        return std::log1p(x);
    // x - x^2/2 + x^3/3 - ..., Horner from the top; 13 terms below 1/64, 7 below 1/1024.
    static constexpr long double inverse[14] = {0.0L,       1.0L,       1.0L / 2,  1.0L / 3,
                                                1.0L / 4,   1.0L / 5,   1.0L / 6,  1.0L / 7,
                                                1.0L / 8,   1.0L / 9,   1.0L / 10, 1.0L / 11,
                                                1.0L / 12,  1.0L / 13};
    const int top = ax < 1.0L / 1024 ? 7 : 13;
    long double r = inverse[top];
    for (int k = top - 1; k >= 1; --k)
        r = inverse[k] - x * r;
    return x * r;
}

// x log(x / y) with scipy's rel_entr conventions for the cases that can occur here.
double relEntr(double x, double y)
{
    if (x == 0)
        return 0.0;
    return x * std::log(x / y);
}

} // namespace

// ---------------------------------------------------------------------------------------------

KsWassersteinResult ksAndWasserstein1(std::span<const double> sortedReference,
                                      std::span<const double> sortedCurrent)
{
    KsWassersteinResult r;
    if (sortedReference.empty() || sortedCurrent.empty() || containsNaN(sortedReference) ||
        containsNaN(sortedCurrent)) {
        r.ks = {kNaN, kNaN, false};
        r.wasserstein1 = kNaN;
        return r;
    }
    const MergeResult m = mergeScan(sortedReference, sortedCurrent, true, 1.0);
    r.ks = ksFromStatistic(m.ks, int64_t(sortedReference.size()), int64_t(sortedCurrent.size()));
    r.wasserstein1 = wassersteinFromMerge(sortedReference, sortedCurrent, m);
    return r;
}

KsResult ksFromStatistic(double d, int64_t n1, int64_t n2)
{
    if (n1 <= 0 || n2 <= 0 || !(d >= 0.0 && d <= 1.0))
        return {kNaN, kNaN, false};
    constexpr int64_t maxAutoN = 10000; // scipy's MAX_AUTO_N
    if (std::max(n1, n2) <= maxAutoN) {
        const int64_t g = std::gcd(n1, n2);
        const int64_t lcm = (n1 / g) * n2;
        // np.round: half to even, which nearbyint does in the default rounding mode.
        const int64_t h = int64_t(std::nearbyint(d * double(lcm)));
        d = double(h) / double(lcm);
        if (h == 0)
            return {d, 1.0, true};
        const double p = n1 == n2 ? probOutsideSquare(n1, h) : probOutsideLattice(n1, n2, g, h);
        if (p >= 0.0 && p <= 1.0)
            return {d, p, true};
        // Like scipy: an exact computation that failed falls back on the asymptotic one.
    }
    const double m = double(std::max(n1, n2)), n = double(std::min(n1, n2));
    const double en = m * n / (m + n);
    const double p = ksOneSampleSurvival(d, int64_t(std::nearbyint(en)));
    return {d, clip01(p), false};
}

KsResult ksTwoSample(std::span<const double> sortedReference, std::span<const double> sortedCurrent)
{
    if (sortedReference.empty() || sortedCurrent.empty() || containsNaN(sortedReference) ||
        containsNaN(sortedCurrent))
        return {kNaN, kNaN, false};
    const MergeResult m = mergeScan(sortedReference, sortedCurrent, false, 1.0);
    return ksFromStatistic(m.ks, int64_t(sortedReference.size()), int64_t(sortedCurrent.size()));
}

double wasserstein1(std::span<const double> sortedReference, std::span<const double> sortedCurrent)
{
    if (sortedReference.empty() || sortedCurrent.empty() || containsNaN(sortedReference) ||
        containsNaN(sortedCurrent))
        return kNaN;
    return wassersteinFromMerge(sortedReference, sortedCurrent,
                                mergeScan(sortedReference, sortedCurrent, true, 1.0));
}

double psi(std::span<const double> referenceFractions, std::span<const double> currentFractions,
           double emptyBinFraction)
{
    if (referenceFractions.empty() || referenceFractions.size() != currentFractions.size())
        return kNaN;
    double sum = 0.0;
    for (size_t i = 0; i < referenceFractions.size(); ++i) {
        const double r = referenceFractions[i] == 0 ? emptyBinFraction : referenceFractions[i];
        const double c = currentFractions[i] == 0 ? emptyBinFraction : currentFractions[i];
        sum += (c - r) * std::log(c / r);
    }
    return sum;
}

double jensenShannon(std::span<const double> p, std::span<const double> q, double base)
{
    std::vector<double> pn, qn;
    if (!normalisePair(p, q, pn, qn) || !(base > 0) || base == 1 || std::isinf(base))
        return kNaN;
    double left = 0.0, right = 0.0;
    for (size_t i = 0; i < pn.size(); ++i) {
        const double m = (pn[i] + qn[i]) / 2.0;
        left += relEntr(pn[i], m);
        right += relEntr(qn[i], m);
    }
    const double js = (left + right) / std::log(base);
    return std::sqrt(std::max(js / 2.0, 0.0));
}

double hellinger(std::span<const double> p, std::span<const double> q)
{
    std::vector<double> pn, qn;
    if (!normalisePair(p, q, pn, qn))
        return kNaN;
    // 1 - sum sqrt(p q) equals sum (sqrt p - sqrt q)^2 / 2 for normalised inputs; the second form
    // has no cancellation, so close distributions keep their digits (the first loses half of
    // them under the square root) and identical ones give exactly 0.
    double s = 0.0;
    for (size_t i = 0; i < pn.size(); ++i) {
        const double d = std::sqrt(pn[i]) - std::sqrt(qn[i]);
        s += d * d;
    }
    return std::sqrt(std::clamp(s / 2.0, 0.0, 1.0));
}

double linf(std::span<const double> p, std::span<const double> q)
{
    std::vector<double> pn, qn;
    if (!normalisePair(p, q, pn, qn))
        return kNaN;
    double d = 0.0;
    for (size_t i = 0; i < pn.size(); ++i)
        d = std::max(d, std::fabs(pn[i] - qn[i]));
    return d;
}

Chi2Result chiSquare(std::span<const double> referenceCounts, std::span<const double> currentCounts)
{
    const Chi2Result invalid{kNaN, kNaN, 0};
    if (referenceCounts.empty() || referenceCounts.size() != currentCounts.size())
        return invalid;
    double refTotal = 0.0, curTotal = 0.0;
    for (size_t i = 0; i < referenceCounts.size(); ++i) {
        if (!(referenceCounts[i] >= 0) || !(currentCounts[i] >= 0))
            return invalid;
        refTotal += referenceCounts[i];
        curTotal += currentCounts[i];
    }
    if (!(refTotal > 0) || !(curTotal > 0) || std::isinf(refTotal) || std::isinf(curTotal))
        return invalid;
    const double scale = curTotal / refTotal; // Evidently's k_norm
    double stat = 0.0;
    int used = 0;
    for (size_t i = 0; i < referenceCounts.size(); ++i) {
        if (referenceCounts[i] == 0 && currentCounts[i] == 0)
            continue;
        ++used;
        const double expected = referenceCounts[i] * scale;
        const double diff = currentCounts[i] - expected;
        stat += expected > 0 ? diff * diff / expected : kInf;
    }
    Chi2Result r;
    r.statistic = stat;
    r.degreesOfFreedom = used - 1;
    r.pValue = r.degreesOfFreedom > 0 ? chiSquareSurvival(stat, r.degreesOfFreedom) : 1.0;
    return r;
}

double proportionsZTestPValue(double referenceSuccesses, double referenceTotal,
                              double currentSuccesses, double currentTotal)
{
    const double s1 = referenceSuccesses, n1 = referenceTotal;
    const double s2 = currentSuccesses, n2 = currentTotal;
    if (!(n1 > 0) || !(n2 > 0) || !(s1 >= 0) || !(s2 >= 0) || s1 > n1 || s2 > n2 ||
        std::isinf(n1) || std::isinf(n2))
        return kNaN;
    const double p1 = s1 / n1, p2 = s2 / n2;
    const double pooled = (p1 * n1 + p2 * n2) / (n1 + n2);
    const double variance = pooled * (1 - pooled) * (1.0 / n1 + 1.0 / n2);
    if (!(variance > 0))
        return 1.0;
    const double z = (p1 - p2) / std::sqrt(variance);
    return 2.0 * normalSurvival(std::fabs(z));
}

double chiSquareSurvival(double x, double degreesOfFreedom)
{
    if (std::isnan(x) || std::isnan(degreesOfFreedom) || !(degreesOfFreedom > 0))
        return kNaN;
    if (x <= 0)
        return 1.0;
    return clip01(gammaQ(degreesOfFreedom / 2.0, x / 2.0));
}

double normalSurvival(double z)
{
    // scipy's ndtr(-z): erf near the centre, erfc in the tails.
    if (std::isnan(z))
        return kNaN;
    const double x = -z * 0.70710678118654752440;
    const double ax = std::fabs(x);
    if (ax < 0.70710678118654752440)
        return 0.5 + 0.5 * std::erf(x);
    const double y = 0.5 * std::erfc(ax);
    return x > 0 ? 1.0 - y : y;
}

double kolmogorovSurvival(double x)
{
    if (std::isnan(x))
        return kNaN;
    if (x <= 0)
        return 1.0;
    // Below this the series' first term underflows: P(K > x) is 1 to double precision.
    if (x <= kPi / std::sqrt(746.0 * 8))
        return 1.0;
    double sf;
    if (x <= 0.82) {
        // CDF = sqrt(2 pi) / x * sum_{k>=1} exp(-(2k-1)^2 pi^2 / (8 x^2)); three terms suffice.
        const double w = std::sqrt(2 * kPi) / x;
        const double logu8 = -kPi * kPi / (x * x);
        const double u = std::exp(logu8 / 8);
        double cdf;
        if (u == 0) {
            cdf = std::exp(logu8 / 8 + std::log(w));
        } else {
            const double u8 = std::exp(logu8);
            const double u8cub = std::pow(u8, 3);
            double p = 1.0;
            p = 1 + u8cub * p;
            p = 1 + u8 * u8 * p;
            p = 1 + u8 * p;
            cdf = w * u * p;
        }
        sf = 1 - cdf;
    } else {
        // sf = 2 (v - v^4 + v^9 - v^16 ...), v = exp(-2 x^2), nested to four terms.
        const double v = std::exp(-2 * x * x);
        const double vsq = v * v;
        const double v3 = std::pow(v, 3);
        double p = 1.0;
        p = 1 - v3 * v3 * v * p;
        p = 1 - v3 * vsq * p;
        p = 1 - v3 * p;
        sf = 2 * v * p;
    }
    return clip01(sf);
}

double smirnovSurvival(int64_t n, double d)
{
    if (std::isnan(d) || n < 1 || d < 0.0 || d > 1.0)
        return kNaN;
    if (n == 1)
        return 1.0 - d;
    if (d == 0.0)
        return 1.0;
    if (d == 1.0)
        return 0.0;
    const double dn = double(n);
    // floor(n d) and the remainder alpha exactly: n d = hi + lo with lo from an fma.
    const double hi = dn * d;
    const double lo = std::fma(dn, d, -hi);
    double fl = std::floor(hi);
    double alpha = (hi - fl) + lo;
    if (alpha < 0) {
        fl -= 1;
        alpha += 1;
    }
    if (alpha >= 1) {
        fl += 1;
        alpha -= 1;
    }
    const int64_t nxfl = int64_t(fl);

    if (nxfl == 0 || (nxfl == 1 && alpha == 0)) {
        // d <= 1/n: P(D+ <= d) = d (1 + d)^(n-1).
        return clip01(1.0 - d * std::pow(1.0 + d, double(n - 1)));
    }
    constexpr double minLog = -7.08396418532264106224E2; // cephes MINLOG
    if (-2 * dn * d * d < minLog)
        return 0.0;
    if (nxfl >= n - 1)
        return clip01(std::pow(1.0 - d, dn));
    if (n > 1000000) {
        // scipy's approximation for very large n.
        const double logp = -std::pow(6.0 * dn * d + 1, 2) / 18.0 / dn;
        return clip01(logp < -std::log(2.0) ? std::exp(logp) : 1.0 + std::expm1(logp));
    }

    // Birnbaum-Tingey: sf = d * sum_{v=0}^{V} T_v with
    // T_v = C(n,v) (d + v/n)^(v-1) (1 - d - v/n)^(n-v), all terms positive; V excludes a term
    // where 1 - d - v/n is exactly 0. For large n nearly all n terms count (about 460000 for
    // n = 500000), so each term comes from the previous one:
    // with a = n d + v and b = n - n d - v,
    // T_{v+1} / T_v = (n - v)(a + 1) / ((v + 1) b) * exp(E),
    // E = (v - 1) log1p(1 / a) + (n - v - 1) log1p(-1 / b), which is of order 1.
    // Long double carries the ratio and E; exp(E) is taken in double and corrected to first order
    // by the part of E that double dropped, so a step costs no long double library call. The
    // terms are kept scaled by exp(-shift) so that neither e^-19000 nor e^+19000 is a problem.
    int64_t last = n - nxfl - (alpha == 0 ? 0 : 1);
    if (alpha == 0)
        last -= 1;
    const long double ln = n;
    const long double nd = (long double)hi + (long double)lo; // n d
    long double shift = -std::log((long double)d) + ln * std::log1p(-(long double)d); // log T_0
    long double term = 1.0L, sum = 0.0L;
    constexpr long double rescaleAbove = 1e4000L, rescaleBy = 1e-4000L;
    const long double rescaleLog = std::log(rescaleAbove);
    const int64_t middle = n / 2;
    for (int64_t v = 0; v <= last; ++v) {
        sum += term;
        // Terms fall off fast past the peak; stop once the rest cannot show in a double.
        if (term != 0) {
            if (4.0L * (long double)(last - v + 1) * term <
                    (long double)std::numeric_limits<double>::epsilon() * 1e-3L * sum &&
                v != last)
                break;
        } else if (v > middle) {
            break;
        }
        if (v == last)
            break;
        const long double lv = v;
        const long double a = nd + lv;
        const long double b = (ln - lv) - nd;
        const long double ratio = ((ln - lv) * (a + 1)) / ((lv + 1) * b);
        const long double e = (lv - 1) * log1pSmall(1 / a) + (ln - lv - 1) * log1pSmall(-1 / b);
        const double eRounded = double(e);
        term *= ratio * ((long double)std::exp(eRounded) * (1.0L + (e - eRounded)));
        if (term > rescaleAbove) {
            term *= rescaleBy;
            sum *= rescaleBy;
            shift += rescaleLog;
        }
    }
    if (!(sum > 0))
        return 0.0;
    return clip01(double(std::exp(std::log((long double)d * sum) + shift)));

}

double ksOneSampleSurvival(double d, int64_t n)
{
    if (std::isnan(d) || n < 1)
        return kNaN;
    if (d >= 1.0)
        return 0.0;
    if (d <= 0.0)
        return 1.0;
    const double dn = double(n);
    const double t = dn * d;
    if (t <= 1.0) { // Ruben-Gambino: 1/(2n) <= d <= 1/n
        if (t <= 0.5)
            return 1.0;
        double cdf;
        if (n <= 140) {
            cdf = 1.0;
            for (int64_t i = 1; i <= n; ++i)
                cdf *= double(i) * (1.0 / dn) * (2 * t - 1);
        } else {
            cdf = std::exp(logFactorialOverPower(dn) + dn * std::log(2 * t - 1));
        }
        return clip01(1.0 - cdf);
    }
    if (t >= dn - 1) // Ruben-Gambino
        return clip01(2 * std::pow(1.0 - d, dn));
    if (d >= 0.5) // D+ and D- cannot both reach d: exactly twice the one-sided tail
        return clip01(2 * smirnovSurvival(n, d));

    const double nxsquared = t * d;
    if (n <= 140) {
        if (nxsquared <= 0.754693)
            return clip01(1.0 - kolmogorovCdfDurbin(n, d));
        if (nxsquared <= 4)
            return clip01(1.0 - kolmogorovCdfPomeranz(n, d));
        return clip01(2 * smirnovSurvival(n, d));
    }
    if (nxsquared >= 370.0)
        return 0.0;
    if (nxsquared >= 2.2)
        return clip01(2 * smirnovSurvival(n, d));
    double cdf;
    if (n <= 100000 && dn * std::pow(d, 1.5) <= 1.4)
        cdf = kolmogorovCdfDurbin(n, d);
    else
        cdf = kolmogorovCdfPelzGood(n, d);
    return clip01(1.0 - cdf);
}

} // namespace sightline::drift
