// SPDX-License-Identifier: GPL-3.0-or-later
#include "approvalpane.h"
#include "qtext.h"

#include "aliastimeline.h"
#include "approval/request.h"
#include "approval/workflow.h"
#include "registrymodel.h"
#include "requestsmodel.h"

#include <QApplication>
#include <QCheckBox>
#include <QDataStream>
#include <QDateTime>
#include <QDialog>
#include <QDialogButtonBox>
#include <QEvent>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPainter>
#include <QPainterPath>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QShortcut>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableView>
#include <QTreeView>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>
#include <optional>
#include <map>
#include <set>

namespace sightline {

namespace {

enum MessageKind { Neutral, Success, Failure };

const QColor kPass(0x2e, 0x7d, 0x32);
const QColor kFail(0xc6, 0x28, 0x28);
const QColor kUnknown(0x9e, 0x6a, 0x00);
const QColor kDiffers(0xff, 0xf1, 0xc4);

// A small round badge: a tick, a cross or a question mark.
QIcon outcomeIcon(GateResult::Outcome outcome)
{
    const qreal dpr = qApp ? qApp->devicePixelRatio() : 1.0;
    QPixmap pm(QSize(16, 16) * dpr);
    pm.setDevicePixelRatio(dpr);
    pm.fill(Qt::transparent);
    QPainter p(&pm);
    p.setRenderHint(QPainter::Antialiasing);
    const QColor colour = outcome == GateResult::Pass   ? kPass
                          : outcome == GateResult::Fail ? kFail
                                                        : kUnknown;
    p.setPen(Qt::NoPen);
    p.setBrush(colour);
    p.drawEllipse(QRectF(1, 1, 14, 14));
    QPen pen(Qt::white, 2.0, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin);
    p.setPen(pen);
    p.setBrush(Qt::NoBrush);
    if (outcome == GateResult::Pass) {
        QPainterPath tick;
        tick.moveTo(4.5, 8.2);
        tick.lineTo(7.0, 10.8);
        tick.lineTo(11.5, 5.5);
        p.drawPath(tick);
    } else if (outcome == GateResult::Fail) {
        p.drawLine(QPointF(5.2, 5.2), QPointF(10.8, 10.8));
        p.drawLine(QPointF(10.8, 5.2), QPointF(5.2, 10.8));
    } else {
        QFont f = p.font();
        f.setPixelSize(11);
        f.setBold(true);
        p.setFont(f);
        p.drawText(QRectF(0, 0, 16, 16), Qt::AlignCenter, QStringLiteral("?"));
    }
    return QIcon(pm);
}

QString numberText(double v)
{
    if (std::isnan(v))
        return QStringLiteral("NaN");
    return QString::number(v, 'g', 6);
}

// A metric from an evidence side: nullopt when absent, NaN when stored as null.
std::optional<double> sideMetric(const nlohmann::json &side, const std::string &key)
{
    if (!side.is_object() || !side.contains("metrics") || !side["metrics"].is_object())
        return std::nullopt;
    const auto &m = side["metrics"];
    auto it = m.find(key);
    if (it == m.end())
        return std::nullopt;
    if (it->is_number())
        return it->get<double>();
    return std::numeric_limits<double>::quiet_NaN();
}

std::optional<std::string> sideString(const nlohmann::json &side, const char *section,
                                      const std::string &key)
{
    if (!side.is_object() || !side.contains(section) || !side[section].is_object())
        return std::nullopt;
    const auto &m = side[section];
    auto it = m.find(key);
    if (it == m.end())
        return std::nullopt;
    return it->is_string() ? it->get<std::string>() : it->dump();
}

std::set<std::string> sideKeys(const nlohmann::json &side, const char *section)
{
    std::set<std::string> out;
    if (side.is_object() && side.contains(section) && side[section].is_object())
        for (auto it = side[section].begin(); it != side[section].end(); ++it)
            out.insert(it.key());
    return out;
}

// Datasets of an evidence side by name: "digest · context".
std::map<std::string, std::string> sideDatasets(const nlohmann::json &side)
{
    std::map<std::string, std::string> out;
    if (!side.is_object() || !side.contains("datasets") || !side["datasets"].is_array())
        return out;
    for (const auto &d : side["datasets"]) {
        if (!d.is_object())
            continue;
        const std::string name = d.value("name", std::string());
        std::string text = d.value("digest", std::string());
        const std::string context = d.value("context", std::string());
        if (!context.empty())
            text += (text.empty() ? "" : " · ") + context;
        out[name] = text;
    }
    return out;
}

std::string sideText(const nlohmann::json &side, const char *key)
{
    if (side.is_object() && side.contains(key) && side[key].is_string())
        return side[key].get<std::string>();
    return {};
}

QTreeWidget *makeTable(const QStringList &headers)
{
    auto *view = new QTreeWidget;
    view->setRootIsDecorated(false);
    view->setUniformRowHeights(true);
    view->setAlternatingRowColors(true);
    view->setSelectionMode(QAbstractItemView::SingleSelection);
    view->setHeaderLabels(headers);
    view->header()->setStretchLastSection(true);
    view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    return view;
}

// Columns as wide as their contents (within reason); the last one takes the rest.
void fitColumns(QTreeWidget *view, int maxWidth)
{
    for (int c = 0; c + 1 < view->columnCount(); ++c) {
        view->resizeColumnToContents(c);
        view->setColumnWidth(c, std::min(view->columnWidth(c) + 8, maxWidth));
    }
}

QLabel *makeValue()
{
    auto *label = new QLabel;
    label->setTextFormat(Qt::PlainText);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    label->setWordWrap(true);
    return label;
}

QLabel *makeTitle()
{
    auto *label = new QLabel;
    label->setTextFormat(Qt::PlainText);
    QFont f = label->font();
    f.setBold(true);
    f.setPointSizeF(f.pointSizeF() * 1.25);
    label->setFont(f);
    return label;
}

// The comment-and-confirm dialog behind the default prompt.
std::optional<QString> commentDialog(QWidget *parent, ApprovalPane::Action action,
                                     const QString &question)
{
    QDialog dialog(parent);
    auto *layout = new QVBoxLayout(&dialog);
    auto *text = new QLabel(question);
    text->setTextFormat(Qt::PlainText);
    text->setWordWrap(true);
    layout->addWidget(text);
    auto *commentLabel = new QLabel;
    layout->addWidget(commentLabel);
    auto *comment = new QPlainTextEdit;
    comment->setTabChangesFocus(true);
    comment->setMinimumHeight(90);
    commentLabel->setBuddy(comment);
    layout->addWidget(comment);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel);
    QPushButton *confirm = buttons->addButton(QString(), QDialogButtonBox::AcceptRole);
    layout->addWidget(buttons);
    QObject::connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    QObject::connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    const bool needsComment = action == ApprovalPane::Action::Reject;
    switch (action) {
    case ApprovalPane::Action::Approve:
        dialog.setWindowTitle(ApprovalPane::tr("Approve Request"));
        confirm->setText(ApprovalPane::tr("Approve"));
        commentLabel->setText(ApprovalPane::tr("&Comment (optional):"));
        break;
    case ApprovalPane::Action::Reject:
        dialog.setWindowTitle(ApprovalPane::tr("Reject Request"));
        confirm->setText(ApprovalPane::tr("Reject"));
        commentLabel->setText(ApprovalPane::tr("&Reason (required):"));
        break;
    case ApprovalPane::Action::Rollback:
        dialog.setWindowTitle(ApprovalPane::tr("Roll Back Alias"));
        confirm->setText(ApprovalPane::tr("Roll Back"));
        commentLabel->setText(ApprovalPane::tr("&Comment (optional):"));
        break;
    }
    confirm->setAutoDefault(false);
    confirm->setEnabled(!needsComment);
    if (needsComment)
        QObject::connect(comment, &QPlainTextEdit::textChanged, confirm, [comment, confirm] {
            confirm->setEnabled(!comment->toPlainText().trimmed().isEmpty());
        });
    comment->setFocus();
    dialog.resize(440, dialog.sizeHint().height());
    if (dialog.exec() != QDialog::Accepted)
        return std::nullopt;
    return comment->toPlainText().trimmed();
}

// Runs on a worker thread: everything it touches is its own or a copied value.
ApprovalPane::ActionResult runAction(ApprovalPane::Action action, const std::string &workspace,
                                     const MlflowConnection &connection, const std::string &model,
                                     const std::string &subject, const std::string &comment)
{
    try {
        auto store = Store::open(workspace, Store::Mode::ReadWrite);
        if (!store)
            return {false, qs(store.error().message)};
        auto policy = loadPolicyFor(model, {}, workspace);
        if (!policy)
            return {false, qs(policy.error().message)};
        AuditLog audit(auditLogPath(workspace));
        MlflowClient client(connection);
        ApprovalService::Options options;
        options.policy = std::move(*policy);
        options.actor = actingIdentity(connection);
        options.store = store->get();
        options.audit = &audit;
        ApprovalService service(client, std::move(options));
        Result<ApprovalService::Outcome> outcome =
            action == ApprovalPane::Action::Approve  ? service.approve(model, subject, comment)
            : action == ApprovalPane::Action::Reject ? service.reject(model, subject, comment)
                                                     : service.rollback(model, subject, comment);
        if (!outcome)
            return {false, qs(outcome.error().message)};
        return {true, qs(outcome->message)};
    } catch (const std::exception &e) {
        return {false, QString::fromUtf8(e.what())};
    }
}

} // namespace

