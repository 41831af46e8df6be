// SPDX-License-Identifier: GPL-3.0-or-later
#include "comparepane.h"
#include "qtext.h"

#include "chartgrid.h"
#include "compare/axes.h"
#include "compare/difftable.h"
#include "compare/grouping.h"
#include "compareselection.h"
#include "difftableview.h"
#include "metricchart.h"
#include "parallelcoordinates.h"
#include "query/columns.h"
#include "runcolors.h"
#include "scatterview.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDataStream>
#include <QDateTime>
#include <QEvent>
#include <QFile>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPainter>
#include <QPixmap>
#include <QSlider>
#include <QSplitter>
#include <QTabWidget>
#include <QToolButton>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <set>

namespace sightline {

namespace {

constexpr size_t kCacheBytes = size_t(3) << 30; // loaded histories kept before the oldest go

QIcon swatch(const QColor &color)
{
    QPixmap pm(12, 12);
    pm.fill(Qt::transparent);
    QPainter p(&pm);
    p.setPen(color.darker(130));
    p.setBrush(color);
    p.drawRect(1, 1, 10, 10);
    return QIcon(pm);
}

// The text of a grouping column for a run ("params.x", "tags.x"), or null when missing.
const std::string *groupValue(const RunRecord &record, const std::string &column)
{
    if (column.rfind("params.", 0) == 0)
        return record.run.param(column.substr(7));
    if (column.rfind("tags.", 0) == 0)
        return record.run.tag(column.substr(5));
    return nullptr;
}

} // namespace

ComparePane::ComparePane(QWidget *parent) : QWidget(parent)
{
    m_selection = new CompareSelection(this);
    buildUi();
    retranslateUi();
    applySet();
}

ComparePane::~ComparePane() = default;

void ComparePane::buildUi()
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);

    // The set: choose, save, delete, import, export.
    auto *top = new QHBoxLayout;
    m_setLabel = new QLabel;
    m_setBox = new QComboBox;
    m_setBox->setMinimumContentsLength(18);
    m_setBox->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    auto tool = [this](QToolButton *&button, const QString &icon) {
        button = new QToolButton;
        button->setIcon(QIcon::fromTheme(icon));
        button->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
        button->setAutoRaise(true);
        return button;
    };
    top->addWidget(m_setLabel);
    top->addWidget(m_setBox);
    top->addWidget(tool(m_saveButton, QStringLiteral("document-save")));
    top->addWidget(tool(m_saveAsButton, QStringLiteral("document-save-as")));
    top->addWidget(tool(m_deleteButton, QStringLiteral("edit-delete")));
    top->addWidget(tool(m_importButton, QStringLiteral("document-open")));
    top->addWidget(tool(m_exportButton, QStringLiteral("document-export")));
    top->addStretch(1);
    m_status = new QLabel;
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    top->addWidget(m_status);
    layout->addLayout(top);

    m_tabs = new QTabWidget;
    layout->addWidget(m_tabs, 1);

    // Charts: options, then the legend beside the grid.
    auto *charts = new QWidget;
    auto *chartsLayout = new QVBoxLayout(charts);
    chartsLayout->setContentsMargins(0, 4, 0, 0);
    auto *options = new QHBoxLayout;
    m_metricFilter = new QLineEdit;
    m_metricFilter->setClearButtonEnabled(true);
    m_metricFilter->setMaximumWidth(220);
    m_xLabel = new QLabel;
    m_xBox = new QComboBox;
    m_smoothingLabel = new QLabel;
    m_smoothing = new QSlider(Qt::Horizontal);
    m_smoothing->setRange(0, 99);
    m_smoothing->setMaximumWidth(120);
    m_smoothingValue = new QLabel(QStringLiteral("0.00"));
    m_smoothingValue->setMinimumWidth(m_smoothingValue->fontMetrics().horizontalAdvance(QStringLiteral("0.000")));
    m_logBox = new QCheckBox;
    m_groupLabel = new QLabel;
    m_groupBox = new QComboBox;
    m_groupBox->setMinimumContentsLength(12);
    m_groupBox->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_bandBox = new QComboBox;
    m_tracesBox = new QCheckBox;
    tool(m_resetButton, QStringLiteral("zoom-fit-best"));
    tool(m_live, QStringLiteral("media-playback-start"));
    m_live->setCheckable(true);
    m_liveState = new QLabel;
    for (QWidget *w : std::initializer_list<QWidget *>{
             m_metricFilter, m_xLabel, m_xBox, m_smoothingLabel, m_smoothing, m_smoothingValue,
             m_logBox, m_groupLabel, m_groupBox, m_bandBox, m_tracesBox, m_resetButton, m_live,
             m_liveState})
        options->addWidget(w);
    options->addStretch(1);
    chartsLayout->addLayout(options);
    m_chartSplitter = new QSplitter(Qt::Horizontal);
    m_legend = new QListWidget;
    m_legend->setUniformItemSizes(true);
    m_legend->setMinimumWidth(140);
    m_grid = new ChartGrid;
    auto *gridHolder = new QWidget;
    auto *gridLayout = new QVBoxLayout(gridHolder);
    gridLayout->setContentsMargins(0, 0, 0, 0);
    m_empty = new QLabel;
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setWordWrap(true);
    m_empty->setStyleSheet(QStringLiteral("color: palette(mid); padding: 40px;"));
    gridLayout->addWidget(m_empty);
    gridLayout->addWidget(m_grid, 1);
    m_chartSplitter->addWidget(m_legend);
    m_chartSplitter->addWidget(gridHolder);
    m_chartSplitter->setStretchFactor(1, 1);
    m_chartSplitter->setSizes({200, 1000});
    chartsLayout->addWidget(m_chartSplitter, 1);
    m_tabs->addTab(charts, QString());

    m_parallel = new ParallelCoordinates;
    m_parallel->setSelection(m_selection);
    m_parallel->setColourFunction([this](const QString &id) { return colorOf(id); });
    m_tabs->addTab(m_parallel, QString());
    m_scatter = new ScatterView;
    m_scatter->setSelection(m_selection);
    m_scatter->setColourFunction([this](const QString &id) { return colorOf(id); });
    m_tabs->addTab(m_scatter, QString());
    m_diff = new DiffTableView;
    m_diff->setSelection(m_selection);
    m_tabs->addTab(m_diff, QString());

    // Wiring.
    connect(m_setBox, &QComboBox::activated, this, [this](int index) {
        const QString name = m_setBox->itemData(index).toString();
        if (name.isEmpty() || name == qs(m_set.name))
            return;
        QString error;
        if (!openSetByName(name, &error))
            showStatus(error);
    });
    connect(m_saveButton, &QToolButton::clicked, this, [this] { saveWithDialog(false); });
    connect(m_saveAsButton, &QToolButton::clicked, this, [this] { saveWithDialog(true); });
    connect(m_deleteButton, &QToolButton::clicked, this, [this] {
        const QString name = qs(m_set.name);
        if (name.isEmpty() || !savedSetNames().contains(name))
            return;
        if (QMessageBox::question(this, tr("Delete comparison set"),
                                  tr("Delete the saved set \"%1\"? Its runs stay in the "
                                     "workspace.").arg(name))
            != QMessageBox::Yes)
            return;
        QString error;
        if (!deleteSet(name, &error))
            QMessageBox::warning(this, tr("Delete comparison set"), error);
    });
    connect(m_exportButton, &QToolButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(
            this, tr("Export comparison set"),
            (m_set.name.empty() ? QStringLiteral("comparison") : qs(m_set.name))
                + QStringLiteral(".json"),
            tr("Comparison sets (*.json)"));
        QString error;
        if (!path.isEmpty() && !exportSetJson(path, &error))
            QMessageBox::warning(this, tr("Export comparison set"), error);
    });
    connect(m_importButton, &QToolButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Import comparison set"),
                                                          QString(),
                                                          tr("Comparison sets (*.json)"));
        QString error;
        if (!path.isEmpty() && !importSetJson(path, &error))
            QMessageBox::warning(this, tr("Import comparison set"), error);
    });
    connect(m_metricFilter, &QLineEdit::textChanged, this, [this] { updateKeys(); });
    connect(m_xBox, &QComboBox::activated, this, [this](int index) {
        setXAxis(static_cast<ComparisonSet::XAxis>(m_xBox->itemData(index).toInt()));
    });
    connect(m_smoothing, &QSlider::valueChanged, this, [this](int value) {
        m_smoothingValue->setText(QString::number(value / 100.0, 'f', 2));
    });
    connect(m_smoothing, &QSlider::sliderReleased, this,
            [this] { setSmoothing(m_smoothing->value() / 100.0); });
    connect(m_smoothing, &QSlider::actionTriggered, this, [this](int action) {
        if (action != QAbstractSlider::SliderMove)
            QMetaObject::invokeMethod(this, [this] { setSmoothing(m_smoothing->value() / 100.0); },
                                      Qt::QueuedConnection);
    });
    connect(m_logBox, &QCheckBox::toggled, this, &ComparePane::setLogY);
    connect(m_groupBox, &QComboBox::activated, this,
            [this](int index) { setGroupBy(m_groupBox->itemData(index).toString()); });
    connect(m_bandBox, &QComboBox::activated, this, [this](int index) {
        setBand(static_cast<ComparisonSet::Band>(m_bandBox->itemData(index).toInt()));
    });
    connect(m_tracesBox, &QCheckBox::toggled, this, &ComparePane::setGroupTraces);
    connect(m_resetButton, &QToolButton::clicked, this, [this] {
        for (MetricChart *chart : m_grid->boundCharts()) {
            chart->resetView();
            chart->replot();
        }
    });
    connect(m_live, &QToolButton::toggled, this, &ComparePane::liveTailToggled);

    connect(m_grid, &ChartGrid::chartCreated, this, [this](MetricChart *chart) {
        connect(chart, &MetricChart::runClicked, this, [this](const QString &id) {
            m_selection->setCurrentRun(id);
            emit runSelected(id);
        });
        connect(chart, &MetricChart::xRangeChanged, this, [this, chart](double lo, double hi) {
            if (m_syncingRange)
                return;
            m_syncingRange = true;
            for (MetricChart *other : m_grid->boundCharts())
                if (other != chart && other->xAxisKind() == chart->xAxisKind())
                    other->setXRange(lo, hi);
            m_syncingRange = false;
        });
    });
    connect(m_grid, &ChartGrid::chartBound, this, &ComparePane::bindChart);

    connect(m_selection, &CompareSelection::activeChanged, this, [this] { refreshCharts(false); });
    connect(m_selection, &CompareSelection::currentRunChanged, this, [this](const QString &id) {
        for (MetricChart *chart : m_grid->boundCharts())
            chart->setCurrentRun(id);
        for (int i = 0; i < m_legend->count(); ++i)
            if (m_legend->item(i)->data(Qt::UserRole).toString() == id)
                m_legend->setCurrentRow(i);
    });
    connect(m_legend, &QListWidget::itemChanged, this, [this](QListWidgetItem *item) {
        const QString id = item->data(Qt::UserRole).toString();
        const bool hidden = item->checkState() != Qt::Checked;
        if (hidden == m_hidden.contains(id))
            return;
        if (hidden)
            m_hidden.insert(id);
        else
            m_hidden.remove(id);
        refreshCharts(false);
    });
    connect(m_legend, &QListWidget::itemClicked, this, [this](QListWidgetItem *item) {
        const QString id = item->data(Qt::UserRole).toString();
        m_selection->setCurrentRun(id);
        emit runSelected(id);
    });
    connect(m_diff, &DiffTableView::stepValuesNeeded, this, &ComparePane::computeStepValues);
    // Parallel coordinates, scatter and diff pick a run through the selection; charts and the
    // legend say so themselves (they also react to picks made elsewhere).
    connect(m_selection, &CompareSelection::currentRunChanged, this, [this](const QString &id) {
        if (!id.isEmpty() && m_tabs->currentIndex() != ChartsTab)
            emit runSelected(id);
    });
}

