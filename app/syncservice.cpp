// SPDX-License-Identifier: GPL-3.0-or-later
#include "syncservice.h"

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

QString qs(const std::string &s)
{
    return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
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

// Lives on the service's thread; run() is called there.
class SyncWorker : public QObject {
    Q_OBJECT

public:
    void run(const QString &workspacePath, const MlflowConnection &connection,
             const SyncOptions &options, const std::shared_ptr<SyncCancelState> &state);

signals:
    void progress(int done, int total, const QString &message);
    void finished(bool ok, const QString &message, const sightline::SyncReport &report,
                  const QString &errorCode);

private:
    void runSync(const QString &workspacePath, const MlflowConnection &connection,
                 const SyncOptions &options, const std::shared_ptr<SyncCancelState> &state);
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

    struct Registration { // the engine is reachable by cancel() exactly while it exists
        SyncCancelState &state;
        Registration(SyncCancelState &s, SyncEngine &engine) : state(s)
        {
            std::lock_guard lock(state.mutex);
            state.engine = &engine;
            if (state.requested)
                engine.cancel();
        }
        ~Registration()
        {
            std::lock_guard lock(state.mutex);
            state.engine = nullptr;
        }
    };

    Result<SyncReport> result = [&]() -> Result<SyncReport> {
        Registration registration(*state, engine);
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
    m_thread.start();
}

SyncService::~SyncService()
{
    cancel();
    m_thread.quit();
    m_thread.wait();
}

bool SyncService::start(const QString &workspacePath, const MlflowConnection &connection,
                        const SyncOptions &options)
{
    if (m_running)
        return false;
    m_running = true;
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
