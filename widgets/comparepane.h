// SPDX-License-Identifier: GPL-3.0-or-later
// ComparePane: the runs of a comparison set side by side — a grid of metric charts with every
// point of every curve, parallel coordinates, a scatter of any two columns and the diff table —
// sharing one selection, so a brush or a rubber band narrows every view. Sets are named, saved in
// the workspace and reopened; RUNNING runs can be tailed live (the app wires the polling in).
// The pane reads only the workspace file (its own connections) and never the network.
#pragma once

#include "compare/compareset.h"
#include "compare/seriesloader.h"
#include "metricchart.h"
#include "store/store.h"

#include <QFutureWatcher>
#include <QHash>
#include <QWidget>

#include <map>
#include <memory>
#include <vector>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QListWidgetItem;
class QPushButton;
class QSlider;
class QSplitter;
class QTabWidget;
class QToolButton;

namespace sightline {

class ChartGrid;
class CompareSelection;
class DiffTableView;
class MetricChart;
class ParallelCoordinates;
class ScatterView;

class ComparePane : public QWidget {
    Q_OBJECT

public:
    enum Tab { ChartsTab, ParallelTab, ScatterTab, DiffTab };

    explicit ComparePane(QWidget *parent = nullptr);
    ~ComparePane() override;

    // The workspace the pane reads runs, histories and saved sets from.
    void setWorkspace(const QString &path);
    QString workspacePath() const { return m_workspacePath; }

    // Opens runs as a new, unsaved set.
    void compareRuns(const QStringList &runIds);
    // Opens a set; runs the workspace does not hold are left out and reported.
    void openSet(const ComparisonSet &set);
    bool openSetByName(const QString &name, QString *error = nullptr);
    // The open set with the pane's current options (axis, smoothing, grouping, ...).
    ComparisonSet currentSet() const;
    bool saveSet(const QString &name, QString *error = nullptr);
    bool deleteSet(const QString &name, QString *error = nullptr);
    QStringList savedSetNames() const;
    bool exportSetJson(const QString &path, QString *error = nullptr) const;
    bool importSetJson(const QString &path, QString *error = nullptr);

    // Histories load on worker threads by default; render and tests load on the calling thread.
    void setSynchronousLoading(bool on) { m_synchronous = on; }
    bool isLoading() const { return !m_loading.isEmpty(); }

    void setMetricFilter(const QString &text);
    void setXAxis(ComparisonSet::XAxis axis);
    void setSmoothing(double weight);
    void setLogY(bool on);
    void setGroupBy(const QString &column); // "params.x" / "tags.x" or empty
    void setBand(ComparisonSet::Band band);
    void setGroupTraces(bool on);
    void showTab(Tab tab);

    // Runs of the set that are RUNNING in the cache.
    QStringList runningRuns() const;
    // Re-reads changed histories (live tail) or every run (after a sync) from the workspace.
    void reloadHistories(const QList<QPair<QString, QString>> &changed);
    void reloadRuns();
    // Shows the live-tail state next to the Live toggle.
    void setLiveState(const QString &text);

    // Parts, for the main window and tests.
    CompareSelection *selection() const { return m_selection; }
    ChartGrid *chartGrid() const { return m_grid; }
    ParallelCoordinates *parallelView() const { return m_parallel; }
    ScatterView *scatterView() const { return m_scatter; }
    DiffTableView *diffView() const { return m_diff; }
    QTabWidget *tabs() const { return m_tabs; }
    QListWidget *legend() const { return m_legend; }
    QComboBox *setBox() const { return m_setBox; }
    QLineEdit *metricFilterEdit() const { return m_metricFilter; }
    QComboBox *groupBox() const { return m_groupBox; }
    QSlider *smoothingSlider() const { return m_smoothing; }
    QToolButton *liveButton() const { return m_live; }
    QLabel *statusLabel() const { return m_status; }
    QStringList metricKeys() const { return m_allKeys; }
    const std::vector<RunRecord> &records() const { return m_records; }
    QColor colorOf(const QString &runId) const { return m_colors.value(runId); }

