// SPDX-License-Identifier: GPL-3.0-or-later
#include "metricchart.h"

#include "compare/grouping.h"
#include "compare/rasterize.h"
#include "query/columns.h"
#include "runcolors.h"
#include "util/csvfield.h"

#include <qcustomplot.h>

#include <QContextMenuEvent>
#include <QElapsedTimer>
#include <QFile>
#include <QFileDialog>
#include <QMenu>
#include <QSvgGenerator>
#include <QToolTip>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <cfloat>
#include <xmmintrin.h>
#include <cmath>

namespace sightline {

// Draws the curves of a MetricChart as filled pixel-column spans (or, for vector output, as
// one vertical line per column). Lives on the plot's main layer, under the axes.
class CurveLayer : public QCPLayerable {
public:
    CurveLayer(QCustomPlot *plot, MetricChart *chart)
        : QCPLayerable(plot, QStringLiteral("main")), m_chart(chart)
    {
    }

    // The spans of the last frame, per curve, for hover and hit tests.
    struct Drawn {
        int curve = -1;
        ColumnSpans spans;
    };
    std::vector<Drawn> drawn;
    double dpr = 1.0;
    QRect rect;
    double drawMs = 0.0;
    // Kept between frames: a new 3 MB buffer and image per frame would cost page faults.
    std::vector<uint32_t> buffer;
    QImage image;

protected:
    void applyDefaultAntialiasingHint(QCPPainter *painter) const override
    {
        painter->setAntialiasing(false);
    }
    QRect clipRect() const override { return mParentPlot->axisRect()->rect(); }
    void draw(QCPPainter *painter) override;

private:
    struct Job {
        const SeriesLod *series;
        QRgb color;
        double xOffset;
        int curve;  // for hover; -1 for faint copies
        bool thick;
    };
    std::vector<Job> jobs() const;
    void fill(const std::vector<Job> &jobs, const PlotFrame &frame, int begin, int end,
              std::vector<uint32_t> &buffer);
    void drawMarkers(QCPPainter *painter, const PlotFrame &frame);
    void drawVector(QCPPainter *painter, const std::vector<Job> &jobs, const PlotFrame &frame);

