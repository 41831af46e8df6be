// SPDX-License-Identifier: GPL-3.0-or-later
#include "lineagepane.h"

#include "lineage/export.h"
#include "lineageview.h"
#include "store/store.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QCompleter>
#include <QDataStream>
#include <QDateTime>
#include <QDir>
#include <QEvent>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QPushButton>
#include <QRegularExpression>
#include <QSpinBox>
#include <QSplitter>
#include <QStringListModel>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace sightline {

using lineage::NodeKind;

namespace {

QString qs(const std::string &s)
{
    return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}

QString timeText(int64_t ms)
{
    if (ms <= 0)
        return {};
    return QDateTime::fromMSecsSinceEpoch(ms).toString(QStringLiteral("yyyy-MM-dd HH:mm"));
}

QString kindText(NodeKind kind)
{
    switch (kind) {
    case NodeKind::Dataset:
        return LineagePane::tr("dataset");
    case NodeKind::Run:
        return LineagePane::tr("run");
    case NodeKind::ModelVersion:
        return LineagePane::tr("model version");
    case NodeKind::Model:
        return LineagePane::tr("registered model");
    case NodeKind::Alias:
        return LineagePane::tr("alias");
    case NodeKind::Stage:
        return LineagePane::tr("stage");
    case NodeKind::Cluster:
        return LineagePane::tr("group");
    }
    return {};
}

bool writeText(const QString &path, const std::string &text, QString *error)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate)
        || f.write(text.data(), static_cast<qint64>(text.size()))
               != static_cast<qint64>(text.size())) {
        if (error)
            *error = LineagePane::tr("Cannot write %1: %2").arg(path, f.errorString());
        return false;
    }
    return true;
}

constexpr quint32 kStateMagic = 0x4c4e4731; // "LNG1"

} // namespace

LineagePane::LineagePane(QWidget *parent) : QWidget(parent), m_graph(new lineage::Graph)
{
    buildUi();
    retranslateUi();
    updateButtons();
}

LineagePane::~LineagePane()
{
    // The view's items point into the graph: drop them first.
    m_view->setGraph(nullptr);
    m_viewState.reset();
}

