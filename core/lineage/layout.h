// SPDX-License-Identifier: GPL-3.0-or-later
// Graph layout for the lineage view: Graphviz dot as a pure function (a visible graph in, node
// boxes, edge Béziers, label positions and the bounding box out), and an incremental relayout
// for expand/collapse that keeps every node already on screen where it was. Coordinates are in
// points with y growing downwards. Calls into Graphviz are serialised (it is not thread-safe).
#pragma once

#include "lineage/graph.h"
#include "util/result.h"

#include <string>
#include <vector>

namespace sightline::lineage {

struct Point {
    double x = 0.0;
    double y = 0.0;
    bool operator==(const Point &) const = default;
};

struct NodeGeometry {
    std::string key;
    Point centre;
    double width = 0.0;
    double height = 0.0;
};

struct EdgeGeometry {
    int from = 0; // indices into the visible graph's nodes
    int to = 0;
    // A cubic Bézier chain: start, then three points (two controls and an end) per segment.
    std::vector<Point> points;
    Point labelPos; // where the edge's label goes (meaningful when the edge has one)
};

struct Layout {
    std::vector<NodeGeometry> nodes; // in the visible graph's node order
    std::vector<EdgeGeometry> edges; // in the visible graph's edge order
    Point origin; // top-left of the bounding box: (0, 0) after a full layout, may go negative
    double width = 0.0;  // after an incremental one
    double height = 0.0;
    bool fast = false; // the large-graph layout was used (no Graphviz, straight edges)
    int find(const std::string &key) const;
};

struct LayoutOptions {
    bool leftToRight = true;
    // From this many nodes on, dot is too slow to be interactive (seconds at 1,000 nodes, tens of
    // seconds at 5,000 whatever its iteration limits) and a built-in layered layout with the same
    // rank direction and straight edges is used instead.
    int largeGraphNodes = 1000;
    // From this many nodes on, dot runs with capped crossing minimisation and network simplex.
    int tunedGraphNodes = 300;
};

// The size a node is drawn at: wide enough for its label.
void nodeSize(const VisibleNode &node, double &width, double &height);

// Lays out the whole graph with dot (or the large-graph layout). Same input, same output.
Result<Layout> layoutGraph(const VisibleGraph &graph, const LayoutOptions &options = {});

// After expand or collapse: nodes that were in `previous` keep their positions exactly; new
// nodes are laid out by dot among their neighbours and placed next to them where they overlap
// nothing; edges between unmoved nodes keep their route. Falls back to a full layout when most of
// the graph is new.
Result<Layout> relayout(const VisibleGraph &graph, const VisibleGraph &previousGraph,
                        const Layout &previous, const LayoutOptions &options = {});

} // namespace sightline::lineage