void ComparePane::retranslateUi()
{
    m_setLabel->setText(tr("Set:"));
    m_setBox->setToolTip(tr("Saved comparison sets of this workspace"));
    m_saveButton->setText(tr("Save"));
    m_saveButton->setToolTip(tr("Save the set with its current options (Ctrl+S)"));
    m_saveButton->setShortcut(QKeySequence::Save);
    m_saveAsButton->setText(tr("Save As…"));
    m_saveAsButton->setToolTip(tr("Save the set under a new name"));
    m_deleteButton->setText(tr("Delete"));
    m_deleteButton->setToolTip(tr("Delete the saved set (the runs stay)"));
    m_importButton->setText(tr("Import…"));
    m_importButton->setToolTip(tr("Open a comparison set from a JSON file"));
    m_exportButton->setText(tr("Export…"));
    m_exportButton->setToolTip(tr("Write the set and its options to a JSON file"));
    m_metricFilter->setPlaceholderText(tr("Filter metrics…"));
    m_metricFilter->setToolTip(tr("Show only the metric keys containing this text"));
    m_xLabel->setText(tr("X:"));
    const int x = m_xBox->currentIndex();
    m_xBox->clear();
    m_xBox->addItem(tr("Step"), int(ComparisonSet::XAxis::Step));
    m_xBox->addItem(tr("Wall time"), int(ComparisonSet::XAxis::WallTime));
    m_xBox->addItem(tr("Relative time"), int(ComparisonSet::XAxis::RelativeTime));
    m_xBox->setCurrentIndex(std::max(0, x));
    m_xBox->setToolTip(tr("What the x axis shows"));
    m_smoothingLabel->setText(tr("Smoothing:"));
    m_smoothing->setToolTip(tr("Exponential moving average with debias, as TensorBoard computes "
                               "it; the raw curve stays faint underneath"));
    m_logBox->setText(tr("Log y"));
    m_logBox->setToolTip(tr("Logarithmic y axis; values at or below zero are left out"));
    m_groupLabel->setText(tr("Group by:"));
    m_groupBox->setToolTip(tr("Group runs by a parameter or tag: each group shows its mean "
                              "and a band"));
    const int band = m_bandBox->currentIndex();
    m_bandBox->clear();
    m_bandBox->addItem(tr("± std"), int(ComparisonSet::Band::StdDev));
    m_bandBox->addItem(tr("min–max"), int(ComparisonSet::Band::MinMax));
    m_bandBox->setCurrentIndex(std::max(0, band));
    m_bandBox->setToolTip(tr("The band around each group's mean"));
    m_tracesBox->setText(tr("Traces"));
    m_tracesBox->setToolTip(tr("Also draw each run of a group"));
    m_resetButton->setText(tr("Fit"));
    m_resetButton->setToolTip(tr("Fit every chart to its curves (or double-click a chart, or "
                                 "press Home in it)"));
    m_live->setText(tr("Live"));
    m_live->setToolTip(tr("Refresh the RUNNING runs of the set on their own; polling slows down "
                          "while nothing changes"));
    m_legend->setToolTip(tr("Runs of the set: untick to hide a run's curves, click to select it"));
    m_empty->setText(tr("Select runs in the runs table and choose Compare (Ctrl+K), or open a "
                        "saved set above."));
    m_tabs->setTabText(ChartsTab, tr("Charts"));
    m_tabs->setTabText(ParallelTab, tr("Parallel coordinates"));
    m_tabs->setTabText(ScatterTab, tr("Scatter"));
    m_tabs->setTabText(DiffTab, tr("Diff"));
    updateSetBox();
    updateGroupChoices();
}

