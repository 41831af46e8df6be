// SPDX-License-Identifier: GPL-3.0-or-later
// LineagePane: the lineage of the workspace around one focus node (a model version, a run or a
// dataset), N hops up and down. A search box with completion jumps to any run, "model/3" version
// or dataset; "What trained this?" and "What depends on this?" add their answer to the picture,
// highlight it and list it beside the view; nodes expand and collapse (clusters open) without
// moving what is already on screen; the selected node's attributes and drift result are shown,
// with buttons to open it in the runs table or the approval pane. The view exports as SVG and
// PNG, the graph as DOT and JSON. The pane reads only the workspace file.
#pragma once

#include "lineage/graph.h"
#include "lineage/layout.h"

#include <QWidget>

#include <map>
#include <memory>
#include <set>
#include <string>

class QCompleter;
class QGroupBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QListWidgetItem;
class QMenu;
class QPushButton;
class QSpinBox;
class QSplitter;
class QStringListModel;
class QToolButton;
class QTreeWidget;

namespace sightline {

class LineageView;

class LineagePane : public QWidget {
    Q_OBJECT

public:
    enum class Query { None, Upstream, Downstream };

    // When a workspace is read: now, or the next time the pane is shown (the main window's
    // tabs, so that a big workspace costs nothing until its lineage is looked at).
    enum class Load { Now, WhenShown };

    explicit LineagePane(QWidget *parent = nullptr);
    ~LineagePane() override;

    // Reads the workspace's graph and shows it around the previous focus when it still exists,
    // else around the champion (or newest) model version.
    void setWorkspace(const QString &path, Load when = Load::Now);
    QString workspacePath() const { return m_workspacePath; }
    void reload(Load when = Load::Now);
    bool isStale() const { return m_stale; }
    // Shows a graph built elsewhere (tests, benchmarks).
    void setGraph(lineage::Graph graph);
    const lineage::Graph &graph() const { return *m_graph; }

    // Makes the node the focus (hops around it reset the expansions); false when unknown.
    bool setFocusKey(const QString &key);
    QString focusKey() const;
    void setHops(int up, int down);
    int upHops() const { return m_up; }
    int downHops() const { return m_down; }

    // Selects a node: drawn → selected; inside a cluster → the cluster opens; elsewhere → it
    // becomes the focus. Takes a key or what the search box takes (run name or id, "model/3",
    // "model@alias", dataset NAME[@DIGEST]). False when nothing matches.
    bool jumpTo(const QString &text);
    // The key that search text names, or empty.
    QString resolve(const QString &text) const;
    bool selectNode(const QString &key);
    QString selectedKey() const;

    // Expands a node or cluster (or collapses it again), keeping the rest where it is.
    bool expandNode(const QString &key);
    bool collapseNode(const QString &key);
    bool toggleNode(const QString &key);
    // The expanded cluster a drawn node was opened from, or empty.
    QString groupOf(const QString &key) const;

    // Runs a query from the selected node (or the focus): its answer is drawn, highlighted and
    // listed. False when there is nothing to start from.
    bool runQuery(Query query);
    void clearQuery();
    Query currentQuery() const { return m_query; }
    // The listed answer's node keys, in list order.
    QStringList listedKeys() const;
    // "model@alias" of the aliases a downstream query reached.
    QStringList affectedAliases() const { return m_affected; }

    bool exportSvg(const QString &path, QString *error = nullptr) const;
    bool exportPng(const QString &path, QString *error = nullptr) const;
    bool exportDot(const QString &path, QString *error = nullptr) const;
    bool exportJson(const QString &path, QString *error = nullptr) const;

