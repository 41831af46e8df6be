// SPDX-License-Identifier: GPL-3.0-or-later
// The compare pane's live tail against the MLflow test server: a refresh of a few runs fetches
// exactly the histories that grew, nothing when nothing changed, notices finished, deleted and
// vanished runs, passes the server's Retry-After on; the service never refreshes during a sync;
// LiveTail slows down while nothing changes, speeds up on news and stops when every run ended.
#include "livetail.h"
#include "mlflow/client.h"
#include "store/store.h"
#include "sync/syncengine.h"
#include "syncservice.h"
#include "testserver.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <memory>

using namespace sightline;
using sightline::test::TestServer;
using sightline::test::connectionTo;
using sightline::test::requestsFor;

namespace {

HttpOptions noRetries()
{
    HttpOptions o;
    o.maxRetries = 0;
    o.totalTimeoutMs = 20000;
    return o;
}

using Pairs = std::vector<std::pair<std::string, std::string>>;

} // namespace

class TestLiveTail : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<TestServer> m_server;
    std::string m_path;
    std::string m_runA;    // RUNNING, grows
    std::string m_runB;    // RUNNING, finishes
    std::string m_done;    // FINISHED, then deleted, then gone
    std::string m_keyA;    // a metric of m_runA

    nlohmann::json mutate(nlohmann::json body)
    {
        auto answer = m_server->control("POST", "/__control/mutate", body);
        if (!answer.contains("run"))
            qWarning("mutate failed: %s", answer.dump().c_str());
        return answer;
    }
    std::unique_ptr<Store> openStore()
    {
        auto store = Store::open(m_path);
        return store ? std::move(*store) : nullptr;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_server = std::make_unique<TestServer>(QStringList{
            QStringLiteral("--generate"),
            QStringLiteral("experiments=1,runs=200,metrics=3,steps=100,params=2,seed=11")});
        QVERIFY2(m_server->isRunning(), "the test server did not start");
        m_path = m_dir.filePath(QStringLiteral("tail.sqlite")).toStdString();
        auto store = openStore();
        QVERIFY(store);
        MlflowClient client(connectionTo(*m_server), noRetries());
        SyncEngine engine(*store, client);
        auto first = engine.run();
        QVERIFY2(first.ok(), first.ok() ? "" : first.error().message.c_str());
        for (const auto &r : store->runRecords()) {
            if (r.run.metrics.empty())
                continue;
            if (r.run.status == "RUNNING" && m_runA.empty())
                m_runA = r.run.runId;
            else if (r.run.status == "RUNNING" && m_runB.empty())
                m_runB = r.run.runId;
            else if (r.run.status == "FINISHED" && m_done.empty())
                m_done = r.run.runId;
        }
        QVERIFY2(!m_runA.empty() && !m_runB.empty() && !m_done.empty(),
                 "the generated workspace needs two RUNNING runs and a FINISHED one");
        m_keyA = store->run(m_runA)->metrics.front().key;
    }

    void refreshFetchesExactlyTheHistoryThatGrew()
    {
        auto store = openStore();
        MlflowClient client(connectionTo(*m_server), noRetries());
        SyncEngine engine(*store, client);
        const size_t before = store->loadHistory(m_runA, m_keyA)->size();
        mutate({{"op", "extend"}, {"run_id", m_runA}, {"key", m_keyA}, {"steps", 5}});
        m_server->resetStats();
        auto report = engine.refreshRuns({m_runA, m_runB, m_done, m_runA});
        QVERIFY2(report.ok(), report.ok() ? "" : report.error().message.c_str());
        QCOMPARE(report->changedHistories, (Pairs{{m_runA, m_keyA}}));
        QVERIFY(report->statusChanged.empty());
        QVERIFY(report->notFound.empty());
        QVERIFY(report->throttled.empty());
        QCOMPARE(report->retryAfterMs, int64_t(-1));
        QCOMPARE(report->runs, 3);
        QCOMPARE(report->historiesFetched, 1);
        QCOMPARE(report->historiesSkipped, 8);
        QCOMPARE(report->requests, uint64_t(4));
        const auto stats = m_server->stats();
        QCOMPARE(requestsFor(stats, "runs/get"), 3);
        QCOMPARE(requestsFor(stats, "get-history"), 1);
        // The cache holds the new points, exactly as the server has them.
        auto cached = store->loadHistory(m_runA, m_keyA);
        QVERIFY(cached.ok());
        QCOMPARE(cached->size(), before + 5);
        auto direct = client.getHistory(m_runA, m_keyA);
        QVERIFY(direct.ok());
        QVERIFY(cached->steps == direct->steps);
        QCOMPARE(cached->values.back(), direct->values.back());
        QCOMPARE(store->run(m_runA)->metric(m_keyA)->step, direct->steps.back());
    }

    void nothingChangedFetchesNoHistory()
    {
        auto store = openStore();
        MlflowClient client(connectionTo(*m_server), noRetries());
        SyncEngine engine(*store, client);
        m_server->resetStats();
        auto report = engine.refreshRuns({m_runA, m_runB, m_done});
        QVERIFY(report.ok());
        QVERIFY(report->changedHistories.empty());
        QVERIFY(report->statusChanged.empty());
        QCOMPARE(report->historiesFetched, 0);
        QCOMPARE(report->historiesSkipped, 9);
        QCOMPARE(report->requests, uint64_t(3));
        QCOMPARE(requestsFor(m_server->stats(), "get-history"), 0);
        QCOMPARE(requestsFor(m_server->stats(), "runs/get"), 3);
        // No runs, no requests.
        auto none = engine.refreshRuns({});
        QVERIFY(none.ok());
        QCOMPARE(none->requests, uint64_t(0));
    }

    void statusChangesDeletionsAndVanishedRuns()
    {
        auto store = openStore();
        MlflowClient client(connectionTo(*m_server), noRetries());
        SyncEngine engine(*store, client);
        mutate({{"op", "set_status"}, {"run_id", m_runB}, {"status", "FINISHED"}});
        mutate({{"op", "delete_run"}, {"run_id", m_done}});
        auto report = engine.refreshRuns({m_runA, m_runB, m_done});
        QVERIFY(report.ok());
        QCOMPARE(report->statusChanged, std::vector<std::string>{m_runB});
        QCOMPARE(report->deleted, std::vector<std::string>{m_done});
        QVERIFY(report->changedHistories.empty());
        QCOMPARE(QString::fromStdString(store->run(m_runB)->status), QStringLiteral("FINISHED"));
        QVERIFY(store->run(m_runB)->endTime > 0);
        QCOMPARE(QString::fromStdString(store->run(m_done)->lifecycleStage),
                 QStringLiteral("deleted"));

        mutate({{"op", "purge_run"}, {"run_id", m_done}});
        auto gone = engine.refreshRuns({m_runA, m_done});
        QVERIFY(gone.ok());
        QCOMPARE(gone->notFound, std::vector<std::string>{m_done});
        QVERIFY(!store->run(m_done).has_value());
        QVERIFY(!store->historyInfo(m_done, m_keyA).has_value());
        QCOMPARE(QString::fromStdString(store->integrityCheck()), QStringLiteral("ok"));
    }

    void retryAfterIsReported()
    {
        auto store = openStore();
        MlflowClient client(connectionTo(*m_server), noRetries());
        SyncEngine engine(*store, client);
        // runs/get refused: not an error, the run waits for the next refresh.
        m_server->setFaults(
            {{{"path_contains", "runs/get"}, {"kind", "429"}, {"count", -1}, {"retry_after", 7}}});
        auto refused = engine.refreshRuns({m_runA});
        m_server->resetFaults();
        QVERIFY2(refused.ok(), refused.ok() ? "" : refused.error().message.c_str());
        QCOMPARE(refused->throttled, std::vector<std::string>{m_runA});
        QCOMPARE(refused->retryAfterMs, int64_t(7000));
        QCOMPARE(refused->runs, 0);

        // A refused history is fetched by the next refresh: what the cache saw did not move.
        mutate({{"op", "extend"}, {"run_id", m_runA}, {"key", m_keyA}, {"steps", 3}});
        m_server->setFaults({{{"path_contains", "get-history"},
                              {"kind", "429"},
                              {"count", -1},
                              {"retry_after", 3}}});
        auto history = engine.refreshRuns({m_runA});
        m_server->resetFaults();
        QVERIFY(history.ok());
        QVERIFY(history->changedHistories.empty());
        QCOMPARE(history->warnings.size(), size_t(1));
        QCOMPARE(history->retryAfterMs, int64_t(3000));
        auto again = engine.refreshRuns({m_runA});
        QVERIFY(again.ok());
        QCOMPARE(again->changedHistories, (Pairs{{m_runA, m_keyA}}));
        QCOMPARE(again->retryAfterMs, int64_t(-1));

        // A server that is gone is an error, for the tail to back off harder.
        m_server->setFaults({{{"path_contains", "runs/get"}, {"kind", "drop"}, {"count", -1}}});
        auto dropped = engine.refreshRuns({m_runA});
        m_server->resetFaults();
        QVERIFY(!dropped.ok());
        QCOMPARE(QString::fromStdString(dropped.error().code), QStringLiteral("network"));
    }

    void serviceRefreshesButNeverDuringASync()
    {
        SyncService service;
        QSignalSpy refreshed(&service, &SyncService::runsRefreshed);
        QSignalSpy skipped(&service, &SyncService::refreshSkipped);
        const QString path = QString::fromStdString(m_path);
        const QString runA = QString::fromStdString(m_runA);
        QVERIFY(!service.hasTarget());
        QVERIFY(!service.refreshRuns({runA}));
        QVERIFY(skipped.wait(5000));
        QVERIFY(skipped.takeFirst().at(0).toString().contains(QStringLiteral("no server")));

        service.setTarget(path, connectionTo(*m_server));
        mutate({{"op", "extend"}, {"run_id", m_runA}, {"key", m_keyA}, {"steps", 2}});
        QVERIFY(service.refreshRuns({runA}));
        QVERIFY(service.isRefreshing());
        QVERIFY(!service.refreshRuns({runA})); // one at a time
        QVERIFY(refreshed.wait(20000));
        QCOMPARE(refreshed.count(), 1);
        QCOMPARE(skipped.count(), 1);
        QVERIFY(skipped.takeFirst().at(0).toString().contains(QStringLiteral("another")));
        const auto done = refreshed.takeFirst();
        QVERIFY2(done.at(0).toBool(), qPrintable(done.at(1).toString()));
        const auto changed = done.at(2).value<QList<QPair<QString, QString>>>();
        QCOMPARE(changed.size(), 1);
        QCOMPARE(changed.first().first, runA);
        QCOMPARE(changed.first().second, QString::fromStdString(m_keyA));
        QCOMPARE(done.at(4).toLongLong(), qint64(-1));
        QVERIFY(!service.isRefreshing());

        // A sync holds the worker: a refresh asked for meanwhile is skipped, and says so.
        m_server->setFaults({{{"path_contains", "experiments/search"},
                              {"kind", "slow"},
                              {"delay_ms", 800},
                              {"count", 1}}});
        QSignalSpy finished(&service, &SyncService::finished);
        QVERIFY(service.start(path, connectionTo(*m_server)));
        QVERIFY(!service.refreshRuns({runA}));
        QVERIFY(skipped.wait(5000));
        QVERIFY(skipped.takeFirst().at(0).toString().contains(QStringLiteral("a sync is running")));
        QVERIFY(finished.wait(60000));
        QCOMPARE(refreshed.count(), 0);
        QVERIFY(finished.first().at(0).toBool());
        QVERIFY(service.refreshRuns({runA})); // and works again afterwards
        QVERIFY(refreshed.wait(20000));
        QVERIFY(refreshed.first().at(0).toBool());
    }

    void destroyedDuringARefresh()
    {
        m_server->setFaults({{{"path_contains", "runs/get"},
                              {"kind", "slow"},
                              {"delay_ms", 5000},
                              {"count", 1}}});
        QElapsedTimer timer;
        timer.start();
        {
            SyncService service;
            service.setTarget(QString::fromStdString(m_path), connectionTo(*m_server));
            QVERIFY(service.refreshRuns({QString::fromStdString(m_runA)}));
            QTest::qWait(300); // under way
        }
        QVERIFY2(timer.elapsed() < 4000, "the refresh was not cancelled");
        m_server->resetFaults();
    }

    void liveTailBacksOffFollowsAndStops()
    {
        SyncService service;
        service.setTarget(QString::fromStdString(m_path), connectionTo(*m_server));
        TailPolicyOptions fast;
        fast.minIntervalMs = 100;
        fast.maxIntervalMs = 800;
        fast.growth = 2.0;
        fast.maxErrorIntervalMs = 1600;
        LiveTail tail(&service, fast);
        QVERIFY(!tail.isActive());
        QCOMPARE(tail.nextPollMs(), qint64(-1));
        tail.start(); // no runs yet: nothing to follow
        QVERIFY(!tail.isActive());
        QVERIFY(tail.stateText().contains(QStringLiteral("no running runs")));

        // The tail's own slot runs first (it connected first): the policy is up to date here.
        std::vector<int64_t> intervals;
        std::vector<int64_t> delays;
        connect(&service, &SyncService::runsRefreshed, this, [&] {
            intervals.push_back(tail.policy().intervalMs());
            delays.push_back(tail.policy().nextDelayMs());
        });
        QSignalSpy histories(&tail, &LiveTail::historiesChanged);
        QSignalSpy finished(&tail, &LiveTail::runsFinished);
        QSignalSpy states(&tail, &LiveTail::stateChanged);

        const QString runA = QString::fromStdString(m_runA);
        tail.setRuns({runA, runA, QString()});
        QCOMPARE(tail.runs(), QStringList{runA});
        tail.start();
        QVERIFY(tail.isActive());
        QVERIFY2(tail.nextPollMs() > 0 && tail.nextPollMs() <= 100,
                 qPrintable(QString::number(tail.nextPollMs()) + tail.stateText()));
        QVERIFY(tail.stateText().startsWith(QStringLiteral("Live: next refresh in")));

        // Nothing changes: the pace halves each time, down to the cap.
        QTRY_VERIFY_WITH_TIMEOUT(intervals.size() >= 4, 20000);
        QCOMPARE(intervals[0], int64_t(200));
        QCOMPARE(intervals[1], int64_t(400));
        QCOMPARE(intervals[2], int64_t(800));
        QCOMPARE(intervals[3], int64_t(800));
        QCOMPARE(histories.count(), 0);

        // News: the grown history is announced and the pace is back to the fastest.
        mutate({{"op", "extend"}, {"run_id", m_runA}, {"key", m_keyA}, {"steps", 4}});
        QVERIFY(histories.wait(20000));
        const auto changed = histories.first().at(0).value<QList<QPair<QString, QString>>>();
        QCOMPARE(changed.size(), 1);
        QCOMPARE(changed.first(), qMakePair(runA, QString::fromStdString(m_keyA)));
        QCOMPARE(intervals.back(), int64_t(100));
        QCOMPARE(openStore()->loadHistory(m_runA, m_keyA)->steps.back(),
                 int64_t(openStore()->run(m_runA)->metric(m_keyA)->step));

        // The server refuses with Retry-After: 1 s: the next refresh is no sooner.
        m_server->setFaults(
            {{{"path_contains", "runs/get"}, {"kind", "429"}, {"count", -1}, {"retry_after", 1}}});
        // (A refresh already under way may still come back unrefused.)
        QTRY_VERIFY_WITH_TIMEOUT(delays.back() == 1000, 20000);
        m_server->resetFaults();
        QVERIFY(tail.nextPollMs() > 800);
        QVERIFY(tail.stateText().contains(QStringLiteral("asked to wait")));

        // The run finishes: announced, and the tail stops with nothing left to follow.
        mutate({{"op", "set_status"}, {"run_id", m_runA}, {"status", "FINISHED"}});
        QVERIFY(finished.wait(20000));
        QCOMPARE(finished.first().at(0).toStringList(), QStringList{runA});
        QVERIFY(!tail.isActive());
        QVERIFY(tail.runs().isEmpty());
        QCOMPARE(tail.nextPollMs(), qint64(-1));
        QVERIFY(tail.stateText().contains(QStringLiteral("finished")));
        QVERIFY(states.count() >= 5);
        tail.stop();
        QCOMPARE(tail.stateText(), QStringLiteral("Live: off"));
    }

    void cleanupTestCase() { m_server.reset(); }
};

QTEST_GUILESS_MAIN(TestLiveTail)
#include "tst_livetail.moc"
