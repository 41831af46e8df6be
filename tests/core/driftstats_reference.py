#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Reference numbers for tst_driftstats, from scipy and from small numpy implementations.

Usage: driftstats_reference.py DIR

DIR/cases.json names the cases (written by the test); the samples are text files in DIR with one
value per line. Prints one JSON object on stdout; values that JSON cannot carry (NaN, +-inf) are
written as the strings "nan", "inf" and "-inf". Exits with status 3 when scipy is missing, so the
test can skip with a clear message.
"""
import json
import math
import os
import sys

try:
    import numpy as np
    import scipy
    from scipy import special, stats
    from scipy.spatial import distance
except ImportError as error:
    print(f"scipy/numpy not importable: {error}", file=sys.stderr)
    sys.exit(3)


def encode(value):
    """A float for JSON, non-finite values as strings."""
    value = float(value)
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return value


def load(directory, name):
    with open(os.path.join(directory, name), encoding="utf-8") as f:
        return np.array([float(line) for line in f if line.strip()], dtype=np.float64)


# Reference binning as documented in core/drift/binning.h, written with numpy: quantile edges of
# the reference at i/k (numpy's default linear method), duplicates collapsed; layout
# [underflow] [bins, last one closed] [overflow] [missing].
def fit_edges(reference, bins):
    finite = reference[np.isfinite(reference)]
    quantiles = np.array([i / bins for i in range(bins + 1)])
    return np.unique(np.quantile(finite, quantiles))


def histogram(edges, values):
    missing = np.isnan(values)
    x = values[~missing]
    interior = len(edges) - 1 if len(edges) >= 2 else len(edges)
    counts = np.zeros(interior + 3)
    counts[0] = np.sum(x < edges[0])
    counts[interior + 1] = np.sum(x > edges[-1])
    counts[interior + 2] = np.sum(missing)
    inside = x[(x >= edges[0]) & (x <= edges[-1])]
    if len(edges) == 1:
        counts[1] = len(inside)
    else:
        index = np.searchsorted(edges, inside, side="right") - 1
        index = np.minimum(index, interior - 1)
        for i in range(interior):
            counts[1 + i] = np.sum(index == i)
    return counts


def psi(reference_fractions, current_fractions, empty=0.0001):
    r = np.where(reference_fractions == 0, empty, reference_fractions)
    c = np.where(current_fractions == 0, empty, current_fractions)
    return float(np.sum((c - r) * np.log(c / r)))


def hellinger(p, q):
    # Evidently's sqrt(1 - sum(sqrt(p q))), written as sqrt(sum((sqrt p - sqrt q)^2) / 2): equal
    # for normalised p and q, without the cancellation near 0.
    p = p / np.sum(p)
    q = q / np.sum(q)
    return math.sqrt(float(np.clip(np.sum((np.sqrt(p) - np.sqrt(q)) ** 2) / 2, 0, 1)))


def linf(p, q):
    return float(np.max(np.abs(p / np.sum(p) - q / np.sum(q))))


def chisquare(reference_counts, current_counts):
    used = (reference_counts > 0) | (current_counts > 0)
    ref = reference_counts[used]
    cur = current_counts[used]
    expected = ref * (cur.sum() / ref.sum())
    with np.errstate(divide="ignore", invalid="ignore"):
        result = stats.chisquare(cur, expected)
    return float(result.statistic), float(result.pvalue), int(used.sum()) - 1


def frequency_scores(p, q):
    with np.errstate(divide="ignore", invalid="ignore"):
        stat, pvalue, dof = chisquare(p, q)
        total_p, total_q = p.sum(), q.sum()
        return {
            "psi": encode(psi(p / total_p, q / total_q)),
            "js": encode(distance.jensenshannon(p, q)),
            "js2": encode(distance.jensenshannon(p, q, base=2)),
            "hellinger": encode(hellinger(p, q)),
            "linf": encode(linf(p, q)),
            "chi2_statistic": encode(stat),
            "chi2_pvalue": encode(pvalue),
            "chi2_dof": dof,
        }


def two_sample(directory, case):
    ref = load(directory, case["ref"])
    cur = load(directory, case["cur"])
    ks = stats.ks_2samp(ref, cur)  # method='auto', two-sided
    out = {
        "n_ref": len(ref),
        "n_cur": len(cur),
        "ks_statistic": encode(ks.statistic),
        "ks_pvalue": encode(ks.pvalue),
        "wasserstein": encode(stats.wasserstein_distance(ref, cur)),
    }
    bins = case.get("bins", 0)
    if bins > 0:
        edges = fit_edges(ref, bins)
        ref_hist = histogram(edges, ref)
        cur_hist = histogram(edges, cur)
        out["edges"] = [encode(e) for e in edges]
        out["ref_hist"] = [encode(c) for c in ref_hist]
        out["cur_hist"] = [encode(c) for c in cur_hist]
        out["binned"] = frequency_scores(ref_hist, cur_hist)
    return out


def ztest(s1, n1, s2, n2):
    # Evidently's proportions_diff_z_stat_ind; its p-value, 2 * (1 - cdf), loses the small tail
    # that 2 * sf keeps.
    p1, p2 = s1 / n1, s2 / n2
    pooled = float(p1 * n1 + p2 * n2) / (n1 + n2)
    z = (p1 - p2) / np.sqrt(pooled * (1 - pooled) * (1.0 / n1 + 1.0 / n2))
    return {"p": encode(2 * stats.norm.sf(abs(z))),
            "evidently_p": encode(2 * (1 - stats.norm.cdf(abs(z))))}


def main():
    directory = sys.argv[1]
    with open(os.path.join(directory, "cases.json"), encoding="utf-8") as f:
        cases = json.load(f)
    result = {"scipy_version": scipy.__version__, "numpy_version": np.__version__}
    result["two_sample"] = {
        c["name"]: two_sample(directory, c) for c in cases.get("two_sample", [])
    }
    result["frequencies"] = {
        c["name"]: frequency_scores(np.array(c["p"], dtype=float), np.array(c["q"], dtype=float))
        for c in cases.get("frequencies", [])
    }
    special_cases = cases.get("special", {})
    result["special"] = {
        "kstwo": [encode(stats.kstwo.sf(d, n)) for d, n in special_cases.get("kstwo", [])],
        "smirnov": [encode(special.smirnov(n, d)) for n, d in special_cases.get("smirnov", [])],
        "kolmogorov": [encode(special.kolmogorov(x)) for x in special_cases.get("kolmogorov", [])],
        "chi2": [encode(stats.chi2.sf(x, k)) for x, k in special_cases.get("chi2", [])],
        "norm": [encode(stats.norm.sf(z)) for z in special_cases.get("norm", [])],
    }
    result["ztest"] = [ztest(*c) for c in cases.get("ztest", [])]
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