void ComparePane::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QWidget::changeEvent(event);
}

void ComparePane::setWorkspace(const QString &path)
{
    if (path == m_workspacePath && m_store)
        return;
    m_workspacePath = path;
    m_store.reset();
    m_set = ComparisonSet{};
    applySet();
}

void ComparePane::compareRuns(const QStringList &runIds)
{
    ComparisonSet set;
    for (const QString &id : runIds)
        set.runIds.push_back(id.toStdString());
    set.xAxis = m_set.xAxis;
    set.smoothing = m_set.smoothing;
    set.logY = m_set.logY;
    openSet(set);
}

void ComparePane::openSet(const ComparisonSet &set)
{
    m_set = set;
    m_hidden.clear();
    applySet();
    emit setOpened(qs(set.name));
}

bool ComparePane::openSetByName(const QString &name, QString *error)
{
    loadRecords(); // opens the store if needed
    if (!m_store) {
        if (error)
            *error = tr("The workspace cannot be read.");
        return false;
    }
    auto set = m_store->comparisonSet(name.toStdString());
    if (!set) {
        if (error)
            *error = tr("There is no saved comparison set named \"%1\".").arg(name);
        return false;
    }
    openSet(*set);
    return true;
}

ComparisonSet ComparePane::currentSet() const
{
    ComparisonSet set = m_set;
    if (m_parallel->axisCount() > 0) {
        set.parallelAxes.clear();
        for (const RunColumn &c : m_parallel->columns())
            set.parallelAxes.push_back(c.title());
    }
    set.scatterX = m_scatter->xColumn().toStdString();
    set.scatterY = m_scatter->yColumn().toStdString();
    return set;
}

