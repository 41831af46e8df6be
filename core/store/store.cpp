// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/store.h"

#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>
#include <mutex>
#include <thread>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <pthread.h>
#include <sched.h>
#include <unordered_map>

namespace sightline {

namespace {

// Forward migrations: entry i brings a file from user_version i to i + 1.
const char *const kMigrations[] = {
    R"sql(
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
    CREATE TABLE experiments (
        experiment_id TEXT PRIMARY KEY, name TEXT NOT NULL, artifact_location TEXT,
        lifecycle_stage TEXT, creation_time INTEGER, last_update_time INTEGER,
        tags TEXT NOT NULL DEFAULT '[]');
    CREATE TABLE runs (
        run_id TEXT PRIMARY KEY, experiment_id TEXT NOT NULL, run_name TEXT, user_id TEXT,
        status TEXT, lifecycle_stage TEXT, artifact_uri TEXT, start_time INTEGER,
        end_time INTEGER, parent_run_id TEXT);
    CREATE INDEX runs_experiment ON runs(experiment_id);
    CREATE INDEX runs_parent ON runs(parent_run_id);
    CREATE TABLE run_params (run_id TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
        PRIMARY KEY (run_id, key)) WITHOUT ROWID;
    CREATE TABLE run_tags (run_id TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
        PRIMARY KEY (run_id, key)) WITHOUT ROWID;
    -- value is NULL for NaN: SQLite stores a NaN double as NULL, so NULL means NaN here.
    CREATE TABLE run_metrics (run_id TEXT NOT NULL, key TEXT NOT NULL, value REAL,
        timestamp INTEGER, step INTEGER, PRIMARY KEY (run_id, key)) WITHOUT ROWID;
    CREATE TABLE run_inputs (run_id TEXT NOT NULL, position INTEGER NOT NULL, name TEXT,
        digest TEXT, source_type TEXT, source TEXT, schema TEXT, profile TEXT, context TEXT,
        tags TEXT NOT NULL DEFAULT '[]', PRIMARY KEY (run_id, position)) WITHOUT ROWID;
    -- One packed history per (run, key): steps, timestamps and values, column after column
    -- (the layout column, added in version 5, says how; see putHistory).
    -- *_bits columns keep exact bit patterns (NaN included). seen_* is the run's latest metric
    -- as the server reported it when this history was fetched: the sync compares against it.
    CREATE TABLE metric_history (run_id TEXT NOT NULL, key TEXT NOT NULL,
        count INTEGER NOT NULL, last_step INTEGER, last_timestamp INTEGER,
        last_value_bits INTEGER, min_value REAL, max_value REAL,
        seen_step INTEGER, seen_timestamp INTEGER, seen_value_bits INTEGER, data BLOB NOT NULL,
        PRIMARY KEY (run_id, key));
    CREATE TABLE registered_models (name TEXT PRIMARY KEY, description TEXT,
        creation_timestamp INTEGER, last_updated_timestamp INTEGER,
        tags TEXT NOT NULL DEFAULT '[]', aliases TEXT NOT NULL DEFAULT '[]');
    CREATE TABLE model_versions (name TEXT NOT NULL, version TEXT NOT NULL,
        creation_timestamp INTEGER, last_updated_timestamp INTEGER, current_stage TEXT,
        description TEXT, source TEXT, run_id TEXT, status TEXT,
        tags TEXT NOT NULL DEFAULT '[]', aliases TEXT NOT NULL DEFAULT '[]',
        PRIMARY KEY (name, version)) WITHOUT ROWID;
    )sql",
    // 1 -> 2: saved comparison sets of the compare pane.
    R"sql(
    CREATE TABLE comparison_sets (name TEXT PRIMARY KEY, json TEXT NOT NULL,
        updated_ms INTEGER NOT NULL);
    )sql",
    // 2 -> 3: alias history (changes made through Sightline and changes a sync observed).
    R"sql(
    CREATE TABLE alias_changes (id INTEGER PRIMARY KEY AUTOINCREMENT, model TEXT NOT NULL,
        alias TEXT NOT NULL, version TEXT NOT NULL, previous TEXT NOT NULL,
        time_ms INTEGER NOT NULL, actor TEXT NOT NULL, source TEXT NOT NULL);
    CREATE INDEX alias_changes_model ON alias_changes(model, alias);
    )sql",
    // 3 -> 4: drift results per dataset (name, digest), for the lineage graph's badges.
    R"sql(
    CREATE TABLE drift_results (id INTEGER PRIMARY KEY AUTOINCREMENT, dataset TEXT NOT NULL,
        digest TEXT NOT NULL, drift_share REAL NOT NULL, state TEXT NOT NULL,
        time_ms INTEGER NOT NULL, summary TEXT NOT NULL DEFAULT '{}');
    CREATE INDEX drift_results_dataset ON drift_results(dataset, digest);
    )sql",
    // 4 -> 5: metric histories packed by column (see putHistory); 0 is the earlier form, three
    // plain columns, which rows written before keep.
    R"sql(
    ALTER TABLE metric_history ADD COLUMN layout INTEGER NOT NULL DEFAULT 0;
    )sql",
};

std::string col(sqlite3_stmt *s, int i)
{
    const unsigned char *t = sqlite3_column_text(s, i);
    return t ? std::string(reinterpret_cast<const char *>(t),
                           static_cast<size_t>(sqlite3_column_bytes(s, i)))
             : std::string();
}

// Text is bound in place, not copied: statements run and are reset (Stmt) while the strings
// they were given still live. A temporary would be gone by then, so it has to be copied.
void bindText(sqlite3_stmt *s, int i, const std::string &v)
{
    sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
}
void bindText(sqlite3_stmt *s, int i, std::string &&v) = delete;
void bindText(sqlite3_stmt *s, int i, const std::string &&v) = delete;
void bindTextCopy(sqlite3_stmt *s, int i, const std::string &v)
{
    sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}

void bindDouble(sqlite3_stmt *s, int i, double v)
{
    if (std::isnan(v))
        sqlite3_bind_null(s, i);
    else
        sqlite3_bind_double(s, i, v);
}

double colDouble(sqlite3_stmt *s, int i)
{
    if (sqlite3_column_type(s, i) == SQLITE_NULL)
        return std::numeric_limits<double>::quiet_NaN();
    return sqlite3_column_double(s, i);
}

// Bytes before the columns of a packed history (layout != 0): two int64 per integer column.
constexpr size_t kHistoryHeaderBytes = 32;

// Writes a column as `p` packs it; returns the end of what was written.
char *packColumn(char *out, const IntPacking &p, const std::vector<int64_t> &column)
{
    const size_t n = column.size();
    if (p.kind == IntPacking::Kind::Full) {
        if (n)
            std::memcpy(out, column.data(), n * 8);
        return out + n * 8;
    }
    if (p.kind == IntPacking::Kind::Offset32) {
        for (size_t i = 0; i < n; ++i) {
            const int32_t o = p.offsetOf(column[i]);
            std::memcpy(out + i * 4, &o, 4);
        }
        return out + n * 4;
    }
    return out;
}

