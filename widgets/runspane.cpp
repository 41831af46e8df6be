// SPDX-License-Identifier: GPL-3.0-or-later
#include "runspane.h"
#include "qtext.h"

#include "columnchooser.h"
#include "experimenttreemodel.h"
#include "rundetailsview.h"

#include <QApplication>
#include <QDataStream>
#include <QEvent>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputMethodEvent>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenu>
#include <QPushButton>
#include <QShortcut>
#include <QSplitter>
#include <QStyle>
#include <QTableView>
#include <QTextCharFormat>
#include <QTimer>
#include <QTreeView>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <exception>
#include <map>
#include <unordered_set>

namespace sightline {

namespace {

constexpr int kFilterDelayMs = 120;
constexpr quint32 kStateMagic = 0x534c5250; // "SLRP"
constexpr qint32 kStateVersion = 1;
constexpr int kDefaultMetricColumns = 4;
constexpr int kDefaultParamColumns = 3;

// Counts with group separators even in the C locale ("1,234 of 10,000 runs").
QString count(qint64 n)
{
    QLocale locale;
    locale.setNumberOptions(QLocale::DefaultNumberOptions);
    return locale.toString(n);
}

} // namespace

struct RunsPane::Snapshot {
    std::vector<Experiment> experiments;
    std::vector<RunRecord> runs;
    QString error;
};

RunsPane::RunsPane(QWidget *parent) : QWidget(parent)
{
    m_model = new RunTableModel(this);
    m_experimentModel = new ExperimentTreeModel(this);

    // Left: experiments.
    m_experimentView = new QTreeView;
    m_experimentView->setModel(m_experimentModel);
    m_experimentView->setRootIsDecorated(false);
    m_experimentView->setItemsExpandable(false);
    m_experimentView->setIndentation(12);
    m_experimentView->setUniformRowHeights(true);
    m_experimentView->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_experimentView->setTextElideMode(Qt::ElideRight);
    m_experimentView->header()->setStretchLastSection(false);
    m_experimentView->header()->setSectionResizeMode(ExperimentTreeModel::Name,
                                                     QHeaderView::Stretch);
    m_experimentView->header()->setSectionResizeMode(ExperimentTreeModel::Runs,
                                                     QHeaderView::ResizeToContents);
    m_experimentView->setFrameShape(QFrame::NoFrame);

    // Centre: filter row, error line, table.
    m_filterEdit = new QLineEdit;
    m_filterEdit->setObjectName(QStringLiteral("runFilter"));
    m_filterEdit->setClearButtonEnabled(true);
    m_filterEdit->setProperty("error", false);
    // One look in both states, so marking an error does not change the box's size.
    m_filterEdit->setStyleSheet(QStringLiteral(
        "QLineEdit#runFilter { border: 1px solid palette(mid); border-radius: 3px;"
        " padding: 3px 5px; background: palette(base); }"
        "QLineEdit#runFilter:focus { border-color: palette(highlight); }"
        "QLineEdit#runFilter[error=\"true\"] { border: 1px solid #c62828; background: #fff6f6; }"));
    m_countLabel = new QLabel;
    m_countLabel->setTextFormat(Qt::PlainText);
    m_columnsButton = new QPushButton;
    m_filterMessage = new QLabel;
    m_filterMessage->setTextFormat(Qt::PlainText);
    m_filterMessage->setWordWrap(true);
    m_filterMessage->setStyleSheet(QStringLiteral("color: #c62828;"));
    m_filterMessage->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_filterMessage->hide();

    m_table = new QTableView;
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setWordWrap(false);
    m_table->setTextElideMode(Qt::ElideRight);
    m_table->setAlternatingRowColors(true);
    m_table->setShowGrid(false);
    m_table->setCornerButtonEnabled(false);
    m_table->setHorizontalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_table->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 8);
    m_table->horizontalHeader()->setHighlightSections(false);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    m_table->horizontalHeader()->setTextElideMode(Qt::ElideRight);
    m_table->horizontalHeader()->setContextMenuPolicy(Qt::CustomContextMenu);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(RunTableModel::Started, Qt::DescendingOrder);