QStringList ComparePane::savedSetNames() const
{
    QStringList names;
    if (m_store)
        for (const auto &set : m_store->comparisonSets())
            names.append(qs(set.name));
    return names;
}

bool ComparePane::saveSet(const QString &name, QString *error)
{
    if (name.trimmed().isEmpty()) {
        if (error)
            *error = tr("A comparison set needs a name.");
        return false;
    }
    if (m_workspacePath.isEmpty()) {
        if (error)
            *error = tr("No workspace is open.");
        return false;
    }
    auto store = Store::open(m_workspacePath.toStdString());
    if (!store) {
        if (error)
            *error = qs(store.error().message);
        return false;
    }
    ComparisonSet set = currentSet();
    set.name = name.trimmed().toStdString();
    set.updatedMs = QDateTime::currentMSecsSinceEpoch();
    if (auto r = (*store)->saveComparisonSet(set); !r) {
        if (error)
            *error = qs(r.error().message);
        return false;
    }
    m_set = set;
    updateSetBox();
    showStatus(tr("Saved \"%1\".").arg(name.trimmed()));
    return true;
}

bool ComparePane::deleteSet(const QString &name, QString *error)
{
    auto store = Store::open(m_workspacePath.toStdString());
    if (!store) {
        if (error)
            *error = qs(store.error().message);
        return false;
    }
    if (auto r = (*store)->removeComparisonSet(name.toStdString()); !r) {
        if (error)
            *error = qs(r.error().message);
        return false;
    }
    if (qs(m_set.name) == name)
        m_set.name.clear();
    updateSetBox();
    return true;
}

bool ComparePane::exportSetJson(const QString &path, QString *error) const
{
    QFile file(path);
    const std::string json = comparisonSetToJson(currentSet(), true) + "\n";
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)
        || file.write(json.data(), qint64(json.size())) != qint64(json.size())) {
        if (error)
            *error = tr("Could not write %1: %2").arg(QDir::toNativeSeparators(path),
                                                       file.errorString());
        return false;
    }
    return true;
}

bool ComparePane::importSetJson(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = tr("Could not read %1: %2").arg(QDir::toNativeSeparators(path),
                                                      file.errorString());
        return false;
    }
    auto set = comparisonSetFromJson(file.read(16 << 20).toStdString());
    if (!set) {
        if (error)
            *error = qs(set.error().message);
        return false;
    }
    openSet(*set);
    return true;
}

