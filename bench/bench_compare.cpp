// SPDX-License-Identifier: GPL-3.0-or-later
// The compare pane's charts on 100 runs × 100,000 points (10M) in one chart with a 1200-pixel
// plot area:
//   compare.open.100      — from the workspace file to the first complete frame;
//   compare.memory        — resident bytes per raw point with the set open;
//   compare.replot.10m    — p50/p95 per replot while panning and zooming, against QCustomPlot's
//                           own adaptive sampling over the same points (one QCPGraph per run,
//                           antialiasing off), measured in the same run.
#include "benchutil.h"

#include "compare/seriesloader.h"
#include "metricchart.h"
#include "runcolors.h"
#include "store/store.h"
#include "util/rng.h"

#include <qcustomplot.h>

#include <QApplication>
#include <QTemporaryDir>

#include <cmath>
#include <cstdio>
#include <unistd.h>

using namespace sightline;
using namespace sightline::bench;

namespace {

constexpr int kRuns = 100;
constexpr int kPoints = 100000;
constexpr int kPlotWidth = 1200;

double residentBytes()
{
    long pages = 0, resident = 0;
    if (FILE *f = std::fopen("/proc/self/statm", "r")) {
        if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2)
            resident = 0;
        std::fclose(f);
    }
    return double(resident) * double(sysconf(_SC_PAGESIZE));
}

MetricSeries trainingCurve(Rng &rng, int run)
{
    MetricSeries s;
    s.reserve(kPoints);
    const double floor = 0.3 + 0.01 * (run % 40), tau = 8000 + 300 * (run % 17);
    int64_t t = 1795000000000 + int64_t(run) * 3600000;
    double drift = 0;
    for (int i = 0; i < kPoints; ++i) {
        drift = 0.995 * drift + 0.004 * rng.normal();
        double v = floor + 2.0 * std::exp(-i / tau) + 0.05 * rng.normal() + drift;
        if (i == 30000 + run * 500)
            v += 1.5; // one spike per run
        t += 95 + rng.below(10);
        s.append(i, t, v);
    }
    return s;
}

std::vector<std::string> writeWorkspace(const std::string &path)
{
    auto store = Store::open(path);
    if (!store) {
        std::fprintf(stderr, "%s\n", store.error().message.c_str());
        std::exit(1);
    }
    Rng rng(42);
    std::vector<std::string> ids;
    (void)(*store)->begin();
    for (int r = 0; r < kRuns; ++r) {
        Run run;
        run.runId = "run" + std::to_string(1000 + r);
        run.experimentId = "1";
        run.status = "FINISHED";
        run.lifecycleStage = "active";
        (void)(*store)->upsertRun(run);
        if (auto w = (*store)->putHistory(run.runId, "loss", trainingCurve(rng, r)); !w) {
            std::fprintf(stderr, "%s\n", w.error().message.c_str());
            std::exit(1);
        }
        ids.push_back(run.runId);
    }
    (void)(*store)->commit();
    return ids;
}

// Sized so that the plot area is exactly kPlotWidth pixels wide.
template<typename Plot>
void fitPlotWidth(QWidget *w, Plot *plot)
{
    w->resize(kPlotWidth + 100, 800);
    w->show();
    QApplication::processEvents();
    plot->replot(QCustomPlot::rpImmediateRefresh);
    // The axis labels' width depends on the range, so settle in a few rounds.
    for (int round = 0; round < 6 && plot->axisRect()->width() != kPlotWidth; ++round) {
        w->resize(w->width() - (plot->axisRect()->width() - kPlotWidth), 800);
        QApplication::processEvents();
        plot->replot(QCustomPlot::rpImmediateRefresh);
    }
}

// Full view, then zooming in step by step and panning at every level, then back out.
std::vector<std::pair<double, double>> viewSequence()
{
    std::vector<std::pair<double, double>> views;
    for (double width : {1.0, 0.5, 0.2, 0.05, 0.01, 0.002, 0.0005}) {
        const double span = width * kPoints;
        for (int k = 0; k < 10; ++k) {
            const double center = kPoints * (0.3 + 0.04 * k);
            double lo = std::max(0.0, center - span / 2);
            views.push_back({lo, std::min<double>(kPoints, lo + span)});
        }
    }
    for (int k = 0; k < 10; ++k)
        views.push_back({0.0, kPoints * (0.1 + 0.09 * k)});
    return views;
}

