// SPDX-License-Identifier: GPL-3.0-or-later
// ScatterView: the compare pane's scatter of any two run columns (params, metrics as last, min
// or max, tags), one point per run in the run's colour. Dragging a rectangle selects runs (the
// "scatter" filter of the shared CompareSelection); runs that are not active are drawn faint.
// Text columns sit on evenly spaced, labelled ticks; numeric ones may use a log scale.
#pragma once

#include "compare/axes.h"

#include <QColor>
#include <QHash>
#include <QPointer>
#include <QWidget>

#include <functional>
#include <optional>
#include <vector>

class QCheckBox;
class QComboBox;
class QCustomPlot;
class QLabel;
class QMouseEvent;
class QPushButton;

namespace sightline {

class CompareSelection;

class ScatterView : public QWidget {
    Q_OBJECT

public:
    using ColourFunction = std::function<QColor(const QString &runId)>;

    explicit ScatterView(QWidget *parent = nullptr);
    ~ScatterView() override;

    void setSelection(CompareSelection *selection);
    CompareSelection *selection() const;

    // The runs; the column lists are rebuilt and the chosen columns kept where they still exist.
    void setRuns(std::vector<RunRecord> runs);
    // Chooses the columns by title ("params.lr", "metrics.val_loss:min"); false when a run set
    // offers no such column.
    bool setColumns(const QString &xTitle, const QString &yTitle);
    QString xColumn() const;
    QString yColumn() const;
    QStringList availableColumns() const;

    void setLogX(bool on);
    void setLogY(bool on);
    bool logX() const;
    bool logY() const;
    const CompareAxis &xAxis() const { return m_x; }
    const CompareAxis &yAxis() const { return m_y; }

    // A function wins over the table; runs in neither get runColor() by their place in the runs.
    void setColourFunction(ColourFunction colour);
    void setRunColours(const QHash<QString, QColor> &colours);
    QColor runColour(int run) const;
    QColor fadedColour() const;

    // Runs with a value on both axes, as drawn.
    int pointCount() const { return static_cast<int>(m_points.size()); }
    QStringList plottedRuns() const;
    // Where a run's point is, in the plot widget's coordinates; nullopt when it is not drawn.
    std::optional<QPointF> pointPosition(const QString &runId) const;
    // The run whose point is nearest (within a few pixels of) a place in the plot widget.
    QString runAt(const QPointF &plotPos) const;

    // The rubber band's work: selects the runs whose points lie in the rectangle (plot widget
    // coordinates). A rectangle with no point in it clears the selection.
    void selectRunsInRect(const QRectF &rect);
    void clearSelection();

    QWidget *plotWidget() const;
    QComboBox *xCombo() const { return m_xCombo; }
    QComboBox *yCombo() const { return m_yCombo; }
    QCheckBox *logXBox() const { return m_logXBox; }
    QCheckBox *logYBox() const { return m_logYBox; }
    QPushButton *clearButton() const { return m_clearButton; }
    QLabel *countLabel() const { return m_countLabel; }

    void retranslateUi();

signals:
    // The user chose other columns or scales.
    void columnsChanged();

protected:
    void changeEvent(QEvent *event) override;

private:
    struct Point {
        int run = -1;
        double x = 0.0;
        double y = 0.0;
    };

    void rebuildColumnLists();
    void rebuildAxes();
    void updatePlot();
    void setupAxis(bool horizontal);
    bool isRunHighlighted(int run) const;
    QPointF pixelOf(const Point &point) const;
    QString toolTipFor(int run) const;
    void plotMouseMove(QMouseEvent *event);
    void plotMousePress(QMouseEvent *event);
    void plotMouseRelease(QMouseEvent *event);
    void updateCountLabel();

    QPointer<CompareSelection> m_selection;
    std::vector<RunRecord> m_runs;
    std::vector<QString> m_runIds;
    std::vector<RunColumn> m_columns; // the combo boxes' entries
    CompareAxis m_x;
    CompareAxis m_y;
    std::vector<Point> m_points;

    ColourFunction m_colourFunction;
    QHash<QString, QColor> m_colours;

    QLabel *m_xLabel = nullptr;
    QLabel *m_yLabel = nullptr;
    QComboBox *m_xCombo = nullptr;
    QComboBox *m_yCombo = nullptr;
    QCheckBox *m_logXBox = nullptr;
    QCheckBox *m_logYBox = nullptr;
    QLabel *m_countLabel = nullptr;
    QPushButton *m_clearButton = nullptr;
    QCustomPlot *m_plot = nullptr;

    QPointF m_pressPos;
    bool m_updatingCombos = false;
};

} // namespace sightline