void ComparePane::loadRecords()
{
    if (!m_store && !m_workspacePath.isEmpty()) {
        auto store = Store::open(m_workspacePath.toStdString(), Store::Mode::ReadOnly);
        if (store)
            m_store = std::move(*store);
    }
    m_records.clear();
    m_runIndex.clear();
    if (!m_store || m_set.runIds.empty())
        return;
    std::set<std::string> experiments;
    for (const auto &id : m_set.runIds)
        if (auto run = m_store->run(id))
            experiments.insert(run->experimentId);
    std::unordered_map<std::string, RunRecord> byId;
    for (auto &rec : m_store->runRecords({experiments.begin(), experiments.end()}))
        byId.emplace(rec.run.runId, std::move(rec));
    int missing = 0;
    for (const auto &id : m_set.runIds) {
        auto it = byId.find(id);
        if (it == byId.end()) {
            ++missing;
            continue;
        }
        m_runIndex.insert(qs(id), int(m_records.size()));
        m_records.push_back(std::move(it->second));
    }
    if (missing)
        showStatus(tr("%n run(s) of the set are not in this workspace.", nullptr, missing));
}

QString ComparePane::runLabel(const RunRecord &record) const
{
    return record.run.runName.empty() ? qs(record.run.runId.substr(0, 8)) : qs(record.run.runName);
}

void ComparePane::applySet()
{
    ++m_generation;
    m_data.clear();
    m_loading.clear();
    m_status->clear();
    loadRecords();
    m_colors.clear();
    QStringList ids;
    for (size_t i = 0; i < m_records.size(); ++i) {
        const QString id = qs(m_records[i].run.runId);
        ids.append(id);
        m_colors.insert(id, runColor(int(i)));
    }
    m_selection->setRuns(ids);

    // Options from the set, without echoing back.
    {
        const QSignalBlocker b1(m_xBox), b2(m_smoothing), b3(m_logBox), b4(m_bandBox),
            b5(m_tracesBox);
        m_xBox->setCurrentIndex(m_xBox->findData(int(m_set.xAxis)));
        m_smoothing->setValue(int(std::lround(m_set.smoothing * 100)));
        m_smoothingValue->setText(QString::number(m_set.smoothing, 'f', 2));
        m_logBox->setChecked(m_set.logY);
        m_bandBox->setCurrentIndex(m_bandBox->findData(int(m_set.band)));
        m_tracesBox->setChecked(m_set.groupTraces);
    }

    std::vector<RunColumn> axes;
    for (const auto &title : m_set.parallelAxes)
        if (auto parsed = parseRunColumns(title); parsed && parsed->size() == 1)
            axes.push_back(parsed->front());
    if (axes.empty() && !m_records.empty()) {
        // Params that differ across the set, then the last value of a few metrics.
        for (const RunColumn &c : compareColumns(m_records)) {
            if (axes.size() >= 7)
                break;
            if (c.kind == RunColumn::Kind::Tag
                || (c.kind == RunColumn::Kind::Metric && c.aggregate != RunColumn::Aggregate::Last))
                continue;
            std::set<std::string> values;
            for (const auto &r : m_records)
                values.insert(cellValue(r, c).text);
            if (values.size() > 1)
                axes.push_back(c);
        }
    }
    m_parallel->setRuns(m_records);
    m_parallel->setColumns(axes);
    m_scatter->setRuns(m_records);
    if (!m_set.scatterX.empty() || !m_set.scatterY.empty())
        m_scatter->setColumns(qs(m_set.scatterX), qs(m_set.scatterY));
    m_diff->setRuns(m_records);

    // Metric keys: the set's chosen ones first, then the rest of what its runs logged.
    std::set<std::string> keys;
    for (const auto &r : m_records) {
        for (const auto &[key, summary] : r.summaries)
            keys.insert(key);
        for (const auto &m : r.run.metrics)
            keys.insert(m.key);
    }
    m_allKeys.clear();
    for (const auto &k : m_set.metricKeys)
        if (keys.count(k))
            m_allKeys.append(qs(k));
    for (const auto &k : keys)
        if (!m_allKeys.contains(qs(k)))
            m_allKeys.append(qs(k));

    updateLegend();
    updateGroupChoices();
    updateSetBox();
    m_empty->setVisible(m_records.empty());
    m_grid->setVisible(!m_records.empty());
    m_live->setEnabled(!runningRuns().isEmpty());
    if (m_live->isChecked() && runningRuns().isEmpty())
        m_live->setChecked(false);
    updateKeys();
    if (!m_records.empty() && m_status->text().isEmpty())
        showStatus(tr("%n run(s), %1 metric key(s)", nullptr, int(m_records.size()))
                       .arg(m_allKeys.size()));
}

void ComparePane::updateKeys()
{
    const QString filter = m_metricFilter->text().trimmed();
    QStringList shown;
    for (const QString &k : std::as_const(m_allKeys))
        if (filter.isEmpty() || k.contains(filter, Qt::CaseInsensitive))
            shown.append(k);
    m_grid->setKeys(shown);
}

