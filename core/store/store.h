// SPDX-License-Identifier: GPL-3.0-or-later
// The workspace cache: one SQLite file per workspace (WAL, schema version in PRAGMA user_version
// with forward migrations). One writer connection (owned by the sync thread) and any number of
// reader connections (the GUI, the command line) each open their own Store.
#pragma once

#include "compare/compareset.h"
#include "mlflow/entities.h"
#include "util/intpacking.h"
#include "util/result.h"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

struct sqlite3;
struct sqlite3_blob;
struct sqlite3_stmt;

namespace sightline {

// What the cache knows about one stored metric history, enough to decide whether to fetch again.
struct HistoryInfo {
    int64_t count = 0;
    int64_t lastStep = 0;
    int64_t lastTimestamp = 0;
    double lastValue = 0.0;
    double minValue = 0.0; // over finite values; NaN when there is none
    double maxValue = 0.0;
    // The run's latest metric as the server reported it when this history was fetched.
    bool hasSeen = false;
    int64_t seenStep = 0;
    int64_t seenTimestamp = 0;
    double seenValue = 0.0;
};

// Summary of one metric of one run as the runs table shows it.
struct MetricSummary {
    double last = 0.0;
    double min = 0.0;
    double max = 0.0;
    int64_t step = 0;
    bool hasHistory = false;
};

struct RunRecord {
    Run run;
    std::map<std::string, MetricSummary> summaries; // by metric key
};

// The few run attributes an incremental sync needs, without params, tags and metrics.
struct RunBrief {
    std::string runId;
    std::string experimentId;
    std::string status;
    std::string lifecycleStage;
    int64_t startTime = 0;
};

// One move of a model alias: made through Sightline (source "sightline", with the actor) or
// noticed by a sync (source "sync", actor empty, time = when the sync saw it).
struct AliasChange {
    int64_t id = 0;
    std::string model;
    std::string alias;
    std::string version;  // "" when the alias was removed
    std::string previous; // "" when the alias was new
    int64_t timeMs = 0;
    std::string actor;
    std::string source;
};

// The outcome of one drift report on a dataset (sightline drift --workspace), for the drift
// badges of the lineage graph.
struct DriftResult {
    int64_t id = 0;
    std::string dataset;
    std::string digest; // "" when the report named the dataset without a digest
    double driftShare = 0.0;
    std::string state;  // "drifted" or "ok"
    int64_t timeMs = 0;
    std::string summaryJson; // a short JSON summary of the report
};

struct StoreStats {
    int64_t experiments = 0;
    int64_t runs = 0;
    int64_t histories = 0;
    int64_t points = 0;
    int64_t registeredModels = 0;
    int64_t modelVersions = 0;
};

class Store {
public:
    enum class Mode { ReadWrite, ReadOnly };

    static constexpr int kSchemaVersion = 5;

    ~Store();
    Store(const Store &) = delete;
    Store &operator=(const Store &) = delete;

    // Opens (and creates or migrates, in ReadWrite mode) the workspace file.
    static Result<std::unique_ptr<Store>> open(const std::string &path, Mode mode = Mode::ReadWrite);

    const std::string &path() const { return m_path; }
    int schemaVersion() const;

    // Transactions: writes outside one are wrapped in their own.
    Result<void> begin();
    Result<void> commit();
    void rollback();

    // --- metadata (server URL, last sync time, ...) ---
    Result<void> setMeta(const std::string &key, const std::string &value);
    std::optional<std::string> meta(const std::string &key) const;

    // --- experiments ---
    Result<void> upsertExperiment(const Experiment &experiment);
    std::vector<Experiment> experiments() const;

    // --- runs ---
    // Replaces the run with everything it carries (params, tags, latest metrics, inputs).
    Result<void> upsertRun(const Run &run);
    // Removes runs of an experiment that the server no longer lists at all (permanently deleted).
    Result<int> removeRunsNotIn(const std::string &experimentId, const std::vector<std::string> &keep);
    Result<void> removeRun(const std::string &runId);
    std::optional<Run> run(const std::string &runId) const;
    std::vector<RunBrief> runBriefs(const std::vector<std::string> &experimentIds) const;
    // (run id, latest metric) of every active run of the experiments.
    std::vector<std::pair<std::string, Metric>>
    latestMetrics(const std::vector<std::string> &experimentIds) const;
    // All runs (optionally of some experiments) with their metric summaries.
    std::vector<RunRecord> runRecords(const std::vector<std::string> &experimentIds = {}) const;
    int64_t runCount() const;