ApprovalPane::ApprovalPane(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("ApprovalPane"));
    m_registry = new RegistryModel(this);
    m_requests = new RequestsModel(this);
    m_watcher = new QFutureWatcher<ActionResult>(this);
    connect(m_watcher, &QFutureWatcherBase::finished, this, &ApprovalPane::actionDone);
    buildUi();
    retranslateUi();
    updateButtons();
}

ApprovalPane::~ApprovalPane() = default;

void ApprovalPane::buildUi()
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->setSpacing(6);

    // --- left: registry and requests ---
    m_registryBox = new QGroupBox;
    auto *registryLayout = new QVBoxLayout(m_registryBox);
    m_filter = new QLineEdit;
    m_filter->setClearButtonEnabled(true);
    registryLayout->addWidget(m_filter);
    m_registryProxy = new QSortFilterProxyModel(this);
    m_registryProxy->setSourceModel(m_registry);
    m_registryProxy->setRecursiveFilteringEnabled(true);
    m_registryProxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_registryProxy->setFilterKeyColumn(-1);
    m_registryView = new QTreeView;
    m_registryView->setModel(m_registryProxy);
    m_registryView->setUniformRowHeights(true);
    m_registryView->setAlternatingRowColors(true);
    m_registryView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_registryView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_registryView->header()->setStretchLastSection(true);
    registryLayout->addWidget(m_registryView);
    connect(m_filter, &QLineEdit::textChanged, this, [this](const QString &text) {
        m_registryProxy->setFilterFixedString(text);
        if (!text.isEmpty())
            m_registryView->expandAll();
    });
    connect(m_registryView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) { registrySelected(current); });

    m_requestsBox = new QGroupBox;
    auto *requestsLayout = new QVBoxLayout(m_requestsBox);
    m_requestsView = new QTableView;
    m_requestsView->setModel(m_requests);
    m_requestsView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_requestsView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_requestsView->setAlternatingRowColors(true);
    m_requestsView->setShowGrid(false);
    m_requestsView->setWordWrap(false);
    m_requestsView->verticalHeader()->hide();
    m_requestsView->verticalHeader()->setDefaultSectionSize(
        m_requestsView->fontMetrics().height() + 8);
    m_requestsView->horizontalHeader()->setStretchLastSection(true);
    m_requestsView->horizontalHeader()->setHighlightSections(false);
    requestsLayout->addWidget(m_requestsView);
    connect(m_requestsView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) { requestSelected(current); });

    m_leftSplitter = new QSplitter(Qt::Vertical);
    m_leftSplitter->setChildrenCollapsible(false);
    m_leftSplitter->addWidget(m_registryBox);
    m_leftSplitter->addWidget(m_requestsBox);
    m_leftSplitter->setStretchFactor(0, 3);
    m_leftSplitter->setStretchFactor(1, 2);

    // --- right: details of the selection ---
    m_stack = new QStackedWidget;
    m_emptyLabel = new QLabel;
    m_emptyLabel->setAlignment(Qt::AlignCenter);
    m_emptyLabel->setWordWrap(true);
    m_emptyLabel->setEnabled(false);
    m_stack->addWidget(m_emptyLabel);

    // Version page.
    auto *versionPage = new QWidget;
    auto *versionLayout = new QVBoxLayout(versionPage);
    versionLayout->setContentsMargins(0, 0, 0, 0);
    m_versionTitle = makeTitle();
    versionLayout->addWidget(m_versionTitle);
    m_versionForm = new QFormLayout;
    m_versionForm->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_versionForm->setLabelAlignment(Qt::AlignLeft);
    m_stageValue = makeValue();
    m_statusValue = makeValue();
    m_createdValue = makeValue();
    m_runValue = makeValue();
    m_descriptionValue = makeValue();
    m_versionForm->addRow(QStringLiteral("-"), m_stageValue);
    m_versionForm->addRow(QStringLiteral("-"), m_statusValue);
    m_versionForm->addRow(QStringLiteral("-"), m_createdValue);
    m_versionForm->addRow(QStringLiteral("-"), m_runValue);
    m_versionForm->addRow(QStringLiteral("-"), m_descriptionValue);
    versionLayout->addLayout(m_versionForm);

    auto *versionTables = new QHBoxLayout;
    m_aliasBox = new QGroupBox;
    auto *aliasLayout = new QVBoxLayout(m_aliasBox);
    m_aliasView = makeTable({QString(), QString()});
    aliasLayout->addWidget(m_aliasView);
    auto *aliasButtons = new QHBoxLayout;
    aliasButtons->addStretch();
    m_rollbackButton = new QPushButton;
    aliasButtons->addWidget(m_rollbackButton);
    aliasLayout->addLayout(aliasButtons);
    connect(m_aliasView, &QTreeWidget::currentItemChanged, this, [this] { updateButtons(); });
    connect(m_rollbackButton, &QPushButton::clicked, this, [this] { rollbackSelectedAlias(); });
    m_tagsBox = new QGroupBox;
    auto *tagsLayout = new QVBoxLayout(m_tagsBox);
    m_tagsView = makeTable({QString(), QString()});
    tagsLayout->addWidget(m_tagsView);
    versionTables->addWidget(m_aliasBox, 2);
    versionTables->addWidget(m_tagsBox, 3);
    versionLayout->addLayout(versionTables, 1);
    m_datasetsBox = new QGroupBox;
    auto *datasetsLayout = new QVBoxLayout(m_datasetsBox);
    m_datasetsView = makeTable({QString(), QString(), QString(), QString()});
    datasetsLayout->addWidget(m_datasetsView);
    versionLayout->addWidget(m_datasetsBox, 1);
    m_stack->addWidget(versionPage);

    // Request page.
    auto *requestPage = new QWidget;
    auto *requestLayout = new QVBoxLayout(requestPage);
    requestLayout->setContentsMargins(0, 0, 0, 0);
    auto *titleRow = new QHBoxLayout;
    m_requestTitle = makeTitle();
    titleRow->addWidget(m_requestTitle, 1);
    m_rejectButton = new QPushButton;
    m_approveButton = new QPushButton;
    m_approveButton->setDefault(false);
    titleRow->addWidget(m_rejectButton);
    titleRow->addWidget(m_approveButton);
    requestLayout->addLayout(titleRow);
    connect(m_approveButton, &QPushButton::clicked, this, [this] { approveSelected(); });
    connect(m_rejectButton, &QPushButton::clicked, this, [this] { rejectSelected(); });
    m_requestForm = new QFormLayout;
    m_requestForm->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_requestForm->setLabelAlignment(Qt::AlignLeft);
    m_requesterValue = makeValue();
    m_holderValue = makeValue();
    m_commentValue = makeValue();
    m_approvalsValue = makeValue();
    m_requestForm->addRow(QStringLiteral("-"), m_requesterValue);
    m_requestForm->addRow(QStringLiteral("-"), m_holderValue);
    m_requestForm->addRow(QStringLiteral("-"), m_commentValue);
    m_requestForm->addRow(QStringLiteral("-"), m_approvalsValue);
    requestLayout->addLayout(m_requestForm);
    m_gatesBox = new QGroupBox;
    auto *gatesLayout = new QVBoxLayout(m_gatesBox);
    m_gatesView = makeTable({QString(), QString(), QString()});
    m_gatesView->setSelectionMode(QAbstractItemView::NoSelection);
    gatesLayout->addWidget(m_gatesView);
    requestLayout->addWidget(m_gatesBox, 2);
    m_evidenceBox = new QGroupBox;
    auto *evidenceLayout = new QVBoxLayout(m_evidenceBox);
    m_diffOnly = new QCheckBox;
    evidenceLayout->addWidget(m_diffOnly);
    m_evidenceView = makeTable({QString(), QString(), QString(), QString()});
    m_evidenceView->setRootIsDecorated(true);
    m_evidenceView->setAlternatingRowColors(false);
    evidenceLayout->addWidget(m_evidenceView);
    requestLayout->addWidget(m_evidenceBox, 3);
    connect(m_diffOnly, &QCheckBox::toggled, this, &ApprovalPane::applyDiffFilter);
    m_stack->addWidget(requestPage);

    // Alias timeline of the selected model.
    m_timelineBox = new QGroupBox;
    auto *timelineLayout = new QVBoxLayout(m_timelineBox);
    m_timelineView = makeTable({QString(), QString(), QString(), QString(), QString(), QString()});
    m_timelineView->setSelectionMode(QAbstractItemView::NoSelection);
    timelineLayout->addWidget(m_timelineView);

    m_rightSplitter = new QSplitter(Qt::Vertical);
    m_rightSplitter->setChildrenCollapsible(false);
    m_rightSplitter->addWidget(m_stack);
    m_rightSplitter->addWidget(m_timelineBox);
    m_rightSplitter->setStretchFactor(0, 3);
    m_rightSplitter->setStretchFactor(1, 1);
    m_rightSplitter->setSizes({680, 220});
    m_leftSplitter->setSizes({500, 400});

    m_mainSplitter = new QSplitter(Qt::Horizontal);
    m_mainSplitter->setChildrenCollapsible(false);
    m_mainSplitter->addWidget(m_leftSplitter);
    m_mainSplitter->addWidget(m_rightSplitter);
    m_mainSplitter->setStretchFactor(0, 4);
    m_mainSplitter->setStretchFactor(1, 5);
    m_mainSplitter->setSizes({640, 760});
    layout->addWidget(m_mainSplitter, 1);

    // Status line: what the last action did.
    auto *statusRow = new QHBoxLayout;
    m_busyBar = new QProgressBar;
    m_busyBar->setRange(0, 0);
    m_busyBar->setMaximumWidth(100);
    m_busyBar->setMaximumHeight(14);
    m_busyBar->setTextVisible(false);
    m_busyBar->hide();
    m_status = new QLabel;
    m_status->setTextFormat(Qt::PlainText);
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    statusRow->addWidget(m_busyBar);
    statusRow->addWidget(m_status, 1);
    layout->addLayout(statusRow);

    // Column widths: readable at first sight, the free text last and stretching.
    const int em = fontMetrics().horizontalAdvance(QLatin1Char('M'));
    m_registryView->setColumnWidth(RegistryModel::Name, 14 * em);
    m_registryView->setColumnWidth(RegistryModel::Aliases, 11 * em);
    m_registryView->setColumnWidth(RegistryModel::Stage, 6 * em);
    m_registryView->setColumnWidth(RegistryModel::Status, 9 * em);
    m_registryView->setColumnWidth(RegistryModel::SourceRun, 9 * em);
    m_registryView->setColumnWidth(RegistryModel::Created, 8 * em);
    m_registryView->setColumnWidth(RegistryModel::Updated, 8 * em);
    m_registryView->setColumnWidth(RegistryModel::Description, 12 * em);
    m_requestsView->horizontalHeader()->resizeSections(QHeaderView::ResizeToContents);
    m_requestsView->setColumnWidth(RequestsModel::Model, 9 * em);
    m_aliasView->setColumnWidth(0, 8 * em);
    m_tagsView->setColumnWidth(0, 10 * em);
    m_datasetsView->setColumnWidth(0, 10 * em);
    m_datasetsView->setColumnWidth(1, 8 * em);
    m_datasetsView->setColumnWidth(2, 6 * em);
    m_gatesView->setColumnWidth(0, 6 * em);
    m_gatesView->setColumnWidth(1, 12 * em);
    m_evidenceView->setColumnWidth(0, 12 * em);
    m_evidenceView->setColumnWidth(1, 9 * em);
    m_evidenceView->setColumnWidth(2, 9 * em);
    m_timelineView->setColumnWidth(0, 8 * em);
    m_timelineView->setColumnWidth(1, 6 * em);
    m_timelineView->setColumnWidth(2, 6 * em);
    m_timelineView->setColumnWidth(3, 5 * em);
    m_timelineView->setColumnWidth(4, 6 * em);

    // Keyboard: the actions, and the registry filter.
    auto shortcut = [this](const QKeySequence &keys, auto slot) {
        auto *s = new QShortcut(keys, this);
        s->setContext(Qt::WidgetWithChildrenShortcut);
        connect(s, &QShortcut::activated, this, slot);
    };
    shortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_A), [this] { approveSelected(); });
    shortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R), [this] { rejectSelected(); });
    shortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_B), [this] { rollbackSelectedAlias(); });
    shortcut(QKeySequence::Find, [this] {
        m_filter->setFocus();
        m_filter->selectAll();
    });
}