    MetricChart *m_chart;
};

std::vector<CurveLayer::Job> CurveLayer::jobs() const
{
    std::vector<Job> out;
    const auto &curves = m_chart->m_curves;
    const bool grouped = !m_chart->m_groups.empty();
    if (grouped && !m_chart->m_traces)
        return out;
    // Inactive runs first (grey, under everything), then faint raw curves under smoothed ones,
    // then the curves, and the current run last and thick.
    for (int i = 0; i < int(curves.size()); ++i)
        if (!curves[i].active && curves[i].series)
            out.push_back({curves[i].series.get(), inactiveRunColor().rgb(), curves[i].xOffset,
                           i, false});
    for (int i = 0; i < int(curves.size()); ++i) {
        const ChartCurve &c = curves[i];
        if (c.active && c.series && (c.smoothed || grouped))
            out.push_back({c.series.get(), fadedColor(c.color, grouped ? 0.45 : 0.3).rgb(),
                           c.xOffset, c.smoothed ? -1 : i, false});
    }
    int current = -1;
    for (int i = 0; i < int(curves.size()); ++i) {
        const ChartCurve &c = curves[i];
        if (!c.active || !c.series || (grouped && !c.smoothed))
            continue;
        if (c.runId == m_chart->m_current) {
            current = i;
            continue;
        }
        const SeriesLod *s = c.smoothed ? c.smoothed.get() : c.series.get();
        out.push_back({s, (grouped ? fadedColor(c.color, 0.6) : c.color).rgb(), c.xOffset, i,
                       false});
    }
    if (current >= 0) {
        const ChartCurve &c = curves[current];
        out.push_back({c.smoothed ? c.smoothed.get() : c.series.get(), c.color.rgb(), c.xOffset,
                       current, true});
    }
    return out;
}

void CurveLayer::fill(const std::vector<Job> &jobs, const PlotFrame &frame, int begin, int end,
                      std::vector<uint32_t> &buffer)
{
    // First every curve's spans, then the pixels block by block: a block of columns of the
    // buffer stays in cache while every curve is painted into it, in drawing order.
    for (size_t j = 0; j < jobs.size(); ++j) {
        PlotFrame f = frame;
        f.xOffset = jobs[j].xOffset;
        rasterizeSeries(*jobs[j].series, f, begin, end, drawn[j].spans);
    }
    const int h = frame.height;
    constexpr int kBlock = 32;
    for (int block = begin; block < end; block += kBlock) {
        const int blockEnd = std::min(end, block + kBlock);
        for (size_t j = 0; j < jobs.size(); ++j) {
            const ColumnSpans &spans = drawn[j].spans;
            const uint32_t color = jobs[j].color | 0xff000000u;
            const int grow = jobs[j].thick ? 1 : 0;
            for (int c = std::max(begin, block - grow); c < std::min(end, blockEnd + grow); ++c) {
                if (spans.empty(c))
                    continue;
                const int top = std::max(static_cast<int>(std::floor(spans.top[c])) - grow, 0);
                const int bottom =
                    std::min(static_cast<int>(std::floor(spans.bottom[c])) + grow, h - 1);
                for (int col = std::max(block, c - grow); col <= std::min(blockEnd - 1, c + grow);
                     ++col) {
                    uint32_t *p = buffer.data() + static_cast<size_t>(col) * h;
                    for (int y = top; y <= bottom; ++y)
                        p[y] = color;
                }
            }
        }
    }
}

void CurveLayer::draw(QCPPainter *painter)
{
    QElapsedTimer timer;
    timer.start();
    rect = mParentPlot->axisRect()->rect();
    const auto list = jobs();
    drawn.assign(list.size(), Drawn{});
    if (list.empty() || rect.width() < 2 || rect.height() < 2) {
        drawMs = timer.nsecsElapsed() / 1e6;
        return;
    }
    const int device = painter->device()->devType();
    const bool vector = painter->modes().testFlag(QCPPainter::pmVectorized)
        || (device != QInternal::Image && device != QInternal::Pixmap
            && device != QInternal::Widget);
    dpr = vector ? 1.0 : painter->device()->devicePixelRatioF();
    PlotFrame frame;
    const double scale = m_chart->xScale();
    const QCPRange xr = mParentPlot->xAxis->range(), yr = mParentPlot->yAxis->range();
    frame.xMin = xr.lower * scale;
    frame.xMax = xr.upper * scale;
    frame.yMin = yr.lower;
    frame.yMax = yr.upper;
    frame.logY = m_chart->m_logY;
    frame.axis = m_chart->m_xKind == ComparisonSet::XAxis::Step ? SeriesLod::XAxis::Step
                                                                  : SeriesLod::XAxis::Time;
    frame.width = std::max(1, static_cast<int>(std::lround(rect.width() * dpr)));
    frame.height = std::max(1, static_cast<int>(std::lround(rect.height() * dpr)));
    for (size_t j = 0; j < list.size(); ++j) {
        drawn[j].curve = list[j].curve;
        drawn[j].spans.reset(frame.width);
    }
    if (vector) {
        // Each job rasterized once over the whole width.
        for (size_t j = 0; j < list.size(); ++j) {
            PlotFrame f = frame;
            f.xOffset = list[j].xOffset;
            rasterizeSeries(*list[j].series, f, 0, f.width, drawn[j].spans);
        }
        drawVector(painter, list, frame);
        drawMarkers(painter, frame);
        drawMs = timer.nsecsElapsed() / 1e6;
        return;
    }
    buffer.resize(static_cast<size_t>(frame.width) * frame.height);
    if (image.width() != frame.width || image.height() != frame.height)
        image = QImage(frame.width, frame.height, QImage::Format_ARGB32_Premultiplied);
    // Column-major buffer to the image's rows for columns [x0, x1), in 4x4 tiles through SSE
    // registers, then whatever rows and columns are left.
    auto transpose = [&](int x0, int x1) {
        const int h = frame.height;
        auto *bits = image.bits();
        const qsizetype stride = image.bytesPerLine();
        auto row = [&](int y) { return reinterpret_cast<uint32_t *>(bits + y * stride); };
        int y = 0;
        for (; y + 4 <= h; y += 4) {
            uint32_t *r0 = row(y), *r1 = row(y + 1), *r2 = row(y + 2), *r3 = row(y + 3);
            int x = x0;
            for (; x + 4 <= x1; x += 4) {
                const uint32_t *src = buffer.data() + static_cast<size_t>(x) * h + y;
                __m128 c0 = _mm_loadu_ps(reinterpret_cast<const float *>(src));
                __m128 c1 = _mm_loadu_ps(reinterpret_cast<const float *>(src + h));
                __m128 c2 = _mm_loadu_ps(reinterpret_cast<const float *>(src + 2 * h));
                __m128 c3 = _mm_loadu_ps(reinterpret_cast<const float *>(src + 3 * h));
                _MM_TRANSPOSE4_PS(c0, c1, c2, c3);
                _mm_storeu_ps(reinterpret_cast<float *>(r0 + x), c0);
                _mm_storeu_ps(reinterpret_cast<float *>(r1 + x), c1);
                _mm_storeu_ps(reinterpret_cast<float *>(r2 + x), c2);
                _mm_storeu_ps(reinterpret_cast<float *>(r3 + x), c3);
            }
            for (; x < x1; ++x)
                for (int k = 0; k < 4; ++k)
                    row(y + k)[x] = buffer[static_cast<size_t>(x) * h + y + k];
        }
        for (; y < h; ++y)
            for (int x = x0; x < x1; ++x)
                row(y)[x] = buffer[static_cast<size_t>(x) * h + y];
    };
    // Columns split between two threads (at a multiple of four, so tiles stay whole): each
    // clears its half, draws every curve into it in order, and writes it to the image, so the
    // threads meet once per frame.
    auto half = [&](int x0, int x1) {
        std::fill(buffer.begin() + static_cast<qsizetype>(x0) * frame.height,
                  buffer.begin() + static_cast<qsizetype>(x1) * frame.height, 0u);
        fill(list, frame, x0, x1, buffer);
        transpose(x0, x1);
    };
    const int mid = frame.width / 2 / 4 * 4;
    auto right = QtConcurrent::run([&] { half(mid, frame.width); });
    half(0, mid);
    right.waitForFinished();
    image.setDevicePixelRatio(dpr);
    painter->drawImage(rect.topLeft(), image);
    drawMarkers(painter, frame);
    drawMs = timer.nsecsElapsed() / 1e6;
}

void CurveLayer::drawVector(QCPPainter *painter, const std::vector<Job> &list,
                            const PlotFrame &frame)
{
    for (size_t j = 0; j < list.size(); ++j) {
        const ColumnSpans &s = drawn[j].spans;
        QVector<QLineF> lines;
        lines.reserve(frame.width);
        for (int c = 0; c < frame.width; ++c) {
            if (s.empty(c))
                continue;
            const double top = std::clamp<double>(s.top[c], 0, frame.height);
            const double bottom = std::clamp<double>(s.bottom[c], 0, frame.height);
            if (bottom < 0 || top > frame.height)
                continue;
            lines.append(QLineF(rect.left() + c + 0.5, rect.top() + top, rect.left() + c + 0.5,
                                rect.top() + std::max(bottom, top + 0.5)));
        }
        QPen pen(QColor::fromRgb(list[j].color));
        pen.setWidthF(list[j].thick ? 2.5 : 1.0);
        pen.setCapStyle(Qt::FlatCap);
        painter->setPen(pen);
        painter->drawLines(lines);
    }
}

void CurveLayer::drawMarkers(QCPPainter *painter, const PlotFrame &frame)
{
    // One small mark per run of consecutive columns holding NaN (a cross at the bottom edge)
    // or an infinity (a triangle at the edge it points to).
    bool any = false;
    for (const auto &d : drawn)
        any = any || (d.curve >= 0 && m_chart->m_curves[d.curve].series->total().flags != 0);
    if (!any)
        return;
    painter->setRenderHint(QPainter::Antialiasing, true);
    const double px = 1.0 / dpr;
    for (size_t j = 0; j < drawn.size(); ++j) {
        const int curve = drawn[j].curve;
        if (curve < 0)
            continue;
        const ChartCurve &c = m_chart->m_curves[curve];
        const QColor color = c.active ? c.color : inactiveRunColor();
        const auto &flags = drawn[j].spans.flags;
        for (uint8_t flag : {ValueRange::HasNaN, ValueRange::HasPosInf, ValueRange::HasNegInf}) {
            int last = -10;
            for (int col = 0; col < frame.width; ++col) {
                if (!(flags[col] & flag))
                    continue;
                if (col - last < 6 / px) {
                    last = col;
                    continue;
                }
                last = col;
                const double x = rect.left() + col * px;
                painter->setPen(QPen(color, 1.5));
                if (flag == ValueRange::HasNaN) {
                    const double y = rect.bottom() - 5;
                    painter->drawLine(QPointF(x - 3, y - 3), QPointF(x + 3, y + 3));
                    painter->drawLine(QPointF(x - 3, y + 3), QPointF(x + 3, y - 3));
                } else {
                    const bool up = flag == ValueRange::HasPosInf;
                    const double y = up ? rect.top() + 1 : rect.bottom() - 1;
                    const double d = up ? 6 : -6;
                    QPolygonF tri{{x, y}, {x - 4, y + d}, {x + 4, y + d}};
                    painter->setBrush(color);
                    painter->drawPolygon(tri);
                    painter->setBrush(Qt::NoBrush);
                }
            }
        }
    }
    painter->setRenderHint(QPainter::Antialiasing, false);
}

// --- MetricChart ---

MetricChart::MetricChart(QWidget *parent) : QWidget(parent)
{
    m_plot = new QCustomPlot(this);
    m_plot->setNoAntialiasingOnDrag(true);
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plot->axisRect()->setRangeZoom(Qt::Horizontal);
    m_plot->axisRect()->setRangeDrag(Qt::Horizontal | Qt::Vertical);
    m_plot->plotLayout()->insertRow(0);
    m_plot->plotLayout()->addElement(0, 0, new QCPTextElement(m_plot, QString(),
                                                              QFont(font().family(), 10, QFont::Bold)));
    m_plot->xAxis->grid()->setPen(QPen(QColor(0xe4, 0xe4, 0xe4)));
    m_plot->yAxis->grid()->setPen(QPen(QColor(0xe4, 0xe4, 0xe4)));
    m_plot->setMouseTracking(true);
    m_plot->installEventFilter(this);
    m_plot->setContextMenuPolicy(Qt::CustomContextMenu);
    m_layer = new CurveLayer(m_plot, this);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot);