void LineagePane::buildUi()
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->setSpacing(4);

    auto *bar = new QHBoxLayout;
    bar->setSpacing(6);
    m_search = new QLineEdit;
    m_search->setClearButtonEnabled(true);
    m_search->setMinimumWidth(260);
    m_completions = new QStringListModel(this);
    m_completer = new QCompleter(m_completions, this);
    m_completer->setCaseSensitivity(Qt::CaseInsensitive);
    m_completer->setFilterMode(Qt::MatchContains);
    m_completer->setMaxVisibleItems(15);
    m_search->setCompleter(m_completer);
    connect(m_search, &QLineEdit::returnPressed, this, [this] { jumpTo(m_search->text()); });
    connect(m_completer, qOverload<const QString &>(&QCompleter::activated), this,
            [this](const QString &text) { jumpTo(text); });
    bar->addWidget(m_search, 2);

    m_upLabel = new QLabel;
    m_upSpin = new QSpinBox;
    m_upSpin->setRange(0, 20);
    m_upSpin->setValue(m_up);
    m_upLabel->setBuddy(m_upSpin);
    m_downLabel = new QLabel;
    m_downSpin = new QSpinBox;
    m_downSpin->setRange(0, 20);
    m_downSpin->setValue(m_down);
    m_downLabel->setBuddy(m_downSpin);
    connect(m_upSpin, qOverload<int>(&QSpinBox::valueChanged), this,
            [this](int v) { setHops(v, m_down); });
    connect(m_downSpin, qOverload<int>(&QSpinBox::valueChanged), this,
            [this](int v) { setHops(m_up, v); });
    bar->addWidget(m_upLabel);
    bar->addWidget(m_upSpin);
    bar->addWidget(m_downLabel);
    bar->addWidget(m_downSpin);

    m_upstream = new QPushButton;
    m_downstream = new QPushButton;
    m_clear = new QPushButton;
    connect(m_upstream, &QPushButton::clicked, this, [this] { runQuery(Query::Upstream); });
    connect(m_downstream, &QPushButton::clicked, this, [this] { runQuery(Query::Downstream); });
    connect(m_clear, &QPushButton::clicked, this, &LineagePane::clearQuery);
    bar->addWidget(m_upstream);
    bar->addWidget(m_downstream);
    bar->addWidget(m_clear);
    bar->addStretch(1);

    m_view = new LineageView;
    m_zoomOut = new QToolButton;
    m_zoomOut->setDefaultAction(m_view->zoomOutAction());
    m_zoomIn = new QToolButton;
    m_zoomIn->setDefaultAction(m_view->zoomInAction());
    m_fit = new QToolButton;
    m_fit->setDefaultAction(m_view->fitAction());
    bar->addWidget(m_zoomOut);
    bar->addWidget(m_zoomIn);
    bar->addWidget(m_fit);

    m_export = new QToolButton;
    m_export->setPopupMode(QToolButton::InstantPopup);
    m_exportMenu = new QMenu(m_export);
    m_export->setMenu(m_exportMenu);
    bar->addWidget(m_export);
    layout->addLayout(bar);

    m_splitter = new QSplitter(Qt::Horizontal);
    m_splitter->addWidget(m_view);
    connect(m_view, &LineageView::nodeSelected, this, &LineagePane::nodeSelected);
    connect(m_view, &LineageView::nodeActivated, this, &LineagePane::nodeActivated);
    connect(m_view, &LineageView::nodeContextMenu, this, &LineagePane::showContextMenu);

    auto *side = new QSplitter(Qt::Vertical);
    m_detailsBox = new QGroupBox;
    auto *detailsLayout = new QVBoxLayout(m_detailsBox);
    m_details = new QTreeWidget;
    m_details->setColumnCount(2);
    m_details->setRootIsDecorated(false);
    m_details->setAlternatingRowColors(true);
    m_details->setWordWrap(true);
    m_details->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    detailsLayout->addWidget(m_details);
    auto *buttons = new QHBoxLayout;
    m_showRun = new QPushButton;
    m_showVersion = new QPushButton;
    connect(m_showRun, &QPushButton::clicked, this, &LineagePane::requestShowRun);
    connect(m_showVersion, &QPushButton::clicked, this, &LineagePane::requestShowVersion);
    buttons->addWidget(m_showRun);
    buttons->addWidget(m_showVersion);
    detailsLayout->addLayout(buttons);
    side->addWidget(m_detailsBox);

    m_queryBox = new QGroupBox;
    auto *queryLayout = new QVBoxLayout(m_queryBox);
    m_queryTitle = new QLabel;
    m_queryTitle->setWordWrap(true);
    m_queryTitle->setMinimumHeight(m_queryTitle->fontMetrics().lineSpacing() * 4);
    m_queryTitle->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    queryLayout->addWidget(m_queryTitle);
    m_queryList = new QListWidget;
    connect(m_queryList, &QListWidget::itemClicked, this, &LineagePane::queryItemClicked);
    connect(m_queryList, &QListWidget::itemActivated, this, &LineagePane::queryItemClicked);
    queryLayout->addWidget(m_queryList);
    side->addWidget(m_queryBox);
    side->setStretchFactor(0, 1);
    side->setStretchFactor(1, 1);

    m_splitter->addWidget(side);
    m_splitter->setStretchFactor(0, 4);
    m_splitter->setStretchFactor(1, 1);
    m_splitter->setSizes({900, 320});
    layout->addWidget(m_splitter, 1);

    m_status = new QLabel;
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_status);

    auto *find = new QAction(this);
    find->setShortcut(QKeySequence::Find);
    find->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(find, &QAction::triggered, this, [this] {
        m_search->setFocus();
        m_search->selectAll();
    });
    addAction(find);
}