void ComparePane::updateLegend()
{
    const QSignalBlocker block(m_legend);
    m_legend->clear();
    for (const RunRecord &r : m_records) {
        const QString id = qs(r.run.runId);
        QString text = runLabel(r);
        if (!m_set.groupBy.empty())
            text = QStringLiteral("[%1] %2").arg(qs(groupLabel(groupValue(r, m_set.groupBy))), text);
        if (r.run.status == "RUNNING")
            text += QStringLiteral("  ●");
        auto *item = new QListWidgetItem(swatch(m_colors.value(id)), text, m_legend);
        item->setData(Qt::UserRole, id);
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        item->setCheckState(m_hidden.contains(id) ? Qt::Unchecked : Qt::Checked);
        item->setToolTip(tr("%1\nrun %2 · %3").arg(text, id, qs(r.run.status)));
    }
}

void ComparePane::updateGroupChoices()
{
    const QSignalBlocker block(m_groupBox);
    m_groupBox->clear();
    m_groupBox->addItem(tr("None"), QString());
    std::set<std::string> params, tags;
    for (const auto &r : m_records) {
        for (const auto &p : r.run.params)
            params.insert(p.key);
        for (const auto &t : r.run.tags)
            if (t.key.rfind("mlflow.", 0) != 0)
                tags.insert(t.key);
    }
    for (const auto &p : params)
        m_groupBox->addItem(QStringLiteral("params.") + qs(p), QStringLiteral("params.") + qs(p));
    for (const auto &t : tags)
        m_groupBox->addItem(QStringLiteral("tags.") + qs(t), QStringLiteral("tags.") + qs(t));
    const int i = m_groupBox->findData(qs(m_set.groupBy));
    m_groupBox->setCurrentIndex(std::max(0, i));
    const bool grouped = !m_set.groupBy.empty();
    m_bandBox->setEnabled(grouped);
    m_tracesBox->setEnabled(grouped);
}

void ComparePane::updateSetBox()
{
    const QSignalBlocker block(m_setBox);
    m_setBox->clear();
    const QStringList names = savedSetNames();
    const QString current = qs(m_set.name);
    if (current.isEmpty() || !names.contains(current))
        m_setBox->addItem(m_records.empty() ? tr("(no set)") : tr("(unsaved)"), QString());
    for (const QString &n : names)
        m_setBox->addItem(n, n);
    const int i = m_setBox->findData(current);
    m_setBox->setCurrentIndex(i >= 0 && !current.isEmpty() ? i : 0);
    m_deleteButton->setEnabled(!current.isEmpty() && names.contains(current));
    m_saveButton->setEnabled(!m_records.empty());
    m_saveAsButton->setEnabled(!m_records.empty());
    m_exportButton->setEnabled(!m_records.empty());
}

void ComparePane::saveWithDialog(bool askName)
{
    QString name = qs(m_set.name);
    if (askName || name.isEmpty()) {
        bool ok = false;
        name = QInputDialog::getText(this, tr("Save comparison set"), tr("Name:"),
                                     QLineEdit::Normal, name, &ok);
        if (!ok)
            return;
    }
    QString error;
    if (!saveSet(name, &error))
        QMessageBox::warning(this, tr("Save comparison set"), error);
}

void ComparePane::showStatus(const QString &text)
{
    m_status->setText(text);
}

void ComparePane::setLiveState(const QString &text)
{
    m_liveState->setText(text);
}

void ComparePane::showTab(Tab tab)
{
    m_tabs->setCurrentIndex(tab);
}

void ComparePane::setMetricFilter(const QString &text)
{
    m_metricFilter->setText(text);
}

void ComparePane::setXAxis(ComparisonSet::XAxis axis)
{
    m_set.xAxis = axis;
    const QSignalBlocker block(m_xBox);
    m_xBox->setCurrentIndex(m_xBox->findData(int(axis)));
    refreshCharts(true);
}

void ComparePane::setSmoothing(double weight)
{
    weight = std::clamp(weight, 0.0, 0.99);
    if (weight == m_set.smoothing)
        return;
    m_set.smoothing = weight;
    {
        const QSignalBlocker block(m_smoothing);
        m_smoothing->setValue(int(std::lround(weight * 100)));
    }
    m_smoothingValue->setText(QString::number(weight, 'f', 2));
    QApplication::setOverrideCursor(Qt::WaitCursor);
    refreshCharts(false);
    QApplication::restoreOverrideCursor();
}

void ComparePane::setLogY(bool on)
{
    m_set.logY = on;
    const QSignalBlocker block(m_logBox);
    m_logBox->setChecked(on);
    refreshCharts(true);
}

void ComparePane::setGroupBy(const QString &column)
{
    m_set.groupBy = column.toStdString();
    updateGroupChoices();
    updateLegend();
    refreshCharts(false);
}

void ComparePane::setBand(ComparisonSet::Band band)
{
    m_set.band = band;
    refreshCharts(false);
}

void ComparePane::setGroupTraces(bool on)
{
    m_set.groupTraces = on;
    refreshCharts(false);
}

