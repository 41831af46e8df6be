// SPDX-License-Identifier: GPL-3.0-or-later
// LineageView: draws a laid-out lineage graph in a QGraphicsScene. Each node kind has its shape,
// colour and a small drawn glyph (a cylinder for datasets, a box for runs, a rounded card for
// model versions, a tag for aliases, stacked cards with a count for clusters); nodes that are
// named but not in the cache are dashed; edges follow the layout's Béziers with an arrowhead and
// their context label; datasets with a drift result carry a badge. Wheel and Ctrl+= / Ctrl+- /
// Ctrl+0 zoom, dragging pans, and a minimap in the corner shows where the viewport is when the
// graph does not fit. Updates keep the items of nodes that stay, so an expand only adds.
// Large scenes are drawn with a cheaper level of detail when zoomed out.
#pragma once

#include "lineage/graph.h"
#include "lineage/layout.h"

#include <QGraphicsItem>
#include <QGraphicsView>

#include <map>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

class QAction;

namespace sightline {

class LineageMinimap;

// One node on screen. Its position is the layout's centre.
class LineageNodeItem : public QGraphicsItem {
public:
    enum class Emphasis { Normal, Highlighted, Dimmed };

    LineageNodeItem(const lineage::VisibleNode &node, const lineage::Node *graphNode,
                    double width, double height);

    void setNode(const lineage::VisibleNode &node, const lineage::Node *graphNode, double width,
                 double height);
    void setFocusNode(bool focus);
    void setEmphasis(Emphasis emphasis);

    const QString &key() const { return m_key; }
    lineage::NodeKind kind() const { return m_kind; }
    const QString &label() const { return m_label; }
    const QString &subtitle() const { return m_subtitle; }
    int count() const { return m_count; }
    bool isMissing() const { return m_missing; }
    bool isFocusNode() const { return m_focus; }
    Emphasis emphasis() const { return m_emphasis; }
    // "drift 40%" on datasets with a drift result, empty otherwise; red when drifted.
    const QString &driftBadge() const { return m_driftBadge; }
    bool isDrifted() const { return m_drifted; }
    // The cluster's count badge text, empty for other nodes.
    QString countBadge() const;
    QSizeF size() const { return {m_width, m_height}; }

    QRectF boundingRect() const override;
    QPainterPath shape() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option,
               QWidget *widget) override;

private:
    QPainterPath outline() const;
    void paintGlyph(QPainter *painter, const QRectF &box, const QColor &ink) const;

    std::string m_signature; // what the item was last drawn from, to skip unchanged updates
    QString m_key;
    QString m_label;
    QString m_subtitle;
    QString m_driftBadge;
    lineage::NodeKind m_kind = lineage::NodeKind::Run;
    lineage::NodeKind m_memberKind = lineage::NodeKind::Run;
    int m_count = 1;
    double m_width = 0.0;
    double m_height = 0.0;
    bool m_missing = false;
    bool m_drifted = false;
    bool m_focus = false;
    Emphasis m_emphasis = Emphasis::Normal;
};

// One edge: the layout's Bézier chain, an arrowhead at its end and its label.
class LineageEdgeItem : public QGraphicsItem {
public:
    // `target` is the box of the node the edge points at: the arrowhead ends on its border.
    LineageEdgeItem(const lineage::VisibleEdge &edge, const lineage::EdgeGeometry &geometry,
                    const QRectF &target);

    void setGeometry(const lineage::EdgeGeometry &geometry, const QRectF &target);
    void setHighlighted(bool on);
    void setEnds(LineageNodeItem *from, LineageNodeItem *to)
    {
        m_from = from;
        m_to = to;
    }
    // Zoomed out below this level of detail the label is not drawn (crowded big graphs).
    void setLabelDetail(double lod) { m_labelDetail = lod; }
    LineageNodeItem *fromNode() const { return m_from; }
    LineageNodeItem *toNode() const { return m_to; }
    const QString &label() const { return m_label; }
    lineage::EdgeKind kind() const { return m_kind; }
    QPointF labelPos() const { return m_labelPos; }
    QPainterPath path() const { return m_path; }

    QRectF boundingRect() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option,
               QWidget *widget) override;

