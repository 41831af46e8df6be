// SPDX-License-Identifier: GPL-3.0-or-later
#include "lineageview.h"

#include <QAction>
#include <QContextMenuEvent>
#include <QEvent>
#include <QFontMetricsF>
#include <QGraphicsScene>
#include <QKeyEvent>
#include <QPainter>
#include <QPainterPath>
#include <QScrollBar>
#include <QStyleOptionGraphicsItem>
#include <QSvgGenerator>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace sightline {

using lineage::EdgeKind;
using lineage::NodeKind;

namespace {

QString qs(const std::string &s)
{
    return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}

// Below this level of detail text is unreadable anyway: nodes become plain shapes.
constexpr double kTextDetail = 0.4;
// From this many nodes on the view trades antialiasing for speed.
constexpr int kLargeScene = 1500;

struct KindStyle {
    QColor fill;
    QColor ink;
};

KindStyle styleOf(NodeKind kind)
{
    switch (kind) {
    case NodeKind::Dataset:
        return {QColor(0xdc, 0xf1, 0xec), QColor(0x2a, 0x7f, 0x6f)};
    case NodeKind::Run:
        return {QColor(0xe1, 0xea, 0xf8), QColor(0x36, 0x64, 0xb0)};
    case NodeKind::ModelVersion:
        return {QColor(0xef, 0xe4, 0xf7), QColor(0x7a, 0x4c, 0xa6)};
    case NodeKind::Model:
        return {QColor(0xe6, 0xe0, 0xf0), QColor(0x55, 0x3f, 0x7e)};
    case NodeKind::Alias:
        return {QColor(0xff, 0xf0, 0xc8), QColor(0xa8, 0x76, 0x00)};
    case NodeKind::Stage:
        return {QColor(0xe4, 0xf3, 0xd9), QColor(0x4f, 0x85, 0x2a)};
    case NodeKind::Cluster:
        return {QColor(0xee, 0xef, 0xf1), QColor(0x5f, 0x64, 0x6d)};
    }
    return {Qt::white, Qt::black};
}

QString attribute(const lineage::Node *node, const char *name)
{
    if (!node)
        return {};
    auto it = node->attributes.find(name);
    return it == node->attributes.end() ? QString() : qs(it->second);
}

QString subtitleOf(const lineage::VisibleNode &node, const lineage::Node *g)
{
    if (node.kind == NodeKind::Cluster) {
        // "cluster:PARENT/EDGEKIND[:LABEL]/MEMBERKIND": the edge's context says what they share.
        const QString key = qs(node.key);
        const int last = key.lastIndexOf(QLatin1Char('/'));
        const int before = last > 0 ? key.lastIndexOf(QLatin1Char('/'), last - 1) : -1;
        const QString edge = before >= 0 ? key.mid(before + 1, last - before - 1) : QString();
        const int colon = edge.indexOf(QLatin1Char(':'));
        if (colon >= 0)
            return edge.mid(colon + 1);
        if (edge == QLatin1String("parent"))
            return LineageView::tr("child runs");
        return LineageView::tr("double-click to open");
    }
    if (!g)
        return {};
    if (g->missing)
        return LineageView::tr("not in the cache");
    switch (node.kind) {
    case NodeKind::Dataset: {
        const QString v = attribute(g, "version");
        const QString digest = attribute(g, "digest").left(8);
        return v.isEmpty() ? digest : LineageView::tr("v%1 · %2").arg(v, digest);
    }
    case NodeKind::Run: {
        const QString status = attribute(g, "status").toLower();
        if (g->isParentRun)
            return LineageView::tr("parent run");
        return status.isEmpty() ? attribute(g, "run_id").left(8) : status;
    }
    case NodeKind::ModelVersion: {
        const QString stage = attribute(g, "stage");
        return stage.isEmpty() || stage == QLatin1String("None") ? attribute(g, "status").toLower()
                                                                 : stage;
    }
    case NodeKind::Alias:
    case NodeKind::Stage:
        return {};
    case NodeKind::Model:
        return LineageView::tr("registered model");
    case NodeKind::Cluster:
        break;
    }
    return {};
}

// Pixel sizes: the layout sizes nodes at about 7 points a character plus 24 of padding.
QFont labelFont()
{
    QFont f;
    f.setPixelSize(11);
    return f;
}

QFont smallFont()
{
    QFont f;
    f.setPixelSize(9);
    return f;
}

// Draws text in `box`, squeezed a little when it is slightly too wide, elided beyond that.
void drawFitted(QPainter *painter, const QRectF &box, int flags, const QString &text)
{
    const QFontMetricsF fm(painter->font());
    const double w = fm.horizontalAdvance(text);
    if (w <= box.width() || box.width() <= 0.0) {
        painter->drawText(box, flags, text);
        return;
    }
    const double squeeze = std::max(0.85, box.width() / w);
    painter->save();
    painter->translate(box.left(), 0.0);
    painter->scale(squeeze, 1.0);
    const QRectF wide(0.0, box.top(), box.width() / squeeze, box.height());
    painter->drawText(wide, flags, fm.elidedText(text, Qt::ElideMiddle, wide.width()));
    painter->restore();
}

} // namespace

// --- nodes ---