    connect(m_plot, &QCustomPlot::beforeReplot, this, &MetricChart::updateGroupGraphs);
    connect(m_plot->xAxis, qOverload<const QCPRange &>(&QCPAxis::rangeChanged), this,
            [this](const QCPRange &r) {
                if (!m_settingRange)
                    emit xRangeChanged(r.lower, r.upper);
            });
    connect(m_plot, &QCustomPlot::mouseWheel, this, [this](QWheelEvent *e) {
        // Wheel zooms x; with Shift it zooms y.
        m_plot->axisRect()->setRangeZoom(e->modifiers() & Qt::ShiftModifier ? Qt::Vertical
                                                                            : Qt::Horizontal);
    });
    connect(m_plot, &QCustomPlot::mouseDoubleClick, this, [this](QMouseEvent *) {
        resetView();
        emit xRangeChanged(xRange().first, xRange().second);
    });
    connect(m_plot, &QWidget::customContextMenuRequested, this, &MetricChart::showContextMenu);
    setMinimumSize(240, 180);
    updateAxisFormat();
}

MetricChart::~MetricChart() = default;

void MetricChart::setTitle(const QString &metricKey)
{
    m_title = metricKey;
    if (auto *t = qobject_cast<QCPTextElement *>(m_plot->plotLayout()->element(0, 0)))
        t->setText(metricKey);
}