void ApprovalPane::retranslateUi()
{
    m_registryBox->setTitle(tr("Registry"));
    m_filter->setPlaceholderText(tr("Filter models and versions (Ctrl+F)"));
    updateRequestsTitle();
    m_emptyLabel->setText(tr("Select a model version in the registry, or a promotion request, "
                             "to see its details."));
    auto setLabel = [](QFormLayout *form, QWidget *field, const QString &text) {
        if (auto *label = qobject_cast<QLabel *>(form->labelForField(field)))
            label->setText(text);
    };
    setLabel(m_versionForm, m_stageValue, tr("Stage:"));
    setLabel(m_versionForm, m_statusValue, tr("Status:"));
    setLabel(m_versionForm, m_createdValue, tr("Created:"));
    setLabel(m_versionForm, m_runValue, tr("Source run:"));
    setLabel(m_versionForm, m_descriptionValue, tr("Description:"));
    setLabel(m_requestForm, m_requesterValue, tr("Requested:"));
    setLabel(m_requestForm, m_holderValue, tr("Holder then:"));
    setLabel(m_requestForm, m_commentValue, tr("Comment:"));
    setLabel(m_requestForm, m_approvalsValue, tr("Decisions:"));
    m_aliasBox->setTitle(tr("Aliases of the model"));
    m_aliasView->setHeaderLabels({tr("Alias"), tr("Held by")});
    m_rollbackButton->setText(tr("Roll &Back…"));
    m_tagsBox->setTitle(tr("Tags"));
    m_tagsView->setHeaderLabels({tr("Key"), tr("Value")});
    m_datasetsBox->setTitle(tr("Datasets the source run used"));
    m_datasetsView->setHeaderLabels({tr("Name"), tr("Digest"), tr("Context"), tr("Source")});
    m_gatesBox->setTitle(tr("Gates (frozen when requested)"));
    m_gatesView->setHeaderLabels({tr("Outcome"), tr("Gate"), tr("Detail")});
    m_evidenceBox->setTitle(tr("Evidence: candidate and current holder"));
    m_diffOnly->setText(tr("Show only &differences"));
    m_evidenceView->setHeaderLabels({tr("Key"), tr("Candidate"), tr("Holder"), tr("Change")});
    m_approveButton->setText(tr("&Approve…"));
    m_rejectButton->setText(tr("&Reject…"));
    m_timelineBox->setTitle(m_currentModel.isEmpty()
                                ? tr("Alias history")
                                : tr("Alias history of %1").arg(m_currentModel));
    m_timelineView->setHeaderLabels(
        {tr("Time"), tr("Alias"), tr("Version"), tr("Who"), tr("Source"), tr("Comment")});
    m_registry->retranslate();
    m_requests->retranslate();
    updateButtons();
    // Re-show the selection so the texts built from it follow the language.
    if (currentPage() == RequestPage)
        requestSelected(m_requestsView->currentIndex());
    else if (currentPage() == VersionPage)
        showVersion(m_model, m_shownVersion);
}

