// SPDX-License-Identifier: GPL-3.0-or-later
#include "difftableview.h"

#include "difftablemodel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSaveFile>
#include <QSpinBox>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

#include <limits>

namespace sightline {

namespace {

constexpr int kDefaultColumnWidth = 110;

} // namespace

DiffTableView::DiffTableView(QWidget *parent) : QWidget(parent)
{
    m_model = new DiffTableModel(this);

    m_onlyDifferences = new QCheckBox(this);
    m_onlyDifferences->setChecked(m_model->onlyDifferences());
    m_transpose = new QToolButton(this);
    m_transpose->setCheckable(true);
    m_transpose->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_metricLabel = new QLabel(this);
    m_metricMode = new QComboBox(this);
    for (DiffMetricMode mode : {DiffMetricMode::Last, DiffMetricMode::Min, DiffMetricMode::Max,
                                DiffMetricMode::AtStep})
        m_metricMode->addItem(QString(), static_cast<int>(mode));
    m_metricLabel->setBuddy(m_metricMode);
    m_step = new QSpinBox(this);
    m_step->setRange(0, std::numeric_limits<int>::max());
    // Every step typed would otherwise ask for values from the histories.
    m_step->setKeyboardTracking(false);
    m_step->setEnabled(false);
    m_systemTags = new QCheckBox(this);
    m_filter = new QLineEdit(this);
    m_filter->setClearButtonEnabled(true);
    m_export = new QPushButton(this);

    m_placeholder = new QLabel(this);
    m_placeholder->setAlignment(Qt::AlignCenter);
    m_placeholder->setWordWrap(true);
    m_placeholder->setEnabled(false);

    m_table = new QTableView(this);
    m_table->setModel(m_model);
    m_table->setWordWrap(false);
    m_table->setCornerButtonEnabled(false);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setHorizontalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_table->horizontalHeader()->setDefaultSectionSize(kDefaultColumnWidth);
    m_table->horizontalHeader()->setHighlightSections(false);
    m_table->verticalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    m_table->verticalHeader()->setHighlightSections(false);
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);

    auto *toolbar = new QHBoxLayout;
    toolbar->setContentsMargins(4, 4, 4, 0);
    toolbar->addWidget(m_onlyDifferences);
    toolbar->addWidget(m_transpose);
    toolbar->addSpacing(8);
    toolbar->addWidget(m_metricLabel);
    toolbar->addWidget(m_metricMode);
    toolbar->addWidget(m_step);
    toolbar->addSpacing(8);
    toolbar->addWidget(m_systemTags);
    toolbar->addWidget(m_filter, 1);
    toolbar->addWidget(m_export);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(toolbar);
    layout->addWidget(m_placeholder);
    layout->addWidget(m_table, 1);

    connect(m_onlyDifferences, &QCheckBox::toggled, m_model, &DiffTableModel::setOnlyDifferences);
    connect(m_transpose, &QToolButton::toggled, m_model, &DiffTableModel::setTransposed);
    connect(m_systemTags, &QCheckBox::toggled, m_model, &DiffTableModel::setShowSystemTags);
    connect(m_filter, &QLineEdit::textChanged, m_model, &DiffTableModel::setKeyFilter);
    connect(m_metricMode, &QComboBox::currentIndexChanged, this, &DiffTableView::applyMetricMode);
    connect(m_step, &QSpinBox::valueChanged, this, &DiffTableView::applyMetricMode);
    connect(m_export, &QPushButton::clicked, this, &DiffTableView::exportWithDialog);
    connect(m_model, &DiffTableModel::stepValuesNeeded, this, &DiffTableView::stepValuesNeeded);
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] {
        updateSpans();
        updatePlaceholder();
    });
    connect(m_table, &QTableView::clicked, this, &DiffTableView::onCellClicked);
    connect(m_table->horizontalHeader(), &QHeaderView::sectionClicked, this,
            [this](int section) { onHeaderClicked(Qt::Horizontal, section); });
    connect(m_table->verticalHeader(), &QHeaderView::sectionClicked, this,
            [this](int section) { onHeaderClicked(Qt::Vertical, section); });

    retranslateUi();
    updatePlaceholder();
}

DiffTableView::~DiffTableView() = default;

void DiffTableView::setRuns(std::vector<RunRecord> runs)
{
    m_model->setRuns(std::move(runs));
    // A new snapshot clears the model's subset; the selection's filters still apply.
    applyActiveRuns();
    if (m_selection)
        m_model->setCurrentRun(m_selection->currentRun());
}

void DiffTableView::setSelection(CompareSelection *selection)
{
    if (m_selection == selection)
        return;
    if (m_selection)
        disconnect(m_selection, nullptr, this, nullptr);
    m_selection = selection;
    if (m_selection) {
        connect(m_selection, &CompareSelection::activeChanged, this,
                &DiffTableView::applyActiveRuns);
        connect(m_selection, &CompareSelection::currentRunChanged, this,
                [this](const QString &runId) { m_model->setCurrentRun(runId); });
    }
    applyActiveRuns();
    m_model->setCurrentRun(m_selection ? m_selection->currentRun() : QString());
}

