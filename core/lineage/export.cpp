// SPDX-License-Identifier: GPL-3.0-or-later
#include "lineage/export.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <sstream>

namespace sightline::lineage {

namespace {

std::string dotQuote(const std::string &s)
{
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\')
            out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    return out + "\"";
}

std::string xml(const std::string &s)
{
    std::string out;
    for (char c : s) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        default: out += c;
        }
    }
    return out;
}

std::string num(double v)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", v);
    return buf;
}

const Node *graphNode(const Graph &graph, const VisibleNode &v)
{
    return v.graphNode >= 0 ? &graph.node(v.graphNode) : nullptr;
}

const char *fillOf(NodeKind kind)
{
    switch (kind) {
    case NodeKind::Dataset: return "#e3f2fd";
    case NodeKind::Run: return "#f1f8e9";
    case NodeKind::ModelVersion: return "#fff3e0";
    case NodeKind::Model: return "#fbe9e7";
    case NodeKind::Alias: return "#ede7f6";
    case NodeKind::Stage: return "#eceff1";
    case NodeKind::Cluster: return "#f5f5f5";
    }
    return "#ffffff";
}

} // namespace

std::string toDot(const Graph &graph, const VisibleGraph &visible)
{
    std::ostringstream o;
    o << "digraph lineage {\n  rankdir=LR;\n  node [shape=box];\n";
    for (const VisibleNode &v : visible.nodes) {
        o << "  " << dotQuote(v.key) << " [label=" << dotQuote(v.label)
          << ", kind=" << dotQuote(nodeKindName(v.kind));
        if (v.kind == NodeKind::Cluster)
            o << ", count=" << v.count << ", members_kind=" << dotQuote(nodeKindName(v.memberKind));
        if (const Node *n = graphNode(graph, v)) {
            for (const auto &[k, value] : n->attributes)
                if (!value.empty() && k != "schema" && k != "source")
                    o << ", " << dotQuote(k) << "=" << dotQuote(value);
            if (n->drift)
                o << ", drift=" << dotQuote(n->drift->state)
                  << ", drift_share=" << dotQuote(num(n->drift->driftShare));
            if (n->missing)
                o << ", missing=\"true\"";
        }
        o << "];\n";
    }
    for (const VisibleEdge &e : visible.edges) {
        o << "  " << dotQuote(visible.nodes[static_cast<size_t>(e.from)].key) << " -> "
          << dotQuote(visible.nodes[static_cast<size_t>(e.to)].key)
          << " [kind=" << dotQuote(edgeKindName(e.kind));
        if (!e.label.empty())
            o << ", label=" << dotQuote(e.label);
        if (e.kind == EdgeKind::NextVersion)
            o << ", style=dashed";
        o << "];\n";
    }
    o << "}\n";
    return o.str();
}

std::string toJson(const Graph &graph, const VisibleGraph &visible, const std::string &focusKey)
{
    nlohmann::json nodes = nlohmann::json::array();
    for (const VisibleNode &v : visible.nodes) {
        nlohmann::json j = {{"key", v.key}, {"kind", nodeKindName(v.kind)}, {"label", v.label}};
        if (v.kind == NodeKind::Cluster) {
            j["count"] = v.count;
            j["members_kind"] = nodeKindName(v.memberKind);
            nlohmann::json members = nlohmann::json::array();
            for (int m : v.members)
                members.push_back(graph.node(m).key);
            j["members"] = std::move(members);
        }
        if (const Node *n = graphNode(graph, v)) {
            j["attributes"] = n->attributes;
            if (n->missing)
                j["missing"] = true;
            if (n->kind == NodeKind::Run)
                j["parent_run"] = n->isParentRun;
            if (n->drift) {
                nlohmann::json d = {{"state", n->drift->state},
                                    {"drift_share", n->drift->driftShare},
                                    {"time_ms", n->drift->timeMs}};
                auto summary = nlohmann::json::parse(n->drift->summaryJson, nullptr, false);
                if (!summary.is_discarded())
                    d["summary"] = std::move(summary);
                j["drift"] = std::move(d);
            }
        }
        nodes.push_back(std::move(j));
    }
    nlohmann::json edges = nlohmann::json::array();
    for (const VisibleEdge &e : visible.edges) {
        nlohmann::json j = {{"from", visible.nodes[static_cast<size_t>(e.from)].key},
                            {"to", visible.nodes[static_cast<size_t>(e.to)].key},
                            {"kind", edgeKindName(e.kind)}};
        if (!e.label.empty())
            j["label"] = e.label;
        edges.push_back(std::move(j));
    }
    nlohmann::json root = {{"nodes", std::move(nodes)}, {"edges", std::move(edges)}};
    if (!focusKey.empty())
        root["focus"] = focusKey;
    return root.dump(2) + "\n";
}