void ApprovalPane::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QWidget::changeEvent(event);
}

void ApprovalPane::updateRequestsTitle()
{
    const int pending = m_requests->pendingCount();
    m_requestsBox->setTitle(pending > 0 ? tr("Promotion requests (%n pending)", nullptr, pending)
                                        : tr("Promotion requests"));
}

// --- loading ------------------------------------------------------------------------------

void ApprovalPane::setWorkspace(const QString &path)
{
    if (path != m_workspacePath) {
        m_model.clear();
        m_currentModel.clear();
        m_shownVersion.clear();
        m_shownRequestVersion.clear();
        m_stack->setCurrentIndex(EmptyPage);
    }
    m_workspacePath = path;
    reload();
}

void ApprovalPane::setConnection(std::optional<MlflowConnection> connection)
{
    m_connection = std::move(connection);
    updateButtons();
}

void ApprovalPane::reload()
{
    const Page page = currentPage();
    const std::string model = m_model;
    const std::string version = m_shownVersion;
    const std::string requestVersion = m_shownRequestVersion;

    m_store.reset();
    m_audit.clear();
    m_auditProblem.clear();
    const QSignalBlocker blockRegistry(m_registryView->selectionModel());
    const QSignalBlocker blockRequests(m_requestsView->selectionModel());
    if (!m_workspacePath.isEmpty() && QFileInfo::exists(m_workspacePath)) {
        auto store = Store::open(m_workspacePath.toStdString(), Store::Mode::ReadOnly);
        if (store) {
            m_store = std::move(*store);
        } else {
            showMessage(qs(store.error().message), Failure);
        }
    }
    if (m_store) {
        try {
            m_registry->load(*m_store);
            m_requests->load(*m_store);
        } catch (const std::exception &e) {
            showMessage(tr("Cannot read the registry: %1").arg(QString::fromUtf8(e.what())),
                        Failure);
        }
        auto audit = AuditLog(auditLogPath(m_workspacePath.toStdString())).readAll();
        if (audit)
            m_audit = std::move(*audit);
        else
            m_auditProblem = tr("The audit log could not be read: %1")
                                 .arg(qs(audit.error().message));
    } else {
        m_registry->setEntries({});
        m_requests->setRequests({});
    }
    updateRequestsTitle();
    const int em = fontMetrics().horizontalAdvance(QLatin1Char('M'));
    if (!m_sizedRegistry && m_registry->rowCount() > 0) {
        m_sizedRegistry = true;
        m_registryView->expandAll();
        for (int c = 0; c + 1 < RegistryModel::ColumnCount; ++c) {
            m_registryView->resizeColumnToContents(c);
            m_registryView->setColumnWidth(
                c, std::min(m_registryView->columnWidth(c) + em / 2, 18 * em));
        }
        m_registryView->collapseAll();
        m_registryView->expand(m_registryProxy->index(0, 0));
    }
    if (!m_sizedRequests && m_requests->rowCount() > 0) {
        m_sizedRequests = true;
        m_requestsView->resizeColumnsToContents();
        for (int c = 0; c + 1 < RequestsModel::ColumnCount; ++c)
            m_requestsView->setColumnWidth(c, std::min(m_requestsView->columnWidth(c) + em / 2,
                                                       16 * em));
    }
    if (!m_requests->problems().isEmpty())
        showMessage(tr("Some requests could not be read: %1")
                        .arg(m_requests->problems().join(QStringLiteral("; "))),
                    Failure);
    else if (!m_auditProblem.isEmpty())
        showMessage(m_auditProblem, Failure);

    // Keep what was shown.
    bool shown = false;
    if (page == RequestPage)
        shown = selectRequest(qs(model), qs(requestVersion));
    else if (page == VersionPage)
        shown = version.empty() ? selectModel(qs(model)) : selectVersion(qs(model), qs(version));
    if (!shown) {
        m_stack->setCurrentIndex(EmptyPage);
        showTimeline(m_registry->entry(model) ? model : std::string());
    }
    updateButtons();
    emit reloaded();
}

