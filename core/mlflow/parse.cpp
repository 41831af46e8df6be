// SPDX-License-Identifier: GPL-3.0-or-later
#include "mlflow/parse.h"

#include <nlohmann/json.hpp>
#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <optional>
#include <regex>

namespace sightline::mlflow {

using nlohmann::json;

namespace {

std::string str(const json &j, const char *key)
{
    auto it = j.find(key);
    if (it == j.end() || it->is_null())
        return {};
    if (it->is_string())
        return it->get<std::string>();
    return it->dump();
}

int64_t i64(const json &j, const char *key)
{
    auto it = j.find(key);
    if (it == j.end())
        return 0;
    if (it->is_number_integer())
        return it->get<int64_t>();
    if (it->is_number_float())
        return static_cast<int64_t>(it->get<double>());
    if (it->is_string()) {
        try {
            return std::stoll(it->get<std::string>());
        } catch (...) {
            return 0;
        }
    }
    return 0;
}

const json &arr(const json &j, const char *key)
{
    static const json empty = json::array();
    auto it = j.find(key);
    return it != j.end() && it->is_array() ? *it : empty;
}

const json &obj(const json &j, const char *key)
{
    static const json empty = json::object();
    auto it = j.find(key);
    return it != j.end() && it->is_object() ? *it : empty;
}

std::vector<KeyValue> keyValues(const json &list)
{
    std::vector<KeyValue> out;
    for (const auto &e : list)
        if (e.is_object())
            out.push_back({str(e, "key"), str(e, "value")});
    return out;
}

double specialValue(std::string_view s)
{
    if (s == "NaN" || s == "nan")
        return std::numeric_limits<double>::quiet_NaN();
    if (s == "Infinity" || s == "inf")
        return std::numeric_limits<double>::infinity();
    if (s == "-Infinity" || s == "-inf")
        return -std::numeric_limits<double>::infinity();
    try {
        return std::stod(std::string(s));
    } catch (...) {
        return std::numeric_limits<double>::quiet_NaN();
    }
}

void sortByStep(MetricSeries &s)
{
    if (std::is_sorted(s.steps.begin(), s.steps.end()))
        return;
    std::vector<size_t> order(s.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return s.steps[a] < s.steps[b]; });
    MetricSeries sorted;
    sorted.reserve(s.size());
    for (size_t i : order)
        sorted.append(s.steps[i], s.timestamps[i], s.values[i]);
    s = std::move(sorted);
}

std::string htmlTitle(std::string_view body)
{
    std::string text(body.substr(0, 4096));
    std::smatch m;
    static const std::regex title("<title>([^<]*)</title>", std::regex::icase);
    static const std::regex h1("<h1>([^<]*)</h1>", std::regex::icase);
    if (std::regex_search(text, m, title) || std::regex_search(text, m, h1))
        return m[1].str();
    return {};
}

} // namespace

Result<json> parseBody(std::string_view body)
{
    try {
        return json::parse(body.begin(), body.end());
    } catch (const json::parse_error &e) {
        if (!body.empty() && body.front() == '<')
            return makeError("parse", "The server answered with an HTML page where JSON was "
                                      "expected: is this the address of an MLflow tracking server?");
        return makeError("parse", "The server's answer is not valid JSON (damaged or cut off at "
                                  "byte " + std::to_string(e.byte) + " of "
                                      + std::to_string(body.size()) + ").");
    }
}

double metricValueFrom(const json &v)
{
    if (v.is_number())
        return v.get<double>();
    if (v.is_string())
        return specialValue(v.get<std::string>());
    return std::numeric_limits<double>::quiet_NaN();
}

Metric metricFrom(const json &j)
{
    Metric m;
    m.key = str(j, "key");
    auto it = j.find("value");
    m.value = it == j.end() ? std::numeric_limits<double>::quiet_NaN() : metricValueFrom(*it);
    m.timestamp = i64(j, "timestamp");
    m.step = i64(j, "step");
    return m;
}

Experiment experimentFrom(const json &j)
{
    Experiment e;
    e.experimentId = str(j, "experiment_id");
    e.name = str(j, "name");
    e.artifactLocation = str(j, "artifact_location");
    e.lifecycleStage = str(j, "lifecycle_stage");
    e.creationTime = i64(j, "creation_time");
    e.lastUpdateTime = i64(j, "last_update_time");
    e.tags = keyValues(arr(j, "tags"));
    return e;
}

