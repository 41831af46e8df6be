// SPDX-License-Identifier: GPL-3.0-or-later
#include "secretstore.h"

#include <qt6keychain/keychain.h>

namespace sightline {

SecretStore::SecretStore(QObject *parent) : SecretStore(Backend::Keychain, parent) {}

SecretStore::SecretStore(Backend backend, QObject *parent)
    : QObject(parent), m_sessionOnly(backend == Backend::SessionOnly)
{
    if (m_sessionOnly)
        m_fallbackReason = tr("Secrets are kept for this session only.");
}

SecretStore::~SecretStore() = default;

QString SecretStore::serviceName()
{
    return QStringLiteral("Sightline");
}

QString SecretStore::keyFor(const QString &connectionName)
{
    return QStringLiteral("mlflow/") + connectionName;
}

void SecretStore::fallBack(int keychainError)
{
    if (m_sessionOnly)
        return;
    m_sessionOnly = true;
    m_fallbackReason = keychainError == QKeychain::AccessDeniedByUser
            || keychainError == QKeychain::AccessDenied
        ? tr("Access to the keychain was refused: the token is kept for this session only.")
        : tr("No keychain service is running: the token is kept for this session only.");
    emit fallbackActivated(m_fallbackReason);
}

void SecretStore::writeSecret(const QString &connectionName, const QString &secret)
{
    m_session.insert(connectionName, secret);
    if (m_sessionOnly) {
        QMetaObject::invokeMethod(
            this, [this, connectionName] { emit secretWritten(connectionName, false); },
            Qt::QueuedConnection);
        return;
    }
    auto *job = new QKeychain::WritePasswordJob(serviceName(), this);
    job->setAutoDelete(true);
    job->setInsecureFallback(false); // never a plain-text file
    job->setKey(keyFor(connectionName));
    job->setTextData(secret);
    connect(job, &QKeychain::Job::finished, this, [this, connectionName](QKeychain::Job *done) {
        if (done->error() == QKeychain::NoError) {
            emit secretWritten(connectionName, true);
            return;
        }
        // The error text may name the backend, never the secret; it is not logged anyway.
        fallBack(done->error());
        emit secretWritten(connectionName, false);
    });
    job->start();
}

void SecretStore::readSecret(const QString &connectionName)
{
    auto it = m_session.constFind(connectionName);
    if (it != m_session.constEnd() || m_sessionOnly) {
        const bool found = it != m_session.constEnd();
        const QString secret = found ? *it : QString();
        QMetaObject::invokeMethod(
            this, [this, connectionName, secret, found] {
                emit secretRead(connectionName, secret, found);
            },
            Qt::QueuedConnection);
        return;
    }
    auto *job = new QKeychain::ReadPasswordJob(serviceName(), this);
    job->setAutoDelete(true);
    job->setInsecureFallback(false);
    job->setKey(keyFor(connectionName));
    connect(job, &QKeychain::Job::finished, this, [this, connectionName](QKeychain::Job *done) {
        auto *read = static_cast<QKeychain::ReadPasswordJob *>(done);
        switch (read->error()) {
        case QKeychain::NoError:
            emit secretRead(connectionName, read->textData(), true);
            return;
        case QKeychain::EntryNotFound:
            emit secretRead(connectionName, QString(), false);
            return;
        default:
            fallBack(read->error());
            emit secretRead(connectionName, QString(), false);
            return;
        }
    });
    job->start();
}

void SecretStore::removeSecret(const QString &connectionName)
{
    m_session.remove(connectionName);
    if (m_sessionOnly) {
        QMetaObject::invokeMethod(
            this, [this, connectionName] { emit secretRemoved(connectionName); },
            Qt::QueuedConnection);
        return;
    }
    auto *job = new QKeychain::DeletePasswordJob(serviceName(), this);
    job->setAutoDelete(true);
    job->setInsecureFallback(false);
    job->setKey(keyFor(connectionName));
    connect(job, &QKeychain::Job::finished, this, [this, connectionName](QKeychain::Job *done) {
        if (done->error() != QKeychain::NoError && done->error() != QKeychain::EntryNotFound)
            fallBack(done->error());
        emit secretRemoved(connectionName);
    });
    job->start();
}

} // namespace sightline
