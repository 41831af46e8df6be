// SPDX-License-Identifier: GPL-3.0-or-later
#include "scatterview.h"
#include "qtext.h"

#include "compareselection.h"
#include "runcolors.h"

#include <QCheckBox>
#include <QComboBox>
#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QMouseEvent>
#include <QPushButton>
#include <QToolTip>
#include <QVBoxLayout>

#include <qcustomplot.h>

#include <algorithm>
#include <cmath>
#include <map>

namespace sightline {

namespace {

constexpr double kHitDistance = 8.0;
constexpr double kClickDistance = 4.0;
constexpr int kMaxCategoryLabels = 30;
constexpr int kMaxCategoryChars = 24;
const QString kFilterSource = QStringLiteral("scatter");

QColor mix(const QColor &a, const QColor &b, double t)
{
    return QColor::fromRgbF(static_cast<float>(a.redF() * (1 - t) + b.redF() * t),
                            static_cast<float>(a.greenF() * (1 - t) + b.greenF() * t),
                            static_cast<float>(a.blueF() * (1 - t) + b.blueF() * t));
}

// The coordinate a run gets on one scatter axis, or nullopt when it cannot be drawn there.
std::optional<double> coordinate(const CompareAxis &axis, size_t run, bool log)
{
    if (axis.kind == AxisKind::Categorical) {
        const int index = axis.categoryIndex[run];
        return index >= 0 ? std::optional<double>(index) : std::nullopt;
    }
    const double v = axis.values[run];
    if (!std::isfinite(v) || std::abs(v) >= 1e308 || (log && v <= 0))
        return std::nullopt;
    return v;
}

} // namespace

ScatterView::ScatterView(QWidget *parent) : QWidget(parent)
{
    m_xLabel = new QLabel;
    m_yLabel = new QLabel;
    m_xCombo = new QComboBox;
    m_yCombo = new QComboBox;
    for (QComboBox *combo : {m_xCombo, m_yCombo}) {
        combo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
        combo->setMinimumContentsLength(16);
    }
    m_xLabel->setBuddy(m_xCombo);
    m_yLabel->setBuddy(m_yCombo);
    m_logXBox = new QCheckBox;
    m_logYBox = new QCheckBox;
    m_countLabel = new QLabel;
    m_clearButton = new QPushButton;
    m_clearButton->setEnabled(false);

    auto *bar = new QHBoxLayout;
    bar->setContentsMargins(6, 4, 6, 0);
    bar->addWidget(m_xLabel);
    bar->addWidget(m_xCombo, 1);
    bar->addWidget(m_logXBox);
    bar->addSpacing(12);
    bar->addWidget(m_yLabel);
    bar->addWidget(m_yCombo, 1);
    bar->addWidget(m_logYBox);
    bar->addSpacing(12);
    bar->addWidget(m_countLabel);
    bar->addStretch();
    bar->addWidget(m_clearButton);

    m_plot = new QCustomPlot;
    m_plot->setMinimumSize(200, 160);
    m_plot->setSelectionRectMode(QCP::srmCustom);
    m_plot->setNoAntialiasingOnDrag(false);
    const QColor highlight = palette().color(QPalette::Highlight);
    QColor fill = highlight;
    fill.setAlpha(40);
    m_plot->selectionRect()->setPen(QPen(highlight, 1.0, Qt::DashLine));
    m_plot->selectionRect()->setBrush(fill);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(m_plot, 1);

    connect(m_xCombo, &QComboBox::currentIndexChanged, this, [this] {
        if (m_updatingCombos)
            return;
        rebuildAxes();
        emit columnsChanged();
    });
    connect(m_yCombo, &QComboBox::currentIndexChanged, this, [this] {
        if (m_updatingCombos)
            return;
        rebuildAxes();
        emit columnsChanged();
    });
    connect(m_logXBox, &QCheckBox::toggled, this, [this] {
        if (m_updatingCombos)
            return;
        updatePlot();
        emit columnsChanged();
    });
    connect(m_logYBox, &QCheckBox::toggled, this, [this] {
        if (m_updatingCombos)
            return;
        updatePlot();
        emit columnsChanged();
    });
    connect(m_clearButton, &QPushButton::clicked, this, &ScatterView::clearSelection);
    connect(m_plot->selectionRect(), &QCPSelectionRect::accepted, this,
            [this](const QRect &rect, QMouseEvent *event) {
                if (event && event->button() != Qt::LeftButton)
                    return;
                selectRunsInRect(QRectF(rect));
            });
    connect(m_plot, &QCustomPlot::mouseMove, this, &ScatterView::plotMouseMove);
    connect(m_plot, &QCustomPlot::mousePress, this, &ScatterView::plotMousePress);
    connect(m_plot, &QCustomPlot::mouseRelease, this, &ScatterView::plotMouseRelease);
    connect(m_plot, &QCustomPlot::mouseDoubleClick, this, &ScatterView::clearSelection);
    m_plot->setMouseTracking(true);

    retranslateUi();
}

ScatterView::~ScatterView() = default;

void ScatterView::setSelection(CompareSelection *selection)
{
    if (m_selection == selection)
        return;
    if (m_selection)
        disconnect(m_selection, nullptr, this, nullptr);
    m_selection = selection;
    if (m_selection) {
        connect(m_selection, &CompareSelection::activeChanged, this, &ScatterView::updatePlot);
        connect(m_selection, &CompareSelection::currentRunChanged, this, &ScatterView::updatePlot);
        connect(m_selection, &CompareSelection::runsChanged, this, &ScatterView::updatePlot);
    }
    updatePlot();
}

CompareSelection *ScatterView::selection() const
{
    return m_selection;
}

void ScatterView::setRuns(std::vector<RunRecord> runs)
{
    m_runs = std::move(runs);
    m_runIds.clear();
    m_runIds.reserve(m_runs.size());
    for (const RunRecord &r : m_runs)
        m_runIds.push_back(qs(r.run.runId));
    rebuildColumnLists();
    rebuildAxes();
}

void ScatterView::rebuildColumnLists()
{
    const QString oldX = xColumn();
    const QString oldY = yColumn();
    m_columns = compareColumns(m_runs);
    m_updatingCombos = true;
    m_xCombo->clear();
    m_yCombo->clear();
    for (const RunColumn &c : m_columns) {
        const QString title = qs(c.title());
        m_xCombo->addItem(title, title);
        m_yCombo->addItem(title, title);
    }
    // Keep what was chosen; otherwise the first param against the first metric.
    int x = m_xCombo->findData(oldX);
    int y = m_yCombo->findData(oldY);
    if (x < 0 || y < 0) {
        int firstParam = -1, firstMetric = -1;
        for (size_t i = 0; i < m_columns.size(); ++i) {
            if (firstParam < 0 && m_columns[i].kind == RunColumn::Kind::Param)
                firstParam = int(i);
            if (firstMetric < 0 && m_columns[i].kind == RunColumn::Kind::Metric)
                firstMetric = int(i);
        }
        if (x < 0)
            x = firstParam >= 0 ? firstParam : (m_columns.empty() ? -1 : 0);
        if (y < 0)
            y = firstMetric >= 0 ? firstMetric : (m_columns.size() > 1 ? 1 : x);
    }
    m_xCombo->setCurrentIndex(x);
    m_yCombo->setCurrentIndex(y);
    m_updatingCombos = false;
}

bool ScatterView::setColumns(const QString &xTitle, const QString &yTitle)
{
    const int x = m_xCombo->findData(xTitle);
    const int y = m_yCombo->findData(yTitle);
    if (x < 0 || y < 0)
        return false;
    m_updatingCombos = true;
    m_xCombo->setCurrentIndex(x);
    m_yCombo->setCurrentIndex(y);
    m_updatingCombos = false;
    rebuildAxes();
    return true;
}

QString ScatterView::xColumn() const
{
    return m_xCombo->currentData().toString();
}

QString ScatterView::yColumn() const
{
    return m_yCombo->currentData().toString();
}

QStringList ScatterView::availableColumns() const
{
    QStringList out;
    for (const RunColumn &c : m_columns)
        out.append(qs(c.title()));
    return out;
}

void ScatterView::rebuildAxes()
{
    // Numeric where the values allow it (the log scale is the check box's business), else text.
    const int x = m_xCombo->currentIndex();
    const int y = m_yCombo->currentIndex();
    m_x = x >= 0 ? buildAxis(m_runs, m_columns[size_t(x)], AxisKind::Numeric) : CompareAxis{};
    m_y = y >= 0 ? buildAxis(m_runs, m_columns[size_t(y)], AxisKind::Numeric) : CompareAxis{};
    m_updatingCombos = true;
    m_logXBox->setEnabled(m_x.logPossible);
    m_logYBox->setEnabled(m_y.logPossible);
    // A column whose values span three decades starts on a log scale.
    m_logXBox->setChecked(m_x.logPossible && m_x.detectedKind == AxisKind::Log);
    m_logYBox->setChecked(m_y.logPossible && m_y.detectedKind == AxisKind::Log);
    m_updatingCombos = false;
    updatePlot();
}

void ScatterView::setLogX(bool on)
{
    m_logXBox->setChecked(on && m_logXBox->isEnabled());
}

void ScatterView::setLogY(bool on)
{
    m_logYBox->setChecked(on && m_logYBox->isEnabled());
}

bool ScatterView::logX() const
{
    return m_logXBox->isEnabled() && m_logXBox->isChecked();
}

bool ScatterView::logY() const
{
    return m_logYBox->isEnabled() && m_logYBox->isChecked();
}

void ScatterView::setColourFunction(ColourFunction colour)
{
    m_colourFunction = std::move(colour);
    updatePlot();
}

void ScatterView::setRunColours(const QHash<QString, QColor> &colours)
{
    m_colours = colours;
    updatePlot();
}

QColor ScatterView::runColour(int run) const
{
    const QString id = run >= 0 && run < int(m_runIds.size()) ? m_runIds[size_t(run)] : QString();
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

QColor ScatterView::fadedColour() const
{
    return inactiveRunColor();
}

bool ScatterView::isRunHighlighted(int run) const
{
    if (!m_selection || m_selection->runs().isEmpty())
        return true;
    return m_selection->isActive(m_runIds[size_t(run)]);
}

void ScatterView::setupAxis(bool horizontal)
{
    QCPAxis *axis = horizontal ? m_plot->xAxis : m_plot->yAxis;
    const CompareAxis &data = horizontal ? m_x : m_y;
    const bool log = horizontal ? logX() : logY();
    const QColor text = palette().color(QPalette::Text);
    axis->setLabel(qs(data.column.title()));
    axis->setLabelColor(text);
    axis->setTickLabelColor(text);
    axis->setBasePen(QPen(text, 1));
    axis->setTickPen(QPen(text, 1));
    axis->setSubTickPen(QPen(text, 1));
    axis->grid()->setPen(QPen(mix(palette().color(QPalette::Base), text, 0.12), 1, Qt::DotLine));
    // A solid zero line would read as a special category (or value) on these axes.
    axis->grid()->setZeroLinePen(Qt::NoPen);

    if (data.kind == AxisKind::Categorical) {
        axis->setScaleType(QCPAxis::stLinear);
        axis->setNumberFormat(QStringLiteral("gb"));
        auto ticker = QSharedPointer<QCPAxisTickerText>::create();
        const int n = static_cast<int>(data.categories.size());
        const int stride = std::max(1, (n + kMaxCategoryLabels - 1) / kMaxCategoryLabels);
        QMap<double, QString> ticks;
        for (int i = 0; i < n; i += stride) {
            QString label = qs(data.categories[size_t(i)]);
            if (label.size() > kMaxCategoryChars)
                label = label.left(kMaxCategoryChars - 1) + QChar(0x2026);
            ticks.insert(i, label);
        }
        ticker->setTicks(ticks);
        ticker->setSubTickCount(0);
        axis->setTicker(ticker);
        axis->setRange(-0.5, std::max(0, n - 1) + 0.5);
        return;
    }
    if (log) {
        axis->setScaleType(QCPAxis::stLogarithmic);
        axis->setTicker(QSharedPointer<QCPAxisTickerLog>::create());
        // Every decade as a power of ten, rather than 0.0001 beside 10^-5.
        axis->setNumberFormat(QStringLiteral("eb"));
        axis->setNumberPrecision(0);
        const double lo = data.min > 0 ? data.min : 1.0;
        const double hi = data.max > lo ? data.max : lo * 10;
        const double pad = std::pow(hi / lo, 0.05);
        axis->setRange(lo / pad, hi * pad);
        return;
    }
    axis->setScaleType(QCPAxis::stLinear);
    axis->setNumberFormat(QStringLiteral("gb"));
    axis->setNumberPrecision(6);
    axis->setTicker(QSharedPointer<QCPAxisTicker>::create());
    double lo = data.min;
    double hi = data.max;
    if (hi <= lo) {
        const double half = lo == 0 ? 1.0 : std::abs(lo) * 0.1;
        lo -= half;
        hi += half;
    }
    const double pad = (hi - lo) * 0.05;
    axis->setRange(lo - pad, hi + pad);
}

void ScatterView::updatePlot()
{
    m_plot->clearPlottables();
    m_plot->clearItems();
    m_points.clear();

    const QColor base = palette().color(QPalette::Base);
    const QColor text = palette().color(QPalette::Text);
    m_plot->setBackground(base);
    const bool haveAxes = m_xCombo->currentIndex() >= 0 && m_yCombo->currentIndex() >= 0;
    if (haveAxes) {
        setupAxis(true);
        setupAxis(false);
        const bool lx = logX(), ly = logY();
        for (size_t i = 0; i < m_runs.size(); ++i) {
            const auto x = coordinate(m_x, i, lx);
            const auto y = coordinate(m_y, i, ly);
            if (x && y)
                m_points.push_back({int(i), *x, *y});
        }
    }

    // One graph per colour, the faint runs first so the coloured ones lie on top.
    std::map<std::pair<int, QRgb>, QVector<int>> groups; // (highlighted, colour) -> points
    for (size_t p = 0; p < m_points.size(); ++p) {
        const int run = m_points[p].run;
        const bool on = isRunHighlighted(run);
        groups[{on ? 1 : 0, (on ? runColour(run) : fadedColour()).rgba()}].append(int(p));
    }
    for (const auto &[key, indices] : groups) {
        const bool on = key.first == 1;
        QCPGraph *graph = m_plot->addGraph();
        graph->setLineStyle(QCPGraph::lsNone);
        graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(base, 1.0),
                                               QBrush(QColor::fromRgba(key.second)),
                                               on ? 10 : 7));
        QVector<double> xs, ys;
        for (int p : indices) {
            xs.append(m_points[size_t(p)].x);
            ys.append(m_points[size_t(p)].y);
        }
        graph->setData(xs, ys);
    }
    if (m_selection) {
        const QString current = m_selection->currentRun();
        for (const Point &p : m_points) {
            if (m_runIds[size_t(p.run)] != current)
                continue;
            QCPGraph *ring = m_plot->addGraph();
            ring->setLineStyle(QCPGraph::lsNone);
            ring->setScatterStyle(
                QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(text, 2.0), Qt::NoBrush, 16));
            ring->setData(QVector<double>{p.x}, QVector<double>{p.y});
        }
    }

    if (m_points.empty()) {
        auto *message = new QCPItemText(m_plot);
        message->position->setType(QCPItemPosition::ptAxisRectRatio);
        message->position->setCoords(0.5, 0.5);
        message->setPositionAlignment(Qt::AlignCenter);
        message->setColor(mix(base, text, 0.6));
        message->setText(m_runs.empty()      ? tr("No runs to compare.")
                             : !haveAxes     ? tr("Choose two columns to plot.")
                                             : tr("No run has a value in both columns."));
    }
    m_plot->replot();
    m_clearButton->setEnabled(m_selection && m_selection->hasFilter(kFilterSource));
    updateCountLabel();
}

