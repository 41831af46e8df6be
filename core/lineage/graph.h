// SPDX-License-Identifier: GPL-3.0-or-later
// The lineage graph: datasets (name + digest), runs, parent runs, model versions, registered
// models, aliases and stages, with the edges MLflow records between them. Built from the
// workspace cache; queried for a focus node's neighbourhood, a version's upstream closure and a
// dataset's downstream impact. Pure data and functions: no Qt, no Graphviz.
#pragma once

#include "store/store.h"

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace sightline::lineage {

enum class NodeKind { Dataset, Run, ModelVersion, Model, Alias, Stage, Cluster };

enum class EdgeKind {
    Input,       // dataset -> run; label is the input's context (training, evaluation, ...)
    ParentChild, // parent run -> child run (tag mlflow.parentRunId)
    Produced,    // run -> model version (ModelVersion.runId)
    VersionOf,   // model version -> registered model
    AliasOf,     // model version -> alias it holds
    InStage,     // model version -> its stage (Staging, Production, Archived)
    NextVersion, // dataset -> the same dataset with its next digest, by first use time
};

const char *nodeKindName(NodeKind kind);  // "dataset", "run", ...
const char *edgeKindName(EdgeKind kind);  // "input", "parent", ...
std::optional<NodeKind> parseNodeKind(const std::string &name);

struct Node {
    NodeKind kind = NodeKind::Run;
    // Unique and stable across rebuilds: "dataset:NAME@DIGEST", "run:ID", "version:MODEL/V",
    // "model:NAME", "alias:MODEL@ALIAS", "stage:MODEL/STAGE".
    std::string key;
    std::string label;
    std::map<std::string, std::string> attributes; // shown in the details and exported
    int64_t timeMs = 0; // first use (datasets), start (runs), creation (versions)
    bool isParentRun = false;
    bool missing = false; // named by another record but not in the cache (a run of another
                          // experiment, say)
    std::optional<DriftResult> drift; // datasets: their latest drift result
};

struct Edge {
    int from = 0;
    int to = 0;
    EdgeKind kind = EdgeKind::Input;
    std::string label;
};

class Graph {
public:
    int addNode(Node node); // returns the existing index when the key is known
    void addEdge(int from, int to, EdgeKind kind, std::string label = {});

    const std::vector<Node> &nodes() const { return m_nodes; }
    const std::vector<Edge> &edges() const { return m_edges; }
    const Node &node(int index) const { return m_nodes[static_cast<size_t>(index)]; }
    Node &node(int index) { return m_nodes[static_cast<size_t>(index)]; }
    int find(const std::string &key) const; // -1 when unknown
    size_t size() const { return m_nodes.size(); }

    // Edge indices leaving / entering a node, in insertion order.
    const std::vector<int> &outEdges(int node) const { return m_out[static_cast<size_t>(node)]; }
    const std::vector<int> &inEdges(int node) const { return m_in[static_cast<size_t>(node)]; }

private:
    std::vector<Node> m_nodes;
    std::vector<Edge> m_edges;
    std::vector<std::vector<int>> m_out;
    std::vector<std::vector<int>> m_in;
    std::map<std::string, int> m_index;
    std::set<std::tuple<int, int, int, std::string>> m_edgeSet;
};

// Builds the whole graph of the workspace, with each dataset's latest drift result.
Graph buildGraph(const Store &store);

// Node keys of the things a user names on the command line.
std::string datasetKey(const std::string &name, const std::string &digest);
std::string runKey(const std::string &runId);
std::string versionKey(const std::string &model, const std::string &version);
// The dataset node for NAME or NAME@DIGEST (the newest digest by first use when none is given).
int findDataset(const Graph &graph, const std::string &nameAtDigest);

// Node indices within `up` hops against the edges and `down` hops along them, focus included,
// sorted.
std::vector<int> neighbourhood(const Graph &graph, int focus, int up, int down);

// One line of a query's list: the node and how far it is from the start.
struct ListedNode {
    int node = 0;
    int distance = 0;
};

struct QueryResult {
    std::vector<int> nodes;         // sorted node indices, the start included
    std::vector<ListedNode> listed; // for display: by distance, then kind, then label
};

// "What trained this model version?": everything upstream (runs, parent runs, datasets).
QueryResult upstream(const Graph &graph, int start);
// "What depends on this dataset?": runs, child runs, model versions and the aliases and stages
// they hold. A dataset's next version is not its dependent, so NextVersion edges are not followed.
QueryResult downstream(const Graph &graph, int start);
// The aliases (such as champion) among a query's nodes: "model@alias".
std::vector<std::string> affectedAliases(const Graph &graph, const QueryResult &result);

// --- what is on screen ---

struct VisibleNode {
    // The graph's key, or "cluster:PARENTKEY/EDGEKIND[:LABEL]/MEMBERKIND" for a cluster.
    std::string key;
    NodeKind kind = NodeKind::Run;
    std::string label;
    int graphNode = -1;       // -1 for clusters
    int count = 1;            // clusters: how many members
    NodeKind memberKind = NodeKind::Run; // clusters: the kind of their members
    std::vector<int> members; // clusters: the graph nodes they stand for
};

struct VisibleEdge {
    int from = 0; // indices into VisibleGraph::nodes
    int to = 0;
    EdgeKind kind = EdgeKind::Input;
    std::string label;
};

struct VisibleGraph {
    std::vector<VisibleNode> nodes;
    std::vector<VisibleEdge> edges;
    int find(const std::string &key) const;
};

// The subgraph of `nodes` as drawn: groups of at least `clusterMin` visible siblings of the same
// kind under one parent (along one kind of edge with one label) become one cluster node, unless the
// cluster's key is in `expanded`. Edges to and from members are drawn to and from the cluster. `keep` (the focus) is never put in a cluster. clusterMin 0 turns clustering off.
VisibleGraph visibleSubgraph(const Graph &graph, const std::vector<int> &nodes,
                             const std::set<std::string> &expanded, int keep = -1,
                             int clusterMin = 5);

// A view of the graph around a focus: N hops up and down, with nodes expanded on demand (their
// neighbours shown too) and clusters opened or closed.
class View {
public:
    View(const Graph &graph, int focus, int up = 1, int down = 1);

    // Expands a cluster (by its key) or a node (shows its direct neighbours); false when unknown.
    bool expand(const std::string &key);
    // Collapses a cluster again, or hides the neighbours an expanded node added.
    bool collapse(const std::string &key);
    bool isExpanded(const std::string &key) const { return m_expanded.count(key) > 0; }

    std::vector<int> nodes() const;
    VisibleGraph visible(int clusterMin = 5) const;

private:
    const Graph &m_graph;
    int m_focus;
    int m_up;
    int m_down;
    std::set<std::string> m_expanded; // cluster keys and node keys
};

} // namespace sightline::lineage
