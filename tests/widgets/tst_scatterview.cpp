// SPDX-License-Identifier: GPL-3.0-or-later
// Tests of the scatter view, offscreen: the points drawn are the runs with both values, the
// rubber band sets the "scatter" filter, clicks and hover find runs, text columns sit on evenly
// spaced ticks, log scales, and the grabbed image shows the run colours and faint inactive runs.
#include "compareselection.h"
#include "runcolors.h"
#include "scatterview.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QImage>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QToolTip>
#include <QtTest>

#include <cmath>

using namespace sightline;

namespace {

constexpr int kRuns = 20;
const char *const kTeams[] = {"nlp", "speech", "vision"};

// Run i: params.lr = 10^(-5 + 0.2 i) (as text), metrics.val_loss = 0.5 + ((3 i) mod 20) / 20
// except runs 3, 10 and 17, which have none; tags.team cycles nlp, speech, vision.
std::vector<RunRecord> makeRuns()
{
    std::vector<RunRecord> out;
    for (int i = 0; i < kRuns; ++i) {
        RunRecord r;
        r.run.runId = "run" + std::to_string(i);
        r.run.runName = "trial-" + std::to_string(i);
        char lr[32];
        std::snprintf(lr, sizeof lr, "%.6g", std::pow(10.0, -5 + 0.2 * i));
        r.run.params.push_back({"lr", lr});
        r.run.tags.push_back({"team", kTeams[i % 3]});
        r.run.tags.push_back({"mlflow.user", "ana"});
        if (i != 3 && i != 10 && i != 17) {
            const double loss = 0.5 + ((3 * i) % 20) / 20.0;
            r.run.metrics.push_back({"val_loss", loss, 0, 5});
            r.summaries["val_loss"] = MetricSummary{loss, loss - 0.1, loss + 0.3, 5, true};
        }
        out.push_back(std::move(r));
    }
    return out;
}

bool hasLoss(int i)
{
    return i != 3 && i != 10 && i != 17;
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

} // namespace

class TestScatterView : public QObject {
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void listsColumns();
    void drawsRunsWithBothValues();
    void rubberBandSetsFilter();
    void clickAndHover();
    void categoricalTicksEvenlySpaced();
    void logScale();
    void grabShowsRunColours();

private:
    QPointF at(int run) const;

    std::unique_ptr<CompareSelection> m_selection;
    std::unique_ptr<ScatterView> m_view;
};

void TestScatterView::init()
{
    m_selection = std::make_unique<CompareSelection>();
    m_view = std::make_unique<ScatterView>();
    m_view->resize(820, 520);
    auto runs = makeRuns();
    QStringList runIds;
    for (const RunRecord &r : runs)
        runIds.append(QString::fromStdString(r.run.runId));
    m_selection->setRuns(runIds);
    m_view->setSelection(m_selection.get());
    m_view->setColourFunction([](const QString &id) { return colourOf(id.mid(3).toInt()); });
    m_view->setRuns(std::move(runs));
    QVERIFY(m_view->setColumns("params.lr", "metrics.val_loss"));
    m_view->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_view.get()));
    QCoreApplication::processEvents();
}

void TestScatterView::cleanup()
{
    m_view.reset();
    m_selection.reset();
}

QPointF TestScatterView::at(int run) const
{
    const auto p = m_view->pointPosition(QStringLiteral("run%1").arg(run));
    return p ? *p : QPointF(-1, -1);
}

void TestScatterView::listsColumns()
{
    const QStringList columns = m_view->availableColumns();
    QCOMPARE(columns,
             (QStringList{"params.lr", "metrics.val_loss", "metrics.val_loss:min",
                          "metrics.val_loss:max", "tags.team"}));
    QCOMPARE(m_view->xCombo()->count(), columns.size());
    QCOMPARE(m_view->xColumn(), QStringLiteral("params.lr"));
    QVERIFY(!m_view->setColumns("params.absent", "metrics.val_loss"));

    // Choosing in the combo box is a change of columns.
    QSignalSpy changed(m_view.get(), &ScatterView::columnsChanged);
    m_view->yCombo()->setCurrentIndex(m_view->yCombo()->findData("metrics.val_loss:max"));
    QCOMPARE(changed.count(), 1);
    QCOMPARE(m_view->yColumn(), QStringLiteral("metrics.val_loss:max"));
}

