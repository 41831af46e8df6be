// SPDX-License-Identifier: GPL-3.0-or-later
// A drift report as JSON (the shape other tools read), as a text table for terminals, and as CSV
// for spreadsheets.
#pragma once

#include "drift/report.h"

#include <nlohmann/json.hpp>

#include <string>

namespace sightline::drift {

// {"dataset_drift", "drift_share", "drift_share_threshold", "number_of_columns",
//  "number_of_drifted_columns", "reference_rows", "current_rows", "bins", "js_log_base",
//  "columns": [{"name", "type", "method", "score", "threshold", "drifted", "statistics": {...},
//               "histogram": {"bins", "reference", "current"}, "reference_rows", "current_rows",
//               "reference_missing", "current_missing"}],
//  "windows": [{"window", "start", "end", "rows", "dataset_drift", "drift_share", "columns"}],
//  "segments": [{"segment", "rows", "reference_rows", "dataset_drift", "drift_share",
//                "columns"}]}
// Statistics that do not apply to a column are left out; a score that cannot be computed (no
// values on one side) is null. Window and segment columns carry no histograms.
nlohmann::ordered_json toJsonValue(const DriftReport &report);
std::string toJson(const DriftReport &report);

// A summary line, one line per column, then windows and segments with their drifted columns.
// With every statistic computed, a block of statistics per column follows the columns.
std::string toTable(const DriftReport &report);

// One row per column and scope: scope (dataset, window, segment), group (the window or segment
// label), column, type, method, score, threshold, drifted, every statistic, rows and missing
// counts. Each scope starts with a summary row whose column is empty: its score is the drift
// share, its threshold the share at which the dataset drifts.
std::string toCsv(const DriftReport &report);

} // namespace sightline::drift
