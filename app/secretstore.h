// SPDX-License-Identifier: GPL-3.0-or-later
// SecretStore: keeps a connection's token or password in the OS keychain (Qt6Keychain). Where
// no keychain service runs, secrets are kept in memory for this session only, and
// fallbackReason() says so in a sentence the UI can show. Secrets never go to QSettings, the
// SQLite cache or logs.
#pragma once

#include <QHash>
#include <QObject>
#include <QString>

namespace sightline {

class SecretStore : public QObject {
    Q_OBJECT

public:
    enum class Backend {
        Keychain,    // the OS keychain, falling back to memory when it is not available
        SessionOnly, // memory only (tests, kiosk screens without a keychain)
    };

    explicit SecretStore(QObject *parent = nullptr);
    explicit SecretStore(Backend backend, QObject *parent = nullptr);
    ~SecretStore() override;

    // Asynchronous; each call ends with exactly one of the signals below, queued.
    void writeSecret(const QString &connectionName, const QString &secret);
    void readSecret(const QString &connectionName);
    void removeSecret(const QString &connectionName);

    // True once secrets are kept in memory only; fallbackReason() then says why.
    bool isSessionOnly() const { return m_sessionOnly; }
    QString fallbackReason() const { return m_fallbackReason; }

    // The keychain service name under which entries are kept.
    static QString serviceName();

signals:
    // `persistent` is false when the secret is kept for this session only.
    void secretWritten(const QString &connectionName, bool persistent);
    void secretRead(const QString &connectionName, const QString &secret, bool found);
    void secretRemoved(const QString &connectionName);
    // The keychain could not be used; from now on secrets are kept for this session only.
    void fallbackActivated(const QString &reason);

private:
    static QString keyFor(const QString &connectionName);
    void fallBack(int keychainError);

    QHash<QString, QString> m_session; // connection name -> secret, this session only
    bool m_sessionOnly = false;
    QString m_fallbackReason;
};

} // namespace sightline
