// SPDX-License-Identifier: GPL-3.0-or-later
// CompareSelection: what the parts of the compare pane share about the runs of the open set.
// Each part (parallel-coordinate brushes, a scatter selection) narrows the set through its own
// named filter; the active runs are those every filter keeps, and every part shows only (or
// highlights) those. The current run is the one the user hovered or clicked last.
#pragma once

#include <QHash>
#include <QObject>
#include <QSet>
#include <QStringList>

namespace sightline {

class CompareSelection : public QObject {
    Q_OBJECT

public:
    explicit CompareSelection(QObject *parent = nullptr);

    // The runs of the set, in order. Filters and the current run are cleared.
    void setRuns(const QStringList &runIds);
    const QStringList &runs() const { return m_runs; }

    // Narrows the active runs to `kept` on behalf of `source` ("parallel", "scatter", ...);
    // clearFilter() lifts that source's filter again.
    void setFilter(const QString &source, const QSet<QString> &kept);
    void clearFilter(const QString &source);
    void clearAllFilters();
    bool hasFilter(const QString &source) const { return m_filters.contains(source); }
    bool isFiltered() const { return !m_filters.isEmpty(); }

    bool isActive(const QString &runId) const;
    // Active runs in set order.
    QStringList activeRuns() const;

    void setCurrentRun(const QString &runId);
    QString currentRun() const { return m_current; }

signals:
    void runsChanged();
    // The active subset changed (a filter was set or lifted).
    void activeChanged();
    void currentRunChanged(const QString &runId);

private:
    void recompute();

    QStringList m_runs;
    QHash<QString, QSet<QString>> m_filters;
    QSet<QString> m_active;
    QString m_current;
};

} // namespace sightline
