// SPDX-License-Identifier: GPL-3.0-or-later
// The workspace cache: schema, runs round trip, histories as packed BLOBs (NaN kept), registry,
// markup- and SQL-looking text stored intact, readers beside a writer.
#include "store/store.h"

#include <sqlite3.h>

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <functional>
#include <limits>

using namespace sightline;

class TestStore : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::string path(const char *name) { return m_dir.filePath(name).toStdString(); }

    static Run sampleRun(const std::string &id)
    {
        Run r;
        r.runId = id;
        r.experimentId = "1";
        r.runName = "run <b>x</b>";
        r.status = "FINISHED";
        r.lifecycleStage = "active";
        r.startTime = 1000;
        r.endTime = 5000;
        r.params = {{"lr", "0.01"}, {"sql", "'); DROP TABLE runs;--"}, {"long", std::string(600, 'x')}};
        r.tags = {{"mlflow.parentRunId", "parent1"}, {"unicode", "héllo wörld ✓"}};
        r.metrics = {{"loss", 0.5, 4000, 99},
                     {"nan", std::numeric_limits<double>::quiet_NaN(), 4000, 0},
                     {"inf", 1.7976931348623157e+308, 4000, 0}};
        r.inputs = {{"train", "abc", "local", "{\"uri\": \"x\"}", "", "{}", "training",
                     {{"mlflow.data.context", "training"}}}};
        return r;
    }

    static int pageSize(Store &store)
    {
        sqlite3_stmt *q = nullptr;
        int size = -1;
        if (sqlite3_prepare_v2(store.handle(), "PRAGMA page_size", -1, &q, nullptr) == SQLITE_OK
            && sqlite3_step(q) == SQLITE_ROW)
            size = sqlite3_column_int(q, 0);
        sqlite3_finalize(q);
        return size;
    }

