// SPDX-License-Identifier: GPL-3.0-or-later
#include "parallelcoordinates.h"
#include "qtext.h"

#include "compareselection.h"
#include "runcolors.h"

#include <QActionGroup>
#include <QContextMenuEvent>
#include <QEvent>
#include <QHelpEvent>
#include <QKeyEvent>
#include <QMenu>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QToolTip>

#include <algorithm>
#include <cmath>

namespace sightline {

namespace {

constexpr double kMargin = 10.0;
constexpr double kRightMargin = 44.0;
constexpr double kTickLength = 5.0;
constexpr double kMissingGap = 24.0;   // from the bottom of an axis to the "missing" place
constexpr double kAxisHitHalfWidth = 10.0;
constexpr double kBrushHalfWidth = 8.0;
constexpr double kLineHitDistance = 6.0;
constexpr double kDragThreshold = 3.0;
constexpr double kMaxLabelWidth = 110.0;
constexpr int kMaxTicks = 6;
const QString kFilterSource = QStringLiteral("parallel");

double distanceToSegment(const QPointF &p, const QPointF &a, const QPointF &b)
{
    const QPointF ab = b - a;
    const double length2 = QPointF::dotProduct(ab, ab);
    double t = length2 > 0 ? QPointF::dotProduct(p - a, ab) / length2 : 0.0;
    t = std::clamp(t, 0.0, 1.0);
    const QPointF d = p - (a + t * ab);
    return std::hypot(d.x(), d.y());
}

QColor mix(const QColor &a, const QColor &b, double t)
{
    return QColor::fromRgbF(static_cast<float>(a.redF() * (1 - t) + b.redF() * t),
                            static_cast<float>(a.greenF() * (1 - t) + b.greenF() * t),
                            static_cast<float>(a.blueF() * (1 - t) + b.blueF() * t));
}

} // namespace

ParallelCoordinates::ParallelCoordinates(QWidget *parent) : QWidget(parent)
{
    setMouseTracking(true);
    setFocusPolicy(Qt::StrongFocus);
    setAttribute(Qt::WA_OpaquePaintEvent);
    retranslateUi();
}

ParallelCoordinates::~ParallelCoordinates() = default;

void ParallelCoordinates::setSelection(CompareSelection *selection)
{
    if (m_selection == selection)
        return;
    if (m_selection)
        disconnect(m_selection, nullptr, this, nullptr);
    m_selection = selection;
    if (m_selection) {
        connect(m_selection, &CompareSelection::activeChanged, this,
                qOverload<>(&ParallelCoordinates::update));
        connect(m_selection, &CompareSelection::currentRunChanged, this,
                qOverload<>(&ParallelCoordinates::update));
        // A new set of runs lifts every filter, ours included.
        connect(m_selection, &CompareSelection::runsChanged, this, [this] {
            if (m_brushes.empty())
                return;
            m_brushes.clear();
            m_passing.assign(m_runs.size(), true);
            emit brushesChanged();
            update();
        });
    }
    update();
}

CompareSelection *ParallelCoordinates::selection() const
{
    return m_selection;
}

void ParallelCoordinates::setRuns(std::vector<RunRecord> runs)
{
    m_runs = std::move(runs);
    m_runIds.clear();
    m_runIds.reserve(m_runs.size());
    for (const RunRecord &r : m_runs)
        m_runIds.push_back(qs(r.run.runId));
    m_hovered = -1;
    m_brushes.clear();
    rebuildAxes();
    applyFilter();
}

void ParallelCoordinates::setColumns(std::vector<RunColumn> columns)
{
    m_columns = std::move(columns);
    m_kinds.assign(m_columns.size(), std::nullopt);
    m_brushes.clear();
    rebuildAxes();
    applyFilter();
}

std::vector<RunColumn> ParallelCoordinates::columns() const
{
    return m_columns;
}

void ParallelCoordinates::setAxisKind(int axis, AxisKind kind)
{
    if (axis < 0 || axis >= axisCount())
        return;
    m_kinds[size_t(axis)] = kind;
    rebuildAxis(axis);
    m_brushes.erase(axis);
    applyFilter();
    emit axesChanged();
}

void ParallelCoordinates::resetAxisKind(int axis)
{
    if (axis < 0 || axis >= axisCount())
        return;
    m_kinds[size_t(axis)].reset();
    rebuildAxis(axis);
    m_brushes.erase(axis);
    applyFilter();
    emit axesChanged();
}

void ParallelCoordinates::removeAxis(int axis)
{
    if (axis < 0 || axis >= axisCount())
        return;
    const auto at = static_cast<std::ptrdiff_t>(axis);
    m_columns.erase(m_columns.begin() + at);
    m_kinds.erase(m_kinds.begin() + at);
    m_axes.erase(m_axes.begin() + at);
    std::map<int, AxisBrush> shifted;
    for (const auto &[index, brush] : m_brushes)
        if (index != axis)
            shifted.emplace(index > axis ? index - 1 : index, brush);
    m_brushes = std::move(shifted);
    applyFilter();
    emit axesChanged();
}

QString ParallelCoordinates::runId(int run) const
{
    return run >= 0 && run < runCount() ? m_runIds[size_t(run)] : QString();
}

void ParallelCoordinates::setColourFunction(ColourFunction colour)
{
    m_colourFunction = std::move(colour);
    update();
}

void ParallelCoordinates::setRunColours(const QHash<QString, QColor> &colours)
{
    m_colours = colours;
    update();
}

QColor ParallelCoordinates::runColour(int run) const
{
    const QString id = runId(run);
    if (m_colourFunction) {
        const QColor c = m_colourFunction(id);
        if (c.isValid())
            return c;
    }
    const auto it = m_colours.constFind(id);
    if (it != m_colours.constEnd() && it->isValid())
        return *it;
    return runColor(run);
}

QColor ParallelCoordinates::fadedColour() const
{
    return inactiveRunColor();
}

void ParallelCoordinates::setBrush(int axis, const AxisBrush &brush)
{
    if (axis < 0 || axis >= axisCount())
        return;
    AxisBrush b = brush;
    b.low = std::clamp(std::min(brush.low, brush.high), 0.0, 1.0);
    b.high = std::clamp(std::max(brush.low, brush.high), 0.0, 1.0);
    auto it = m_brushes.find(axis);
    if (it != m_brushes.end() && it->second == b)
        return;
    m_brushes[axis] = b;
    applyFilter();
}

void ParallelCoordinates::clearBrush(int axis)
{
    if (m_brushes.erase(axis) > 0)
        applyFilter();
}

void ParallelCoordinates::clearBrushes()
{
    if (m_brushes.empty())
        return;
    m_brushes.clear();
    applyFilter();
}

bool ParallelCoordinates::isRunHighlighted(int run) const
{
    if (run < 0 || run >= runCount())
        return false;
    if (size_t(run) < m_passing.size() && !m_passing[size_t(run)])
        return false;
    if (!m_selection || m_selection->runs().isEmpty())
        return true;
    return m_selection->isActive(m_runIds[size_t(run)]);
}

void ParallelCoordinates::rebuildAxes()
{
    m_axes = buildAxes(m_runs, m_columns, m_kinds);
    update();
}

void ParallelCoordinates::rebuildAxis(int axis)
{
    m_axes[size_t(axis)] = buildAxis(m_runs, m_columns[size_t(axis)], m_kinds[size_t(axis)]);
    update();
}

void ParallelCoordinates::applyFilter()
{
    m_passing = runsPassingBrushes(m_axes, m_brushes, m_runs.size());
    if (m_selection) {
        if (m_brushes.empty()) {
            m_selection->clearFilter(kFilterSource);
        } else {
            QSet<QString> kept;
            for (size_t i = 0; i < m_runs.size(); ++i)
                if (m_passing[i])
                    kept.insert(m_runIds[i]);
            m_selection->setFilter(kFilterSource, kept);
        }
    }
    emit brushesChanged();
    update();
}

// --- geometry ---

double ParallelCoordinates::axisTop() const
{
    const QFontMetricsF fm(font());
    return kMargin + 2 * fm.height() + 8 + fm.height() / 2;
}

double ParallelCoordinates::axisBottom() const
{
    const QFontMetricsF fm(font());
    return std::max(axisTop() + 20, height() - kMargin - fm.height() / 2 - kMissingGap);
}

double ParallelCoordinates::missingY() const
{
    return axisBottom() + kMissingGap;
}

double ParallelCoordinates::plotLeft() const
{
    // Room for the first axis's tick labels, which sit on its left.
    const QFontMetricsF fm(font());
    double widest = fm.horizontalAdvance(m_missingText);
    if (!m_axes.empty())
        for (const AxisTick &t : axisTicks(m_axes.front(), kMaxTicks))
            widest = std::max(widest, fm.horizontalAdvance(qs(t.label)));
    return kMargin + std::min(widest, kMaxLabelWidth) + kTickLength + 6;
}

double ParallelCoordinates::plotRight() const
{
    return std::max(plotLeft() + 1, width() - kRightMargin);
}

double ParallelCoordinates::axisX(int axis) const
{
    const int n = axisCount();
    if (n <= 1)
        return (plotLeft() + plotRight()) / 2;
    return plotLeft() + axis * (plotRight() - plotLeft()) / (n - 1);
}

double ParallelCoordinates::positionToY(double position) const
{
    return axisBottom() - position * (axisBottom() - axisTop());
}

double ParallelCoordinates::yToPosition(double y) const
{
    const double span = axisBottom() - axisTop();
    return span > 0 ? (axisBottom() - y) / span : 0.0;
}

double ParallelCoordinates::valueToY(int axis, double value) const
{
    if (axis < 0 || axis >= axisCount())
        return std::nan("");
    return positionToY(m_axes[size_t(axis)].positionOf(value));
}

double ParallelCoordinates::categoryToY(int axis, const QString &category) const
{
    if (axis < 0 || axis >= axisCount())
        return std::nan("");
    const CompareAxis &a = m_axes[size_t(axis)];
    const std::string key = category.toStdString();
    const auto it = std::find(a.categories.begin(), a.categories.end(), key);
    if (it == a.categories.end())
        return std::nan("");
    return positionToY(a.categoryPosition(static_cast<int>(it - a.categories.begin())));
}

double ParallelCoordinates::yOf(int axis, int run) const
{
    const double p = m_axes[size_t(axis)].positions[size_t(run)];
    return std::isnan(p) ? missingY() : positionToY(p);
}

QRectF ParallelCoordinates::titleRect(int axis) const
{
    const QFontMetricsF fm(font());
    const int n = axisCount();
    const double spacing = n > 1 ? (plotRight() - plotLeft()) / (n - 1) : plotRight() - plotLeft();
    const double w = std::max(40.0, std::min(spacing - 8, 220.0));
    double left = axisX(axis) - w / 2;
    left = std::clamp(left, 2.0, std::max(2.0, width() - w - 2));
    return QRectF(left, kMargin, w, 2 * fm.height());
}

int ParallelCoordinates::titleAt(const QPointF &pos) const
{
    for (int i = 0; i < axisCount(); ++i)
        if (titleRect(i).contains(pos))
            return i;
    return -1;
}

int ParallelCoordinates::axisAt(const QPointF &pos) const
{
    if (pos.y() < axisTop() - kAxisHitHalfWidth || pos.y() > axisBottom() + kAxisHitHalfWidth)
        return titleAt(pos);
    for (int i = 0; i < axisCount(); ++i)
        if (std::abs(pos.x() - axisX(i)) <= kAxisHitHalfWidth)
            return i;
    return -1;
}

int ParallelCoordinates::runAt(const QPointF &pos) const
{
    const int n = axisCount();
    if (n == 0 || m_runs.empty())
        return -1;
    if (pos.x() < axisX(0) - kLineHitDistance || pos.x() > axisX(n - 1) + kLineHitDistance)
        return -1;
    int segment = 0;
    while (segment + 1 < n - 1 && pos.x() > axisX(segment + 1))
        ++segment;
    int best = -1;
    double bestDistance = kLineHitDistance;
    for (int r = 0; r < runCount(); ++r) {
        double d;
        if (n == 1) {
            d = std::hypot(pos.x() - axisX(0), pos.y() - yOf(0, r));
        } else {
            const QPointF a(axisX(segment), yOf(segment, r));
            const QPointF b(axisX(segment + 1), yOf(segment + 1, r));
            d = distanceToSegment(pos, a, b);
        }
        // Prefer the lines drawn in colour where faint ones pass as close.
        if (!isRunHighlighted(r))
            d += 2.0;
        if (d <= bestDistance) {
            bestDistance = d;
            best = r;
        }
    }
    return best;
}

QSize ParallelCoordinates::sizeHint() const
{
    return QSize(720, 380);
}

QSize ParallelCoordinates::minimumSizeHint() const
{
    return QSize(240, 200);
}

// --- text ---

void ParallelCoordinates::retranslateUi()
{
    m_emptyText = tr("No runs to compare.");
    m_noAxesText = tr("Choose params and metrics to show as axes.");
    m_missingText = tr("missing");
    setAccessibleName(tr("Parallel coordinates"));
    setAccessibleDescription(tr("Drag on an axis to brush a range; Esc clears the brushes."));
    update();
}

QString ParallelCoordinates::axisSubtitle(int axis) const
{
    const CompareAxis &a = m_axes[size_t(axis)];
    QString text;
    switch (a.column.kind) {
    case RunColumn::Kind::Param:
        text = tr("param");
        break;
    case RunColumn::Kind::Tag:
        text = tr("tag");
        break;
    case RunColumn::Kind::Attribute:
        text = tr("attribute");
        break;
    case RunColumn::Kind::Metric:
        switch (a.column.aggregate) {
        case RunColumn::Aggregate::Last:
            text = tr("metric, last");
            break;
        case RunColumn::Aggregate::Min:
            text = tr("metric, min");
            break;
        case RunColumn::Aggregate::Max:
            text = tr("metric, max");
            break;
        }
        break;
    }
    if (a.kind == AxisKind::Log)
        text = tr("%1 · log").arg(text);
    return text;
}

QString ParallelCoordinates::titleToolTip(int axis) const
{
    const CompareAxis &a = m_axes[size_t(axis)];
    QString kind;
    switch (a.kind) {
    case AxisKind::Numeric:
        kind = tr("linear");
        break;
    case AxisKind::Log:
        kind = tr("logarithmic");
        break;
    case AxisKind::Categorical:
        kind = tr("categorical");
        break;
    }
    return tr("%1 (%2 axis). Right-click to change the scale or remove the axis.")
        .arg(qs(a.column.title()), kind);
}

QString ParallelCoordinates::runToolTip(int run) const
{
    const Run &r = m_runs[size_t(run)].run;
    const QString name = qs(r.runName.empty() ? r.runId : r.runName);
    QString html = QStringLiteral("<b>%1</b><table>").arg(name.toHtmlEscaped());
    for (const CompareAxis &a : m_axes) {
        const std::string &text = a.texts[size_t(run)];
        const QString value = text.empty() ? m_missingText : qs(text);
        html += QStringLiteral("<tr><td>%1</td><td>&nbsp;%2</td></tr>")
                    .arg(qs(a.column.title()).toHtmlEscaped(), value.toHtmlEscaped());
    }
    return html + QStringLiteral("</table>");
}

// --- painting ---

void ParallelCoordinates::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.fillRect(rect(), palette().color(QPalette::Base));
    const QColor text = palette().color(QPalette::Text);
    if (m_runs.empty() || m_axes.empty()) {
        p.setPen(mix(palette().color(QPalette::Base), text, 0.6));
        p.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap,
                   m_runs.empty() ? m_emptyText : m_noAxesText);
        return;
    }
    p.setRenderHint(QPainter::Antialiasing);

    const int n = axisCount();
    std::vector<QPointF> points(static_cast<size_t>(n));
    auto drawRun = [&](int r, const QPen &pen) {
        for (int a = 0; a < n; ++a)
            points[size_t(a)] = QPointF(axisX(a), yOf(a, r));
        p.setPen(pen);
        if (n == 1)
            p.drawPoint(points[0]);
        else
            p.drawPolyline(points.data(), n);
    };

    // Faint lines under the coloured ones; the current and hovered runs on top.
    const int current = m_selection ? static_cast<int>(std::find(m_runIds.begin(), m_runIds.end(),
                                                                 m_selection->currentRun())
                                                       - m_runIds.begin())
                                    : -1;
    const double width = m_runs.size() <= 50 ? 2.0 : m_runs.size() <= 300 ? 1.5 : 1.0;
    QPen faded(fadedColour(), 1.0);
    faded.setCapStyle(Qt::RoundCap);
    faded.setJoinStyle(Qt::RoundJoin);
    for (int r = 0; r < runCount(); ++r)
        if (!isRunHighlighted(r))
            drawRun(r, faded);
    for (int r = 0; r < runCount(); ++r) {
        if (isRunHighlighted(r) && r != current && r != m_hovered) {
            QPen pen(runColour(r), width);
            pen.setJoinStyle(Qt::RoundJoin);
            drawRun(r, pen);
        }
    }
    for (int r : {current, m_hovered}) {
        if (r < 0 || r >= runCount())
            continue;
        QPen pen(isRunHighlighted(r) ? runColour(r) : fadedColour().darker(130), width + 1.5);
        pen.setJoinStyle(Qt::RoundJoin);
        drawRun(r, pen);
    }

    for (int a = 0; a < n; ++a)
        drawAxis(p, a);
    for (int a = 0; a < n; ++a)
        drawTitle(p, a);
}