    m_emptyLabel = new QLabel(m_table->viewport());
    m_emptyLabel->setTextFormat(Qt::PlainText);
    m_emptyLabel->setAlignment(Qt::AlignCenter);
    m_emptyLabel->setWordWrap(true);
    m_emptyLabel->setStyleSheet(QStringLiteral("color: palette(mid); padding: 24px;"));
    m_emptyLabel->setAttribute(Qt::WA_TransparentForMouseEvents);
    m_table->viewport()->installEventFilter(this);

    auto *filterRow = new QHBoxLayout;
    filterRow->setSpacing(8);
    filterRow->addWidget(m_filterEdit, 1);
    filterRow->addWidget(m_countLabel);
    filterRow->addWidget(m_columnsButton);
    auto *centre = new QWidget;
    auto *centreLayout = new QVBoxLayout(centre);
    centreLayout->setContentsMargins(6, 6, 6, 0);
    centreLayout->setSpacing(4);
    centreLayout->addLayout(filterRow);
    centreLayout->addWidget(m_filterMessage);
    centreLayout->addWidget(m_table, 1);

    // Right: details.
    m_details = new RunDetailsView;

    m_splitter = new QSplitter(Qt::Horizontal);
    m_splitter->addWidget(m_experimentView);
    m_splitter->addWidget(centre);
    m_splitter->addWidget(m_details);
    m_splitter->setStretchFactor(0, 0);
    m_splitter->setStretchFactor(1, 1);
    m_splitter->setStretchFactor(2, 0);
    m_splitter->setCollapsible(1, false);
    m_splitter->setSizes({200, 860, 340});
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_splitter);

    m_filterTimer = new QTimer(this);
    m_filterTimer->setSingleShot(true);
    m_filterTimer->setInterval(kFilterDelayMs);

    connect(m_filterEdit, &QLineEdit::textChanged, this, [this] {
        m_filterTimer->start();
    });
    connect(m_filterTimer, &QTimer::timeout, this, &RunsPane::applyFilterText);
    connect(m_filterEdit, &QLineEdit::returnPressed, this, [this] {
        m_filterTimer->stop();
        applyFilterText();
        if (m_filterValid && m_model->rowCount() > 0)
            m_table->setFocus(Qt::OtherFocusReason);
    });
    connect(m_columnsButton, &QPushButton::clicked, this, &RunsPane::openColumnChooser);
    connect(m_experimentView->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &RunsPane::experimentSelectionChanged);
    connect(m_experimentModel, &QAbstractItemModel::modelReset, m_experimentView,
            &QTreeView::expandAll);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &RunsPane::currentRowChanged);
    connect(m_table, &QTableView::activated, this, [this](const QModelIndex &index) {
        if (const RunRecord *r = m_model->runAt(index.row()))
            emit runActivated(qs(r->run.runId));
    });
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] {
        afterModelReset(m_shownRunId);
    });
    connect(m_model, &QAbstractItemModel::layoutChanged, this, &RunsPane::updateEmptyState);
    connect(m_table->horizontalHeader(), &QHeaderView::sectionResized, this,
            [this](int logical, int, int newSize) {
                if (!m_applyingWidths && logical < m_model->columnCount()
                    && logical != m_model->columnCount() - 1)
                    m_columnWidths.insert(columnId(logical), newSize);
            });
    connect(m_table->horizontalHeader(), &QHeaderView::customContextMenuRequested, this,
            &RunsPane::showHeaderMenu);
    connect(m_details, &RunDetailsView::runLinkActivated, this,
            [this](const QString &runId) { selectRun(runId); });

    auto *find = new QShortcut(QKeySequence::Find, this);
    find->setContext(Qt::WidgetWithChildrenShortcut);
    connect(find, &QShortcut::activated, this, [this] {
        m_filterEdit->setFocus(Qt::ShortcutFocusReason);
        m_filterEdit->selectAll();
    });
    auto *escape = new QShortcut(QKeySequence(Qt::Key_Escape), m_filterEdit);
    escape->setContext(Qt::WidgetShortcut);
    connect(escape, &QShortcut::activated, this, [this] {
        if (m_filterEdit->text().isEmpty()) {
            m_table->setFocus(Qt::ShortcutFocusReason);
            return;
        }
        m_filterEdit->clear();
        m_filterTimer->stop();
        applyFilterText();
    });

    setFocusProxy(m_table);
    updateHiddenColumns();
    applyColumnWidths();
    retranslateUi();
    updateCountLabel();
    updateEmptyState();
}

