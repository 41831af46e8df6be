// SPDX-License-Identifier: GPL-3.0-or-later
// ExperimentTreeModel: the experiments of a workspace with their run counts, under one
// "All experiments" item, for the tree beside the runs table.
#pragma once

#include "mlflow/entities.h"

#include <QAbstractItemModel>

#include <map>
#include <string>
#include <vector>

namespace sightline {

class ExperimentTreeModel : public QAbstractItemModel {
    Q_OBJECT

public:
    enum Column { Name, Runs, ColumnCount };

    enum Roles {
        ExperimentIdRole = Qt::UserRole + 1, // QString; empty on the "All experiments" item
        RunCountRole,                        // int
        IsAllExperimentsRole,                // bool
    };

    explicit ExperimentTreeModel(QObject *parent = nullptr);

    // Experiments are listed by name; runCounts maps experiment id to its number of runs.
    void setExperiments(std::vector<Experiment> experiments,
                        std::map<std::string, int> runCounts);

    // After a language change: the "All experiments" item and the headers.
    void retranslate();

    int experimentCount() const { return static_cast<int>(m_experiments.size()); }
    int totalRunCount() const { return m_totalRuns; }
    // Nothing for the "All experiments" item or an invalid index.
    const Experiment *experimentAt(const QModelIndex &index) const;
    QModelIndex allExperimentsIndex(int column = Name) const;
    QModelIndex indexOfExperiment(const std::string &experimentId, int column = Name) const;

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;

private:
    struct Entry {
        Experiment experiment;
        int runs = 0;
    };

    // internalId 0 is the "All experiments" item; n > 0 is experiment n - 1.
    static constexpr quintptr kAllId = 0;

    std::vector<Entry> m_experiments;
    int m_totalRuns = 0;
};

} // namespace sightline
