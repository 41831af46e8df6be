// SPDX-License-Identifier: GPL-3.0-or-later
#include "lineage/graph.h"

#include <algorithm>
#include <deque>
#include <tuple>

namespace sightline::lineage {

const char *nodeKindName(NodeKind kind)
{
    switch (kind) {
    case NodeKind::Dataset: return "dataset";
    case NodeKind::Run: return "run";
    case NodeKind::ModelVersion: return "version";
    case NodeKind::Model: return "model";
    case NodeKind::Alias: return "alias";
    case NodeKind::Stage: return "stage";
    case NodeKind::Cluster: return "cluster";
    }
    return "node";
}

const char *edgeKindName(EdgeKind kind)
{
    switch (kind) {
    case EdgeKind::Input: return "input";
    case EdgeKind::ParentChild: return "parent";
    case EdgeKind::Produced: return "produced";
    case EdgeKind::VersionOf: return "version_of";
    case EdgeKind::AliasOf: return "alias";
    case EdgeKind::InStage: return "stage";
    case EdgeKind::NextVersion: return "next_version";
    }
    return "edge";
}

std::optional<NodeKind> parseNodeKind(const std::string &name)
{
    for (NodeKind k : {NodeKind::Dataset, NodeKind::Run, NodeKind::ModelVersion, NodeKind::Model,
                       NodeKind::Alias, NodeKind::Stage, NodeKind::Cluster})
        if (name == nodeKindName(k))
            return k;
    return std::nullopt;
}

int Graph::addNode(Node node)
{
    auto it = m_index.find(node.key);
    if (it != m_index.end())
        return it->second;
    const int index = static_cast<int>(m_nodes.size());
    m_index.emplace(node.key, index);
    m_nodes.push_back(std::move(node));
    m_out.emplace_back();
    m_in.emplace_back();
    return index;
}

void Graph::addEdge(int from, int to, EdgeKind kind, std::string label)
{
    if (from == to)
        return;
    if (!m_edgeSet.emplace(from, to, static_cast<int>(kind), label).second)
        return;
    const int index = static_cast<int>(m_edges.size());
    m_edges.push_back({from, to, kind, std::move(label)});
    m_out[static_cast<size_t>(from)].push_back(index);
    m_in[static_cast<size_t>(to)].push_back(index);
}

int Graph::find(const std::string &key) const
{
    auto it = m_index.find(key);
    return it == m_index.end() ? -1 : it->second;
}

std::string datasetKey(const std::string &name, const std::string &digest)
{
    return "dataset:" + name + "@" + digest;
}

std::string runKey(const std::string &runId) { return "run:" + runId; }

std::string versionKey(const std::string &model, const std::string &version)
{
    return "version:" + model + "/" + version;
}

namespace {

std::string shortId(const std::string &id) { return id.size() > 8 ? id.substr(0, 8) : id; }

int addRunNode(Graph &g, const Run &run)
{
    Node n;
    n.kind = NodeKind::Run;
    n.key = runKey(run.runId);
    n.label = run.runName.empty() ? shortId(run.runId) : run.runName;
    n.timeMs = run.startTime;
    n.attributes = {{"run_id", run.runId},
                    {"experiment_id", run.experimentId},
                    {"status", run.status},
                    {"user", run.userId}};
    if (!run.runName.empty())
        n.attributes["name"] = run.runName;
    return g.addNode(std::move(n));
}

int runNodeFor(Graph &g, const std::string &runId)
{
    if (int i = g.find(runKey(runId)); i >= 0)
        return i;
    Node n;
    n.kind = NodeKind::Run;
    n.key = runKey(runId);
    n.label = shortId(runId);
    n.missing = true;
    n.attributes = {{"run_id", runId}};
    return g.addNode(std::move(n));
}

} // namespace

Graph buildGraph(const Store &store)
{
    Graph g;
    std::vector<RunRecord> records = store.runRecords();
    std::sort(records.begin(), records.end(), [](const RunRecord &a, const RunRecord &b) {
        return std::tie(a.run.startTime, a.run.runId) < std::tie(b.run.startTime, b.run.runId);
    });
    for (const RunRecord &r : records)
        addRunNode(g, r.run);

    // Datasets: one node per (name, digest), first used by the earliest run that read it.
    for (const RunRecord &r : records) {
        const int run = g.find(runKey(r.run.runId));
        for (const DatasetInput &in : r.run.inputs) {
            const std::string key = datasetKey(in.name, in.digest);
            int d = g.find(key);
            if (d < 0) {
                Node n;
                n.kind = NodeKind::Dataset;
                n.key = key;
                n.label = in.name + "@" + shortId(in.digest);
                n.timeMs = r.run.startTime;
                n.attributes = {{"name", in.name},
                                {"digest", in.digest},
                                {"source_type", in.sourceType},
                                {"source", in.source},
                                {"schema", in.schema}};
                d = g.addNode(std::move(n));
            }
            g.addEdge(d, run, EdgeKind::Input, in.context);
        }
    }

    // Parent and child runs: MLflow links them only by the child's tag mlflow.parentRunId.
    for (const RunRecord &r : records) {
        const std::string parent = r.run.parentRunId();
        if (parent.empty())
            continue;
        const int p = runNodeFor(g, parent);
        g.node(p).isParentRun = true;
        g.addEdge(p, g.find(runKey(r.run.runId)), EdgeKind::ParentChild);
    }

    // The registry: versions point at the run that made them; aliases and stages at versions.
    std::vector<RegisteredModel> models = store.registeredModels();
    std::sort(models.begin(), models.end(),
              [](const RegisteredModel &a, const RegisteredModel &b) { return a.name < b.name; });
    for (const RegisteredModel &m : models) {
        Node mn;
        mn.kind = NodeKind::Model;
        mn.key = "model:" + m.name;
        mn.label = m.name;
        mn.timeMs = m.creationTimestamp;
        mn.attributes = {{"name", m.name}};
        const int model = g.addNode(std::move(mn));
        std::vector<ModelVersion> versions = store.modelVersions(m.name);
        std::sort(versions.begin(), versions.end(),
                  [](const ModelVersion &a, const ModelVersion &b) {
                      return std::make_tuple(a.version.size(), a.version)
                             < std::make_tuple(b.version.size(), b.version);
                  });
        std::map<std::string, std::string> aliasOf; // alias -> version
        for (const ModelAlias &a : m.aliases)
            aliasOf[a.alias] = a.version;
        for (const ModelVersion &v : versions) {
            for (const std::string &a : v.aliases)
                aliasOf.emplace(a, v.version);
            Node vn;
            vn.kind = NodeKind::ModelVersion;
            vn.key = versionKey(m.name, v.version);
            vn.label = m.name + " v" + v.version;
            vn.timeMs = v.creationTimestamp;
            vn.attributes = {{"model", m.name},  {"version", v.version},
                             {"stage", v.currentStage}, {"status", v.status},
                             {"run_id", v.runId}, {"source", v.source}};
            const int version = g.addNode(std::move(vn));
            g.addEdge(version, model, EdgeKind::VersionOf);
            if (!v.runId.empty())
                g.addEdge(runNodeFor(g, v.runId), version, EdgeKind::Produced);
            if (!v.currentStage.empty() && v.currentStage != "None") {
                Node sn;
                sn.kind = NodeKind::Stage;
                sn.key = "stage:" + m.name + "/" + v.currentStage;
                sn.label = v.currentStage;
                sn.attributes = {{"model", m.name}, {"stage", v.currentStage}};
                g.addEdge(version, g.addNode(std::move(sn)), EdgeKind::InStage);
            }
        }
        for (const auto &[alias, version] : aliasOf) {
            const int vi = g.find(versionKey(m.name, version));
            if (vi < 0)
                continue;
            Node an;
            an.kind = NodeKind::Alias;
            an.key = "alias:" + m.name + "@" + alias;
            an.label = "@" + alias;
            an.attributes = {{"model", m.name}, {"alias", alias}, {"version", version}};
            g.addEdge(vi, g.addNode(std::move(an)), EdgeKind::AliasOf);
        }
    }

    // Versions of a dataset: the same name with another digest, in order of first use.
    std::map<std::string, std::vector<int>> byName;
    for (int i = 0; i < static_cast<int>(g.size()); ++i)
        if (g.node(i).kind == NodeKind::Dataset)
            byName[g.node(i).attributes["name"]].push_back(i);
    for (auto &[name, list] : byName) {
        std::sort(list.begin(), list.end(), [&](int a, int b) {
            return std::tie(g.node(a).timeMs, g.node(a).key)
                   < std::tie(g.node(b).timeMs, g.node(b).key);
        });
        for (size_t k = 0; k < list.size(); ++k) {
            g.node(list[k]).attributes["version"] = std::to_string(k + 1);
            if (k > 0)
                g.addEdge(list[k - 1], list[k], EdgeKind::NextVersion, "next version");
        }
    }

    // Drift badges: each dataset's latest result (oldest first, so later ones win). A result
    // recorded without a digest belongs to the newest version of the dataset.
    for (DriftResult &r : store.driftResults()) {
        const int d = r.digest.empty() ? findDataset(g, r.dataset)
                                       : g.find(datasetKey(r.dataset, r.digest));
        if (d >= 0)
            g.node(d).drift = std::move(r);
    }
    return g;
}

int findDataset(const Graph &graph, const std::string &nameAtDigest)
{
    const auto at = nameAtDigest.rfind('@');
    if (at != std::string::npos)
        return graph.find(datasetKey(nameAtDigest.substr(0, at), nameAtDigest.substr(at + 1)));
    int best = -1;
    for (int i = 0; i < static_cast<int>(graph.size()); ++i) {
        const Node &n = graph.node(i);
        if (n.kind != NodeKind::Dataset)
            continue;
        auto it = n.attributes.find("name");
        if (it == n.attributes.end() || it->second != nameAtDigest)
            continue;
        if (best < 0
            || std::stoi(n.attributes.at("version"))
                   > std::stoi(graph.node(best).attributes.at("version")))
            best = i;
    }
    return best;
}

namespace {

// Breadth-first walk from `start`, against (up) or along the edges, `limit` hops (-1: no limit).
std::vector<std::pair<int, int>> walk(const Graph &g, int start, bool up, int limit,
                                      bool followNextVersion)
{
    std::vector<int> dist(g.size(), -1);
    std::vector<std::pair<int, int>> out;
    std::deque<int> queue{start};
    dist[static_cast<size_t>(start)] = 0;
    while (!queue.empty()) {
        const int n = queue.front();
        queue.pop_front();
        out.emplace_back(n, dist[static_cast<size_t>(n)]);
        if (limit >= 0 && dist[static_cast<size_t>(n)] >= limit)
            continue;
        for (int e : up ? g.inEdges(n) : g.outEdges(n)) {
            const Edge &edge = g.edges()[static_cast<size_t>(e)];
            if (!followNextVersion && edge.kind == EdgeKind::NextVersion)
                continue;
            const int m = up ? edge.from : edge.to;
            if (dist[static_cast<size_t>(m)] >= 0)
                continue;
            dist[static_cast<size_t>(m)] = dist[static_cast<size_t>(n)] + 1;
            queue.push_back(m);
        }
    }
    return out;
}

QueryResult closure(const Graph &g, int start, bool up)
{
    QueryResult r;
    if (start < 0 || start >= static_cast<int>(g.size()))
        return r;
    for (auto [n, d] : walk(g, start, up, -1, false)) {
        r.nodes.push_back(n);
        r.listed.push_back({n, d});
    }
    std::sort(r.nodes.begin(), r.nodes.end());
    std::sort(r.listed.begin(), r.listed.end(), [&](const ListedNode &a, const ListedNode &b) {
        const Node &x = g.node(a.node);
        const Node &y = g.node(b.node);
        return std::make_tuple(a.distance, static_cast<int>(x.kind), x.label, x.key)
               < std::make_tuple(b.distance, static_cast<int>(y.kind), y.label, y.key);
    });
    return r;
}

} // namespace

std::vector<int> neighbourhood(const Graph &graph, int focus, int up, int down)
{
    if (focus < 0 || focus >= static_cast<int>(graph.size()))
        return {};
    std::set<int> s;
    for (auto [n, d] : walk(graph, focus, true, std::max(0, up), true))
        s.insert(n);
    for (auto [n, d] : walk(graph, focus, false, std::max(0, down), true))
        s.insert(n);
    return {s.begin(), s.end()};
}

QueryResult upstream(const Graph &graph, int start) { return closure(graph, start, true); }

QueryResult downstream(const Graph &graph, int start) { return closure(graph, start, false); }

std::vector<std::string> affectedAliases(const Graph &graph, const QueryResult &result)
{
    std::vector<std::string> out;
    for (int n : result.nodes) {
        const Node &node = graph.node(n);
        if (node.kind == NodeKind::Alias)
            out.push_back(node.attributes.at("model") + "@" + node.attributes.at("alias"));
    }
    std::sort(out.begin(), out.end());
    return out;
}

int VisibleGraph::find(const std::string &key) const
{
    for (size_t i = 0; i < nodes.size(); ++i)
        if (nodes[i].key == key)
            return static_cast<int>(i);
    return -1;
}

namespace {

std::string plural(NodeKind kind, int count)
{
    switch (kind) {
    case NodeKind::Dataset: return std::to_string(count) + " datasets";
    case NodeKind::Run: return std::to_string(count) + " runs";
    case NodeKind::ModelVersion: return std::to_string(count) + " versions";
    case NodeKind::Model: return std::to_string(count) + " models";
    case NodeKind::Alias: return std::to_string(count) + " aliases";
    case NodeKind::Stage: return std::to_string(count) + " stages";
    case NodeKind::Cluster: break;
    }
    return std::to_string(count) + " nodes";
}

} // namespace

VisibleGraph visibleSubgraph(const Graph &graph, const std::vector<int> &nodes,
                             const std::set<std::string> &expanded, int keep, int clusterMin)
{
    std::vector<int> sorted = nodes;
    std::sort(sorted.begin(), sorted.end());
    sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
    std::vector<char> in(graph.size(), 0);
    for (int n : sorted)
        in[static_cast<size_t>(n)] = 1;

    // Which cluster (index into `clusters`) each graph node went into, -1 for none.
    std::vector<int> clusterOf(graph.size(), -1);
    struct Cluster {
        std::string key;
        NodeKind memberKind;
        std::vector<int> members;
    };
    std::vector<Cluster> clusters;
    if (clusterMin > 0) {
        for (int p : sorted) {
            // Siblings under p: same edge kind, same edge label, same node kind.
            std::map<std::tuple<int, std::string, int>, std::vector<int>> groups;
            for (int e : graph.outEdges(p)) {
                const Edge &edge = graph.edges()[static_cast<size_t>(e)];
                const int c = edge.to;
                if (!in[static_cast<size_t>(c)] || c == keep || clusterOf[static_cast<size_t>(c)] >= 0)
                    continue;
                groups[{static_cast<int>(edge.kind), edge.label,
                        static_cast<int>(graph.node(c).kind)}]
                    .push_back(c);
            }
            for (auto &[group, members] : groups) {
                std::sort(members.begin(), members.end());
                members.erase(std::unique(members.begin(), members.end()), members.end());
                if (static_cast<int>(members.size()) < clusterMin)
                    continue;
                const auto &[kind, label, memberKind] = group;
                std::string key = "cluster:" + graph.node(p).key + "/"
                                  + edgeKindName(static_cast<EdgeKind>(kind))
                                  + (label.empty() ? std::string() : ":" + label) + "/"
                                  + nodeKindName(static_cast<NodeKind>(memberKind));
                if (expanded.count(key))
                    continue;
                // A node may have been taken by an earlier group of the same parent.
                std::vector<int> free;
                for (int m : members)
                    if (clusterOf[static_cast<size_t>(m)] < 0)
                        free.push_back(m);
                if (static_cast<int>(free.size()) < clusterMin)
                    continue;
                for (int m : free)
                    clusterOf[static_cast<size_t>(m)] = static_cast<int>(clusters.size());
                clusters.push_back({std::move(key), static_cast<NodeKind>(memberKind),
                                    std::move(free)});
            }
        }
    }

    VisibleGraph vg;
    std::vector<int> visibleOf(graph.size(), -1);
    std::vector<int> clusterVisible(clusters.size(), -1);
    for (int n : sorted) {
        const int c = clusterOf[static_cast<size_t>(n)];
        if (c >= 0) {
            if (clusterVisible[static_cast<size_t>(c)] < 0) {
                const Cluster &cl = clusters[static_cast<size_t>(c)];
                VisibleNode v;
                v.key = cl.key;
                v.kind = NodeKind::Cluster;
                v.memberKind = cl.memberKind;
                v.count = static_cast<int>(cl.members.size());
                v.label = plural(cl.memberKind, v.count);
                v.members = cl.members;
                clusterVisible[static_cast<size_t>(c)] = static_cast<int>(vg.nodes.size());
                vg.nodes.push_back(std::move(v));
            }
            visibleOf[static_cast<size_t>(n)] = clusterVisible[static_cast<size_t>(c)];
            continue;
        }
        const Node &node = graph.node(n);
        VisibleNode v;
        v.key = node.key;
        v.kind = node.kind;
        v.label = node.label;
        v.graphNode = n;
        visibleOf[static_cast<size_t>(n)] = static_cast<int>(vg.nodes.size());
        vg.nodes.push_back(std::move(v));
    }

    std::set<std::tuple<int, int, int, std::string>> seen;
    for (const Edge &e : graph.edges()) {
        const int f = visibleOf[static_cast<size_t>(e.from)];
        const int t = visibleOf[static_cast<size_t>(e.to)];
        if (f < 0 || t < 0 || f == t)
            continue;
        if (!seen.emplace(f, t, static_cast<int>(e.kind), e.label).second)
            continue;
        vg.edges.push_back({f, t, e.kind, e.label});
    }
    return vg;
}

View::View(const Graph &graph, int focus, int up, int down)
    : m_graph(graph), m_focus(focus), m_up(up), m_down(down)
{
}

bool View::expand(const std::string &key)
{
    if (key.rfind("cluster:", 0) != 0 && m_graph.find(key) < 0)
        return false;
    m_expanded.insert(key);
    return true;
}

bool View::collapse(const std::string &key) { return m_expanded.erase(key) > 0; }

std::vector<int> View::nodes() const
{
    std::set<int> s;
    for (int n : neighbourhood(m_graph, m_focus, m_up, m_down))
        s.insert(n);
    // Expanded nodes show their direct neighbours; an expanded node that becomes visible only
    // through another expansion counts too, so repeat until nothing changes.
    bool changed = true;
    while (changed) {
        changed = false;
        for (const std::string &key : m_expanded) {
            const int n = m_graph.find(key);
            if (n < 0 || !s.count(n))
                continue;
            for (int e : m_graph.outEdges(n))
                changed |= s.insert(m_graph.edges()[static_cast<size_t>(e)].to).second;
            for (int e : m_graph.inEdges(n))
                changed |= s.insert(m_graph.edges()[static_cast<size_t>(e)].from).second;
        }
    }
    return {s.begin(), s.end()};
}

VisibleGraph View::visible(int clusterMin) const
{
    return visibleSubgraph(m_graph, nodes(), m_expanded, m_focus, clusterMin);
}

} // namespace sightline::lineage