void LineagePane::retranslateUi()
{
    m_search->setPlaceholderText(
        tr("Find a run, a version (model/3) or a dataset, then Enter (Ctrl+F)"));
    m_search->setToolTip(tr("Jumps to the node and selects it; a node that is not shown becomes "
                            "the focus"));
    m_upLabel->setText(tr("&Up"));
    m_upSpin->setToolTip(tr("Hops shown upstream of the focus (what it came from)"));
    m_downLabel->setText(tr("&Down"));
    m_downSpin->setToolTip(tr("Hops shown downstream of the focus (what came from it)"));
    m_upstream->setText(tr("What trained this?"));
    m_upstream->setToolTip(tr("Upstream: the runs, parent runs and datasets behind the selected "
                              "node (Ctrl+U)"));
    m_upstream->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_U));
    m_downstream->setText(tr("What depends on this?"));
    m_downstream->setToolTip(tr("Downstream impact: the runs, model versions and aliases that "
                                "depend on the selected node (Ctrl+D)"));
    m_downstream->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_D));
    m_clear->setText(tr("Clear"));
    m_clear->setToolTip(tr("Clear the highlighted answer"));
    m_export->setText(tr("Export"));
    m_export->setToolTip(tr("Save the view as SVG or PNG, or the graph as DOT or JSON"));
    m_exportMenu->clear();
    const std::pair<QString, QString> formats[] = {{QStringLiteral("svg"), tr("View as &SVG…")},
                                                   {QStringLiteral("png"), tr("View as &PNG…")},
                                                   {QStringLiteral("dot"), tr("Graph as &DOT…")},
                                                   {QStringLiteral("json"), tr("Graph as &JSON…")}};
    for (const auto &[format, text] : formats) {
        QAction *a = m_exportMenu->addAction(text);
        connect(a, &QAction::triggered, this, [this, f = format] { exportWithDialog(f); });
    }
    m_detailsBox->setTitle(tr("Details"));
    m_details->setHeaderLabels({tr("Property"), tr("Value")});
    m_showRun->setText(tr("Show run in runs table"));
    m_showRun->setToolTip(tr("Select this run in the Runs pane"));
    m_showVersion->setText(tr("Show version in approval pane"));
    m_showVersion->setToolTip(tr("Open this model version in the Approval pane"));
    m_queryBox->setTitle(tr("Answer"));
    if (m_query == Query::None)
        m_queryTitle->setText(tr("Select a node and ask what trained it or what depends on it."));
    m_view->retranslateUi();
}

void LineagePane::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QWidget::changeEvent(event);
}

void LineagePane::setWorkspace(const QString &path, Load when)
{
    m_workspacePath = path;
    reload(when);
}

void LineagePane::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (m_stale)
        reload();
}

void LineagePane::reload(Load when)
{
    if (when == Load::WhenShown && !isVisible()) {
        m_stale = true;
        return;
    }
    m_stale = false;
    if (m_workspacePath.isEmpty() || !QFileInfo::exists(m_workspacePath)) {
        setGraph(lineage::Graph{});
        setStatus(tr("No workspace yet: sync or open one to see its lineage."));
        return;
    }
    auto store = Store::open(m_workspacePath.toStdString(), Store::Mode::ReadOnly);
    if (!store) {
        setGraph(lineage::Graph{});
        setStatus(tr("Cannot read the workspace: %1").arg(qs(store.error().message)), true);
        return;
    }
    setGraph(lineage::buildGraph(**store));
}

void LineagePane::setGraph(lineage::Graph graph)
{
    const QString previousFocus = focusKey();
    const QString previousSelection = selectedKey();
    m_view->setGraph(nullptr);
    m_viewState.reset();
    m_graph = std::make_unique<lineage::Graph>(std::move(graph));
    m_view->setGraph(m_graph.get());
    m_expanded.clear();
    m_openGroups.clear();
    m_extra.clear();
    m_visible = {};
    m_layout = {};
    m_query = Query::None;
    m_result = {};
    m_affected.clear();
    m_queryList->clear();
    m_view->setHighlighted({});
    retranslateUi();
    rebuildSearchIndex();

    m_focus = previousFocus.isEmpty() ? -1 : m_graph->find(previousFocus.toStdString());
    if (m_focus < 0)
        m_focus = graphIndex(defaultFocus());
    if (m_focus >= 0) {
        m_viewState = std::make_unique<lineage::View>(*m_graph, m_focus, m_up, m_down);
        refresh(true);
        if (!previousSelection.isEmpty())
            m_view->selectNode(previousSelection, false);
    } else {
        showDetails({});
        setStatus(m_graph->size() == 0 ? tr("The workspace has no lineage yet.") : QString());
    }
    updateButtons();
    emit reloaded();
}