LineageNodeItem::LineageNodeItem(const lineage::VisibleNode &node, const lineage::Node *graphNode,
                                 double width, double height)
{
    setFlag(ItemIsSelectable);
    setAcceptHoverEvents(false);
    setNode(node, graphNode, width, height);
}

void LineageNodeItem::setNode(const lineage::VisibleNode &node, const lineage::Node *graphNode,
                              double width, double height)
{
    std::string signature = node.key + '\n' + node.label + '\n' + std::to_string(node.count)
                            + '\n' + std::to_string(width) + 'x' + std::to_string(height);
    if (graphNode) {
        signature += graphNode->missing ? "\nmissing" : "\n";
        if (graphNode->drift)
            signature += '\n' + graphNode->drift->state
                         + std::to_string(graphNode->drift->driftShare);
    }
    if (signature == m_signature)
        return;
    m_signature = std::move(signature);
    if (width != m_width || height != m_height)
        prepareGeometryChange();
    m_key = qs(node.key);
    m_kind = node.kind;
    m_memberKind = node.memberKind;
    m_count = node.count;
    m_label = qs(node.label);
    m_width = width;
    m_height = height;
    m_missing = graphNode && graphNode->missing;
    m_subtitle = subtitleOf(node, graphNode);
    m_driftBadge.clear();
    m_drifted = false;
    if (graphNode && graphNode->drift) {
        m_drifted = graphNode->drift->state == "drifted";
        m_driftBadge = LineageView::tr("%1 %2%")
                           .arg(m_drifted ? LineageView::tr("drift") : LineageView::tr("ok"))
                           .arg(std::lround(graphNode->drift->driftShare * 100.0));
    }
    QString tip = QStringLiteral("<b>%1</b><br>%2").arg(m_label.toHtmlEscaped(),
                                                         m_key.toHtmlEscaped());
    if (!m_driftBadge.isEmpty())
        tip += QStringLiteral("<br>")
               + LineageView::tr("Drift: %1 (%2% of columns drifted)")
                     .arg(qs(graphNode->drift->state))
                     .arg(std::lround(graphNode->drift->driftShare * 100.0));
    if (m_kind == NodeKind::Cluster)
        tip += QStringLiteral("<br>") + LineageView::tr("Double-click to expand");
    setToolTip(tip);
    update();
}

void LineageNodeItem::setFocusNode(bool focus)
{
    if (m_focus != focus) {
        m_focus = focus;
        update();
    }
}

void LineageNodeItem::setEmphasis(Emphasis emphasis)
{
    if (m_emphasis == emphasis)
        return;
    m_emphasis = emphasis;
    setOpacity(emphasis == Emphasis::Dimmed ? 0.3 : 1.0);
    update();
}

QString LineageNodeItem::countBadge() const
{
    return m_kind == NodeKind::Cluster ? QString::number(m_count) : QString();
}

QRectF LineageNodeItem::boundingRect() const
{
    // Room for the focus ring, the cluster's stacked cards and the badges that overhang.
    return QRectF(-m_width / 2.0 - 6.0, -m_height / 2.0 - 12.0, m_width + 18.0, m_height + 20.0);
}

QPainterPath LineageNodeItem::outline() const
{
    const QRectF r(-m_width / 2.0, -m_height / 2.0, m_width, m_height);
    QPainterPath p;
    switch (m_kind) {
    case NodeKind::Dataset: {
        // A cylinder seen from the side: elliptical ends.
        const double e = std::min(8.0, r.height() / 4.0);
        p.moveTo(r.left(), r.top() + e / 2.0);
        p.arcTo(QRectF(r.left(), r.top(), r.width(), e), 180.0, -180.0);
        p.lineTo(r.right(), r.bottom() - e / 2.0);
        p.arcTo(QRectF(r.left(), r.bottom() - e, r.width(), e), 0.0, -180.0);
        p.closeSubpath();
        break;
    }
    case NodeKind::Run:
        p.addRoundedRect(r, 2.0, 2.0);
        break;
    case NodeKind::ModelVersion:
        p.addRoundedRect(r, 12.0, 12.0);
        break;
    case NodeKind::Model:
        p.addRect(r);
        break;
    case NodeKind::Alias: {
        // A luggage tag pointing left.
        const double n = r.height() / 2.0;
        p.moveTo(r.left(), r.center().y());
        p.lineTo(r.left() + n, r.top());
        p.lineTo(r.right(), r.top());
        p.lineTo(r.right(), r.bottom());
        p.lineTo(r.left() + n, r.bottom());
        p.closeSubpath();
        break;
    }
    case NodeKind::Stage:
        p.addRoundedRect(r, r.height() / 2.0, r.height() / 2.0);
        break;
    case NodeKind::Cluster:
        p.addRoundedRect(r, 4.0, 4.0);
        break;
    }
    return p;
}

QPainterPath LineageNodeItem::shape() const
{
    QPainterPath p;
    p.addRect(QRectF(-m_width / 2.0, -m_height / 2.0, m_width, m_height));
    return p;
}