QStringList ComparePane::runningRuns() const
{
    QStringList out;
    for (const RunRecord &r : m_records)
        if (r.run.status == "RUNNING")
            out.append(qs(r.run.runId));
    return out;
}

void ComparePane::bindChart(MetricChart *chart, const QString &key)
{
    if (m_data.count(key))
        fillChart(chart, key, true);
    else {
        chart->setCurves({});
        chart->setMessage(tr("loading…"));
        requestKey(key);
    }
}

void ComparePane::requestKey(const QString &key)
{
    if (m_loading.contains(key) || m_workspacePath.isEmpty())
        return;
    std::vector<std::string> ids;
    for (const RunRecord &r : m_records)
        ids.push_back(r.run.runId);
    const std::string path = m_workspacePath.toStdString();
    const uint64_t generation = m_generation;
    m_loading.insert(key);
    if (m_synchronous) {
        keyLoaded(key, generation, loadSeries(path, ids, key.toStdString(), 2));
        return;
    }
    auto *watcher = new QFutureWatcher<Result<std::vector<LoadedSeries>>>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, key, generation] {
        keyLoaded(key, generation, watcher->result());
        watcher->deleteLater();
    });
    watcher->setFuture(QtConcurrent::run(
        [path, ids, k = key.toStdString()] { return loadSeries(path, ids, k, 2); }));
}

void ComparePane::keyLoaded(const QString &key, uint64_t generation,
                            Result<std::vector<LoadedSeries>> result)
{
    if (generation != m_generation)
        return; // the set changed while this loaded
    m_loading.remove(key);
    MetricChart *chart = m_grid->chartFor(key);
    if (!result) {
        if (chart)
            chart->setMessage(qs(result.error().message));
        return;
    }
    KeyData data;
    data.series = std::move(*result);
    data.smoothed.resize(data.series.size());
    data.byTime.resize(data.series.size());
    data.lastUse = ++m_useClock;
    QStringList damaged;
    for (const auto &s : data.series)
        if (!s.error.empty())
            damaged.append(qs(s.error));
    if (!damaged.isEmpty())
        showStatus(tr("%1: %2").arg(key, damaged.front()));
    m_data[key] = std::move(data);
    if (chart)
        fillChart(chart, key, true);
    evictIfNeeded();
}

void ComparePane::evictIfNeeded()
{
    auto bytes = [](const KeyData &d) {
        size_t b = 0;
        for (const auto &s : d.series)
            if (s.series)
                b += s.series->memoryBytes();
        for (const auto &s : d.smoothed)
            if (s)
                b += s->memoryBytes();
        return b;
    };
    size_t total = 0;
    for (const auto &[k, d] : m_data)
        total += bytes(d);
    while (total > kCacheBytes && m_data.size() > 1) {
        auto oldest = m_data.end();
        for (auto it = m_data.begin(); it != m_data.end(); ++it)
            if (!m_grid->chartFor(it->first)
                && (oldest == m_data.end() || it->second.lastUse < oldest->second.lastUse))
                oldest = it;
        if (oldest == m_data.end())
            break;
        total -= bytes(oldest->second);
        m_data.erase(oldest);
    }
}

std::shared_ptr<const SeriesLod> ComparePane::seriesFor(KeyData &data, size_t run)
{
    auto raw = data.series[run].series;
    if (!raw || m_set.xAxis == ComparisonSet::XAxis::Step
        || raw->isMonotone(SeriesLod::XAxis::Time))
        return raw;
    if (!data.byTime[run])
        data.byTime[run] = std::make_shared<const SeriesLod>(raw->sortedByTime());
    return data.byTime[run];
}

std::vector<ChartGroup> ComparePane::groupsFor(const std::vector<int> &curveRuns) const
{
    std::vector<ChartGroup> groups;
    if (m_set.groupBy.empty())
        return groups;
    std::map<std::string, int> index;
    for (int c = 0; c < int(curveRuns.size()); ++c) {
        const std::string label = groupLabel(groupValue(m_records[size_t(curveRuns[c])], m_set.groupBy));
        auto [it, inserted] = index.emplace(label, int(groups.size()));
        if (inserted)
            groups.push_back({qs(label), runColor(it->second), {}});
        groups[size_t(it->second)].curves.push_back(c);
    }
    return groups;
}

