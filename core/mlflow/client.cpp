// SPDX-License-Identifier: GPL-3.0-or-later
#include "mlflow/client.h"

#include "mlflow/parse.h"
#include "net/url.h"

#include <cstdlib>
#include <iterator>

namespace sightline {

using nlohmann::json;

namespace {

const char *viewName(ViewType v)
{
    switch (v) {
    case ViewType::ActiveOnly:
        return "ACTIVE_ONLY";
    case ViewType::DeletedOnly:
        return "DELETED_ONLY";
    case ViewType::All:
        return "ALL";
    }
    return "ALL";
}

std::string env(const char *name)
{
    const char *v = std::getenv(name);
    return v ? std::string(v) : std::string();
}

bool truthy(const std::string &v)
{
    return v == "1" || v == "true" || v == "True" || v == "TRUE" || v == "yes";
}

std::string q(const std::string &key, const std::string &value)
{
    return key + "=" + urlEncode(value);
}

} // namespace

void MlflowConnection::applyEnvironment()
{
    if (auto uri = env("MLFLOW_TRACKING_URI"); !uri.empty() && baseUrl.empty())
        baseUrl = uri;
    if (auto token = env("MLFLOW_TRACKING_TOKEN"); !token.empty()) {
        auth.kind = HttpAuth::Kind::Bearer;
        auth.token = token;
    } else if (auto user = env("MLFLOW_TRACKING_USERNAME"); !user.empty()) {
        auth.kind = HttpAuth::Kind::Basic;
        auth.username = user;
        auth.password = env("MLFLOW_TRACKING_PASSWORD");
    }
    if (truthy(env("MLFLOW_TRACKING_INSECURE_TLS")))
        insecureTls = true;
    if (auto ca = env("MLFLOW_TRACKING_SERVER_CERT_PATH"); !ca.empty())
        caBundlePath = ca;
}

MlflowConnection MlflowConnection::fromEnvironment()
{
    MlflowConnection c;
    c.name = "default";
    c.applyEnvironment();
    return c;
}

MlflowClient::MlflowClient(MlflowConnection connection, HttpOptions options)
    : m_connection(std::move(connection))
{
    while (!m_connection.baseUrl.empty() && m_connection.baseUrl.back() == '/')
        m_connection.baseUrl.pop_back();
    options.auth = m_connection.auth;
    if (m_connection.insecureTls)
        options.verifyTls = false;
    if (!m_connection.caBundlePath.empty())
        options.caBundlePath = m_connection.caBundlePath;
    m_reader = std::make_unique<TaskQueue>();
    m_http = std::make_unique<HttpClient>(options, m_buffers);
}

MlflowClient::~MlflowClient()
{
    // Callbacks of cancelled transfers still run, and they use this client: before any member
    // goes. They may post to the reader, which runs what it holds before it stops.
    m_http.reset();
    m_reader.reset();
}

uint64_t MlflowClient::requestCount() const
{
    return m_requests.load();
}

int64_t MlflowClient::takeRetryAfterMs()
{
    return m_retryAfterMs.exchange(-1);
}

void MlflowClient::noteRefusal(const HttpResponse &r)
{
    if ((r.status != 429 && r.status != 503) || r.retryAfterMs < 0)
        return;
    int64_t seen = m_retryAfterMs.load();
    while (seen < r.retryAfterMs && !m_retryAfterMs.compare_exchange_weak(seen, r.retryAfterMs)) {
    }
}

std::optional<Error> responseError(const HttpResponse &r, const std::string &what)
{
    if (r.cancelled)
        return makeError("cancelled", "Cancelled.");
    if (!r.error.empty())
        return makeError("network", r.error);
    if (r.status < 200 || r.status >= 300) {
        Error e = makeError(r.status == 404 ? "not_found" : "http",
                            mlflow::describeServerError(r.status, r.contentType, r.body), r.status);
        if (!what.empty())
            e.message = what + ": " + e.message;
        return e;
    }
    return std::nullopt;
}

HttpRequest MlflowClient::makeRequest(const std::string &method, const std::string &path,
                                      const std::string &query, const std::string &body) const
{
    HttpRequest req;
    req.method = method;
    req.url = m_connection.baseUrl + path + (query.empty() ? "" : "?" + query);
    req.body = body;
    return req;
}

Result<HttpResponse> MlflowClient::send(const std::string &method, const std::string &path,
                                        const std::string &query, const std::string &body)
{
    if (m_connection.baseUrl.empty())
        return makeError("invalid", "No server address is set (use --server or "
                                    "MLFLOW_TRACKING_URI).");
    ++m_requests;
    HttpResponse r = m_http->perform(makeRequest(method, path, query, body));
    noteRefusal(r);
    return r;
}

Result<json> MlflowClient::call(const std::string &method, const std::string &path,
                                const std::string &query, const std::string &body)
{
    auto r = send(method, path, query, body);
    if (!r)
        return r.error();
    return jsonOf(*r);
}

std::optional<Error> MlflowClient::notJson(const HttpResponse &r) const
{
    if (auto e = responseError(r, {}))
        return e;
    if (r.contentType.find("html") != std::string::npos)
        return makeError("parse", "The server answered with an HTML page where JSON was "
                                  "expected: is " + redactUrl(m_connection.baseUrl)
                                      + " an MLflow tracking server?");
    return std::nullopt;
}

Result<json> MlflowClient::jsonOf(const HttpResponse &r) const
{
    if (auto e = notJson(r))
        return *e;
    auto j = mlflow::parseBody(r.body);
    if (!j)
        return j.error();
    if (!j->is_object())
        return makeError("parse", "The server's answer is JSON but not an object.");
    return j;
}

Result<std::string> MlflowClient::checkHealth()
{
    ++m_requests;
    HttpResponse r = m_http->perform(makeRequest("GET", "/health", {}, {}));
    if (auto e = responseError(r, "Health check"))
        return *e;
    ++m_requests;
    HttpResponse v = m_http->perform(makeRequest("GET", "/version", {}, {}));
    std::string version = v.status == 200 && v.body.size() < 64 ? v.body : std::string();
    // A server that answers JSON to /api calls is what matters: try a tiny search.
    auto probe = call("GET", "/api/2.0/mlflow/experiments/search", "max_results=1");
    if (!probe)
        return probe.error();
    return version.empty() ? std::string("MLflow") : "MLflow " + version;
}

Result<std::vector<Experiment>> MlflowClient::searchExperiments(ViewType view)
{
    std::vector<Experiment> out;
    std::string token;
    for (int guard = 0; guard < 100000; ++guard) {
        json body = {{"max_results", 1000}, {"view_type", viewName(view)}};
        if (!token.empty())
            body["page_token"] = token;
        auto j = call("POST", "/api/2.0/mlflow/experiments/search", {}, body.dump());
        if (!j)
            return j.error();
        if (auto it = j->find("experiments"); it != j->end() && it->is_array())
            for (const auto &e : *it)
                out.push_back(mlflow::experimentFrom(e));
        auto t = j->find("next_page_token");
        if (t == j->end() || !t->is_string() || t->get<std::string>().empty())
            return out;
        token = t->get<std::string>();
    }
    return makeError("parse", "The server kept sending page tokens for experiments.");
}

Result<Experiment> MlflowClient::getExperiment(const std::string &experimentId)
{
    auto j = call("GET", "/api/2.0/mlflow/experiments/get", q("experiment_id", experimentId));
    if (!j)
        return j.error();
    return mlflow::experimentFrom(j->value("experiment", json::object()));
}

Result<Experiment> MlflowClient::getExperimentByName(const std::string &name)
{
    auto j = call("GET", "/api/2.0/mlflow/experiments/get-by-name", q("experiment_name", name));
    if (!j)
        return j.error();
    return mlflow::experimentFrom(j->value("experiment", json::object()));
}

Result<RunsPage> MlflowClient::searchRunsPage(const std::vector<std::string> &experimentIds,
                                              const std::string &filter, ViewType view,
                                              int maxResults, const std::string &pageToken,
                                              const std::vector<std::string> &orderBy)
{
    json body = {{"experiment_ids", experimentIds},
                 {"max_results", maxResults},
                 {"run_view_type", viewName(view)}};
    if (!filter.empty())
        body["filter"] = filter;
    if (!orderBy.empty())
        body["order_by"] = orderBy;
    if (!pageToken.empty())
        body["page_token"] = pageToken;
    auto r = send("POST", "/api/2.0/mlflow/runs/search", {},
                  body.dump(-1, ' ', false, json::error_handler_t::replace));
    if (!r)
        return r.error();
    RunsPage page;
    if (!notJson(*r) && mlflow::readRunsPage(r->body, page.runs, page.nextPageToken))
        return page;
    // Anything but the plain shape, and every error, through the general reader.
    auto j = jsonOf(*r);
    if (!j)
        return j.error();
    if (auto it = j->find("runs"); it != j->end() && it->is_array()) {
        page.runs.reserve(it->size());
        for (const auto &run : *it)
            page.runs.push_back(mlflow::runFrom(run));
    }
    if (auto t = j->find("next_page_token"); t != j->end() && t->is_string())
        page.nextPageToken = t->get<std::string>();
    return page;
}

Result<std::vector<Run>> MlflowClient::searchRuns(const std::vector<std::string> &experimentIds,
                                                  const std::string &filter, ViewType view,
                                                  int pageSize)
{
    std::vector<Run> out;
    auto all = forEachRunsPage(experimentIds, filter, view, pageSize, pageSize,
                               [&](std::vector<Run> runs, bool) {
                                   if (out.empty())
                                       out = std::move(runs);
                                   else
                                       std::move(runs.begin(), runs.end(), std::back_inserter(out));
                               });
    if (!all)
        return all.error();
    return out;
}

Result<void> MlflowClient::forEachRunsPage(const std::vector<std::string> &experimentIds,
                                           const std::string &filter, ViewType view,
                                           int firstPageSize, int pageSize,
                                           const RunsPageCallback &take)
{
    std::string token;
    // The server's default order (start_time DESC, then run id) is stable across pages.
    for (int guard = 0; guard < 1000000; ++guard) {
        auto page = searchRunsPage(experimentIds, filter, view, guard ? pageSize : firstPageSize,
                                   token);
        if (!page)
            return page.error();
        // A full page always carries a token, even when nothing follows: the next page is {}.
        const bool last = page->nextPageToken.empty();
        take(std::move(page->runs), last);
        if (last)
            return {};
        token = page->nextPageToken;
    }
    return makeError("parse", "The server kept sending page tokens for runs.");
}

Result<Run> MlflowClient::getRun(const std::string &runId)
{
    auto j = call("GET", "/api/2.0/mlflow/runs/get", q("run_id", runId));
    if (!j)
        return j.error();
    return mlflow::runFrom(j->value("run", json::object()));
}

uint64_t MlflowClient::getRunAsync(const std::string &runId, RunCallback callback)
{
    ++m_requests;
    return m_http->send(makeRequest("GET", "/api/2.0/mlflow/runs/get", q("run_id", runId), {}),
                        [this, callback = std::move(callback)](HttpResponse r) {
                            noteRefusal(r);
                            auto j = jsonOf(r);
                            if (!j) {
                                callback(j.error());
                                return;
                            }
                            callback(mlflow::runFrom(j->value("run", json::object())));
                        });
}

Result<MetricSeries> MlflowClient::getHistory(const std::string &runId, const std::string &key)
{
    ++m_requests;
    HttpResponse r = m_http->perform(makeRequest(
        "GET", "/api/2.0/mlflow/metrics/get-history",
        q("run_id", runId) + "&" + q("metric_key", key), {}));
    noteRefusal(r);
    if (auto e = responseError(r, "Metric history of " + key))
        return *e;
    return mlflow::parseHistory(r.body);
}

uint64_t MlflowClient::getHistoryAsync(const std::string &runId, const std::string &key,
                                       HistoryCallback callback)
{
    ++m_requests;
    return m_http->send(
        makeRequest("GET", "/api/2.0/mlflow/metrics/get-history",
                    q("run_id", runId) + "&" + q("metric_key", key), {}),
        [this, callback = std::move(callback), key](HttpResponse r) mutable {
            noteRefusal(r);
            if (auto e = responseError(r, "Metric history of " + key)) {
                callback(*e);
                return;
            }
            m_reader->post([callback = std::move(callback), body = std::move(r.body),
                            buffers = m_buffers]() mutable {
                auto parsed = mlflow::parseHistory(body);
                buffers->give(std::move(body));
                callback(std::move(parsed));
            });
        });
}

uint64_t MlflowClient::getHistoryBulkAsync(const std::vector<std::string> &runIds,
                                           const std::string &key, BulkCallback callback)
{
    std::string query;
    for (const auto &id : runIds)
        query += q("run_id", id) + "&";
    query += q("metric_key", key) + "&max_results=" + std::to_string(kBulkHistoryMaxPoints);
    ++m_requests;
    return m_http->send(
        makeRequest("GET", "/ajax-api/2.0/mlflow/metrics/get-history-bulk", query, {}),
        [this, callback = std::move(callback), key](HttpResponse r) mutable {
            noteRefusal(r);
            if (auto e = responseError(r, "Metric histories of " + key)) {
                callback(*e);
                return;
            }
            if (r.contentType.find("html") != std::string::npos) {
                callback(makeError("parse", "The server answered the bulk history request with "
                                            "an HTML page."));
                return;
            }
            m_reader->post([callback = std::move(callback), body = std::move(r.body),
                            buffers = m_buffers]() mutable {
                auto parsed = mlflow::parseBulkHistory(body);
                buffers->give(std::move(body));
                if (!parsed) {
                    callback(parsed.error());
                    return;
                }
                BulkHistories out;
                for (const auto &[id, s] : *parsed)
                    out.points += s.size();
                out.series = std::move(*parsed);
                callback(std::move(out));
            });
        });
}

Result<std::map<std::string, MetricSeries>> MlflowClient::getHistoryBulkInterval(
    const std::vector<std::string> &runIds, const std::string &key, int maxResults,
    std::optional<int64_t> startStep, std::optional<int64_t> endStep)
{
    std::string query;
    for (const auto &id : runIds)
        query += q("run_ids", id) + "&";
    query += q("metric_key", key) + "&max_results=" + std::to_string(maxResults);
    if (startStep)
        query += "&start_step=" + std::to_string(*startStep);
    if (endStep)
        query += "&end_step=" + std::to_string(*endStep);
    ++m_requests;
    HttpResponse r = m_http->perform(
        makeRequest("GET", "/api/2.0/mlflow/metrics/get-history-bulk-interval", query, {}));
    noteRefusal(r);
    if (auto e = responseError(r, "Sampled history of " + key))
        return *e;
    auto parsed = mlflow::parseBulkHistory(r.body);
    if (!parsed)
        return parsed.error();
    std::map<std::string, MetricSeries> out;
    for (auto &[id, s] : *parsed)
        out[id] = std::move(s);
    return out;
}

Result<std::vector<RegisteredModel>> MlflowClient::searchRegisteredModels(const std::string &filter)
{
    std::vector<RegisteredModel> out;
    std::string token;
    for (int guard = 0; guard < 100000; ++guard) {
        std::string query = "max_results=1000";
        if (!filter.empty())
            query += "&" + q("filter", filter);
        if (!token.empty())
            query += "&" + q("page_token", token);
        auto j = call("GET", "/api/2.0/mlflow/registered-models/search", query);
        if (!j)
            return j.error();
        if (auto it = j->find("registered_models"); it != j->end() && it->is_array())
            for (const auto &m : *it)
                out.push_back(mlflow::registeredModelFrom(m));
        auto t = j->find("next_page_token");
        if (t == j->end() || !t->is_string() || t->get<std::string>().empty())
            return out;
        token = t->get<std::string>();
    }
    return makeError("parse", "The server kept sending page tokens for registered models.");
}

Result<RegisteredModel> MlflowClient::getRegisteredModel(const std::string &name)
{
    auto j = call("GET", "/api/2.0/mlflow/registered-models/get", q("name", name));
    if (!j)
        return j.error();
    return mlflow::registeredModelFrom(j->value("registered_model", json::object()));
}

Result<std::vector<ModelVersion>> MlflowClient::searchModelVersions(const std::string &filter)
{
    std::vector<ModelVersion> out;
    std::string token;
    for (int guard = 0; guard < 100000; ++guard) {
        std::string query = "max_results=10000";
        if (!filter.empty())
            query += "&" + q("filter", filter);
        if (!token.empty())
            query += "&" + q("page_token", token);
        auto j = call("GET", "/api/2.0/mlflow/model-versions/search", query);
        if (!j)
            return j.error();
        if (auto it = j->find("model_versions"); it != j->end() && it->is_array())
            for (const auto &v : *it)
                out.push_back(mlflow::modelVersionFrom(v));
        auto t = j->find("next_page_token");
        if (t == j->end() || !t->is_string() || t->get<std::string>().empty())
            return out;
        token = t->get<std::string>();
    }
    return makeError("parse", "The server kept sending page tokens for model versions.");
}

Result<std::vector<ModelVersion>> MlflowClient::modelVersionsOf(const std::string &name)
{
    std::string quoted;
    for (char c : name)
        quoted += c == '\'' ? std::string("\\'") : std::string(1, c);
    return searchModelVersions("name='" + quoted + "'");
}

Result<ModelVersion> MlflowClient::getModelVersion(const std::string &name,
                                                   const std::string &version)
{
    auto j = call("GET", "/api/2.0/mlflow/model-versions/get",
                  q("name", name) + "&" + q("version", version));
    if (!j)
        return j.error();
    return mlflow::modelVersionFrom(j->value("model_version", json::object()));
}

Result<ModelVersion> MlflowClient::getModelVersionByAlias(const std::string &name,
                                                          const std::string &alias)
{
    auto j = call("GET", "/api/2.0/mlflow/registered-models/alias",
                  q("name", name) + "&" + q("alias", alias));
    if (!j)
        return j.error();
    return mlflow::modelVersionFrom(j->value("model_version", json::object()));
}

Result<void> MlflowClient::setAlias(const std::string &name, const std::string &alias,
                                    const std::string &version)
{
    json body = {{"name", name}, {"alias", alias}, {"version", version}};
    auto j = call("POST", "/api/2.0/mlflow/registered-models/alias", {}, body.dump());
    if (!j)
        return j.error();
    return {};
}

Result<void> MlflowClient::deleteAlias(const std::string &name, const std::string &alias)
{
    json body = {{"name", name}, {"alias", alias}};
    auto j = call("DELETE", "/api/2.0/mlflow/registered-models/alias",
                  q("name", name) + "&" + q("alias", alias), body.dump());
    if (!j)
        return j.error();
    return {};
}

Result<ModelVersion> MlflowClient::transitionStage(const std::string &name,
                                                   const std::string &version,
                                                   const std::string &stage, bool archiveExisting)
{
    json body = {{"name", name},
                 {"version", version},
                 {"stage", stage},
                 {"archive_existing_versions", archiveExisting}};
    auto j = call("POST", "/api/2.0/mlflow/model-versions/transition-stage", {}, body.dump());
    if (!j)
        return j.error();
    return mlflow::modelVersionFrom(j->value("model_version", json::object()));
}

Result<void> MlflowClient::setModelVersionTag(const std::string &name, const std::string &version,
                                              const std::string &key, const std::string &value)
{
    json body = {{"name", name}, {"version", version}, {"key", key}, {"value", value}};
    auto j = call("POST", "/api/2.0/mlflow/model-versions/set-tag", {}, body.dump());
    if (!j)
        return j.error();
    return {};
}

Result<void> MlflowClient::deleteModelVersionTag(const std::string &name,
                                                 const std::string &version,
                                                 const std::string &key)
{
    json body = {{"name", name}, {"version", version}, {"key", key}};
    auto j = call("DELETE", "/api/2.0/mlflow/model-versions/delete-tag", {}, body.dump());
    if (!j)
        return j.error();
    return {};
}

Result<void> MlflowClient::setRegisteredModelTag(const std::string &name, const std::string &key,
                                                 const std::string &value)
{
    json body = {{"name", name}, {"key", key}, {"value", value}};
    auto j = call("POST", "/api/2.0/mlflow/registered-models/set-tag", {}, body.dump());
    if (!j)
        return j.error();
    return {};
}

Result<void> MlflowClient::deleteRegisteredModelTag(const std::string &name,
                                                    const std::string &key)
{
    json body = {{"name", name}, {"key", key}};
    auto j = call("DELETE", "/api/2.0/mlflow/registered-models/delete-tag", {}, body.dump());
    if (!j)
        return j.error();
    return {};
}

} // namespace sightline