void LineageNodeItem::paintGlyph(QPainter *painter, const QRectF &b, const QColor &ink) const
{
    painter->setPen(QPen(ink, 1.3));
    painter->setBrush(Qt::NoBrush);
    const QPointF c = b.center();
    switch (m_kind) {
    case NodeKind::Dataset: {
        const QRectF top(b.left() + 1, b.top() + 1, b.width() - 2, 4);
        painter->drawEllipse(top);
        painter->drawLine(QPointF(top.left(), top.center().y()),
                          QPointF(top.left(), b.bottom() - 3));
        painter->drawLine(QPointF(top.right(), top.center().y()),
                          QPointF(top.right(), b.bottom() - 3));
        painter->drawArc(QRectF(top.left(), b.bottom() - 5, top.width(), 4), 180 * 16, 180 * 16);
        painter->drawArc(QRectF(top.left(), c.y() - 2, top.width(), 4), 180 * 16, 180 * 16);
        break;
    }
    case NodeKind::Run: {
        // A play mark: something that ran.
        QPolygonF tri;
        tri << QPointF(b.left() + 3, b.top() + 2) << QPointF(b.right() - 2, c.y())
            << QPointF(b.left() + 3, b.bottom() - 2);
        painter->setBrush(ink);
        painter->drawPolygon(tri);
        break;
    }
    case NodeKind::ModelVersion:
    case NodeKind::Model: {
        // A cube: a packaged model.
        const double s = b.width() * 0.3;
        const QRectF front(b.left() + 1, b.top() + s, b.width() - s - 1, b.height() - s - 1);
        painter->drawRect(front);
        painter->drawLine(front.topLeft(), front.topLeft() + QPointF(s, -s));
        painter->drawLine(front.topRight(), front.topRight() + QPointF(s, -s));
        painter->drawLine(front.topLeft() + QPointF(s, -s), front.topRight() + QPointF(s, -s));
        painter->drawLine(front.topRight() + QPointF(s, -s), front.bottomRight() + QPointF(s, -s));
        painter->drawLine(front.bottomRight(), front.bottomRight() + QPointF(s, -s));
        break;
    }
    case NodeKind::Alias:
        painter->setBrush(ink);
        painter->drawEllipse(QRectF(c.x() - 2.0, c.y() - 2.0, 4.0, 4.0));
        break;
    case NodeKind::Stage: {
        // A flag.
        painter->drawLine(QPointF(b.left() + 2, b.top()), QPointF(b.left() + 2, b.bottom()));
        QPolygonF flag;
        flag << QPointF(b.left() + 2, b.top()) << QPointF(b.right(), b.top() + 3)
             << QPointF(b.left() + 2, b.top() + 6.5);
        painter->setBrush(ink);
        painter->drawPolygon(flag);
        break;
    }
    case NodeKind::Cluster:
        for (int i = 0; i < 3; ++i)
            painter->drawRect(QRectF(b.left() + i * 2.0, b.top() + 4.0 - i * 2.0, b.width() - 5,
                                     b.height() - 5));
        break;
    }
}

void LineageNodeItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *option,
                            QWidget *widget)
{
    Q_UNUSED(widget)
    const KindStyle style = styleOf(m_kind);
    const double lod = option->levelOfDetailFromTransform(painter->worldTransform());
    const QRectF r(-m_width / 2.0, -m_height / 2.0, m_width, m_height);
    const bool selected = isSelected();
    QColor border = style.ink;
    if (m_emphasis == Emphasis::Highlighted)
        border = QColor(0xe0, 0x6c, 0x00);
    if (selected)
        border = QColor(0x1f, 0x6f, 0xeb);

    if (lod < kTextDetail) {
        // Zoomed far out: a filled box is all that can be seen.
        painter->setPen(selected || m_emphasis == Emphasis::Highlighted ? QPen(border, 3.0)
                                                                        : Qt::NoPen);
        painter->setBrush(m_drifted ? QColor(0xf3, 0xc2, 0xbd) : style.fill.darker(108));
        painter->drawRect(r);
        return;
    }

    if (m_kind == NodeKind::Cluster) {
        // Stacked cards behind the front one say "many".
        painter->setPen(QPen(style.ink.lighter(140), 1.0));
        painter->setBrush(style.fill.darker(104));
        painter->drawRoundedRect(r.translated(6.0, -6.0), 4.0, 4.0);
        painter->drawRoundedRect(r.translated(3.0, -3.0), 4.0, 4.0);
    }

    const QPainterPath path = outline();
    QPen pen(border, selected || m_focus || m_emphasis == Emphasis::Highlighted ? 2.4 : 1.2);
    if (m_missing)
        pen.setStyle(Qt::DashLine);
    painter->setPen(pen);
    painter->setBrush(m_missing ? QColor(0xfa, 0xfa, 0xfa) : style.fill);
    painter->drawPath(path);
    if (m_focus && !selected) {
        painter->setPen(QPen(style.ink, 1.0, Qt::DotLine));
        painter->setBrush(Qt::NoBrush);
        painter->drawRoundedRect(r.adjusted(-4.0, -4.0, 4.0, 4.0), 6.0, 6.0);
    }

    // Glyph at the left (the alias's tag is its own glyph), label and subtitle beside it.
    const bool tag = m_kind == NodeKind::Alias || m_kind == NodeKind::Stage;
    double textLeft = r.left() + r.height() / 2.0 + 2.0;
    if (m_kind != NodeKind::Alias) {
        const double gx = m_kind == NodeKind::Stage ? r.left() + 8.0 : r.left() + 6.0;
        const QRectF glyph(gx, r.center().y() - 5.0, 10.0, 10.0);
        paintGlyph(painter, glyph, m_missing ? QColor(0x88, 0x88, 0x88) : style.ink);
        textLeft = glyph.right() + 4.0;
    }
    const QRectF text(textLeft, r.top() + 2.0, r.right() - 4.0 - textLeft, r.height() - 4.0);
    painter->setFont(labelFont());
    painter->setPen(m_missing ? QColor(0x66, 0x66, 0x66) : QColor(0x1d, 0x1f, 0x24));
    if (m_subtitle.isEmpty() || tag) {
        drawFitted(painter, text, Qt::AlignVCenter | Qt::AlignLeft, m_label);
    } else {
        const QRectF top(text.left(), text.top(), text.width(), text.height() * 0.52);
        drawFitted(painter, top, Qt::AlignBottom | Qt::AlignLeft, m_label);
        painter->setFont(smallFont());
        painter->setPen(QColor(0x55, 0x5a, 0x63));
        const QRectF bottom(text.left(), top.bottom() + 1.0, text.width(),
                            text.bottom() - top.bottom() - 1.0);
        drawFitted(painter, bottom, Qt::AlignTop | Qt::AlignLeft, m_subtitle);
    }

    // Badges overhang the top-right corner.
    auto badge = [&](const QString &text, const QColor &fill, const QColor &ink) {
        const QFont bf = smallFont();
        const QFontMetricsF bm(bf);
        const double w = bm.horizontalAdvance(text) + 10.0, h = bm.height() + 3.0;
        const QRectF b(r.right() - w + 8.0, r.top() - h / 2.0 - 2.0, w, h);
        painter->setPen(QPen(ink, 1.0));
        painter->setBrush(fill);
        painter->drawRoundedRect(b, h / 2.0, h / 2.0);
        painter->setFont(bf);
        painter->setPen(ink == Qt::white ? ink : ink.darker(120));
        painter->drawText(b, Qt::AlignCenter, text);
    };
    if (m_kind == NodeKind::Cluster)
        badge(countBadge(), style.ink, Qt::white);
    if (!m_driftBadge.isEmpty())
        badge(m_driftBadge, m_drifted ? QColor(0xd9, 0x3b, 0x2b) : QColor(0xe3, 0xf4, 0xdf),
              m_drifted ? QColor(Qt::white) : QColor(0x2f, 0x7d, 0x32));
}