void ParallelCoordinates::drawAxis(QPainter &p, int index) const
{
    const CompareAxis &a = m_axes[size_t(index)];
    const QColor text = palette().color(QPalette::Text);
    const QColor base = palette().color(QPalette::Base);
    const QFontMetricsF fm(font());
    const double x = axisX(index);
    const double top = axisTop();
    const double bottom = axisBottom();

    p.setPen(QPen(text, 1.2));
    p.drawLine(QPointF(x, top), QPointF(x, bottom));

    // Tick labels sit left of the axis, on a light halo so lines under them do not hide them.
    const int n = axisCount();
    const double spacing = n > 1 ? (plotRight() - plotLeft()) / (n - 1) : kMaxLabelWidth * 2;
    const double labelWidth = std::max(24.0, std::min(kMaxLabelWidth, spacing - 30));
    std::vector<AxisTick> ticks = axisTicks(a, kMaxTicks);
    size_t stride = 1;
    if (ticks.size() > 1) {
        const double gap = (bottom - top) / double(ticks.size() - 1);
        stride = static_cast<size_t>(std::ceil(fm.height() / std::max(1.0, gap)));
        stride = std::max<size_t>(1, stride);
    }
    QColor halo = base;
    halo.setAlpha(210);
    auto label = [&](double y, const QString &s, const QColor &colour) {
        const QString shown = fm.elidedText(s, Qt::ElideRight, labelWidth);
        const double w = fm.horizontalAdvance(shown);
        const QRectF box(x - kTickLength - 3 - w, y - fm.height() / 2, w, fm.height());
        p.fillRect(box.adjusted(-1, 0, 1, 0), halo);
        p.setPen(colour);
        p.drawText(box, Qt::AlignRight | Qt::AlignVCenter, shown);
    };
    for (size_t i = 0; i < ticks.size(); i += stride) {
        const double y = positionToY(ticks[i].position);
        if (std::isnan(y))
            continue;
        p.setPen(QPen(text, 1.0));
        p.drawLine(QPointF(x - kTickLength, y), QPointF(x, y));
        label(y, qs(ticks[i].label), text);
    }

    // The place of runs without a value: below the axis, apart from it.
    bool anyMissing = false;
    for (size_t r = 0; r < m_runs.size() && !anyMissing; ++r)
        anyMissing = a.isMissing(r);
    if (anyMissing) {
        const double my = missingY();
        const QColor muted = mix(base, text, 0.55);
        QPen dashed(muted, 1.0, Qt::DotLine);
        p.setPen(dashed);
        p.drawLine(QPointF(x, bottom + 4), QPointF(x, my - 4));
        p.setPen(QPen(muted, 1.2));
        p.setBrush(base);
        p.drawEllipse(QPointF(x, my), 3.5, 3.5);
        p.setBrush(Qt::NoBrush);
        label(my, m_missingText, muted);
    }

    auto it = m_brushes.find(index);
    if (it != m_brushes.end()) {
        const AxisBrush &b = it->second;
        const QColor highlight = palette().color(QPalette::Highlight);
        QColor fill = highlight;
        fill.setAlpha(50);
        const QRectF box(QPointF(x - kBrushHalfWidth, positionToY(b.high)),
                         QPointF(x + kBrushHalfWidth, positionToY(b.low)));
        p.setPen(QPen(highlight, 1.5));
        p.setBrush(fill);
        p.drawRoundedRect(box.adjusted(0, -1, 0, 1), 2, 2);
        p.setBrush(Qt::NoBrush);
    }
}

