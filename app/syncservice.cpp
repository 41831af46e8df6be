// SPDX-License-Identifier: GPL-3.0-or-later
#include "syncservice.h"
#include "qtext.h"

#include "store/store.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QLocale>

#include <algorithm>
#include <atomic>
#include <exception>
#include <limits>
#include <mutex>

namespace sightline {

namespace {

constexpr qint64 kProgressIntervalMs = 100;

// A refresh is one poll of a live view: a short wait for a refusing server is taken here, a
// longer one goes back to the caller's schedule (TailPolicy) instead of holding up the thread.
HttpOptions refreshHttpOptions()
{
    HttpOptions o;
    o.maxRetries = 1;
    o.backoffMaxMs = 2000;
    o.retryAfterCapMs = 2000;
    o.totalTimeoutMs = 60000;
    return o;
}

int clampInt(int64_t v)
{
    return static_cast<int>(std::clamp<int64_t>(v, 0, std::numeric_limits<int>::max()));
}

} // namespace

// Shared by the service (GUI thread) and the worker: cancel() may come before the engine
// exists, while it runs, or after it is gone.
struct SyncCancelState {
    std::mutex mutex;
    SyncEngine *engine = nullptr;
    std::atomic<bool> requested{false};

    void cancel()
    {
        std::lock_guard lock(mutex);
        requested = true;
        if (engine)
            engine->cancel();
    }
};

// The engine is reachable by cancel() exactly while it exists.
struct EngineRegistration {
    SyncCancelState &state;
    EngineRegistration(SyncCancelState &s, SyncEngine &engine) : state(s)
    {
        std::lock_guard lock(state.mutex);
        state.engine = &engine;
        if (state.requested)
            engine.cancel();
    }
    ~EngineRegistration()
    {
        std::lock_guard lock(state.mutex);
        state.engine = nullptr;
    }
    EngineRegistration(const EngineRegistration &) = delete;
    EngineRegistration &operator=(const EngineRegistration &) = delete;
};

// Lives on the service's thread; run() and refresh() are called there.
class SyncWorker : public QObject {
    Q_OBJECT

public:
    void run(const QString &workspacePath, const MlflowConnection &connection,
             const SyncOptions &options, const std::shared_ptr<SyncCancelState> &state);
    void refresh(const QString &workspacePath, const MlflowConnection &connection,
                 const QStringList &runIds, const std::shared_ptr<SyncCancelState> &state);

signals:
    void progress(int done, int total, const QString &message);
    void finished(bool ok, const QString &message, const sightline::SyncReport &report,
                  const QString &errorCode);
    void refreshed(bool ok, const QString &message, const QList<QPair<QString, QString>> &changed,
                   const QStringList &statusChanged, qint64 retryAfterMs);

private:
    void runSync(const QString &workspacePath, const MlflowConnection &connection,
                 const SyncOptions &options, const std::shared_ptr<SyncCancelState> &state);
    void runRefresh(const QString &workspacePath, const MlflowConnection &connection,
                    const QStringList &runIds, const std::shared_ptr<SyncCancelState> &state);
};

void SyncWorker::run(const QString &workspacePath, const MlflowConnection &connection,
                     const SyncOptions &options, const std::shared_ptr<SyncCancelState> &state)
{
    try {
        runSync(workspacePath, connection, options, state);
    } catch (const std::exception &e) {
        emit finished(false, tr("The sync stopped on an internal error: %1").arg(
                                 QString::fromUtf8(e.what())),
                      {}, QStringLiteral("internal"));
    } catch (...) {
        emit finished(false, tr("The sync stopped on an internal error."), {},
                      QStringLiteral("internal"));
    }
}

void SyncWorker::runSync(const QString &workspacePath, const MlflowConnection &connection,
                         const SyncOptions &options,
                         const std::shared_ptr<SyncCancelState> &state)
{
    auto opened = Store::open(workspacePath.toStdString(), Store::Mode::ReadWrite);
    if (!opened) {
        emit finished(false, qs(opened.error().message), {}, qs(opened.error().code));
        return;
    }
    Store &store = **opened;
    MlflowClient client(connection);
    SyncEngine engine(store, client);

    // The callback may run on the HTTP thread as well as this one.
    std::atomic<qint64> lastEmit{-kProgressIntervalMs};
    QElapsedTimer clock;
    clock.start();
    engine.setProgressCallback([this, &lastEmit, &clock, &engine, &state](const SyncProgress &p) {
        // SyncEngine::run() clears its cancel flag as it starts; a cancel that came just
        // before is applied again here.
        if (state->requested && !engine.isCancelled())
            engine.cancel();
        const qint64 now = clock.elapsed();
        qint64 last = lastEmit.load();
        const bool important = p.phase == SyncProgress::Phase::Done || p.done == 0;
        if (!important && now - last < kProgressIntervalMs)
            return;
        if (!lastEmit.compare_exchange_strong(last, now) && !important)
            return;
        emit progress(clampInt(p.done), clampInt(p.total), qs(p.message));
    });

    Result<SyncReport> result = [&]() -> Result<SyncReport> {
        EngineRegistration registration(*state, engine);
        if (state->requested)
            return makeError("cancelled", "cancelled before it started");
        return engine.run(options);
    }();
    // A request that failed because it was aborted reads as a network error; the user asked.
    if (!result && state->requested && result.error().code != "cancelled")
        result = makeError("cancelled", "cancelled");

    if (result) {
        (void)store.setMeta("last_sync_status", "ok");
        const SyncReport &r = *result;
        QLocale locale;
        locale.setNumberOptions(QLocale::DefaultNumberOptions);
        QString message = tr("Synced %1 runs from %2 experiments, fetched %3 metric histories "
                             "in %4 s.")
                              .arg(locale.toString(r.runs), locale.toString(r.experiments),
                                   locale.toString(r.historiesFetched),
                                   locale.toString(r.seconds, 'f', 1));
        if (!r.warnings.empty())
            message += QLatin1Char(' ')
                + (r.warnings.size() == 1 ? tr("1 warning.")
                                          : tr("%1 warnings.").arg(r.warnings.size()));
        emit finished(true, message, r, QString());
        return;
    }
    const Error &error = result.error();
    (void)store.setMeta("last_sync_status", error.code == "cancelled" ? "cancelled" : "failed");
    (void)store.setMeta("last_sync_attempt_ms",
                        std::to_string(QDateTime::currentMSecsSinceEpoch()));
    const QString message = error.code == "cancelled"
        ? tr("The sync was cancelled; what was fetched so far is kept.")
        : qs(error.message);
    emit finished(false, message, {}, qs(error.code));
}

void SyncWorker::refresh(const QString &workspacePath, const MlflowConnection &connection,
                         const QStringList &runIds, const std::shared_ptr<SyncCancelState> &state)
{
    try {
        runRefresh(workspacePath, connection, runIds, state);
    } catch (const std::exception &e) {
        emit refreshed(false, tr("The refresh stopped on an internal error: %1")
                                  .arg(QString::fromUtf8(e.what())),
                       {}, {}, -1);
    } catch (...) {
        emit refreshed(false, tr("The refresh stopped on an internal error."), {}, {}, -1);
    }
}

void SyncWorker::runRefresh(const QString &workspacePath, const MlflowConnection &connection,
                            const QStringList &runIds,
                            const std::shared_ptr<SyncCancelState> &state)
{
    auto opened = Store::open(workspacePath.toStdString(), Store::Mode::ReadWrite);
    if (!opened) {
        emit refreshed(false, qs(opened.error().message), {}, {}, -1);
        return;
    }
    MlflowClient client(connection, refreshHttpOptions());
    SyncEngine engine(**opened, client);
    // refreshRuns() clears the engine's cancel flag as it starts; a cancel that came just
    // before is applied again here.
    engine.setProgressCallback([&engine, &state](const SyncProgress &) {
        if (state->requested && !engine.isCancelled())
            engine.cancel();
    });
    std::vector<std::string> ids;
    ids.reserve(static_cast<size_t>(runIds.size()));
    for (const QString &id : runIds)
        ids.push_back(id.toStdString());

    Result<RefreshReport> result = [&]() -> Result<RefreshReport> {
        EngineRegistration registration(*state, engine);
        if (state->requested)
            return makeError("cancelled", "cancelled before it started");
        return engine.refreshRuns(ids);
    }();
    if (!result) {
        const Error &error = result.error();
        emit refreshed(false,
                       error.code == "cancelled" || state->requested
                           ? tr("The refresh was cancelled.")
                           : qs(error.message),
                       {}, {}, -1);
        return;
    }
    const RefreshReport &r = *result;
    QList<QPair<QString, QString>> changed;
    changed.reserve(static_cast<qsizetype>(r.changedHistories.size()));
    for (const auto &[runId, key] : r.changedHistories)
        changed.append({qs(runId), qs(key)});
    QStringList statusChanged;
    for (const auto *list : {&r.statusChanged, &r.deleted, &r.notFound})
        for (const auto &id : *list)
            statusChanged.append(qs(id));
    statusChanged.removeDuplicates();

    QStringList news;
    if (r.historiesFetched == 1)
        news << tr("1 metric history changed");
    else if (r.historiesFetched > 1)
        news << tr("%1 metric histories changed").arg(r.historiesFetched);
    if (statusChanged.size() == 1)
        news << tr("1 run changed status");
    else if (statusChanged.size() > 1)
        news << tr("%1 runs changed status").arg(statusChanged.size());
    QString message = news.isEmpty()
        ? tr("Live refresh: nothing changed.")
        : tr("Live refresh: %1.").arg(news.join(QLatin1String(", ")));
    if (!r.throttled.empty())
        message += QLatin1Char(' ')
            + (r.retryAfterMs >= 0
                   ? tr("The server asked to wait %1 s.")
                         .arg(QLocale().toString(r.retryAfterMs / 1000.0, 'f', 1))
                   : tr("The server turned some requests away for now."));
    if (!r.warnings.empty())
        message += QLatin1Char(' ') + qs(r.warnings.front());
    emit refreshed(true, message, changed, statusChanged, r.retryAfterMs);
}

SyncService::SyncService(QObject *parent) : QObject(parent)
{
    m_thread.setObjectName(QStringLiteral("sync"));
    m_worker = new SyncWorker;
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(m_worker, &SyncWorker::progress, this, &SyncService::progress);
    connect(m_worker, &SyncWorker::finished, this,
            [this](bool ok, const QString &message, const SyncReport &report,
                   const QString &code) {
                m_running = false;
                m_cancel.reset();
                emit finished(ok, message, report, code);
            });
    connect(m_worker, &SyncWorker::refreshed, this,
            [this](bool ok, const QString &message, const QList<QPair<QString, QString>> &changed,
                   const QStringList &statusChanged, qint64 retryAfterMs) {
                m_refreshing = false;
                m_refreshCancel.reset();
                emit runsRefreshed(ok, message, changed, statusChanged, retryAfterMs);
            });
    m_thread.start();
}

SyncService::~SyncService()
{
    cancel();
    if (m_refreshCancel)
        m_refreshCancel->cancel();
    m_thread.quit();
    m_thread.wait();
}

void SyncService::setTarget(const QString &workspacePath, const MlflowConnection &connection)
{
    m_workspacePath = workspacePath;
    m_connection = connection;
}

bool SyncService::refreshRuns(const QStringList &runIds)
{
    QString skipped;
    if (m_running)
        skipped = tr("The live refresh was skipped: a sync is running.");
    else if (m_refreshing)
        skipped = tr("The live refresh was skipped: another one is running.");
    else if (!hasTarget())
        skipped = tr("The live refresh was skipped: no server is connected.");
    if (!skipped.isEmpty()) {
        // Said after the caller has returned, as the outcome of a refresh would be.
        QMetaObject::invokeMethod(
            this, [this, skipped] { emit refreshSkipped(skipped); }, Qt::QueuedConnection);
        return false;
    }
    m_refreshing = true;
    m_refreshCancel = std::make_shared<SyncCancelState>();
    QMetaObject::invokeMethod(
        m_worker,
        [worker = m_worker, path = m_workspacePath, connection = m_connection, runIds,
         state = m_refreshCancel] { worker->refresh(path, connection, runIds, state); },
        Qt::QueuedConnection);
    return true;
}

bool SyncService::start(const QString &workspacePath, const MlflowConnection &connection,
                        const SyncOptions &options)
{
    if (m_running)
        return false;
    m_running = true;
    setTarget(workspacePath, connection);
    m_cancel = std::make_shared<SyncCancelState>();
    QMetaObject::invokeMethod(
        m_worker,
        [worker = m_worker, workspacePath, connection, options, state = m_cancel] {
            worker->run(workspacePath, connection, options, state);
        },
        Qt::QueuedConnection);
    emit started();
    return true;
}

void SyncService::cancel()
{
    if (m_cancel)
        m_cancel->cancel();
}

} // namespace sightline

#include "syncservice.moc"