// --- edges ---

LineageEdgeItem::LineageEdgeItem(const lineage::VisibleEdge &edge,
                                 const lineage::EdgeGeometry &geometry, const QRectF &target)
    : m_label(qs(edge.label)), m_kind(edge.kind)
{
    setZValue(-1.0);
    // Long edges cross many repaints; their label is drawn only where it is exposed.
    setFlag(ItemUsesExtendedStyleOption);
    setGeometry(geometry, target);
}

void LineageEdgeItem::setGeometry(const lineage::EdgeGeometry &geometry, const QRectF &target)
{
    if (!m_bounds.isNull() && geometry.points == m_points && target == m_target)
        return;
    m_points = geometry.points;
    m_target = target;
    prepareGeometryChange();
    const auto &pts = geometry.points;
    m_path = QPainterPath();
    m_arrow.clear();
    if (pts.empty()) {
        m_bounds = {};
        return;
    }
    m_path.moveTo(pts[0].x, pts[0].y);
    size_t i = 1;
    for (; i + 2 < pts.size(); i += 3)
        m_path.cubicTo(pts[i].x, pts[i].y, pts[i + 1].x, pts[i + 1].y, pts[i + 2].x,
                       pts[i + 2].y);
    for (; i < pts.size(); ++i)
        m_path.lineTo(pts[i].x, pts[i].y);

    // The arrowhead points along the last segment's direction; dot stops the spline short of the
    // target, where its arrow would go.
    const QPointF end(pts.back().x, pts.back().y);
    QPointF from = end;
    for (size_t k = pts.size(); k-- > 0;) {
        if (QPointF(pts[k].x, pts[k].y) != end) {
            from = QPointF(pts[k].x, pts[k].y);
            break;
        }
    }
    QPointF dir = end - from;
    const double len = std::hypot(dir.x(), dir.y());
    if (len > 0.0) {
        dir /= len;
        // Walk on to the target's border (a few points at most).
        QPointF tip = end;
        for (int step = 0; step < 16 && !target.contains(tip); ++step)
            tip += dir;
        const QPointF normal(-dir.y(), dir.x());
        const QPointF base = tip - dir * 8.0;
        m_path.lineTo(base);
        m_arrow << tip << base + normal * 3.8 << base - normal * 3.8;
    }
    m_labelPos = QPointF(geometry.labelPos.x, geometry.labelPos.y);
    m_labelRect = {};
    if (!m_label.isEmpty()) {
        const QFontMetricsF fm(smallFont());
        const double w = fm.horizontalAdvance(m_label) + 8.0, h = fm.height() + 2.0;
        m_labelRect = QRectF(m_labelPos.x() - w / 2.0, m_labelPos.y() - h / 2.0, w, h);
    }
    m_bounds = m_path.boundingRect().united(m_arrow.boundingRect()).adjusted(-2, -2, 2, 2);
    if (!m_labelRect.isEmpty())
        m_bounds = m_bounds.united(m_labelRect);
    update();
}