RunsPane::~RunsPane() = default;

void RunsPane::retranslateUi()
{
    m_filterEdit->setPlaceholderText(
        tr("Filter runs — MLflow syntax, e.g. metrics.val_loss < 0.5 AND params.optimizer = "
           "'adam'"));
    if (m_filterValid)
        m_filterEdit->setToolTip(filterToolTip());
    m_columnsButton->setText(tr("Columns…"));
    m_columnsButton->setToolTip(tr("Choose the params, metrics and tags shown as columns"));
    m_experimentView->setToolTip(
        tr("Select one or more experiments (Ctrl+click) to show their runs"));
    m_model->retranslate();
    m_experimentModel->retranslate();
    updateCountLabel();
    updateEmptyState();
    m_details->retranslateUi();
    // Re-validate so the error message is in the new language too.
    if (!m_filterValid)
        applyFilterText();
}

QString RunsPane::filterToolTip() const
{
    return tr("MLflow search syntax plus OR and parentheses, evaluated on the cached runs.\n"
              "Ctrl+F focuses this box, Esc clears it.");
}

void RunsPane::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QWidget::changeEvent(event);
}

bool RunsPane::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_table->viewport() && event->type() == QEvent::Resize)
        m_emptyLabel->setGeometry(m_table->viewport()->rect());
    return QWidget::eventFilter(watched, event);
}

// --- loading ----------------------------------------------------------------------------------

void RunsPane::setSnapshot(std::vector<Experiment> experiments, std::vector<RunRecord> runs)
{
    ++m_loadToken; // an older background load must not overwrite this
    m_loading = false;
    applySnapshot(std::move(experiments), std::move(runs));
}

void RunsPane::loadFromStore(const Store &store)
{
    setSnapshot(store.experiments(), store.runRecords());
}

void RunsPane::loadFromFile(const QString &workspacePath)
{
    const quint64 token = ++m_loadToken;
    m_loading = true;
    updateEmptyState();
    using SnapshotPtr = std::shared_ptr<Snapshot>;
    auto *watcher = new QFutureWatcher<SnapshotPtr>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, token] {
        watcher->deleteLater();
        if (token != m_loadToken)
            return; // superseded by a newer load
        m_loading = false;
        SnapshotPtr snapshot = watcher->result();
        if (!snapshot->error.isEmpty()) {
            updateEmptyState();
            emit loaded(false, snapshot->error);
            return;
        }
        applySnapshot(std::move(snapshot->experiments), std::move(snapshot->runs));
        emit loaded(true, QString());
    });
    const std::string path = workspacePath.toStdString();
    watcher->setFuture(QtConcurrent::run([path]() -> SnapshotPtr {
        auto snapshot = std::make_shared<Snapshot>();
        try {
            auto store = Store::open(path, Store::Mode::ReadOnly);
            if (!store) {
                snapshot->error = qs(store.error().message);
                return snapshot;
            }
            snapshot->experiments = (*store)->experiments();
            snapshot->runs = (*store)->runRecords();
        } catch (const std::exception &e) {
            snapshot->error = QCoreApplication::translate("sightline::RunsPane",
                                                          "Cannot read the workspace: %1")
                                  .arg(QString::fromUtf8(e.what()));
        }
        return snapshot;
    }));
}