    // Parts, for the main window and tests.
    LineageView *view() const { return m_view; }
    QLineEdit *searchEdit() const { return m_search; }
    QCompleter *completer() const { return m_completer; }
    QSpinBox *upSpin() const { return m_upSpin; }
    QSpinBox *downSpin() const { return m_downSpin; }
    QListWidget *queryList() const { return m_queryList; }
    QTreeWidget *detailsView() const { return m_details; }
    QPushButton *showRunButton() const { return m_showRun; }
    QPushButton *showVersionButton() const { return m_showVersion; }
    QLabel *statusLabel() const { return m_status; }
    const lineage::VisibleGraph &visibleGraph() const { return m_visible; }
    const lineage::Layout &currentLayout() const { return m_layout; }

    // The key list items carry.
    static constexpr int KeyRole = Qt::UserRole + 1;

    QByteArray saveState() const;
    bool restoreState(const QByteArray &state);
    void retranslateUi();

signals:
    void showRunRequested(const QString &runId);
    void showVersionRequested(const QString &model, const QString &version);
    void reloaded();

protected:
    void changeEvent(QEvent *event) override;
    void showEvent(QShowEvent *event) override;

private:
    void buildUi();
    void rebuildSearchIndex();
    QString defaultFocus() const;
    // Recomputes what is visible; a full layout when `full`, else the layout keeps every node
    // already drawn where it is.
    void refresh(bool full);
    void nodeSelected(const QString &key);
    void nodeActivated(const QString &key);
    void showContextMenu(const QString &key, const QPoint &globalPos);
    void showDetails(const QString &key);
    void listQuery(const lineage::QueryResult &result);
    void highlightQuery();
    void queryItemClicked(QListWidgetItem *item);
    void requestShowRun();
    void requestShowVersion();
    void exportWithDialog(const QString &format);
    void updateButtons();
    void setStatus(const QString &text, bool error = false);
    // The visible key a graph node is drawn under (itself or its cluster), or empty.
    QString drawnKeyOf(int graphNode) const;
    int graphIndex(const QString &key) const;
    QString runIdOf(const QString &key) const;
    bool versionOf(const QString &key, QString &model, QString &version) const;

    QString m_workspacePath;
    std::unique_ptr<lineage::Graph> m_graph;
    std::unique_ptr<lineage::View> m_viewState;
    int m_focus = -1;
    int m_up = 1;
    int m_down = 1;
    std::set<std::string> m_expanded; // mirrors the View's, for visibleSubgraph
    std::map<std::string, std::vector<int>> m_openGroups; // expanded cluster -> its members
    std::set<int> m_extra;            // query answers drawn beyond the hops
    lineage::VisibleGraph m_visible;
    lineage::Layout m_layout;
    Query m_query = Query::None;
    lineage::QueryResult m_result;
    QStringList m_affected;
    std::map<QString, QString> m_searchIndex; // lower-cased search text -> key
    bool m_stale = false;

    QSplitter *m_splitter = nullptr;
    QLineEdit *m_search = nullptr;
    QCompleter *m_completer = nullptr;
    QStringListModel *m_completions = nullptr;
    QLabel *m_upLabel = nullptr;
    QSpinBox *m_upSpin = nullptr;
    QLabel *m_downLabel = nullptr;
    QSpinBox *m_downSpin = nullptr;
    QPushButton *m_upstream = nullptr;
    QPushButton *m_downstream = nullptr;
    QPushButton *m_clear = nullptr;
    QToolButton *m_zoomIn = nullptr;
    QToolButton *m_zoomOut = nullptr;
    QToolButton *m_fit = nullptr;
    QToolButton *m_export = nullptr;
    QMenu *m_exportMenu = nullptr;
    LineageView *m_view = nullptr;
    QGroupBox *m_detailsBox = nullptr;
    QTreeWidget *m_details = nullptr;
    QPushButton *m_showRun = nullptr;
    QPushButton *m_showVersion = nullptr;
    QGroupBox *m_queryBox = nullptr;
    QLabel *m_queryTitle = nullptr;
    QListWidget *m_queryList = nullptr;
    QLabel *m_status = nullptr;
};

} // namespace sightline