void LineageEdgeItem::setHighlighted(bool on)
{
    if (m_highlighted != on) {
        m_highlighted = on;
        update();
    }
}

QRectF LineageEdgeItem::boundingRect() const { return m_bounds; }

void LineageEdgeItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *option,
                            QWidget *widget)
{
    Q_UNUSED(widget)
    const double lod = option->levelOfDetailFromTransform(painter->worldTransform());
    QColor ink = m_highlighted ? QColor(0xe0, 0x6c, 0x00) : QColor(0x7c, 0x84, 0x90);
    QPen pen(ink, m_highlighted ? 2.2 : 1.1);
    if (m_kind == EdgeKind::NextVersion || m_kind == EdgeKind::ParentChild)
        pen.setStyle(Qt::DashLine);
    if (lod < kTextDetail) {
        pen.setStyle(Qt::SolidLine);
        pen.setWidthF(0.0); // cosmetic: one pixel whatever the zoom
        painter->setPen(pen);
        painter->drawPath(m_path);
        return;
    }
    painter->setPen(pen);
    painter->setBrush(Qt::NoBrush);
    painter->drawPath(m_path);
    painter->setPen(Qt::NoPen);
    painter->setBrush(ink);
    if (option->exposedRect.intersects(m_arrow.boundingRect()))
        painter->drawPolygon(m_arrow);
    if (!m_labelRect.isEmpty() && lod >= m_labelDetail
        && option->exposedRect.intersects(m_labelRect)) {
        painter->setBrush(QColor(255, 255, 255, 225));
        painter->drawRoundedRect(m_labelRect, 3.0, 3.0);
        painter->setFont(smallFont());
        painter->setPen(m_highlighted ? ink.darker(120) : QColor(0x4a, 0x50, 0x5a));
        painter->drawText(m_labelRect, Qt::AlignCenter, m_label);
    }
}

// --- the view ---

LineageView::LineageView(QWidget *parent)
    : QGraphicsView(parent), m_scene(new QGraphicsScene(this))
{
    setScene(m_scene);
    setDragMode(QGraphicsView::ScrollHandDrag);
    setTransformationAnchor(QGraphicsView::AnchorUnderMouse);
    setResizeAnchor(QGraphicsView::AnchorViewCenter);
    setOptimizationFlags(QGraphicsView::DontSavePainterState
                         | QGraphicsView::DontAdjustForAntialiasing);
    setBackgroundBrush(QColor(0xfb, 0xfb, 0xfc));
    setFocusPolicy(Qt::StrongFocus);
    m_scene->setItemIndexMethod(QGraphicsScene::BspTreeIndex);
    connect(m_scene, &QGraphicsScene::selectionChanged, this, &LineageView::selectionChanged);

    m_zoomIn = new QAction(this);
    m_zoomIn->setShortcuts({QKeySequence(Qt::CTRL | Qt::Key_Equal),
                            QKeySequence(Qt::CTRL | Qt::Key_Plus)});
    m_zoomOut = new QAction(this);
    m_zoomOut->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Minus));
    m_fit = new QAction(this);
    m_fit->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_0));
    for (QAction *a : {m_zoomIn, m_zoomOut, m_fit}) {
        a->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        addAction(a);
    }
    connect(m_zoomIn, &QAction::triggered, this, &LineageView::zoomIn);
    connect(m_zoomOut, &QAction::triggered, this, &LineageView::zoomOut);
    connect(m_fit, &QAction::triggered, this, &LineageView::fitAll);

    m_minimap = new LineageMinimap(this);
    m_minimap->hide();
    applyTuning();
    retranslateUi();
}

LineageView::~LineageView() = default;

void LineageView::retranslateUi()
{
    m_zoomIn->setText(tr("Zoom In"));
    m_zoomIn->setToolTip(tr("Zoom in (Ctrl+=, or the mouse wheel)"));
    m_zoomOut->setText(tr("Zoom Out"));
    m_zoomOut->setToolTip(tr("Zoom out (Ctrl+-, or the mouse wheel)"));
    m_fit->setText(tr("Fit"));
    m_fit->setToolTip(tr("Show the whole graph (Ctrl+0)"));
    m_minimap->setToolTip(tr("Overview: click or drag to move the view"));
}

void LineageView::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QGraphicsView::changeEvent(event);
}

void LineageView::setGraph(const lineage::Graph *graph)
{
    clearGraph();
    m_graph = graph;
}

void LineageView::clearGraph()
{
    m_scene->clearSelection();
    m_nodes.clear();
    m_edges.clear();
    m_highlighted.clear();
    m_scene->clear();
    m_scene->setSceneRect(QRectF());
    m_minimap->hide();
}

void LineageView::applyTuning()
{
    // Big scenes: no antialiasing, and repaint only the changed bounding rectangle.
    setRenderHint(QPainter::Antialiasing, !m_large);
    setRenderHint(QPainter::TextAntialiasing, true);
    setViewportUpdateMode(m_large ? QGraphicsView::BoundingRectViewportUpdate
                                  : QGraphicsView::MinimalViewportUpdate);
}

