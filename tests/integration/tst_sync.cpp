// SPDX-License-Identifier: GPL-3.0-or-later
// Sync against the MLflow test server: first and incremental syncs, deletions and registry
// changes, every fault kind (ending in success after retries or in one clear error), and a
// kill -9 in the middle of a sync followed by a complete resync.
#include "mlflow/client.h"
#include "store/store.h"
#include "sync/syncengine.h"
#include "testserver.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <csignal>
#include <cstring>

using namespace sightline;
using sightline::test::TestServer;
using sightline::test::connectionTo;
using sightline::test::requestsFor;

namespace {

HttpOptions fastRetries()
{
    HttpOptions o;
    o.backoffBaseMs = 20;
    o.backoffMaxMs = 200;
    o.maxRetries = 4;
    o.totalTimeoutMs = 20000;
    return o;
}

// The first runs/search goes through; the second fails as a crashed server would (no retry).
void failSecondListing(TestServer &server)
{
    server.setFaults({{{"path_contains", "runs/search"}, {"kind", "500"}, {"count", 1},
                       {"skip", 1}}});
}

// A sync stopped by that failure, with its message.
template<typename Report>
bool failedWithHttp500(const Result<Report> &report)
{
    return !report.ok()
        && QString::fromStdString(report.error().message).contains(QStringLiteral("HTTP 500"));
}

} // namespace

class TestSync : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    int m_file = 0;
    std::string newWorkspace()
    {
        return m_dir.filePath(QStringLiteral("ws%1.sqlite").arg(++m_file)).toStdString();
    }

