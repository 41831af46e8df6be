// SPDX-License-Identifier: GPL-3.0-or-later
// Tests of the lineage graph: built from a cache filled the way MLflow records lineage (inputs
// with a context tag, mlflow.parentRunId, version run ids, aliases), dataset versions, upstream
// and impact queries, clusters of five or more siblings, drift results (schema 4), DOT/JSON/SVG
// export, dot layout (deterministic, stable on expand, large graphs) and the demo workspace.
#include "demo/demoworkspace.h"
#include "lineage/driftbadge.h"
#include "lineage/export.h"
#include "lineage/graph.h"
#include "lineage/layout.h"
#include "store/store.h"

#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

using namespace sightline;
using namespace sightline::lineage;

namespace {

// Every node of the graph shown, no clusters.
VisibleGraph wholeGraph(const Graph &g)
{
    std::vector<int> all(g.size());
    for (size_t i = 0; i < all.size(); ++i)
        all[i] = static_cast<int>(i);
    return visibleSubgraph(g, all, {}, -1, 0);
}

Run makeRun(const std::string &id, int64_t start, const std::string &parent = {})
{
    Run r;
    r.runId = id;
    r.experimentId = "1";
    r.runName = "run-" + id;
    r.status = "FINISHED";
    r.lifecycleStage = "active";
    r.startTime = start;
    if (!parent.empty())
        r.tags.push_back({"mlflow.parentRunId", parent});
    return r;
}

DatasetInput input(const std::string &name, const std::string &digest, const std::string &context)
{
    DatasetInput d;
    d.name = name;
    d.digest = digest;
    d.sourceType = "s3";
    d.source = R"({"uri":"s3://bucket/)" + name + R"("})";
    d.schema = R"({"mlflow_colspec":[]})";
    d.context = context;
    return d;
}

bool contains(const std::vector<int> &v, int x) { return std::find(v.begin(), v.end(), x) != v.end(); }

} // namespace

