// SPDX-License-Identifier: GPL-3.0-or-later
// The lineage pane offscreen, on the demo workspace: the focus and its one-hop neighbours are
// drawn, input edges carry their context, fraud-train's newer digest has a red drift badge, a
// sweep's children form a cluster with its count; expanding keeps every node already drawn where
// it was; "what trained this" and "what depends on this" draw, highlight and list their answer
// (the champion among what depends on fraud-train) and a listed item selects its node; search
// selects a node (making it the focus when it is not drawn); the details and the show-run and
// show-version signals; exports. A generated 5,000-node graph builds its scene, shows the
// minimap (which follows the viewport and moves it on a click), and zooming, panning and
// repainting it stays well under a second. Set SIGHTLINE_GRAB_DIR to keep the grabs.
#include "demo/demoworkspace.h"
#include "lineage/graph.h"
#include "lineage/layout.h"
#include "lineagepane.h"
#include "lineageview.h"

#include <QElapsedTimer>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QScrollBar>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTreeWidget>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <map>

using namespace sightline;
using namespace sightline::lineage;

namespace {

QString qs(const std::string &s) { return QString::fromStdString(s); }

// Where a graph node is drawn: its own key, or the cluster holding it; empty when not drawn.
QString drawnKey(const LineagePane &pane, int graphNode)
{
    for (const VisibleNode &v : pane.visibleGraph().nodes) {
        if (v.graphNode == graphNode)
            return qs(v.key);
        if (std::find(v.members.begin(), v.members.end(), graphNode) != v.members.end())
            return qs(v.key);
    }
    return {};
}

std::map<QString, QPointF> positions(const LineageView *view)
{
    std::map<QString, QPointF> out;
    for (LineageNodeItem *n : view->nodeItems())
        out[n->key()] = n->pos();
    return out;
}

void keepGrab(QWidget *w, const QString &name)
{
    const QByteArray dir = qgetenv("SIGHTLINE_GRAB_DIR");
    if (!dir.isEmpty())
        w->grab().save(QString::fromLocal8Bit(dir) + QLatin1Char('/') + name);
}

Node make(NodeKind kind, const std::string &key, const std::string &label)
{
    Node n;
    n.kind = kind;
    n.key = key;
    n.label = label;
    return n;
}

// A lineage-shaped graph: datasets read by sweeps of runs, versions made by some of them.
Graph generate(int nodes)
{
    Graph g;
    std::vector<int> datasets;
    for (int d = 0; d < nodes / 25; ++d)
        datasets.push_back(g.addNode(make(NodeKind::Dataset,
                                          datasetKey("d" + std::to_string(d), "x"),
                                          "data-" + std::to_string(d))));
    const int model = g.addNode(make(NodeKind::Model, "model:m", "m"));
    uint32_t state = 12345;
    auto next = [&state](int n) {
        state = state * 1664525u + 1013904223u;
        return static_cast<int>((state >> 8) % static_cast<uint32_t>(n));
    };
    int parent = -1, left = 0, version = 0;
    while (static_cast<int>(g.size()) < nodes) {
        const int r = g.addNode(make(NodeKind::Run, runKey("r" + std::to_string(g.size())),
                                     "run " + std::to_string(g.size())));
        if (left == 0) {
            parent = r;
            left = 4 + next(10);
        } else {
            g.addEdge(parent, r, EdgeKind::ParentChild);
            --left;
        }
        g.addEdge(datasets[static_cast<size_t>(next(static_cast<int>(datasets.size())))], r,
                  EdgeKind::Input, "training");
        g.addEdge(datasets[static_cast<size_t>(next(static_cast<int>(datasets.size())))], r,
                  EdgeKind::Input, "evaluation");
        if (next(20) == 0 && static_cast<int>(g.size()) < nodes) {
            ++version;
            const int v = g.addNode(make(NodeKind::ModelVersion,
                                         versionKey("m", std::to_string(version)),
                                         "m v" + std::to_string(version)));
            g.addEdge(r, v, EdgeKind::Produced);
            g.addEdge(v, model, EdgeKind::VersionOf);
        }
    }
    return g;
}

} // namespace

