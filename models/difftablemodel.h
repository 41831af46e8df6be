// SPDX-License-Identifier: GPL-3.0-or-later
// DiffTableModel: the compare pane's diff table — params, metrics and tags of the set's runs side
// by side, keys down and runs across (or transposed), with a section header row before each
// section's keys. Only differing rows by default; the best value of each metric row in bold on
// light green; the current run's cells tinted. Values are built once per snapshot and metric
// mode; options and the active runs only pick rows and columns, so 500 runs x 2000 keys stay
// interactive.
#pragma once

#include "compare/difftable.h"
#include "store/store.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QStringList>

#include <optional>
#include <vector>

namespace sightline {

class DiffTableModel : public QAbstractTableModel {
    Q_OBJECT
    Q_PROPERTY(bool onlyDifferences READ onlyDifferences WRITE setOnlyDifferences NOTIFY
                   optionsChanged)
    Q_PROPERTY(bool transposed READ isTransposed WRITE setTransposed NOTIFY optionsChanged)
    Q_PROPERTY(bool showSystemTags READ showSystemTags WRITE setShowSystemTags NOTIFY
                   optionsChanged)
    Q_PROPERTY(QString keyFilter READ keyFilter WRITE setKeyFilter NOTIFY optionsChanged)

public:
    enum Roles {
        RunIdRole = Qt::UserRole + 1, // QString; cells and the run header
        KeyRole,                      // QString; cells and the key header
        SectionRole,                  // int (DiffSection)
        SectionHeaderRole,            // bool: the row is a section's title, not a key
        DiffersRole,                  // bool: the row's values differ across the shown runs
        BestRole,                     // bool: the cell holds the row's best metric value
        CurrentRunRole,               // bool: the cell or header belongs to the current run
        RawValueRole,                 // double (metrics) or QString; invalid when missing
    };

    explicit DiffTableModel(QObject *parent = nullptr);
    ~DiffTableModel() override;

    // Replaces the snapshot; options and the current run stay, the active subset and values at
    // a step are cleared (in AtStep mode stepValuesNeeded() asks for them again).
    void setRuns(std::vector<RunRecord> runs);
    const std::vector<RunRecord> &runs() const { return m_runs; }

    // std::nullopt shows every run; a list shows those of the set's runs (in set order), and an
    // empty list none, as when brushing keeps no run.
    void setActiveRuns(std::optional<QStringList> runIds);
    void setCurrentRun(const QString &runId);
    QString currentRun() const { return m_currentRun; }

    bool onlyDifferences() const { return m_options.onlyDifferences; }
    void setOnlyDifferences(bool on);
    bool isTransposed() const { return m_transposed; }
    void setTransposed(bool on);
    bool showSystemTags() const { return m_options.includeSystemTags; }
    void setShowSystemTags(bool on);
    QString keyFilter() const { return m_keyFilter; }
    void setKeyFilter(const QString &text);

    DiffMetricMode metricMode() const { return m_mode; }
    void setMetricMode(DiffMetricMode mode);
    qint64 step() const { return m_step; }
    void setStep(qint64 step);
    // Values at `step` from the histories (see DiffStepValues); used while the mode is AtStep
    // and the step matches. Until they arrive, metric cells are empty.
    void setStepValues(qint64 step, DiffStepValues values);
    bool hasStepValues() const { return m_stepValuesStep == m_step && m_haveStepValues; }

    // What is shown, for the view and the export.
    const DiffTable &table() const { return m_table; }
    const DiffView &view() const { return m_view; }
    int shownRunCount() const { return static_cast<int>(m_view.runs.size()); }
    int shownKeyCount() const { return static_cast<int>(m_view.rows.size()); }
    // The run a cell or a run header belongs to; empty for section headers and key headers.
    QString runIdAt(const QModelIndex &index) const;
    QString runIdOfSection(Qt::Orientation orientation, int section) const;
    // Row (keys down) or column (transposed) of a key; -1 when it is not shown.
    int keyPosition(DiffSection section, const QString &key) const;
    int runPosition(const QString &runId) const;
    bool isSectionHeaderRow(int row) const;

    // The table as shown (rows, runs, orientation) in CSV, metrics at full precision.
    std::string toCsv() const;

    // After a language change: section titles and tooltips again.
    void retranslate();

    static QString sectionTitle(DiffSection section);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;

signals:
    void optionsChanged();
    // The mode is AtStep and no values for this step are known: the owner should compute them
    // from the histories and call setStepValues().
    void stepValuesNeeded(qint64 step);

private:
    // Sets one of the boolean view options; false when it already had that value.
    bool setFlag(bool &flag, bool on);
    // One line along the key axis: a section title (viewRow < 0) or a row of the view.
    struct KeyLine {
        int viewRow = -1;
        DiffSection section = DiffSection::Params;
    };

    void rebuildTable();
    void refresh();
    void requestStepValuesIfNeeded();
    int keyCount() const { return static_cast<int>(m_lines.size()); }
    // Cell coordinates as (key line, run position) whatever the orientation.
    int lineOf(const QModelIndex &index) const;
    int runPosOf(const QModelIndex &index) const;
    QVariant cellData(const KeyLine &line, int runPos, int role) const;
    QVariant sectionHeaderData(const KeyLine &line, int runPos, int role) const;
    QVariant keyHeaderData(int line, int role) const;
    QVariant runHeaderData(int runPos, int role) const;
    void emitAllChanged();

    std::vector<RunRecord> m_runs;
    QHash<QString, int> m_indexById;
    DiffTable m_table;
    DiffView m_view;
    std::vector<KeyLine> m_lines;
    std::optional<std::vector<int>> m_active; // table indices; nullopt: every run
    DiffViewOptions m_options;
    QString m_keyFilter;
    bool m_transposed = false;
    DiffMetricMode m_mode = DiffMetricMode::Last;
    qint64 m_step = 0;
    DiffStepValues m_stepValues;
    qint64 m_stepValuesStep = 0;
    bool m_haveStepValues = false;
    QString m_currentRun;
    int m_currentIndex = -1; // table index of the current run
};

} // namespace sightline
