// SPDX-License-Identifier: GPL-3.0-or-later
// SyncService: runs a SyncEngine for the GUI on its own thread. The worker opens its own
// read-write Store and its own MlflowClient, reports progress as signals and can be cancelled
// at any time; the service's destructor cancels a running sync and joins the thread. It also
// refreshes a few runs for the compare pane's live tail, never alongside a sync.
#pragma once

#include "mlflow/client.h"
#include "sync/syncengine.h"

#include <QList>
#include <QObject>
#include <QPair>
#include <QString>
#include <QStringList>
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

    // The workspace and server that refreshRuns() works on; start() sets them too.
    void setTarget(const QString &workspacePath, const MlflowConnection &connection);
    bool hasTarget() const { return !m_workspacePath.isEmpty() && !m_connection.baseUrl.empty(); }

    // Reads these runs again and fetches only the metric histories whose latest value changed;
    // runsRefreshed() follows. It never runs alongside a sync or another refresh: then, or
    // without a target, it returns false and refreshSkipped() says why. A sync started during a
    // refresh waits for it.
    bool refreshRuns(const QStringList &runIds);
    bool isRefreshing() const { return m_refreshing; }

signals:
    void started();
    // Throttled to a few updates a second. `total` is 0 while unknown.
    void progress(int done, int total, const QString &message);
    // `message` is one sentence for the status bar; `errorCode` is the core error code
    // ("network", "http", "cancelled", ...) or empty on success.
    void finished(bool ok, const QString &message, const sightline::SyncReport &report,
                  const QString &errorCode);
    // `changed`: (run id, metric key) of every history fetched again. `statusChanged`: runs
    // whose status changed, and runs deleted or gone from the server. `retryAfterMs`: how long
    // the server asked to wait before the next request, -1 when it did not.
    void runsRefreshed(bool ok, const QString &message,
                       const QList<QPair<QString, QString>> &changed,
                       const QStringList &statusChanged, qint64 retryAfterMs);
    // A refreshRuns() that did not start, with the reason in one sentence.
    void refreshSkipped(const QString &message);

private:
    QThread m_thread;
    SyncWorker *m_worker = nullptr;
    std::shared_ptr<SyncCancelState> m_cancel;
    std::shared_ptr<SyncCancelState> m_refreshCancel;
    QString m_workspacePath;
    MlflowConnection m_connection;
    bool m_running = false;
    bool m_refreshing = false;
};

} // namespace sightline