void LineagePane::rebuildSearchIndex()
{
    m_searchIndex.clear();
    QStringList shown;
    auto add = [&](const QString &text, const std::string &key) {
        if (text.isEmpty())
            return;
        if (m_searchIndex.emplace(text.toLower(), qs(key)).second)
            shown << text;
    };
    const lineage::Graph &g = *m_graph;
    for (const lineage::Node &n : g.nodes()) {
        auto attr = [&](const char *name) {
            auto it = n.attributes.find(name);
            return it == n.attributes.end() ? QString() : qs(it->second);
        };
        switch (n.kind) {
        case NodeKind::Run:
            add(qs(n.label), n.key);
            add(attr("run_id"), n.key);
            break;
        case NodeKind::ModelVersion:
            add(attr("model") + QLatin1Char('/') + attr("version"), n.key);
            break;
        case NodeKind::Dataset:
            add(attr("name") + QLatin1Char('@') + attr("digest"), n.key);
            break;
        case NodeKind::Alias:
            add(attr("model") + QLatin1Char('@') + attr("alias"), n.key);
            break;
        case NodeKind::Model:
            add(qs(n.label), n.key);
            break;
        default:
            break;
        }
    }
    // A dataset's plain name means its newest digest.
    for (const lineage::Node &n : g.nodes())
        if (n.kind == NodeKind::Dataset) {
            const std::string name = n.attributes.count("name") ? n.attributes.at("name") : "";
            if (!name.empty() && !m_searchIndex.count(qs(name).toLower())) {
                const int d = lineage::findDataset(g, name);
                if (d >= 0)
                    add(qs(name), g.node(d).key);
            }
        }
    shown.sort(Qt::CaseInsensitive);
    m_completions->setStringList(shown);
}

QString LineagePane::defaultFocus() const
{
    const lineage::Graph &g = *m_graph;
    // A champion's version (one with a known training run first), else the newest version,
    // else the newest dataset, else a run.
    int champion = -1;
    for (const lineage::Node &n : g.nodes())
        if (n.kind == NodeKind::Alias && n.attributes.count("alias")
            && n.attributes.at("alias") == "champion") {
            for (int e : g.inEdges(g.find(n.key))) {
                const int v = g.edges()[static_cast<size_t>(e)].from;
                if (champion < 0 || (g.inEdges(champion).empty() && !g.inEdges(v).empty()))
                    champion = v;
            }
        }
    if (champion >= 0)
        return qs(g.node(champion).key);
    int best = -1;
    for (NodeKind kind : {NodeKind::ModelVersion, NodeKind::Dataset, NodeKind::Run}) {
        for (int i = 0; i < static_cast<int>(g.size()); ++i)
            if (g.node(i).kind == kind && !g.node(i).missing
                && (best < 0 || g.node(i).timeMs >= g.node(best).timeMs))
                best = i;
        if (best >= 0)
            return qs(g.node(best).key);
    }
    return {};
}

int LineagePane::graphIndex(const QString &key) const
{
    return key.isEmpty() ? -1 : m_graph->find(key.toStdString());
}

QString LineagePane::focusKey() const
{
    return m_graph && m_focus >= 0 && m_focus < static_cast<int>(m_graph->size())
               ? qs(m_graph->node(m_focus).key)
               : QString();
}

bool LineagePane::setFocusKey(const QString &key)
{
    const int n = graphIndex(key);
    if (n < 0)
        return false;
    m_focus = n;
    m_expanded.clear();
    m_openGroups.clear();
    m_extra.clear();
    m_viewState = std::make_unique<lineage::View>(*m_graph, m_focus, m_up, m_down);
    refresh(true);
    return true;
}

void LineagePane::setHops(int up, int down)
{
    up = std::clamp(up, 0, 20);
    down = std::clamp(down, 0, 20);
    if (up == m_up && down == m_down)
        return;
    m_up = up;
    m_down = down;
    const QSignalBlocker b1(m_upSpin), b2(m_downSpin);
    m_upSpin->setValue(up);
    m_downSpin->setValue(down);
    if (m_focus < 0)
        return;
    // Same expansions around the same focus, with the new reach.
    m_viewState = std::make_unique<lineage::View>(*m_graph, m_focus, m_up, m_down);
    for (const std::string &k : m_expanded)
        m_viewState->expand(k);
    refresh(true);
}

