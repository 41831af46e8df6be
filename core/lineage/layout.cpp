// SPDX-License-Identifier: GPL-3.0-or-later
#include "lineage/layout.h"

#include <graphviz/gvc.h>
#include <graphviz/types.h>

#include <dlfcn.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <mutex>
#include <set>
#include <tuple>

namespace sightline::lineage {

int Layout::find(const std::string &key) const
{
    for (size_t i = 0; i < nodes.size(); ++i)
        if (nodes[i].key == key)
            return static_cast<int>(i);
    return -1;
}

void nodeSize(const VisibleNode &node, double &width, double &height)
{
    // About 7 points per character at the view's 10-point font, plus padding; clusters carry a
    // count badge, model versions and runs a second line in the view.
    const double chars = static_cast<double>(node.label.size());
    width = std::clamp(chars * 7.0 + 24.0, 72.0, 260.0);
    height = node.kind == NodeKind::Alias || node.kind == NodeKind::Stage ? 28.0 : 40.0;
}

namespace {

std::mutex g_graphvizMutex;

// The Graphviz context, with the dot layout plugin added from its shared object directly rather
// than found through the `dot -c` configuration file, which a fresh install may not have.
GVC_t *graphvizContext(std::string &error)
{
    static GVC_t *context = nullptr;
    static std::string contextError;
    static bool tried = false;
    if (tried) {
        error = contextError;
        return context;
    }
    tried = true;
    static const lt_symlist_t noBuiltins[] = {{nullptr, nullptr}};
    void *plugin = nullptr;
#ifdef SIGHTLINE_GV_DOT_PLUGIN
    plugin = dlopen(SIGHTLINE_GV_DOT_PLUGIN, RTLD_NOW | RTLD_LOCAL);
#endif
    if (!plugin)
        plugin = dlopen("libgvplugin_dot_layout.so.6", RTLD_NOW | RTLD_LOCAL);
    void *library = plugin ? dlsym(plugin, "gvplugin_dot_layout_LTX_library") : nullptr;
    if (library) {
        context = gvContextPlugins(noBuiltins, 0);
        if (context)
            gvAddLibrary(context, static_cast<gvplugin_library_t *>(library));
    } else {
        // Last resort: Graphviz's own plugin configuration.
        context = gvContext();
    }
    if (!context)
        contextError = "Graphviz could not be initialised.";
    error = contextError;
    return context;
}

char *cs(const char *s) { return const_cast<char *>(s); }

std::string inches(double points)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4f", points / 72.0);
    return buf;
}

Point clipToBox(Point centre, double w, double h, Point towards)
{
    const double dx = towards.x - centre.x;
    const double dy = towards.y - centre.y;
    if (dx == 0.0 && dy == 0.0)
        return centre;
    const double sx = dx != 0.0 ? (w / 2.0) / std::abs(dx) : 1e300;
    const double sy = dy != 0.0 ? (h / 2.0) / std::abs(dy) : 1e300;
    const double s = std::min({sx, sy, 1.0});
    return {centre.x + dx * s, centre.y + dy * s};
}

// A straight edge as one Bézier segment, from box boundary to box boundary.
std::vector<Point> straightEdge(const NodeGeometry &a, const NodeGeometry &b)
{
    const Point p0 = clipToBox(a.centre, a.width, a.height, b.centre);
    const Point p3 = clipToBox(b.centre, b.width, b.height, a.centre);
    return {p0,
            {p0.x + (p3.x - p0.x) / 3.0, p0.y + (p3.y - p0.y) / 3.0},
            {p0.x + 2.0 * (p3.x - p0.x) / 3.0, p0.y + 2.0 * (p3.y - p0.y) / 3.0},
            p3};
}

Point bezierMiddle(const std::vector<Point> &p)
{
    if (p.empty())
        return {};
    const size_t segments = (p.size() - 1) / 3;
    if (segments == 0)
        return p.front();
    if (segments % 2 == 0)
        return p[3 * (segments / 2)];
    const size_t s = 3 * (segments / 2);
    // The middle segment at t = 1/2.
    return {(p[s].x + 3.0 * p[s + 1].x + 3.0 * p[s + 2].x + p[s + 3].x) / 8.0,
            (p[s].y + 3.0 * p[s + 1].y + 3.0 * p[s + 2].y + p[s + 3].y) / 8.0};
}

// Graphs too big for dot to lay out interactively: its network simplex and crossing
// minimisation take 15-45 s on 5,000 nodes and 10,000 edges whatever nslimit, mclimit and
// searchsize say (measured with Graphviz 2.42). This is the same layered scheme, cut down: ranks by
// longest path, a few barycentre sweeps to order each rank, packed coordinates, straight edges.
void layeredLayout(const VisibleGraph &vg, const LayoutOptions &options, Layout &out)
{
    const size_t n = vg.nodes.size();
    out.fast = true;
    std::vector<std::vector<int>> succ(n), pred(n);
    for (const VisibleEdge &e : vg.edges) {
        succ[static_cast<size_t>(e.from)].push_back(e.to);
        pred[static_cast<size_t>(e.to)].push_back(e.from);
    }
    // Ranks: longest path from the sources, in Kahn order; nodes on cycles are taken in index
    // order when nothing else is ready.
    std::vector<int> rank(n, 0), indeg(n, 0);
    for (size_t i = 0; i < n; ++i)
        indeg[i] = static_cast<int>(pred[i].size());
    std::vector<char> done(n, 0);
    std::vector<int> ready;
    for (size_t i = n; i-- > 0;)
        if (indeg[i] == 0)
            ready.push_back(static_cast<int>(i));
    size_t next = 0, processed = 0;
    while (processed < n) {
        if (ready.empty()) {
            while (done[next])
                ++next;
            ready.push_back(static_cast<int>(next));
        }
        const int v = ready.back();
        ready.pop_back();
        if (done[static_cast<size_t>(v)])
            continue;
        done[static_cast<size_t>(v)] = 1;
        ++processed;
        for (int w : succ[static_cast<size_t>(v)]) {
            if (done[static_cast<size_t>(w)])
                continue;
            rank[static_cast<size_t>(w)] =
                std::max(rank[static_cast<size_t>(w)], rank[static_cast<size_t>(v)] + 1);
            if (--indeg[static_cast<size_t>(w)] == 0)
                ready.push_back(w);
        }
    }
    const int ranks = 1 + *std::max_element(rank.begin(), rank.end());
    std::vector<std::vector<int>> layers(static_cast<size_t>(ranks));
    for (size_t i = 0; i < n; ++i)
        layers[static_cast<size_t>(rank[i])].push_back(static_cast<int>(i));
    // Order: barycentres of the neighbours' relative positions, sweeping down then up.
    std::vector<double> pos(n, 0.0);
    auto number = [&](const std::vector<int> &layer) {
        for (size_t k = 0; k < layer.size(); ++k)
            pos[static_cast<size_t>(layer[k])] =
                layer.size() > 1 ? static_cast<double>(k) / static_cast<double>(layer.size() - 1)
                                 : 0.5;
    };
    for (const auto &layer : layers)
        number(layer);
    std::vector<double> key(n, 0.0);
    for (int sweep = 0; sweep < 4; ++sweep) {
        const bool down = sweep % 2 == 0;
        for (int r = down ? 1 : ranks - 2; down ? r < ranks : r >= 0; r += down ? 1 : -1) {
            auto &layer = layers[static_cast<size_t>(r)];
            for (int v : layer) {
                const auto &nb = down ? pred[static_cast<size_t>(v)] : succ[static_cast<size_t>(v)];
                double sum = 0.0;
                for (int w : nb)
                    sum += pos[static_cast<size_t>(w)];
                key[static_cast<size_t>(v)] =
                    nb.empty() ? pos[static_cast<size_t>(v)] : sum / static_cast<double>(nb.size());
            }
            std::stable_sort(layer.begin(), layer.end(), [&](int a, int b) {
                return key[static_cast<size_t>(a)] < key[static_cast<size_t>(b)];
            });
            number(layer);
        }
    }
    // Coordinates: ranks side by side (left to right) or stacked, each rank centred.
    const double rankSep = 43.0, nodeSep = 18.0;
    const bool lr = options.leftToRight;
    std::vector<double> depth(static_cast<size_t>(ranks), 0.0), extent(static_cast<size_t>(ranks), 0.0);
    double longest = 0.0;
    for (int r = 0; r < ranks; ++r) {
        for (int v : layers[static_cast<size_t>(r)]) {
            const NodeGeometry &g = out.nodes[static_cast<size_t>(v)];
            depth[static_cast<size_t>(r)] = std::max(depth[static_cast<size_t>(r)], lr ? g.width : g.height);
            extent[static_cast<size_t>(r)] += (lr ? g.height : g.width) + nodeSep;
        }
        longest = std::max(longest, extent[static_cast<size_t>(r)]);
    }
    double along = 0.0;
    for (int r = 0; r < ranks; ++r) {
        double across = (longest - extent[static_cast<size_t>(r)]) / 2.0 + nodeSep / 2.0;
        const double mid = along + depth[static_cast<size_t>(r)] / 2.0;
        for (int v : layers[static_cast<size_t>(r)]) {
            NodeGeometry &g = out.nodes[static_cast<size_t>(v)];
            const double size = lr ? g.height : g.width;
            g.centre = lr ? Point{mid, across + size / 2.0} : Point{across + size / 2.0, mid};
            across += size + nodeSep;
        }
        along += depth[static_cast<size_t>(r)] + rankSep;
    }
    out.width = lr ? along - rankSep : longest;
    out.height = lr ? longest : along - rankSep;
    for (EdgeGeometry &eg : out.edges) {
        eg.points = straightEdge(out.nodes[static_cast<size_t>(eg.from)],
                                 out.nodes[static_cast<size_t>(eg.to)]);
        eg.labelPos = bezierMiddle(eg.points);
    }
}

// One dot run under the lock (or the layered layout above for big graphs).
Result<Layout> runDot(const VisibleGraph &vg, const LayoutOptions &options)
{
    Layout out;
    out.nodes.resize(vg.nodes.size());
    out.edges.resize(vg.edges.size());
    for (size_t i = 0; i < vg.nodes.size(); ++i) {
        out.nodes[i].key = vg.nodes[i].key;
        nodeSize(vg.nodes[i], out.nodes[i].width, out.nodes[i].height);
    }
    for (size_t i = 0; i < vg.edges.size(); ++i) {
        out.edges[i].from = vg.edges[i].from;
        out.edges[i].to = vg.edges[i].to;
    }
    if (vg.nodes.empty())
        return out;
    if (static_cast<int>(vg.nodes.size()) >= options.largeGraphNodes) {
        layeredLayout(vg, options, out);
        return out;
    }

    std::lock_guard<std::mutex> lock(g_graphvizMutex);
    std::string error;
    GVC_t *gvc = graphvizContext(error);
    if (!gvc)
        return makeError("layout", error);

    Agraph_t *g = agopen(cs("lineage"), Agdirected, nullptr);
    agattr(g, AGRAPH, cs("rankdir"), cs(options.leftToRight ? "LR" : "TB"));
    agattr(g, AGRAPH, cs("nodesep"), cs("0.25"));
    // Edge labels (input contexts, "next version") are drawn between the ranks: leave room.
    const bool labelled = std::any_of(vg.edges.begin(), vg.edges.end(),
                                      [](const VisibleEdge &e) { return !e.label.empty(); });
    agattr(g, AGRAPH, cs("ranksep"), cs(labelled ? "1.1" : "0.6"));
    agattr(g, AGRAPH, cs("ordering"), cs(""));
    if (static_cast<int>(vg.nodes.size()) >= options.tunedGraphNodes) {
        // A shorter search for fewer crossings and a capped network simplex: on 1,000 nodes and
        // 2,000 edges, crossing minimisation goes from 1.3 s to 0.3 s for 4% more crossings.
        agattr(g, AGRAPH, cs("mclimit"), cs("0.3"));
        agattr(g, AGRAPH, cs("nslimit"), cs("2"));
        agattr(g, AGRAPH, cs("nslimit1"), cs("2"));
        agattr(g, AGRAPH, cs("searchsize"), cs("10"));
    }
    agattr(g, AGRAPH, cs("splines"), cs("spline"));
    agattr(g, AGNODE, cs("shape"), cs("box"));
    agattr(g, AGNODE, cs("fixedsize"), cs("true"));
    agattr(g, AGNODE, cs("label"), cs(""));
    Agsym_t *width = agattr(g, AGNODE, cs("width"), cs("1"));
    Agsym_t *height = agattr(g, AGNODE, cs("height"), cs("0.5"));
    agattr(g, AGEDGE, cs("arrowhead"), cs("none"));

    std::vector<Agnode_t *> nodes(vg.nodes.size());
    for (size_t i = 0; i < vg.nodes.size(); ++i) {
        const std::string name = "n" + std::to_string(i);
        nodes[i] = agnode(g, cs(name.c_str()), 1);
        agxset(nodes[i], width, cs(inches(out.nodes[i].width).c_str()));
        agxset(nodes[i], height, cs(inches(out.nodes[i].height).c_str()));
    }
    std::vector<Agedge_t *> edges(vg.edges.size());
    for (size_t i = 0; i < vg.edges.size(); ++i) {
        const std::string name = "e" + std::to_string(i);
        edges[i] = agedge(g, nodes[static_cast<size_t>(vg.edges[i].from)],
                          nodes[static_cast<size_t>(vg.edges[i].to)], cs(name.c_str()), 1);
    }

    if (gvLayout(gvc, g, "dot") != 0) {
        agclose(g);
        return makeError("layout", "Graphviz could not lay out the lineage graph (is the dot "
                                   "layout plugin of libgvc installed?).");
    }
    const boxf bb = GD_bb(g);
    auto convert = [&](pointf p) { return Point{p.x - bb.LL.x, bb.UR.y - p.y}; };
    out.width = bb.UR.x - bb.LL.x;
    out.height = bb.UR.y - bb.LL.y;
    for (size_t i = 0; i < nodes.size(); ++i)
        out.nodes[i].centre = convert(ND_coord(nodes[i]));
    for (size_t i = 0; i < edges.size(); ++i) {
        EdgeGeometry &eg = out.edges[i];
        const splines *spl = edges[i] ? ED_spl(edges[i]) : nullptr;
        if (spl && spl->size > 0) {
            for (int b = 0; b < spl->size; ++b)
                for (int k = 0; k < spl->list[b].size; ++k) {
                    // Multi-part splines (rare, with ports) are joined end to start.
                    if (b > 0 && k == 0)
                        continue;
                    eg.points.push_back(convert(spl->list[b].list[k]));
                }
        } else {
            eg.points = straightEdge(out.nodes[static_cast<size_t>(eg.from)],
                                     out.nodes[static_cast<size_t>(eg.to)]);
        }
        eg.labelPos = bezierMiddle(eg.points);
    }
    gvFreeLayout(gvc, g);
    agclose(g);
    return out;
}

struct Box {
    double x0, y0, x1, y1;
    bool overlaps(const Box &o) const { return x0 < o.x1 && o.x0 < x1 && y0 < o.y1 && o.y0 < y1; }
};

Box boxOf(const NodeGeometry &n, double margin)
{
    return {n.centre.x - n.width / 2 - margin, n.centre.y - n.height / 2 - margin,
            n.centre.x + n.width / 2 + margin, n.centre.y + n.height / 2 + margin};
}

void fitBounds(Layout &l, Point origin)
{
    double x0 = origin.x, y0 = origin.y, x1 = origin.x + l.width, y1 = origin.y + l.height;
    for (const NodeGeometry &n : l.nodes) {
        x0 = std::min(x0, n.centre.x - n.width / 2);
        y0 = std::min(y0, n.centre.y - n.height / 2);
        x1 = std::max(x1, n.centre.x + n.width / 2);
        y1 = std::max(y1, n.centre.y + n.height / 2);
    }
    l.origin = {x0, y0};
    l.width = x1 - x0;
    l.height = y1 - y0;
}

} // namespace