int64_t bitsOf(double v)
{
    int64_t b;
    std::memcpy(&b, &v, sizeof b);
    return b;
}

double fromBits(int64_t b)
{
    double v;
    std::memcpy(&v, &b, sizeof v);
    return v;
}

// Key/value lists are stored as a compact JSON array of [key, value] pairs.
std::string encodeKeyValues(const std::vector<KeyValue> &kvs)
{
    nlohmann::json a = nlohmann::json::array();
    for (const auto &kv : kvs)
        a.push_back({kv.key, kv.value});
    return a.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::vector<KeyValue> decodeKeyValues(const std::string &text)
{
    std::vector<KeyValue> out;
    auto j = nlohmann::json::parse(text, nullptr, false);
    if (!j.is_array())
        return out;
    for (const auto &e : j)
        if (e.is_array() && e.size() == 2 && e[0].is_string() && e[1].is_string())
            out.push_back({e[0].get<std::string>(), e[1].get<std::string>()});
    return out;
}

std::string encodeStrings(const std::vector<std::string> &v)
{
    return nlohmann::json(v).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::vector<std::string> decodeStrings(const std::string &text)
{
    std::vector<std::string> out;
    auto j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_array())
        for (const auto &e : j)
            if (e.is_string())
                out.push_back(e.get<std::string>());
    return out;
}

#define HISTORY_INFO_COLUMNS                                                                     \
    "count, last_step, last_timestamp, last_value_bits, min_value, max_value, seen_step,"        \
    " seen_timestamp, seen_value_bits"

HistoryInfo historyInfoAt(sqlite3_stmt *s, int i)
{
    HistoryInfo h;
    h.count = sqlite3_column_int64(s, i);
    h.lastStep = sqlite3_column_int64(s, i + 1);
    h.lastTimestamp = sqlite3_column_int64(s, i + 2);
    h.lastValue = fromBits(sqlite3_column_int64(s, i + 3));
    h.minValue = colDouble(s, i + 4);
    h.maxValue = colDouble(s, i + 5);
    h.hasSeen = sqlite3_column_type(s, i + 6) != SQLITE_NULL;
    h.seenStep = sqlite3_column_int64(s, i + 6);
    h.seenTimestamp = sqlite3_column_int64(s, i + 7);
    h.seenValue = fromBits(sqlite3_column_int64(s, i + 8));
    return h;
}

class Stmt {
public:
    explicit Stmt(sqlite3_stmt *s) : m_s(s) {}
    ~Stmt()
    {
        if (m_s) {
            sqlite3_reset(m_s);
            sqlite3_clear_bindings(m_s);
        }
    }
    sqlite3_stmt *get() const { return m_s; }
    operator sqlite3_stmt *() const { return m_s; }
    explicit operator bool() const { return m_s != nullptr; }

private:
    sqlite3_stmt *m_s;
};

} // namespace

// Copies the WAL back into the database file on its own connection and thread, once the writer
// pauses. SQLite's automatic checkpoint instead runs inside the commit that crosses its
// threshold, so a sync would wait for every copy and its fsyncs, and copying while a sync
// writes slows the sync down whatever thread does it. A PASSIVE checkpoint never blocks the
// writer or readers; it copies what no reader still needs and leaves the rest for the next.
class Store::Checkpointer {
public:
    // How long the writer must have been quiet.
    static constexpr std::chrono::milliseconds kQuiet{300};

    explicit Checkpointer(std::string path) : m_path(std::move(path))
    {
        m_thread = std::thread([this] { loop(); });
    }
    ~Checkpointer()
    {
        {
            std::lock_guard lock(m_mutex);
            m_stop = true;
        }
        m_wake.notify_one();
        m_thread.join();
    }
    // After a commit that left the WAL large: copy it back once commits stop coming.
    void request()
    {
        {
            std::lock_guard lock(m_mutex);
            m_pending = true;
        }
        m_wake.notify_one();
    }

private:
    void loop()
    {
        // Housekeeping: it runs when a core has nothing else to do, so it never slows the
        // interface down either.
        sched_param idle{};
        (void)pthread_setschedparam(pthread_self(), SCHED_IDLE, &idle);
        sqlite3 *db = nullptr;
        for (;;) {
            {
                std::unique_lock lock(m_mutex);
                m_wake.wait(lock, [this] { return m_pending || m_stop; });
                // Every commit in the meantime starts the quiet period over.
                do
                    m_pending = false;
                while (!m_stop
                       && m_wake.wait_for(lock, kQuiet, [this] { return m_pending || m_stop; }));
                if (m_stop)
                    break;
            }
            // A connection learns the file is in WAL mode from its first read.
            if (!db
                && (sqlite3_open_v2(m_path.c_str(), &db,
                                    SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr)
                        != SQLITE_OK
                    || sqlite3_exec(db, "SELECT count(*) FROM sqlite_master", nullptr, nullptr,
                                    nullptr)
                        != SQLITE_OK)) {
                sqlite3_close_v2(db); // the writer's own checkpoint at the cap still runs
                db = nullptr;
                continue;
            }
            // Busy (another checkpoint running) or failed: the next commit asks again.
            (void)sqlite3_wal_checkpoint_v2(db, "main", SQLITE_CHECKPOINT_PASSIVE, nullptr,
                                            nullptr);
        }
        if (db)
            sqlite3_close_v2(db);
    }

    std::string m_path;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_pending = false;
    bool m_stop = false;
    std::thread m_thread;
};

namespace {

// WAL size after which the background thread checkpoints.
constexpr int64_t kCheckpointBytes = 16 << 20;
// A writer that never pauses gets no background checkpoint, and the WAL can only start over
// after a checkpoint that caught up before the next transaction began: past this size the
// writer checkpoints itself, so the WAL stays bounded.
constexpr int64_t kWriterCheckpointBytes = int64_t(512) << 20;

} // namespace

int Store::walCommitted(void *store, sqlite3 *db, const char *name, int frames)
{
    auto *self = static_cast<Store *>(store);
    const int64_t bytes = int64_t(frames) * self->m_pageSize;
    if (bytes >= kWriterCheckpointBytes)
        (void)sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    else if (bytes >= kCheckpointBytes && self->m_checkpointer)
        self->m_checkpointer->request();
    return SQLITE_OK;
}

Store::~Store()
{
    // The checkpointer's connection closes first, so the writer's close is the last one and
    // checkpoints what is left.
    m_checkpointer.reset();
    for (auto &[sql, stmt] : m_statements)
        sqlite3_finalize(stmt);
    if (m_db)
        sqlite3_close_v2(m_db);
}