void ScatterView::updateCountLabel()
{
    const int plotted = pointCount();
    const int total = static_cast<int>(m_runs.size());
    if (plotted == total)
        m_countLabel->setText(tr("Runs: %1").arg(total));
    else
        m_countLabel->setText(tr("Runs plotted: %1 of %2").arg(plotted).arg(total));
    m_countLabel->setToolTip(plotted == total
                                 ? QString()
                                 : tr("Runs without a value in both columns are not drawn."));
}

QStringList ScatterView::plottedRuns() const
{
    QStringList out;
    for (const Point &p : m_points)
        out.append(m_runIds[size_t(p.run)]);
    return out;
}

QPointF ScatterView::pixelOf(const Point &point) const
{
    return QPointF(m_plot->xAxis->coordToPixel(point.x), m_plot->yAxis->coordToPixel(point.y));
}

std::optional<QPointF> ScatterView::pointPosition(const QString &runId) const
{
    for (const Point &p : m_points)
        if (m_runIds[size_t(p.run)] == runId)
            return pixelOf(p);
    return std::nullopt;
}

QString ScatterView::runAt(const QPointF &plotPos) const
{
    int best = -1;
    double bestDistance = kHitDistance;
    for (const Point &p : m_points) {
        const QPointF d = pixelOf(p) - plotPos;
        double distance = std::hypot(d.x(), d.y());
        if (!isRunHighlighted(p.run))
            distance += 2.0; // prefer the points drawn in colour
        if (distance <= bestDistance) {
            bestDistance = distance;
            best = p.run;
        }
    }
    return best >= 0 ? m_runIds[size_t(best)] : QString();
}