private:
    LineageNodeItem *m_from = nullptr;
    LineageNodeItem *m_to = nullptr;
    double m_labelDetail = 0.0;
    std::vector<lineage::Point> m_points; // as last laid out, to skip unchanged updates
    QRectF m_target;
    QPainterPath m_path;
    QPolygonF m_arrow;
    QPointF m_labelPos;
    QRectF m_labelRect;
    QRectF m_bounds;
    QString m_label;
    lineage::EdgeKind m_kind = lineage::EdgeKind::Input;
    bool m_highlighted = false;
};

class LineageView : public QGraphicsView {
    Q_OBJECT

public:
    explicit LineageView(QWidget *parent = nullptr);
    ~LineageView() override;

    // The graph the visible nodes come from (not owned; must outlive what is shown).
    void setGraph(const lineage::Graph *graph);
    // Shows `visible` at `layout`. Items of nodes and edges already drawn under the same key are
    // kept (moved only if the layout moved them); the others are added or removed. With
    // `resetView` the view is fitted (or centred on the focus when the graph is large).
    void showGraph(const lineage::VisibleGraph &visible, const lineage::Layout &layout,
                   const QString &focusKey, bool resetView);
    void clearGraph();

    // Selects the node (and centres on it); false when it is not drawn.
    bool selectNode(const QString &key, bool centre = true);
    QString selectedKey() const;
    // Emphasises these nodes (and the edges between them) and dims the rest; empty clears.
    void setHighlighted(const std::set<QString> &keys);

    LineageNodeItem *nodeItem(const QString &key) const;
    std::vector<LineageNodeItem *> nodeItems() const;
    std::vector<LineageEdgeItem *> edgeItems() const;
    int nodeCount() const { return static_cast<int>(m_nodes.size()); }

    void zoomIn();
    void zoomOut();
    void fitAll();
    double zoom() const;
    void setZoom(double factor);
    LineageMinimap *minimap() const { return m_minimap; }
    bool isMinimapShown() const;

    QAction *zoomInAction() const { return m_zoomIn; }
    QAction *zoomOutAction() const { return m_zoomOut; }
    QAction *fitAction() const { return m_fit; }

    // The whole scene drawn on white, scaled so that neither side exceeds `maxSide` pixels.
    QImage renderImage(int maxSide = 12000) const;
    bool writeSvg(const QString &path, const QString &title) const;

    void retranslateUi();

signals:
    void nodeSelected(const QString &key); // empty when the selection was cleared
    void nodeActivated(const QString &key); // double-click
    void nodeContextMenu(const QString &key, const QPoint &globalPos);

protected:
    void wheelEvent(QWheelEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;
    void contextMenuEvent(QContextMenuEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void scrollContentsBy(int dx, int dy) override;
    void changeEvent(QEvent *event) override;

private:
    void applyTuning();
    void updateMinimap();
    void placeMinimap();
    void selectionChanged();
    LineageNodeItem *nodeAt(const QPoint &viewPos) const;

    const lineage::Graph *m_graph = nullptr;
    QGraphicsScene *m_scene = nullptr;
    using EdgeKey = std::tuple<const LineageNodeItem *, const LineageNodeItem *, int, std::string>;
    using EdgeMap = std::map<EdgeKey, LineageEdgeItem *>;
    std::unordered_map<QString, LineageNodeItem *> m_nodes;
    EdgeMap m_edges;
    QString m_focusKey;
    std::set<QString> m_highlighted;
    LineageMinimap *m_minimap = nullptr;
    QAction *m_zoomIn = nullptr;
    QAction *m_zoomOut = nullptr;
    QAction *m_fit = nullptr;
    bool m_large = false;
};

// A small overview of the whole scene with the viewport's rectangle; click or drag to move there.
class LineageMinimap : public QWidget {
    Q_OBJECT

public:
    explicit LineageMinimap(LineageView *view);
    // Rebuilds the overview picture from the scene's nodes.
    void rebuild(const std::vector<LineageNodeItem *> &nodes, const QRectF &sceneRect);
    void setViewportRect(const QRectF &sceneRect);
    QRectF viewportRect() const { return m_viewport; }

protected:
    void paintEvent(QPaintEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;

private:
    QRectF mapToMini(const QRectF &sceneRect) const;
    void moveTo(const QPoint &pos);

    LineageView *m_view;
    QRectF m_sceneRect;
    QRectF m_viewport;
    QPixmap m_picture;
};

} // namespace sightline
