// SPDX-License-Identifier: GPL-3.0-or-later
// Tests of the parallel coordinates, offscreen: brushing with the mouse filters the shared
// selection, brushes move and clear, hover and click find the right run, axis kinds change from
// the menu, and the grabbed image shows active runs in colour and brushed-out runs in grey.
#include "compareselection.h"
#include "parallelcoordinates.h"
#include "runcolors.h"

#include <QAction>
#include <QApplication>
#include <QHelpEvent>
#include <QImage>
#include <QMenu>
#include <QSignalSpy>
#include <QToolTip>
#include <QtTest>

#include <cmath>

using namespace sightline;

namespace {

constexpr int kRuns = 20;
const char *const kOptimizers[] = {"adam", "lamb", "sgd"};

// Run i: params.depth = i, metrics.val_loss = 1 + ((7 i) mod 20) / 10 (run 5 has none),
// params.opt cycles adam, lamb, sgd.
std::vector<RunRecord> makeRuns()
{
    std::vector<RunRecord> out;
    for (int i = 0; i < kRuns; ++i) {
        RunRecord r;
        r.run.runId = "run" + std::to_string(i);
        r.run.runName = "trial-" + std::to_string(i);
        r.run.params.push_back({"depth", std::to_string(i)});
        r.run.params.push_back({"opt", kOptimizers[i % 3]});
        if (i != 5) {
            const double loss = 1.0 + ((7 * i) % 20) / 10.0;
            r.run.metrics.push_back({"val_loss", loss, 0, 10});
            r.summaries["val_loss"] = MetricSummary{loss, loss - 0.5, loss + 2.0, 10, true};
        }
        out.push_back(std::move(r));
    }
    return out;
}

double lossOf(int i)
{
    return 1.0 + ((7 * i) % 20) / 10.0;
}

QColor colourOf(int run)
{
    return QColor::fromHsv((run * 360 / kRuns) % 360, 255, 210);
}

bool near(QRgb a, const QColor &b, int tolerance = 24)
{
    return std::abs(qRed(a) - b.red()) <= tolerance && std::abs(qGreen(a) - b.green()) <= tolerance
        && std::abs(qBlue(a) - b.blue()) <= tolerance;
}

// The pixel a point falls in (pixel (i, j) spans [i, i + 1) x [j, j + 1)).
QPoint pixelAt(QPointF at)
{
    return QPoint(int(std::floor(at.x())), int(std::floor(at.y())));
}

bool nearInNeighbourhood(const QImage &image, QPointF at, const QColor &colour, int radius)
{
    const QPoint c = pixelAt(at);
    for (int dy = -radius; dy <= radius; ++dy)
        for (int dx = -radius; dx <= radius; ++dx) {
            const QPoint p = c + QPoint(dx, dy);
            if (image.rect().contains(p) && near(image.pixel(p), colour))
                return true;
        }
    return false;
}

bool greyish(QRgb c)
{
    return std::abs(qRed(c) - qGreen(c)) < 12 && std::abs(qGreen(c) - qBlue(c)) < 12
        && qRed(c) > 150 && qRed(c) < 240;
}

QStringList ids(std::initializer_list<int> runs)
{
    QStringList out;
    for (int i : runs)
        out.append(QStringLiteral("run%1").arg(i));
    return out;
}

QStringList idRange(int first, int last, std::initializer_list<int> skip = {})
{
    QStringList out;
    for (int i = first; i <= last; ++i)
        if (std::find(skip.begin(), skip.end(), i) == skip.end())
            out.append(QStringLiteral("run%1").arg(i));
    return out;
}

} // namespace

class TestParallelCoordinates : public QObject {
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void detectsAxisKinds();
    void brushingFilters();
    void brushesMoveAndClear();
    void brushOnCategoricalAxis();
    void followsOtherFilters();
    void hoverAndClick();
    void axisMenuChangesKindAndRemoves();
    void grabShowsActiveColoursAndGreyBrushedOut();
    void emptyStates();

private:
    void drag(int axis, double fromY, double toY);
    QPointF onLine(int run, int segment, double t) const;

    std::unique_ptr<CompareSelection> m_selection;
    std::unique_ptr<ParallelCoordinates> m_view;
};

void TestParallelCoordinates::init()
{
    m_selection = std::make_unique<CompareSelection>();
    m_view = std::make_unique<ParallelCoordinates>();
    m_view->resize(820, 420);
    auto runs = makeRuns();
    QStringList runIds;
    for (const RunRecord &r : runs)
        runIds.append(QString::fromStdString(r.run.runId));
    m_selection->setRuns(runIds);
    m_view->setSelection(m_selection.get());
    m_view->setColourFunction([](const QString &id) { return colourOf(id.mid(3).toInt()); });
    m_view->setRuns(std::move(runs));
    m_view->setColumns(parseRunColumns("params.depth,metrics.val_loss,params.opt").value());
    m_view->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_view.get()));
}