// --- selection ----------------------------------------------------------------------------

ApprovalPane::Page ApprovalPane::currentPage() const
{
    return static_cast<Page>(m_stack->currentIndex());
}

bool ApprovalPane::selectModel(const QString &model)
{
    const QModelIndex source = m_registry->indexOfModel(model.toStdString());
    if (!source.isValid())
        return false;
    const QModelIndex index = m_registryProxy->mapFromSource(source);
    if (!index.isValid())
        return false;
    m_registryView->expand(index);
    m_registryView->setCurrentIndex(index);
    registrySelected(index);
    return true;
}

bool ApprovalPane::selectVersion(const QString &model, const QString &version)
{
    const QModelIndex source = m_registry->indexOfVersion(model.toStdString(),
                                                          version.toStdString());
    const QModelIndex index = m_registryProxy->mapFromSource(source);
    if (!index.isValid())
        return false;
    m_registryView->expand(index.parent());
    m_registryView->setCurrentIndex(index);
    m_registryView->scrollTo(index);
    registrySelected(index);
    return true;
}

bool ApprovalPane::selectRequest(const QString &model, const QString &version)
{
    const QModelIndex index = m_requests->indexOfRequest(model.toStdString(),
                                                         version.toStdString());
    if (!index.isValid())
        return false;
    m_requestsView->setCurrentIndex(index);
    requestSelected(index);
    return true;
}

bool ApprovalPane::selectFirstPendingRequest(const QString &model)
{
    for (int row = 0; row < m_requests->rowCount(); ++row) {
        const PromotionRequest *r = m_requests->requestAt(row);
        if (r->state == RequestState::Pending && (model.isEmpty() || qs(r->model) == model))
            return selectRequest(qs(r->model), qs(r->version));
    }
    return false;
}

void ApprovalPane::registrySelected(const QModelIndex &index)
{
    if (m_selecting || !index.isValid())
        return;
    const QModelIndex source = m_registryProxy->mapToSource(index);
    const RegistryEntry *entry = m_registry->entryAt(source);
    if (!entry)
        return;
    {
        // One selection at a time: the details show what was picked last.
        m_selecting = true;
        const QSignalBlocker block(m_requestsView->selectionModel());
        m_requestsView->selectionModel()->clear();
        m_selecting = false;
    }
    const ModelVersion *version = m_registry->versionAt(source);
    showVersion(entry->model.name, version ? version->version : std::string());
}

void ApprovalPane::requestSelected(const QModelIndex &index)
{
    if (m_selecting || !index.isValid())
        return;
    const PromotionRequest *request = m_requests->requestAt(index.row());
    if (!request)
        return;
    {
        m_selecting = true;
        const QSignalBlocker block(m_registryView->selectionModel());
        m_registryView->selectionModel()->clear();
        m_selecting = false;
    }
    showRequest(*request);
}