void LineagePane::refresh(bool full)
{
    if (!m_viewState)
        return;
    std::vector<int> nodes = m_viewState->nodes();
    nodes.insert(nodes.end(), m_extra.begin(), m_extra.end());
    std::sort(nodes.begin(), nodes.end());
    nodes.erase(std::unique(nodes.begin(), nodes.end()), nodes.end());
    lineage::VisibleGraph visible = lineage::visibleSubgraph(*m_graph, nodes, m_expanded, m_focus);
    auto layout = full || m_layout.nodes.empty() ? lineage::layoutGraph(visible)
                                                 : lineage::relayout(visible, m_visible, m_layout);
    if (!layout) {
        setStatus(tr("Cannot lay out the graph: %1").arg(qs(layout.error().message)), true);
        return;
    }
    m_visible = std::move(visible);
    m_layout = std::move(*layout);
    m_view->showGraph(m_visible, m_layout, focusKey(), full);
    // A new picture starts with its focus selected, so its details and actions are at hand.
    if (full && m_view->selectedKey().isEmpty())
        m_view->selectNode(focusKey(), false);
    if (m_query != Query::None)
        highlightQuery();
    const QString selected = m_view->selectedKey();
    showDetails(selected);
    updateButtons();
    setStatus(tr("%1 nodes shown around %2")
                  .arg(m_visible.nodes.size())
                  .arg(qs(m_graph->node(m_focus).label))
              + (m_layout.fast ? tr(" (large graph: straight edges)") : QString()));
}

QString LineagePane::drawnKeyOf(int graphNode) const
{
    for (const lineage::VisibleNode &v : m_visible.nodes) {
        if (v.graphNode == graphNode)
            return qs(v.key);
        if (v.kind == NodeKind::Cluster
            && std::find(v.members.begin(), v.members.end(), graphNode) != v.members.end())
            return qs(v.key);
    }
    return {};
}

QString LineagePane::resolve(const QString &text) const
{
    const QString t = text.trimmed();
    if (t.isEmpty())
        return {};
    if (graphIndex(t) >= 0)
        return t;
    if (auto it = m_searchIndex.find(t.toLower()); it != m_searchIndex.end())
        return it->second;
    if (m_visible.find(t.toStdString()) >= 0)
        return t; // a cluster's key
    // One entry containing the text is as good as an exact one.
    QString found;
    for (const auto &[text2, key] : m_searchIndex)
        if (text2.contains(t.toLower())) {
            if (!found.isEmpty() && found != key)
                return {};
            found = key;
        }
    return found;
}

bool LineagePane::jumpTo(const QString &text)
{
    const QString key = resolve(text);
    if (key.isEmpty()) {
        setStatus(tr("Nothing in the lineage is called '%1'.").arg(text.trimmed()), true);
        return false;
    }
    return selectNode(key);
}

bool LineagePane::selectNode(const QString &key)
{
    if (m_view->selectNode(key))
        return true;
    const int n = graphIndex(key);
    if (n < 0)
        return false;
    const QString drawn = drawnKeyOf(n);
    if (!drawn.isEmpty() && drawn != key) {
        expandNode(drawn); // the group it is in opens
        if (m_view->selectNode(key))
            return true;
    }
    if (!setFocusKey(key))
        return false;
    return m_view->selectNode(key);
}

QString LineagePane::selectedKey() const { return m_view->selectedKey(); }

bool LineagePane::expandNode(const QString &key)
{
    if (!m_viewState || key.isEmpty() || m_expanded.count(key.toStdString()))
        return false;
    if (!m_viewState->expand(key.toStdString()))
        return false;
    m_expanded.insert(key.toStdString());
    if (const int v = m_visible.find(key.toStdString()); v >= 0)
        m_openGroups[key.toStdString()] = m_visible.nodes[static_cast<size_t>(v)].members;
    refresh(false);
    return true;
}

bool LineagePane::collapseNode(const QString &key)
{
    if (!m_viewState || !m_viewState->collapse(key.toStdString()))
        return false;
    m_expanded.erase(key.toStdString());
    m_openGroups.erase(key.toStdString());
    refresh(false);
    return true;
}