void ScatterView::selectRunsInRect(const QRectF &rect)
{
    const QRectF r = rect.normalized();
    QSet<QString> kept;
    for (const Point &p : m_points)
        if (r.contains(pixelOf(p)))
            kept.insert(m_runIds[size_t(p.run)]);
    if (kept.isEmpty()) {
        clearSelection();
        return;
    }
    if (m_selection)
        m_selection->setFilter(kFilterSource, kept);
}

void ScatterView::clearSelection()
{
    if (m_selection)
        m_selection->clearFilter(kFilterSource);
}

QWidget *ScatterView::plotWidget() const
{
    return m_plot;
}

QString ScatterView::toolTipFor(int run) const
{
    const Run &r = m_runs[size_t(run)].run;
    const QString name = qs(r.runName.empty() ? r.runId : r.runName);
    auto row = [run](const CompareAxis &a) {
        return QStringLiteral("<tr><td>%1</td><td>&nbsp;%2</td></tr>")
            .arg(qs(a.column.title()).toHtmlEscaped(), qs(a.texts[size_t(run)]).toHtmlEscaped());
    };
    return QStringLiteral("<b>%1</b><table>%2%3</table>")
        .arg(name.toHtmlEscaped(), row(m_x), row(m_y));
}

void ScatterView::plotMouseMove(QMouseEvent *event)
{
    if (event->buttons() != Qt::NoButton)
        return;
    const QString id = runAt(event->position());
    if (id.isEmpty()) {
        QToolTip::hideText();
        m_plot->unsetCursor();
        return;
    }
    const auto it = std::find(m_runIds.begin(), m_runIds.end(), id);
    const int run = static_cast<int>(it - m_runIds.begin());
    m_plot->setCursor(Qt::PointingHandCursor);
    QToolTip::showText(m_plot->mapToGlobal(event->position().toPoint()), toolTipFor(run), m_plot);
}

