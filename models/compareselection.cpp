// SPDX-License-Identifier: GPL-3.0-or-later
#include "compareselection.h"

namespace sightline {

CompareSelection::CompareSelection(QObject *parent) : QObject(parent) {}

void CompareSelection::setRuns(const QStringList &runIds)
{
    m_runs = runIds;
    m_filters.clear();
    m_current.clear();
    recompute();
    emit runsChanged();
    emit activeChanged();
    emit currentRunChanged(m_current);
}

void CompareSelection::setFilter(const QString &source, const QSet<QString> &kept)
{
    auto it = m_filters.find(source);
    if (it != m_filters.end() && *it == kept)
        return;
    m_filters.insert(source, kept);
    recompute();
    emit activeChanged();
}

void CompareSelection::clearFilter(const QString &source)
{
    if (m_filters.remove(source) == 0)
        return;
    recompute();
    emit activeChanged();
}

void CompareSelection::clearAllFilters()
{
    if (m_filters.isEmpty())
        return;
    m_filters.clear();
    recompute();
    emit activeChanged();
}

bool CompareSelection::isActive(const QString &runId) const
{
    return m_active.contains(runId);
}

QStringList CompareSelection::activeRuns() const
{
    QStringList out;
    for (const QString &id : m_runs)
        if (m_active.contains(id))
            out.append(id);
    return out;
}

void CompareSelection::setCurrentRun(const QString &runId)
{
    if (runId == m_current)
        return;
    m_current = runId;
    emit currentRunChanged(m_current);
}

void CompareSelection::recompute()
{
    m_active.clear();
    for (const QString &id : m_runs) {
        bool keep = true;
        for (const auto &kept : std::as_const(m_filters))
            if (!kept.contains(id)) {
                keep = false;
                break;
            }
        if (keep)
            m_active.insert(id);
    }
}

} // namespace sightline