QString LineagePane::groupOf(const QString &key) const
{
    const int n = graphIndex(key);
    for (const auto &[group, members] : m_openGroups)
        if (m_expanded.count(group)
            && std::find(members.begin(), members.end(), n) != members.end())
            return qs(group);
    return {};
}

bool LineagePane::toggleNode(const QString &key)
{
    return m_expanded.count(key.toStdString()) ? collapseNode(key) : expandNode(key);
}

bool LineagePane::runQuery(Query query)
{
    if (query == Query::None) {
        clearQuery();
        return true;
    }
    QString startKey = selectedKey();
    if (startKey.isEmpty() || graphIndex(startKey) < 0)
        startKey = focusKey();
    const int start = graphIndex(startKey);
    if (start < 0) {
        setStatus(tr("Select a node first."), true);
        return false;
    }
    m_query = query;
    m_result = query == Query::Upstream ? lineage::upstream(*m_graph, start)
                                        : lineage::downstream(*m_graph, start);
    m_affected.clear();
    if (query == Query::Downstream)
        for (const std::string &a : lineage::affectedAliases(*m_graph, m_result))
            m_affected << qs(a);
    // The answer is drawn, wherever it is.
    m_extra.insert(m_result.nodes.begin(), m_result.nodes.end());
    refresh(false);
    listQuery(m_result);
    const QString name = qs(m_graph->node(start).label);
    const int others = static_cast<int>(m_result.listed.size()) - 1;
    QString title = query == Query::Upstream
                        ? tr("What trained %1: %2 nodes upstream.").arg(name).arg(others)
                        : tr("What depends on %1: %2 nodes downstream.").arg(name).arg(others);
    if (query == Query::Downstream)
        title += QLatin1Char(' ')
                 + (m_affected.isEmpty()
                        ? tr("No alias is affected.")
                        : tr("Affected aliases: %1.").arg(m_affected.join(QStringLiteral(", "))));
    m_queryTitle->setText(title);
    m_view->selectNode(startKey, false);
    return true;
}

void LineagePane::clearQuery()
{
    m_query = Query::None;
    m_result = {};
    m_affected.clear();
    m_queryList->clear();
    m_view->setHighlighted({});
    retranslateUi();
    updateButtons();
}

void LineagePane::listQuery(const lineage::QueryResult &result)
{
    m_queryList->clear();
    for (const lineage::ListedNode &l : result.listed) {
        const lineage::Node &n = m_graph->node(l.node);
        const QString where = l.distance == 0   ? tr("start")
                              : l.distance == 1 ? tr("1 hop")
                                                : tr("%1 hops").arg(l.distance);
        auto *item = new QListWidgetItem(
            QStringLiteral("%1  —  %2, %3").arg(qs(n.label), kindText(n.kind), where));
        item->setData(KeyRole, qs(n.key));
        item->setToolTip(qs(n.key));
        if (n.kind == NodeKind::Alias) {
            QFont f = item->font();
            f.setBold(true);
            item->setFont(f);
        }
        m_queryList->addItem(item);
    }
    updateButtons();
}

void LineagePane::highlightQuery()
{
    std::set<QString> keys;
    for (int n : m_result.nodes)
        if (const QString k = drawnKeyOf(n); !k.isEmpty())
            keys.insert(k);
    m_view->setHighlighted(keys);
}

QStringList LineagePane::listedKeys() const
{
    QStringList out;
    for (int i = 0; i < m_queryList->count(); ++i)
        out << m_queryList->item(i)->data(KeyRole).toString();
    return out;
}

void LineagePane::queryItemClicked(QListWidgetItem *item)
{
    if (item)
        selectNode(item->data(KeyRole).toString());
}

void LineagePane::nodeSelected(const QString &key)
{
    showDetails(key);
    updateButtons();
}

void LineagePane::nodeActivated(const QString &key) { toggleNode(key); }