void ParallelCoordinates::drawTitle(QPainter &p, int index) const
{
    const CompareAxis &a = m_axes[size_t(index)];
    const QRectF r = titleRect(index);
    const QFontMetricsF fm(font());
    QFont bold = font();
    bold.setBold(true);
    const QFontMetricsF boldMetrics(bold);
    p.setFont(bold);
    p.setPen(palette().color(QPalette::Text));
    const QString key = qs(a.column.key);
    p.drawText(QRectF(r.left(), r.top(), r.width(), fm.height()), Qt::AlignCenter,
               boldMetrics.elidedText(key, Qt::ElideMiddle, r.width()));
    p.setFont(font());
    p.setPen(mix(palette().color(QPalette::Base), palette().color(QPalette::Text), 0.6));
    p.drawText(QRectF(r.left(), r.top() + fm.height(), r.width(), fm.height()), Qt::AlignCenter,
               fm.elidedText(axisSubtitle(index), Qt::ElideRight, r.width()));
}

// --- interaction ---

void ParallelCoordinates::setHovered(int run)
{
    if (run == m_hovered)
        return;
    m_hovered = run;
    update();
}

void ParallelCoordinates::mousePressEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton) {
        QWidget::mousePressEvent(event);
        return;
    }
    const QPointF pos = event->position();
    m_pressPos = pos;
    m_moved = false;
    m_drag = Drag::Click;
    m_dragAxis = -1;
    const bool onTitle = titleAt(pos) >= 0;
    const int axis = onTitle ? -1 : axisAt(pos);
    if (axis >= 0) {
        const double at = std::clamp(yToPosition(pos.y()), 0.0, 1.0);
        m_dragAxis = axis;
        auto it = m_brushes.find(axis);
        if (it != m_brushes.end() && at >= it->second.low - 0.01 && at <= it->second.high + 0.01) {
            m_drag = Drag::Moving;
            m_dragOffset = at - it->second.low;
        } else {
            m_drag = Drag::Creating;
            m_dragAnchor = at;
        }
    }
    event->accept();
}