void ComparePane::fillChart(MetricChart *chart, const QString &key, bool resetView)
{
    auto it = m_data.find(key);
    if (it == m_data.end())
        return;
    KeyData &data = it->second;
    data.lastUse = ++m_useClock;
    const double weight = m_set.smoothing;
    if (data.smoothedWeight != weight) {
        std::fill(data.smoothed.begin(), data.smoothed.end(), nullptr);
        data.smoothedWeight = weight;
    }
    std::vector<ChartCurve> curves;
    std::vector<int> curveRuns;
    for (size_t i = 0; i < data.series.size() && i < m_records.size(); ++i) {
        const QString id = qs(m_records[i].run.runId);
        auto series = seriesFor(data, i);
        if (!series || series->empty() || m_hidden.contains(id))
            continue;
        ChartCurve c;
        c.runId = id;
        c.label = runLabel(m_records[i]);
        c.color = m_colors.value(id);
        c.series = series;
        if (weight > 0) {
            if (!data.smoothed[i] || data.smoothed[i]->size() != series->size())
                data.smoothed[i] = std::make_shared<const SeriesLod>(series->smoothed(weight));
            c.smoothed = data.smoothed[i];
        }
        if (m_set.xAxis == ComparisonSet::XAxis::RelativeTime) {
            int64_t first = series->timestamp(0);
            for (size_t p = 1; p < std::min<size_t>(series->size(), 64); ++p)
                first = std::min(first, series->timestamp(p));
            c.xOffset = double(first);
        }
        c.active = m_selection->isActive(id);
        curves.push_back(std::move(c));
        curveRuns.push_back(int(i));
    }
    chart->setXAxis(m_set.xAxis);
    chart->setLogY(m_set.logY);
    chart->setCurrentRun(m_selection->currentRun());
    chart->setGroups(groupsFor(curveRuns), m_set.band, m_set.groupTraces);
    const bool empty = curves.empty();
    chart->setCurves(std::move(curves), resetView);
    if (empty)
        chart->setMessage(tr("no run shown has this metric"));
}

void ComparePane::refreshCharts(bool resetView)
{
    for (MetricChart *chart : m_grid->boundCharts())
        fillChart(chart, chart->title(), resetView);
}

void ComparePane::reloadHistories(const QList<QPair<QString, QString>> &changed)
{
    if (!m_store)
        return;
    std::set<QString> keys;
    for (const auto &[runId, key] : changed) {
        auto it = m_data.find(key);
        const int run = m_runIndex.value(runId, -1);
        if (it == m_data.end() || run < 0)
            continue;
        auto reader = m_store->openHistory(runId.toStdString(), key.toStdString());
        if (!reader)
            continue;
        auto lod = SeriesLod::load(**reader);
        if (!lod)
            continue;
        it->second.series[size_t(run)].series = std::make_shared<const SeriesLod>(std::move(*lod));
        it->second.smoothed[size_t(run)].reset();
        it->second.byTime[size_t(run)].reset();
        keys.insert(key);
    }
    // Runs' status and latest values for the diff table and the legend.
    const QStringList before = runningRuns();
    loadRecords();
    m_diff->setRuns(m_records);
    updateLegend();
    for (const QString &key : keys)
        if (MetricChart *chart = m_grid->chartFor(key)) {
            // Follow the newest points when the view showed the end of the data.
            const double hi = chart->xRange().second;
            double end = -INFINITY;
            for (const auto &c : chart->curves())
                if (!c.series->empty())
                    end = std::max(end, c.series->x(c.series->size() - 1,
                                                    m_set.xAxis == ComparisonSet::XAxis::Step
                                                        ? SeriesLod::XAxis::Step
                                                        : SeriesLod::XAxis::Time) - c.xOffset);
            const double scale = m_set.xAxis == ComparisonSet::XAxis::Step ? 1.0 : 1000.0;
            fillChart(chart, key, hi * scale >= end);
        }
    m_live->setEnabled(!runningRuns().isEmpty());
    if (before != runningRuns() && runningRuns().isEmpty() && m_live->isChecked())
        m_live->setChecked(false);
}

void ComparePane::reloadRuns()
{
    const QString current = m_selection->currentRun();
    m_store.reset(); // a sync may have replaced the file
    const auto hidden = m_hidden;
    applySet();
    m_hidden = hidden;
    updateLegend();
    if (!current.isEmpty())
        m_selection->setCurrentRun(current);
}

void ComparePane::computeStepValues(qint64 step)
{
    DiffStepValues values;
    if (!m_store)
        return;
    QApplication::setOverrideCursor(Qt::WaitCursor);
    for (const RunRecord &r : m_records) {
        std::set<std::string> keys;
        for (const auto &[key, s] : r.summaries)
            keys.insert(key);
        for (const auto &key : keys) {
            auto history = m_store->loadHistory(r.run.runId, key);
            if (history)
                values[{r.run.runId, key}] = valueAtStep(*history, step);
        }
    }
    QApplication::restoreOverrideCursor();
    m_diff->setStepValues(step, std::move(values));
}

QByteArray ComparePane::saveState() const
{
    QByteArray state;
    QDataStream out(&state, QIODevice::WriteOnly);
    out << quint32(1) << m_chartSplitter->saveState() << qint32(m_tabs->currentIndex());
    return state;
}

bool ComparePane::restoreState(const QByteArray &state)
{
    QDataStream in(state);
    quint32 version = 0;
    QByteArray splitter;
    qint32 tab = 0;
    in >> version >> splitter >> tab;
    if (in.status() != QDataStream::Ok || version != 1)
        return false;
    m_chartSplitter->restoreState(splitter);
    m_tabs->setCurrentIndex(std::clamp<int>(tab, 0, m_tabs->count() - 1));
    return true;
}

} // namespace sightline