void LineagePane::showContextMenu(const QString &key, const QPoint &globalPos)
{
    QMenu menu(this);
    if (!key.isEmpty()) {
        const bool cluster = graphIndex(key) < 0;
        if (m_expanded.count(key.toStdString()))
            connect(menu.addAction(tr("Collapse")), &QAction::triggered, this,
                    [this, key] { collapseNode(key); });
        else
            connect(menu.addAction(cluster ? tr("Expand group") : tr("Expand neighbours")),
                    &QAction::triggered, this, [this, key] { expandNode(key); });
        if (const QString group = groupOf(key); !group.isEmpty())
            connect(menu.addAction(tr("Collapse group")), &QAction::triggered, this,
                    [this, group] { collapseNode(group); });
        if (!cluster) {
            connect(menu.addAction(tr("Make this the focus")), &QAction::triggered, this,
                    [this, key] {
                        setFocusKey(key);
                        m_view->selectNode(key);
                    });
            menu.addSeparator();
            connect(menu.addAction(m_upstream->text()), &QAction::triggered, this,
                    [this] { runQuery(Query::Upstream); });
            connect(menu.addAction(m_downstream->text()), &QAction::triggered, this,
                    [this] { runQuery(Query::Downstream); });
            menu.addSeparator();
            QAction *run = menu.addAction(m_showRun->text());
            run->setEnabled(!runIdOf(key).isEmpty());
            connect(run, &QAction::triggered, this, &LineagePane::requestShowRun);
            QString model, version;
            QAction *ver = menu.addAction(m_showVersion->text());
            ver->setEnabled(versionOf(key, model, version));
            connect(ver, &QAction::triggered, this, &LineagePane::requestShowVersion);
        }
        menu.addSeparator();
        connect(menu.addAction(tr("Copy key")), &QAction::triggered, this,
                [key] { QApplication::clipboard()->setText(key); });
    } else {
        menu.addAction(m_view->fitAction());
        if (m_query != Query::None)
            connect(menu.addAction(m_clear->text()), &QAction::triggered, this,
                    &LineagePane::clearQuery);
    }
    menu.exec(globalPos);
}

void LineagePane::showDetails(const QString &key)
{
    m_details->clear();
    auto row = [this](const QString &name, const QString &value) {
        auto *item = new QTreeWidgetItem(m_details, {name, value});
        item->setToolTip(1, value);
        return item;
    };
    if (key.isEmpty()) {
        return;
    }
    const int vi = m_visible.find(key.toStdString());
    const int gi = graphIndex(key);
    if (gi < 0 && vi >= 0) {
        const lineage::VisibleNode &v = m_visible.nodes[static_cast<size_t>(vi)];
        row(tr("Kind"), tr("group of %n %1", nullptr, v.count).arg(kindText(v.memberKind)));
        QStringList names;
        for (size_t i = 0; i < v.members.size() && i < 30; ++i)
            names << qs(m_graph->node(v.members[i]).label);
        if (v.members.size() > 30)
            names << tr("… and %n more", nullptr, static_cast<int>(v.members.size()) - 30);
        row(tr("Members"), names.join(QStringLiteral(", ")));
        row(tr("Expand"), tr("Double-click the group to show each member."));
        return;
    }
    if (gi < 0)
        return;
    const lineage::Node &n = m_graph->node(gi);
    row(tr("Kind"), kindText(n.kind) + (n.isParentRun ? tr(" (parent run)") : QString()));
    row(tr("Name"), qs(n.label));
    row(tr("Key"), qs(n.key));
    if (n.timeMs > 0)
        row(n.kind == NodeKind::Dataset ? tr("First used")
            : n.kind == NodeKind::Run   ? tr("Started")
                                        : tr("Created"),
            timeText(n.timeMs));
    if (n.missing)
        row(tr("Cache"), tr("Named by another record but not in the cache"));
    for (const auto &[k, v] : n.attributes)
        if (!v.empty())
            row(qs(k), qs(v));
    if (n.drift) {
        QTreeWidgetItem *d = row(tr("Drift"),
                                 tr("%1: %2% of columns drifted (%3)")
                                     .arg(qs(n.drift->state))
                                     .arg(std::lround(n.drift->driftShare * 100.0))
                                     .arg(timeText(n.drift->timeMs)));
        if (n.drift->state == "drifted")
            d->setForeground(1, QColor(0xc0, 0x2a, 0x1c));
        if (!n.drift->summaryJson.empty())
            row(tr("Drift summary"), qs(n.drift->summaryJson));
    }
}

QString LineagePane::runIdOf(const QString &key) const
{
    const int n = graphIndex(key);
    if (n < 0 || m_graph->node(n).kind != NodeKind::Run)
        return {};
    return key.mid(4); // "run:ID"
}