void DiffTableView::setStepValues(qint64 step, DiffStepValues values)
{
    m_model->setStepValues(step, std::move(values));
}

void DiffTableView::applyActiveRuns()
{
    if (m_selection && m_selection->isFiltered())
        m_model->setActiveRuns(m_selection->activeRuns());
    else
        m_model->setActiveRuns(std::nullopt);
}

void DiffTableView::applyMetricMode()
{
    const auto mode = static_cast<DiffMetricMode>(m_metricMode->currentData().toInt());
    m_step->setEnabled(mode == DiffMetricMode::AtStep);
    // The step first, so that entering AtStep asks for the values of the step shown.
    m_model->setStep(m_step->value());
    m_model->setMetricMode(mode);
}

void DiffTableView::updateSpans()
{
    m_table->clearSpans();
    if (m_model->isTransposed() || m_model->columnCount() < 2)
        return;
    for (int row = 0; row < m_model->rowCount(); ++row)
        if (m_model->isSectionHeaderRow(row))
            m_table->setSpan(row, 0, 1, m_model->columnCount());
}

void DiffTableView::updatePlaceholder()
{
    QString text;
    if (m_model->runs().empty())
        text = tr("No runs to compare.");
    else if (m_model->shownRunCount() == 0)
        text = tr("No run is left by the current selection.");
    else if (m_model->shownKeyCount() == 0 && !m_model->keyFilter().trimmed().isEmpty())
        text = tr("No key matches the filter.");
    else if (m_model->shownKeyCount() == 0 && m_model->onlyDifferences())
        text = m_model->shownRunCount() == 1
            ? tr("Only one run is shown: there is nothing to tell apart.")
            : tr("The runs shown do not differ. Untick \"Only differences\" to see every key.");
    else if (m_model->shownKeyCount() == 0)
        text = tr("The runs shown have no params, metrics or tags.");
    m_placeholder->setText(text);
    m_placeholder->setVisible(!text.isEmpty());
}

void DiffTableView::onCellClicked(const QModelIndex &index)
{
    selectRun(m_model->runIdAt(index));
}

void DiffTableView::onHeaderClicked(Qt::Orientation orientation, int section)
{
    selectRun(m_model->runIdOfSection(orientation, section));
}

void DiffTableView::selectRun(const QString &runId)
{
    if (runId.isEmpty())
        return;
    if (m_selection)
        m_selection->setCurrentRun(runId);
    emit runClicked(runId);
}

bool DiffTableView::exportCsv(const QString &path, QString *error) const
{
    QSaveFile file(path);
    const std::string csv = m_model->toCsv();
    if (!file.open(QIODevice::WriteOnly)
        || file.write(csv.data(), static_cast<qint64>(csv.size()))
            != static_cast<qint64>(csv.size())
        || !file.commit()) {
        if (error)
            *error = tr("Could not write %1: %2.")
                         .arg(QDir::toNativeSeparators(path), file.errorString());
        return false;
    }
    return true;
}

void DiffTableView::exportWithDialog()
{
    const QString dir = m_lastExportDir.isEmpty() ? QDir::homePath() : m_lastExportDir;
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export Diff Table"), QDir(dir).filePath(QStringLiteral("diff.csv")),
        tr("CSV files (*.csv);;All files (*)"));
    if (path.isEmpty())
        return;
    m_lastExportDir = QFileInfo(path).absolutePath();
    QString error;
    if (!exportCsv(path, &error))
        QMessageBox::warning(this, tr("Export Diff Table"), error);
}

void DiffTableView::retranslateUi()
{
    m_onlyDifferences->setText(tr("Only differences"));
    m_onlyDifferences->setToolTip(
        tr("Show only the params, metrics and tags whose values differ between the runs shown"));
    m_transpose->setText(tr("Transpose"));
    m_transpose->setToolTip(tr("Swap rows and columns: one row per run, one column per key"));
    m_metricLabel->setText(tr("&Metric:"));
    m_metricMode->setItemText(0, tr("Last"));
    m_metricMode->setItemText(1, tr("Min"));
    m_metricMode->setItemText(2, tr("Max"));
    m_metricMode->setItemText(3, tr("At step"));
    m_metricMode->setToolTip(tr("Which value of each metric to compare: the last logged, the "
                                "lowest, the highest, or the value at a chosen step"));
    m_metricLabel->setToolTip(m_metricMode->toolTip());
    m_step->setToolTip(tr("The step for \"At step\": each run's last value logged at or before "
                          "this step"));
    m_systemTags->setText(tr("System tags"));
    m_systemTags->setToolTip(tr("Also compare the tags MLflow sets itself (mlflow.*)"));
    m_filter->setPlaceholderText(tr("Filter keys"));
    m_filter->setToolTip(tr("Show only keys containing this text (case-insensitive)"));
    m_export->setText(tr("Export CSV\u2026"));
    m_export->setToolTip(tr("Save the table as shown to a CSV file"));
    m_model->retranslate();
    updatePlaceholder();
}

void DiffTableView::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QWidget::changeEvent(event);
}

} // namespace sightline