void LineageView::showGraph(const lineage::VisibleGraph &visible, const lineage::Layout &layout,
                            const QString &focusKey, bool resetView)
{
    const bool blocked = m_scene->blockSignals(true);
    const QString selected = selectedKey();
    m_focusKey = focusKey;
    // Big scenes draw without antialiasing; zoomed out, items draw a simpler level of detail.
    const bool large = visible.nodes.size() >= static_cast<size_t>(kLargeScene);
    if (large != m_large) {
        m_large = large;
        applyTuning();
    }

    std::unordered_map<QString, LineageNodeItem *> nodes;
    nodes.reserve(visible.nodes.size());
    std::vector<LineageNodeItem *> byIndex(visible.nodes.size(), nullptr);
    for (size_t i = 0; i < visible.nodes.size() && i < layout.nodes.size(); ++i) {
        const lineage::VisibleNode &vn = visible.nodes[i];
        const lineage::NodeGeometry &geo = layout.nodes[i];
        const lineage::Node *g = m_graph && vn.graphNode >= 0 ? &m_graph->node(vn.graphNode)
                                                              : nullptr;
        const QString key = qs(vn.key);
        LineageNodeItem *item = nullptr;
        if (auto it = m_nodes.find(key); it != m_nodes.end()) {
            item = it->second;
            m_nodes.erase(it);
            item->setNode(vn, g, geo.width, geo.height);
        } else {
            item = new LineageNodeItem(vn, g, geo.width, geo.height);
            m_scene->addItem(item);
        }
        const QPointF pos(geo.centre.x, geo.centre.y);
        if (item->pos() != pos)
            item->setPos(pos);
        item->setFocusNode(key == focusKey);
        nodes.emplace(key, item);
        byIndex[i] = item;
    }
    for (auto &[key, item] : m_nodes)
        delete item;
    m_nodes = std::move(nodes);

    // Edges are known by their ends' items (kept nodes keep theirs), kind and label.
    EdgeMap edges;
    for (size_t i = 0; i < visible.edges.size() && i < layout.edges.size(); ++i) {
        const lineage::VisibleEdge &ve = visible.edges[i];
        LineageNodeItem *from = byIndex[static_cast<size_t>(ve.from)];
        LineageNodeItem *to = byIndex[static_cast<size_t>(ve.to)];
        if (!from || !to)
            continue;
        const lineage::NodeGeometry &tg = layout.nodes[static_cast<size_t>(ve.to)];
        const QRectF target(tg.centre.x - tg.width / 2.0, tg.centre.y - tg.height / 2.0,
                            tg.width, tg.height);
        EdgeKey key{from, to, static_cast<int>(ve.kind), ve.label};
        LineageEdgeItem *item = nullptr;
        if (auto it = m_edges.find(key); it != m_edges.end()) {
            item = it->second;
            m_edges.erase(it);
            item->setGeometry(layout.edges[i], target);
        } else {
            item = new LineageEdgeItem(ve, layout.edges[i], target);
            m_scene->addItem(item);
        }
        item->setEnds(from, to);
        item->setLabelDetail(large ? 1.2 : 0.0);
        edges.emplace(std::move(key), item);
    }
    for (auto &[key, item] : m_edges)
        delete item;
    m_edges = std::move(edges);

    const QRectF bounds(layout.origin.x, layout.origin.y, layout.width, layout.height);
    m_scene->setSceneRect(bounds.adjusted(-40.0, -40.0, 40.0, 40.0));
    if (auto it = m_nodes.find(selected); it != m_nodes.end())
        it->second->setSelected(true);
    m_scene->blockSignals(blocked);

    // Keep the emphasis of a query on the nodes that are still there.
    std::set<QString> highlighted = m_highlighted;
    setHighlighted(highlighted);

    if (resetView) {
        resetTransform();
        const QRectF r = m_scene->sceneRect();
        const double fit = std::min(viewport()->width() / std::max(1.0, r.width()),
                                    viewport()->height() / std::max(1.0, r.height()));
        if (fit >= 0.55) {
            fitAll();
        } else {
            setZoom(0.85);
            if (auto it = m_nodes.find(focusKey); it != m_nodes.end())
                centerOn(it->second);
        }
    }
    std::vector<LineageNodeItem *> items = nodeItems();
    m_minimap->rebuild(items, m_scene->sceneRect());
    updateMinimap();
    if (selected != selectedKey())
        emit nodeSelected(selectedKey());
}

bool LineageView::selectNode(const QString &key, bool centre)
{
    auto it = m_nodes.find(key);
    if (it == m_nodes.end())
        return false;
    const bool blocked = m_scene->blockSignals(true);
    m_scene->clearSelection();
    it->second->setSelected(true);
    m_scene->blockSignals(blocked);
    if (centre)
        centerOn(it->second);
    emit nodeSelected(key);
    return true;
}

QString LineageView::selectedKey() const
{
    const QList<QGraphicsItem *> items = m_scene->selectedItems();
    for (QGraphicsItem *i : items)
        if (auto *n = dynamic_cast<LineageNodeItem *>(i))
            return n->key();
    return {};
}

void LineageView::selectionChanged() { emit nodeSelected(selectedKey()); }

