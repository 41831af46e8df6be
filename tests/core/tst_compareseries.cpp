// SPDX-License-Identifier: GPL-3.0-or-later
// The compare pane's core: compact series with a min/max pyramid (exact extremes of any range,
// checked against brute force with NaN and infinities), column rasterization (every column's
// span equals what the raw polyline covers there, computed by brute force), TensorBoard's
// debiased EMA, group aggregates, and comparison sets as JSON and in the store.
#include "compare/compareset.h"
#include "compare/grouping.h"
#include "compare/rasterize.h"
#include "compare/serieslod.h"
#include "compare/smoothing.h"
#include "store/store.h"
#include "util/rng.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cfloat>
#include <cmath>
#include <limits>

using namespace sightline;

namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kInf = std::numeric_limits<double>::infinity();

bool finiteValue(double v)
{
    return v > -DBL_MAX && v < DBL_MAX;
}

MetricSeries randomSeries(Rng &rng, size_t n, bool irregular, double nanShare)
{
    MetricSeries s;
    int64_t step = static_cast<int64_t>(rng.below(50));
    double v = rng.normal();
    for (size_t i = 0; i < n; ++i) {
        v += rng.normal() * 0.3;
        double value = v;
        if (rng.chance(nanShare))
            value = std::vector<double>{kNaN, kInf, -kInf, DBL_MAX, -DBL_MAX}[rng.below(5)];
        if (rng.chance(0.001))
            value = v + 100 * rng.normal(); // a spike
        s.append(step, 1'700'000'000'000 + step * 37, value);
        step += irregular ? 1 + rng.below(5) : 1;
    }
    return s;
}

ValueRange bruteRange(const SeriesLod &s, size_t a, size_t b)
{
    ValueRange r;
    for (size_t i = a; i < b; ++i)
        r.add(s.value(i));
    return r;
}

// What the raw polyline covers in each column, point by point and segment by segment.
ColumnSpans bruteSpans(const SeriesLod &s, const PlotFrame &f)
{
    ColumnSpans out;
    out.reset(f.width);
    auto clampY = [&](double y) {
        return static_cast<float>(std::clamp(y, -2.0, f.height + 2.0));
    };
    auto add = [&](int c, double y0, double y1) {
        if (c < 0 || c >= f.width)
            return;
        float a = clampY(y0), b = clampY(y1);
        if (a > b)
            std::swap(a, b);
        out.top[c] = std::min(out.top[c], a);
        out.bottom[c] = std::max(out.bottom[c], b);
    };
    auto column = [&](double px) {
        int c = static_cast<int>(std::floor(px));
        return px == f.width ? f.width - 1 : c;
    };
    for (size_t i = 0; i < s.size(); ++i) {
        const double px = f.pixelX(s.x(i, f.axis) - f.xOffset);
        const double v = s.value(i);
        if (px >= 0 && px <= f.width) {
            const int c = column(px);
            ValueRange r;
            r.add(v);
            out.flags[c] |= r.flags;
            if (finiteValue(v))
                add(c, f.pixelY(v), f.pixelY(v));
        }
        if (i == 0 || !finiteValue(v) || !finiteValue(s.value(i - 1)))
            continue;
        const double x0 = f.pixelX(s.x(i - 1, f.axis) - f.xOffset);
        const double y0 = f.pixelY(s.value(i - 1)), y1 = f.pixelY(v);
        const double slope = px > x0 ? (y1 - y0) / (px - x0) : 0.0;
        for (int c = std::max(0, static_cast<int>(std::floor(x0)));
             c <= std::min(f.width - 1, static_cast<int>(std::floor(px))); ++c) {
            const double xa = std::max(x0, double(c)), xb = std::min(px, double(c + 1));
            add(c, y0 + (xa - x0) * slope, y0 + (xb - x0) * slope);
        }
    }
    return out;
}

} // namespace

