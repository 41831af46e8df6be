// SPDX-License-Identifier: GPL-3.0-or-later
#include "chartgrid.h"

#include "metricchart.h"

#include <QResizeEvent>
#include <QScrollBar>

#include <algorithm>

namespace sightline {

ChartGrid::ChartGrid(QWidget *parent) : QScrollArea(parent)
{
    m_canvas = new QWidget;
    setWidget(m_canvas);
    setWidgetResizable(false);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setFrameShape(QFrame::NoFrame);
    verticalScrollBar()->setSingleStep(40);
}

void ChartGrid::setKeys(const QStringList &keys)
{
    m_keys = keys;
    std::fill(m_bound.begin(), m_bound.end(), QString());
    verticalScrollBar()->setValue(0);
    relayout();
}

void ChartGrid::setColumns(int columns)
{
    m_columns = std::max(0, columns);
    std::fill(m_bound.begin(), m_bound.end(), QString());
    relayout();
}

int ChartGrid::columnCount() const
{
    if (m_columns > 0)
        return m_columns;
    return std::clamp(viewport()->width() / 460, 1, 3);
}

void ChartGrid::setRowHeight(int height)
{
    m_rowHeight = std::max(160, height);
    relayout();
}

std::vector<MetricChart *> ChartGrid::boundCharts() const
{
    std::vector<std::pair<int, MetricChart *>> out;
    for (size_t i = 0; i < m_pool.size(); ++i)
        if (!m_bound[i].isEmpty())
            out.push_back({static_cast<int>(m_keys.indexOf(m_bound[i])), m_pool[i]});
    std::sort(out.begin(), out.end());
    std::vector<MetricChart *> charts;
    for (auto &[index, chart] : out)
        charts.push_back(chart);
    return charts;
}

MetricChart *ChartGrid::chartFor(const QString &key) const
{
    for (size_t i = 0; i < m_pool.size(); ++i)
        if (m_bound[i] == key)
            return m_pool[i];
    return nullptr;
}

void ChartGrid::ensureVisible(const QString &key)
{
    const int index = static_cast<int>(m_keys.indexOf(key));
    if (index < 0)
        return;
    verticalScrollBar()->setValue(index / columnCount() * m_rowHeight);
    relayout();
}

void ChartGrid::resizeEvent(QResizeEvent *event)
{
    QScrollArea::resizeEvent(event);
    relayout();
}

void ChartGrid::scrollContentsBy(int dx, int dy)
{
    QScrollArea::scrollContentsBy(dx, dy);
    relayout();
}

void ChartGrid::relayout()
{
    const int columns = columnCount();
    const int rows = (static_cast<int>(m_keys.size()) + columns - 1) / columns;
    const int width = viewport()->width();
    m_canvas->resize(width, std::max(rows * m_rowHeight, 1));
    const int top = verticalScrollBar()->value();
    const int firstRow = std::max(0, top / m_rowHeight);
    const int lastRow = std::min(rows - 1, (top + viewport()->height()) / m_rowHeight);
    // Keys in view, and the charts that already show one of them stay bound to it.
    QStringList wanted;
    for (int r = firstRow; r <= lastRow; ++r)
        for (int c = 0; c < columns; ++c) {
            const int i = r * columns + c;
            if (i < m_keys.size())
                wanted.append(m_keys[i]);
        }
    for (size_t i = 0; i < m_pool.size(); ++i)
        if (!m_bound[i].isEmpty() && !wanted.contains(m_bound[i]))
            m_bound[i].clear();
    const int cellWidth = width / columns;
    for (const QString &key : std::as_const(wanted)) {
        auto it = std::find(m_bound.begin(), m_bound.end(), key);
        size_t slot;
        bool fresh = false;
        if (it != m_bound.end()) {
            slot = static_cast<size_t>(it - m_bound.begin());
        } else {
            auto freeSlot = std::find(m_bound.begin(), m_bound.end(), QString());
            if (freeSlot == m_bound.end()) {
                auto *chart = new MetricChart(m_canvas);
                m_pool.push_back(chart);
                m_bound.emplace_back();
                emit chartCreated(chart);
                slot = m_pool.size() - 1;
            } else {
                slot = static_cast<size_t>(freeSlot - m_bound.begin());
            }
            m_bound[slot] = key;
            fresh = true;
        }
        const int index = static_cast<int>(m_keys.indexOf(key));
        MetricChart *chart = m_pool[slot];
        chart->setGeometry((index % columns) * cellWidth, (index / columns) * m_rowHeight,
                           cellWidth - 4, m_rowHeight - 6);
        chart->show();
        if (fresh) {
            chart->setTitle(key);
            emit chartBound(chart, key);
        }
    }
    for (size_t i = 0; i < m_pool.size(); ++i)
        if (m_bound[i].isEmpty())
            m_pool[i]->hide();
}

} // namespace sightline
