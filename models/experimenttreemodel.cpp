// SPDX-License-Identifier: GPL-3.0-or-later
#include "experimenttreemodel.h"
#include "qtext.h"

#include <QColor>
#include <QFont>
#include <QLocale>

#include <algorithm>

namespace sightline {

ExperimentTreeModel::ExperimentTreeModel(QObject *parent) : QAbstractItemModel(parent) {}

void ExperimentTreeModel::setExperiments(std::vector<Experiment> experiments,
                                         std::map<std::string, int> runCounts)
{
    beginResetModel();
    m_experiments.clear();
    m_experiments.reserve(experiments.size());
    m_totalRuns = 0;
    for (auto &e : experiments) {
        auto it = runCounts.find(e.experimentId);
        const int runs = it == runCounts.end() ? 0 : it->second;
        m_totalRuns += runs;
        m_experiments.push_back({std::move(e), runs});
    }
    // Active experiments first, then by name as a person reads it.
    std::stable_sort(m_experiments.begin(), m_experiments.end(),
                     [](const Entry &a, const Entry &b) {
                         const bool da = a.experiment.lifecycleStage == "deleted";
                         const bool db = b.experiment.lifecycleStage == "deleted";
                         if (da != db)
                             return db;
                         return qs(a.experiment.name).compare(qs(b.experiment.name),
                                                               Qt::CaseInsensitive)
                             < 0;
                     });
    endResetModel();
}

void ExperimentTreeModel::retranslate()
{
    emit headerDataChanged(Qt::Horizontal, 0, ColumnCount - 1);
    emit dataChanged(allExperimentsIndex(Name), allExperimentsIndex(Runs));
    if (!m_experiments.empty())
        emit dataChanged(index(0, Name, allExperimentsIndex()),
                         index(static_cast<int>(m_experiments.size()) - 1, Runs,
                               allExperimentsIndex()),
                         {Qt::DisplayRole, Qt::ToolTipRole});
}

const Experiment *ExperimentTreeModel::experimentAt(const QModelIndex &index) const
{
    if (!index.isValid() || index.model() != this || index.internalId() == kAllId)
        return nullptr;
    return &m_experiments[index.internalId() - 1].experiment;
}

QModelIndex ExperimentTreeModel::allExperimentsIndex(int column) const
{
    return createIndex(0, column, kAllId);
}

QModelIndex ExperimentTreeModel::indexOfExperiment(const std::string &experimentId,
                                                   int column) const
{
    for (size_t i = 0; i < m_experiments.size(); ++i)
        if (m_experiments[i].experiment.experimentId == experimentId)
            return createIndex(static_cast<int>(i), column, static_cast<quintptr>(i + 1));
    return {};
}

QModelIndex ExperimentTreeModel::index(int row, int column, const QModelIndex &parent) const
{
    if (row < 0 || column < 0 || column >= ColumnCount)
        return {};
    if (!parent.isValid())
        return row == 0 ? createIndex(0, column, kAllId) : QModelIndex();
    if (parent.internalId() != kAllId || parent.column() != 0
        || row >= static_cast<int>(m_experiments.size()))
        return {};
    return createIndex(row, column, static_cast<quintptr>(row + 1));
}

QModelIndex ExperimentTreeModel::parent(const QModelIndex &child) const
{
    if (!child.isValid() || child.internalId() == kAllId)
        return {};
    return createIndex(0, 0, kAllId);
}

int ExperimentTreeModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return 1;
    if (parent.internalId() == kAllId && parent.column() == 0)
        return static_cast<int>(m_experiments.size());
    return 0;
}

int ExperimentTreeModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

Qt::ItemFlags ExperimentTreeModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    Qt::ItemFlags f = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
    if (index.internalId() != kAllId)
        f |= Qt::ItemNeverHasChildren;
    return f;
}

QVariant ExperimentTreeModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const bool all = index.internalId() == kAllId;
    const Entry *entry = all ? nullptr : &m_experiments[index.internalId() - 1];
    const bool deleted = entry && entry->experiment.lifecycleStage == "deleted";
    const int runs = all ? m_totalRuns : entry->runs;

    switch (role) {
    case Qt::DisplayRole:
        if (index.column() == Runs)
            return QLocale().toString(runs);
        if (all)
            return tr("All experiments");
        if (deleted)
            return tr("%1 (deleted)").arg(qs(entry->experiment.name));
        return qs(entry->experiment.name);
    case Qt::ToolTipRole: {
        if (all)
            return tr("Runs: %1 · experiments: %2").arg(m_totalRuns).arg(m_experiments.size());
        // Escaped: names come from the server and must not be read as markup.
        const Experiment &e = entry->experiment;
        const QString text = tr("%1\nExperiment ID %2 · runs: %3")
                                 .arg(qs(e.name), qs(e.experimentId))
                                 .arg(entry->runs);
        return QStringLiteral("<qt><p style='white-space:pre'>") + text.toHtmlEscaped()
            + QStringLiteral("</p></qt>");
    }
    case Qt::TextAlignmentRole:
        return QVariant::fromValue(Qt::AlignVCenter
                                   | (index.column() == Runs ? Qt::AlignRight : Qt::AlignLeft));
    case Qt::ForegroundRole:
        if (deleted || (index.column() == Runs && runs == 0) || (!all && entry->runs == 0))
            return QColor(0x80, 0x80, 0x80);
        return {};
    case Qt::FontRole:
        if (all) {
            QFont f;
            f.setBold(true);
            return f;
        }
        return {};
    case ExperimentIdRole:
        return all ? QString() : qs(entry->experiment.experimentId);
    case RunCountRole:
        return runs;
    case IsAllExperimentsRole:
        return all;
    default:
        return {};
    }
}

QVariant ExperimentTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractItemModel::headerData(section, orientation, role);
    if (section == Name)
        return tr("Experiment");
    if (section == Runs)
        return tr("Runs");
    return {};
}

} // namespace sightline