std::string toSvg(const Graph &graph, const VisibleGraph &visible, const Layout &layout,
                  const std::string &focusKey)
{
    const double pad = 16.0;
    const double x0 = layout.origin.x - pad, y0 = layout.origin.y - pad;
    const double w = layout.width + 2 * pad, h = layout.height + 2 * pad;
    std::ostringstream o;
    o << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << num(w) << "\" height=\""
      << num(h) << "\" viewBox=\"" << num(x0) << " " << num(y0) << " " << num(w) << " "
      << num(h) << "\" font-family=\"DejaVu Sans, sans-serif\" font-size=\"10\">\n"
      << "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" "
         "markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" "
         "fill=\"#607d8b\"/></marker></defs>\n"
      << "<rect x=\"" << num(x0) << "\" y=\"" << num(y0) << "\" width=\"" << num(w)
      << "\" height=\"" << num(h) << "\" fill=\"#ffffff\"/>\n<g class=\"edges\">\n";
    for (size_t i = 0; i < layout.edges.size() && i < visible.edges.size(); ++i) {
        const EdgeGeometry &eg = layout.edges[i];
        const VisibleEdge &e = visible.edges[i];
        if (eg.points.empty())
            continue;
        o << "<path d=\"M" << num(eg.points[0].x) << "," << num(eg.points[0].y);
        for (size_t k = 1; k + 2 < eg.points.size(); k += 3)
            o << " C" << num(eg.points[k].x) << "," << num(eg.points[k].y) << " "
              << num(eg.points[k + 1].x) << "," << num(eg.points[k + 1].y) << " "
              << num(eg.points[k + 2].x) << "," << num(eg.points[k + 2].y);
        o << "\" fill=\"none\" stroke=\"#607d8b\" marker-end=\"url(#arrow)\""
          << (e.kind == EdgeKind::NextVersion ? " stroke-dasharray=\"5,3\"" : "") << "/>\n";
        if (!e.label.empty())
            o << "<text x=\"" << num(eg.labelPos.x) << "\" y=\"" << num(eg.labelPos.y - 3)
              << "\" text-anchor=\"middle\" fill=\"#455a64\" font-size=\"9\">" << xml(e.label)
              << "</text>\n";
    }
    o << "</g>\n<g class=\"nodes\">\n";
    for (size_t i = 0; i < layout.nodes.size() && i < visible.nodes.size(); ++i) {
        const NodeGeometry &n = layout.nodes[i];
        const VisibleNode &v = visible.nodes[i];
        const Node *gn = graphNode(graph, v);
        o << "<g class=\"" << nodeKindName(v.kind) << "\"><title>" << xml(v.key) << "</title>"
          << "<rect x=\"" << num(n.centre.x - n.width / 2) << "\" y=\""
          << num(n.centre.y - n.height / 2) << "\" width=\"" << num(n.width) << "\" height=\""
          << num(n.height) << "\" rx=\"6\" fill=\"" << fillOf(v.kind) << "\" stroke=\""
          << (v.key == focusKey ? "#1565c0" : "#90a4ae") << "\" stroke-width=\""
          << (v.key == focusKey ? "2.5" : "1") << "\""
          << (gn && gn->missing ? " stroke-dasharray=\"3,2\"" : "") << "/>"
          << "<text x=\"" << num(n.centre.x) << "\" y=\"" << num(n.centre.y + 3.5)
          << "\" text-anchor=\"middle\">" << xml(v.label) << "</text>";
        if (gn && gn->drift) {
            const bool drifted = gn->drift->state == "drifted";
            o << "<circle class=\"drift\" cx=\"" << num(n.centre.x + n.width / 2 - 4) << "\" cy=\""
              << num(n.centre.y - n.height / 2 + 4) << "\" r=\"6\" fill=\""
              << (drifted ? "#e53935" : "#43a047") << "\"><title>drift "
              << xml(gn->drift->state) << ", share " << num(gn->drift->driftShare)
              << "</title></circle>";
        }
        o << "</g>\n";
    }
    o << "</g>\n</svg>\n";
    return o.str();
}

} // namespace sightline::lineage