class TestCompareSeries : public QObject {
    Q_OBJECT

private slots:
    void intColumnForms()
    {
        IntColumn regular(std::vector<int64_t>{10, 20, 30, 40});
        QVERIFY(regular.isRegular());
        QCOMPARE(regular.memoryBytes(), size_t(0));
        QCOMPARE(regular[3], int64_t(40));
        QCOMPARE(regular.lowerBound(25), size_t(2));
        QCOMPARE(regular.lowerBound(-5), size_t(0));
        QCOMPARE(regular.lowerBound(41), size_t(4));
        IntColumn offsets(std::vector<int64_t>{1'700'000'000'000, 1'700'000'000'005,
                                               1'700'000'000'006});
        QVERIFY(!offsets.isRegular());
        QCOMPARE(offsets[1], int64_t(1'700'000'000'005));
        QCOMPARE(offsets.memoryBytes(), size_t(12));
        QCOMPARE(offsets.lowerBound(1'700'000'000'005.5), size_t(2));
        IntColumn full(std::vector<int64_t>{0, 1, int64_t(1) << 40});
        QCOMPARE(full[2], int64_t(1) << 40);
        IntColumn down(std::vector<int64_t>{5, 3, 9});
        QVERIFY(!down.isNonDecreasing());
        // The extremes of int64 round-trip, whichever form they take.
        constexpr int64_t lo = std::numeric_limits<int64_t>::min();
        constexpr int64_t hi = std::numeric_limits<int64_t>::max();
        for (const std::vector<int64_t> &values :
             {std::vector<int64_t>{hi, lo, hi}, std::vector<int64_t>{lo, hi},
              std::vector<int64_t>{hi - 1, hi, lo, lo + 1}, std::vector<int64_t>{0, hi, 3}}) {
            IntColumn c(values);
            QCOMPARE(c.size(), values.size());
            for (size_t i = 0; i < values.size(); ++i)
                QCOMPARE(c[i], values[i]);
        }
    }

    void rangeMatchesBruteForce()
    {
        Rng rng(7);
        for (int round = 0; round < 40; ++round) {
            const size_t n = 1 + static_cast<size_t>(rng.below(5000));
            const auto lod = SeriesLod::fromSeries(
                randomSeries(rng, n, round % 2 == 1, round % 3 == 0 ? 0.05 : 0.0));
            for (int q = 0; q < 300; ++q) {
                size_t a = static_cast<size_t>(rng.below(static_cast<int>(n) + 1));
                size_t b = static_cast<size_t>(rng.below(static_cast<int>(n) + 1));
                if (a > b)
                    std::swap(a, b);
                const ValueRange got = lod.range(a, b), want = bruteRange(lod, a, b);
                QCOMPARE(got.hasFinite, want.hasFinite);
                QCOMPARE(got.flags, want.flags);
                if (want.hasFinite) {
                    QCOMPARE(got.min, want.min); // exact, not approximately
                    QCOMPARE(got.max, want.max);
                }
            }
        }
    }

    void unorderedStepsAreSorted()
    {
        MetricSeries s;
        s.append(3, 30, 3.0);
        s.append(1, 10, 1.0);
        s.append(2, 20, kNaN);
        const auto lod = SeriesLod::fromSeries(s);
        QCOMPARE(lod.step(0), int64_t(1));
        QCOMPARE(lod.step(2), int64_t(3));
        QVERIFY(std::isnan(lod.value(1)));
        QVERIFY(lod.total().flags & ValueRange::HasNaN);
        QCOMPARE(lod.total().max, 3.0);
    }

    void spansMatchBruteForce()
    {
        Rng rng(11);
        for (int round = 0; round < 60; ++round) {
            const size_t n = 1 + static_cast<size_t>(rng.below(round < 30 ? 200000 : 300));
            const auto lod = SeriesLod::fromSeries(
                randomSeries(rng, n, round % 2 == 0, round % 4 == 0 ? 0.02 : 0.0));
            PlotFrame f;
            f.width = 50 + rng.below(1200);
            f.height = 100 + rng.below(700);
            const double x0 = double(lod.step(0)), x1 = double(lod.step(lod.size() - 1));
            // Full view, zoomed in, and windows that start or end outside the data.
            const double span = std::max(1.0, x1 - x0);
            const double a = x0 + span * (rng.uniform() * 1.2 - 0.1);
            const double w = span * std::pow(10.0, -3.0 * rng.uniform());
            f.xMin = round % 5 == 0 ? x0 : a;
            f.xMax = round % 5 == 0 ? x0 + span : a + w;
            const ValueRange total = lod.total();
            const double lo = total.hasFinite ? total.min : -1, hi = total.hasFinite ? total.max : 1;
            f.yMin = lo + (hi - lo) * 0.2 * rng.uniform();
            f.yMax = hi - (hi - lo) * 0.2 * rng.uniform() + 1e-9;
            ColumnSpans got;
            got.reset(f.width);
            // Two halves, as the chart draws them on two threads.
            const int mid = f.width / 2;
            rasterizeSeries(lod, f, 0, mid, got);
            rasterizeSeries(lod, f, mid, f.width, got);
            const ColumnSpans want = bruteSpans(lod, f);
            for (int c = 0; c < f.width; ++c) {
                QVERIFY2(got.empty(c) == want.empty(c),
                         qPrintable(QString("round %1 column %2").arg(round).arg(c)));
                QCOMPARE(got.flags[c], want.flags[c]);
                if (want.empty(c))
                    continue;
                QVERIFY2(std::abs(got.top[c] - want.top[c]) < 1e-3
                             && std::abs(got.bottom[c] - want.bottom[c]) < 1e-3,
                         qPrintable(QString("round %1 column %2: %3..%4 vs %5..%6")
                                        .arg(round).arg(c).arg(got.top[c]).arg(got.bottom[c])
                                        .arg(want.top[c]).arg(want.bottom[c])));
            }
        }
    }

