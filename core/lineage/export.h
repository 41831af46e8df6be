// SPDX-License-Identifier: GPL-3.0-or-later
// Exports of a visible lineage graph: Graphviz DOT (for people who want to restyle it), JSON (for
// scripts) and SVG drawn from a computed layout (no Graphviz renderer involved).
#pragma once

#include "lineage/graph.h"
#include "lineage/layout.h"

#include <string>

namespace sightline::lineage {

// DOT with each node's key as its id, its label, kind and attributes, and labelled edges.
std::string toDot(const Graph &graph, const VisibleGraph &visible);

// {"focus": KEY, "nodes": [...], "edges": [...]}: nodes with key, kind, label, attributes, drift
// (datasets with a result) and, for clusters, count and member keys; edges by node key.
std::string toJson(const Graph &graph, const VisibleGraph &visible, const std::string &focusKey = {});

// A self-contained SVG of the layout: boxes coloured by kind, drift badges, edge labels.
std::string toSvg(const Graph &graph, const VisibleGraph &visible, const Layout &layout,
                  const std::string &focusKey = {});

} // namespace sightline::lineage
