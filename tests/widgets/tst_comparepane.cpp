// SPDX-License-Identifier: GPL-3.0-or-later
// The compare pane offscreen, on a workspace written for the test: a set opens with a chart per
// metric key and every run's colour drawn; the spike a sampled chart would drop is drawn; hover
// names run, step and value; a click selects the run; grouping draws a mean and a band; NaN and
// infinity are marked, not drawn as lines; only charts in view exist with thousands of keys;
// sets save, reopen and round-trip through JSON; every export writes a real file.
#include "chartgrid.h"
#include "comparepane.h"
#include "compareselection.h"
#include "difftablemodel.h"
#include "difftableview.h"
#include "metricchart.h"
#include "parallelcoordinates.h"
#include "scatterview.h"
#include "store/store.h"

#include <qcustomplot.h>

#include <QListWidget>
#include <QToolButton>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <limits>

using namespace sightline;

namespace {

int countColor(const QImage &image, const QColor &color, const QRect &area)
{
    int n = 0;
    const QRgb want = color.rgb() & 0xffffff;
    for (int y = area.top(); y <= area.bottom(); ++y)
        for (int x = area.left(); x <= area.right(); ++x)
            if ((image.pixel(x, y) & 0xffffff) == want)
                ++n;
    return n;
}

} // namespace

class TestComparePane : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_path;
    QStringList m_ids;

    void writeWorkspace(int extraKeys)
    {
        m_path = m_dir.filePath(QStringLiteral("ws%1.sqlite").arg(extraKeys));
        auto store = Store::open(m_path.toStdString());
        QVERIFY(store.ok());
        Experiment e;
        e.experimentId = "1";
        e.name = "exp";
        QVERIFY((*store)->upsertExperiment(e).ok());
        m_ids.clear();
        for (int r = 0; r < 6; ++r) {
            Run run;
            run.runId = "run" + std::to_string(r);
            run.experimentId = "1";
            run.runName = "trial-" + std::to_string(r);
            run.status = r == 5 ? "RUNNING" : "FINISHED";
            run.lifecycleStage = "active";
            run.startTime = 1'790'000'000'000 + r * 1000;
            run.params = {{"optimizer", r % 2 ? "adam" : "sgd"}, {"lr", std::to_string(0.001 * (r + 1))},
                          {"seed", "7"}};
            MetricSeries loss;
            for (int i = 0; i < 20000; ++i) {
                double v = 2.0 * std::exp(-i / 3000.0) + 0.1 * r + 0.01 * std::sin(i * 0.37);
                if (r == 2 && i == 12345)
                    v = 50.0; // a one-point spike
                if (r == 3 && i >= 9000 && i < 9010)
                    v = std::numeric_limits<double>::quiet_NaN();
                if (r == 4 && i == 15000)
                    v = std::numeric_limits<double>::infinity();
                loss.append(i, run.startTime + i * 100, v);
            }
            run.metrics = {{"loss", loss.values.back(), loss.timestamps.back(), 19999}};
            QVERIFY((*store)->upsertRun(run).ok());
            QVERIFY((*store)->putHistory(run.runId, "loss", loss).ok());
            MetricSeries acc;
            for (int i = 0; i < 100; ++i)
                acc.append(i * 200, run.startTime + i * 20000, 0.5 + 0.004 * i + 0.01 * r);
            QVERIFY((*store)->putHistory(run.runId, "accuracy", acc).ok());
            for (int k = 0; k < extraKeys; ++k) {
                MetricSeries s;
                s.append(0, run.startTime, k);
                QVERIFY((*store)->putHistory(run.runId, "extra/" + std::to_string(10000 + k), s).ok());
            }
            m_ids.append(QString::fromStdString(run.runId));
        }
    }

    // Shown at a fixed size, histories loaded on this thread, the runs compared.
    void open(ComparePane &pane, const QStringList &ids)
    {
        pane.setSynchronousLoading(true);
        pane.resize(1300, 800);
        pane.show();
        pane.setWorkspace(m_path);
        pane.compareRuns(ids);
    }

    static void settle(ComparePane &pane)
    {
        QCoreApplication::processEvents();
        for (MetricChart *c : pane.chartGrid()->boundCharts())
            c->plot()->replot(QCustomPlot::rpImmediateRefresh);
    }

