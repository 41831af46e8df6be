// SPDX-License-Identifier: GPL-3.0-or-later
// ChartGrid: a scrolling grid of metric charts, one per key. Only the rows in view have chart
// widgets — a small pool is moved and rebound as the user scrolls — so a set with thousands of
// metric keys costs no more to show than one with a handful. The owner fills a chart when it is
// bound to a key (chartBound) and can reach every bound chart.
#pragma once

#include <QScrollArea>
#include <QStringList>

#include <vector>

namespace sightline {

class MetricChart;

class ChartGrid : public QScrollArea {
    Q_OBJECT

public:
    explicit ChartGrid(QWidget *parent = nullptr);

    void setKeys(const QStringList &keys);
    const QStringList &keys() const { return m_keys; }
    // Charts per row; 0 picks by width (one per 460 pixels, at most three).
    void setColumns(int columns);
    int columnCount() const;
    void setRowHeight(int height);

    // Charts bound to a key right now (in view), in key order.
    std::vector<MetricChart *> boundCharts() const;
    MetricChart *chartFor(const QString &key) const;
    void ensureVisible(const QString &key);

signals:
    // A chart was (re)bound to a key and needs that key's curves.
    void chartBound(sightline::MetricChart *chart, const QString &key);
    // A chart was created; the owner connects to its signals once.
    void chartCreated(sightline::MetricChart *chart);

protected:
    void resizeEvent(QResizeEvent *event) override;
    void scrollContentsBy(int dx, int dy) override;

private:
    void relayout();

    QWidget *m_canvas = nullptr;
    QStringList m_keys;
    int m_columns = 0;
    int m_rowHeight = 300;
    std::vector<MetricChart *> m_pool;
    std::vector<QString> m_bound; // key of each pool chart, empty when unused
};

} // namespace sightline
