// SPDX-License-Identifier: GPL-3.0-or-later
// LiveTail: keeps the RUNNING runs of a comparison fresh. A single-shot timer paced by TailPolicy
// asks the SyncService to refresh the runs; what changed comes back as signals for the compare
// pane (histories to reload, runs that finished) and a one-line state for its status label.
#pragma once

#include "compare/tailpolicy.h"

#include <QList>
#include <QObject>
#include <QPair>
#include <QString>
#include <QStringList>
#include <QTimer>

namespace sightline {

class SyncService;

class LiveTail : public QObject {
    Q_OBJECT

public:
    explicit LiveTail(SyncService *service, TailPolicyOptions options = {},
                      QObject *parent = nullptr);
    ~LiveTail() override;

    // The runs to follow (those RUNNING when the set was opened). Runs that finish, or are gone
    // from the server, leave the list; once it is empty the tail stops.
    void setRuns(const QStringList &runningRunIds);
    QStringList runs() const { return m_runs; }

    void start();
    void stop();
    bool isActive() const { return m_policy.isActive(); }
    // Milliseconds until the next refresh; 0 while one is under way, -1 when not active.
    qint64 nextPollMs() const;
    // The last text sent with stateChanged().
    QString stateText() const { return m_state; }
    const TailPolicy &policy() const { return m_policy; }

signals:
    void historiesChanged(const QList<QPair<QString, QString>> &runAndKey);
    void runsFinished(const QStringList &runIds);
    // "Live: next refresh in 8 s" and the like; updated every second while waiting.
    void stateChanged(const QString &text);

private:
    void halt(); // stops without a word: the caller says why
    void poll();
    void refreshed(bool ok, const QString &message, const QList<QPair<QString, QString>> &changed,
                   const QStringList &statusChanged, qint64 retryAfterMs);
    void schedule(qint64 delayMs);
    void updateState();
    void setState(const QString &text);

    SyncService *m_service = nullptr;
    TailPolicy m_policy;
    QTimer m_timer;     // the next refresh
    QTimer m_countdown; // refreshes the state text while waiting
    QStringList m_runs;
    QString m_state;
    QString m_note;     // why the current wait is longer than usual, if it is
    bool m_pending = false;
};

} // namespace sightline