class TestLineage : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<Store> m_store;
    Graph m_graph;

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        auto s = Store::open(m_dir.filePath(QStringLiteral("w.sqlite")).toStdString());
        QVERIFY(s.ok());
        m_store = std::move(*s);
        QCOMPARE(m_store->schemaVersion(), Store::kSchemaVersion);
        Store &st = *m_store;
        // A sweep: parent p reads train v1; seven children read train v1 (training) and eval.
        Run p = makeRun("p", 1000);
        p.inputs = {input("train", "aaa", "training")};
        QVERIFY(st.upsertRun(p).ok());
        for (int i = 0; i < 7; ++i) {
            Run c = makeRun("c" + std::to_string(i), 2000 + i, "p");
            c.inputs = {input("train", "aaa", "training"), input("eval", "eee", "evaluation")};
            QVERIFY(st.upsertRun(c).ok());
        }
        // A retrain on new data: train with another digest, first used later.
        Run r = makeRun("r", 5000);
        r.inputs = {input("train", "bbb", "training"), input("eval", "eee", "evaluation")};
        QVERIFY(st.upsertRun(r).ok());
        // An unrelated run.
        Run u = makeRun("u", 6000);
        u.inputs = {input("other", "ooo", "training")};
        QVERIFY(st.upsertRun(u).ok());

        RegisteredModel m;
        m.name = "clf";
        m.aliases = {{"champion", "2"}, {"challenger", "1"}};
        QVERIFY(st.upsertRegisteredModel(m).ok());
        ModelVersion v1;
        v1.name = "clf";
        v1.version = "1";
        v1.runId = "c3";
        v1.currentStage = "Archived";
        QVERIFY(st.upsertModelVersion(v1).ok());
        ModelVersion v2;
        v2.name = "clf";
        v2.version = "2";
        v2.runId = "r";
        v2.currentStage = "Production";
        QVERIFY(st.upsertModelVersion(v2).ok());

        DriftResult older{0, "train", "bbb", 0.1, "ok", 100, "{}"};
        DriftResult newer{0, "train", "bbb", 0.6, "drifted", 200, R"({"drifted":["a"]})"};
        QVERIFY(st.recordDriftResult(newer).ok());
        QVERIFY(st.recordDriftResult(older).ok());
        QVERIFY(!st.recordDriftResult({0, "train", "", 0.1, "maybe", 1, "{}"}).ok());
        QCOMPARE(st.driftResults("train").size(), size_t(2));
        m_graph = buildGraph(st);
    }

    void edgesAsMlflowRecordsThem()
    {
        const Graph &g = m_graph;
        const int trainA = g.find(datasetKey("train", "aaa"));
        const int trainB = g.find(datasetKey("train", "bbb"));
        const int eval = g.find(datasetKey("eval", "eee"));
        const int p = g.find(runKey("p")), c3 = g.find(runKey("c3")), r = g.find(runKey("r"));
        const int v1 = g.find(versionKey("clf", "1")), v2 = g.find(versionKey("clf", "2"));
        const int champion = g.find("alias:clf@champion");
        const int production = g.find("stage:clf/Production");
        for (int n : {trainA, trainB, eval, p, c3, r, v1, v2, champion, production})
            QVERIFY(n >= 0);
        QVERIFY(g.node(p).isParentRun);
        QVERIFY(!g.node(c3).isParentRun);
        auto hasEdge = [&](int from, int to, EdgeKind kind, const std::string &label) {
            for (int e : g.outEdges(from)) {
                const Edge &edge = g.edges()[static_cast<size_t>(e)];
                if (edge.to == to && edge.kind == kind && edge.label == label)
                    return true;
            }
            return false;
        };
        QVERIFY(hasEdge(trainA, c3, EdgeKind::Input, "training"));
        QVERIFY(hasEdge(eval, c3, EdgeKind::Input, "evaluation"));
        QVERIFY(hasEdge(p, c3, EdgeKind::ParentChild, ""));
        QVERIFY(hasEdge(c3, v1, EdgeKind::Produced, ""));
        QVERIFY(hasEdge(v2, champion, EdgeKind::AliasOf, ""));
        QVERIFY(hasEdge(v2, production, EdgeKind::InStage, ""));
        QVERIFY(hasEdge(v2, g.find("model:clf"), EdgeKind::VersionOf, ""));
        // One node per (name, digest): eval is read by eight runs but is one node.
        int evalNodes = 0;
        for (const Node &n : g.nodes())
            evalNodes += n.kind == NodeKind::Dataset && n.attributes.at("name") == "eval";
        QCOMPARE(evalNodes, 1);
        QCOMPARE(g.node(eval).timeMs, int64_t(2000)); // first use
    }

    void datasetVersions()
    {
        const Graph &g = m_graph;
        const int a = g.find(datasetKey("train", "aaa")), b = g.find(datasetKey("train", "bbb"));
        QCOMPARE(g.node(a).attributes.at("version"), std::string("1"));
        QCOMPARE(g.node(b).attributes.at("version"), std::string("2"));
        bool linked = false;
        for (int e : g.outEdges(a))
            linked |= g.edges()[static_cast<size_t>(e)].to == b
                      && g.edges()[static_cast<size_t>(e)].kind == EdgeKind::NextVersion;
        QVERIFY(linked);
        QCOMPARE(findDataset(g, "train"), b); // the newest by first use
        QCOMPARE(findDataset(g, "train@aaa"), a);
        QCOMPARE(findDataset(g, "train@zzz"), -1);
    }

    void driftBadge()
    {
        const Node &b = m_graph.node(m_graph.find(datasetKey("train", "bbb")));
        QVERIFY(b.drift.has_value());
        QCOMPARE(b.drift->state, std::string("drifted")); // latest by time, not by insertion
        QCOMPARE(b.drift->driftShare, 0.6);
        QVERIFY(!m_graph.node(m_graph.find(datasetKey("train", "aaa"))).drift.has_value());

        drift::DriftReport report;
        report.datasetDrift = true;
        report.driftShare = 0.5;
        report.columnCount = 2;
        report.driftedColumns = 1;
        drift::ColumnDrift c;
        c.name = "age";
        c.drifted = true;
        report.columns.push_back(c);
        const DriftResult r = driftResultOf(report, "x", "d1", 42);
        QCOMPARE(r.state, std::string("drifted"));
        QCOMPARE(nlohmann::json::parse(r.summaryJson)["drifted"][0], "age");
        std::string name, digest;
        splitDatasetSpec("a@b@c", name, digest);
        QCOMPARE(name, std::string("a@b"));
        QCOMPARE(digest, std::string("c"));
    }

    void upstreamOfVersion()
    {
        const Graph &g = m_graph;
        const QueryResult q = upstream(g, g.find(versionKey("clf", "1")));
        for (const char *key : {"run:c3", "run:p", "dataset:train@aaa", "dataset:eval@eee"})
            QVERIFY2(contains(q.nodes, g.find(key)), key);
        QVERIFY(!contains(q.nodes, g.find(runKey("c1")))); // a sibling did not train it
        QVERIFY(!contains(q.nodes, g.find(datasetKey("train", "bbb"))));
        QVERIFY(!contains(q.nodes, g.find("model:clf")));
        QCOMPARE(q.listed.front().node, g.find(versionKey("clf", "1")));
        QCOMPARE(g.node(q.listed[1].node).key, std::string("run:c3"));
        for (size_t i = 1; i < q.listed.size(); ++i)
            QVERIFY(q.listed[i - 1].distance <= q.listed[i].distance);
    }

    void impactOfDataset()
    {
        const Graph &g = m_graph;
        const QueryResult eval = downstream(g, g.find(datasetKey("eval", "eee")));
        QVERIFY(contains(eval.nodes, g.find(versionKey("clf", "1"))));
        QVERIFY(contains(eval.nodes, g.find(versionKey("clf", "2"))));
        QCOMPARE(affectedAliases(g, eval),
                 (std::vector<std::string>{"clf@challenger", "clf@champion"}));
        // The old training data: the sweep and version 1 (challenger), not the retrain.
        const QueryResult old = downstream(g, g.find(datasetKey("train", "aaa")));
        QVERIFY(contains(old.nodes, g.find(runKey("c6"))));
        QVERIFY(!contains(old.nodes, g.find(runKey("r"))));
        QVERIFY(!contains(old.nodes, g.find(datasetKey("train", "bbb"))));
        QCOMPARE(affectedAliases(g, old), std::vector<std::string>{"clf@challenger"});
        const QueryResult other = downstream(g, g.find(datasetKey("other", "ooo")));
        QCOMPARE(other.nodes.size(), size_t(2));
        QVERIFY(affectedAliases(g, other).empty());
    }

    void neighbourhoodHops()
    {
        const Graph &g = m_graph;
        const int c3 = g.find(runKey("c3"));
        const auto one = neighbourhood(g, c3, 1, 1);
        QVERIFY(contains(one, g.find(runKey("p"))));
        QVERIFY(contains(one, g.find(versionKey("clf", "1"))));
        QVERIFY(!contains(one, g.find("model:clf")));
        QVERIFY(!contains(one, g.find(runKey("c1"))));
        const auto zero = neighbourhood(g, c3, 0, 0);
        QCOMPARE(zero, std::vector<int>{c3});
        QVERIFY(contains(neighbourhood(g, c3, 1, 2), g.find("model:clf")));
    }

    void clustersOfSiblings()
    {
        const Graph &g = m_graph;
        View view(g, g.find(runKey("p")), 0, 1);
        VisibleGraph vg = view.visible();
        // Seven children of p collapse into one cluster; p stays.
        const std::string key = "cluster:run:p/parent/run";
        const int cl = vg.find(key);
        QVERIFY(cl >= 0);
        QCOMPARE(vg.nodes[static_cast<size_t>(cl)].count, 7);
        QCOMPARE(vg.nodes[static_cast<size_t>(cl)].label, std::string("7 runs"));
        QCOMPARE(vg.nodes.size(), size_t(2));
        QCOMPARE(vg.edges.size(), size_t(1));
        QVERIFY(view.expand(key));
        vg = view.visible();
        QCOMPARE(vg.find(key), -1);
        QCOMPARE(vg.nodes.size(), size_t(8));
        QVERIFY(view.collapse(key));
        QCOMPARE(view.visible().nodes.size(), size_t(2));
        // Four siblings are not enough.
        QCOMPARE(visibleSubgraph(g, view.nodes(), {}, -1, 8).nodes.size(), size_t(8));
        // Expanding a node shows its neighbours.
        QVERIFY(view.expand(runKey("c3")));
        QVERIFY(contains(view.nodes(), g.find(versionKey("clf", "1"))));
        QVERIFY(!view.expand("run:none"));
    }

    void exports()
    {
        const Graph &g = m_graph;
        View view(g, g.find(datasetKey("train", "bbb")), 1, 2);
        const VisibleGraph vg = view.visible();
        const std::string dot = toDot(g, vg);
        QVERIFY(dot.rfind("digraph lineage {", 0) == 0);
        QVERIFY(dot.find("\"dataset:train@bbb\" -> \"run:r\" [kind=\"input\", label=\"training\"]")
                != std::string::npos);
        QVERIFY(dot.find("drift=\"drifted\"") != std::string::npos);
        QVERIFY(dot.find("style=dashed") != std::string::npos); // next version
        const auto j = nlohmann::json::parse(toJson(g, vg, "dataset:train@bbb"));
        QCOMPARE(j["focus"], "dataset:train@bbb");
        QCOMPARE(j["nodes"].size(), vg.nodes.size());
        QCOMPARE(j["edges"].size(), vg.edges.size());
        bool drift = false;
        for (const auto &n : j["nodes"])
            if (n["key"] == "dataset:train@bbb")
                drift = n["drift"]["state"] == "drifted" && n["drift"]["summary"]["drifted"][0] == "a";
        QVERIFY(drift);
        auto layout = layoutGraph(vg);
        QVERIFY(layout.ok());
        const std::string svg = toSvg(g, vg, *layout, "dataset:train@bbb");
        QVERIFY(svg.find("<svg") != std::string::npos);
        QCOMPARE(static_cast<size_t>(std::count(svg.begin(), svg.end(), '\n')) > vg.nodes.size(), true);
        QVERIFY(svg.find("class=\"drift\"") != std::string::npos);
    }

    void layoutDeterministic()
    {
        const Graph &g = m_graph;
        const VisibleGraph vg = wholeGraph(g);
        auto a = layoutGraph(vg);
        auto b = layoutGraph(vg);
        QVERIFY2(a.ok(), a.ok() ? "" : a.error().message.c_str());
        QVERIFY(!a->fast);
        QCOMPARE(a->nodes.size(), vg.nodes.size());
        QCOMPARE(a->edges.size(), vg.edges.size());
        for (size_t i = 0; i < a->nodes.size(); ++i) {
            QCOMPARE(a->nodes[i].centre, b->nodes[i].centre);
            const NodeGeometry &n = a->nodes[i];
            QVERIFY(n.centre.x - n.width / 2 >= -0.5 && n.centre.x + n.width / 2 <= a->width + 0.5);
            QVERIFY(n.centre.y - n.height / 2 >= -0.5 && n.centre.y + n.height / 2 <= a->height + 0.5);
        }
        for (size_t i = 0; i < a->edges.size(); ++i) {
            QCOMPARE(a->edges[i].points.size(), b->edges[i].points.size());
            QVERIFY(a->edges[i].points.size() >= 4);
            QCOMPARE((a->edges[i].points.size() - 1) % 3, size_t(0));
        }
        // Left to right: a dataset is left of the runs that read it.
        const int ds = vg.find(datasetKey("train", "bbb")), run = vg.find(runKey("r"));
        QVERIFY(a->nodes[static_cast<size_t>(ds)].centre.x < a->nodes[static_cast<size_t>(run)].centre.x);
        // The same without Graphviz's plugin configuration (a fresh machine).
        qputenv("GVBINDIR", m_dir.filePath(QStringLiteral("no-plugins")).toUtf8());
        auto c = layoutGraph(vg);
        QVERIFY(c.ok());
        QCOMPARE(c->nodes[0].centre, a->nodes[0].centre);
    }

    void layoutStableOnExpand()
    {
        const Graph &g = m_graph;
        View view(g, g.find(runKey("p")), 1, 2);
        const VisibleGraph before = view.visible();
        auto l0 = layoutGraph(before);
        QVERIFY(l0.ok());
        const std::string key = "cluster:run:p/parent/run";
        QVERIFY(before.find(key) >= 0);
        view.expand(key);
        const VisibleGraph after = view.visible();
        auto l1 = relayout(after, before, *l0);
        QVERIFY(l1.ok());
        QCOMPARE(l1->nodes.size(), after.nodes.size());
        int kept = 0;
        for (const NodeGeometry &n : l1->nodes) {
            const int b = l0->find(n.key);
            if (b < 0)
                continue;
            ++kept;
            QCOMPARE(n.centre, l0->nodes[static_cast<size_t>(b)].centre);
        }
        QVERIFY(kept >= 2);
        // New nodes overlap nothing.
        for (size_t i = 0; i < l1->nodes.size(); ++i)
            for (size_t k = i + 1; k < l1->nodes.size(); ++k) {
                const NodeGeometry &x = l1->nodes[i], &y = l1->nodes[k];
                const bool apart = std::abs(x.centre.x - y.centre.x) >= (x.width + y.width) / 2
                                   || std::abs(x.centre.y - y.centre.y) >= (x.height + y.height) / 2;
                QVERIFY2(apart, (x.key + " / " + y.key).c_str());
            }
        for (const EdgeGeometry &e : l1->edges)
            QVERIFY(e.points.size() >= 4);
        // Deterministic too.
        auto l2 = relayout(after, before, *l0);
        for (size_t i = 0; i < l1->nodes.size(); ++i)
            QCOMPARE(l1->nodes[i].centre, l2->nodes[i].centre);
    }

    // From 300 nodes dot runs with capped iterations: still dot (splines), still deterministic,
    // and no two nodes overlap.
    void midSizedGraphLayout()
    {
        Graph g;
        for (int i = 0; i < 320; ++i) {
            Node n;
            n.kind = i % 8 == 0 ? NodeKind::Dataset : NodeKind::Run;
            n.key = "m" + std::to_string(i);
            n.label = n.key;
            g.addNode(n);
            if (i % 8 != 0)
                g.addEdge(i - i % 8, i, EdgeKind::Input, "training");
            if (i % 8 == 3 && i >= 16)
                g.addEdge(i - 16 - 3, i, EdgeKind::Input, "evaluation");
        }
        const VisibleGraph vg = wholeGraph(g);
        QVERIFY(static_cast<int>(vg.nodes.size()) >= LayoutOptions{}.tunedGraphNodes);
        auto a = layoutGraph(vg);
        QVERIFY2(a.ok(), a.ok() ? "" : a.error().message.c_str());
        QVERIFY(!a->fast);
        auto b = layoutGraph(vg);
        for (size_t i = 0; i < a->nodes.size(); ++i)
            QCOMPARE(a->nodes[i].centre, b->nodes[i].centre);
        for (const EdgeGeometry &e : a->edges)
            QVERIFY(e.points.size() >= 4);
        for (size_t i = 0; i < a->nodes.size(); ++i)
            for (size_t k = i + 1; k < a->nodes.size(); ++k) {
                const NodeGeometry &x = a->nodes[i], &y = a->nodes[k];
                QVERIFY2(std::abs(x.centre.x - y.centre.x) >= (x.width + y.width) / 2 - 0.5
                             || std::abs(x.centre.y - y.centre.y) >= (x.height + y.height) / 2 - 0.5,
                         (x.key + " / " + y.key).c_str());
            }
    }

    void largeGraphLayout()
    {
        Graph g;
        for (int i = 0; i < 1200; ++i) {
            Node n;
            n.kind = i % 10 == 0 ? NodeKind::Dataset : NodeKind::Run;
            n.key = "n" + std::to_string(i);
            n.label = n.key;
            g.addNode(n);
            if (i % 10 != 0)
                g.addEdge(i - i % 10, i, EdgeKind::Input, "training");
        }
        const VisibleGraph vg = wholeGraph(g);
        auto a = layoutGraph(vg);
        QVERIFY(a.ok());
        QVERIFY(a->fast);
        QVERIFY(a->nodes[0].centre.x < a->nodes[1].centre.x);
        auto b = layoutGraph(vg);
        for (size_t i = 0; i < a->nodes.size(); ++i)
            QCOMPARE(a->nodes[i].centre, b->nodes[i].centre);
    }

    void demoWorkspace()
    {
        DemoOptions o;
        o.longRunSteps = 2000;
        o.sweepRuns = 12;
        const std::string path = m_dir.filePath(QStringLiteral("demo.sqlite")).toStdString();
        QVERIFY(writeDemoWorkspace(path, o).ok());
        auto s = Store::open(path, Store::Mode::ReadOnly);
        QVERIFY(s.ok());
        const Graph g = buildGraph(**s);
        const int v1 = findDataset(g, "fraud-train@3b7e0a41");
        const int v2 = findDataset(g, "fraud-train@9f1c22ab");
        QVERIFY(v1 >= 0 && v2 >= 0);
        QCOMPARE(findDataset(g, "fraud-train"), v2);
        QVERIFY(g.node(v2).drift.has_value());
        QCOMPARE(g.node(v2).drift->state, std::string("drifted"));
        const QueryResult impact = downstream(g, v2);
        bool version = false;
        for (int n : impact.nodes)
            version |= g.node(n).kind == NodeKind::ModelVersion;
        QVERIFY(version);
        bool parent = false;
        for (const Node &n : g.nodes())
            parent |= n.isParentRun;
        QVERIFY(parent);
        const auto aliases = affectedAliases(g, downstream(g, findDataset(g, "fraud-eval")));
        QVERIFY(std::find(aliases.begin(), aliases.end(), "fraud-classifier@champion")
                != aliases.end());
    }
};

QTEST_GUILESS_MAIN(TestLineage)
#include "tst_lineage.moc"