void RunsPane::applySnapshot(std::vector<Experiment> experiments, std::vector<RunRecord> runs)
{
    const std::vector<std::string> selected = selectedExperimentIds();

    std::map<std::string, int> counts;
    for (const RunRecord &r : runs)
        ++counts[r.run.experimentId];
    std::map<std::string, std::string> names;
    for (const Experiment &e : experiments)
        names.emplace(e.experimentId, e.name);

    // Keep the experiment selection where the experiments still exist.
    std::vector<std::string> scope;
    for (const std::string &id : selected)
        if (names.count(id))
            scope.push_back(id);

    m_model->setExperimentNames(std::move(names));
    m_model->setExperimentScope(scope);
    m_model->setRuns(std::move(runs));

    m_experimentModel->setExperiments(std::move(experiments), std::move(counts));
    QItemSelection selection;
    for (const std::string &id : scope) {
        const QModelIndex idx = m_experimentModel->indexOfExperiment(id);
        selection.select(idx, idx.siblingAtColumn(ExperimentTreeModel::Runs));
    }
    if (scope.empty())
        selection.select(m_experimentModel->allExperimentsIndex(),
                         m_experimentModel->allExperimentsIndex(ExperimentTreeModel::Runs));
    m_experimentView->selectionModel()->select(selection, QItemSelectionModel::ClearAndSelect);
    m_experimentView->selectionModel()->setCurrentIndex(selection.indexes().value(0),
                                                        QItemSelectionModel::NoUpdate);
    m_experimentView->expandAll();
    if (!m_columnsCustomized)
        applyDefaultColumns();
    // The first snapshot opens with the newest run in the details.
    if (m_shownRunId.isEmpty() && m_model->rowCount() > 0) {
        m_table->selectionModel()->setCurrentIndex(
            m_model->index(0, RunTableModel::Name),
            QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    }
    updateCountLabel();
}

// --- filter -----------------------------------------------------------------------------------

void RunsPane::applyFilterText()
{
    const QString text = m_filterEdit->text();
    const QByteArray utf8 = text.toUtf8();
    const std::string_view view(utf8.constData(), static_cast<size_t>(utf8.size()));
    auto parsed = RunFilter::parse(view);
    if (!parsed) {
        const auto error = RunFilter::validate(view);
        if (!error) { // parse() and validate() agree; this is only a safety net
            m_filterValid = false;
            showFilterError(qs(parsed.error().message), 0, static_cast<int>(text.size()));
            return;
        }
        // Byte offsets to character positions for the underline.
        const qsizetype pos = std::min<qsizetype>(static_cast<qsizetype>(error->position),
                                                  utf8.size());
        const qsizetype len = std::min<qsizetype>(static_cast<qsizetype>(error->length),
                                                  utf8.size() - pos);
        const int start = static_cast<int>(QString::fromUtf8(utf8.left(pos)).size());
        const int length = static_cast<int>(QString::fromUtf8(utf8.mid(pos, len)).size());
        m_filterValid = false;
        showFilterError(qs(error->message), start, length);
        updateCountLabel();
        return;
    }
    m_filterValid = true;
    clearFilterError();
    if (text == m_appliedFilter)
        return;
    m_appliedFilter = text;
    m_model->setFilter(*parsed);
    if (!m_columnsCustomized)
        applyDefaultColumns();
}

void RunsPane::showFilterError(const QString &message, int start, int length)
{
    m_filterMessage->setText(message);
    m_filterMessage->show();
    if (!m_filterEdit->property("error").toBool()) {
        m_filterEdit->setProperty("error", true);
        m_filterEdit->style()->unpolish(m_filterEdit);
        m_filterEdit->style()->polish(m_filterEdit);
    }
    // A wavy underline under the offending characters (or the last one, when the problem is
    // that the text ends too early). QLineEdit takes character formats only through an input
    // method event, with positions relative to the cursor.
    const int size = static_cast<int>(m_filterEdit->text().size());
    if (length <= 0) {
        start = std::max(0, std::min(start, size) - (start >= size ? 1 : 0));
        length = size > 0 ? 1 : 0;
    }
    QTextCharFormat format;
    format.setUnderlineStyle(QTextCharFormat::WaveUnderline);
    format.setUnderlineColor(QColor(0xc6, 0x28, 0x28));
    format.setForeground(QColor(0xc6, 0x28, 0x28));
    QList<QInputMethodEvent::Attribute> attributes;
    attributes << QInputMethodEvent::Attribute(QInputMethodEvent::TextFormat,
                                               start - m_filterEdit->cursorPosition(), length,
                                               format);
    QInputMethodEvent event(QString(), attributes);
    QCoreApplication::sendEvent(m_filterEdit, &event);
    m_underlined = true;
    m_filterEdit->setToolTip(message);
}

void RunsPane::clearFilterError()
{
    m_filterMessage->clear();
    m_filterMessage->hide();
    if (m_filterEdit->property("error").toBool()) {
        m_filterEdit->setProperty("error", false);
        m_filterEdit->style()->unpolish(m_filterEdit);
        m_filterEdit->style()->polish(m_filterEdit);
    }
    if (m_underlined) {
        QInputMethodEvent event(QString(), {});
        QCoreApplication::sendEvent(m_filterEdit, &event);
        m_underlined = false;
    }
    m_filterEdit->setToolTip(filterToolTip());
}

// --- experiments, selection ---------------------------------------------------------------

std::vector<std::string> RunsPane::selectedExperimentIds() const
{
    std::vector<std::string> ids;
    const QModelIndexList rows = m_experimentView->selectionModel()->selectedRows();
    for (const QModelIndex &index : rows) {
        if (index.data(ExperimentTreeModel::IsAllExperimentsRole).toBool())
            return {};
        ids.push_back(index.data(ExperimentTreeModel::ExperimentIdRole).toString().toStdString());
    }
    return ids;
}

void RunsPane::experimentSelectionChanged()
{
    m_model->setExperimentScope(selectedExperimentIds());
    updateHiddenColumns();
    if (!m_columnsCustomized)
        applyDefaultColumns();
    updateCountLabel();
}

void RunsPane::currentRowChanged()
{
    if (m_restoringSelection)
        return;
    const RunRecord *record = m_model->runAt(m_table->selectionModel()->currentIndex().row());
    const QString id = record ? qs(record->run.runId) : QString();
    if (record) {
        m_details->showRun(*record, m_model->experimentName(record->run.experimentId),
                           m_model->findRun(record->run.parentRunId()),
                           m_model->childrenOf(record->run.runId));
    } else {
        m_details->clearRun();
    }
    if (id != m_shownRunId) {
        m_shownRunId = id;
        emit currentRunChanged(id);
    }
}

QString RunsPane::currentRunId() const
{
    return m_shownRunId;
}

QStringList RunsPane::selectedRunIds() const
{
    QStringList ids;
    QModelIndexList rows = m_table->selectionModel()->selectedRows();
    std::sort(rows.begin(), rows.end(),
              [](const QModelIndex &a, const QModelIndex &b) { return a.row() < b.row(); });
    for (const QModelIndex &row : rows) {
        const QString id = row.data(RunTableModel::RunIdRole).toString();
        if (!id.isEmpty() && !ids.contains(id))
            ids.append(id);
    }
    if (ids.isEmpty() && !currentRunId().isEmpty())
        ids.append(currentRunId());
    return ids;
}

bool RunsPane::selectRun(const QString &runId)
{
    const std::string id = runId.toStdString();
    const RunRecord *record = m_model->findRun(id);
    if (!record)
        return false;
    if (m_model->rowOfRun(id) < 0) {
        // Hidden by the experiment selection: show every experiment.
        const auto scope = m_model->experimentScope();
        if (!scope.empty() && !std::binary_search(scope.begin(), scope.end(),
                                                  record->run.experimentId)) {
            m_experimentView->selectionModel()->select(
                QItemSelection(m_experimentModel->allExperimentsIndex(),
                               m_experimentModel->allExperimentsIndex(ExperimentTreeModel::Runs)),
                QItemSelectionModel::ClearAndSelect);
        }
    }
    if (m_model->rowOfRun(id) < 0 && !m_filterEdit->text().isEmpty()) {
        // Hidden by the filter: clear it.
        m_filterEdit->clear();
        m_filterTimer->stop();
        applyFilterText();
    }
    const int row = m_model->rowOfRun(id);
    if (row < 0)
        return false;
    m_shownRunId.clear(); // so currentRowChanged reports the change
    const QModelIndex index = m_model->index(row, RunTableModel::Name);
    m_table->selectionModel()->setCurrentIndex(
        index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_table->scrollTo(index, QAbstractItemView::PositionAtCenter);
    currentRowChanged();
    return true;
}

void RunsPane::restoreSelection(const QString &runId)
{
    const int row = runId.isEmpty() ? -1 : m_model->rowOfRun(runId.toStdString());
    if (row < 0) {
        // The run is hidden for now; it is selected again when it comes back.
        m_details->clearRun();
        return;
    }
    m_restoringSelection = true;
    const QModelIndex index = m_model->index(row, RunTableModel::Name);
    m_table->selectionModel()->setCurrentIndex(
        index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_restoringSelection = false;
    const RunRecord *record = m_model->runAt(row);
    m_details->showRun(*record, m_model->experimentName(record->run.experimentId),
                       m_model->findRun(record->run.parentRunId()),
                       m_model->childrenOf(record->run.runId));
}

void RunsPane::updateHiddenColumns()
{
    for (int c = 0; c < RunTableModel::FixedColumnCount; ++c)
        m_table->setColumnHidden(c, m_hiddenFixed.contains(c));
    // With one experiment shown, its name in every row says nothing.
    if (m_model->experimentScope().size() == 1)
        m_table->setColumnHidden(RunTableModel::Experiment, true);
}

void RunsPane::setFixedColumnHidden(int column, bool hidden)
{
    if (column <= RunTableModel::Name || column >= RunTableModel::FixedColumnCount)
        return; // the name always shows
    if (hidden)
        m_hiddenFixed.insert(column);
    else
        m_hiddenFixed.remove(column);
    updateHiddenColumns();
}

void RunsPane::showHeaderMenu(const QPoint &pos)
{
    QMenu menu(this);
    for (int c = RunTableModel::Name + 1; c < RunTableModel::FixedColumnCount; ++c) {
        QAction *action = menu.addAction(m_model->headerData(c, Qt::Horizontal).toString());
        action->setCheckable(true);
        action->setChecked(!m_hiddenFixed.contains(c));
        connect(action, &QAction::toggled, this,
                [this, c](bool shown) { setFixedColumnHidden(c, !shown); });
    }
    menu.addSeparator();
    connect(menu.addAction(tr("Columns…")), &QAction::triggered, this,
            &RunsPane::openColumnChooser);
    menu.exec(m_table->horizontalHeader()->mapToGlobal(pos));
}

void RunsPane::afterModelReset(const QString &keepRunId)
{
    restoreSelection(keepRunId);
    m_table->horizontalHeader()->setSortIndicator(m_model->sortColumn(), m_model->sortOrder());
    updateCountLabel();
    updateEmptyState();
}

void RunsPane::updateCountLabel()
{
    const int shown = m_model->rowCount();
    const int scoped = m_model->scopedRunCount();
    if (m_model->totalRunCount() == 0)
        m_countLabel->setText(tr("No runs"));
    else if (shown == scoped)
        m_countLabel->setText(tr("%1 runs").arg(count(shown)));
    else
        m_countLabel->setText(tr("%1 of %2 runs").arg(count(shown), count(scoped)));
}

void RunsPane::updateEmptyState()
{
    if (m_model->rowCount() > 0) {
        m_emptyLabel->hide();
        return;
    }
    if (m_loading)
        m_emptyLabel->setText(tr("Loading runs…"));
    else if (m_model->totalRunCount() == 0)
        m_emptyLabel->setText(tr("No runs in this workspace yet.\nConnect to an MLflow server "
                                 "and sync (F5) to fetch them."));
    else
        m_emptyLabel->setText(tr("No run matches the filter."));
    m_emptyLabel->setGeometry(m_table->viewport()->rect());
    m_emptyLabel->show();
}

// --- columns ------------------------------------------------------------------------------

QString RunsPane::columnId(int column) const
{
    if (column < RunTableModel::FixedColumnCount)
        return QStringLiteral("fixed:%1").arg(column);
    return m_model->columns()[static_cast<size_t>(column - RunTableModel::FixedColumnCount)]
        .toString();
}

void RunsPane::applyDefaultColumns()
{
    if (m_model->rowCount() == 0 && m_model->totalRunCount() > 0)
        return; // nothing shown to choose from: keep the columns as they are
    std::vector<ColumnSpec> columns;
    for (const std::string &key : m_model->commonMetricKeys(kDefaultMetricColumns))
        columns.push_back({ColumnSpec::Metric, key, ColumnSpec::Last});
    for (const std::string &key : m_model->commonParamKeys(kDefaultParamColumns))
        columns.push_back({ColumnSpec::Param, key, ColumnSpec::Last});
    setColumnsInternal(std::move(columns));
}

void RunsPane::setColumns(std::vector<ColumnSpec> columns)
{
    m_columnsCustomized = true;
    setColumnsInternal(std::move(columns));
}

void RunsPane::setColumnsInternal(std::vector<ColumnSpec> columns)
{
    if (columns == m_model->columns())
        return;
    m_model->setColumns(std::move(columns));
    updateHiddenColumns();
    applyColumnWidths();
}

void RunsPane::applyColumnWidths()
{
    const QFontMetrics fm = m_table->horizontalHeader()->fontMetrics();
    const int pad = 2 * m_table->horizontalHeader()->style()->pixelMetric(
                        QStyle::PM_HeaderMargin, nullptr, m_table->horizontalHeader())
        + 22; // sort arrow
    const int em = fm.horizontalAdvance(QLatin1Char('M'));
    auto fixedWidth = [&](int column) {
        switch (column) {
        case RunTableModel::Name:
            return 13 * em;
        case RunTableModel::Status:
            return fm.horizontalAdvance(tr("Scheduled")) + pad;
        case RunTableModel::Experiment:
            return 12 * em;
        case RunTableModel::User:
            return std::max(fm.horizontalAdvance(tr("User")) + pad, 5 * em);
        case RunTableModel::Started:
            return fm.horizontalAdvance(QStringLiteral("2026-11-26 00:00")) + pad;
        case RunTableModel::Duration:
            return fm.horizontalAdvance(QStringLiteral("12h 00m")) + pad;
        case RunTableModel::RunId:
            return 6 * em;
        default:
            return 8 * em;
        }
    };
    m_applyingWidths = true;
    for (int c = 0; c < m_model->columnCount(); ++c) {
        int width = m_columnWidths.value(columnId(c), -1);
        if (width <= 0) {
            if (c < RunTableModel::FixedColumnCount) {
                width = fixedWidth(c);
            } else {
                const QString title = m_model->headerData(c, Qt::Horizontal).toString();
                width = std::clamp(fm.horizontalAdvance(title) + pad, 7 * em, 16 * em);
            }
        }
        m_table->horizontalHeader()->resizeSection(c, width);
    }
    m_applyingWidths = false;
}

void RunsPane::openColumnChooser()
{
    ColumnChooser chooser(m_model->availableParamKeys(), m_model->availableMetricKeys(),
                          m_model->availableTagKeys(), m_model->columns(), this);
    if (chooser.exec() == QDialog::Accepted)
        setColumns(chooser.columns());
}

// --- state --------------------------------------------------------------------------------

QByteArray RunsPane::saveState() const
{
    QByteArray data;
    QDataStream out(&data, QIODevice::WriteOnly);
    out.setVersion(QDataStream::Qt_6_4);
    QStringList columns;
    for (const ColumnSpec &spec : m_model->columns())
        columns << spec.toString();
    QHash<QString, int> widths = m_columnWidths;
    QList<int> hidden(m_hiddenFixed.begin(), m_hiddenFixed.end());
    std::sort(hidden.begin(), hidden.end());
    out << kStateMagic << kStateVersion << m_splitter->saveState() << m_columnsCustomized
        << columns << widths << hidden
        << (m_model->sortColumn() >= 0 ? columnId(m_model->sortColumn()) : QString())
        << static_cast<qint32>(m_model->sortOrder());
    return data;
}

bool RunsPane::restoreState(const QByteArray &state)
{
    QDataStream in(state);
    in.setVersion(QDataStream::Qt_6_4);
    quint32 magic = 0;
    qint32 version = 0;
    QByteArray splitter;
    bool customized = false;
    QStringList columns;
    QHash<QString, int> widths;
    QList<int> hidden;
    QString sortId;
    qint32 sortOrder = 0;
    in >> magic >> version;
    if (magic != kStateMagic || version != kStateVersion)
        return false;
    in >> splitter >> customized >> columns >> widths >> hidden >> sortId >> sortOrder;
    if (in.status() != QDataStream::Ok)
        return false;
    m_splitter->restoreState(splitter);
    m_columnWidths = widths;
    m_hiddenFixed = QSet<int>(hidden.begin(), hidden.end());
    updateHiddenColumns();
    if (customized) {
        std::vector<ColumnSpec> specs;
        for (const QString &text : columns) {
            ColumnSpec spec;
            if (ColumnSpec::fromString(text, &spec))
                specs.push_back(spec);
        }
        setColumns(std::move(specs));
    } else {
        m_columnsCustomized = false;
        applyDefaultColumns();
    }
    applyColumnWidths();
    for (int c = 0; c < m_model->columnCount(); ++c)
        if (columnId(c) == sortId) {
            m_table->sortByColumn(c, sortOrder == Qt::AscendingOrder ? Qt::AscendingOrder
                                                                     : Qt::DescendingOrder);
            break;
        }
    return true;
}

} // namespace sightline
