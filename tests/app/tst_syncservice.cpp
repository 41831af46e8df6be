// SPDX-License-Identifier: GPL-3.0-or-later
// Tests of SyncService: failures and cancellation arrive as signals, and destroying the service
// during a sync neither hangs nor crashes.
#include "syncservice.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace sightline;

class TestSyncService : public QObject {
    Q_OBJECT

private slots:
    void reportsAnUnreachableServer();
    void cancels();
    void destroyedWhileRunning();
    void reportsAnUnwritableWorkspace();

private:
    static MlflowConnection unreachable();
    QTemporaryDir m_dir;
};

MlflowConnection TestSyncService::unreachable()
{
    MlflowConnection c;
    c.name = "unreachable";
    c.baseUrl = "http://127.0.0.1:9";
    c.auth.kind = HttpAuth::Kind::Bearer;
    c.auth.token = "never-shown-token";
    return c;
}

void TestSyncService::reportsAnUnreachableServer()
{
    SyncService service;
    QSignalSpy finished(&service, &SyncService::finished);
    QSignalSpy started(&service, &SyncService::started);
    QVERIFY(service.start(m_dir.filePath(QStringLiteral("a.sqlite")), unreachable()));
    QCOMPARE(started.count(), 1);
    QVERIFY(service.isRunning());
    QVERIFY(!service.start(m_dir.filePath(QStringLiteral("a.sqlite")), unreachable()));
    QVERIFY(finished.wait(60000));
    QVERIFY(!service.isRunning());
    QCOMPARE(finished.first().at(0).toBool(), false);
    const QString message = finished.first().at(1).toString();
    QVERIFY(!message.isEmpty());
    QVERIFY(!message.contains(QStringLiteral("never-shown-token")));
    QCOMPARE(finished.first().at(3).toString(), QStringLiteral("network"));
}

void TestSyncService::cancels()
{
    SyncService service;
    QSignalSpy finished(&service, &SyncService::finished);
    QVERIFY(service.start(m_dir.filePath(QStringLiteral("b.sqlite")), unreachable()));
    service.cancel();
    QVERIFY(finished.wait(60000));
    QCOMPARE(finished.first().at(0).toBool(), false);
    QCOMPARE(finished.first().at(3).toString(), QStringLiteral("cancelled"));
    // It can run again afterwards.
    QVERIFY(service.start(m_dir.filePath(QStringLiteral("b.sqlite")), unreachable()));
    service.cancel();
    QVERIFY(finished.wait(60000));
}

void TestSyncService::destroyedWhileRunning()
{
    QElapsedTimer timer;
    timer.start();
    {
        SyncService service;
        QVERIFY(service.start(m_dir.filePath(QStringLiteral("c.sqlite")), unreachable()));
    }
    QVERIFY(timer.elapsed() < 30000);
}

void TestSyncService::reportsAnUnwritableWorkspace()
{
    SyncService service;
    QSignalSpy finished(&service, &SyncService::finished);
    QVERIFY(service.start(m_dir.filePath(QStringLiteral("no/such/dir/d.sqlite")), unreachable()));
    QVERIFY(finished.wait(60000));
    QCOMPARE(finished.first().at(0).toBool(), false);
    QVERIFY(!finished.first().at(1).toString().isEmpty());
}

QTEST_GUILESS_MAIN(TestSyncService)
#include "tst_syncservice.moc"