void TestParallelCoordinates::cleanup()
{
    m_view.reset();
    m_selection.reset();
}

void TestParallelCoordinates::drag(int axis, double fromY, double toY)
{
    const int x = qRound(m_view->axisX(axis));
    QTest::mousePress(m_view.get(), Qt::LeftButton, {}, QPoint(x, qRound(fromY)));
    const int steps = 4;
    for (int s = 1; s <= steps; ++s)
        QTest::mouseMove(m_view.get(), QPoint(x, qRound(fromY + (toY - fromY) * s / steps)));
    QTest::mouseRelease(m_view.get(), Qt::LeftButton, {}, QPoint(x, qRound(toY)));
}

QPointF TestParallelCoordinates::onLine(int run, int segment, double t) const
{
    auto yOf = [&](int axis) {
        const CompareAxis &a = m_view->axis(axis);
        const double p = a.positions[size_t(run)];
        return std::isnan(p) ? m_view->missingY() : m_view->positionToY(p);
    };
    const QPointF a(m_view->axisX(segment), yOf(segment));
    const QPointF b(m_view->axisX(segment + 1), yOf(segment + 1));
    return a + t * (b - a);
}

void TestParallelCoordinates::detectsAxisKinds()
{
    QCOMPARE(m_view->axisCount(), 3);
    QCOMPARE(m_view->axis(0).kind, AxisKind::Numeric);
    QCOMPARE(m_view->axis(1).kind, AxisKind::Numeric);
    QCOMPARE(m_view->axis(2).kind, AxisKind::Categorical);
    QVERIFY(m_view->axis(1).isMissing(5));
    // Geometry: axes left to right, larger values higher up.
    QVERIFY(m_view->axisX(0) < m_view->axisX(1) && m_view->axisX(1) < m_view->axisX(2));
    QVERIFY(m_view->valueToY(0, 19) < m_view->valueToY(0, 0));
    QCOMPARE(m_view->valueToY(0, 19), m_view->axisTop());
    QVERIFY(m_view->missingY() > m_view->axisBottom());
    QVERIFY(m_view->categoryToY(2, "sgd") < m_view->categoryToY(2, "adam"));
}

void TestParallelCoordinates::brushingFilters()
{
    QSignalSpy brushes(m_view.get(), &ParallelCoordinates::brushesChanged);
    QSignalSpy active(m_selection.get(), &CompareSelection::activeChanged);

    // depth from 12.5 down to 4.5: runs 5..12.
    drag(0, m_view->valueToY(0, 12.5), m_view->valueToY(0, 4.5));
    QVERIFY(brushes.count() > 0);
    QVERIFY(active.count() > 0);
    QVERIFY(m_selection->hasFilter("parallel"));
    QCOMPARE(m_selection->activeRuns(), idRange(5, 12));
    QCOMPARE(m_view->brushes().size(), size_t(1));

    // And val_loss in [1.65, 2.45]: the runs of 5..12 with such a loss; run 5 has no loss at
    // all and drops out.
    drag(1, m_view->valueToY(1, 1.65), m_view->valueToY(1, 2.45));
    QStringList expected;
    for (int i = 5; i <= 12; ++i)
        if (i != 5 && lossOf(i) >= 1.65 && lossOf(i) <= 2.45)
            expected.append(QStringLiteral("run%1").arg(i));
    QVERIFY(!expected.isEmpty());
    QCOMPARE(m_selection->activeRuns(), expected);
    for (int i = 0; i < kRuns; ++i)
        QCOMPARE(m_view->isRunHighlighted(i), expected.contains(QStringLiteral("run%1").arg(i)));

    // Esc clears every brush and lifts the filter.
    m_view->setFocus();
    QTest::keyClick(m_view.get(), Qt::Key_Escape);
    QVERIFY(m_view->brushes().empty());
    QVERIFY(!m_selection->hasFilter("parallel"));
    QCOMPARE(m_selection->activeRuns().size(), kRuns);
}

