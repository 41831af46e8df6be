// SPDX-License-Identifier: GPL-3.0-or-later
// DiffTableView: the compare pane's diff table — a small toolbar (only differences, transpose,
// which metric value, system tags, a key filter, CSV export) over a table of the params, metrics
// and tags of the set's runs. It follows the compare selection: only the active runs are shown,
// the current run is marked, and clicking a run's cell or header makes it the current run.
#pragma once

#include "compare/difftable.h"
#include "compareselection.h"
#include "store/store.h"

#include <QPointer>
#include <QWidget>

#include <vector>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QModelIndex;
class QPushButton;
class QSpinBox;
class QTableView;
class QToolButton;

namespace sightline {

class DiffTableModel;

class DiffTableView : public QWidget {
    Q_OBJECT

public:
    explicit DiffTableView(QWidget *parent = nullptr);
    ~DiffTableView() override;

    // The runs of the set with their metric summaries, in set order.
    void setRuns(std::vector<RunRecord> runs);
    // Follows the selection's active runs and current run; clicks set its current run. The
    // selection is not owned; nullptr detaches.
    void setSelection(CompareSelection *selection);
    CompareSelection *selection() const { return m_selection; }
    // Answer to stepValuesNeeded(): metric values at `step` computed from the histories.
    void setStepValues(qint64 step, DiffStepValues values);

    // Writes the table as shown to `path`; on failure returns false and says why in `error`.
    bool exportCsv(const QString &path, QString *error = nullptr) const;

    DiffTableModel *model() const { return m_model; }
    QTableView *tableView() const { return m_table; }
    QCheckBox *onlyDifferencesBox() const { return m_onlyDifferences; }
    QToolButton *transposeButton() const { return m_transpose; }
    QComboBox *metricModeBox() const { return m_metricMode; }
    QSpinBox *stepBox() const { return m_step; }
    QCheckBox *systemTagsBox() const { return m_systemTags; }
    QLineEdit *filterEdit() const { return m_filter; }
    QPushButton *exportButton() const { return m_export; }
    QLabel *placeholderLabel() const { return m_placeholder; }

    void retranslateUi();

signals:
    // The user clicked a run's cell or its header.
    void runClicked(const QString &runId);
    // The metric mode is "At step" and the values for `step` are not known yet.
    void stepValuesNeeded(qint64 step);

protected:
    void changeEvent(QEvent *event) override;

private:
    void applyMetricMode();
    void applyActiveRuns();
    void updateSpans();
    void updatePlaceholder();
    void onCellClicked(const QModelIndex &index);
    void onHeaderClicked(Qt::Orientation orientation, int section);
    void selectRun(const QString &runId);
    void exportWithDialog();

    DiffTableModel *m_model = nullptr;
    QPointer<CompareSelection> m_selection;
    QCheckBox *m_onlyDifferences = nullptr;
    QToolButton *m_transpose = nullptr;
    QLabel *m_metricLabel = nullptr;
    QComboBox *m_metricMode = nullptr;
    QSpinBox *m_step = nullptr;
    QCheckBox *m_systemTags = nullptr;
    QLineEdit *m_filter = nullptr;
    QPushButton *m_export = nullptr;
    QLabel *m_placeholder = nullptr;
    QTableView *m_table = nullptr;
    QString m_lastExportDir;
};

} // namespace sightline
