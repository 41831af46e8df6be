// SPDX-License-Identifier: GPL-3.0-or-later
// SyncService: runs a SyncEngine for the GUI on its own thread. The worker opens its own
// read-write Store and its own MlflowClient, reports progress as signals and can be cancelled
// at any time; the service's destructor cancels a running sync and joins the thread.
#pragma once

#include "mlflow/client.h"
#include "sync/syncengine.h"

#include <QObject>
#include <QString>
#include <QThread>

#include <memory>

namespace sightline {

class SyncWorker;
struct SyncCancelState;

class SyncService : public QObject {
    Q_OBJECT

public:
    explicit SyncService(QObject *parent = nullptr);
    ~SyncService() override;

    // Starts syncing the workspace file from the server; false when a sync is already running.
    bool start(const QString &workspacePath, const MlflowConnection &connection,
               const SyncOptions &options = {});
    // Thread-safe and immediate; finished() follows with ok = false and code "cancelled".
    void cancel();
    bool isRunning() const { return m_running; }

signals:
    void started();
    // Throttled to a few updates a second. `total` is 0 while unknown.
    void progress(int done, int total, const QString &message);
    // `message` is one sentence for the status bar; `errorCode` is the core error code
    // ("network", "http", "cancelled", ...) or empty on success.
    void finished(bool ok, const QString &message, const sightline::SyncReport &report,
                  const QString &errorCode);

private:
    QThread m_thread;
    SyncWorker *m_worker = nullptr;
    std::shared_ptr<SyncCancelState> m_cancel;
    bool m_running = false;
};

} // namespace sightline