void TestParallelCoordinates::brushesMoveAndClear()
{
    drag(0, m_view->valueToY(0, 2.5), m_view->valueToY(0, 5.5)); // runs 3, 4, 5
    QCOMPARE(m_selection->activeRuns(), ids({3, 4, 5}));

    // Dragging inside the brush moves it: by +10 in depth.
    const double from = m_view->valueToY(0, 4);
    const double to = m_view->valueToY(0, 14);
    drag(0, from, to);
    QCOMPARE(m_view->brushes().size(), size_t(1));
    QCOMPARE(m_selection->activeRuns(), ids({13, 14, 15}));

    // A click on the axis outside the brush clears it.
    const int x = qRound(m_view->axisX(0));
    QTest::mouseClick(m_view.get(), Qt::LeftButton, {}, QPoint(x, qRound(m_view->valueToY(0, 1))));
    QVERIFY(m_view->brushes().empty());
    QVERIFY(!m_selection->isFiltered());

    // A brush over nothing keeps nothing; the API clears it too.
    AxisBrush b;
    b.low = 0.40;
    b.high = 0.41;
    m_view->setBrush(0, b);
    QVERIFY(m_selection->activeRuns().isEmpty());
    m_view->clearBrush(0);
    QCOMPARE(m_selection->activeRuns().size(), kRuns);
}

void TestParallelCoordinates::brushOnCategoricalAxis()
{
    // Around "lamb" only.
    const double y = m_view->categoryToY(2, "lamb");
    drag(2, y - 12, y + 12);
    QStringList expected;
    for (int i = 0; i < kRuns; ++i)
        if (i % 3 == 1)
            expected.append(QStringLiteral("run%1").arg(i));
    QCOMPARE(m_selection->activeRuns(), expected);
}

void TestParallelCoordinates::followsOtherFilters()
{
    m_selection->setFilter("scatter", QSet<QString>{"run1", "run2", "run3"});
    QVERIFY(m_view->isRunHighlighted(2));
    QVERIFY(!m_view->isRunHighlighted(4));
    drag(0, m_view->valueToY(0, 2.5), m_view->valueToY(0, 8.5));
    QCOMPARE(m_selection->activeRuns(), ids({3}));
    // A new set of runs lifts every filter; the brushes go with it.
    m_selection->setRuns(m_selection->runs());
    QVERIFY(m_view->brushes().empty());
}

void TestParallelCoordinates::hoverAndClick()
{
    // Midway between the loss axis and the optimizer axis, on run 8's line.
    const int run = 8;
    const QPointF p = onLine(run, 1, 0.5);
    QCOMPARE(m_view->runAt(p), run);
    QMouseEvent move(QEvent::MouseMove, p, m_view->mapToGlobal(p), Qt::NoButton, Qt::NoButton,
                     Qt::NoModifier);
    QApplication::sendEvent(m_view.get(), &move);
    QCOMPARE(m_view->hoveredRun(), run);

    QHelpEvent help(QEvent::ToolTip, p.toPoint(), m_view->mapToGlobal(p.toPoint()));
    QApplication::sendEvent(m_view.get(), &help);
    QTRY_VERIFY(QToolTip::isVisible());
    QVERIFY(QToolTip::text().contains("trial-8"));
    QVERIFY(QToolTip::text().contains("metrics.val_loss"));
    QToolTip::hideText();

    QTest::mouseClick(m_view.get(), Qt::LeftButton, {}, p.toPoint());
    QCOMPARE(m_selection->currentRun(), QStringLiteral("run8"));

    // Far from every line: nothing.
    QCOMPARE(m_view->runAt(QPointF(m_view->width() - 2, 2)), -1);
}

void TestParallelCoordinates::axisMenuChangesKindAndRemoves()
{
    QSignalSpy axes(m_view.get(), &ParallelCoordinates::axesChanged);
    std::unique_ptr<QMenu> menu(m_view->createAxisMenu(0));
    QVERIFY(menu);
    QAction *log = nullptr, *categorical = nullptr, *remove = nullptr;
    for (QAction *a : menu->actions()) {
        if (a->text() == ParallelCoordinates::tr("L&ogarithmic"))
            log = a;
        else if (a->text() == ParallelCoordinates::tr("&Categorical"))
            categorical = a;
        else if (a->text() == ParallelCoordinates::tr("&Remove Axis"))
            remove = a;
    }
    QVERIFY(log && categorical && remove);
    QVERIFY(!log->isEnabled()); // depth includes 0
    categorical->trigger();
    QCOMPARE(m_view->axis(0).kind, AxisKind::Categorical);
    QCOMPARE(axes.count(), 1);
    QCOMPARE(m_view->axis(0).categories.size(), size_t(kRuns));

    // A brush on axis 2 follows the axis when axis 0 goes away.
    const double y = m_view->categoryToY(2, "sgd");
    drag(2, y - 10, y + 10);
    QCOMPARE(m_selection->activeRuns().size(), 6);
    remove->trigger();
    QCOMPARE(m_view->axisCount(), 2);
    QCOMPARE(m_view->axis(0).column.title(), std::string("metrics.val_loss"));
    QCOMPARE(m_view->brushes().count(1), size_t(1));
    QCOMPARE(m_selection->activeRuns().size(), 6);

    // Log where the values allow it.
    m_view->setColumns(parseRunColumns("metrics.val_loss:max").value());
    m_view->setAxisKind(0, AxisKind::Log);
    QCOMPARE(m_view->axis(0).kind, AxisKind::Log);
    m_view->resetAxisKind(0);
    QCOMPARE(m_view->axis(0).kind, AxisKind::Numeric);
}