void ScatterView::plotMousePress(QMouseEvent *event)
{
    m_pressPos = event->position();
}

void ScatterView::plotMouseRelease(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton)
        return;
    if (QLineF(m_pressPos, event->position()).length() > kClickDistance)
        return;
    const QString id = runAt(event->position());
    if (!id.isEmpty() && m_selection)
        m_selection->setCurrentRun(id);
}

void ScatterView::retranslateUi()
{
    m_xLabel->setText(tr("&X:"));
    m_yLabel->setText(tr("&Y:"));
    m_logXBox->setText(tr("Log"));
    m_logXBox->setToolTip(tr("Logarithmic x axis (only when every value is positive)"));
    m_logYBox->setText(tr("Log"));
    m_logYBox->setToolTip(tr("Logarithmic y axis (only when every value is positive)"));
    m_clearButton->setText(tr("Clear Selection"));
    m_clearButton->setToolTip(
        tr("Show every run again. Drag a rectangle on the plot to select runs; double-click "
           "clears the selection too."));
    m_xCombo->setToolTip(tr("Column on the horizontal axis"));
    m_yCombo->setToolTip(tr("Column on the vertical axis"));
    m_plot->setAccessibleName(tr("Scatter plot"));
    updateCountLabel();
    if (m_plot)
        updatePlot();
}

void ScatterView::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    else if (event->type() == QEvent::PaletteChange)
        updatePlot();
    QWidget::changeEvent(event);
}

} // namespace sightline