    void peakSurvivesFullView()
    {
        // 100k points, one spike: the column holding it must reach the spike's row.
        MetricSeries s;
        for (int i = 0; i < 100000; ++i)
            s.append(i, i, i == 61234 ? 10.0 : 1.0);
        const auto lod = SeriesLod::fromSeries(s);
        PlotFrame f;
        f.xMin = 0;
        f.xMax = 99999;
        f.width = 320;
        f.yMin = 0;
        f.yMax = 11;
        f.height = 110;
        ColumnSpans spans;
        spans.reset(f.width);
        rasterizeSeries(lod, f, 0, f.width, spans);
        const int c = static_cast<int>(f.pixelX(61234));
        QCOMPARE(spans.top[c], float(f.pixelY(10.0)));
        QCOMPARE(spans.bottom[c], float(f.pixelY(1.0)));
        QCOMPARE(spans.top[c - 2], float(f.pixelY(1.0)));
    }

    void logScaleAndNonPositive()
    {
        MetricSeries s;
        s.append(0, 0, 100.0);
        s.append(1, 1, 0.0);
        s.append(2, 2, 1.0);
        PlotFrame f;
        f.logY = true;
        f.xMin = 0;
        f.xMax = 2;
        f.width = 3;
        f.yMin = 1;
        f.yMax = 100;
        f.height = 100;
        QCOMPARE(f.pixelY(10.0), 50.0);
        ColumnSpans spans;
        spans.reset(3);
        rasterizeSeries(SeriesLod::fromSeries(s), f, 0, 3, spans);
        QCOMPARE(spans.top[0], 0.0f);
        QCOMPARE(spans.bottom[1], 102.0f); // zero lies below a log axis: clamped out of view
    }

    void smoothingMatchesTensorBoard()
    {
        // Reference values of TensorBoard's formula worked by hand:
        //   w = 0.5, values 1, 2, 3: last = 0.5, 1.25, 2.125; debias = 0.5, 0.75, 0.875
        const double v[] = {1, 2, 3};
        auto out = smoothEma(v, 3, 0.5);
        QCOMPARE(out[0], 1.0);
        QVERIFY(std::abs(out[1] - 1.25 / 0.75) < 1e-15);
        QVERIFY(std::abs(out[2] - 2.125 / 0.875) < 1e-15);
        // NaN passes through and does not advance the count.
        const double w[] = {1, kNaN, 3};
        out = smoothEma(w, 3, 0.5);
        QVERIFY(std::isnan(out[1]));
        QVERIFY(std::abs(out[2] - (0.25 + 1.5) / 0.75) < 1e-15);
        // A constant series is left as it is, weight 0 too.
        const double c[] = {4, 4, 4};
        QCOMPARE(smoothEma(c, 3, 0.9)[2], 4.0);
        QCOMPARE(smoothEma(v, 3, 0.0)[1], 2.0);
        // Against the formula with pow() on a long random series.
        Rng rng(3);
        std::vector<double> r(5000);
        for (auto &x : r)
            x = rng.normal();
        const double weight = 0.97;
        out = smoothEma(r.data(), r.size(), weight);
        double last = 0;
        for (size_t i = 0; i < r.size(); ++i) {
            last = last * weight + (1 - weight) * r[i];
            const double want = last / (1 - std::pow(weight, double(i + 1)));
            QVERIFY(std::abs(out[i] - want) <= 1e-12 * std::max(1.0, std::abs(want)));
        }
        // A smoothed series keeps the x of the raw one.
        MetricSeries s;
        for (int i = 0; i < 100; ++i)
            s.append(i * 10, i, double(i % 7));
        const auto lod = SeriesLod::fromSeries(s).smoothed(0.6);
        QCOMPARE(lod.step(99), int64_t(990));
        QCOMPARE(lod.size(), size_t(100));
    }