class TestLineagePane : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_ws;

    void open(LineagePane &pane)
    {
        pane.resize(1400, 900);
        pane.setWorkspace(m_ws);
        pane.show();
        QVERIFY(QTest::qWaitForWindowExposed(&pane));
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_ws = m_dir.filePath(QStringLiteral("demo.sqlite"));
        DemoOptions o;
        o.longRunSteps = 500;
        o.sweepRuns = 12;
        QVERIFY(writeDemoWorkspace(m_ws.toStdString(), o).ok());
    }

    void drawsFocusAndNeighbours()
    {
        LineagePane pane;
        open(pane);
        const Graph &g = pane.graph();
        const QString focus = pane.focusKey();
        QVERIFY(focus.startsWith(QLatin1String("version:")));
        LineageNodeItem *f = pane.view()->nodeItem(focus);
        QVERIFY(f);
        QVERIFY(f->isFocusNode());
        const int fi = g.find(focus.toStdString());
        int neighbours = 0;
        for (int e : g.outEdges(fi)) {
            QVERIFY(pane.view()->nodeItem(drawnKey(pane, g.edges()[size_t(e)].to)));
            ++neighbours;
        }
        for (int e : g.inEdges(fi)) {
            QVERIFY(pane.view()->nodeItem(drawnKey(pane, g.edges()[size_t(e)].from)));
            ++neighbours;
        }
        QVERIFY(neighbours >= 2);
        QCOMPARE(pane.view()->edgeItems().size(), pane.visibleGraph().edges.size());
        // The champion alias is drawn as a tag next to its version.
        bool alias = false;
        for (LineageNodeItem *n : pane.view()->nodeItems())
            alias |= n->kind() == NodeKind::Alias && n->label() == QLatin1String("@champion");
        QVERIFY(alias);
        keepGrab(&pane, QStringLiteral("lineage-champion.png"));
    }

    void datasetEdgesAndDrift()
    {
        LineagePane pane;
        open(pane);
        QVERIFY(pane.jumpTo(QStringLiteral("fraud-train")));
        const QString key = QStringLiteral("dataset:fraud-train@9f1c22ab");
        QCOMPARE(pane.selectedKey(), key);
        pane.setFocusKey(key);
        LineageNodeItem *d = pane.view()->nodeItem(key);
        QVERIFY(d);
        QVERIFY(d->isDrifted());
        QCOMPARE(d->driftBadge(), QStringLiteral("drift 40%"));
        // The older digest is drawn (next version) and has no badge.
        LineageNodeItem *old =
            pane.view()->nodeItem(QStringLiteral("dataset:fraud-train@3b7e0a41"));
        QVERIFY(old);
        QVERIFY(old->driftBadge().isEmpty());
        QStringList labels;
        for (LineageEdgeItem *e : pane.view()->edgeItems())
            labels << e->label();
        QVERIFY2(labels.contains(QStringLiteral("training")), qPrintable(labels.join(',')));
        QVERIFY(labels.contains(QStringLiteral("next version")));
        // The details show the drift result.
        pane.selectNode(key);
        bool drift = false;
        for (int i = 0; i < pane.detailsView()->topLevelItemCount(); ++i) {
            const QTreeWidgetItem *row = pane.detailsView()->topLevelItem(i);
            if (row->text(0) == QLatin1String("Drift"))
                drift = row->text(1).startsWith(QLatin1String("drifted: 40%"));
        }
        QVERIFY(drift);
        keepGrab(&pane, QStringLiteral("lineage-fraud-train.png"));
    }

    void clusterExpandKeepsPositions()
    {
        LineagePane pane;
        open(pane);
        const Graph &g = pane.graph();
        int parent = -1;
        for (int i = 0; i < int(g.size()); ++i)
            if (g.node(i).isParentRun && g.outEdges(i).size() >= 5)
                parent = i;
        QVERIFY(parent >= 0);
        QVERIFY(pane.setFocusKey(qs(g.node(parent).key)));
        LineageNodeItem *cluster = nullptr;
        for (LineageNodeItem *n : pane.view()->nodeItems())
            if (n->kind() == NodeKind::Cluster)
                cluster = n;
        QVERIFY(cluster);
        QVERIFY(cluster->count() >= 5);
        QCOMPARE(cluster->countBadge(), QString::number(cluster->count()));
        keepGrab(&pane, QStringLiteral("lineage-sweep.png"));

        const QString clusterKey = cluster->key();
        const int count = cluster->count();
        const auto before = positions(pane.view());
        QVERIFY(pane.expandNode(clusterKey));
        const auto after = positions(pane.view());
        QVERIFY(!pane.view()->nodeItem(clusterKey));
        QCOMPARE(int(after.size()), int(before.size()) - 1 + count);
        for (const auto &[key, pos] : before) {
            if (key == clusterKey)
                continue;
            QVERIFY2(after.count(key), qPrintable(key));
            QCOMPARE(after.at(key), pos);
        }
        keepGrab(&pane, QStringLiteral("lineage-sweep-expanded.png"));
        // Expanding a plain node shows its neighbours, again without moving anything.
        const auto before2 = positions(pane.view());
        QString member;
        for (const auto &[key, pos] : after)
            if (!before.count(key))
                member = key;
        QCOMPARE(pane.groupOf(member), clusterKey);
        QVERIFY(pane.expandNode(member));
        const auto after2 = positions(pane.view());
        QVERIFY(after2.size() >= before2.size());
        for (const auto &[key, pos] : before2)
            if (after2.count(key))
                QCOMPARE(after2.at(key), pos);
        QVERIFY(pane.collapseNode(member));
        // Collapsing the group brings the cluster back; Enter on it opens it again.
        QVERIFY(pane.collapseNode(pane.groupOf(member)));
        QVERIFY(pane.view()->nodeItem(clusterKey));
        QCOMPARE(positions(pane.view()).size(), before.size());
        QVERIFY(pane.selectNode(clusterKey));
        pane.view()->setFocus();
        QTest::keyClick(pane.view(), Qt::Key_Return);
        QVERIFY(!pane.view()->nodeItem(clusterKey));
    }

    void upstreamAndDownstream()
    {
        LineagePane pane;
        open(pane);
        const Graph &g = pane.graph();
        // What trained the champion: its run and that run's datasets.
        const QString champion = pane.focusKey();
        QVERIFY(pane.selectNode(champion));
        QVERIFY(pane.runQuery(LineagePane::Query::Upstream));
        const QStringList up = pane.listedKeys();
        QCOMPARE(up.value(0), champion);
        const int vi = g.find(champion.toStdString());
        const int run = g.edges()[size_t(g.inEdges(vi).front())].from;
        QVERIFY(up.contains(qs(g.node(run).key)));
        bool dataset = false;
        for (const QString &k : up)
            dataset |= k.startsWith(QLatin1String("dataset:"));
        QVERIFY(dataset);
        // The answer is drawn and highlighted; the rest is dimmed.
        for (const QString &k : up) {
            const QString drawn = drawnKey(pane, g.find(k.toStdString()));
            QVERIFY2(!drawn.isEmpty(), qPrintable(k));
            QCOMPARE(pane.view()->nodeItem(drawn)->emphasis(),
                     LineageNodeItem::Emphasis::Highlighted);
        }
        bool dimmed = false;
        for (LineageNodeItem *n : pane.view()->nodeItems())
            dimmed |= n->emphasis() == LineageNodeItem::Emphasis::Dimmed;
        QVERIFY(dimmed);
        keepGrab(&pane, QStringLiteral("lineage-upstream.png"));

        // What depends on fraud-train: the champion among the affected aliases.
        QVERIFY(pane.jumpTo(QStringLiteral("fraud-train@3b7e0a41")));
        QVERIFY(pane.runQuery(LineagePane::Query::Downstream));
        const QStringList down = pane.listedKeys();
        QVERIFY2(down.contains(QStringLiteral("alias:fraud-classifier@champion")),
                 qPrintable(down.join(',')));
        QVERIFY(pane.affectedAliases().contains(QStringLiteral("fraud-classifier@champion")));
        keepGrab(&pane, QStringLiteral("lineage-downstream.png"));

        // Clicking a listed node selects it in the view.
        QListWidgetItem *item = pane.queryList()->item(pane.queryList()->count() - 1);
        const QString key = item->data(LineagePane::KeyRole).toString();
        const QRect r = pane.queryList()->visualItemRect(item);
        QTest::mouseClick(pane.queryList()->viewport(), Qt::LeftButton, {}, r.center());
        const QString drawn = drawnKey(pane, g.find(key.toStdString()));
        QCOMPARE(pane.selectedKey(), drawn);
        pane.clearQuery();
        QCOMPARE(pane.queryList()->count(), 0);
        for (LineageNodeItem *n : pane.view()->nodeItems())
            QCOMPARE(n->emphasis(), LineageNodeItem::Emphasis::Normal);
    }

    void searchAndSignals()
    {
        LineagePane pane;
        open(pane);
        const Graph &g = pane.graph();
        // A version by "model/N", typed and entered.
        pane.searchEdit()->setFocus();
        pane.searchEdit()->setText(QStringLiteral("fraud-classifier/1"));
        QTest::keyClick(pane.searchEdit(), Qt::Key_Return);
        QCOMPARE(pane.selectedKey(), QStringLiteral("version:fraud-classifier/1"));
        QVERIFY(pane.showVersionButton()->isEnabled());
        QVERIFY(!pane.showRunButton()->isEnabled());
        QSignalSpy version(&pane, &LineagePane::showVersionRequested);
        QTest::mouseClick(pane.showVersionButton(), Qt::LeftButton);
        QCOMPARE(version.count(), 1);
        QCOMPARE(version.at(0).at(0).toString(), QStringLiteral("fraud-classifier"));
        QCOMPARE(version.at(0).at(1).toString(), QStringLiteral("1"));

        // A run far from the focus becomes the focus.
        int far = -1;
        for (int i = 0; i < int(g.size()); ++i)
            if (g.node(i).kind == NodeKind::Run && !g.node(i).missing && g.node(i).isParentRun)
                far = i;
        QVERIFY(far >= 0);
        const QString runName = qs(g.node(far).label);
        QVERIFY(pane.jumpTo(runName));
        QCOMPARE(pane.selectedKey(), qs(g.node(far).key));
        QVERIFY(pane.view()->nodeItem(qs(g.node(far).key)));
        QVERIFY(pane.showRunButton()->isEnabled());
        QSignalSpy run(&pane, &LineagePane::showRunRequested);
        QTest::mouseClick(pane.showRunButton(), Qt::LeftButton);
        QCOMPARE(run.count(), 1);
        QCOMPARE(run.at(0).at(0).toString(), qs(g.node(far).attributes.at("run_id")));
        QVERIFY(!pane.jumpTo(QStringLiteral("no-such-thing-anywhere")));
        QVERIFY(pane.statusLabel()->text().contains(QLatin1String("no-such-thing-anywhere")));
        // Hops: more reach (the version's run, its datasets, their older digests), more nodes.
        QVERIFY(pane.setFocusKey(QStringLiteral("version:fraud-classifier/4")));
        const size_t one = pane.visibleGraph().nodes.size();
        pane.upSpin()->setValue(3);
        QVERIFY(pane.visibleGraph().nodes.size() > one);
    }

    void exports()
    {
        LineagePane pane;
        open(pane);
        const QString svg = m_dir.filePath(QStringLiteral("l.svg"));
        const QString png = m_dir.filePath(QStringLiteral("l.png"));
        const QString dot = m_dir.filePath(QStringLiteral("l.dot"));
        const QString json = m_dir.filePath(QStringLiteral("l.json"));
        QVERIFY(pane.exportSvg(svg));
        QVERIFY(pane.exportPng(png));
        QVERIFY(pane.exportDot(dot));
        QVERIFY(pane.exportJson(json));
        QFile s(svg);
        QVERIFY(s.open(QIODevice::ReadOnly));
        const QByteArray svgText = s.readAll();
        QVERIFY(svgText.contains("<svg"));
        QVERIFY(svgText.contains("champion"));
        QImage image(png);
        QVERIFY(!image.isNull());
        QVERIFY(image.width() > 100);
        QFile d(dot);
        QVERIFY(d.open(QIODevice::ReadOnly));
        QVERIFY(d.readAll().startsWith("digraph"));
        QFile j(json);
        QVERIFY(j.open(QIODevice::ReadOnly));
        const auto parsed = nlohmann::json::parse(j.readAll().toStdString());
        QCOMPARE(qs(parsed["focus"].get<std::string>()), pane.focusKey());
        QCOMPARE(parsed["nodes"].size(), pane.visibleGraph().nodes.size());
    }

    void largeGraphStaysInteractive()
    {
        const Graph g = generate(5000);
        QCOMPARE(int(g.size()), 5000);
        std::vector<int> all(g.size());
        for (size_t i = 0; i < all.size(); ++i)
            all[i] = int(i);
        const VisibleGraph vg = visibleSubgraph(g, all, {}, -1, 0);
        auto layout = layoutGraph(vg);
        QVERIFY(layout.ok());
        QVERIFY(layout->fast);

        LineageView view;
        view.resize(1200, 800);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.setGraph(&g);
        QElapsedTimer t;
        t.start();
        view.showGraph(vg, *layout, qs(g.node(0).key), true);
        const qint64 build = t.elapsed();
        QCOMPARE(view.nodeCount(), 5000);
        QVERIFY(view.isMinimapShown());
        qInfo("5,000 nodes: scene built in %lld ms", build);
        QVERIFY2(build < 5000, qPrintable(QString::number(build)));

        t.restart();
        view.viewport()->grab();
        const qint64 first = t.elapsed();
        const QRectF shownBefore = view.minimap()->viewportRect();
        t.restart();
        view.zoomOut();
        view.zoomOut();
        view.horizontalScrollBar()->setValue(view.horizontalScrollBar()->value() + 400);
        view.verticalScrollBar()->setValue(view.verticalScrollBar()->value() + 300);
        const QImage frame = view.viewport()->grab().toImage();
        const qint64 zoomPan = t.elapsed();
        qInfo("5,000 nodes: first frame %lld ms, zoom + pan + frame %lld ms", first, zoomPan);
        QVERIFY(!frame.isNull());
        QVERIFY2(zoomPan < 1000, qPrintable(QString::number(zoomPan)));
        keepGrab(&view, QStringLiteral("lineage-5k.png"));
        // The minimap follows the viewport, and a click there moves the view.
        QVERIFY(view.minimap()->viewportRect() != shownBefore);
        const QPointF centre = view.mapToScene(view.viewport()->rect().center());
        QTest::mouseClick(view.minimap(), Qt::LeftButton, {},
                          QPoint(view.minimap()->width() / 2, view.minimap()->height() - 3));
        QVERIFY(view.mapToScene(view.viewport()->rect().center()) != centre);
        // Fitting everything in draws the far-out level of detail, still quickly.
        t.restart();
        view.fitAll();
        view.viewport()->grab();
        QVERIFY2(t.elapsed() < 1000, qPrintable(QString::number(t.elapsed())));
    }
};

QTEST_MAIN(TestLineagePane)
#include "tst_lineagepane.moc"
