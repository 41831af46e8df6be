#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The baseline of drift.report.1m: the statistics of a Sightline drift report computed the way a
notebook would, with pandas and scipy, on the same files and the same binning.

    drift_baseline.py REFERENCE.csv CURRENT.csv OUT.json [BINS]

Numeric columns: ks_2samp, wasserstein_distance (raw and divided by max(np.std(ref), 0.001) as
Evidently does), and PSI, Jensen-Shannon and Hellinger on the reference-quantile bins Sightline
uses (np.quantile at i / BINS, duplicates dropped, an underflow and an overflow bin). Categorical
columns: chisquare of the current counts against the reference proportions, L-infinity, PSI,
Jensen-Shannon, Hellinger, and the two-proportion z-test when there are two categories. Missing
values are dropped first. Writes {"seconds": s, "columns": {name: {statistic: value}}}, where s
runs from reading the files to the last statistic (imports excluded).
"""
import json
import sys
import time

import numpy as np
import pandas as pd
from scipy import stats
from scipy.spatial import distance

EMPTY_BIN = 0.0001  # Evidently's PSI convention


def psi(ref_fractions, cur_fractions):
    r = np.where(ref_fractions == 0, EMPTY_BIN, ref_fractions)
    c = np.where(cur_fractions == 0, EMPTY_BIN, cur_fractions)
    return float(np.sum((c - r) * np.log(c / r)))


def hellinger(p, q):
    p = p / p.sum()
    q = q / q.sum()
    return float(np.sqrt(min(max(np.sum((np.sqrt(p) - np.sqrt(q)) ** 2) / 2.0, 0.0), 1.0)))


def shared_bins(ref_counts, cur_counts):
    ref_counts = np.asarray(ref_counts, dtype=float)
    cur_counts = np.asarray(cur_counts, dtype=float)
    ref_fr = ref_counts / ref_counts.sum()
    cur_fr = cur_counts / cur_counts.sum()
    return {
        "psi": psi(ref_fr, cur_fr),
        "jensen_shannon": float(distance.jensenshannon(ref_counts, cur_counts)),
        "hellinger": hellinger(ref_counts, cur_counts),
    }


def numeric(ref, cur, bins):
    r = ref.replace([np.inf, -np.inf], np.nan).dropna().to_numpy(dtype=float)
    c = cur.replace([np.inf, -np.inf], np.nan).dropna().to_numpy(dtype=float)
    out = {}
    ks = stats.ks_2samp(r, c)
    out["ks_statistic"] = float(ks.statistic)
    out["ks_p_value"] = float(ks.pvalue)
    w = stats.wasserstein_distance(r, c)
    out["wasserstein"] = float(w)
    out["wasserstein_normed"] = float(w / max(np.std(r), 0.001))
    edges = np.unique(np.quantile(r, np.arange(bins + 1) / bins))
    if len(edges) == 1:
        inside_r = [np.sum(r == edges[0])]
        inside_c = [np.sum(c == edges[0])]
    else:
        inside_r = np.histogram(r, bins=edges)[0]
        inside_c = np.histogram(c, bins=edges)[0]
    ref_counts = np.concatenate([[np.sum(r < edges[0])], inside_r, [np.sum(r > edges[-1])]])
    cur_counts = np.concatenate([[np.sum(c < edges[0])], inside_c, [np.sum(c > edges[-1])]])
    out.update(shared_bins(ref_counts, cur_counts))
    return out


def categorical(ref, cur):
    rv = ref.dropna().astype(str).value_counts()
    cv = cur.dropna().astype(str).value_counts()
    keys = list(rv.index)
    ref_counts = np.array([rv.get(k, 0) for k in keys] + [0], dtype=float)
    unseen = float(cv[~cv.index.isin(keys)].sum())
    cur_counts = np.array([cv.get(k, 0) for k in keys] + [unseen], dtype=float)
    out = shared_bins(ref_counts, cur_counts)
    used = (ref_counts > 0) | (cur_counts > 0)
    f_exp = ref_counts[used] * (cur_counts.sum() / ref_counts.sum())
    chi = stats.chisquare(cur_counts[used], f_exp)
    out["chi2_statistic"] = float(chi.statistic)
    out["chi2_p_value"] = float(chi.pvalue)
    out["linf"] = float(np.max(np.abs(ref_counts / ref_counts.sum()
                                      - cur_counts / cur_counts.sum())))
    if int(used.sum()) == 2:
        # Evidently's two-proportion z-test, with the survival function for small p-values.
        n1, n2 = ref_counts.sum(), cur_counts.sum()
        p1, p2 = ref_counts[0] / n1, cur_counts[0] / n2
        pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
        z = (p1 - p2) / np.sqrt(pooled * (1 - pooled) * (1.0 / n1 + 1.0 / n2))
        out["ztest_p_value"] = float(2.0 * stats.norm.sf(abs(z)))
    return out


def main():
    ref_path, cur_path, out_path = sys.argv[1:4]
    bins = int(sys.argv[4]) if len(sys.argv) > 4 else 10
    started = time.perf_counter()
    ref = pd.read_csv(ref_path)
    cur = pd.read_csv(cur_path)
    columns = {}
    for name in ref.columns:
        if pd.api.types.is_numeric_dtype(ref[name]):
            columns[name] = numeric(ref[name], cur[name], bins)
        else:
            columns[name] = categorical(ref[name], cur[name])
    seconds = time.perf_counter() - started
    with open(out_path, "w") as f:
        json.dump({"seconds": seconds, "columns": columns}, f)


if __name__ == "__main__":
    main()
