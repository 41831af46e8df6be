// SPDX-License-Identifier: GPL-3.0-or-later
// RunTableModel: the runs table over a snapshot of cached runs. Filtering (experiment scope and
// RunFilter) and sorting are done here on a row permutation rather than in a proxy model, so a
// table of 100,000 runs filters and sorts in a few milliseconds.
#pragma once

#include "query/filter.h"
#include "store/store.h"

#include <QAbstractTableModel>
#include <QStringList>

#include <map>
#include <string>
#include <unordered_map>
#include <vector>

namespace sightline {

// A user-chosen column: a param, a metric (with an aggregate over its history) or a tag.
struct ColumnSpec {
    enum Kind { Param, Metric, Tag } kind = Param;
    std::string key;
    enum Agg { Last, Min, Max } agg = Last;

    bool operator==(const ColumnSpec &) const = default;

    // A stable text form for settings: "param:lr", "metric:max:val_auc", "tag:team".
    QString toString() const;
    static bool fromString(const QString &text, ColumnSpec *spec);
};

class RunTableModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column { Name, Status, Experiment, User, Started, Duration, RunId, FixedColumnCount };

    enum Roles {
        RunIdRole = Qt::UserRole + 1, // QString
        SortRole,                     // the key the column sorts by (double or QString)
        RawValueRole,                 // the unformatted value: double, qint64 ms or QString
        ExperimentIdRole,             // QString
        StatusRole,                   // QString as MLflow spells it (FINISHED, ...)
    };

    explicit RunTableModel(QObject *parent = nullptr);
    ~RunTableModel() override;

    // Replaces the snapshot; filter, scope, columns and sort order stay as they are.
    void setRuns(std::vector<RunRecord> runs);
    void setExperimentNames(std::map<std::string, std::string> names);
    void setColumns(std::vector<ColumnSpec> columns);
    const std::vector<ColumnSpec> &columns() const { return m_columns; }
    // Keeps rows whose run matches; an empty filter keeps every run.
    void setFilter(const RunFilter &filter);
    const RunFilter &filter() const { return m_filter; }
    // Keeps only runs of these experiments; empty means every experiment.
    void setExperimentScope(std::vector<std::string> experimentIds);
    const std::vector<std::string> &experimentScope() const { return m_scope; }

    // Snapshot-wide lookups (whether or not the run is shown).
    int totalRunCount() const { return static_cast<int>(m_runs.size()); }
    int scopedRunCount() const { return m_scopedCount; }
    const RunRecord *findRun(const std::string &runId) const;
    std::vector<const RunRecord *> childrenOf(const std::string &runId) const;
    QString experimentName(const std::string &experimentId) const;
    // Row of a run among those shown, -1 when it is filtered out or unknown.
    int rowOfRun(const std::string &runId) const;
    const RunRecord *runAt(int row) const;

    // Keys present in the snapshot, sorted, for the column chooser.
    std::vector<std::string> availableParamKeys() const;
    std::vector<std::string> availableMetricKeys() const;
    std::vector<std::string> availableTagKeys() const;
    // Keys most of the shown runs have, most common first: default columns.
    std::vector<std::string> commonMetricKeys(size_t max) const;
    std::vector<std::string> commonParamKeys(size_t max) const;

    // After a language change: headers and translated cell texts (status, durations) again.
    void retranslate();

    int sortColumn() const { return m_sortColumn; }
    Qt::SortOrder sortOrder() const { return m_sortOrder; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;

    // Formatting shared with the details view.
    static QString formatNumber(double value);
    static QString formatDuration(qint64 milliseconds);
    static QString formatTime(qint64 millisecondsSinceEpoch);
    static QString statusText(const std::string &status);
    static QColor statusColor(const std::string &status);

private:
    struct SortKey;

    void rebuildRows();
    void sortRows();
    bool inScope(const RunRecord &record) const;
    QVariant value(const RunRecord &record, int column, int role) const;
    QString columnTitle(int column) const;
    std::vector<std::string> commonKeys(bool metrics, size_t max) const;

    std::vector<RunRecord> m_runs;
    std::vector<int> m_rows; // shown rows: indices into m_runs in display order
    std::unordered_map<std::string, int> m_indexById;
    std::unordered_multimap<std::string, int> m_children; // parent run id -> child index
    std::map<std::string, std::string> m_experimentNames;
    std::vector<ColumnSpec> m_columns;
    std::vector<std::string> m_scope;
    RunFilter m_filter;
    int m_scopedCount = 0;
    int m_sortColumn = -1;
    Qt::SortOrder m_sortOrder = Qt::AscendingOrder;
    qint64 m_now = 0; // "now" for the duration of running runs, fixed per snapshot
};

} // namespace sightline