    // --- metric histories (one packed BLOB per run and key) ---
    // `seenLatest` is the run's latest value for the key as listed by the server when the fetch
    // began; the next sync re-fetches only when that latest value changes.
    Result<void> putHistory(const std::string &runId, const std::string &key,
                            const MetricSeries &series, const Metric *seenLatest = nullptr);
    std::optional<HistoryInfo> historyInfo(const std::string &runId, const std::string &key) const;
    std::map<std::pair<std::string, std::string>, HistoryInfo> allHistoryInfo() const;
    Result<MetricSeries> loadHistory(const std::string &runId, const std::string &key) const;

    // Reads parts of one stored history straight from its BLOB, for loaders that keep a more
    // compact form than MetricSeries. Valid while the Store lives.
    class HistoryReader {
    public:
        enum class Column { Steps = 0, Timestamps = 1, Values = 2 }; // int64, int64, double
        ~HistoryReader();
        size_t size() const { return m_count; }
        // Copies `count` entries of a column from index `first` into `out` (8 bytes each).
        Result<void> read(Column column, size_t first, size_t count, void *out) const;

    private:
        friend class Store;
        HistoryReader() = default;
        Result<void> readBytes(void *out, size_t bytes, size_t offset) const;
        sqlite3_blob *m_blob = nullptr;
        size_t m_count = 0;
        IntPacking m_steps{IntPacking::Kind::Full}, m_timestamps{IntPacking::Kind::Full};
        size_t m_stepsOffset = 0, m_timestampsOffset = 0, m_valuesOffset = 0;
    };
    Result<std::unique_ptr<HistoryReader>> openHistory(const std::string &runId,
                                                       const std::string &key) const;

    // --- comparison sets (compare pane), by name ---
    Result<void> saveComparisonSet(const ComparisonSet &set);
    Result<void> removeComparisonSet(const std::string &name);
    std::vector<ComparisonSet> comparisonSets() const;
    std::optional<ComparisonSet> comparisonSet(const std::string &name) const;

    // --- model registry ---
    Result<void> upsertRegisteredModel(const RegisteredModel &model);
    Result<void> upsertModelVersion(const ModelVersion &version);
    Result<int> removeRegisteredModelsNotIn(const std::vector<std::string> &keep);
    Result<int> removeModelVersionsNotIn(const std::string &name, const std::vector<std::string> &keep);
    std::vector<RegisteredModel> registeredModels() const;
    std::vector<ModelVersion> modelVersions(const std::string &name) const;
    // Alias history, oldest first; all models when `model` is empty.
    Result<void> recordAliasChange(const AliasChange &change);
    std::vector<AliasChange> aliasChanges(const std::string &model = {}) const;

    // --- drift results per dataset ---
    Result<void> recordDriftResult(const DriftResult &result);
    // Oldest first; all datasets when `dataset` is empty.
    std::vector<DriftResult> driftResults(const std::string &dataset = {}) const;

    StoreStats stats() const;
    // PRAGMA integrity_check: "ok" when the file is sound.
    std::string integrityCheck() const;

    sqlite3 *handle() const { return m_db; }

private:
    class Checkpointer;

    Store() = default;
    static int walCommitted(void *store, sqlite3 *db, const char *name, int frames);
    Result<void> exec(const char *sql) const;
    int64_t pragmaInt(const char *name) const;
    Result<void> migrate();
    sqlite3_stmt *prepare(const char *sql) const;
    Error sqlError(const char *what) const;

    sqlite3 *m_db = nullptr;
    std::unique_ptr<Checkpointer> m_checkpointer; // ReadWrite only; before m_db is closed
    int64_t m_pageSize = 4096;
    std::string m_path;
    Mode m_mode = Mode::ReadWrite;
    mutable std::map<const char *, sqlite3_stmt *> m_statements;
    std::vector<char> m_packed; // putHistory's blob, kept between calls
};

// RAII transaction: rolls back unless committed.
class Transaction {
public:
    explicit Transaction(Store &store) : m_store(store) { m_ok = m_store.begin().ok(); }
    ~Transaction()
    {
        if (m_ok && !m_done)
            m_store.rollback();
    }
    Result<void> commit()
    {
        m_done = true;
        return m_store.commit();
    }

private:
    Store &m_store;
    bool m_ok = false;
    bool m_done = false;
};

// Default location of a workspace's cache: $XDG_CACHE_HOME/sightline/<name>.sqlite.
std::string defaultWorkspacePath(const std::string &name);

} // namespace sightline