void TestScatterView::drawsRunsWithBothValues()
{
    int expected = 0;
    for (int i = 0; i < kRuns; ++i)
        expected += hasLoss(i) ? 1 : 0;
    QCOMPARE(m_view->pointCount(), expected);
    QVERIFY(!m_view->pointPosition("run3"));
    QVERIFY(m_view->countLabel()->text().contains(QString::number(expected)));

    // lr against the team: every run has both.
    QVERIFY(m_view->setColumns("params.lr", "tags.team"));
    QCOMPARE(m_view->pointCount(), kRuns);

    // Points sit where their values are: lr grows with the run index, so does x.
    QVERIFY(m_view->setColumns("params.lr", "metrics.val_loss"));
    QVERIFY(at(0).x() < at(1).x() && at(1).x() < at(19).x());
    // val_loss: run 1 (0.65) above run 0 (0.5): smaller y in pixels.
    QVERIFY(at(1).y() < at(0).y());
}

void TestScatterView::rubberBandSetsFilter()
{
    QWidget *plot = m_view->plotWidget();
    // Runs 4..9 by x, the whole height.
    const int left = qRound(at(4).x()) - 6;
    const int right = qRound(at(9).x()) + 6;
    const QPoint from(left, 5);
    const QPoint to(right, plot->height() - 5);
    QTest::mousePress(plot, Qt::LeftButton, {}, from);
    for (int s = 1; s <= 4; ++s)
        QTest::mouseMove(plot, from + (to - from) * s / 4);
    QTest::mouseRelease(plot, Qt::LeftButton, {}, to);

    QStringList expected;
    for (int i = 4; i <= 9; ++i)
        if (hasLoss(i))
            expected.append(QStringLiteral("run%1").arg(i));
    QVERIFY(m_selection->hasFilter("scatter"));
    QCOMPARE(m_selection->activeRuns(), expected);
    QVERIFY(m_view->clearButton()->isEnabled());

    // The button clears it.
    QTest::mouseClick(m_view->clearButton(), Qt::LeftButton);
    QVERIFY(!m_selection->hasFilter("scatter"));
    QVERIFY(!m_view->clearButton()->isEnabled());

    // So does a double click, and a rectangle with no point in it.
    m_view->selectRunsInRect(QRectF(at(0) - QPointF(3, 3), at(0) + QPointF(3, 3)));
    QCOMPARE(m_selection->activeRuns(), QStringList{"run0"});
    QTest::mouseDClick(plot, Qt::LeftButton, {}, QPoint(left, 5));
    QVERIFY(!m_selection->hasFilter("scatter"));
    m_view->selectRunsInRect(QRectF(at(0) - QPointF(3, 3), at(0) + QPointF(3, 3)));
    m_view->selectRunsInRect(QRectF(2, 2, 3, 3));
    QVERIFY(!m_selection->hasFilter("scatter"));
}

void TestScatterView::clickAndHover()
{
    QWidget *plot = m_view->plotWidget();
    const QPointF p = at(12);
    QCOMPARE(m_view->runAt(p), QStringLiteral("run12"));
    QVERIFY(m_view->runAt(p + QPointF(40, 40)) != QStringLiteral("run12"));

    QMouseEvent move(QEvent::MouseMove, p, plot->mapToGlobal(p), Qt::NoButton, Qt::NoButton,
                     Qt::NoModifier);
    QApplication::sendEvent(plot, &move);
    QTRY_VERIFY(QToolTip::isVisible());
    QVERIFY(QToolTip::text().contains("trial-12"));
    QVERIFY(QToolTip::text().contains("params.lr"));
    QVERIFY(QToolTip::text().contains("metrics.val_loss"));
    QToolTip::hideText();

    QTest::mouseClick(plot, Qt::LeftButton, {}, p.toPoint());
    QCOMPARE(m_selection->currentRun(), QStringLiteral("run12"));
    QVERIFY(!m_selection->isFiltered()); // a click is not a rubber band
}