    QByteArray saveState() const;
    bool restoreState(const QByteArray &state);
    void retranslateUi();

signals:
    // The user picked a run in any part (a curve, a line, a point, a diff column).
    void runSelected(const QString &runId);
    void liveTailToggled(bool on);
    void setOpened(const QString &name);

protected:
    void changeEvent(QEvent *event) override;

private:
    struct KeyData {
        std::vector<LoadedSeries> series;                        // in set order
        std::vector<std::shared_ptr<const SeriesLod>> smoothed;  // for m_smoothedWeight
        std::vector<std::shared_ptr<const SeriesLod>> byTime;    // when timestamps go back
        double smoothedWeight = 0.0;
        uint64_t lastUse = 0;
    };

    void buildUi();
    void loadRecords();
    void applySet();
    void updateKeys();
    void updateLegend();
    void updateGroupChoices();
    void bindChart(MetricChart *chart, const QString &key);
    void fillChart(MetricChart *chart, const QString &key, bool resetView);
    void refreshCharts(bool resetView);
    void requestKey(const QString &key);
    void keyLoaded(const QString &key, uint64_t generation,
                   Result<std::vector<LoadedSeries>> result);
    void evictIfNeeded();
    void computeStepValues(qint64 step);
    void saveWithDialog(bool askName);
    void updateSetBox();
    void showStatus(const QString &text);
    std::shared_ptr<const SeriesLod> seriesFor(KeyData &data, size_t run);
    std::vector<ChartGroup> groupsFor(const std::vector<int> &curveRuns) const;
    QString runLabel(const RunRecord &record) const;

    QString m_workspacePath;
    ComparisonSet m_set;
    bool m_synchronous = false;
    uint64_t m_generation = 0;
    uint64_t m_useClock = 0;
    std::vector<RunRecord> m_records; // the set's runs, in set order
    QHash<QString, int> m_runIndex;
    QHash<QString, QColor> m_colors;
    QSet<QString> m_hidden; // unticked in the legend
    QStringList m_allKeys;
    std::map<QString, KeyData> m_data;
    QSet<QString> m_loading;
    std::unique_ptr<Store> m_store; // read-only

    CompareSelection *m_selection = nullptr;
    QTabWidget *m_tabs = nullptr;
    ChartGrid *m_grid = nullptr;
    ParallelCoordinates *m_parallel = nullptr;
    ScatterView *m_scatter = nullptr;
    DiffTableView *m_diff = nullptr;
    QSplitter *m_chartSplitter = nullptr;
    QListWidget *m_legend = nullptr;
    QLabel *m_setLabel = nullptr;
    QComboBox *m_setBox = nullptr;
    QToolButton *m_saveButton = nullptr;
    QToolButton *m_saveAsButton = nullptr;
    QToolButton *m_deleteButton = nullptr;
    QToolButton *m_importButton = nullptr;
    QToolButton *m_exportButton = nullptr;
    QLineEdit *m_metricFilter = nullptr;
    QLabel *m_xLabel = nullptr;
    QComboBox *m_xBox = nullptr;
    QLabel *m_smoothingLabel = nullptr;
    QSlider *m_smoothing = nullptr;
    QLabel *m_smoothingValue = nullptr;
    QCheckBox *m_logBox = nullptr;
    QLabel *m_groupLabel = nullptr;
    QComboBox *m_groupBox = nullptr;
    QComboBox *m_bandBox = nullptr;
    QCheckBox *m_tracesBox = nullptr;
    QToolButton *m_resetButton = nullptr;
    QToolButton *m_live = nullptr;
    QLabel *m_liveState = nullptr;
    QLabel *m_status = nullptr;
    QLabel *m_empty = nullptr;
    bool m_syncingRange = false;
};

} // namespace sightline
