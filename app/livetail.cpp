// SPDX-License-Identifier: GPL-3.0-or-later
#include "livetail.h"

#include "syncservice.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace sightline {

LiveTail::LiveTail(SyncService *service, TailPolicyOptions options, QObject *parent)
    : QObject(parent), m_service(service), m_policy(options)
{
    m_timer.setSingleShot(true);
    m_timer.setTimerType(Qt::PreciseTimer); // a coarse timer may fire before a Retry-After ends
    connect(&m_timer, &QTimer::timeout, this, &LiveTail::poll);
    m_countdown.setInterval(1000);
    connect(&m_countdown, &QTimer::timeout, this, &LiveTail::updateState);
    if (m_service)
        connect(m_service, &SyncService::runsRefreshed, this, &LiveTail::refreshed);
    m_state = tr("Live: off");
}

LiveTail::~LiveTail() = default;

void LiveTail::setRuns(const QStringList &runningRunIds)
{
    m_runs = runningRunIds;
    m_runs.removeAll(QString());
    m_runs.removeDuplicates();
    if (isActive() && m_runs.isEmpty()) {
        halt();
        setState(tr("Live: no running runs to follow"));
    }
}

void LiveTail::start()
{
    if (!m_service || !m_service->hasTarget()) {
        halt();
        setState(tr("Live: no server connection"));
        return;
    }
    if (m_runs.isEmpty()) {
        halt();
        setState(tr("Live: no running runs to follow"));
        return;
    }
    m_policy.start();
    m_note.clear();
    schedule(m_policy.nextDelayMs());
}

void LiveTail::stop()
{
    halt();
    setState(tr("Live: off"));
}

void LiveTail::halt()
{
    m_policy.stop();
    m_timer.stop();
    m_countdown.stop();
}

qint64 LiveTail::nextPollMs() const
{
    if (!isActive())
        return -1;
    if (m_pending || !m_timer.isActive())
        return 0;
    return m_timer.remainingTime();
}

void LiveTail::poll()
{
    m_countdown.stop();
    if (!isActive())
        return;
    if (!m_service->hasTarget()) {
        halt();
        setState(tr("Live: no server connection"));
        return;
    }
    if (!m_pending && m_service->refreshRuns(m_runs)) {
        m_pending = true;
        setState(tr("Live: refreshing…"));
        return;
    }
    // A sync (or an earlier refresh) is under way: it brings the news too. Try again at the
    // same pace.
    m_note = m_service->isRunning() ? tr("paused while a sync runs") : QString();
    schedule(m_policy.nextDelayMs());
}

void LiveTail::refreshed(bool ok, const QString &message,
                         const QList<QPair<QString, QString>> &changed,
                         const QStringList &statusChanged, qint64 retryAfterMs)
{
    if (!m_pending)
        return; // a refresh somebody else asked for, or one this tail skipped
    m_pending = false;
    if (!isActive())
        return;

    QStringList finished;
    for (const QString &id : statusChanged)
        if (m_runs.removeAll(id) > 0)
            finished.append(id);
    TailPoll outcome;
    outcome.ok = ok;
    outcome.changed = !changed.isEmpty() || !finished.isEmpty();
    outcome.anyRunning = !m_runs.isEmpty();
    outcome.retryAfterMs = retryAfterMs;
    const int64_t delay = m_policy.record(outcome);
    if (delay < 0) {
        halt();
        setState(tr("Live: every followed run has finished"));
    } else {
        if (!ok)
            m_note = tr("the last refresh failed: %1").arg(message);
        else if (retryAfterMs > m_policy.intervalMs())
            m_note = tr("the server asked to wait");
        else
            m_note.clear();
        schedule(delay);
    }
    // Last, so that a receiver may stop or restart the tail.
    if (!changed.isEmpty())
        emit historiesChanged(changed);
    if (!finished.isEmpty())
        emit runsFinished(finished);
}

void LiveTail::schedule(qint64 delayMs)
{
    m_timer.start(static_cast<int>(std::min<qint64>(delayMs, std::numeric_limits<int>::max())));
    updateState();
    if (delayMs > 1000)
        m_countdown.start();
}

void LiveTail::updateState()
{
    if (!m_timer.isActive()) {
        m_countdown.stop();
        return;
    }
    const int seconds = static_cast<int>(std::ceil(m_timer.remainingTime() / 1000.0));
    setState(m_note.isEmpty()
                 ? tr("Live: next refresh in %n s", nullptr, seconds)
                 : tr("Live: %1; next refresh in %n s", nullptr, seconds).arg(m_note));
}

void LiveTail::setState(const QString &text)
{
    if (text == m_state)
        return;
    m_state = text;
    emit stateChanged(text);
}

} // namespace sightline
