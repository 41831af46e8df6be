// SPDX-License-Identifier: GPL-3.0-or-later
// ParallelCoordinates: the compare pane's parallel-coordinate plot. One vertical axis per chosen
// param or metric (numeric, logarithmic or categorical), one line per run in the run's colour.
// Dragging on an axis draws a brush; the runs inside every brush form the "parallel" filter of
// the shared CompareSelection, and runs that are not active anywhere are drawn faint grey.
#pragma once

#include "compare/axes.h"

#include <QColor>
#include <QHash>
#include <QPointer>
#include <QWidget>

#include <functional>
#include <map>
#include <optional>
#include <vector>

class QMenu;

namespace sightline {

class CompareSelection;

class ParallelCoordinates : public QWidget {
    Q_OBJECT

public:
    using ColourFunction = std::function<QColor(const QString &runId)>;

    explicit ParallelCoordinates(QWidget *parent = nullptr);
    ~ParallelCoordinates() override;

    // The selection shared with the other parts of the compare pane; may be null.
    void setSelection(CompareSelection *selection);
    CompareSelection *selection() const;

    // Runs and columns. Either call clears the brushes (their positions no longer apply).
    void setRuns(std::vector<RunRecord> runs);
    void setColumns(std::vector<RunColumn> columns);
    std::vector<RunColumn> columns() const;
    // Overrides the detected kind; a kind the values do not allow is ignored.
    void setAxisKind(int axis, AxisKind kind);
    // Back to the kind the values suggest.
    void resetAxisKind(int axis);
    void removeAxis(int axis);

    int axisCount() const { return static_cast<int>(m_axes.size()); }
    const CompareAxis &axis(int index) const { return m_axes.at(static_cast<size_t>(index)); }
    int runCount() const { return static_cast<int>(m_runs.size()); }
    QString runId(int run) const;

    // Run colours: a function wins over the table; runs in neither get the compare pane's
    // colour-blind-safe palette (runColor()) by their place in the runs.
    void setColourFunction(ColourFunction colour);
    void setRunColours(const QHash<QString, QColor> &colours);
    QColor runColour(int run) const;
    // The colour of runs outside the brushes or the active selection (inactiveRunColor()).
    QColor fadedColour() const;

    void setBrush(int axis, const AxisBrush &brush);
    void clearBrush(int axis);
    void clearBrushes();
    const std::map<int, AxisBrush> &brushes() const { return m_brushes; }
    // Drawn in colour: passes the brushes here and is active in the selection.
    bool isRunHighlighted(int run) const;

    // Geometry, in widget coordinates, for drawing, hit tests and tests that aim the mouse.
    double axisX(int axis) const;
    double axisTop() const;
    double axisBottom() const;
    double missingY() const; // where runs without a value meet an axis
    double positionToY(double position) const;
    double yToPosition(double y) const;
    double valueToY(int axis, double value) const;
    double categoryToY(int axis, const QString &category) const;
    QRectF titleRect(int axis) const;
    // The axis whose line (or title) is under the point, -1 when none.
    int axisAt(const QPointF &pos) const;
    int titleAt(const QPointF &pos) const;
    // The run whose line passes closest to the point (within a few pixels), -1 when none.
    int runAt(const QPointF &pos) const;
    int hoveredRun() const { return m_hovered; }

    // The context menu of an axis: linear, log, categorical, automatic, clear brush, remove.
    // The caller owns the menu.
    QMenu *createAxisMenu(int axis);

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

    void retranslateUi();

signals:
    void brushesChanged();
    // The user removed an axis or changed its kind.
    void axesChanged();

protected:
    void paintEvent(QPaintEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void leaveEvent(QEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void contextMenuEvent(QContextMenuEvent *event) override;
    void changeEvent(QEvent *event) override;
    bool event(QEvent *event) override;

private:
    enum class Drag { None, Creating, Moving, Click };

    void rebuildAxes();
    void rebuildAxis(int axis);
    void applyFilter();
    void setHovered(int run);
    double plotLeft() const;
    double plotRight() const;
    double yOf(int axis, int run) const;
    QString axisSubtitle(int axis) const;
    QString runToolTip(int run) const;
    QString titleToolTip(int axis) const;
    void drawAxis(QPainter &painter, int axis) const;
    void drawTitle(QPainter &painter, int axis) const;

    QPointer<CompareSelection> m_selection;
    std::vector<RunRecord> m_runs;
    std::vector<QString> m_runIds;
    std::vector<RunColumn> m_columns;
    std::vector<std::optional<AxisKind>> m_kinds;
    std::vector<CompareAxis> m_axes;
    std::map<int, AxisBrush> m_brushes;
    std::vector<bool> m_passing; // per run, passes m_brushes

    ColourFunction m_colourFunction;
    QHash<QString, QColor> m_colours;

    Drag m_drag = Drag::None;
    int m_dragAxis = -1;
    double m_dragAnchor = 0.0; // normalised
    double m_dragOffset = 0.0;
    QPointF m_pressPos;
    bool m_moved = false;
    int m_hovered = -1;

    QString m_emptyText;
    QString m_noAxesText;
    QString m_missingText;
};

} // namespace sightline