void TestParallelCoordinates::grabShowsActiveColoursAndGreyBrushedOut()
{
    drag(0, m_view->valueToY(0, 12.5), m_view->valueToY(0, 4.5)); // runs 5..12 stay
    const QImage image = m_view->grab().toImage().convertToFormat(QImage::Format_RGB32);
    // SIGHTLINE_GRAB_DIR=/tmp keeps the image for a look.
    if (const QString dir = qEnvironmentVariable("SIGHTLINE_GRAB_DIR"); !dir.isEmpty())
        QVERIFY(image.save(dir + "/parallelcoordinates.png"));
    QCOMPARE(image.size(), m_view->size());

    // Sample each run's line between the depth and loss axes, away from both axes.
    for (int run = 0; run < kRuns; ++run) {
        const bool kept = run >= 5 && run <= 12;
        int colourHits = 0, greyHits = 0;
        for (double t = 0.2; t <= 0.81; t += 0.1) {
            const QPointF p = onLine(run, 0, t);
            if (nearInNeighbourhood(image, p, colourOf(run), 1))
                ++colourHits;
            if (greyish(image.pixel(pixelAt(p))))
                ++greyHits;
        }
        if (kept) {
            QVERIFY2(colourHits >= 3,
                     qPrintable(QStringLiteral("run %1 not in its colour").arg(run)));
        } else {
            QVERIFY2(colourHits == 0, qPrintable(QStringLiteral("run %1 in colour").arg(run)));
            QVERIFY2(greyHits >= 2, qPrintable(QStringLiteral("run %1 not grey").arg(run)));
        }
    }

    // The brush is drawn over the axis, tinted with the highlight colour (blue in the default
    // palette): compare with the same place once the brush is gone.
    const QPoint inBrush = pixelAt(QPointF(m_view->axisX(0) + 5, m_view->valueToY(0, 8.5)));
    m_view->clearBrushes();
    const QImage unbrushed = m_view->grab().toImage().convertToFormat(QImage::Format_RGB32);
    const QRgb with = image.pixel(inBrush);
    const QRgb without = unbrushed.pixel(inBrush);
    QVERIFY(with != without);
    const QColor highlight = m_view->palette().color(QPalette::Highlight);
    auto lean = [&](QRgb c) { return (qBlue(c) - qRed(c)) * (highlight.blue() - highlight.red()); };
    QVERIFY(lean(with) > lean(without));

    // Text: the axis titles are drawn (dark pixels in the title band).
    const QRectF title = m_view->titleRect(1);
    int dark = 0;
    for (int y = int(title.top()); y < int(title.bottom()); ++y)
        for (int x = int(title.left()); x < int(title.right()); ++x)
            if (qGray(image.pixel(x, y)) < 100)
                ++dark;
    QVERIFY(dark > 20);
    // The "missing" marker sits under the loss axis (run 5 has no loss).
    const QPoint marker(qRound(m_view->axisX(1)), qRound(m_view->missingY()) - 3);
    QVERIFY(qGray(image.pixel(marker)) < 230);
}

void TestParallelCoordinates::emptyStates()
{
    ParallelCoordinates view;
    view.resize(300, 200);
    const QImage empty = view.grab().toImage();
    int dark = 0;
    for (int y = 0; y < empty.height(); ++y)
        for (int x = 0; x < empty.width(); ++x)
            if (qGray(empty.pixel(x, y)) < 200)
                ++dark;
    QVERIFY(dark > 10); // the "no runs" text
    QCOMPARE(view.runAt(QPointF(150, 100)), -1);
    view.setBrush(0, AxisBrush{}); // no axes: ignored
    QVERIFY(view.brushes().empty());
}

QTEST_MAIN(TestParallelCoordinates)
#include "tst_parallelcoordinates.moc"
