// SPDX-License-Identifier: GPL-3.0-or-later
// RunsPane: the runs browser — experiments tree, a filter box that takes MLflow's search syntax
// (evaluated locally, as you type), the runs table with chosen columns, and the run details.
#pragma once

#include "runtablemodel.h"

#include <QByteArray>
#include <QHash>
#include <QSet>
#include <QWidget>

#include <memory>
#include <string>
#include <vector>

class QLabel;
class QLineEdit;
class QPushButton;
class QSplitter;
class QTableView;
class QTimer;
class QTreeView;

namespace sightline {

class ExperimentTreeModel;
class RunDetailsView;
class Store;

class RunsPane : public QWidget {
    Q_OBJECT

public:
    explicit RunsPane(QWidget *parent = nullptr);
    ~RunsPane() override;

    // Replaces what the pane shows. The filter, experiment selection, columns, sort order and
    // the selected run are kept where they still apply.
    void setSnapshot(std::vector<Experiment> experiments, std::vector<RunRecord> runs);
    // Reads the snapshot from an open store, on the calling thread.
    void loadFromStore(const Store &store);
    // Reads the snapshot on a worker thread from its own read-only connection; emits loaded().
    // A newer call supersedes an older one still running (its result is dropped).
    void loadFromFile(const QString &workspacePath);
    bool isLoading() const { return m_loading; }

    // Extra columns; set by the column chooser or restored from settings.
    void setColumns(std::vector<ColumnSpec> columns);
    void openColumnChooser();

    // Moves the selection to the run, showing it if the filter or experiment selection hid it.
    bool selectRun(const QString &runId);
    QString currentRunId() const;
    // Runs of the selected table rows, in table order (the current run when none is selected).
    QStringList selectedRunIds() const;
    // Experiments whose runs are shown; empty when all are.
    std::vector<std::string> selectedExperimentIds() const;

    // Fixed columns the user hid from the header's context menu (the run ID by default).
    void setFixedColumnHidden(int column, bool hidden);
    bool isFixedColumnHidden(int column) const { return m_hiddenFixed.contains(column); }

    // Splitter sizes, chosen columns and their widths, hidden columns, sort order.
    QByteArray saveState() const;
    bool restoreState(const QByteArray &state);

    RunTableModel *model() const { return m_model; }
    QTableView *table() const { return m_table; }
    QLineEdit *filterEdit() const { return m_filterEdit; }
    QLabel *filterMessageLabel() const { return m_filterMessage; }
    QLabel *countLabel() const { return m_countLabel; }
    QTreeView *experimentView() const { return m_experimentView; }
    RunDetailsView *detailsView() const { return m_details; }
    QSplitter *splitter() const { return m_splitter; }

    void retranslateUi();

signals:
    // Enter or double-click on a run.
    void runActivated(const QString &runId);
    void currentRunChanged(const QString &runId);
    // After loadFromFile(): ok, or the reason it failed in one sentence.
    void loaded(bool ok, const QString &message);

protected:
    void changeEvent(QEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    struct Snapshot;

    void applySnapshot(std::vector<Experiment> experiments, std::vector<RunRecord> runs);
    void applyFilterText();
    void showFilterError(const QString &message, int start, int length);
    void clearFilterError();
    void experimentSelectionChanged();
    void currentRowChanged();
    void afterModelReset(const QString &keepRunId);
    void updateCountLabel();
    void applyDefaultColumns();
    void applyColumnWidths();
    void restoreSelection(const QString &runId);
    void updateEmptyState();
    void updateHiddenColumns();
    void showHeaderMenu(const QPoint &pos);
    void setColumnsInternal(std::vector<ColumnSpec> columns);
    QString columnId(int column) const;
    QString filterToolTip() const;

    RunTableModel *m_model = nullptr;
    ExperimentTreeModel *m_experimentModel = nullptr;
    QSplitter *m_splitter = nullptr;
    QTreeView *m_experimentView = nullptr;
    QLineEdit *m_filterEdit = nullptr;
    QLabel *m_filterMessage = nullptr;
    QLabel *m_countLabel = nullptr;
    QPushButton *m_columnsButton = nullptr;
    QTableView *m_table = nullptr;
    RunDetailsView *m_details = nullptr;
    QLabel *m_emptyLabel = nullptr;
    QTimer *m_filterTimer = nullptr;

    QString m_appliedFilter;
    QString m_shownRunId;
    bool m_filterValid = true;
    bool m_columnsCustomized = false;
    bool m_restoringSelection = false;
    bool m_applyingWidths = false;
    bool m_underlined = false;
    QHash<QString, int> m_columnWidths; // by columnId(), as the user left them
    QSet<int> m_hiddenFixed{RunTableModel::RunId};
    quint64 m_loadToken = 0;
    bool m_loading = false;
};

} // namespace sightline