std::vector<double> timeReplots(QCustomPlot *plot, const std::vector<std::pair<double, double>> &views)
{
    std::vector<double> ms;
    for (const auto &[lo, hi] : views) {
        plot->xAxis->setRange(lo, hi);
        const double t0 = nowSeconds();
        plot->replot(QCustomPlot::rpImmediateRefresh);
        ms.push_back((nowSeconds() - t0) * 1000);
    }
    return ms;
}

} // namespace

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QTemporaryDir dir;
    const std::string path = dir.filePath("compare.sqlite").toStdString();
    std::fprintf(stderr, "writing %d runs × %d points ...\n", kRuns, kPoints);
    const auto ids = writeWorkspace(path);
    const double points = double(kRuns) * kPoints;

    MetricChart chart;
    chart.setTitle(QStringLiteral("loss"));
    fitPlotWidth(&chart, chart.plot());
    const double rssBefore = residentBytes();

    // compare.open.100: file to first complete frame.
    const double t0 = nowSeconds();
    auto loaded = loadSeries(path, ids, "loss", 2);
    if (!loaded) {
        std::fprintf(stderr, "%s\n", loaded.error().message.c_str());
        return 1;
    }
    std::vector<ChartCurve> curves;
    for (size_t i = 0; i < loaded->size(); ++i) {
        ChartCurve c;
        c.runId = QString::fromStdString((*loaded)[i].runId);
        c.label = c.runId;
        c.color = runColor(int(i));
        c.series = (*loaded)[i].series;
        curves.push_back(std::move(c));
    }
    chart.setCurves(std::move(curves));
    chart.plot()->replot(QCustomPlot::rpImmediateRefresh);
    const double openSeconds = nowSeconds() - t0;
    figure("compare.open.100.seconds", openSeconds, "s", "", "< 1 s");
    const double rssAfter = residentBytes();
    figure("compare.memory.bytes_per_point", (rssAfter - rssBefore) / points, "B",
           "QCPGraphData alone: 16 B per point", "<= 24");
    fitPlotWidth(&chart, chart.plot()); // again, now that the labels show the data's range
    std::fprintf(stderr, "plot area %d px wide, first draw %.1f ms\n",
                 chart.plot()->axisRect()->width(), chart.lastDrawMs());

    const auto views = viewSequence();
    (void)timeReplots(chart.plot(), {views.front()}); // warm-up
    std::vector<double> layerMs;
    QObject::connect(chart.plot(), &QCustomPlot::afterReplot, &chart,
                     [&] { layerMs.push_back(chart.lastDrawMs()); });
    const auto ours = timeReplots(chart.plot(), views);
    std::fprintf(stderr, "curve layer p50 %.1f ms of a p50 replot of %.1f ms\n",
                 percentile(layerMs, 0.5), percentile(ours, 0.5));

    // Baseline: the same points as QCPGraphs with QCustomPlot's adaptive sampling.
    QCustomPlot baseline;
    {
        auto store = Store::open(path, Store::Mode::ReadOnly);
        for (int r = 0; r < kRuns; ++r) {
            auto s = (*store)->loadHistory(ids[size_t(r)], "loss");
            QCPGraph *g = baseline.addGraph();
            QVector<QCPGraphData> data;
            data.reserve(int(s->size()));
            for (size_t i = 0; i < s->size(); ++i)
                data.append(QCPGraphData(double(s->steps[i]), s->values[i]));
            g->data()->set(data, true);
            g->setPen(QPen(runColor(r)));
            g->setAdaptiveSampling(true);
        }
        baseline.setNotAntialiasedElements(QCP::aeAll);
        baseline.yAxis->setRange(chart.yRange().first, chart.yRange().second);
    }
    fitPlotWidth(&baseline, &baseline);
    (void)timeReplots(&baseline, {views.front()});
    const auto theirs = timeReplots(&baseline, views);

    const double p50 = percentile(ours, 0.5), p95 = percentile(ours, 0.95);
    const double b50 = percentile(theirs, 0.5), b95 = percentile(theirs, 0.95);
    char base[160];
    std::snprintf(base, sizeof base, "QCustomPlot adaptive sampling p50 %.1f ms, p95 %.1f ms", b50, b95);
    figure("compare.replot.10m.p50_ms", p50, "ms", base, "");
    figure("compare.replot.10m.p95_ms", p95, "ms", base, "<= 16 ms");
    figure("compare.replot.10m.speedup", std::min(b50 / p50, b95 / p95), "x",
           "the lower of the p50 and p95 ratios", ">= 5x");
    return 0;
}
