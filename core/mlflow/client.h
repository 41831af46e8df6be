// SPDX-License-Identifier: GPL-3.0-or-later
// MlflowClient: MLflow REST API 2.0 calls as typed results. Blocking calls are meant for a
// worker thread; the history fetch also has an asynchronous form so a sync can keep many
// transfers in flight on the one HttpClient.
#pragma once

#include "mlflow/entities.h"
#include "net/httpclient.h"
#include "util/result.h"
#include "util/taskqueue.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <functional>
#include <optional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace sightline {

// A named server profile. Secrets are held here only in memory; see SecretStore for keeping them.
struct MlflowConnection {
    std::string name;
    std::string baseUrl; // e.g. http://127.0.0.1:5000 (no trailing /api)
    HttpAuth auth;
    bool insecureTls = false;
    std::string caBundlePath;

    // Reads MLFLOW_TRACKING_URI, _TOKEN, _USERNAME/_PASSWORD, _INSECURE_TLS, _SERVER_CERT_PATH.
    static MlflowConnection fromEnvironment();
    // Applies the same variables on top of this profile where they are set.
    void applyEnvironment();
};

struct RunsPage {
    std::vector<Run> runs;
    std::string nextPageToken;
};

enum class ViewType { ActiveOnly, DeletedOnly, All };

class MlflowClient {
public:
    explicit MlflowClient(MlflowConnection connection, HttpOptions options = {});
    ~MlflowClient();

    const MlflowConnection &connection() const { return m_connection; }
    HttpClient &http() { return *m_http; }

    // GET /health: a quick "is this an MLflow server, can we reach it" check.
    Result<std::string> checkHealth();

    Result<std::vector<Experiment>> searchExperiments(ViewType view = ViewType::All);
    Result<Experiment> getExperiment(const std::string &experimentId);
    Result<Experiment> getExperimentByName(const std::string &name);

    Result<RunsPage> searchRunsPage(const std::vector<std::string> &experimentIds,
                                    const std::string &filter, ViewType view, int maxResults,
                                    const std::string &pageToken,
                                    const std::vector<std::string> &orderBy = {});
    // Every page, including the empty last page a server sends when the total is an exact
    // multiple of the page size.
    Result<std::vector<Run>> searchRuns(const std::vector<std::string> &experimentIds,
                                        const std::string &filter = {},
                                        ViewType view = ViewType::ActiveOnly, int pageSize = 1000);
    // The same pages handed to `take` one by one as they come, the last with `last` set (an
    // empty last page too); the first asks for `firstPageSize` runs, so a caller can start on
    // them sooner.
    using RunsPageCallback = std::function<void(std::vector<Run> runs, bool last)>;
    Result<void> forEachRunsPage(const std::vector<std::string> &experimentIds,
                                 const std::string &filter, ViewType view, int firstPageSize,
                                 int pageSize, const RunsPageCallback &take);
    Result<Run> getRun(const std::string &runId);
    using RunCallback = std::function<void(Result<Run>)>;
    uint64_t getRunAsync(const std::string &runId, RunCallback callback);

    Result<MetricSeries> getHistory(const std::string &runId, const std::string &key);
    using HistoryCallback = std::function<void(Result<MetricSeries>)>;
    uint64_t getHistoryAsync(const std::string &runId, const std::string &key,
                             HistoryCallback callback);
    // Whole histories of one key for up to 100 runs in one request (the web UI's
    // /ajax-api/2.0/mlflow/metrics/get-history-bulk). The server cuts the answer at 25,000 points
    // in total without saying so: `points` tells how many came, and the caller must check that
    // each history it takes is complete (see SyncEngine). Servers without the UI's routes
    // answer 404.
    struct BulkHistories {
        std::vector<std::pair<std::string, MetricSeries>> series; // in the answer's order
        size_t points = 0;
    };
    static constexpr int kBulkHistoryMaxRuns = 100;
    static constexpr size_t kBulkHistoryMaxPoints = 25000;
    using BulkCallback = std::function<void(Result<BulkHistories>)>;
    uint64_t getHistoryBulkAsync(const std::vector<std::string> &runIds, const std::string &key,
                                 BulkCallback callback);

    // A sampled preview: at most maxResults points per run (MLflow caps it at 2,500), always
    // with each run's first and last step.
    Result<std::map<std::string, MetricSeries>> getHistoryBulkInterval(
        const std::vector<std::string> &runIds, const std::string &key, int maxResults = 320,
        std::optional<int64_t> startStep = {}, std::optional<int64_t> endStep = {});

    Result<std::vector<RegisteredModel>> searchRegisteredModels(const std::string &filter = {});
    Result<RegisteredModel> getRegisteredModel(const std::string &name);
    Result<std::vector<ModelVersion>> searchModelVersions(const std::string &filter = {});
    // Every version of one registered model (the name quoted for the filter).
    Result<std::vector<ModelVersion>> modelVersionsOf(const std::string &name);
    Result<ModelVersion> getModelVersion(const std::string &name, const std::string &version);
    Result<ModelVersion> getModelVersionByAlias(const std::string &name, const std::string &alias);
    Result<void> setAlias(const std::string &name, const std::string &alias,
                          const std::string &version);
    Result<void> deleteAlias(const std::string &name, const std::string &alias);
    Result<ModelVersion> transitionStage(const std::string &name, const std::string &version,
                                         const std::string &stage, bool archiveExisting);
    Result<void> setModelVersionTag(const std::string &name, const std::string &version,
                                    const std::string &key, const std::string &value);
    Result<void> deleteModelVersionTag(const std::string &name, const std::string &version,
                                       const std::string &key);
    Result<void> setRegisteredModelTag(const std::string &name, const std::string &key,
                                       const std::string &value);
    Result<void> deleteRegisteredModelTag(const std::string &name, const std::string &key);

    // Number of HTTP requests sent so far (for progress lines and benchmarks).
    uint64_t requestCount() const;
    // The longest Retry-After of an answer that refused a request (429, 503) since the last
    // call, in milliseconds; -1 when there was none. Each call starts a new period.
    int64_t takeRetryAfterMs();

private:
    Result<nlohmann::json> call(const std::string &method, const std::string &path,
                                const std::string &query = {}, const std::string &body = {});
    HttpRequest makeRequest(const std::string &method, const std::string &path,
                            const std::string &query, const std::string &body) const;
    // The JSON object of a finished response, or the error it is.
    Result<nlohmann::json> jsonOf(const HttpResponse &response) const;
    // What jsonOf refuses before parsing: an error status, an HTML page.
    std::optional<Error> notJson(const HttpResponse &response) const;
    // The request, counted, with the refusal noted; call() without the parsing.
    Result<HttpResponse> send(const std::string &method, const std::string &path,
                              const std::string &query, const std::string &body);
    void noteRefusal(const HttpResponse &response);

    MlflowConnection m_connection;
    // History bodies go back here once read, for the next answers to be received into.
    std::shared_ptr<BufferPool> m_buffers = std::make_shared<BufferPool>();
    // Metric histories are read here, off the transfer thread, in the order they arrive.
    std::unique_ptr<TaskQueue> m_reader;
    std::unique_ptr<HttpClient> m_http;
    std::atomic<uint64_t> m_requests{0};
    std::atomic<int64_t> m_retryAfterMs{-1};
};

// Turns a finished HttpResponse into a user-facing error when it is one (transport failure,
// non-2xx status); nullopt when the response is a success.
std::optional<Error> responseError(const HttpResponse &response, const std::string &what);

} // namespace sightline
