// SPDX-License-Identifier: GPL-3.0-or-later
// Turns MLflow 2.x REST answers into entities, following what a real server sends
// (../shared/fixtures/mlflow-2.17.2/QUIRKS.md): any field may be absent, empty lists are left
// out, NaN arrives as the string "NaN", dataset documents are JSON inside strings.
#pragma once

#include "mlflow/entities.h"
#include "util/result.h"

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace sightline::mlflow {

// Parses a whole body; one clear sentence (with the byte offset) when it is not JSON.
Result<nlohmann::json> parseBody(std::string_view body);

Experiment experimentFrom(const nlohmann::json &j);
Run runFrom(const nlohmann::json &j); // {"info": ..., "data": ..., "inputs": ...}
RegisteredModel registeredModelFrom(const nlohmann::json &j);
ModelVersion modelVersionFrom(const nlohmann::json &j);
Metric metricFrom(const nlohmann::json &j);
double metricValueFrom(const nlohmann::json &v);

// A runs/search answer ({"runs": [...], "next_page_token": ...}) read with simdjson: a page of a
// thousand runs in a fifth of the time the general reader takes. The runs are what runFrom
// makes of them. False, with nothing taken, for anything but the plain shape (not JSON, a
// number where text is expected, a string where a number is): read those with parseBody and
// runFrom, which also word the errors.
bool readRunsPage(std::string_view body, std::vector<Run> &runs, std::string &nextPageToken);

// How history bodies are read. Auto: a scanner for the shape MLflow writes (three to four times
// faster than a general parser), which hands anything else to simdjson. Generic: simdjson only.
// Scanner: the scanner only, an error where it gives up. Tests compare the three.
enum class HistoryParser { Auto, Generic, Scanner };

// metrics/get-history bodies (may be 100+ MB). Points come back sorted by step (stable, so equal
// steps keep the server's order).
Result<MetricSeries> parseHistory(std::string_view body,
                                  HistoryParser parser = HistoryParser::Auto);

// get-history-bulk-interval and ajax get-history-bulk: points tagged with run_id.
Result<std::vector<std::pair<std::string, MetricSeries>>>
parseBulkHistory(std::string_view body, HistoryParser parser = HistoryParser::Auto);

// A server error (JSON {"error_code","message"} or an HTML page) as one sentence.
std::string describeServerError(int status, std::string_view contentType, std::string_view body);

} // namespace sightline::mlflow