void TestScatterView::categoricalTicksEvenlySpaced()
{
    QVERIFY(m_view->setColumns("tags.team", "metrics.val_loss"));
    QCOMPARE(m_view->xAxis().kind, AxisKind::Categorical);
    QCOMPARE(m_view->xAxis().categories, (std::vector<std::string>{"nlp", "speech", "vision"}));
    QVERIFY(!m_view->logXBox()->isEnabled());
    // Runs 0, 1, 2 are nlp, speech, vision: evenly spaced columns.
    const double a = at(0).x(), b = at(1).x(), c = at(2).x();
    QVERIFY(a < b && b < c);
    QVERIFY(std::abs((b - a) - (c - b)) <= 1.0);
    QCOMPARE(at(6).x(), a); // nlp too
    if (const QString dir = qEnvironmentVariable("SIGHTLINE_GRAB_DIR"); !dir.isEmpty())
        QVERIFY(m_view->grab().save(dir + "/scatterview-categorical.png"));
}

void TestScatterView::logScale()
{
    // lr spans almost four decades: the x axis starts on a log scale.
    QVERIFY(m_view->logXBox()->isEnabled());
    QVERIFY(m_view->logX());
    // Equal ratios, equal distances: runs 0, 5, 10 are one decade apart.
    QVERIFY(m_view->setColumns("params.lr", "tags.team"));
    QVERIFY(m_view->logX());
    const double d1 = at(5).x() - at(0).x();
    const double d2 = at(10).x() - at(5).x();
    QVERIFY(d1 > 10);
    QVERIFY(std::abs(d1 - d2) <= 1.0);

    m_view->setLogX(false);
    QVERIFY(!m_view->logX());
    QVERIFY(at(5).x() - at(0).x() < 3); // linear: the small values huddle at the left
    // val_loss is not worth a log scale but allows one.
    QVERIFY(m_view->setColumns("params.lr", "metrics.val_loss"));
    QVERIFY(m_view->logYBox()->isEnabled());
    QVERIFY(!m_view->logY());
    m_view->setLogY(true);
    QVERIFY(m_view->logY());
    QCOMPARE(m_view->pointCount(), kRuns - 3);
}

void TestScatterView::grabShowsRunColours()
{
    // Select runs 4..9 by rectangle so the others turn faint.
    const QPointF a = at(4), b = at(9);
    m_view->selectRunsInRect(
        QRectF(QPointF(a.x() - 6, 0), QPointF(b.x() + 6, m_view->plotWidget()->height())));
    const QImage whole = m_view->grab().toImage();
    // SIGHTLINE_GRAB_DIR=/tmp keeps the image for a look.
    if (const QString dir = qEnvironmentVariable("SIGHTLINE_GRAB_DIR"); !dir.isEmpty())
        QVERIFY(whole.save(dir + "/scatterview.png"));
    const QImage image =
        m_view->plotWidget()->grab().toImage().convertToFormat(QImage::Format_RGB32);

    const QColor faded = m_view->fadedColour();
    for (int i = 0; i < kRuns; ++i) {
        const auto p = m_view->pointPosition(QStringLiteral("run%1").arg(i));
        if (!hasLoss(i)) {
            QVERIFY(!p);
            continue;
        }
        QVERIFY(p);
        const QRgb pixel = image.pixel(p->toPoint());
        if (i >= 4 && i <= 9)
            QVERIFY2(near(pixel, colourOf(i)), qPrintable(QStringLiteral("run %1").arg(i)));
        else
            QVERIFY2(near(pixel, faded, 16) || !near(pixel, colourOf(i)),
                     qPrintable(QStringLiteral("run %1 not faint").arg(i)));
    }
    // Every active colour appears in the image at least a few times (the points are discs).
    for (int i = 4; i <= 9; ++i) {
        if (!hasLoss(i))
            continue;
        int count = 0;
        for (int y = 0; y < image.height(); ++y)
            for (int x = 0; x < image.width(); ++x)
                if (near(image.pixel(x, y), colourOf(i), 10))
                    ++count;
        QVERIFY2(count >= 20, qPrintable(QStringLiteral("run %1: %2 pixels").arg(i).arg(count)));
    }
    // The axis labels are drawn: dark pixels along the bottom edge.
    int dark = 0;
    for (int y = image.height() - 40; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x)
            if (qGray(image.pixel(x, y)) < 100)
                ++dark;
    QVERIFY(dark > 50);
}

QTEST_MAIN(TestScatterView)
#include "tst_scatterview.moc"