private slots:
    void createsSchemaWithWal()
    {
        auto s = Store::open(path("a.sqlite"));
        QVERIFY2(s.ok(), s.ok() ? "" : s.error().message.c_str());
        QCOMPARE((*s)->schemaVersion(), Store::kSchemaVersion);
        sqlite3 *db = (*s)->handle();
        QVERIFY(db);
        QCOMPARE(QString::fromStdString((*s)->integrityCheck()), QStringLiteral("ok"));
    }

    void runRoundTrip()
    {
        auto s = Store::open(path("b.sqlite"));
        QVERIFY(s.ok());
        Run r = sampleRun("r1");
        QVERIFY((*s)->upsertRun(r).ok());
        auto back = (*s)->run("r1");
        QVERIFY(back.has_value());
        QCOMPARE(QString::fromStdString(back->runName), QStringLiteral("run <b>x</b>"));
        QCOMPARE(QString::fromStdString(*back->param("sql")),
                 QStringLiteral("'); DROP TABLE runs;--"));
        QCOMPARE(back->param("long")->size(), size_t(600));
        QCOMPARE(QString::fromStdString(*back->tag("unicode")), QStringLiteral("héllo wörld ✓"));
        QCOMPARE(QString::fromStdString(back->parentRunId()), QStringLiteral("parent1"));
        QVERIFY(std::isnan(back->metric("nan")->value));
        QCOMPARE(back->metric("inf")->value, 1.7976931348623157e+308);
        QCOMPARE(back->inputs.size(), size_t(1));
        QCOMPARE(QString::fromStdString(back->inputs[0].context), QStringLiteral("training"));
        QCOMPARE(back->inputs[0].tags.size(), size_t(1));
        QCOMPARE(QString::fromStdString(back->inputs[0].tags[0].value), QStringLiteral("training"));
        // Upserting again replaces, never duplicates: what the run no longer has goes.
        r.params.pop_back();
        r.tags.pop_back();
        r.metrics.pop_back();
        r.inputs.clear();
        QVERIFY((*s)->upsertRun(r).ok());
        back = (*s)->run("r1");
        QCOMPARE(back->params.size(), size_t(2));
        QCOMPARE(back->tags.size(), size_t(1));
        QCOMPARE(back->metrics.size(), size_t(2));
        QVERIFY(back->inputs.empty());
        QCOMPARE((*s)->runCount(), int64_t(1));
        // A second run written after it keeps all of its own.
        QVERIFY((*s)->upsertRun(sampleRun("r2")).ok());
        QCOMPARE((*s)->run("r2")->params.size(), size_t(3));
        QCOMPARE((*s)->run("r2")->inputs.size(), size_t(1));
    }

    void historyKeepsEveryBitIncludingNaN()
    {
        auto s = Store::open(path("c.sqlite"));
        QVERIFY(s.ok());
        QVERIFY((*s)->upsertRun(sampleRun("r1")).ok());
        MetricSeries series;
        for (int i = 0; i < 100000; ++i)
            series.append(i, 1000 + i, i % 1000 == 7 ? std::numeric_limits<double>::quiet_NaN()
                                                     : std::sin(i * 0.01));
        Metric seen{"loss", series.values.back(), 1000 + 99999, 99999};
        QVERIFY((*s)->putHistory("r1", "loss", series, &seen).ok());
        auto back = (*s)->loadHistory("r1", "loss");
        QVERIFY(back.ok());
        QCOMPARE(back->size(), series.size());
        QCOMPARE(std::memcmp(back->values.data(), series.values.data(), series.size() * 8), 0);
        QVERIFY(back->steps == series.steps);
        QVERIFY(back->timestamps == series.timestamps);
        auto info = (*s)->historyInfo("r1", "loss");
        QVERIFY(info.has_value());
        QCOMPARE(info->count, int64_t(100000));
        QCOMPARE(info->lastStep, int64_t(99999));
        QVERIFY(info->hasSeen);
        QCOMPARE(info->seenStep, int64_t(99999));
        QVERIFY(info->minValue >= -1.0 && info->minValue < -0.99);
        QVERIFY(info->maxValue <= 1.0 && info->maxValue > 0.99);
        // Summaries feed the runs table's min/max columns.
        auto records = (*s)->runRecords();
        QCOMPARE(records.size(), size_t(1));
        QVERIFY(records[0].summaries.at("loss").hasHistory);
        QCOMPARE(records[0].summaries.at("loss").max, info->maxValue);
        // Unknown history: a clear not_found.
        auto missing = (*s)->loadHistory("r1", "nope");
        QVERIFY(!missing.ok());
        QCOMPARE(QString::fromStdString(missing.error().code), QStringLiteral("not_found"));
    }

    // The WAL is copied back into the database on a thread of its own while the writer keeps
    // the file open; a file made by an older version keeps its 4 KB pages and works as before.
    void walIsCheckpointedBesideTheWriter()
    {
        const std::string file = path("wal.sqlite");
        auto s = Store::open(file);
        QVERIFY(s.ok());
        QCOMPARE(pageSize(**s), 32768);
        QVERIFY((*s)->upsertRun(sampleRun("r1")).ok());
        MetricSeries series;
        // Steps and timestamps that do not pack (gaps beyond 32 bits): 24 MB in one commit.
        for (int64_t i = 0; i < 1000000; ++i)
            series.append(i * 10000 + i % 7, 1000 + i * 5000 + i % 3, i * 0.5);
        const auto before = std::filesystem::file_size(file);
        QVERIFY((*s)->putHistory("r1", "loss", series).ok());
        // Nothing else is written: only the checkpointer can grow the database file.
        QTRY_VERIFY_WITH_TIMEOUT(std::filesystem::file_size(file) > before + 20'000'000, 20000);
        auto reader = Store::open(file, Store::Mode::ReadOnly);
        QVERIFY(reader.ok());
        auto back = (*reader)->loadHistory("r1", "loss");
        QVERIFY(back.ok());
        QCOMPARE(back->size(), series.size());
        QCOMPARE(QString::fromStdString((*reader)->integrityCheck()), QStringLiteral("ok"));
    }

    void olderPageSizeIsKept()
    {
        const std::string file = path("old-pages.sqlite");
        {
            auto s = Store::open(file);
            QVERIFY(s.ok());
            QVERIFY((*s)->upsertRun(sampleRun("r1")).ok());
        }
        {
            // Rewrite it with 4 KB pages, as files made before 32 KB pages were.
            sqlite3 *db = nullptr;
            QCOMPARE(sqlite3_open(file.c_str(), &db), SQLITE_OK);
            for (const char *sql : {"PRAGMA journal_mode=DELETE", "PRAGMA page_size=4096",
                                    "VACUUM", "PRAGMA journal_mode=WAL"})
                QCOMPARE(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK);
            sqlite3_close(db);
        }
        auto s = Store::open(file);
        QVERIFY(s.ok());
        QCOMPARE(pageSize(**s), 4096);
        MetricSeries series;
        for (int i = 0; i < 5000; ++i)
            series.append(i, i, i);
        QVERIFY((*s)->putHistory("r1", "loss", series).ok());
        QCOMPARE((*s)->loadHistory("r1", "loss")->size(), size_t(5000));
        QVERIFY((*s)->run("r1").has_value());
        QCOMPARE(QString::fromStdString((*s)->integrityCheck()), QStringLiteral("ok"));
    }

    // Steps and timestamps are stored as progressions, 32-bit offsets or plain, whichever holds
    // them; every form reads back exactly, whole or in parts.
    void historyColumnsArePacked()
    {
        auto s = Store::open(path("packed.sqlite"));
        QVERIFY(s.ok());
        constexpr int64_t lo = std::numeric_limits<int64_t>::min();
        constexpr int64_t hi = std::numeric_limits<int64_t>::max();
        struct Case {
            const char *key;
            std::function<int64_t(int64_t)> step, timestamp;
            size_t n;
            size_t bytesPerPoint;
        };
        const std::vector<Case> cases = {
            {"even", [](int64_t i) { return i; },
             [](int64_t i) { return 1'795'000'000'000 + i * 1000; }, 5000, 8},
            {"falling", [](int64_t i) { return 100 - 3 * i; },
             [](int64_t i) { return 1'795'000'000'000 + i * 37 + (i * i) % 11; }, 5000, 12},
            {"jitter", [](int64_t i) { return i * 2 + (i % 5 == 0); },
             [](int64_t i) { return 1'795'000'000'000 - (i % 13) * 100'000; }, 5000, 16},
            {"wide", [](int64_t i) { return i * 10'000'000'000; },
             [](int64_t i) { return (i % 2 ? 1 : -1) * (i << 33); }, 5000, 16},
            // Offsets wrap: the largest and smallest int64 are one apart.
            {"wrap", [](int64_t i) { return i % 2 ? hi : lo; },
             [](int64_t i) { return (i % 2 ? hi : lo) - i; }, 5000, 16},
            {"extremes", [](int64_t i) { return i % 3 == 0 ? lo : i % 3 == 1 ? hi : 0; },
             [](int64_t i) { return i * (int64_t(1) << 40) + i % 2; }, 999, 24},
            {"one", [](int64_t) { return int64_t(7); }, [](int64_t) { return hi; }, 1, 8},
        };
        for (const Case &c : cases) {
            MetricSeries series;
            for (int64_t i = 0; i < static_cast<int64_t>(c.n); ++i)
                series.append(c.step(i), c.timestamp(i),
                              i % 17 == 3 ? std::numeric_limits<double>::quiet_NaN() : i * 0.25);
            QVERIFY((*s)->putHistory("r1", c.key, series).ok());
            auto back = (*s)->loadHistory("r1", c.key);
            QVERIFY2(back.ok(), c.key);
            QVERIFY2(back->steps == series.steps, c.key);
            QVERIFY2(back->timestamps == series.timestamps, c.key);
            QCOMPARE(std::memcmp(back->values.data(), series.values.data(), c.n * 8), 0);
            sqlite3_stmt *q = nullptr;
            QCOMPARE(sqlite3_prepare_v2((*s)->handle(),
                                        "SELECT length(data) FROM metric_history WHERE key = ?",
                                        -1, &q, nullptr),
                     SQLITE_OK);
            sqlite3_bind_text(q, 1, c.key, -1, SQLITE_STATIC);
            QCOMPARE(sqlite3_step(q), SQLITE_ROW);
            const auto stored = static_cast<size_t>(sqlite3_column_int64(q, 0));
            sqlite3_finalize(q);
            const size_t header = c.bytesPerPoint == 24 ? 0 : 32;
            QCOMPARE(stored, header + c.n * c.bytesPerPoint);
            // Parts of each column, from anywhere.
            auto reader = (*s)->openHistory("r1", c.key);
            QVERIFY(reader.ok());
            using Column = Store::HistoryReader::Column;
            for (const auto &[first, count] : std::vector<std::pair<size_t, size_t>>{
                     {0, c.n}, {0, 1}, {c.n - 1, 1}, {c.n / 3, c.n / 2}, {c.n, 0}}) {
                std::vector<int64_t> steps(count), stamps(count);
                std::vector<double> values(count);
                QVERIFY((*reader)->read(Column::Steps, first, count, steps.data()).ok());
                QVERIFY((*reader)->read(Column::Timestamps, first, count, stamps.data()).ok());
                QVERIFY((*reader)->read(Column::Values, first, count, values.data()).ok());
                for (size_t i = 0; i < count; ++i) {
                    QCOMPARE(steps[i], series.steps[first + i]);
                    QCOMPARE(stamps[i], series.timestamps[first + i]);
                    QCOMPARE(std::memcmp(&values[i], &series.values[first + i], 8), 0);
                }
            }
            QVERIFY(!(*reader)->read(Column::Steps, c.n, 1, nullptr).ok());
            QVERIFY(!(*reader)->read(Column::Values, 1, c.n, nullptr).ok());
        }
        QCOMPARE(QString::fromStdString((*s)->integrityCheck()), QStringLiteral("ok"));
    }

    // A workspace from schema 4 keeps its histories (three plain columns) and takes packed ones
    // beside them; a history whose stored size does not match its layout is reported damaged.
    void version4HistoriesStillRead()
    {
        const std::string file = path("v4.sqlite");
        MetricSeries series;
        for (int64_t i = 0; i < 3000; ++i)
            series.append(i, 1000 + i * 10, i * 0.5);
        {
            auto s = Store::open(file);
            QVERIFY(s.ok());
            // Written as schema 4 wrote it: the three columns one after the other.
            std::vector<char> blob(3000 * 24);
            std::memcpy(blob.data(), series.steps.data(), 3000 * 8);
            std::memcpy(blob.data() + 3000 * 8, series.timestamps.data(), 3000 * 8);
            std::memcpy(blob.data() + 3000 * 16, series.values.data(), 3000 * 8);
            QCOMPARE(sqlite3_exec((*s)->handle(), "ALTER TABLE metric_history DROP COLUMN layout;"
                                                  "PRAGMA user_version=4",
                                  nullptr, nullptr, nullptr),
                     SQLITE_OK);
            sqlite3_stmt *q = nullptr;
            QCOMPARE(sqlite3_prepare_v2((*s)->handle(),
                                        "INSERT INTO metric_history(run_id, key, count, data)"
                                        " VALUES ('r1', 'old', 3000, ?)",
                                        -1, &q, nullptr),
                     SQLITE_OK);
            sqlite3_bind_blob(q, 1, blob.data(), static_cast<int>(blob.size()), SQLITE_STATIC);
            QCOMPARE(sqlite3_step(q), SQLITE_DONE);
            sqlite3_finalize(q);
        }
        auto s = Store::open(file);
        QVERIFY(s.ok());
        QCOMPARE((*s)->schemaVersion(), Store::kSchemaVersion);
        auto old = (*s)->loadHistory("r1", "old");
        QVERIFY(old.ok());
        QVERIFY(old->steps == series.steps);
        QVERIFY(old->timestamps == series.timestamps);
        QVERIFY(old->values == series.values);
        QVERIFY((*s)->putHistory("r1", "new", series).ok());
        auto fresh = (*s)->loadHistory("r1", "new");
        QVERIFY(fresh.ok());
        QVERIFY(fresh->timestamps == series.timestamps);
        // A layout that does not match the stored bytes, or one that does not exist.
        for (const char *sql : {"UPDATE metric_history SET layout = 5 WHERE key = 'old'",
                                "UPDATE metric_history SET layout = 3 WHERE key = 'new'"})
            QCOMPARE(sqlite3_exec((*s)->handle(), sql, nullptr, nullptr, nullptr), SQLITE_OK);
        for (const char *key : {"old", "new"}) {
            auto damaged = (*s)->loadHistory("r1", key);
            QVERIFY(!damaged.ok());
            QVERIFY(QString::fromStdString(damaged.error().message).contains(
                QStringLiteral("damaged")));
        }
    }

    // The extremes the runs table shows skip NaN, wherever it and the extremes fall.
    void historyExtremesSkipNaN()
    {
        auto s = Store::open(path("extremes.sqlite"));
        QVERIFY(s.ok());
        constexpr double nan = std::numeric_limits<double>::quiet_NaN();
        constexpr double inf = std::numeric_limits<double>::infinity();
        struct Case {
            std::vector<double> values;
            double min, max;
        };
        const std::vector<Case> cases = {
            {{nan, nan, nan}, nan, nan},
            {{nan, -inf, 3, inf, nan}, -inf, inf},
            {{5, 4, 3, 2, 1, 0.5, -7}, -7, 5},        // extremes in the odd tail
            {{nan, 2, nan, 9, nan, 1, nan}, 1, 9},
            {{-0.25}, -0.25, -0.25},
        };
        for (size_t c = 0; c < cases.size(); ++c) {
            MetricSeries series;
            for (size_t i = 0; i < cases[c].values.size(); ++i)
                series.append(static_cast<int64_t>(i), 0, cases[c].values[i]);
            const std::string key = "k" + std::to_string(c);
            QVERIFY((*s)->putHistory("r", key, series).ok());
            const auto info = (*s)->historyInfo("r", key);
            QVERIFY(info.has_value());
            if (std::isnan(cases[c].min)) {
                QVERIFY(std::isnan(info->minValue) && std::isnan(info->maxValue));
            } else {
                QCOMPARE(info->minValue, cases[c].min);
                QCOMPARE(info->maxValue, cases[c].max);
            }
        }
    }

    void emptyHistory()
    {
        auto s = Store::open(path("d.sqlite"));
        QVERIFY(s.ok());
        QVERIFY((*s)->putHistory("r", "k", MetricSeries{}).ok());
        auto back = (*s)->loadHistory("r", "k");
        QVERIFY(back.ok());
        QCOMPARE(back->size(), size_t(0));
    }

    void removesRunsTheServerNoLongerHas()
    {
        auto s = Store::open(path("e.sqlite"));
        QVERIFY(s.ok());
        QVERIFY((*s)->upsertRun(sampleRun("r1")).ok());
        QVERIFY((*s)->upsertRun(sampleRun("r2")).ok());
        QVERIFY((*s)->putHistory("r2", "loss", MetricSeries{}).ok());
        auto removed = (*s)->removeRunsNotIn("1", {"r1"});
        QVERIFY(removed.ok());
        QCOMPARE(*removed, 1);
        QVERIFY(!(*s)->run("r2").has_value());
        QVERIFY(!(*s)->historyInfo("r2", "loss").has_value());
    }

    void registryRoundTrip()
    {
        auto s = Store::open(path("f.sqlite"));
        QVERIFY(s.ok());
        RegisteredModel m;
        m.name = "fraud";
        m.aliases = {{"champion", "2"}, {"challenger", "3"}};
        m.tags = {{"owner", "risk"}};
        QVERIFY((*s)->upsertRegisteredModel(m).ok());
        ModelVersion v;
        v.name = "fraud";
        v.version = "2";
        v.aliases = {"champion"};
        v.currentStage = "Production";
        QVERIFY((*s)->upsertModelVersion(v).ok());
        auto models = (*s)->registeredModels();
        QCOMPARE(models.size(), size_t(1));
        QVERIFY(models[0].aliases == m.aliases);
        auto versions = (*s)->modelVersions("fraud");
        QCOMPARE(versions.size(), size_t(1));
        QCOMPARE(QString::fromStdString(versions[0].aliases.at(0)), QStringLiteral("champion"));
        QVERIFY((*s)->removeModelVersionsNotIn("fraud", {}).ok());
        QVERIFY((*s)->modelVersions("fraud").empty());
    }

    void readerSeesCommittedWritesOnly()
    {
        const std::string p = path("g.sqlite");
        auto writer = Store::open(p);
        QVERIFY(writer.ok());
        auto reader = Store::open(p, Store::Mode::ReadOnly);
        QVERIFY(reader.ok());
        QVERIFY((*writer)->begin().ok());
        QVERIFY((*writer)->upsertRun(sampleRun("r1")).ok());
        QCOMPARE((*reader)->runCount(), int64_t(0));
        QVERIFY((*writer)->commit().ok());
        QCOMPARE((*reader)->runCount(), int64_t(1));
    }

    void rejectsFilesThatAreNotWorkspaces()
    {
        const QString p = m_dir.filePath(QStringLiteral("junk.sqlite"));
        QFile f(p);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("this is not a database at all, just text that goes on for a while......");
        f.close();
        auto s = Store::open(p.toStdString());
        QVERIFY(!s.ok());
        QVERIFY(QString::fromStdString(s.error().message).contains(QStringLiteral("not a Sightline workspace")));
        auto r = Store::open(m_dir.filePath(QStringLiteral("missing.sqlite")).toStdString(),
                             Store::Mode::ReadOnly);
        QVERIFY(!r.ok());
    }

    void refusesNewerSchema()
    {
        const std::string p = path("h.sqlite");
        {
            auto s = Store::open(p);
            QVERIFY(s.ok());
            char *err = nullptr;
            sqlite3_exec((*s)->handle(), "PRAGMA user_version=99", nullptr, nullptr, &err);
        }
        auto s = Store::open(p);
        QVERIFY(!s.ok());
        QVERIFY(QString::fromStdString(s.error().message).contains(QStringLiteral("newer")));
    }
};

QTEST_APPLESS_MAIN(TestStore)
#include "tst_store.moc"