    void groupAggregates()
    {
        MetricSeries a, b;
        for (int i = 0; i <= 10; ++i) {
            a.append(i, i, 1.0);
            if (i <= 5)
                b.append(i, i, 3.0);
        }
        const auto la = SeriesLod::fromSeries(a), lb = SeriesLod::fromSeries(b);
        const auto g = aggregateGroup({{&la, 0}, {&lb, 0}}, SeriesLod::XAxis::Step, 0, 10, 11);
        QCOMPARE(g.count[0], 2);
        QCOMPARE(g.mean[0], 2.0);
        QCOMPARE(g.stddev[0], 1.0);
        QCOMPARE(g.min[3], 1.0);
        QCOMPARE(g.max[3], 3.0);
        QCOMPARE(g.count[8], 1); // the shorter run ended at step 5
        QCOMPARE(g.mean[8], 1.0);
        QCOMPARE(groupLabel(nullptr), std::string("(none)"));
    }

    void comparisonSetJson()
    {
        ComparisonSet set;
        set.name = "sweep";
        set.runIds = {"a", "b"};
        set.metricKeys = {"loss"};
        set.xAxis = ComparisonSet::XAxis::RelativeTime;
        set.smoothing = 0.6;
        set.groupBy = "params.optimizer";
        set.band = ComparisonSet::Band::MinMax;
        set.parallelAxes = {"params.lr", "metrics.loss:min"};
        set.scatterX = "params.lr";
        set.scatterY = "metrics.loss:min";
        set.updatedMs = 42;
        auto back = comparisonSetFromJson(comparisonSetToJson(set, true));
        QVERIFY(back.ok());
        QVERIFY(*back == set);

        for (const char *bad : {"[1,2]", "{\"runs\": []}", "{\"name\": \"x\", \"runs\": [1]}",
                                "{\"name\": \"x\", \"x_axis\": \"epoch\"}",
                                "{\"name\": \"x\", \"smoothing\": 1.5}", "{\"name\": \"x\"",
                                "<html>oops</html>"}) {
            auto r = comparisonSetFromJson(bad);
            QVERIFY2(!r.ok(), bad);
            QVERIFY(r.error().message.rfind("Comparison set", 0) == 0);
        }
    }

    void storeKeepsSetsAndReadsHistoriesCompactly()
    {
        QTemporaryDir dir;
        auto store = Store::open(dir.filePath("w.sqlite").toStdString());
        QVERIFY(store.ok());
        ComparisonSet set;
        set.name = "mine";
        set.runIds = {"r1"};
        QVERIFY((*store)->saveComparisonSet(set).ok());
        set.smoothing = 0.3;
        QVERIFY((*store)->saveComparisonSet(set).ok()); // replaced, not duplicated
        QCOMPARE((*store)->comparisonSets().size(), size_t(1));
        QCOMPARE((*store)->comparisonSet("mine")->smoothing, 0.3);
        QVERIFY(!(*store)->comparisonSet("other"));
        QVERIFY((*store)->removeComparisonSet("mine").ok());
        QVERIFY((*store)->comparisonSets().empty());

        Rng rng(5);
        const MetricSeries s = randomSeries(rng, 10000, true, 0.01);
        QVERIFY((*store)->putHistory("r1", "loss", s).ok());
        auto reader = (*store)->openHistory("r1", "loss");
        QVERIFY(reader.ok());
        auto lod = SeriesLod::load(**reader);
        QVERIFY(lod.ok());
        QCOMPARE(lod->size(), s.size());
        for (size_t i = 0; i < s.size(); ++i) {
            QCOMPARE(lod->step(i), s.steps[i]);
            QCOMPARE(lod->timestamp(i), s.timestamps[i]);
            QCOMPARE(std::memcmp(&s.values[i], &lod->values()[i], 8), 0); // NaN bits too
        }
        QVERIFY(lod->memoryBytes() < s.size() * 24);
        QVERIFY(!(*store)->openHistory("r1", "nope").ok());
    }
};

QTEST_GUILESS_MAIN(TestCompareSeries)
#include "tst_compareseries.moc"