void LineageView::setHighlighted(const std::set<QString> &keys)
{
    m_highlighted.clear();
    for (const QString &k : keys)
        if (m_nodes.count(k))
            m_highlighted.insert(k);
    const bool any = !keys.empty();
    for (auto &[key, item] : m_nodes)
        item->setEmphasis(!any ? LineageNodeItem::Emphasis::Normal
                          : m_highlighted.count(key) ? LineageNodeItem::Emphasis::Highlighted
                                                     : LineageNodeItem::Emphasis::Dimmed);
    for (auto &[key, item] : m_edges) {
        const bool on = any && m_highlighted.count(item->fromNode()->key())
                        && m_highlighted.count(item->toNode()->key());
        item->setHighlighted(on);
        item->setOpacity(any && !on ? 0.3 : 1.0);
    }
    if (any)
        m_highlighted = keys; // remembered as asked, for nodes that appear later
}

LineageNodeItem *LineageView::nodeItem(const QString &key) const
{
    auto it = m_nodes.find(key);
    return it == m_nodes.end() ? nullptr : it->second;
}

std::vector<LineageNodeItem *> LineageView::nodeItems() const
{
    std::vector<LineageNodeItem *> out;
    out.reserve(m_nodes.size());
    for (const auto &[key, item] : m_nodes)
        out.push_back(item);
    return out;
}

std::vector<LineageEdgeItem *> LineageView::edgeItems() const
{
    std::vector<LineageEdgeItem *> out;
    out.reserve(m_edges.size());
    for (const auto &[key, item] : m_edges)
        out.push_back(item);
    return out;
}

double LineageView::zoom() const { return transform().m11(); }

void LineageView::setZoom(double factor)
{
    factor = std::clamp(factor, 0.01, 6.0);
    const double current = zoom();
    if (current > 0.0)
        scale(factor / current, factor / current);
    updateMinimap();
}

void LineageView::zoomIn()
{
    const auto anchor = transformationAnchor();
    setTransformationAnchor(QGraphicsView::AnchorViewCenter);
    setZoom(zoom() * 1.25);
    setTransformationAnchor(anchor);
}

void LineageView::zoomOut()
{
    const auto anchor = transformationAnchor();
    setTransformationAnchor(QGraphicsView::AnchorViewCenter);
    setZoom(zoom() / 1.25);
    setTransformationAnchor(anchor);
}

void LineageView::fitAll()
{
    const QRectF r = m_scene->sceneRect();
    if (r.isEmpty())
        return;
    fitInView(r, Qt::KeepAspectRatio);
    // A small graph is enlarged a little, not blown up.
    if (zoom() > 1.3)
        setZoom(1.3);
    centerOn(r.center());
    updateMinimap();
}

void LineageView::wheelEvent(QWheelEvent *event)
{
    const double steps = event->angleDelta().y() / 120.0;
    if (steps == 0.0) {
        QGraphicsView::wheelEvent(event);
        return;
    }
    setZoom(zoom() * std::pow(1.15, steps));
    event->accept();
}

void LineageView::keyPressEvent(QKeyEvent *event)
{
    // Enter opens or closes the selected node, like a double-click.
    if ((event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter)
        && !selectedKey().isEmpty()) {
        emit nodeActivated(selectedKey());
        event->accept();
        return;
    }
    QGraphicsView::keyPressEvent(event);
}

LineageNodeItem *LineageView::nodeAt(const QPoint &viewPos) const
{
    const QList<QGraphicsItem *> hits = items(viewPos);
    for (QGraphicsItem *i : hits)
        if (auto *n = dynamic_cast<LineageNodeItem *>(i))
            return n;
    return nullptr;
}

void LineageView::mouseDoubleClickEvent(QMouseEvent *event)
{
    if (LineageNodeItem *n = nodeAt(event->pos())) {
        emit nodeActivated(n->key());
        event->accept();
        return;
    }
    QGraphicsView::mouseDoubleClickEvent(event);
}

void LineageView::contextMenuEvent(QContextMenuEvent *event)
{
    LineageNodeItem *n = nodeAt(event->pos());
    if (n && !n->isSelected())
        selectNode(n->key(), false);
    emit nodeContextMenu(n ? n->key() : QString(), event->globalPos());
    event->accept();
}

void LineageView::resizeEvent(QResizeEvent *event)
{
    QGraphicsView::resizeEvent(event);
    placeMinimap();
    updateMinimap();
}

void LineageView::scrollContentsBy(int dx, int dy)
{
    QGraphicsView::scrollContentsBy(dx, dy);
    updateMinimap();
}

bool LineageView::isMinimapShown() const { return m_minimap->isVisible(); }

void LineageView::placeMinimap()
{
    const QSize vs = viewport()->size();
    const QRectF sr = m_scene->sceneRect();
    const double side = std::clamp(std::min(vs.width(), vs.height()) * 0.25, 90.0, 200.0);
    const double aspect = sr.isEmpty() ? 1.0 : sr.width() / sr.height();
    const int w = static_cast<int>(aspect >= 1.0 ? side : side * std::max(aspect, 0.3));
    const int h = static_cast<int>(aspect >= 1.0 ? side / std::min(aspect, 3.0) : side);
    m_minimap->setGeometry(viewport()->x() + vs.width() - w - 10,
                           viewport()->y() + vs.height() - h - 10, w, h);
}