private slots:
    void firstSyncOfTheRecordedServer()
    {
        TestServer server({QStringLiteral("--fixtures"),
                           QStringLiteral(SIGHTLINE_FIXTURES "/mlflow-2.17.2")});
        QVERIFY2(server.isRunning(), "the test server did not start");
        auto store = Store::open(newWorkspace());
        QVERIFY(store.ok());
        MlflowClient client(connectionTo(server), fastRetries());
        SyncEngine engine(**store, client);
        int progressCalls = 0;
        engine.setProgressCallback([&](const SyncProgress &) { ++progressCalls; });
        auto report = engine.run();
        QVERIFY2(report.ok(), report.ok() ? "" : report.error().message.c_str());
        QVERIFY(progressCalls > 0);
        QVERIFY(report->experiments >= 4);
        QVERIFY(report->runs > 10);
        QVERIFY(report->historiesFetched > 0);

        // The NaN/inf run arrived intact.
        auto edge = (*store)->run("6e339cfe58d3412daf68d38e67aafef1");
        QVERIFY(edge.has_value());
        QVERIFY(std::isnan(edge->metric("nan_metric")->value));
        QCOMPARE(edge->metric("inf_metric")->value, 1.7976931348623157e+308);
        // The deleted run is known as deleted.
        auto deleted = (*store)->run("f6e3b5a36f584d14a2fba12f77dcf646");
        QVERIFY(deleted.has_value());
        QCOMPARE(QString::fromStdString(deleted->lifecycleStage), QStringLiteral("deleted"));
        // Parent/child by tag.
        auto child = (*store)->run("b354284008c7401f9e0df5cc0cd43ede");
        QVERIFY(child.has_value());
        QCOMPARE(QString::fromStdString(child->parentRunId()),
                 QStringLiteral("9430b94582494e97986929aa530e9fe0"));
        // Histories equal the server's answer point for point.
        auto cached = (*store)->loadHistory("c3b1acfb0ba844518ac8a56edf86f9bd", "val_loss");
        QVERIFY(cached.ok());
        auto direct = client.getHistory("c3b1acfb0ba844518ac8a56edf86f9bd", "val_loss");
        QVERIFY(direct.ok());
        QCOMPARE(cached->size(), direct->size());
        QVERIFY(cached->steps == direct->steps);
        QCOMPARE(std::memcmp(cached->values.data(), direct->values.data(), direct->size() * 8), 0);
        // Registry with aliases on the versions.
        auto versions = (*store)->modelVersions("fraud-classifier");
        QCOMPARE(versions.size(), size_t(3));
        bool champion = false;
        for (const auto &v : versions)
            for (const auto &a : v.aliases)
                champion = champion || (a == "champion" && v.version == "2");
        QVERIFY(champion);
        QCOMPARE(QString::fromStdString((*store)->integrityCheck()), QStringLiteral("ok"));
    }

    void incrementalSyncFetchesOnlyWhatChanged()
    {
        TestServer server({QStringLiteral("--generate"),
                           QStringLiteral("experiments=2,runs=60,metrics=3,steps=200,params=4,seed=7")});
        QVERIFY(server.isRunning());
        auto store = Store::open(newWorkspace());
        QVERIFY(store.ok());
        MlflowClient client(connectionTo(server), fastRetries());
        SyncEngine engine(**store, client);
        auto first = engine.run();
        QVERIFY2(first.ok(), first.ok() ? "" : first.error().message.c_str());
        QCOMPARE(first->runs, 60);
        QCOMPARE(first->historiesFetched, 180);
        QCOMPARE(first->points, int64_t(180 * 200));

        // Nothing changed: no history is fetched again.
        server.resetStats();
        auto noop = engine.run();
        QVERIFY(noop.ok());
        QCOMPARE(noop->historiesFetched, 0);
        QCOMPARE(noop->historiesSkipped, 180);
        QCOMPARE(requestsFor(server.stats(), "get-history"), 0);

        // One new point on a running run: exactly that history comes again.
        auto records = (*store)->runRecords();
        auto running = std::find_if(records.begin(), records.end(), [](const RunRecord &r) {
            return r.run.status == "RUNNING" && !r.run.metrics.empty();
        });
        QVERIFY2(running != records.end(), "the generated workspace has no RUNNING run");
        const std::string runId = running->run.runId;
        const std::string key = running->run.metrics.front().key;
        const int64_t lastStep = running->run.metrics.front().step;
        server.post("runs/log-batch",
                    {{"run_id", runId},
                     {"metrics", {{{"key", key}, {"value", 0.125}, {"timestamp", 1795999999000},
                                   {"step", lastStep + 1}}}}});
        // One finished run deleted on the server.
        auto finished = std::find_if(records.begin(), records.end(), [](const RunRecord &r) {
            return r.run.status == "FINISHED";
        });
        QVERIFY(finished != records.end());
        const std::string goneId = finished->run.runId;
        server.post("runs/delete", {{"run_id", goneId}});
        server.resetStats();
        auto incremental = engine.run();
        QVERIFY(incremental.ok());
        QVERIFY(!incremental->fullListing);
        QCOMPARE(incremental->historiesFetched, 1);
        QCOMPARE(requestsFor(server.stats(), "get-history"), 1);
        auto h = (*store)->loadHistory(runId, key);
        QVERIFY(h.ok());
        QCOMPARE(h->size(), size_t(201));
        QCOMPARE(h->values.back(), 0.125);
        QCOMPARE(QString::fromStdString((*store)->run(goneId)->lifecycleStage),
                 QStringLiteral("deleted"));

        // A change to a finished run is caught by the next full sync.
        const std::string otherId = records.back().run.runId == goneId
            ? records[records.size() - 2].run.runId
            : records.back().run.runId;
        const std::string otherKey = (*store)->run(otherId)->metrics.front().key;
        server.post("runs/log-batch",
                    {{"run_id", otherId},
                     {"metrics", {{{"key", otherKey}, {"value", 7.5}, {"timestamp", 1795999999500},
                                   {"step", 5000}}}}});
        SyncOptions full;
        full.full = true;
        auto complete = engine.run(full);
        QVERIFY(complete.ok());
        QVERIFY(complete->fullListing);
        QCOMPARE(complete->historiesFetched, 1);
        QCOMPARE((*store)->loadHistory(otherId, otherKey)->values.back(), 7.5);
    }

    // Runs listed over several pages (100, then 160) still make bulk requests as full as one
    // listing would: each metric's last, part-full request waits for the next page's runs.
    void bulkRequestsStayFullAcrossPages()
    {
        TestServer server(QStringList{QStringLiteral("--generate"),
                                      QStringLiteral("experiments=1,runs=260,metrics=2,steps=1000,seed=9")});
        QVERIFY(server.isRunning());
        auto store = Store::open(newWorkspace());
        QVERIFY(store.ok());
        MlflowClient client(connectionTo(server), fastRetries());
        SyncEngine engine(**store, client);
        auto report = engine.run();
        QVERIFY2(report.ok(), report.ok() ? "" : report.error().message.c_str());
        QCOMPARE(report->historiesFetched, 520);
        QCOMPARE(report->points, int64_t(520 * 1000));
        // 22 runs of 1,000 points a request: 12 per metric for 260 runs (planned per page, it
        // would be 5 + 8).
        QCOMPARE(requestsFor(server.stats(), "get-history-bulk"), 24);
        QCOMPARE(requestsFor(server.stats(), "/api/2.0/mlflow/metrics/get-history"), 0);
        QCOMPARE(report->bulkRequests, 24);
    }

    void bulkHistoriesAreWholeOrFetchedAgain_data()
    {
        QTest::addColumn<QStringList>("serverArgs");
        QTest::addColumn<QString>("faultKind");
        QTest::addColumn<QString>("expect");
        QTest::newRow("every answer under the cap") << QStringList() << "" << "bulk";
        // A server whose cut comes sooner than the client plans for: cut histories and the
        // runs after them are fetched again one by one.
        QTest::newRow("a server that cuts at 3,000 points")
            << QStringList{QStringLiteral("--bulk-max-points"), QStringLiteral("3000")} << ""
            << "mixed";
        QTest::newRow("no bulk route (an HTML page)") << QStringList() << "html" << "single";
        QTest::newRow("bulk route fails (500)") << QStringList() << "500" << "single";
    }

    void bulkHistoriesAreWholeOrFetchedAgain()
    {
        QFETCH(QStringList, serverArgs);
        QFETCH(QString, faultKind);
        QFETCH(QString, expect);
        TestServer server(QStringList{QStringLiteral("--generate"),
                                      QStringLiteral("experiments=1,runs=70,metrics=2,steps=1000,seed=5")}
                          + serverArgs);
        QVERIFY(server.isRunning());
        // The reference: every history fetched on its own.
        auto reference = Store::open(newWorkspace());
        QVERIFY(reference.ok());
        {
            MlflowClient client(connectionTo(server), fastRetries());
            SyncEngine engine(**reference, client);
            SyncOptions one;
            one.bulkHistories = false;
            auto r = engine.run(one);
            QVERIFY(r.ok());
            QCOMPARE(r->historiesFetched, 140);
        }
        if (!faultKind.isEmpty())
            server.setFaults({{{"path_contains", "get-history-bulk"},
                               {"kind", faultKind.toStdString()},
                               {"count", -1}}});
        server.resetStats();
        auto store = Store::open(newWorkspace());
        QVERIFY(store.ok());
        MlflowClient client(connectionTo(server), fastRetries());
        SyncEngine engine(**store, client);
        auto report = engine.run();
        QVERIFY2(report.ok(), report.ok() ? "" : report.error().message.c_str());
        QCOMPARE(report->historiesFetched, 140);
        QCOMPARE(report->points, int64_t(140 * 1000));
        QVERIFY(report->warnings.empty());
        const auto stats = server.stats();
        const int singles = requestsFor(stats, "/api/2.0/mlflow/metrics/get-history");
        const int bulk = requestsFor(stats, "get-history-bulk");
        if (expect == QLatin1String("bulk")) {
            QCOMPARE(singles, 0);
            QCOMPARE(bulk, 8); // 22 runs of 1,000 points per request, per key
            QCOMPARE(report->bulkRequests, 8);
        } else if (expect == QLatin1String("mixed")) {
            QVERIFY(bulk > 0);
            QVERIFY2(singles > 0 && singles < 140, qPrintable(QString::number(singles)));
        } else {
            // Tried (by the requests already in flight), then one by one.
            QVERIFY2(bulk >= 1 && bulk <= 8, qPrintable(QString::number(bulk)));
            QCOMPARE(singles, 140);
            QCOMPARE(report->bulkRequests, 0);
        }
        // Bit for bit what the one-by-one client stored.
        for (const auto &[id, info] : (*reference)->allHistoryInfo()) {
            auto a = (*reference)->loadHistory(id.first, id.second);
            auto b = (*store)->loadHistory(id.first, id.second);
            QVERIFY(a.ok() && b.ok());
            QCOMPARE(b->size(), a->size());
            QVERIFY(b->steps == a->steps);
            QVERIFY(b->timestamps == a->timestamps);
            QCOMPARE(std::memcmp(b->values.data(), a->values.data(), a->size() * sizeof(double)), 0);
        }
    }

    void registryChangesAreNoticed()
    {
        TestServer server({QStringLiteral("--fixtures"),
                           QStringLiteral(SIGHTLINE_FIXTURES "/mlflow-2.17.2")});
        QVERIFY(server.isRunning());
        auto store = Store::open(newWorkspace());
        QVERIFY(store.ok());
        MlflowClient client(connectionTo(server), fastRetries());
        SyncEngine engine(**store, client);
        QVERIFY(engine.run().ok());
        QVERIFY(client.setAlias("fraud-classifier", "champion", "3").ok());
        QVERIFY(engine.run().ok());
        for (const auto &v : (*store)->modelVersions("fraud-classifier")) {
            bool isChampion = std::find(v.aliases.begin(), v.aliases.end(), "champion")
                != v.aliases.end();
            QCOMPARE(isChampion, v.version == "3");
        }
    }

    void faults_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("kind");
        QTest::addColumn<int>("count");
        QTest::addColumn<bool>("recovers");
        QTest::addColumn<QString>("message");
        QTest::newRow("503 then ok") << "runs/search" << "503" << 2 << true << "";
        QTest::newRow("429 then ok") << "get-history" << "429" << 3 << true << "";
        QTest::newRow("dropped connection") << "get-history" << "drop" << 2 << true << "";
        QTest::newRow("truncated body") << "experiments/search" << "truncate" << 2 << true << "";
        QTest::newRow("slow reply") << "runs/search" << "slow" << 1 << true << "";
        QTest::newRow("500 html") << "runs/search" << "500" << 1 << false << "HTTP 500";
        QTest::newRow("invalid json") << "runs/search" << "invalid_json" << 1 << false
                                      << "not valid JSON";
        QTest::newRow("html page") << "experiments/search" << "html" << 1 << false << "HTML";
        QTest::newRow("503 forever") << "runs/search" << "503" << 50 << false << "503";
    }

    void faults()
    {
        QFETCH(QString, path);
        QFETCH(QString, kind);
        QFETCH(int, count);
        QFETCH(bool, recovers);
        QFETCH(QString, message);
        TestServer server({QStringLiteral("--generate"),
                           QStringLiteral("experiments=1,runs=12,metrics=2,steps=50,seed=3")});
        QVERIFY(server.isRunning());
        server.setFaults({{{"path_contains", path.toStdString()},
                           {"kind", kind.toStdString()},
                           {"count", count},
                           {"retry_after", 1},
                           {"delay_ms", 300}}});
        auto store = Store::open(newWorkspace());
        QVERIFY(store.ok());
        MlflowClient client(connectionTo(server), fastRetries());
        SyncEngine engine(**store, client);
        auto report = engine.run();
        if (recovers) {
            QVERIFY2(report.ok(), report.ok() ? "" : report.error().message.c_str());
            QCOMPARE(report->runs, 12);
            QCOMPARE(report->historiesFetched, 24);
        } else {
            QVERIFY(!report.ok());
            const QString text = QString::fromStdString(report.error().message);
            QVERIFY2(text.contains(message), qPrintable(text));
            QVERIFY(!text.contains(QLatin1Char('\n')));
            // Nothing half-written: the cache is sound and the next sync completes.
            QCOMPARE(QString::fromStdString((*store)->integrityCheck()), QStringLiteral("ok"));
            server.resetFaults();
            auto again = engine.run();
            QVERIFY2(again.ok(), again.ok() ? "" : again.error().message.c_str());
            QCOMPARE(again->runs, 12);
        }
    }

    // Experiments are listed while the histories of those already listed download: a listing
    // that fails midway stops the sync with its error and keeps what came before it.
    void listingFailsWhileHistoriesDownload()
    {
        TestServer server({QStringLiteral("--generate"),
                           QStringLiteral("experiments=3,runs=60,metrics=2,steps=200,seed=8")});
        QVERIFY(server.isRunning());
        failSecondListing(server);
        auto store = Store::open(newWorkspace());
        QVERIFY(store.ok());
        MlflowClient client(connectionTo(server), fastRetries());
        SyncEngine engine(**store, client);
        std::vector<SyncProgress> progress;
        engine.setProgressCallback([&](const SyncProgress &p) { progress.push_back(p); });
        auto report = engine.run();
        QVERIFY2(failedWithHttp500(report),
                 report.ok() ? "it succeeded" : report.error().message.c_str());
        QCOMPARE(QString::fromStdString((*store)->integrityCheck()), QStringLiteral("ok"));
        // The experiment listed first is in the cache with its histories whole.
        const auto stats = (*store)->stats();
        QVERIFY(stats.runs > 0 && stats.runs < 60);
        for (const auto &[k, info] : (*store)->allHistoryInfo())
            QCOMPARE(info.count, int64_t(200));
        // Progress never went backwards within a phase, and histories had no total while
        // experiments were still being listed.
        for (size_t i = 1; i < progress.size(); ++i)
            if (progress[i].phase == progress[i - 1].phase && progress[i].total == progress[i - 1].total)
                QVERIFY(progress[i].done >= progress[i - 1].done);

        auto again = engine.run();
        QVERIFY2(again.ok(), again.ok() ? "" : again.error().message.c_str());
        QCOMPARE((*store)->stats().runs, int64_t(60));
        QCOMPARE((*store)->stats().histories, int64_t(120));
        QCOMPARE((*store)->stats().points, int64_t(120 * 200));
    }

    // Runs are written page by page as a listing comes (the first page is small, so histories
    // start early), but runs missing from a listing are removed only once its last page came.
    void listingPagesAreTakenAsTheyCome()
    {
        TestServer server({QStringLiteral("--generate"),
                           QStringLiteral("experiments=1,runs=250,metrics=1,steps=50,seed=10")});
        QVERIFY(server.isRunning());
        auto store = Store::open(newWorkspace());
        QVERIFY(store.ok());
        MlflowClient client(connectionTo(server), fastRetries());
        SyncEngine engine(**store, client);
        server.resetStats();
        auto first = engine.run();
        QVERIFY2(first.ok(), first.ok() ? "" : first.error().message.c_str());
        QCOMPARE(first->runs, 250);
        // The experiment in two pages, 100 runs and then the other 150; the empty Default
        // experiment in one.
        QCOMPARE(requestsFor(server.stats(), "runs/search"), 3);
        QCOMPARE((*store)->stats().histories, int64_t(250));

        // A full listing whose second page fails: nothing is removed, nothing is lost.
        failSecondListing(server);
        SyncOptions full;
        full.full = true;
        auto broken = engine.run(full);
        QVERIFY2(failedWithHttp500(broken),
                 broken.ok() ? "it succeeded" : broken.error().message.c_str());
        QCOMPARE(QString::fromStdString((*store)->integrityCheck()), QStringLiteral("ok"));
        QCOMPARE((*store)->stats().runs, int64_t(250));
        QCOMPARE((*store)->stats().histories, int64_t(250));
        server.resetFaults();
        auto again = engine.run(full);
        QVERIFY2(again.ok(), again.ok() ? "" : again.error().message.c_str());
        QCOMPARE(again->runs, 250);
        QCOMPARE(again->runsRemoved, 0);
    }

    // One request in flight means one: experiments are then listed before any history is asked
    // for, not beside the downloads. A listing that fails still stops the sync cleanly.
    void oneRequestAtATimeIsStrict()
    {
        TestServer server({QStringLiteral("--generate"),
                           QStringLiteral("experiments=3,runs=30,metrics=2,steps=100,seed=9")});
        QVERIFY(server.isRunning());
        SyncOptions options;
        options.maxInFlight = 1;
        options.bulkHistories = false;
        {
            auto store = Store::open(newWorkspace());
            QVERIFY(store.ok());
            MlflowClient client(connectionTo(server), fastRetries());
            SyncEngine engine(**store, client);
            server.resetStats();
            auto report = engine.run(options);
            QVERIFY2(report.ok(), report.ok() ? "" : report.error().message.c_str());
            QCOMPARE(report->historiesFetched, 60);
            const auto stats = server.stats();
            QCOMPARE(stats.value("max_in_flight", 0), 1);
            QCOMPARE(requestsFor(stats, "get-history"), 60);
        }
        failSecondListing(server);
        auto store = Store::open(newWorkspace());
        QVERIFY(store.ok());
        MlflowClient client(connectionTo(server), fastRetries());
        SyncEngine engine(**store, client);
        server.resetStats();
        auto report = engine.run(options);
        QVERIFY2(failedWithHttp500(report),
                 report.ok() ? "it succeeded" : report.error().message.c_str());
        // No history was asked for: the second listing failed before any was.
        QCOMPARE(requestsFor(server.stats(), "get-history"), 0);
        QCOMPARE(QString::fromStdString((*store)->integrityCheck()), QStringLiteral("ok"));
        server.resetFaults();
        auto again = engine.run(options);
        QVERIFY2(again.ok(), again.ok() ? "" : again.error().message.c_str());
        QCOMPARE((*store)->stats().points, int64_t(60 * 100));
    }

    void unreachableServerIsOneClearError()
    {
        auto store = Store::open(newWorkspace());
        QVERIFY(store.ok());
        MlflowConnection c;
        c.baseUrl = "http://127.0.0.1:9"; // discard port: nothing listens
        HttpOptions o = fastRetries();
        o.maxRetries = 1;
        MlflowClient client(c, o);
        SyncEngine engine(**store, client);
        auto report = engine.run();
        QVERIFY(!report.ok());
        QCOMPARE(QString::fromStdString(report.error().code), QStringLiteral("network"));
    }

    void cancelStopsQuickly()
    {
        TestServer server({QStringLiteral("--generate"),
                           QStringLiteral("experiments=1,runs=40,metrics=2,steps=100,seed=5")});
        QVERIFY(server.isRunning());
        server.setFaults({{{"path_contains", "get-history"}, {"kind", "slow"}, {"count", 1000},
                           {"delay_ms", 2000}}});
        auto store = Store::open(newWorkspace());
        QVERIFY(store.ok());
        MlflowClient client(connectionTo(server), fastRetries());
        SyncEngine engine(**store, client);
        std::thread canceller([&] {
            std::this_thread::sleep_for(std::chrono::milliseconds(800));
            engine.cancel();
        });
        QElapsedTimer t;
        t.start();
        auto report = engine.run();
        canceller.join();
        QVERIFY(!report.ok());
        QCOMPARE(QString::fromStdString(report.error().code), QStringLiteral("cancelled"));
        QVERIFY2(t.elapsed() < 2500, qPrintable(QString::number(t.elapsed())));
        QCOMPARE(QString::fromStdString((*store)->integrityCheck()), QStringLiteral("ok"));
    }

    void killedMidSyncThenResyncCompletes()
    {
        const QString spec = QStringLiteral("experiments=2,runs=150,metrics=3,steps=500,seed=11");
        TestServer server({QStringLiteral("--generate"), spec});
        QVERIFY(server.isRunning());
        // Slow the histories down so the kill lands in the middle of them.
        server.setFaults({{{"path_contains", "get-history"}, {"kind", "slow"}, {"count", 100000},
                           {"delay_ms", 40}}});
        const std::string ws = newWorkspace();
        int interrupted = 0;
        for (int attempt = 0; attempt < 3; ++attempt) {
            QProcess sync;
            sync.start(QStringLiteral(SIGHTLINE_BINARY),
                       {QStringLiteral("sync"), QStringLiteral("--server"),
                        QString::fromStdString(server.url()), QStringLiteral("--workspace"),
                        QString::fromStdString(ws), QStringLiteral("--quiet")});
            QVERIFY(sync.waitForStarted());
            QTest::qWait(500 + 400 * attempt);
            const qint64 pid = sync.processId();
            if (pid > 0 && sync.state() == QProcess::Running) {
                ::kill(static_cast<pid_t>(pid), SIGKILL);
                ++interrupted;
            }
            sync.waitForFinished(5000);
            auto store = Store::open(ws, Store::Mode::ReadOnly);
            QVERIFY2(store.ok(), store.ok() ? "" : store.error().message.c_str());
            QCOMPARE(QString::fromStdString((*store)->integrityCheck()), QStringLiteral("ok"));
        }
        QVERIFY(interrupted > 0);
        server.resetFaults();
        QProcess sync;
        sync.start(QStringLiteral(SIGHTLINE_BINARY),
                   {QStringLiteral("sync"), QStringLiteral("--server"),
                    QString::fromStdString(server.url()), QStringLiteral("--workspace"),
                    QString::fromStdString(ws), QStringLiteral("--quiet")});
        QVERIFY(sync.waitForFinished(120000));
        QCOMPARE(sync.exitCode(), 0);
        auto store = Store::open(ws, Store::Mode::ReadOnly);
        QVERIFY(store.ok());
        auto stats = (*store)->stats();
        QCOMPARE(stats.runs, int64_t(150));
        QCOMPARE(stats.histories, int64_t(450));
        QCOMPARE(stats.points, int64_t(450 * 500));
        for (const auto &[k, info] : (*store)->allHistoryInfo())
            QCOMPARE(info.count, int64_t(500));
        store->reset();

        // --full lists every run again: nothing fetched twice, nothing duplicated.
        server.resetStats();
        QProcess full;
        full.start(QStringLiteral(SIGHTLINE_BINARY),
                   {QStringLiteral("sync"), QStringLiteral("--server"),
                    QString::fromStdString(server.url()), QStringLiteral("--workspace"),
                    QString::fromStdString(ws), QStringLiteral("--full"), QStringLiteral("--quiet")});
        QVERIFY(full.waitForFinished(120000));
        QCOMPARE(full.exitCode(), 0);
        QVERIFY(sightline::test::requestsFor(server.stats(), "runs/search") > 0);
        QCOMPARE(sightline::test::requestsFor(server.stats(), "get-history"), 0);
        auto again = Store::open(ws, Store::Mode::ReadOnly);
        QVERIFY(again.ok());
        QCOMPARE((*again)->stats().runs, int64_t(150));
        QCOMPARE((*again)->stats().points, int64_t(450 * 500));
    }
};

QTEST_GUILESS_MAIN(TestSync)
#include "tst_sync.moc"