void MetricChart::setMessage(const QString &message)
{
    m_message = message;
    if (auto *t = qobject_cast<QCPTextElement *>(m_plot->plotLayout()->element(0, 0)))
        t->setText(message.isEmpty() ? m_title : m_title + QStringLiteral(" — ") + message);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void MetricChart::setCurves(std::vector<ChartCurve> curves, bool reset)
{
    m_curves = std::move(curves);
    m_hovered.clear();
    if (!m_message.isEmpty())
        setMessage(QString());
    if (reset)
        resetView();
    replot();
}

void MetricChart::setXAxis(ComparisonSet::XAxis axis)
{
    if (axis == m_xKind)
        return;
    m_xKind = axis;
    updateAxisFormat();
}

void MetricChart::setLogY(bool on)
{
    if (on == m_logY)
        return;
    m_logY = on;
    updateAxisFormat();
    resetView();
    replot();
}

void MetricChart::setGroups(std::vector<ChartGroup> groups, ComparisonSet::Band band, bool traces)
{
    m_groups = std::move(groups);
    m_band = band;
    m_traces = traces;
    replot();
}

void MetricChart::setCurrentRun(const QString &runId)
{
    if (runId == m_current)
        return;
    m_current = runId;
    replot();
}

double MetricChart::xScale() const
{
    return m_xKind == ComparisonSet::XAxis::Step ? 1.0 : 1000.0;
}

void MetricChart::updateAxisFormat()
{
    switch (m_xKind) {
    case ComparisonSet::XAxis::Step:
        m_plot->xAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
        m_plot->xAxis->setLabel(tr("step"));
        break;
    case ComparisonSet::XAxis::WallTime: {
        QSharedPointer<QCPAxisTickerDateTime> t(new QCPAxisTickerDateTime);
        t->setDateTimeFormat(QStringLiteral("MMM d\nhh:mm"));
        t->setDateTimeSpec(Qt::UTC);
        m_plot->xAxis->setTicker(t);
        m_plot->xAxis->setLabel(tr("wall time (UTC)"));
        break;
    }
    case ComparisonSet::XAxis::RelativeTime: {
        QSharedPointer<QCPAxisTickerTime> t(new QCPAxisTickerTime);
        t->setTimeFormat(QStringLiteral("%h:%m:%s"));
        m_plot->xAxis->setTicker(t);
        m_plot->xAxis->setLabel(tr("time since start (h:m:s)"));
        break;
    }
    }
    if (m_logY) {
        m_plot->yAxis->setScaleType(QCPAxis::stLogarithmic);
        m_plot->yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
    } else {
        m_plot->yAxis->setScaleType(QCPAxis::stLinear);
        m_plot->yAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
    }
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void MetricChart::resetView()
{
    const SeriesLod::XAxis axis = m_xKind == ComparisonSet::XAxis::Step ? SeriesLod::XAxis::Step
                                                                         : SeriesLod::XAxis::Time;
    double x0 = INFINITY, x1 = -INFINITY;
    std::vector<double> samples;
    double lo = INFINITY, hi = -INFINITY;
    for (const ChartCurve &c : m_curves) {
        for (const SeriesLod *s : {c.series.get(), c.smoothed.get()}) {
            if (!s || s->empty())
                continue;
            x0 = std::min(x0, s->x(0, axis) - c.xOffset);
            x1 = std::max(x1, s->x(s->size() - 1, axis) - c.xOffset);
            const ValueRange &t = s->total();
            if (!t.hasFinite)
                continue;
            // An even sample of the values, for a robust range.
            const size_t n = s->size(), step = std::max<size_t>(1, n / 400);
            for (size_t i = 0; i < n; i += step) {
                const double v = s->value(i);
                if (v > -DBL_MAX && v < DBL_MAX && (!m_logY || v > 0))
                    samples.push_back(v);
            }
            if (!m_logY || t.min > 0)
                lo = std::min(lo, t.min);
            hi = std::max(hi, t.max);
        }
    }
    if (!(x1 >= x0)) {
        x0 = 0;
        x1 = 1;
    }
    if (x1 == x0)
        x1 = x0 + 1;
    double y0 = 0, y1 = 1;
    if (!samples.empty()) {
        // The bulk of the values (5th to 95th percentile of an even sample of every curve) and
        // everything within three times its spread of it; values beyond that (a run that diverged
        // to 1e30) are clipped at the edge instead of squashing every other curve flat.
        std::vector<double> scaled = samples;
        if (m_logY)
            for (double &v : scaled)
                v = std::log10(v);
        auto quantile = [&](double q) {
            const size_t k = std::min(scaled.size() - 1, static_cast<size_t>(q * scaled.size()));
            std::nth_element(scaled.begin(), scaled.begin() + k, scaled.end());
            return scaled[k];
        };
        const double q0 = quantile(0.05), q1 = quantile(0.95);
        const double spread = std::max(q1 - q0, 1e-9 * std::max(1.0, std::abs(q1)));
        const double limitLo = q0 - 3 * spread, limitHi = q1 + 3 * spread;
        const double l = m_logY ? std::log10(lo) : lo, h = m_logY ? std::log10(hi) : hi;
        double a = l, b = h;
        if (l < limitLo || h > limitHi) {
            a = INFINITY;
            b = -INFINITY;
            for (double v : scaled)
                if (v >= limitLo && v <= limitHi) {
                    a = std::min(a, v);
                    b = std::max(b, v);
                }
            if (l >= limitLo)
                a = l;
            if (h <= limitHi)
                b = h;
        }
        y0 = m_logY ? std::pow(10.0, a) : a;
        y1 = m_logY ? std::pow(10.0, b) : b;
        if (m_logY) {
            y0 = std::max(y0, 1e-300);
            const double pad = std::pow(y1 / y0, 0.04);
            y0 /= pad;
            y1 *= pad;
            if (!(y1 > y0))
                y1 = y0 * 10;
        } else {
            const double pad = std::max((y1 - y0) * 0.04, 1e-9 * std::max(1.0, std::abs(y1)));
            y0 -= pad;
            y1 += pad;
        }
    }
    m_settingRange = true;
    m_plot->xAxis->setRange(x0 / xScale(), x1 / xScale());
    m_plot->yAxis->setRange(y0, y1);
    m_settingRange = false;
}

void MetricChart::setXRange(double lower, double upper)
{
    m_settingRange = true;
    m_plot->xAxis->setRange(lower, upper);
    m_settingRange = false;
    replot();
}

std::pair<double, double> MetricChart::xRange() const
{
    return {m_plot->xAxis->range().lower, m_plot->xAxis->range().upper};
}

std::pair<double, double> MetricChart::yRange() const
{
    return {m_plot->yAxis->range().lower, m_plot->yAxis->range().upper};
}

void MetricChart::replot()
{
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

double MetricChart::lastDrawMs() const
{
    return m_layer->drawMs;
}

void MetricChart::updateGroupGraphs()
{
    m_plot->clearGraphs();
    if (m_groups.empty())
        return;
    const SeriesLod::XAxis axis = m_xKind == ComparisonSet::XAxis::Step ? SeriesLod::XAxis::Step
                                                                         : SeriesLod::XAxis::Time;
    const QCPRange xr = m_plot->xAxis->range();
    const int samples = std::clamp(m_plot->axisRect()->width() / 2, 50, 1000);
    for (const ChartGroup &g : m_groups) {
        std::vector<GroupMember> members;
        for (int i : g.curves) {
            if (i < 0 || i >= int(m_curves.size()) || !m_curves[i].active)
                continue;
            const ChartCurve &c = m_curves[i];
            const SeriesLod *s = c.smoothed ? c.smoothed.get() : c.series.get();
            if (s)
                members.push_back({s, c.xOffset});
        }
        if (members.empty())
            continue;
        const GroupCurve gc = aggregateGroup(members, axis, xr.lower * xScale(),
                                             xr.upper * xScale(), samples);
        QVector<double> x, mean, lo, hi;
        for (size_t k = 0; k < gc.x.size(); ++k) {
            x.append(gc.x[k] / xScale());
            mean.append(gc.count[k] ? gc.mean[k] : qQNaN());
            const bool std = m_band == ComparisonSet::Band::StdDev;
            lo.append(gc.count[k] ? (std ? gc.mean[k] - gc.stddev[k] : gc.min[k]) : qQNaN());
            hi.append(gc.count[k] ? (std ? gc.mean[k] + gc.stddev[k] : gc.max[k]) : qQNaN());
        }
        QColor band = g.color;
        band.setAlpha(50);
        QCPGraph *upper = m_plot->addGraph();
        upper->setData(x, hi, true);
        upper->setPen(Qt::NoPen);
        QCPGraph *lower = m_plot->addGraph();
        lower->setData(x, lo, true);
        lower->setPen(Qt::NoPen);
        lower->setBrush(band);
        lower->setChannelFillGraph(upper);
        QCPGraph *line = m_plot->addGraph();
        line->setData(x, mean, true);
        line->setPen(QPen(g.color, 2.0));
        line->setName(g.label);
    }
}

QRect MetricChart::plotRect() const
{
    return m_plot->axisRect()->rect().translated(m_plot->pos());
}

QPointF MetricChart::pointToPixel(double x, double y) const
{
    return QPointF(m_plot->xAxis->coordToPixel(x / xScale()), m_plot->yAxis->coordToPixel(y))
        + m_plot->pos();
}

QString MetricChart::runAt(const QPoint &widgetPos) const
{
    const QPoint pos = widgetPos - m_plot->pos();
    const QRect &r = m_layer->rect;
    if (!r.contains(pos))
        return {};
    const double dpr = m_layer->dpr;
    const int col = static_cast<int>((pos.x() - r.left()) * dpr);
    const double row = (pos.y() - r.top()) * dpr;
    const int reach = static_cast<int>(4 * dpr);
    int best = -1;
    double bestDistance = 6 * dpr;
    // Later curves are drawn on top, so they win ties.
    for (const auto &d : m_layer->drawn) {
        if (d.curve < 0)
            continue;
        for (int c = std::max(0, col - reach);
             c <= std::min(int(d.spans.top.size()) - 1, col + reach); ++c) {
            if (d.spans.empty(c))
                continue;
            const double dy = row < d.spans.top[c] ? d.spans.top[c] - row
                : row > d.spans.bottom[c]            ? row - d.spans.bottom[c]
                                                     : 0.0;
            const double dist = std::hypot(dy, double(c - col));
            if (dist <= bestDistance) {
                bestDistance = dist;
                best = d.curve;
            }
        }
    }
    return best >= 0 ? m_curves[best].runId : QString();
}

QString MetricChart::hoverText(const QPoint &widgetPos) const
{
    const QString runId = runAt(widgetPos);
    if (runId.isEmpty())
        return {};
    const auto it = std::find_if(m_curves.begin(), m_curves.end(),
                                 [&](const ChartCurve &c) { return c.runId == runId; });
    const ChartCurve &c = *it;
    const SeriesLod &s = *c.series;
    const SeriesLod::XAxis axis = m_xKind == ComparisonSet::XAxis::Step ? SeriesLod::XAxis::Step
                                                                         : SeriesLod::XAxis::Time;
    const QPoint pos = widgetPos - m_plot->pos();
    const double x = m_plot->xAxis->pixelToCoord(pos.x()) * xScale() + c.xOffset;
    // The nearest point in x, and every point under this pixel column for its extremes.
    size_t i = s.lowerBound(x, axis);
    if (i == s.size() || (i > 0 && x - s.x(i - 1, axis) < s.x(i, axis) - x))
        i = i > 0 ? i - 1 : 0;
    const double halfPixel = std::abs(m_plot->xAxis->pixelToCoord(pos.x() + 0.5)
                                      - m_plot->xAxis->pixelToCoord(pos.x() - 0.5))
        * xScale() / 2;
    const size_t a = s.lowerBound(x - halfPixel, axis), b = s.lowerBound(x + halfPixel, axis);
    QString text = QStringLiteral("<b>%1</b><br>%2<br>").arg(c.label.toHtmlEscaped(), m_title.toHtmlEscaped());
    text += tr("step %1 · %2").arg(QLocale().toString(qlonglong(s.step(i))),
                                  QString::fromStdString(formatMetric(s.value(i))));
    if (c.smoothed)
        text += tr(" (smoothed %1)").arg(QString::fromStdString(formatMetric(c.smoothed->value(i))));
    text += QStringLiteral("<br>")
        + QString::fromStdString(formatTimestamp(s.timestamp(i))) + QStringLiteral(" UTC");
    if (b > a + 1) {
        const ValueRange r = s.range(a, b);
        if (r.hasFinite)
            text += QStringLiteral("<br>")
                + tr("%1 points under this pixel: %2 … %3")
                      .arg(b - a)
                      .arg(QString::fromStdString(formatMetric(r.min)),
                           QString::fromStdString(formatMetric(r.max)));
    }
    return text;
}

bool MetricChart::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_plot) {
        switch (event->type()) {
        case QEvent::MouseMove: {
            auto *e = static_cast<QMouseEvent *>(event);
            if (e->buttons() != Qt::NoButton)
                break;
            const QPoint pos = e->position().toPoint() + m_plot->pos();
            const QString run = runAt(pos);
            if (run != m_hovered) {
                m_hovered = run;
                emit runHovered(run);
            }
            if (run.isEmpty())
                QToolTip::hideText();
            else
                QToolTip::showText(e->globalPosition().toPoint(), hoverText(pos), m_plot);
            break;
        }
        case QEvent::MouseButtonPress:
            m_pressPos = static_cast<QMouseEvent *>(event)->position().toPoint();
            break;
        case QEvent::MouseButtonRelease: {
            auto *e = static_cast<QMouseEvent *>(event);
            if (e->button() == Qt::LeftButton
                && (e->position().toPoint() - m_pressPos).manhattanLength() < 4) {
                const QString run = runAt(e->position().toPoint() + m_plot->pos());
                if (!run.isEmpty())
                    emit runClicked(run);
            }
            break;
        }
        case QEvent::KeyPress: {
            auto *e = static_cast<QKeyEvent *>(event);
            if (e->key() == Qt::Key_Home || e->key() == Qt::Key_0) {
                resetView();
                replot();
                emit xRangeChanged(xRange().first, xRange().second);
                return true;
            }
            break;
        }
        default:
            break;
        }
    }
    return QWidget::eventFilter(watched, event);
}

void MetricChart::showContextMenu(const QPoint &pos)
{
    QMenu menu(this);
    menu.addAction(tr("Reset zoom"), this, [this] {
        resetView();
        replot();
        emit xRangeChanged(xRange().first, xRange().second);
    });
    QAction *log = menu.addAction(tr("Logarithmic y axis"));
    log->setCheckable(true);
    log->setChecked(m_logY);
    connect(log, &QAction::toggled, this, &MetricChart::setLogY);
    menu.addSeparator();
    menu.addAction(tr("Export as PNG…"), this, [this] { exportWithDialog(QStringLiteral("png")); });
    menu.addAction(tr("Export as SVG…"), this, [this] { exportWithDialog(QStringLiteral("svg")); });
    menu.addAction(tr("Export as PDF…"), this, [this] { exportWithDialog(QStringLiteral("pdf")); });
    menu.addAction(tr("Export data as CSV…"), this, [this] { exportWithDialog(QStringLiteral("csv")); });
    menu.exec(m_plot->mapToGlobal(pos));
}

void MetricChart::exportWithDialog(const QString &format)
{
    QString name = m_title;
    name.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9_.-]")), QStringLiteral("_"));
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export chart"), name + QLatin1Char('.') + format,
        format.toUpper() + QStringLiteral(" (*.") + format + QLatin1Char(')'));
    if (path.isEmpty())
        return;
    QString error;
    const bool ok = format == QLatin1String("csv") ? exportCsv(path, &error)
                                                   : exportImage(path, &error);
    if (!ok)
        QMessageBox::warning(this, tr("Export failed"), error);
}