void ApprovalPane::showVersion(const std::string &model, const std::string &version)
{
    const RegistryEntry *entry = m_registry->entry(model);
    if (!entry)
        return;
    const ModelVersion *v = nullptr;
    for (const auto &candidate : entry->versions)
        if (candidate.version == version)
            v = &candidate;
    m_model = model;
    m_shownVersion = v ? version : std::string();
    m_shownRequestVersion.clear();

    m_versionTitle->setText(v ? tr("%1 · version %2").arg(qs(model), qs(version)) : qs(model));
    auto setRow = [](QFormLayout *form, QWidget *field, bool visible) {
        form->setRowVisible(field, visible);
    };
    setRow(m_versionForm, m_stageValue, v != nullptr);
    setRow(m_versionForm, m_statusValue, v != nullptr);
    setRow(m_versionForm, m_runValue, v != nullptr);
    if (v) {
        m_stageValue->setText(v->currentStage.empty() ? tr("None") : qs(v->currentStage));
        QString status = qs(v->status);
        for (const auto &t : v->tags)
            if (t.key == tagkeys::kState)
                status += tr(" · promotion request %1").arg(qs(t.value));
        m_statusValue->setText(status);
        m_createdValue->setText(tr("%1 (updated %2)")
                                    .arg(timeText(v->creationTimestamp),
                                         timeText(v->lastUpdatedTimestamp)));
        auto it = entry->runNames.find(v->runId);
        const QString runName = it == entry->runNames.end() ? QString() : qs(it->second);
        m_runValue->setText(v->runId.empty() ? tr("unknown")
                            : runName.isEmpty()
                                ? qs(v->runId)
                                : tr("%1 (%2)").arg(runName, qs(v->runId)));
        m_descriptionValue->setText(v->description.empty() ? tr("No description")
                                                           : qs(v->description));
    } else {
        m_createdValue->setText(tr("%1 (updated %2)")
                                    .arg(timeText(entry->model.creationTimestamp),
                                         timeText(entry->model.lastUpdatedTimestamp)));
        m_descriptionValue->setText(entry->model.description.empty()
                                        ? tr("No description")
                                        : qs(entry->model.description));
    }

    // Every alias of the model and its holder; this version's own aliases in bold.
    const QString previousAlias = m_aliasView->currentItem()
        ? m_aliasView->currentItem()->text(0)
        : QString();
    m_aliasView->clear();
    std::vector<ModelAlias> aliases = entry->model.aliases;
    if (aliases.empty())
        for (const auto &mv : entry->versions)
            for (const auto &a : mv.aliases)
                aliases.push_back({a, mv.version});
    for (const auto &a : aliases) {
        auto *item = new QTreeWidgetItem(
            m_aliasView, {qs(a.alias), tr("version %1").arg(qs(a.version))});
        item->setData(0, Qt::UserRole, qs(a.alias));
        item->setToolTip(0, tr("Select an alias and press Roll Back to move it back to the "
                               "version that held it before"));
        if (v && a.version == v->version) {
            QFont f = item->font(0);
            f.setBold(true);
            item->setFont(0, f);
            item->setFont(1, f);
        }
        if (qs(a.alias) == previousAlias)
            m_aliasView->setCurrentItem(item);
    }
    if (aliases.empty()) {
        auto *item = new QTreeWidgetItem(m_aliasView, {tr("No aliases")});
        item->setFirstColumnSpanned(true);
        item->setFlags(Qt::NoItemFlags);
    }

    m_tagsView->clear();
    const auto &tags = v ? v->tags : entry->model.tags;
    for (const auto &t : tags)
        if (!isSightlineTag(t.key)) {
            auto *item = new QTreeWidgetItem(m_tagsView, {qs(t.key), qs(t.value)});
            item->setToolTip(1, qs(t.value));
        }

    m_datasetsView->clear();
    m_datasetsBox->setVisible(v != nullptr);
    if (v && m_store && !v->runId.empty()) {
        if (auto run = m_store->run(v->runId)) {
            for (const auto &d : run->inputs) {
                auto *item = new QTreeWidgetItem(
                    m_datasetsView,
                    {qs(d.name), qs(d.digest), qs(d.context), qs(d.sourceType)});
                item->setToolTip(3, qs(d.source));
            }
        }
    }
    if (v && m_datasetsView->topLevelItemCount() == 0) {
        auto *item = new QTreeWidgetItem(m_datasetsView, {tr("No datasets recorded")});
        item->setFirstColumnSpanned(true);
        item->setFlags(Qt::NoItemFlags);
    }
    const int wide = 24 * fontMetrics().horizontalAdvance(QLatin1Char('M'));
    fitColumns(m_aliasView, wide);
    fitColumns(m_tagsView, wide);
    fitColumns(m_datasetsView, wide);

    m_stack->setCurrentIndex(VersionPage);
    showTimeline(model);
    updateButtons();
}

void ApprovalPane::showRequest(const PromotionRequest &r)
{
    m_model = r.model;
    m_shownVersion.clear();
    m_shownRequestVersion = r.version;
    m_requestTitle->setText(tr("%1 · version %2 → %3 %4")
                                .arg(qs(r.model), qs(r.version),
                                     r.target.kind == PromotionTarget::Alias ? tr("alias")
                                                                             : tr("stage"),
                                     qs(r.target.name))
                            + QStringLiteral("  [") + requestStateLabel(r.state)
                            + QLatin1Char(']'));
    m_requesterValue->setText(tr("by %1 on %2").arg(qs(r.requester), timeText(r.requestedAtMs)));
    m_holderValue->setText(r.holder.empty()
                               ? tr("nothing held %1 when this was requested")
                                     .arg(qs(r.target.name))
                               : tr("version %1").arg(qs(r.holder)));
    m_commentValue->setText(r.comment.empty() ? tr("none") : qs(r.comment));
    QStringList decisions;
    decisions << tr("%1 of %2 approvals")
                     .arg(r.approvers().size())
                     .arg(requiredApprovals(r));
    for (const auto &d : r.decisions) {
        QString text = (d.approve ? tr("approved by %1 on %2") : tr("rejected by %1 on %2"))
                           .arg(qs(d.user), timeText(d.timeMs));
        if (!d.comment.empty())
            text += QStringLiteral(": ") + qs(d.comment);
        decisions << text;
    }
    if (r.applied)
        decisions << tr("applied by %1 on %2").arg(qs(r.applied->by), timeText(r.applied->timeMs));
    if (r.rollback)
        decisions << tr("rolled back by %1 on %2 to version %3")
                         .arg(qs(r.rollback->by), timeText(r.rollback->timeMs),
                              qs(r.rollback->to));
    m_approvalsValue->setText(decisions.join(QLatin1Char('\n')));
    fillGates(r);
    fillEvidence(r);
    m_stack->setCurrentIndex(RequestPage);
    showTimeline(r.model);
    updateButtons();
}

void ApprovalPane::fillGates(const PromotionRequest &request)
{
    m_gatesView->clear();
    const auto gates = request.gates();
    for (const auto &g : gates) {
        const QString outcome = g.outcome == GateResult::Pass   ? tr("Pass")
                                : g.outcome == GateResult::Fail ? tr("Fail")
                                                                : tr("Unknown");
        auto *item = new QTreeWidgetItem(m_gatesView, {outcome, qs(g.name), qs(g.detail)});
        item->setIcon(0, outcomeIcon(g.outcome));
        const QColor colour = g.outcome == GateResult::Pass   ? kPass
                              : g.outcome == GateResult::Fail ? kFail
                                                              : kUnknown;
        item->setForeground(0, colour);
        QFont f = item->font(0);
        f.setBold(g.outcome != GateResult::Pass);
        item->setFont(0, f);
        item->setData(0, OutcomeRole, qs(std::string(gateOutcomeText(g.outcome))));
        item->setToolTip(1, tr("%1 gate").arg(qs(g.kind)));
        item->setToolTip(2, qs(g.detail));
    }
    if (gates.empty()) {
        auto *item = new QTreeWidgetItem(m_gatesView, {tr("The policy has no gates")});
        item->setFirstColumnSpanned(true);
        item->setFlags(Qt::NoItemFlags);
    }
    fitColumns(m_gatesView, 30 * fontMetrics().horizontalAdvance(QLatin1Char('M')));
}