void LineageView::updateMinimap()
{
    if (!m_minimap)
        return;
    const QRectF visibleRect = mapToScene(viewport()->rect()).boundingRect();
    const QRectF sr = m_scene->sceneRect();
    // Shown when the graph does not fit: that is when one needs to know where one is.
    const bool show = !m_nodes.empty() && !visibleRect.contains(sr.adjusted(30, 30, -30, -30));
    if (show != m_minimap->isVisible()) {
        m_minimap->setVisible(show);
        if (show)
            placeMinimap();
    }
    if (show)
        m_minimap->setViewportRect(visibleRect);
}

QImage LineageView::renderImage(int maxSide) const
{
    const QRectF r = m_scene->sceneRect();
    const double scale = std::min(2.0, maxSide / std::max(1.0, std::max(r.width(), r.height())));
    QImage image(QSize(std::max(1, static_cast<int>(r.width() * scale)),
                       std::max(1, static_cast<int>(r.height() * scale))),
                 QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::white);
    QPainter p(&image);
    p.setRenderHint(QPainter::Antialiasing);
    p.setRenderHint(QPainter::TextAntialiasing);
    m_scene->render(&p, QRectF(QPointF(0, 0), QSizeF(image.size())), r);
    return image;
}

bool LineageView::writeSvg(const QString &path, const QString &title) const
{
    const QRectF r = m_scene->sceneRect();
    QSvgGenerator svg;
    svg.setFileName(path);
    svg.setTitle(title);
    svg.setSize(r.size().toSize());
    svg.setViewBox(QRectF(QPointF(0, 0), r.size()));
    QPainter p;
    if (!p.begin(&svg))
        return false;
    p.fillRect(QRectF(QPointF(0, 0), r.size()), Qt::white);
    m_scene->render(&p, QRectF(QPointF(0, 0), r.size()), r);
    return p.end();
}

// --- minimap ---

LineageMinimap::LineageMinimap(LineageView *view) : QWidget(view), m_view(view)
{
    setCursor(Qt::PointingHandCursor);
    setAttribute(Qt::WA_OpaquePaintEvent);
}

QRectF LineageMinimap::mapToMini(const QRectF &r) const
{
    if (m_sceneRect.isEmpty())
        return {};
    const double sx = (width() - 2.0) / m_sceneRect.width();
    const double sy = (height() - 2.0) / m_sceneRect.height();
    const double s = std::min(sx, sy);
    const double ox = 1.0 + (width() - 2.0 - m_sceneRect.width() * s) / 2.0;
    const double oy = 1.0 + (height() - 2.0 - m_sceneRect.height() * s) / 2.0;
    return QRectF(ox + (r.left() - m_sceneRect.left()) * s, oy + (r.top() - m_sceneRect.top()) * s,
                  r.width() * s, r.height() * s);
}

void LineageMinimap::rebuild(const std::vector<LineageNodeItem *> &nodes,
                             const QRectF &sceneRect)
{
    m_sceneRect = sceneRect;
    // Drawn at twice the widget's largest size, so that the picture survives a resize.
    const double s = 400.0 / std::max(1.0, std::max(sceneRect.width(), sceneRect.height()));
    QPixmap pm(QSize(std::max(1, static_cast<int>(sceneRect.width() * s)),
                     std::max(1, static_cast<int>(sceneRect.height() * s))));
    pm.fill(Qt::white);
    QPainter p(&pm);
    p.scale(s, s);
    p.translate(-sceneRect.topLeft());
    p.setPen(Qt::NoPen);
    for (LineageNodeItem *n : nodes) {
        p.setBrush(n->isDrifted() ? QColor(0xd9, 0x3b, 0x2b) : styleOf(n->kind()).ink);
        const QSizeF ns = n->size();
        p.drawRect(QRectF(n->pos() - QPointF(ns.width() / 2, ns.height() / 2), ns));
    }
    p.end();
    m_picture = pm;
    update();
}

void LineageMinimap::setViewportRect(const QRectF &sceneRect)
{
    m_viewport = sceneRect;
    update();
}

void LineageMinimap::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.fillRect(rect(), QColor(255, 255, 255, 240));
    p.drawPixmap(mapToMini(m_sceneRect), m_picture, QRectF(m_picture.rect()));
    p.setPen(QPen(QColor(0x1f, 0x6f, 0xeb), 1.5));
    p.setBrush(QColor(0x1f, 0x6f, 0xeb, 40));
    p.drawRect(mapToMini(m_viewport).intersected(QRectF(rect())).adjusted(0.5, 0.5, -0.5, -0.5));
    p.setPen(QColor(0x9a, 0xa0, 0xa8));
    p.setBrush(Qt::NoBrush);
    p.drawRect(QRectF(rect()).adjusted(0.5, 0.5, -0.5, -0.5));
}

void LineageMinimap::moveTo(const QPoint &pos)
{
    const QRectF whole = mapToMini(m_sceneRect);
    if (whole.isEmpty())
        return;
    const double fx = (pos.x() - whole.left()) / whole.width();
    const double fy = (pos.y() - whole.top()) / whole.height();
    m_view->centerOn(m_sceneRect.left() + fx * m_sceneRect.width(),
                     m_sceneRect.top() + fy * m_sceneRect.height());
}

void LineageMinimap::mousePressEvent(QMouseEvent *event) { moveTo(event->pos()); }

void LineageMinimap::mouseMoveEvent(QMouseEvent *event)
{
    if (event->buttons() & Qt::LeftButton)
        moveTo(event->pos());
}

} // namespace sightline