bool MetricChart::exportImage(const QString &path, QString *error)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    bool ok = false;
    if (suffix == QLatin1String("png")) {
        ok = m_plot->savePng(path, 0, 0, 2.0);
    } else if (suffix == QLatin1String("pdf")) {
        ok = m_plot->savePdf(path);
    } else if (suffix == QLatin1String("svg")) {
        QSvgGenerator svg;
        svg.setFileName(path);
        svg.setSize(m_plot->size());
        svg.setViewBox(QRect(QPoint(0, 0), m_plot->size()));
        svg.setTitle(m_title);
        QCPPainter painter;
        if (painter.begin(&svg)) {
            painter.setMode(QCPPainter::pmVectorized);
            m_plot->toPainter(&painter, m_plot->width(), m_plot->height());
            ok = painter.end();
        }
    } else {
        if (error)
            *error = tr("Choose a file ending in .png, .svg or .pdf.");
        return false;
    }
    if (!ok && error)
        *error = tr("Could not write %1.").arg(QDir::toNativeSeparators(path));
    return ok;
}

bool MetricChart::exportCsv(const QString &path, QString *error) const
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        if (error)
            *error = tr("Could not write %1: %2").arg(QDir::toNativeSeparators(path),
                                                       file.errorString());
        return false;
    }
    std::string out = "run_id,run_name,metric,step,timestamp_ms,value\n";
    for (const ChartCurve &c : m_curves) {
        const SeriesLod &s = *c.series;
        const std::string prefix = csvField(c.runId.toStdString()) + ','
            + csvField(c.label.toStdString()) + ',' + csvField(m_title.toStdString()) + ',';
        for (size_t i = 0; i < s.size(); ++i) {
            char value[32];
            const double v = s.value(i);
            if (std::isnan(v))
                std::snprintf(value, sizeof value, "NaN");
            else
                std::snprintf(value, sizeof value, "%.17g", v);
            out += prefix;
            out += std::to_string(s.step(i));
            out += ',';
            out += std::to_string(s.timestamp(i));
            out += ',';
            out += value;
            out += '\n';
            if (out.size() > (1 << 22)) {
                file.write(out.data(), qint64(out.size()));
                out.clear();
            }
        }
    }
    file.write(out.data(), qint64(out.size()));
    if (!file.flush()) {
        if (error)
            *error = tr("Could not write %1: %2").arg(QDir::toNativeSeparators(path),
                                                       file.errorString());
        return false;
    }
    return true;
}

} // namespace sightline
