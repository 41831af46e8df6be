// SPDX-License-Identifier: GPL-3.0-or-later
// MetricChart: one metric key of a comparison set, every run overlaid, every raw point
// represented. Curves are drawn by filling, per pixel column, the span the raw polyline covers
// there (see core/compare/rasterize.h) into an image on both cores; QCustomPlot draws only the
// axes, the grid and the group means. Zooming in therefore shows exact values, and a peak of one
// point in a million still reaches its row. Hover names the nearest run, step and value; a click
// selects that run. Non-finite values break the line and are marked at the plot's edges.
#pragma once

#include "compare/compareset.h"
#include "compare/serieslod.h"

#include <QColor>
#include <QWidget>

#include <memory>
#include <vector>

class QCustomPlot;
class QLabel;

namespace sightline {

class CurveLayer;

struct ChartCurve {
    QString runId;
    QString label;
    QColor color;
    std::shared_ptr<const SeriesLod> series;   // raw points, x ascending on the chart's axis
    std::shared_ptr<const SeriesLod> smoothed; // drawn over a faint raw curve when set
    double xOffset = 0.0;                      // subtracted from x (relative time), data units
    bool active = true;                        // outside a brush or selection: drawn grey
};

struct ChartGroup {
    QString label;
    QColor color;
    std::vector<int> curves; // indices into the chart's curves
};

class MetricChart : public QWidget {
    Q_OBJECT

public:
    explicit MetricChart(QWidget *parent = nullptr);
    ~MetricChart() override;

    void setTitle(const QString &metricKey);
    QString title() const { return m_title; }
    // Replaces the curves; keeps the view unless `resetView`.
    void setCurves(std::vector<ChartCurve> curves, bool resetView = true);
    const std::vector<ChartCurve> &curves() const { return m_curves; }
    // Shows "Loading…" or a problem in place of the curves.
    void setMessage(const QString &message);

    void setXAxis(ComparisonSet::XAxis axis);
    ComparisonSet::XAxis xAxisKind() const { return m_xKind; }
    void setLogY(bool on);
    bool logY() const { return m_logY; }
    // Groups draw a mean line with a band; the member curves only when `traces`.
    void setGroups(std::vector<ChartGroup> groups, ComparisonSet::Band band, bool traces);
    void setCurrentRun(const QString &runId);
    QString currentRun() const { return m_current; }

    // Fits every curve (outliers beyond the bulk of the values are left outside, see fitView).
    void resetView();
    // The x range in axis units (steps, or seconds for time axes).
    void setXRange(double lower, double upper);
    std::pair<double, double> xRange() const;
    std::pair<double, double> yRange() const;
    void replot();

    // PNG, SVG or PDF by the file's suffix; false with `error` set when it fails.
    bool exportImage(const QString &path, QString *error = nullptr);
    // Every raw point of every curve: run_id, run_name, step, timestamp_ms, value.
    bool exportCsv(const QString &path, QString *error = nullptr) const;

    // The run under a widget position (within a few pixels), or empty.
    QString runAt(const QPoint &pos) const;
    // The text the hover shows at a widget position, or empty.
    QString hoverText(const QPoint &pos) const;
    // The plot area in widget coordinates, and the widget position of a data point.
    QRect plotRect() const;
    QPointF pointToPixel(double x, double y) const;
    // Milliseconds the last curve layer draw took (for the benchmark and the status line).
    double lastDrawMs() const;

    QCustomPlot *plot() const { return m_plot; }

signals:
    void runClicked(const QString &runId);
    void runHovered(const QString &runId);
    // After the user panned or zoomed x (not after setXRange()).
    void xRangeChanged(double lower, double upper);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    friend class CurveLayer;
    void updateAxisFormat();
    void updateGroupGraphs();
    void showContextMenu(const QPoint &pos);
    void exportWithDialog(const QString &format);
    double xScale() const; // data units per axis unit

    QCustomPlot *m_plot = nullptr;
    CurveLayer *m_layer = nullptr;
    QString m_title;
    QString m_message;
    std::vector<ChartCurve> m_curves;
    std::vector<ChartGroup> m_groups;
    ComparisonSet::Band m_band = ComparisonSet::Band::StdDev;
    bool m_traces = false;
    ComparisonSet::XAxis m_xKind = ComparisonSet::XAxis::Step;
    bool m_logY = false;
    QString m_current;
    QString m_hovered;
    bool m_settingRange = false;
    QPoint m_pressPos;
};

} // namespace sightline