void ApprovalPane::fillEvidence(const PromotionRequest &request)
{
    m_evidenceView->clear();
    const nlohmann::json &e = request.evidence;
    const nlohmann::json empty;
    const nlohmann::json &candidate = e.is_object() && e.contains("candidate") ? e["candidate"]
                                                                                : empty;
    const nlohmann::json &holder = e.is_object() && e.contains("holder") ? e["holder"] : empty;
    const bool hasHolder = holder.is_object();
    m_evidenceView->setHeaderLabels(
        {tr("Key"), tr("Candidate (v%1)").arg(qs(request.version)),
         hasHolder ? tr("Holder (v%1)").arg(qs(sideText(holder, "version")))
                   : tr("Holder (none)"),
         tr("Change")});

    const QString absent = QStringLiteral("—");
    auto addRow = [&](QTreeWidgetItem *section, const QString &key, const QString &a,
                      const QString &b, const QString &change, bool differs) {
        auto *item = new QTreeWidgetItem(section, {key, a, b, change});
        item->setData(0, DiffersRole, differs);
        item->setToolTip(0, key);
        item->setToolTip(1, a);
        item->setToolTip(2, b);
        if (differs)
            for (int c = 0; c < 4; ++c)
                item->setBackground(c, kDiffers);
        for (int c = 1; c < 3; ++c)
            item->setTextAlignment(c, Qt::AlignRight | Qt::AlignVCenter);
        return item;
    };
    auto addSection = [&](const QString &title) {
        auto *section = new QTreeWidgetItem(m_evidenceView, {title});
        QFont f = section->font(0);
        f.setBold(true);
        section->setFont(0, f);
        section->setFirstColumnSpanned(true);
        section->setFlags(Qt::ItemIsEnabled);
        return section;
    };

    // Metrics, with the change from the holder.
    {
        std::set<std::string> keys = sideKeys(candidate, "metrics");
        keys.merge(sideKeys(holder, "metrics"));
        QTreeWidgetItem *section = addSection(tr("Metrics (%1)").arg(keys.size()));
        int differing = 0;
        for (const auto &key : keys) {
            const auto a = sideMetric(candidate, key), b = sideMetric(holder, key);
            bool differs = hasHolder && (a.has_value() != b.has_value());
            QString change;
            if (a && b) {
                const bool bothNan = std::isnan(*a) && std::isnan(*b);
                differs = hasHolder && !bothNan && *a != *b;
                if (!std::isnan(*a) && !std::isnan(*b) && *a != *b) {
                    const double d = *a - *b;
                    change = (d > 0 ? QStringLiteral("+") : QString()) + numberText(d);
                    if (*b != 0)
                        change += QStringLiteral(" (%1%2%)")
                                      .arg(d > 0 ? QStringLiteral("+") : QString())
                                      .arg(d / std::abs(*b) * 100.0, 0, 'f', 2);
                }
            }
            differing += differs ? 1 : 0;
            addRow(section, qs(key), a ? numberText(*a) : absent,
                   hasHolder ? (b ? numberText(*b) : absent) : QString(), change, differs);
        }
        section->setText(0, tr("Metrics (%1, %2 differ)").arg(keys.size()).arg(differing));
    }
    // Params.
    {
        std::set<std::string> keys = sideKeys(candidate, "params");
        keys.merge(sideKeys(holder, "params"));
        QTreeWidgetItem *section = addSection(QString());
        int differing = 0;
        for (const auto &key : keys) {
            const auto a = sideString(candidate, "params", key);
            const auto b = sideString(holder, "params", key);
            const bool differs = hasHolder && a != b;
            differing += differs ? 1 : 0;
            addRow(section, qs(key), a ? qs(*a) : absent,
                   hasHolder ? (b ? qs(*b) : absent) : QString(), QString(), differs);
        }
        section->setText(0, tr("Params (%1, %2 differ)").arg(keys.size()).arg(differing));
    }
    // Datasets, by name: digest and context.
    {
        const auto a = sideDatasets(candidate), b = sideDatasets(holder);
        std::set<std::string> names;
        for (const auto &[name, text] : a)
            names.insert(name);
        for (const auto &[name, text] : b)
            names.insert(name);
        QTreeWidgetItem *section = addSection(QString());
        int differing = 0;
        for (const auto &name : names) {
            auto ia = a.find(name), ib = b.find(name);
            const std::optional<std::string> va =
                ia == a.end() ? std::nullopt : std::optional<std::string>(ia->second);
            const std::optional<std::string> vb =
                ib == b.end() ? std::nullopt : std::optional<std::string>(ib->second);
            const bool differs = hasHolder && va != vb;
            differing += differs ? 1 : 0;
            addRow(section, qs(name), va ? qs(*va) : absent,
                   hasHolder ? (vb ? qs(*vb) : absent) : QString(), QString(), differs);
        }
        section->setText(0, tr("Datasets (%1, %2 differ)").arg(names.size()).arg(differing));
    }
    m_evidenceView->expandAll();
    fitColumns(m_evidenceView, 24 * fontMetrics().horizontalAdvance(QLatin1Char('M')));
    applyDiffFilter();
}

void ApprovalPane::applyDiffFilter()
{
    const bool on = m_diffOnly->isChecked();
    for (int s = 0; s < m_evidenceView->topLevelItemCount(); ++s) {
        QTreeWidgetItem *section = m_evidenceView->topLevelItem(s);
        for (int i = 0; i < section->childCount(); ++i)
            section->child(i)->setHidden(on && !section->child(i)->data(0, DiffersRole).toBool());
    }
}

void ApprovalPane::showTimeline(const std::string &model)
{
    m_currentModel = qs(model);
    m_timelineBox->setTitle(model.empty() ? tr("Alias history")
                                          : tr("Alias history of %1").arg(m_currentModel));
    m_timelineView->clear();
    if (model.empty() || !m_store)
        return;
    const auto entries = aliasTimeline(model, m_store->aliasChanges(model), m_audit);
    for (const auto &e : entries) {
        QString change;
        if (e.version.empty())
            change = tr("removed (was v%1)").arg(qs(e.previous));
        else if (e.previous.empty())
            change = tr("v%1 (new)").arg(qs(e.version));
        else
            change = tr("v%1 ← v%2").arg(qs(e.version), qs(e.previous));
        QString source = e.source == "sightline" ? tr("Sightline")
                         : e.source == "sync"    ? tr("seen by sync")
                         : e.source == "audit"   ? tr("audit log")
                                                 : qs(e.source);
        if (e.action == "rollback")
            source += tr(" · rollback");
        else if (e.action == "promote")
            source += tr(" · promotion");
        auto *item = new QTreeWidgetItem(
            m_timelineView, {timeText(e.timeMs), qs(e.alias), change,
                             // A sync sees that an alias moved, not who moved it.
                             e.actor.empty() ? QStringLiteral("—") : qs(e.actor), source,
                             qs(e.comment)});
        item->setToolTip(0, QDateTime::fromMSecsSinceEpoch(e.timeMs).toString(Qt::ISODateWithMs));
        item->setToolTip(5, qs(e.comment));
        if (e.action == "rollback")
            item->setForeground(2, QColor(0x6a, 0x1b, 0x9a));
    }
    if (entries.empty()) {
        auto *item = new QTreeWidgetItem(m_timelineView, {tr("No alias changes recorded yet")});
        item->setFirstColumnSpanned(true);
        item->setFlags(Qt::NoItemFlags);
    } else {
        fitColumns(m_timelineView, 20 * fontMetrics().horizontalAdvance(QLatin1Char('M')));
    }
}