Result<Layout> layoutGraph(const VisibleGraph &graph, const LayoutOptions &options)
{
    return runDot(graph, options);
}

Result<Layout> relayout(const VisibleGraph &graph, const VisibleGraph &previousGraph,
                        const Layout &previous, const LayoutOptions &options)
{
    std::map<std::string, int> before;
    for (size_t i = 0; i < previous.nodes.size(); ++i)
        before.emplace(previous.nodes[i].key, static_cast<int>(i));
    std::vector<int> fresh;
    for (size_t i = 0; i < graph.nodes.size(); ++i)
        if (!before.count(graph.nodes[i].key))
            fresh.push_back(static_cast<int>(i));
    const size_t kept = graph.nodes.size() - fresh.size();
    if (kept == 0 || fresh.size() > std::max<size_t>(60, graph.nodes.size() / 2))
        return layoutGraph(graph, options);

    Layout out;
    out.fast = previous.fast;
    out.nodes.resize(graph.nodes.size());
    std::vector<char> isNew(graph.nodes.size(), 0);
    for (int f : fresh)
        isNew[static_cast<size_t>(f)] = 1;
    for (size_t i = 0; i < graph.nodes.size(); ++i) {
        NodeGeometry &n = out.nodes[i];
        n.key = graph.nodes[i].key;
        if (!isNew[i])
            n = previous.nodes[static_cast<size_t>(before.at(n.key))];
        else
            nodeSize(graph.nodes[i], n.width, n.height);
    }

    if (!fresh.empty()) {
        // The new nodes and their neighbours already on screen, laid out by dot on their own.
        std::vector<int> sub = fresh;
        std::vector<int> anchors;
        for (const VisibleEdge &e : graph.edges) {
            const bool fn = isNew[static_cast<size_t>(e.from)], tn = isNew[static_cast<size_t>(e.to)];
            if (fn && !tn)
                anchors.push_back(e.to);
            if (tn && !fn)
                anchors.push_back(e.from);
        }
        std::sort(anchors.begin(), anchors.end());
        anchors.erase(std::unique(anchors.begin(), anchors.end()), anchors.end());
        sub.insert(sub.end(), anchors.begin(), anchors.end());
        std::sort(sub.begin(), sub.end());
        std::map<int, int> subIndex;
        VisibleGraph sg;
        for (int n : sub) {
            subIndex[n] = static_cast<int>(sg.nodes.size());
            sg.nodes.push_back(graph.nodes[static_cast<size_t>(n)]);
        }
        for (const VisibleEdge &e : graph.edges) {
            auto f = subIndex.find(e.from), t = subIndex.find(e.to);
            if (f != subIndex.end() && t != subIndex.end()
                && (isNew[static_cast<size_t>(e.from)] || isNew[static_cast<size_t>(e.to)]))
                sg.edges.push_back({f->second, t->second, e.kind, e.label});
        }
        LayoutOptions subOptions = options;
        subOptions.largeGraphNodes = std::max(options.largeGraphNodes, 200);
        auto sl = runDot(sg, subOptions);
        if (!sl)
            return sl.error();

        // Where the block goes: its anchors where they already are; with no anchor, where the
        // nodes that went away were (a collapsed cluster), else below everything.
        Point shift;
        if (!anchors.empty()) {
            Point a, b;
            for (int n : anchors) {
                const Point p = out.nodes[static_cast<size_t>(n)].centre;
                const Point q = sl->nodes[static_cast<size_t>(subIndex[n])].centre;
                a.x += p.x, a.y += p.y, b.x += q.x, b.y += q.y;
            }
            const double k = static_cast<double>(anchors.size());
            shift = {(a.x - b.x) / k, (a.y - b.y) / k};
        } else {
            Point gone;
            int count = 0;
            std::set<std::string> now;
            for (const VisibleNode &n : graph.nodes)
                now.insert(n.key);
            for (const NodeGeometry &n : previous.nodes)
                if (!now.count(n.key))
                    gone.x += n.centre.x, gone.y += n.centre.y, ++count;
            Point mid;
            for (int f : fresh)
                mid.x += sl->nodes[static_cast<size_t>(subIndex[f])].centre.x,
                    mid.y += sl->nodes[static_cast<size_t>(subIndex[f])].centre.y;
            mid.x /= static_cast<double>(fresh.size());
            mid.y /= static_cast<double>(fresh.size());
            if (count > 0)
                shift = {gone.x / count - mid.x, gone.y / count - mid.y};
            else
                shift = {previous.origin.x - mid.x + sl->width / 2,
                         previous.origin.y + previous.height + 36.0 - mid.y + sl->height / 2};
        }

        // Slide the block across the ranks' axis until it overlaps no node that stays.
        const double margin = 8.0;
        std::vector<Box> blocks;
        Box all{1e300, 1e300, -1e300, -1e300};
        for (int f : fresh) {
            NodeGeometry g = sl->nodes[static_cast<size_t>(subIndex[f])];
            g.centre.x += shift.x;
            g.centre.y += shift.y;
            const Box b = boxOf(g, margin);
            blocks.push_back(b);
            all = {std::min(all.x0, b.x0), std::min(all.y0, b.y0), std::max(all.x1, b.x1),
                   std::max(all.y1, b.y1)};
        }
        const bool lr = options.leftToRight;
        std::vector<Box> obstacles;
        for (size_t i = 0; i < out.nodes.size(); ++i) {
            if (isNew[i])
                continue;
            const Box b = boxOf(out.nodes[i], 0.0);
            if (lr ? (b.x0 < all.x1 && all.x0 < b.x1) : (b.y0 < all.y1 && all.y0 < b.y1))
                obstacles.push_back(b);
        }
        auto fits = [&](double d) {
            for (const Box &o : obstacles) {
                const Box moved = lr ? Box{all.x0, all.y0 + d, all.x1, all.y1 + d}
                                     : Box{all.x0 + d, all.y0, all.x1 + d, all.y1};
                if (!moved.overlaps(o))
                    continue;
                for (const Box &b : blocks) {
                    const Box m = lr ? Box{b.x0, b.y0 + d, b.x1, b.y1 + d}
                                     : Box{b.x0 + d, b.y0, b.x1 + d, b.y1};
                    if (m.overlaps(o))
                        return false;
                }
            }
            return true;
        };
        double offset = 0.0;
        const double step = 18.0;
        for (int k = 1; k < 20000 && !fits(offset); ++k)
            offset = (k % 2 ? 1.0 : -1.0) * step * static_cast<double>((k + 1) / 2);
        const Point move = lr ? Point{shift.x, shift.y + offset} : Point{shift.x + offset, shift.y};
        for (int f : fresh) {
            NodeGeometry &n = out.nodes[static_cast<size_t>(f)];
            n.centre = sl->nodes[static_cast<size_t>(subIndex[f])].centre;
            n.centre.x += move.x;
            n.centre.y += move.y;
        }
        // Edges inside the block keep dot's route, moved with it.
        std::map<std::tuple<int, int, int, std::string>, const EdgeGeometry *> blockEdges;
        for (size_t i = 0; i < sg.edges.size(); ++i) {
            const VisibleEdge &e = sg.edges[i];
            if (isNew[static_cast<size_t>(sub[static_cast<size_t>(e.from)])]
                && isNew[static_cast<size_t>(sub[static_cast<size_t>(e.to)])])
                blockEdges[{sub[static_cast<size_t>(e.from)], sub[static_cast<size_t>(e.to)],
                            static_cast<int>(e.kind), e.label}] = &sl->edges[i];
        }
        out.edges.resize(graph.edges.size());
        for (size_t i = 0; i < graph.edges.size(); ++i) {
            const VisibleEdge &e = graph.edges[i];
            auto it = blockEdges.find({e.from, e.to, static_cast<int>(e.kind), e.label});
            if (it != blockEdges.end()) {
                out.edges[i] = *it->second;
                for (Point &p : out.edges[i].points)
                    p.x += move.x, p.y += move.y;
                out.edges[i].labelPos = bezierMiddle(out.edges[i].points);
            }
            out.edges[i].from = e.from;
            out.edges[i].to = e.to;
        }
    } else {
        out.edges.resize(graph.edges.size());
        for (size_t i = 0; i < graph.edges.size(); ++i)
            out.edges[i].from = graph.edges[i].from, out.edges[i].to = graph.edges[i].to;
    }

    // Edges between nodes that stayed keep their route; the rest are drawn straight.
    std::map<std::tuple<std::string, std::string, int, std::string>, const EdgeGeometry *> routes;
    for (size_t i = 0; i < previousGraph.edges.size() && i < previous.edges.size(); ++i) {
        const VisibleEdge &e = previousGraph.edges[i];
        routes[{previousGraph.nodes[static_cast<size_t>(e.from)].key,
                previousGraph.nodes[static_cast<size_t>(e.to)].key, static_cast<int>(e.kind),
                e.label}] = &previous.edges[i];
    }
    for (size_t i = 0; i < graph.edges.size(); ++i) {
        EdgeGeometry &eg = out.edges[i];
        if (!eg.points.empty())
            continue;
        const VisibleEdge &e = graph.edges[i];
        auto it = routes.find({graph.nodes[static_cast<size_t>(e.from)].key,
                               graph.nodes[static_cast<size_t>(e.to)].key,
                               static_cast<int>(e.kind), e.label});
        if (it != routes.end() && !isNew[static_cast<size_t>(e.from)]
            && !isNew[static_cast<size_t>(e.to)]) {
            eg.points = it->second->points;
            eg.labelPos = it->second->labelPos;
        } else {
            eg.points = straightEdge(out.nodes[static_cast<size_t>(e.from)],
                                     out.nodes[static_cast<size_t>(e.to)]);
            eg.labelPos = bezierMiddle(eg.points);
        }
    }
    out.width = previous.width;
    out.height = previous.height;
    fitBounds(out, previous.origin);
    return out;
}

} // namespace sightline::lineage