Run runFrom(const json &j)
{
    Run r;
    const json &info = obj(j, "info");
    r.runId = str(info, "run_id");
    if (r.runId.empty())
        r.runId = str(info, "run_uuid");
    r.experimentId = str(info, "experiment_id");
    r.runName = str(info, "run_name");
    r.userId = str(info, "user_id");
    r.status = str(info, "status");
    r.lifecycleStage = str(info, "lifecycle_stage");
    r.artifactUri = str(info, "artifact_uri");
    r.startTime = i64(info, "start_time");
    r.endTime = i64(info, "end_time");
    const json &data = obj(j, "data");
    for (const auto &m : arr(data, "metrics"))
        if (m.is_object())
            r.metrics.push_back(metricFrom(m));
    r.params = keyValues(arr(data, "params"));
    r.tags = keyValues(arr(data, "tags"));
    if (r.runName.empty())
        if (const std::string *n = r.tag("mlflow.runName"))
            r.runName = *n;
    for (const auto &in : arr(obj(j, "inputs"), "dataset_inputs")) {
        const json &d = obj(in, "dataset");
        DatasetInput di;
        di.name = str(d, "name");
        di.digest = str(d, "digest");
        di.sourceType = str(d, "source_type");
        di.source = str(d, "source");
        di.schema = str(d, "schema");
        di.profile = str(d, "profile");
        di.tags = keyValues(arr(in, "tags"));
        for (const auto &t : di.tags)
            if (t.key == "mlflow.data.context")
                di.context = t.value;
        r.inputs.push_back(std::move(di));
    }
    return r;
}

ModelVersion modelVersionFrom(const json &j)
{
    ModelVersion v;
    v.name = str(j, "name");
    v.version = str(j, "version");
    v.creationTimestamp = i64(j, "creation_timestamp");
    v.lastUpdatedTimestamp = i64(j, "last_updated_timestamp");
    v.currentStage = str(j, "current_stage");
    v.description = str(j, "description");
    v.source = str(j, "source");
    v.runId = str(j, "run_id");
    v.status = str(j, "status");
    v.tags = keyValues(arr(j, "tags"));
    for (const auto &a : arr(j, "aliases"))
        if (a.is_string())
            v.aliases.push_back(a.get<std::string>());
    return v;
}

RegisteredModel registeredModelFrom(const json &j)
{
    RegisteredModel m;
    m.name = str(j, "name");
    m.description = str(j, "description");
    m.creationTimestamp = i64(j, "creation_timestamp");
    m.lastUpdatedTimestamp = i64(j, "last_updated_timestamp");
    m.tags = keyValues(arr(j, "tags"));
    for (const auto &a : arr(j, "aliases"))
        if (a.is_object())
            m.aliases.push_back({str(a, "alias"), str(a, "version")});
    for (const auto &v : arr(j, "latest_versions"))
        if (v.is_object())
            m.latestVersions.push_back(modelVersionFrom(v));
    return m;
}

namespace {

// simdjson's DOM API picks the best kernel for the CPU at run time (its on-demand API would be
// fixed to the compile-time target, which for a portable build is the slow fallback).
struct Point {
    int64_t step = 0;
    int64_t timestamp = 0;
    double value = std::numeric_limits<double>::quiet_NaN();
    std::string_view runId;
};

simdjson::error_code readPoint(simdjson::dom::element element, Point &p)
{
    simdjson::dom::object object;
    if (auto e = element.get_object().get(object); e)
        return e;
    p = Point{};
    for (auto [name, v] : object) {
        if (name == "value") {
            if (v.is_string())
                p.value = specialValue(std::string_view(v.get_string().value_unsafe()));
            else if (auto e = v.get_double().get(p.value); e)
                return e;
        } else if (name == "step") {
            if (v.is_int64())
                p.step = v.get_int64().value_unsafe();
            else if (v.is_uint64())
                p.step = static_cast<int64_t>(v.get_uint64().value_unsafe());
            else if (v.is_double())
                p.step = static_cast<int64_t>(v.get_double().value_unsafe());
        } else if (name == "timestamp") {
            if (v.is_int64())
                p.timestamp = v.get_int64().value_unsafe();
            else if (v.is_uint64())
                p.timestamp = static_cast<int64_t>(v.get_uint64().value_unsafe());
            else if (v.is_double())
                p.timestamp = static_cast<int64_t>(v.get_double().value_unsafe());
        } else if (name == "run_id") {
            if (auto e = v.get_string().get(p.runId); e)
                return e;
        }
    }
    return simdjson::SUCCESS;
}

Error historyError(std::string_view body, simdjson::error_code e)
{
    if (!body.empty() && body.front() == '<')
        return makeError("parse", "The server answered with an HTML page where a metric history "
                                  "was expected.");
    return makeError("parse", std::string("The server sent a metric history that is not valid "
                                          "JSON (damaged or cut off): ")
                                  + simdjson::error_message(e) + ".");
}

// Parses {"metrics": [...]} and hands each point to `fn`.
template<typename Fn>
std::optional<Error> forEachPoint(std::string_view body, Fn &&fn)
{
    thread_local simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (auto e = parser.parse(body.data(), body.size()).get(root); e)
        return historyError(body, e);
    simdjson::dom::object object;
    if (auto e = root.get_object().get(object); e)
        return historyError(body, e);
    simdjson::dom::element metrics;
    if (object["metrics"].get(metrics) != simdjson::SUCCESS)
        return std::nullopt; // {} is an empty history
    simdjson::dom::array points;
    if (auto e = metrics.get_array().get(points); e)
        return historyError(body, e);
    Point p;
    for (auto element : points) {
        if (auto e = readPoint(element, p); e)
            return historyError(body, e);
        fn(p);
    }
    return std::nullopt;
}

} // namespace