Result<std::unique_ptr<Store>> Store::open(const std::string &path, Mode mode)
{
    std::unique_ptr<Store> store(new Store);
    store->m_path = path;
    store->m_mode = mode;
    if (mode == Mode::ReadWrite) {
        std::error_code ec;
        auto parent = std::filesystem::path(path).parent_path();
        if (!parent.empty())
            std::filesystem::create_directories(parent, ec);
    }
    int flags = mode == Mode::ReadWrite ? (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
                                        : SQLITE_OPEN_READONLY;
    flags |= SQLITE_OPEN_NOMUTEX;
    // Without memory statistics, SQLite's allocations skip a process-wide mutex: about a tenth
    // of the work of writing a run. Only possible before SQLite initialises; later it is a no-op.
    static std::once_flag configured;
    std::call_once(configured, [] { (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
    if (sqlite3_open_v2(path.c_str(), &store->m_db, flags, nullptr) != SQLITE_OK) {
        std::string msg = store->m_db ? sqlite3_errmsg(store->m_db) : "out of memory";
        return makeError("io", "Cannot open the workspace file " + path + ": " + msg + ".");
    }
    sqlite3_busy_timeout(store->m_db, 10000);
    sqlite3_extended_result_codes(store->m_db, 1);
    // A file that is not SQLite fails on its first read; check now for one clear message.
    auto probe = store->exec("SELECT count(*) FROM sqlite_master");
    if (!probe)
        return makeError("io", "The file " + path + " is not a Sightline workspace: "
                                   + probe.error().message);
    if (mode == Mode::ReadWrite) {
        // New files get 32 KB pages: a metric history is a blob of tens of kB to tens of MB, and
        // SQLite's cost of writing, logging and checkpointing goes by the page (4 KB pages made
        // the writer the slowest stage of a sync). A file that exists keeps its page size.
        (void)store->exec("PRAGMA page_size=32768");
        if (auto r = store->exec("PRAGMA journal_mode=WAL"); !r)
            return r.error();
        if (auto r = store->exec("PRAGMA synchronous=NORMAL"); !r)
            return r.error();
        // WAL files left large by a long sync shrink back when the log starts over.
        (void)store->exec("PRAGMA journal_size_limit=67108864");
        store->m_pageSize = store->pragmaInt("page_size");
        store->m_checkpointer = std::make_unique<Checkpointer>(path);
        sqlite3_wal_hook(store->m_db, &Store::walCommitted, store.get());
        if (auto r = store->migrate(); !r)
            return r.error();
    } else {
        int v = store->schemaVersion();
        if (v == 0)
            return makeError("io", "The file " + path + " is not a Sightline workspace.");
        if (v > kSchemaVersion)
            return makeError("io", "The workspace " + path
                                       + " was written by a newer Sightline (schema "
                                       + std::to_string(v) + ").");
    }
    (void)store->exec("PRAGMA foreign_keys=OFF");
    return store;
}

int Store::schemaVersion() const
{
    return static_cast<int>(pragmaInt("user_version"));
}

int64_t Store::pragmaInt(const char *name) const
{
    sqlite3_stmt *s = nullptr;
    int64_t v = -1;
    const std::string sql = std::string("PRAGMA ") + name;
    if (sqlite3_prepare_v2(m_db, sql.c_str(), -1, &s, nullptr) == SQLITE_OK
        && sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

Result<void> Store::migrate()
{
    int v = schemaVersion();
    if (v > kSchemaVersion)
        return makeError("io", "The workspace " + m_path
                                   + " was written by a newer Sightline (schema "
                                   + std::to_string(v) + ").");
    while (v < kSchemaVersion) {
        if (auto r = exec("BEGIN IMMEDIATE"); !r)
            return r.error();
        auto r = exec(kMigrations[v]);
        if (r)
            r = exec(("PRAGMA user_version=" + std::to_string(v + 1)).c_str());
        if (!r) {
            (void)exec("ROLLBACK");
            return r.error();
        }
        if (auto c = exec("COMMIT"); !c)
            return c.error();
        ++v;
    }
    return {};
}

Error Store::sqlError(const char *what) const
{
    return makeError("sql", std::string("Workspace cache error while ") + what + ": "
                                + sqlite3_errmsg(m_db) + ".");
}

Result<void> Store::exec(const char *sql) const
{
    char *err = nullptr;
    if (sqlite3_exec(m_db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
        std::string msg = err ? err : "unknown error";
        sqlite3_free(err);
        return makeError("sql", "Workspace cache error: " + msg + ".");
    }
    return {};
}

sqlite3_stmt *Store::prepare(const char *sql) const
{
    auto it = m_statements.find(sql);
    if (it != m_statements.end())
        return it->second;
    sqlite3_stmt *s = nullptr;
    if (sqlite3_prepare_v3(m_db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr) != SQLITE_OK)
        return nullptr;
    m_statements[sql] = s;
    return s;
}

Result<void> Store::begin()
{
    return exec("BEGIN IMMEDIATE");
}

Result<void> Store::commit()
{
    return exec("COMMIT");
}

void Store::rollback()
{
    (void)exec("ROLLBACK");
}

Result<void> Store::setMeta(const std::string &key, const std::string &value)
{
    Stmt s(prepare("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)"));
    if (!s)
        return sqlError("saving settings");
    bindText(s, 1, key);
    bindText(s, 2, value);
    if (sqlite3_step(s) != SQLITE_DONE)
        return sqlError("saving settings");
    return {};
}

std::optional<std::string> Store::meta(const std::string &key) const
{
    Stmt s(prepare("SELECT value FROM meta WHERE key = ?"));
    if (!s)
        return std::nullopt;
    bindText(s, 1, key);
    if (sqlite3_step(s) == SQLITE_ROW)
        return col(s, 0);
    return std::nullopt;
}

Result<void> Store::upsertExperiment(const Experiment &e)
{
    Stmt s(prepare("INSERT OR REPLACE INTO experiments(experiment_id, name, artifact_location,"
                   " lifecycle_stage, creation_time, last_update_time, tags)"
                   " VALUES (?, ?, ?, ?, ?, ?, ?)"));
    if (!s)
        return sqlError("saving an experiment");
    bindText(s, 1, e.experimentId);
    bindText(s, 2, e.name);
    bindText(s, 3, e.artifactLocation);
    bindText(s, 4, e.lifecycleStage);
    sqlite3_bind_int64(s, 5, e.creationTime);
    sqlite3_bind_int64(s, 6, e.lastUpdateTime);
    bindTextCopy(s, 7, encodeKeyValues(e.tags));
    if (sqlite3_step(s) != SQLITE_DONE)
        return sqlError("saving an experiment");
    return {};
}

std::vector<Experiment> Store::experiments() const
{
    std::vector<Experiment> out;
    Stmt s(prepare("SELECT experiment_id, name, artifact_location, lifecycle_stage, creation_time,"
                   " last_update_time, tags FROM experiments ORDER BY CAST(experiment_id AS"
                   " INTEGER), experiment_id"));
    if (!s)
        return out;
    while (sqlite3_step(s) == SQLITE_ROW) {
        Experiment e;
        e.experimentId = col(s, 0);
        e.name = col(s, 1);
        e.artifactLocation = col(s, 2);
        e.lifecycleStage = col(s, 3);
        e.creationTime = sqlite3_column_int64(s, 4);
        e.lastUpdateTime = sqlite3_column_int64(s, 5);
        e.tags = decodeKeyValues(col(s, 6));
        out.push_back(std::move(e));
    }
    return out;
}

Result<void> Store::upsertRun(const Run &r)
{
    // A run not cached yet (every run of a first sync) has no params, tags, metrics or inputs
    // to clear: one lookup instead of four deletes.
    bool cached = false;
    {
        Stmt s(prepare("SELECT 1 FROM runs WHERE run_id = ?"));
        if (!s)
            return sqlError("saving a run");
        bindText(s, 1, r.runId);
        cached = sqlite3_step(s) == SQLITE_ROW;
    }
    {
        Stmt s(prepare("INSERT OR REPLACE INTO runs(run_id, experiment_id, run_name, user_id,"
                       " status, lifecycle_stage, artifact_uri, start_time, end_time,"
                       " parent_run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
        if (!s)
            return sqlError("saving a run");
        bindText(s, 1, r.runId);
        bindText(s, 2, r.experimentId);
        bindText(s, 3, r.runName);
        bindText(s, 4, r.userId);
        bindText(s, 5, r.status);
        bindText(s, 6, r.lifecycleStage);
        bindText(s, 7, r.artifactUri);
        sqlite3_bind_int64(s, 8, r.startTime);
        sqlite3_bind_int64(s, 9, r.endTime);
        bindTextCopy(s, 10, r.parentRunId());
        if (sqlite3_step(s) != SQLITE_DONE)
            return sqlError("saving a run");
    }
    if (cached)
        for (const char *sql : {"DELETE FROM run_params WHERE run_id = ?",
                                "DELETE FROM run_tags WHERE run_id = ?",
                                "DELETE FROM run_metrics WHERE run_id = ?",
                                "DELETE FROM run_inputs WHERE run_id = ?"}) {
            Stmt s(prepare(sql));
            if (!s)
                return sqlError("saving a run");
            bindText(s, 1, r.runId);
            if (sqlite3_step(s) != SQLITE_DONE)
                return sqlError("saving a run");
        }
    auto putKv = [&](const char *sql, const std::vector<KeyValue> &kvs) -> Result<void> {
        Stmt s(prepare(sql));
        if (!s)
            return sqlError("saving a run");
        for (const auto &kv : kvs) {
            bindText(s, 1, r.runId);
            bindText(s, 2, kv.key);
            bindText(s, 3, kv.value);
            if (sqlite3_step(s) != SQLITE_DONE)
                return sqlError("saving a run");
            sqlite3_reset(s);
        }
        return {};
    };
    if (auto x = putKv("INSERT OR REPLACE INTO run_params VALUES (?, ?, ?)", r.params); !x)
        return x;
    if (auto x = putKv("INSERT OR REPLACE INTO run_tags VALUES (?, ?, ?)", r.tags); !x)
        return x;
    {
        Stmt s(prepare("INSERT OR REPLACE INTO run_metrics VALUES (?, ?, ?, ?, ?)"));
        if (!s)
            return sqlError("saving a run");
        for (const auto &m : r.metrics) {
            bindText(s, 1, r.runId);
            bindText(s, 2, m.key);
            bindDouble(s, 3, m.value);
            sqlite3_bind_int64(s, 4, m.timestamp);
            sqlite3_bind_int64(s, 5, m.step);
            if (sqlite3_step(s) != SQLITE_DONE)
                return sqlError("saving a run");
            sqlite3_reset(s);
        }
    }
    {
        Stmt s(prepare("INSERT OR REPLACE INTO run_inputs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
        if (!s)
            return sqlError("saving a run");
        int pos = 0;
        for (const auto &d : r.inputs) {
            bindText(s, 1, r.runId);
            sqlite3_bind_int(s, 2, pos++);
            bindText(s, 3, d.name);
            bindText(s, 4, d.digest);
            bindText(s, 5, d.sourceType);
            bindText(s, 6, d.source);
            bindText(s, 7, d.schema);
            bindText(s, 8, d.profile);
            bindText(s, 9, d.context);
            bindTextCopy(s, 10, encodeKeyValues(d.tags));
            if (sqlite3_step(s) != SQLITE_DONE)
                return sqlError("saving a run");
            sqlite3_reset(s);
        }
    }
    return {};
}

Result<int> Store::removeRunsNotIn(const std::string &experimentId,
                                   const std::vector<std::string> &keep)
{
    if (auto r = exec("CREATE TEMP TABLE IF NOT EXISTS keep_ids (id TEXT PRIMARY KEY)"); !r)
        return r.error();
    if (auto r = exec("DELETE FROM keep_ids"); !r)
        return r.error();
    {
        Stmt s(prepare("INSERT OR IGNORE INTO temp.keep_ids VALUES (?)"));
        for (const auto &id : keep) {
            bindText(s, 1, id);
            sqlite3_step(s);
            sqlite3_reset(s);
        }
    }
    std::vector<std::string> gone;
    {
        Stmt s(prepare("SELECT run_id FROM runs WHERE experiment_id = ? AND run_id NOT IN"
                       " (SELECT id FROM temp.keep_ids)"));
        bindText(s, 1, experimentId);
        while (sqlite3_step(s) == SQLITE_ROW)
            gone.push_back(col(s, 0));
    }
    for (const auto &id : gone)
        if (auto r = removeRun(id); !r)
            return r.error();
    return static_cast<int>(gone.size());
}

Result<void> Store::removeRun(const std::string &runId)
{
    for (const char *sql : {"DELETE FROM runs WHERE run_id = ?",
                            "DELETE FROM run_params WHERE run_id = ?",
                            "DELETE FROM run_tags WHERE run_id = ?",
                            "DELETE FROM run_metrics WHERE run_id = ?",
                            "DELETE FROM run_inputs WHERE run_id = ?",
                            "DELETE FROM metric_history WHERE run_id = ?"}) {
        Stmt s(prepare(sql));
        bindText(s, 1, runId);
        if (sqlite3_step(s) != SQLITE_DONE)
            return sqlError("removing a deleted run");
    }
    return {};
}

std::vector<RunBrief> Store::runBriefs(const std::vector<std::string> &experimentIds) const
{
    std::vector<RunBrief> out;
    Stmt s(prepare("SELECT run_id, experiment_id, status, lifecycle_stage, start_time FROM runs"
                   " WHERE experiment_id = ?"));
    for (const auto &id : experimentIds) {
        bindText(s, 1, id);
        while (sqlite3_step(s) == SQLITE_ROW)
            out.push_back({col(s, 0), col(s, 1), col(s, 2), col(s, 3), sqlite3_column_int64(s, 4)});
        sqlite3_reset(s);
    }
    return out;
}

std::vector<std::pair<std::string, Metric>>
Store::latestMetrics(const std::vector<std::string> &experimentIds) const
{
    std::vector<std::pair<std::string, Metric>> out;
    Stmt s(prepare("SELECT m.run_id, m.key, m.value, m.timestamp, m.step FROM run_metrics m"
                   " JOIN runs r ON r.run_id = m.run_id"
                   " WHERE r.experiment_id = ? AND r.lifecycle_stage != 'deleted'"));
    for (const auto &id : experimentIds) {
        bindText(s, 1, id);
        while (sqlite3_step(s) == SQLITE_ROW)
            out.emplace_back(col(s, 0), Metric{col(s, 1), colDouble(s, 2),
                                               sqlite3_column_int64(s, 3),
                                               sqlite3_column_int64(s, 4)});
        sqlite3_reset(s);
    }
    return out;
}

std::optional<Run> Store::run(const std::string &runId) const
{
    std::vector<RunRecord> records;
    Stmt s(prepare("SELECT experiment_id FROM runs WHERE run_id = ?"));
    bindText(s, 1, runId);
    if (sqlite3_step(s) != SQLITE_ROW)
        return std::nullopt;
    for (auto &rec : runRecords({col(s, 0)}))
        if (rec.run.runId == runId)
            return std::move(rec.run);
    return std::nullopt;
}

int64_t Store::runCount() const
{
    Stmt s(prepare("SELECT count(*) FROM runs"));
    return sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
}

std::vector<RunRecord> Store::runRecords(const std::vector<std::string> &experimentIds) const
{
    // Read each table once in run_id order and stitch by index: a few full scans beat 100k
    // point queries.
    std::vector<RunRecord> out;
    std::unordered_map<std::string, size_t> index;
    std::string where;
    if (!experimentIds.empty()) {
        where = " WHERE experiment_id IN (";
        for (size_t i = 0; i < experimentIds.size(); ++i)
            where += i ? ",?" : "?";
        where += ")";
    }
    auto bindExperiments = [&](sqlite3_stmt *s) {
        for (size_t i = 0; i < experimentIds.size(); ++i)
            bindText(s, static_cast<int>(i + 1), experimentIds[i]);
    };
    auto runFilter = std::string(where.empty() ? "" : " WHERE run_id IN (SELECT run_id FROM runs")
        + where + (where.empty() ? "" : ")");

    auto query = [&](const std::string &sql, auto &&fn) {
        sqlite3_stmt *s = nullptr;
        if (sqlite3_prepare_v2(m_db, sql.c_str(), -1, &s, nullptr) != SQLITE_OK)
            return;
        bindExperiments(s);
        while (sqlite3_step(s) == SQLITE_ROW)
            fn(s);
        sqlite3_finalize(s);
    };

    query("SELECT run_id, experiment_id, run_name, user_id, status, lifecycle_stage, artifact_uri,"
          " start_time, end_time FROM runs" + where + " ORDER BY start_time DESC, run_id",
          [&](sqlite3_stmt *s) {
              RunRecord rec;
              rec.run.runId = col(s, 0);
              rec.run.experimentId = col(s, 1);
              rec.run.runName = col(s, 2);
              rec.run.userId = col(s, 3);
              rec.run.status = col(s, 4);
              rec.run.lifecycleStage = col(s, 5);
              rec.run.artifactUri = col(s, 6);
              rec.run.startTime = sqlite3_column_int64(s, 7);
              rec.run.endTime = sqlite3_column_int64(s, 8);
              index.emplace(rec.run.runId, out.size());
              out.push_back(std::move(rec));
          });
    auto find = [&](sqlite3_stmt *s) -> RunRecord * {
        auto it = index.find(col(s, 0));
        return it == index.end() ? nullptr : &out[it->second];
    };
    query("SELECT run_id, key, value FROM run_params" + runFilter, [&](sqlite3_stmt *s) {
        if (auto *r = find(s))
            r->run.params.push_back({col(s, 1), col(s, 2)});
    });
    query("SELECT run_id, key, value FROM run_tags" + runFilter, [&](sqlite3_stmt *s) {
        if (auto *r = find(s))
            r->run.tags.push_back({col(s, 1), col(s, 2)});
    });
    query("SELECT run_id, key, value, timestamp, step FROM run_metrics" + runFilter,
          [&](sqlite3_stmt *s) {
              if (auto *r = find(s)) {
                  Metric m{col(s, 1), colDouble(s, 2), sqlite3_column_int64(s, 3),
                           sqlite3_column_int64(s, 4)};
                  r->summaries[m.key] = MetricSummary{m.value, m.value, m.value, m.step, false};
                  r->run.metrics.push_back(std::move(m));
              }
          });
    query("SELECT run_id, key, min_value, max_value FROM metric_history" + runFilter,
          [&](sqlite3_stmt *s) {
              if (auto *r = find(s)) {
                  auto &sum = r->summaries[col(s, 1)];
                  sum.min = colDouble(s, 2);
                  sum.max = colDouble(s, 3);
                  sum.hasHistory = true;
              }
          });
    query("SELECT run_id, name, digest, source_type, source, schema, profile, context, tags"
          " FROM run_inputs" + runFilter + " ORDER BY run_id, position",
          [&](sqlite3_stmt *s) {
              if (auto *r = find(s)) {
                  DatasetInput d{col(s, 1), col(s, 2), col(s, 3), col(s, 4),
                                 col(s, 5), col(s, 6), col(s, 7), decodeKeyValues(col(s, 8))};
                  r->run.inputs.push_back(std::move(d));
              }
          });
    return out;
}

Result<void> Store::putHistory(const std::string &runId, const std::string &key,
                               const MetricSeries &series, const Metric *seenLatest)
{
    const size_t n = series.size();
    if (series.steps.size() != n || series.timestamps.size() != n)
        return makeError("invalid", "A metric history has columns of different lengths.");
    // Extremes over the values that are not NaN. min(v, m) is v < m ? v : m, false for NaN,
    // so NaN never wins; SSE2's minpd and maxpd do exactly that, two values at a time.
    double mn = std::numeric_limits<double>::infinity();
    double mx = -mn;
    size_t i = 0;
#if defined(__SSE2__)
    __m128d mn2 = _mm_set1_pd(mn), mx2 = _mm_set1_pd(mx);
    for (; i + 2 <= n; i += 2) {
        const __m128d v = _mm_loadu_pd(series.values.data() + i);
        mn2 = _mm_min_pd(v, mn2);
        mx2 = _mm_max_pd(v, mx2);
    }
    double lanes[4];
    _mm_storeu_pd(lanes, mn2);
    _mm_storeu_pd(lanes + 2, mx2);
    mn = std::min(lanes[0], lanes[1]);
    mx = std::max(lanes[2], lanes[3]);
#endif
    for (; i < n; ++i) {
        const double v = series.values[i];
        mn = v < mn ? v : mn;
        mx = v > mx ? v : mx;
    }
    if (!(mn <= mx)) // no value but NaN
        mn = mx = std::numeric_limits<double>::quiet_NaN();
    // Steps and timestamps are packed (IntPacking): training loops log steps that rise evenly
    // and timestamps that fit 32-bit offsets, so most histories take 8 to 12 bytes a point
    // instead of 24, and the sync writes (and SQLite checksums and copies) that much less.
    // Layout: steps' kind | timestamps' kind << 2. Layout 0, both plain, is the form of schema
    // 4 and has no header; any other starts with 32 bytes: steps' base and stride, then
    // timestamps'. Then the steps, the timestamps (int32 offsets or int64, none for a
    // progression) and the values (doubles).
    const auto packingOf = [n](const std::vector<int64_t> &column) {
        return n ? IntPacking::of(column.data(), n) : IntPacking{IntPacking::Kind::Full};
    };
    const IntPacking steps = packingOf(series.steps), stamps = packingOf(series.timestamps);
    const int layout = static_cast<int>(steps.kind) | static_cast<int>(stamps.kind) << 2;
    const size_t header = layout ? kHistoryHeaderBytes : 0;
    const size_t bytes = header + n * (steps.width() + stamps.width() + sizeof(double));
    m_packed.resize(bytes);
    char *out = m_packed.data();
    if (header) {
        const int64_t h[kHistoryHeaderBytes / sizeof(int64_t)] = {steps.base, steps.stride,
                                                                  stamps.base, stamps.stride};
        std::memcpy(out, h, kHistoryHeaderBytes);
        out += kHistoryHeaderBytes;
    }
    out = packColumn(out, steps, series.steps);
    out = packColumn(out, stamps, series.timestamps);
    if (n)
        std::memcpy(out, series.values.data(), n * sizeof(double));

    Stmt s(prepare("INSERT OR REPLACE INTO metric_history(run_id, key, count, last_step,"
                   " last_timestamp, last_value_bits, min_value, max_value, seen_step,"
                   " seen_timestamp, seen_value_bits, layout, data)"
                   " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    if (!s)
        return sqlError("saving a metric history");
    bindText(s, 1, runId);
    bindText(s, 2, key);
    sqlite3_bind_int64(s, 3, static_cast<int64_t>(n));
    if (n) {
        sqlite3_bind_int64(s, 4, series.steps.back());
        sqlite3_bind_int64(s, 5, series.timestamps.back());
        sqlite3_bind_int64(s, 6, bitsOf(series.values.back()));
    }
    bindDouble(s, 7, mn);
    bindDouble(s, 8, mx);
    if (seenLatest) {
        sqlite3_bind_int64(s, 9, seenLatest->step);
        sqlite3_bind_int64(s, 10, seenLatest->timestamp);
        sqlite3_bind_int64(s, 11, bitsOf(seenLatest->value));
    }
    sqlite3_bind_int(s, 12, layout);
    // Bound as one blob: SQLite copies it into its pages once. (A zeroblob filled through
    // sqlite3_blob_write clears every page first and compiles a statement per blob to open it.)
    sqlite3_bind_blob64(s, 13, bytes ? m_packed.data() : "", bytes, SQLITE_STATIC);
    if (sqlite3_step(s) != SQLITE_DONE)
        return sqlError("saving a metric history");
    return {};
}

std::optional<HistoryInfo> Store::historyInfo(const std::string &runId, const std::string &key) const
{
    Stmt s(prepare("SELECT " HISTORY_INFO_COLUMNS
                   " FROM metric_history WHERE run_id = ? AND key = ?"));
    bindText(s, 1, runId);
    bindText(s, 2, key);
    if (sqlite3_step(s) != SQLITE_ROW)
        return std::nullopt;
    return historyInfoAt(s, 0);
}

std::map<std::pair<std::string, std::string>, HistoryInfo> Store::allHistoryInfo() const
{
    std::map<std::pair<std::string, std::string>, HistoryInfo> out;
    Stmt s(prepare("SELECT run_id, key, " HISTORY_INFO_COLUMNS " FROM metric_history"));
    while (sqlite3_step(s) == SQLITE_ROW)
        out.emplace(std::make_pair(col(s, 0), col(s, 1)), historyInfoAt(s, 2));
    return out;
}

Result<MetricSeries> Store::loadHistory(const std::string &runId, const std::string &key) const
{
    auto reader = openHistory(runId, key);
    if (!reader)
        return reader.error();
    using Column = HistoryReader::Column;
    const size_t n = (*reader)->size();
    MetricSeries series;
    // resize() value-initialises; the cost is small next to the read and keeps the code plain.
    series.steps.resize(n);
    series.timestamps.resize(n);
    series.values.resize(n);
    const std::pair<Column, void *> columns[] = {{Column::Steps, series.steps.data()},
                                                 {Column::Timestamps, series.timestamps.data()},
                                                 {Column::Values, series.values.data()}};
    for (const auto &[column, out] : columns)
        if (auto r = (*reader)->read(column, 0, n, out); !r)
            return r.error();
    return series;
}

Store::HistoryReader::~HistoryReader()
{
    if (m_blob)
        sqlite3_blob_close(m_blob);
}

Result<void> Store::HistoryReader::readBytes(void *out, size_t bytes, size_t offset) const
{
    if (sqlite3_blob_read(m_blob, out, static_cast<int>(bytes), static_cast<int>(offset))
        != SQLITE_OK)
        return makeError("io", "Reading a cached metric history failed.");
    return {};
}

Result<void> Store::HistoryReader::read(Column column, size_t first, size_t count, void *out) const
{
    if (first > m_count || count > m_count - first)
        return makeError("invalid", "Read past the end of a cached metric history.");
    if (count == 0)
        return {};
    if (column == Column::Values)
        return readBytes(out, count * 8, m_valuesOffset + first * 8);
    const IntPacking &p = column == Column::Steps ? m_steps : m_timestamps;
    const size_t offset = column == Column::Steps ? m_stepsOffset : m_timestampsOffset;
    auto *bytes = static_cast<char *>(out);
    switch (p.kind) {
    case IntPacking::Kind::Full:
        return readBytes(out, count * 8, offset + first * 8);
    case IntPacking::Kind::Progression:
        for (size_t i = 0; i < count; ++i) {
            const int64_t v = p.progressionAt(first + i);
            std::memcpy(bytes + i * 8, &v, 8);
        }
        return {};
    case IntPacking::Kind::Offset32:
        // The offsets are read into the upper half of `out` and widened in place, front to back:
        // value i lands on bytes [8i, 8i + 8), where offsets no later than i were.
        if (auto r = readBytes(bytes + count * 4, count * 4, offset + first * 4); !r)
            return r;
        for (size_t i = 0; i < count; ++i) {
            int32_t o;
            std::memcpy(&o, bytes + count * 4 + i * 4, 4);
            const int64_t v = p.fromOffset(o);
            std::memcpy(bytes + i * 8, &v, 8);
        }
        return {};
    }
    return {};
}

Result<std::unique_ptr<Store::HistoryReader>> Store::openHistory(const std::string &runId,
                                                                 const std::string &key) const
{
    Stmt s(prepare("SELECT rowid, count, layout FROM metric_history WHERE run_id = ? AND key = ?"));
    bindText(s, 1, runId);
    bindText(s, 2, key);
    if (sqlite3_step(s) != SQLITE_ROW)
        return makeError("not_found", "No cached history for metric '" + key + "' of run "
                                          + runId + ".");
    const int64_t rowid = sqlite3_column_int64(s, 0);
    const int64_t count = sqlite3_column_int64(s, 1);
    const int64_t layout = sqlite3_column_int64(s, 2);
    const auto damaged = [] {
        return makeError("io", "A cached metric history is damaged; sync again to repair it.");
    };
    const auto kindOf = [](int64_t bits) { return static_cast<IntPacking::Kind>(bits & 3); };
    if (count < 0 || layout < 0 || layout > 15 || (layout & 3) == 3 || (layout >> 2) == 3)
        return damaged();
    std::unique_ptr<HistoryReader> reader(new HistoryReader);
    const auto n = static_cast<size_t>(count);
    reader->m_count = n;
    if (sqlite3_blob_open(m_db, "main", "metric_history", "data", rowid, 0, &reader->m_blob)
        != SQLITE_OK)
        return sqlError("reading a metric history");
    size_t header = 0;
    if (layout) {
        int64_t h[kHistoryHeaderBytes / sizeof(int64_t)];
        if (sqlite3_blob_bytes(reader->m_blob) < static_cast<int>(kHistoryHeaderBytes)
            || !reader->readBytes(h, kHistoryHeaderBytes, 0))
            return damaged();
        reader->m_steps = {kindOf(layout), h[0], h[1]};
        reader->m_timestamps = {kindOf(layout >> 2), h[2], h[3]};
        header = kHistoryHeaderBytes;
    }
    reader->m_stepsOffset = header;
    reader->m_timestampsOffset = header + n * reader->m_steps.width();
    reader->m_valuesOffset = reader->m_timestampsOffset + n * reader->m_timestamps.width();
    if (static_cast<size_t>(sqlite3_blob_bytes(reader->m_blob)) != reader->m_valuesOffset + n * 8)
        return damaged();
    return reader;
}

Result<void> Store::saveComparisonSet(const ComparisonSet &set)
{
    if (set.name.empty())
        return makeError("invalid", "A comparison set needs a name.");
    Stmt s(prepare("INSERT OR REPLACE INTO comparison_sets(name, json, updated_ms)"
                   " VALUES (?, ?, ?)"));
    if (!s)
        return sqlError("saving a comparison set");
    bindText(s, 1, set.name);
    bindTextCopy(s, 2, comparisonSetToJson(set));
    sqlite3_bind_int64(s, 3, set.updatedMs);
    if (sqlite3_step(s) != SQLITE_DONE)
        return sqlError("saving a comparison set");
    return {};
}

Result<void> Store::removeComparisonSet(const std::string &name)
{
    Stmt s(prepare("DELETE FROM comparison_sets WHERE name = ?"));
    if (!s)
        return sqlError("removing a comparison set");
    bindText(s, 1, name);
    if (sqlite3_step(s) != SQLITE_DONE)
        return sqlError("removing a comparison set");
    return {};
}

Result<void> Store::recordAliasChange(const AliasChange &change)
{
    if (change.model.empty() || change.alias.empty())
        return makeError("invalid", "An alias change needs a model and an alias.");
    Stmt s(prepare("INSERT INTO alias_changes(model, alias, version, previous, time_ms, actor,"
                   " source) VALUES (?, ?, ?, ?, ?, ?, ?)"));
    if (!s)
        return sqlError("recording an alias change");
    bindText(s, 1, change.model);
    bindText(s, 2, change.alias);
    bindText(s, 3, change.version);
    bindText(s, 4, change.previous);
    sqlite3_bind_int64(s, 5, change.timeMs);
    bindText(s, 6, change.actor);
    bindText(s, 7, change.source);
    if (sqlite3_step(s) != SQLITE_DONE)
        return sqlError("recording an alias change");
    return {};
}

std::vector<AliasChange> Store::aliasChanges(const std::string &model) const
{
    std::vector<AliasChange> out;
    Stmt s(prepare("SELECT id, model, alias, version, previous, time_ms, actor, source"
                   " FROM alias_changes WHERE ?1 = '' OR model = ?1 ORDER BY time_ms, id"));
    if (!s)
        return out;
    bindText(s, 1, model);
    while (sqlite3_step(s) == SQLITE_ROW) {
        AliasChange c;
        c.id = sqlite3_column_int64(s, 0);
        c.model = col(s, 1);
        c.alias = col(s, 2);
        c.version = col(s, 3);
        c.previous = col(s, 4);
        c.timeMs = sqlite3_column_int64(s, 5);
        c.actor = col(s, 6);
        c.source = col(s, 7);
        out.push_back(std::move(c));
    }
    return out;
}

Result<void> Store::recordDriftResult(const DriftResult &result)
{
    if (result.dataset.empty())
        return makeError("invalid", "A drift result needs a dataset name.");
    if (result.state != "drifted" && result.state != "ok")
        return makeError("invalid", "A drift result's state is either drifted or ok.");
    Stmt s(prepare("INSERT INTO drift_results(dataset, digest, drift_share, state, time_ms,"
                   " summary) VALUES (?, ?, ?, ?, ?, ?)"));
    if (!s)
        return sqlError("recording a drift result");
    bindText(s, 1, result.dataset);
    bindText(s, 2, result.digest);
    sqlite3_bind_double(s, 3, std::isfinite(result.driftShare) ? result.driftShare : 0.0);
    bindText(s, 4, result.state);
    sqlite3_bind_int64(s, 5, result.timeMs);
    bindTextCopy(s, 6, result.summaryJson.empty() ? std::string("{}") : result.summaryJson);
    if (sqlite3_step(s) != SQLITE_DONE)
        return sqlError("recording a drift result");
    return {};
}

std::vector<DriftResult> Store::driftResults(const std::string &dataset) const
{
    std::vector<DriftResult> out;
    Stmt s(prepare("SELECT id, dataset, digest, drift_share, state, time_ms, summary"
                   " FROM drift_results WHERE ?1 = '' OR dataset = ?1 ORDER BY time_ms, id"));
    if (!s)
        return out;
    bindText(s, 1, dataset);
    while (sqlite3_step(s) == SQLITE_ROW) {
        DriftResult r;
        r.id = sqlite3_column_int64(s, 0);
        r.dataset = col(s, 1);
        r.digest = col(s, 2);
        r.driftShare = sqlite3_column_double(s, 3);
        r.state = col(s, 4);
        r.timeMs = sqlite3_column_int64(s, 5);
        r.summaryJson = col(s, 6);
        out.push_back(std::move(r));
    }
    return out;
}

std::vector<ComparisonSet> Store::comparisonSets() const
{
    std::vector<ComparisonSet> out;
    Stmt s(prepare("SELECT json FROM comparison_sets ORDER BY name"));
    if (!s)
        return out;
    while (sqlite3_step(s) == SQLITE_ROW)
        if (auto set = comparisonSetFromJson(col(s, 0)))
            out.push_back(std::move(*set));
    return out;
}

std::optional<ComparisonSet> Store::comparisonSet(const std::string &name) const
{
    Stmt s(prepare("SELECT json FROM comparison_sets WHERE name = ?"));
    if (!s)
        return std::nullopt;
    bindText(s, 1, name);
    if (sqlite3_step(s) == SQLITE_ROW)
        if (auto set = comparisonSetFromJson(col(s, 0)))
            return std::move(*set);
    return std::nullopt;
}

Result<void> Store::upsertRegisteredModel(const RegisteredModel &m)
{
    Stmt s(prepare("INSERT OR REPLACE INTO registered_models VALUES (?, ?, ?, ?, ?, ?)"));
    if (!s)
        return sqlError("saving a registered model");
    bindText(s, 1, m.name);
    bindText(s, 2, m.description);
    sqlite3_bind_int64(s, 3, m.creationTimestamp);
    sqlite3_bind_int64(s, 4, m.lastUpdatedTimestamp);
    bindTextCopy(s, 5, encodeKeyValues(m.tags));
    std::vector<KeyValue> aliases;
    for (const auto &a : m.aliases)
        aliases.push_back({a.alias, a.version});
    bindTextCopy(s, 6, encodeKeyValues(aliases));
    if (sqlite3_step(s) != SQLITE_DONE)
        return sqlError("saving a registered model");
    return {};
}

Result<void> Store::upsertModelVersion(const ModelVersion &v)
{
    Stmt s(prepare("INSERT OR REPLACE INTO model_versions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    if (!s)
        return sqlError("saving a model version");
    bindText(s, 1, v.name);
    bindText(s, 2, v.version);
    sqlite3_bind_int64(s, 3, v.creationTimestamp);
    sqlite3_bind_int64(s, 4, v.lastUpdatedTimestamp);
    bindText(s, 5, v.currentStage);
    bindText(s, 6, v.description);
    bindText(s, 7, v.source);
    bindText(s, 8, v.runId);
    bindText(s, 9, v.status);
    bindTextCopy(s, 10, encodeKeyValues(v.tags));
    bindTextCopy(s, 11, encodeStrings(v.aliases));
    if (sqlite3_step(s) != SQLITE_DONE)
        return sqlError("saving a model version");
    return {};
}

Result<int> Store::removeRegisteredModelsNotIn(const std::vector<std::string> &keep)
{
    int removed = 0;
    for (const auto &m : registeredModels()) {
        if (std::find(keep.begin(), keep.end(), m.name) != keep.end())
            continue;
        for (const char *sql : {"DELETE FROM registered_models WHERE name = ?",
                                "DELETE FROM model_versions WHERE name = ?"}) {
            Stmt s(prepare(sql));
            bindText(s, 1, m.name);
            if (sqlite3_step(s) != SQLITE_DONE)
                return sqlError("removing a registered model");
        }
        ++removed;
    }
    return removed;
}

Result<int> Store::removeModelVersionsNotIn(const std::string &name,
                                            const std::vector<std::string> &keep)
{
    int removed = 0;
    for (const auto &v : modelVersions(name)) {
        if (std::find(keep.begin(), keep.end(), v.version) != keep.end())
            continue;
        Stmt s(prepare("DELETE FROM model_versions WHERE name = ? AND version = ?"));
        bindText(s, 1, name);
        bindText(s, 2, v.version);
        if (sqlite3_step(s) != SQLITE_DONE)
            return sqlError("removing a model version");
        ++removed;
    }
    return removed;
}

std::vector<RegisteredModel> Store::registeredModels() const
{
    std::vector<RegisteredModel> out;
    Stmt s(prepare("SELECT name, description, creation_timestamp, last_updated_timestamp, tags,"
                   " aliases FROM registered_models ORDER BY name"));
    while (sqlite3_step(s) == SQLITE_ROW) {
        RegisteredModel m;
        m.name = col(s, 0);
        m.description = col(s, 1);
        m.creationTimestamp = sqlite3_column_int64(s, 2);
        m.lastUpdatedTimestamp = sqlite3_column_int64(s, 3);
        m.tags = decodeKeyValues(col(s, 4));
        for (auto &kv : decodeKeyValues(col(s, 5)))
            m.aliases.push_back({kv.key, kv.value});
        out.push_back(std::move(m));
    }
    return out;
}

std::vector<ModelVersion> Store::modelVersions(const std::string &name) const
{
    std::vector<ModelVersion> out;
    Stmt s(prepare("SELECT name, version, creation_timestamp, last_updated_timestamp,"
                   " current_stage, description, source, run_id, status, tags, aliases"
                   " FROM model_versions WHERE name = ? ORDER BY CAST(version AS INTEGER)"));
    bindText(s, 1, name);
    while (sqlite3_step(s) == SQLITE_ROW) {
        ModelVersion v;
        v.name = col(s, 0);
        v.version = col(s, 1);
        v.creationTimestamp = sqlite3_column_int64(s, 2);
        v.lastUpdatedTimestamp = sqlite3_column_int64(s, 3);
        v.currentStage = col(s, 4);
        v.description = col(s, 5);
        v.source = col(s, 6);
        v.runId = col(s, 7);
        v.status = col(s, 8);
        v.tags = decodeKeyValues(col(s, 9));
        v.aliases = decodeStrings(col(s, 10));
        out.push_back(std::move(v));
    }
    return out;
}

StoreStats Store::stats() const
{
    StoreStats st;
    auto count = [&](const char *sql) -> int64_t {
        Stmt s(prepare(sql));
        return s && sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    };
    st.experiments = count("SELECT count(*) FROM experiments");
    st.runs = count("SELECT count(*) FROM runs");
    st.histories = count("SELECT count(*) FROM metric_history");
    st.points = count("SELECT coalesce(sum(count), 0) FROM metric_history");
    st.registeredModels = count("SELECT count(*) FROM registered_models");
    st.modelVersions = count("SELECT count(*) FROM model_versions");
    return st;
}

std::string Store::integrityCheck() const
{
    std::string out;
    sqlite3_stmt *s = nullptr;
    if (sqlite3_prepare_v2(m_db, "PRAGMA integrity_check", -1, &s, nullptr) != SQLITE_OK)
        return sqlite3_errmsg(m_db);
    while (sqlite3_step(s) == SQLITE_ROW) {
        if (!out.empty())
            out += "\n";
        out += col(s, 0);
    }
    sqlite3_finalize(s);
    return out;
}

std::string defaultWorkspacePath(const std::string &name)
{
    std::string base;
    if (const char *x = std::getenv("XDG_CACHE_HOME"); x && *x)
        base = x;
    else if (const char *h = std::getenv("HOME"); h && *h)
        base = std::string(h) + "/.cache";
    else
        base = ".";
    return base + "/sightline/" + name + ".sqlite";
}

} // namespace sightline