// --- actions ------------------------------------------------------------------------------

void ApprovalPane::updateButtons()
{
    const PromotionRequest *request = currentPage() == RequestPage
        ? m_requests->requestAt(m_requestsView->currentIndex().row())
        : nullptr;
    const bool pending = request && request->state == RequestState::Pending;
    const bool canAct = m_connection.has_value() && !m_busy;
    const QTreeWidgetItem *alias = m_aliasView->currentItem();
    const bool aliasChosen = alias && !alias->data(0, Qt::UserRole).toString().isEmpty();
    m_approveButton->setEnabled(canAct && pending);
    m_rejectButton->setEnabled(canAct && pending);
    m_rollbackButton->setEnabled(canAct && aliasChosen);

    QString why;
    if (!m_connection)
        why = tr("Connect to the MLflow server (Server › Connect to Server…) to act on "
                 "promotions.");
    else if (m_busy)
        why = tr("Waiting for the server to answer the last action.");
    auto tip = [&](QPushButton *b, const QString &normal, const QString &notNow) {
        b->setToolTip(!why.isEmpty() ? why : b->isEnabled() ? normal : notNow);
    };
    tip(m_approveButton, tr("Add your approval; the alias moves when the approvals are met "
                            "(Ctrl+Shift+A)"),
        tr("Only a pending request can be approved"));
    tip(m_rejectButton, tr("Reject the request, with a reason (Ctrl+Shift+R)"),
        tr("Only a pending request can be rejected"));
    tip(m_rollbackButton, tr("Move the selected alias back to the version that held it before "
                             "(Ctrl+Shift+B)"),
        tr("Select an alias to roll back"));
}

std::optional<QString> ApprovalPane::askComment(Action action, const QString &question)
{
    if (m_prompt)
        return m_prompt(action, question);
    return commentDialog(this, action, question);
}

bool ApprovalPane::approveSelected()
{
    if (!m_approveButton->isEnabled())
        return false;
    const PromotionRequest *r = m_requests->requestAt(m_requestsView->currentIndex().row());
    if (!r)
        return false;
    const QString question =
        tr("Approve promoting %1 version %2 to %3? When this approval completes the required "
           "count, the alias moves now, provided it is still held by version %4.")
            .arg(qs(r->model), qs(r->version), qs(r->target.describe()),
                 r->holder.empty() ? tr("none") : qs(r->holder));
    return startAction(Action::Approve, r->model, r->version, question);
}

bool ApprovalPane::rejectSelected()
{
    if (!m_rejectButton->isEnabled())
        return false;
    const PromotionRequest *r = m_requests->requestAt(m_requestsView->currentIndex().row());
    if (!r)
        return false;
    const QString question = tr("Reject the request to promote %1 version %2 to %3?")
                                 .arg(qs(r->model), qs(r->version), qs(r->target.describe()));
    return startAction(Action::Reject, r->model, r->version, question);
}

bool ApprovalPane::rollbackSelectedAlias()
{
    if (!m_rollbackButton->isEnabled() || currentPage() != VersionPage)
        return false;
    const QTreeWidgetItem *item = m_aliasView->currentItem();
    if (!item)
        return false;
    const QString alias = item->data(0, Qt::UserRole).toString();
    const std::string holder = m_registry->holderOf(m_model, alias.toStdString());
    const QString question =
        tr("Roll back alias %1 of %2? It is held by version %3 now and moves back to the "
           "version that held it before.")
            .arg(alias, qs(m_model), holder.empty() ? tr("none") : qs(holder));
    return startAction(Action::Rollback, m_model, alias.toStdString(), question);
}

bool ApprovalPane::startAction(Action action, const std::string &model,
                               const std::string &subject, const QString &question)
{
    if (m_busy || !m_connection)
        return false;
    const std::optional<QString> comment = askComment(action, question);
    if (!comment)
        return false;
    if (action == Action::Reject && comment->trimmed().isEmpty()) {
        showMessage(tr("A rejection needs a reason."), Failure);
        return false;
    }
    m_busy = true;
    m_busyBar->show();
    const QString what = action == Action::Approve  ? tr("Approving %1 version %2…")
                         : action == Action::Reject ? tr("Rejecting %1 version %2…")
                                                    : tr("Rolling back alias %2 of %1…");
    showMessage(what.arg(qs(model), qs(subject)), Neutral);
    updateButtons();
    m_watcher->setFuture(QtConcurrent::run(
        [action, workspace = m_workspacePath.toStdString(), connection = *m_connection, model,
         subject, text = comment->toStdString()] {
            return runAction(action, workspace, connection, model, subject, text);
        }));
    return true;
}

void ApprovalPane::actionDone()
{
    const ActionResult result = m_watcher->result();
    m_busy = false;
    m_busyBar->hide();
    reload(); // the service mirrored its changes into the cache
    showMessage(result.message, result.ok ? Success : Failure);
    updateButtons();
    emit actionFinished(result.ok, result.message);
}

void ApprovalPane::showMessage(const QString &text, int kind)
{
    m_status->setText(text);
    const char *colour = kind == Success ? "#2e7d32" : kind == Failure ? "#c62828" : "palette(text)";
    m_status->setStyleSheet(QStringLiteral("QLabel { color: %1; }").arg(QLatin1String(colour)));
}

// --- state --------------------------------------------------------------------------------

QByteArray ApprovalPane::saveState() const
{
    QByteArray state;
    QDataStream out(&state, QIODevice::WriteOnly);
    out << quint32(1) << m_mainSplitter->saveState() << m_leftSplitter->saveState()
        << m_rightSplitter->saveState() << m_diffOnly->isChecked();
    return state;
}

bool ApprovalPane::restoreState(const QByteArray &state)
{
    QDataStream in(state);
    quint32 version = 0;
    QByteArray main, left, right;
    bool diffOnly = false;
    in >> version >> main >> left >> right >> diffOnly;
    if (in.status() != QDataStream::Ok || version != 1)
        return false;
    m_mainSplitter->restoreState(main);
    m_leftSplitter->restoreState(left);
    m_rightSplitter->restoreState(right);
    m_diffOnly->setChecked(diffOnly);
    return true;
}

} // namespace sightline