Result<MetricSeries> parseHistory(std::string_view body)
{
    MetricSeries series;
    // Rough pre-size from the body length (about 80 bytes per pretty-printed point).
    series.reserve(body.size() / 80 + 1);
    if (auto e = forEachPoint(body, [&](const Point &p) {
            series.append(p.step, p.timestamp, p.value);
        }))
        return *e;
    sortByStep(series);
    return series;
}

Result<std::vector<std::pair<std::string, MetricSeries>>> parseBulkHistory(std::string_view body)
{
    std::vector<std::pair<std::string, MetricSeries>> out;
    std::map<std::string, size_t, std::less<>> index;
    MetricSeries *current = nullptr; // points of one run arrive together: skip the lookup
    std::string_view currentId;
    if (auto e = forEachPoint(body, [&](const Point &p) {
            if (!current || p.runId != currentId) {
                auto it = index.find(p.runId);
                if (it == index.end()) {
                    it = index.emplace(std::string(p.runId), out.size()).first;
                    out.emplace_back(std::string(p.runId), MetricSeries{});
                }
                current = &out[it->second].second;
                currentId = it->first;
            }
            current->append(p.step, p.timestamp, p.value);
        }))
        return *e;
    for (auto &[id, s] : out)
        sortByStep(s);
    return out;
}

namespace {

// Server messages can carry whole SQL statements and tracebacks: keep the first line's worth.
std::string oneLine(std::string text, size_t limit = 240)
{
    std::string out;
    bool space = false;
    for (char c : text) {
        if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
            space = !out.empty();
            continue;
        }
        if (space)
            out += ' ';
        space = false;
        out += c;
    }
    if (out.size() > limit) {
        size_t cut = limit;
        while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80)
            --cut;
        out = out.substr(0, cut) + "…";
    }
    return out;
}

} // namespace

std::string describeServerError(int status, std::string_view contentType, std::string_view body)
{
    const bool html = contentType.find("html") != std::string_view::npos
        || (!body.empty() && body.front() == '<');
    if (!html) {
        auto j = json::parse(body.begin(), body.end(), nullptr, false);
        if (j.is_object() && (j.contains("message") || j.contains("error_code"))) {
            std::string code = str(j, "error_code");
            std::string msg = oneLine(str(j, "message"));
            std::string out = "The server refused the request";
            if (!code.empty())
                out += " (" + code + ", HTTP " + std::to_string(status) + ")";
            else
                out += " (HTTP " + std::to_string(status) + ")";
            if (!msg.empty())
                out += ": " + msg;
            if (out.back() != '.')
                out += '.';
            return out;
        }
    }
    std::string what = html ? oneLine(htmlTitle(body), 120) : std::string();
    std::string out = "The server answered HTTP " + std::to_string(status);
    if (!what.empty())
        out += " (" + what + ")";
    if (status == 404 || status == 405)
        out += html ? " with an HTML page: the address may not be an MLflow tracking server, or "
                      "the server is too old for this request."
                    : ".";
    else if (status >= 500)
        out += ": the server failed while handling the request.";
    else
        out += ".";
    return out;
}

} // namespace sightline::mlflow