void ParallelCoordinates::mouseMoveEvent(QMouseEvent *event)
{
    const QPointF pos = event->position();
    if (m_drag == Drag::None || !(event->buttons() & Qt::LeftButton)) {
        const int axis = axisAt(pos);
        const int run = axis >= 0 ? -1 : runAt(pos);
        setHovered(run);
        if (axis >= 0 && titleAt(pos) < 0)
            setCursor(Qt::SizeVerCursor);
        else if (run >= 0)
            setCursor(Qt::PointingHandCursor);
        else
            unsetCursor();
        return;
    }
    if (!m_moved && QLineF(m_pressPos, pos).length() < kDragThreshold)
        return;
    m_moved = true;
    const double at = std::clamp(yToPosition(pos.y()), 0.0, 1.0);
    if (m_drag == Drag::Creating) {
        AxisBrush b;
        b.low = std::min(m_dragAnchor, at);
        b.high = std::max(m_dragAnchor, at);
        setBrush(m_dragAxis, b);
    } else if (m_drag == Drag::Moving) {
        auto it = m_brushes.find(m_dragAxis);
        if (it != m_brushes.end()) {
            AxisBrush b = it->second;
            const double span = b.high - b.low;
            b.low = std::clamp(at - m_dragOffset, 0.0, 1.0 - span);
            b.high = b.low + span;
            setBrush(m_dragAxis, b);
        }
    }
    event->accept();
}

