// SPDX-License-Identifier: GPL-3.0-or-later
// SyncEngine: pages through a server's experiments, runs and registry into the workspace cache,
// fetching a metric history only when the run's latest value for that key changed since the
// cache saw it. Every write is transactional, so a kill at any moment leaves a consistent cache
// and the next sync picks up what is missing. Runs on the calling thread (a worker in the GUI).
#pragma once

#include "mlflow/client.h"
#include "store/store.h"
#include "util/result.h"

#include <atomic>
#include <functional>
#include <map>
#include <set>
#include <span>
#include <string>
#include <vector>

namespace sightline {

struct SyncOptions {
    std::vector<std::string> experimentNames; // empty: every experiment
    // A full sync lists every run of every experiment. Otherwise an experiment listed in full
    // before is refreshed quickly: runs started since (with an hour's margin), RUNNING runs,
    // runs that were running at the last sync, and deletions and restores. Finished runs are
    // assumed unchanged until the next full sync, made at least every `fullEveryMs`.
    bool full = false;
    int64_t fullEveryMs = 24LL * 3600 * 1000;
    bool registry = true;
    int maxInFlight = 8;                      // history requests kept in flight at once
    // Fetch the histories of up to 100 runs of one key per request where the server offers the
    // web UI's bulk route, checking each history is whole (the route cuts its answer at 25,000
    // points without saying so); histories it does not bring whole are fetched one by one.
    bool bulkHistories = true;
    int commitEvery = 200;                    // histories per transaction
};

struct SyncProgress {
    enum class Phase { Experiments, Runs, Histories, Registry, Done };
    Phase phase = Phase::Experiments;
    int64_t done = 0;
    int64_t total = 0;
    std::string message;
};

struct SyncReport {
    int experiments = 0;
    bool fullListing = false; // every run was listed
    int runs = 0;             // runs listed and written
    int runsRemoved = 0;
    int historiesFetched = 0;
    int historiesSkipped = 0;
    int bulkRequests = 0;     // bulk history requests whose answers were used
    int64_t points = 0;
    int registeredModels = 0;
    int modelVersions = 0;
    uint64_t requests = 0;
    double seconds = 0.0;
    std::vector<std::string> warnings; // non-fatal problems (one bad history does not stop a sync)
};

// What a refresh of a few runs (the compare pane's live tail) found.
struct RefreshReport {
    // (run id, key) of every history fetched again because its latest value changed, sorted.
    std::vector<std::pair<std::string, std::string>> changedHistories;
    std::vector<std::string> statusChanged; // runs whose status changed (RUNNING -> FINISHED...)
    std::vector<std::string> deleted;       // runs moved to the server's trash since last seen
    std::vector<std::string> notFound;      // runs the server no longer has (removed from cache)
    std::vector<std::string> throttled;     // runs/get refused (429, 503): for the next refresh
    int runs = 0;                           // runs read and written
    int historiesFetched = 0;
    int historiesSkipped = 0;
    int64_t points = 0;
    uint64_t requests = 0;
    // The longest Retry-After the server sent with a refusal (429, 503) during the refresh, in
    // milliseconds; -1 when it sent none. The next refresh must not come sooner.
    int64_t retryAfterMs = -1;
    std::vector<std::string> warnings;
};

class SyncEngine {
public:
    SyncEngine(Store &store, MlflowClient &client);

    using ProgressCallback = std::function<void(const SyncProgress &)>;
    void setProgressCallback(ProgressCallback callback) { m_progress = std::move(callback); }

    // Thread-safe; the running sync stops at the next step and in-flight requests are aborted.
    void cancel();
    bool isCancelled() const { return m_cancelled.load(); }

    Result<SyncReport> run(const SyncOptions &options = {});

    // Refreshes a few runs: reads each one (runs/get, all in flight at once), writes it, and
    // fetches again only the histories whose latest value changed since the cache saw it. A
    // refusal (429, 503) of one run is not an error: the run is listed in `throttled` and the
    // server's Retry-After in `retryAfterMs`. Of `options`, maxInFlight and commitEvery apply.
    Result<RefreshReport> refreshRuns(const std::vector<std::string> &runIds,
                                      const SyncOptions &options = {});

private:
    struct HistoryJob {
        std::string runId;
        Metric latest;
    };
    // One request: a single history, or several runs' histories of one key in one bulk request.
    struct Task {
        std::vector<size_t> jobs; // indices into the job list
        bool bulk = false;
    };
    // With heldBack, a metric's last bulk request, if it has room for more, is not planned: its
    // jobs' indices go there instead.
    static std::vector<Task> planHistoryTasks(const std::vector<HistoryJob> &jobs, bool bulk,
                                              std::vector<size_t> *heldBack = nullptr);

    // After the last page of a complete listing of one experiment (its runs written): removes
    // the runs the listing did not bring (`ids` are those it did) and records the experiment
    // as listed in full.
    Result<void> finishFullListing(const Experiment &experiment,
                                   const std::vector<std::string> &ids,
                                   std::set<std::string> &listed, SyncReport &rep);
    // Lists runs, writes them, and queues the histories whose latest value changed.
    Result<void> listExperimentsQuickly(const std::vector<std::string> &experimentIds,
                                        SyncReport &report);
    Result<void> writeRuns(std::span<const Run> runs, SyncReport &report);

    // Fetches and writes histories, `maxInFlight` requests at a time. The experiments in
    // `toList` are listed in full meanwhile, one after another on a thread of their own (or
    // before any history with one request in flight), and their histories join the queue as
    // each page of runs arrives (`listed` is then the set of
    // experiments listed in full, kept in the cache's meta). `fetched`, when given, receives the
    // (run id, key) of every history written.
    Result<void> syncHistories(std::vector<HistoryJob> jobs, const SyncOptions &options,
                               SyncReport &report,
                               std::vector<std::pair<std::string, std::string>> *fetched = nullptr,
                               const std::vector<const Experiment *> &toList = {},
                               std::set<std::string> *listed = nullptr);
    Result<void> syncRegistry(SyncReport &report);
    // Records in the cache's alias history every alias of `model` that differs from `before`
    // (new, moved or removed).
    Result<void> recordAliasMoves(const RegisteredModel &model,
                                  const std::map<std::string, std::string> &before,
                                  int64_t observedMs);
    void report(SyncProgress::Phase phase, int64_t done, int64_t total, std::string message);
    Error cancelledError() const;

    Store &m_store;
    MlflowClient &m_client;
    ProgressCallback m_progress;
    std::map<std::pair<std::string, std::string>, HistoryInfo> m_cached;
    std::vector<HistoryJob> m_jobs;
    std::atomic<bool> m_cancelled{false};
    bool m_bulkUsable = true; // cleared when the server does not offer the bulk route
};

// Whether a cached history still matches the run's latest metric (bit-exact, NaN included).
bool historyIsCurrent(const HistoryInfo &info, const Metric &latest);

} // namespace sightline