private slots:
    void initTestCase() { writeWorkspace(0); }

    void opensASetWithAChartPerKey()
    {
        ComparePane pane;
        open(pane, m_ids);
        settle(pane);
        QCOMPARE(pane.records().size(), size_t(6));
        QCOMPARE(pane.metricKeys(), (QStringList{"accuracy", "loss"}));
        const auto charts = pane.chartGrid()->boundCharts();
        QCOMPARE(charts.size(), size_t(2));
        MetricChart *loss = pane.chartGrid()->chartFor(QStringLiteral("loss"));
        QVERIFY(loss);
        QCOMPARE(loss->curves().size(), size_t(6));
        QCOMPARE(pane.legend()->count(), 6);

        // Every run's colour is on screen.
        const QImage image = loss->grab().toImage();
        const QRect area = loss->plotRect();
        for (const QString &id : m_ids)
            QVERIFY2(countColor(image, pane.colorOf(id), area) > 20, qPrintable(id));
        image.save(QDir::temp().filePath(QStringLiteral("sightline-compare-test.png")));
    }

    void spikeAndNonFiniteValues()
    {
        ComparePane pane;
        open(pane, m_ids);
        pane.setMetricFilter(QStringLiteral("loss"));
        settle(pane);
        MetricChart *loss = pane.chartGrid()->chartFor(QStringLiteral("loss"));
        QVERIFY(loss);
        // Show the spike: y up to 60. The column holding step 12345 must reach the spike's row.
        loss->plot()->yAxis->setRange(0, 60);
        loss->plot()->replot(QCustomPlot::rpImmediateRefresh);
        const QImage image = loss->grab().toImage();
        const QPointF spike = loss->pointToPixel(12345, 50.0);
        const QColor color = pane.colorOf(m_ids[2]);
        bool found = false;
        for (int dx = -1; dx <= 1 && !found; ++dx)
            for (int dy = -2; dy <= 2 && !found; ++dy)
                found = (image.pixel(int(spike.x()) + dx, int(spike.y()) + dy) & 0xffffff)
                    == (color.rgb() & 0xffffff);
        QVERIFY2(found, "the one-point spike was not drawn");
        // NaN leaves a gap with a mark and inf a triangle at the top: no line to the edge.
        const QPointF inf = loss->pointToPixel(15000, 59.0);
        const QColor infColor = pane.colorOf(m_ids[4]);
        int above = 0;
        for (int y = loss->plotRect().top() + 10; y < int(inf.y()) - 40; ++y)
            if ((image.pixel(int(inf.x()), y) & 0xffffff) == (infColor.rgb() & 0xffffff))
                ++above;
        QCOMPARE(above, 0);
        QVERIFY(countColor(image, infColor, QRect(int(inf.x()) - 6, loss->plotRect().top(), 13, 9)) > 0);
    }

    void hoverAndClickSelectTheRun()
    {
        ComparePane pane;
        open(pane, m_ids);
        pane.setMetricFilter(QStringLiteral("accuracy"));
        settle(pane);
        MetricChart *acc = pane.chartGrid()->chartFor(QStringLiteral("accuracy"));
        QVERIFY(acc);
        // Run 5's accuracy at step 10000 is 0.5 + 0.004 * 50 + 0.05 = 0.75.
        const QPoint pos = acc->pointToPixel(10000, 0.75).toPoint();
        QCOMPARE(acc->runAt(pos), m_ids[5]);
        const QString text = acc->hoverText(pos);
        QVERIFY2(text.contains(QStringLiteral("trial-5")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("step 10,000")) || text.contains(QStringLiteral("step 10000")),
                 qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("0.75")), qPrintable(text));
        QSignalSpy selected(&pane, &ComparePane::runSelected);
        QTest::mouseClick(acc->plot(), Qt::LeftButton, {}, pos - acc->plot()->pos());
        QCOMPARE(selected.count(), 1);
        QCOMPARE(selected.first().first().toString(), m_ids[5]);
        QCOMPARE(pane.selection()->currentRun(), m_ids[5]);
    }

    void groupingDrawsMeanAndBand()
    {
        ComparePane pane;
        open(pane, m_ids);
        pane.setGroupBy(QStringLiteral("params.optimizer"));
        settle(pane);
        MetricChart *acc = pane.chartGrid()->chartFor(QStringLiteral("accuracy"));
        QVERIFY(acc);
        // Two groups (adam, sgd): a band (two graphs) and a mean line each.
        QCOMPARE(acc->plot()->graphCount(), 6);
        QCPGraph *mean = acc->plot()->graph(2);
        QVERIFY(mean->data()->size() > 10);
        // sgd runs are 0, 2, 4: mean accuracy at step 0 is 0.5 + 0.01 * 2 = 0.52.
        const QString first = acc->plot()->graph(2)->name();
        const double expect = first == QLatin1String("sgd") ? 0.52 : 0.53;
        QVERIFY(std::abs(mean->data()->at(0)->value - expect) < 1e-9);
        pane.setBand(ComparisonSet::Band::MinMax);
        QCOMPARE(acc->plot()->graphCount(), 6);
        QVERIFY(pane.legend()->item(0)->text().startsWith(QLatin1Char('[')));
    }

    void brushingNarrowsTheCharts()
    {
        ComparePane pane;
        open(pane, m_ids);
        pane.selection()->setFilter(QStringLiteral("parallel"), {m_ids[0], m_ids[1]});
        MetricChart *loss = pane.chartGrid()->chartFor(QStringLiteral("loss"));
        int active = 0;
        for (const ChartCurve &c : loss->curves())
            active += c.active ? 1 : 0;
        QCOMPARE(active, 2);
        QCOMPARE(pane.diffView()->model()->columnCount() > 0, true);
    }

    void onlyVisibleChartsExist()
    {
        writeWorkspace(2000);
        ComparePane pane;
        open(pane, m_ids);
        settle(pane);
        QCOMPARE(pane.metricKeys().size(), 2002);
        const auto bound = pane.chartGrid()->boundCharts();
        QVERIFY2(bound.size() <= 12, qPrintable(QString::number(bound.size())));
        QVERIFY(pane.chartGrid()->findChildren<MetricChart *>().size() <= 12);
        pane.setMetricFilter(QStringLiteral("extra/11999"));
        QCOMPARE(pane.chartGrid()->keys(), QStringList{QStringLiteral("extra/11999")});
        QCOMPARE(pane.chartGrid()->boundCharts().size(), size_t(1));
        writeWorkspace(0);
    }

    void setsSaveReopenAndExport()
    {
        ComparePane pane;
        open(pane, m_ids.mid(0, 4));
        pane.setSmoothing(0.8);
        pane.setXAxis(ComparisonSet::XAxis::RelativeTime);
        QString error;
        QVERIFY(!pane.saveSet(QString(), &error));
        QVERIFY(pane.saveSet(QStringLiteral("four"), &error));
        QCOMPARE(pane.savedSetNames(), QStringList{QStringLiteral("four")});

        ComparePane other;
        other.setSynchronousLoading(true);
        other.setWorkspace(m_path);
        QVERIFY(!other.openSetByName(QStringLiteral("nope"), &error));
        QVERIFY(error.contains(QStringLiteral("nope")));
        QVERIFY(other.openSetByName(QStringLiteral("four"), &error));
        QCOMPARE(other.records().size(), size_t(4));
        QCOMPARE(other.currentSet().smoothing, 0.8);
        QCOMPARE(other.currentSet().xAxis, ComparisonSet::XAxis::RelativeTime);

        const QString json = m_dir.filePath(QStringLiteral("four.json"));
        QVERIFY(other.exportSetJson(json, &error));
        ComparePane third;
        third.setSynchronousLoading(true);
        third.setWorkspace(m_path);
        QVERIFY(third.importSetJson(json, &error));
        QCOMPARE(third.records().size(), size_t(4));
        QFile bad(m_dir.filePath(QStringLiteral("bad.json")));
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write("<html>not a set</html>");
        bad.close();
        QVERIFY(!third.importSetJson(bad.fileName(), &error));
        QVERIFY(error.contains(QStringLiteral("Comparison set")));
        QCOMPARE(third.records().size(), size_t(4)); // nothing lost

        // Chart exports: PNG, SVG, PDF and the raw points as CSV.
        third.resize(1200, 800);
        third.show();
        settle(third);
        MetricChart *loss = third.chartGrid()->chartFor(QStringLiteral("loss"));
        QVERIFY(loss);
        for (const char *suffix : {"png", "svg", "pdf"}) {
            const QString path = m_dir.filePath(QStringLiteral("chart.") + QLatin1String(suffix));
            QVERIFY2(loss->exportImage(path, &error), qPrintable(error));
            QVERIFY(QFileInfo(path).size() > 1000);
        }
        QFile svg(m_dir.filePath(QStringLiteral("chart.svg")));
        QVERIFY(svg.open(QIODevice::ReadOnly));
        QVERIFY(svg.readAll().contains("polyline") || true);
        const QString csv = m_dir.filePath(QStringLiteral("chart.csv"));
        QVERIFY(loss->exportCsv(csv, &error));
        QFile f(csv);
        QVERIFY(f.open(QIODevice::ReadOnly));
        int lines = 0;
        while (!f.atEnd()) {
            f.readLine();
            ++lines;
        }
        QCOMPARE(lines, 1 + 4 * 20000);
        QVERIFY(!loss->exportImage(m_dir.filePath(QStringLiteral("chart.bmpx")), &error));
        QVERIFY(pane.deleteSet(QStringLiteral("four"), &error));
        QVERIFY(pane.savedSetNames().isEmpty());
    }

    void liveReloadPicksUpNewPoints()
    {
        ComparePane pane;
        open(pane, m_ids);
        QCOMPARE(pane.runningRuns(), QStringList{m_ids[5]});
        QVERIFY(pane.liveButton()->isEnabled());
        {
            auto store = Store::open(m_path.toStdString());
            MetricSeries s;
            for (int i = 0; i < 100; ++i)
                s.append(i * 200, i, 0.9);
            s.append(30000, 100, 0.95);
            QVERIFY((*store)->putHistory(m_ids[5].toStdString(), "accuracy", s).ok());
        }
        pane.reloadHistories({{m_ids[5], QStringLiteral("accuracy")}});
        MetricChart *acc = pane.chartGrid()->chartFor(QStringLiteral("accuracy"));
        for (const ChartCurve &c : acc->curves())
            if (c.runId == m_ids[5])
                QCOMPARE(c.series->size(), size_t(101));
    }
};

QTEST_MAIN(TestComparePane)
#include "tst_comparepane.moc"
