// SPDX-License-Identifier: GPL-3.0-or-later
// One binning per column, fitted on the reference and shared by every score and every histogram
// of that column: reference-quantile bins for numbers (10 by default) with an underflow and an
// overflow bin beyond the reference range and a missing-values bin; for categories, one bin per
// reference category, an unseen-categories bin and a missing bin.
//
// Unlike Evidently (whose PSI and Jensen-Shannon bin numbers by np.histogram_bin_edges over the
// reference and the current data together), the edges come from the reference alone, so a
// profile saved for a reference does not depend on any current data set.
#pragma once

#include "drift/table.h"

#include <span>
#include <string>
#include <vector>

namespace sightline::drift {

struct Binning {
    ColumnType type = ColumnType::Numeric;
    // Numeric/Timestamp/Boolean: edges e_0 < e_1 < ... < e_k (k + 1 edges, k bins).
    // Bin layout: [underflow (< e_0)] [k bins: [e_i, e_{i+1}), last one closed] [overflow (> e_k)]
    //             [missing].
    // A single edge c (a constant reference) makes one bin holding exactly c: [< c] [c] [> c]
    // [missing]. No edge at all (a reference without a finite value) leaves [underflow]
    // [overflow] [missing], every non-missing value counting as overflow.
    std::vector<double> edges;
    // Categorical: reference categories in order; layout: [one per category] [unseen] [missing].
    std::vector<std::string> categories;

    size_t binCount() const;
    // For plots and reports: "< 1.5", "[1.5, 2.25)", ..., "[9, 12]", "> 12", "(missing)";
    // categories by their text, then "(unseen)", "(missing)". Numbers get the fewest significant
    // digits (at least 4) that keep neighbouring edges apart; timestamps are shown as UTC
    // ISO 8601 ("2024-03-01T12:00:00Z", with milliseconds when there are any).
    std::vector<std::string> labels() const;
};

// Quantile edges of the reference (duplicates collapsed, so a constant column gets one bin).
// k = max(bins, 1); edge i is the reference quantile at i / k for i = 0..k, by linear
// interpolation between order statistics (numpy.quantile's default method, "linear": position
// (n - 1) i / k), then sorted and made unique, so e_0 = min and e_k = max of the reference.
// NaN and infinite values are left out of the fit (an infinite value later counts in the
// underflow or overflow bin). The vector is sorted in place unless it already is. The result's
// type is Numeric; set it to the column's type (Timestamp: dates in labels()) as needed.
Binning fitNumericBinning(std::vector<double> referenceValues, int bins = 10);
// Categories of a categorical reference: the dictionary entries that occur, in dictionary
// order, each text once. For a column of another type, its distinct non-missing numbers in
// ascending order, as text (shortest round-trip form: 1 -> "1", 0.5 -> "0.5").
Binning fitCategoricalBinning(const Column &reference);

// Counts of a column in a binning (categorical columns are matched by category text, so the
// current file's own dictionary order does not matter). Numbers are counted in a categorical
// binning by their shortest round-trip text; a categorical column in a numeric binning by
// reading each category text as a number, text that is not a number counting as missing.
// The result has binning.binCount() entries.
std::vector<double> histogram(const Binning &binning, const Column &column);
// Numbers, NaN counting as missing. Sorted input without NaN is counted by binary search of the
// edges (O(k log n)); anything else by one pass (O(n log k)).
std::vector<double> histogram(const Binning &binning, std::span<const double> numbers);

} // namespace sightline::drift
