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
        // Upserting again replaces, never duplicates.
        r.params.pop_back();
        QVERIFY((*s)->upsertRun(r).ok());
        QCOMPARE((*s)->run("r1")->params.size(), size_t(2));
        QCOMPARE((*s)->runCount(), int64_t(1));
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
        for (int i = 0; i < 1000000; ++i)
            series.append(i, 1000 + i, i * 0.5);
        const auto before = std::filesystem::file_size(file);
        QVERIFY((*s)->putHistory("r1", "loss", series).ok()); // 24 MB in one commit
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