bool LineagePane::versionOf(const QString &key, QString &model, QString &version) const
{
    int n = graphIndex(key);
    if (n < 0)
        return false;
    // An alias stands for the version that holds it.
    if (m_graph->node(n).kind == NodeKind::Alias || m_graph->node(n).kind == NodeKind::Stage) {
        const auto &in = m_graph->inEdges(n);
        if (in.size() != 1)
            return false;
        n = m_graph->edges()[static_cast<size_t>(in.front())].from;
    }
    const lineage::Node &node = m_graph->node(n);
    if (node.kind != NodeKind::ModelVersion)
        return false;
    model = qs(node.attributes.at("model"));
    version = qs(node.attributes.at("version"));
    return true;
}

void LineagePane::requestShowRun()
{
    const QString id = runIdOf(selectedKey());
    if (!id.isEmpty())
        emit showRunRequested(id);
}

void LineagePane::requestShowVersion()
{
    QString model, version;
    if (versionOf(selectedKey(), model, version))
        emit showVersionRequested(model, version);
}

void LineagePane::updateButtons()
{
    const QString key = selectedKey();
    QString model, version;
    m_showRun->setEnabled(!runIdOf(key).isEmpty());
    m_showVersion->setEnabled(versionOf(key, model, version));
    const bool any = m_focus >= 0;
    m_upstream->setEnabled(any);
    m_downstream->setEnabled(any);
    m_clear->setEnabled(m_query != Query::None);
    m_export->setEnabled(any);
}

void LineagePane::setStatus(const QString &text, bool error)
{
    m_status->setText(text);
    m_status->setStyleSheet(error ? QStringLiteral("color: #b3261e;") : QString());
}

bool LineagePane::exportSvg(const QString &path, QString *error) const
{
    if (m_view->writeSvg(path, tr("Lineage around %1").arg(focusKey())))
        return true;
    if (error)
        *error = tr("Cannot write %1.").arg(path);
    return false;
}

bool LineagePane::exportPng(const QString &path, QString *error) const
{
    if (m_view->renderImage().save(path, "PNG"))
        return true;
    if (error)
        *error = tr("Cannot write %1.").arg(path);
    return false;
}

bool LineagePane::exportDot(const QString &path, QString *error) const
{
    return writeText(path, lineage::toDot(*m_graph, m_visible), error);
}

bool LineagePane::exportJson(const QString &path, QString *error) const
{
    return writeText(path, lineage::toJson(*m_graph, m_visible, focusKey().toStdString()), error);
}

void LineagePane::exportWithDialog(const QString &format)
{
    const QString filter = format == QLatin1String("svg")   ? tr("SVG image (*.svg)")
                           : format == QLatin1String("png") ? tr("PNG image (*.png)")
                           : format == QLatin1String("dot") ? tr("Graphviz DOT (*.dot)")
                                                            : tr("JSON (*.json)");
    QString name = focusKey();
    name.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9._-]+")), QStringLiteral("-"));
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export lineage"), QStringLiteral("lineage-%1.%2").arg(name, format), filter);
    if (path.isEmpty())
        return;
    QString error;
    const bool ok = format == QLatin1String("svg")   ? exportSvg(path, &error)
                    : format == QLatin1String("png") ? exportPng(path, &error)
                    : format == QLatin1String("dot") ? exportDot(path, &error)
                                                     : exportJson(path, &error);
    setStatus(ok ? tr("Saved %1.").arg(QDir::toNativeSeparators(path)) : error, !ok);
}

QByteArray LineagePane::saveState() const
{
    QByteArray out;
    QDataStream s(&out, QIODevice::WriteOnly);
    s << kStateMagic << m_splitter->saveState() << qint32(m_up) << qint32(m_down);
    return out;
}

bool LineagePane::restoreState(const QByteArray &state)
{
    QDataStream s(state);
    quint32 magic = 0;
    QByteArray splitter;
    qint32 up = 1, down = 1;
    s >> magic >> splitter >> up >> down;
    if (s.status() != QDataStream::Ok || magic != kStateMagic)
        return false;
    m_splitter->restoreState(splitter);
    setHops(up, down);
    return true;
}

} // namespace sightline