void ParallelCoordinates::mouseReleaseEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton || m_drag == Drag::None) {
        QWidget::mouseReleaseEvent(event);
        return;
    }
    const Drag drag = m_drag;
    m_drag = Drag::None;
    if (m_moved) {
        event->accept();
        return;
    }
    if (drag == Drag::Creating) {
        // A click on an axis outside its brush lifts the brush.
        clearBrush(m_dragAxis);
    } else if (drag == Drag::Click) {
        const int run = runAt(event->position());
        if (run >= 0 && m_selection)
            m_selection->setCurrentRun(m_runIds[size_t(run)]);
    }
    event->accept();
}

void ParallelCoordinates::leaveEvent(QEvent *event)
{
    setHovered(-1);
    QWidget::leaveEvent(event);
}

void ParallelCoordinates::keyPressEvent(QKeyEvent *event)
{
    if (event->key() == Qt::Key_Escape && !m_brushes.empty()) {
        clearBrushes();
        event->accept();
        return;
    }
    QWidget::keyPressEvent(event);
}

QMenu *ParallelCoordinates::createAxisMenu(int axis)
{
    if (axis < 0 || axis >= axisCount())
        return nullptr;
    const CompareAxis &a = m_axes[size_t(axis)];
    auto *menu = new QMenu(this);
    auto *group = new QActionGroup(menu);
    auto addKind = [&](const QString &text, AxisKind kind, bool allowed) {
        QAction *action = menu->addAction(text);
        action->setCheckable(true);
        action->setChecked(a.kind == kind);
        action->setEnabled(allowed);
        action->setData(static_cast<int>(kind));
        group->addAction(action);
        connect(action, &QAction::triggered, this, [this, axis, kind] { setAxisKind(axis, kind); });
    };
    addKind(tr("&Linear"), AxisKind::Numeric, a.numericPossible);
    addKind(tr("L&ogarithmic"), AxisKind::Log, a.logPossible);
    addKind(tr("&Categorical"), AxisKind::Categorical, true);
    QAction *automatic = menu->addAction(tr("&Automatic"));
    automatic->setEnabled(m_kinds[size_t(axis)].has_value());
    connect(automatic, &QAction::triggered, this, [this, axis] { resetAxisKind(axis); });
    menu->addSeparator();
    QAction *clear = menu->addAction(tr("Clear &Brush"));
    clear->setEnabled(m_brushes.count(axis) > 0);
    connect(clear, &QAction::triggered, this, [this, axis] { clearBrush(axis); });
    QAction *remove = menu->addAction(tr("&Remove Axis"));
    connect(remove, &QAction::triggered, this, [this, axis] { removeAxis(axis); });
    return menu;
}

void ParallelCoordinates::contextMenuEvent(QContextMenuEvent *event)
{
    const int axis = axisAt(event->pos());
    QMenu *menu = createAxisMenu(axis);
    if (!menu) {
        QWidget::contextMenuEvent(event);
        return;
    }
    menu->setAttribute(Qt::WA_DeleteOnClose);
    menu->popup(event->globalPos());
    event->accept();
}

void ParallelCoordinates::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    else if (event->type() == QEvent::PaletteChange || event->type() == QEvent::FontChange)
        update();
    QWidget::changeEvent(event);
}

bool ParallelCoordinates::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const QPointF pos = help->pos();
        QString text;
        if (const int title = titleAt(pos); title >= 0) {
            text = titleToolTip(title);
        } else if (axisAt(pos) < 0) {
            if (const int run = runAt(pos); run >= 0)
                text = runToolTip(run);
        }
        if (text.isEmpty()) {
            QToolTip::hideText();
            event->ignore();
        } else {
            QToolTip::showText(help->globalPos(), text, this);
        }
        return true;
    }
    return QWidget::event(event);
}

} // namespace sightline
