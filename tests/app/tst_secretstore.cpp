// SPDX-License-Identifier: GPL-3.0-or-later
// Tests of SecretStore: the session-only store, and the fall-back to it with a clear reason
// when no keychain service runs (as on a machine without a D-Bus session).
#include "secretstore.h"

#include <QSignalSpy>
#include <QtTest>

using namespace sightline;

class TestSecretStore : public QObject {
    Q_OBJECT

private slots:
    void sessionOnly();
    void fallsBackWithoutKeychain();
};

void TestSecretStore::sessionOnly()
{
    SecretStore store(SecretStore::Backend::SessionOnly);
    QVERIFY(store.isSessionOnly());
    QVERIFY(!store.fallbackReason().isEmpty());
    QSignalSpy written(&store, &SecretStore::secretWritten);
    QSignalSpy read(&store, &SecretStore::secretRead);
    QSignalSpy removed(&store, &SecretStore::secretRemoved);

    store.writeSecret(QStringLiteral("team"), QStringLiteral("token-1"));
    QCOMPARE(written.count(), 0); // always asynchronous
    QVERIFY(written.wait(1000));
    QCOMPARE(written.first().at(1).toBool(), false);

    store.readSecret(QStringLiteral("team"));
    QVERIFY(read.wait(1000));
    QCOMPARE(read.last().at(1).toString(), QStringLiteral("token-1"));
    QCOMPARE(read.last().at(2).toBool(), true);

    store.removeSecret(QStringLiteral("team"));
    QVERIFY(removed.wait(1000));
    store.readSecret(QStringLiteral("team"));
    QVERIFY(read.wait(1000));
    QCOMPARE(read.last().at(2).toBool(), false);
}

void TestSecretStore::fallsBackWithoutKeychain()
{
    if (!qEnvironmentVariableIsEmpty("DBUS_SESSION_BUS_ADDRESS"))
        QSKIP("A D-Bus session is running; the real keychain is not touched by tests");
    SecretStore store;
    QSignalSpy written(&store, &SecretStore::secretWritten);
    QSignalSpy fallback(&store, &SecretStore::fallbackActivated);
    store.writeSecret(QStringLiteral("sightline-test"), QStringLiteral("token-2"));
    QVERIFY(written.wait(30000));
    QCOMPARE(written.first().at(1).toBool(), false);
    QCOMPARE(fallback.count(), 1);
    QVERIFY(store.isSessionOnly());
    QCOMPARE(store.fallbackReason(),
             QStringLiteral("No keychain service is running: the token is kept for this session "
                            "only."));
    // The secret is still there for this session.
    QSignalSpy read(&store, &SecretStore::secretRead);
    store.readSecret(QStringLiteral("sightline-test"));
    QVERIFY(read.wait(1000));
    QCOMPARE(read.first().at(1).toString(), QStringLiteral("token-2"));
}

QTEST_GUILESS_MAIN(TestSecretStore)
#include "tst_secretstore.moc"
