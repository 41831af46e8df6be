// SPDX-License-Identifier: GPL-3.0-or-later
// Tests of the compare pane's axes: which kind each column gets, normalised positions, missing
// and non-finite values, ticks, and which runs pass brushes on several axes.
#include "compare/axes.h"

#include <QtTest>

#include <cfloat>
#include <cmath>
#include <limits>

using namespace sightline;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct RunSpec {
    std::vector<std::pair<std::string, std::string>> params;
    std::vector<std::pair<std::string, double>> metrics; // last; min = last - 1, max = last + 1
};

std::vector<RunRecord> makeRuns(const std::vector<RunSpec> &specs)
{
    std::vector<RunRecord> out;
    int i = 0;
    for (const RunSpec &spec : specs) {
        RunRecord r;
        r.run.runId = "run" + std::to_string(i);
        r.run.runName = "r" + std::to_string(i);
        for (const auto &[k, v] : spec.params)
            r.run.params.push_back({k, v});
        for (const auto &[k, v] : spec.metrics) {
            r.run.metrics.push_back({k, v, 0, 0});
            MetricSummary s;
            s.last = v;
            s.min = v - 1;
            s.max = v + 1;
            s.hasHistory = true;
            r.summaries[k] = s;
        }
        out.push_back(std::move(r));
        ++i;
    }
    return out;
}

RunColumn column(const char *spec)
{
    auto columns = parseRunColumns(spec);
    Q_ASSERT(columns.ok());
    return columns->front();
}

std::vector<RunRecord> paramRuns(const char *key, const std::vector<std::string> &values)
{
    std::vector<RunSpec> specs;
    for (const std::string &v : values) {
        RunSpec s;
        if (!v.empty())
            s.params.push_back({key, v});
        specs.push_back(s);
    }
    return makeRuns(specs);
}

std::vector<RunRecord> metricRuns(const char *key, const std::vector<double> &values)
{
    std::vector<RunSpec> specs;
    for (double v : values)
        specs.push_back(RunSpec{{}, {{key, v}}});
    return makeRuns(specs);
}

} // namespace

class TestCompareAxes : public QObject {
    Q_OBJECT

private slots:
    void detectsNumeric();
    void detectsLog();
    void detectsCategorical();
    void overridesKind();
    void normalisesNumeric();
    void normalisesLog();
    void ordersCategories();
    void missingValues();
    void nanAndInfinity();
    void singleValue();
    void ticks();
    void formatsTicks();
    void brushingFilters();
    void brushingFiltersCategories();
    void brushingIgnoresUnknownAxes();
    void listsCompareColumns();
};

void TestCompareAxes::detectsNumeric()
{
    // Params arrive as text; numbers in text count as numbers.
    auto runs = paramRuns("lr", {"0.1", "0.2", "0.35", "0.5", "1e-1", "0.9", "0.7"});
    CompareAxis a = buildAxis(runs, column("params.lr"));
    QCOMPARE(a.detectedKind, AxisKind::Numeric);
    QCOMPARE(a.kind, AxisKind::Numeric);
    QVERIFY(a.numericPossible);
    QVERIFY(a.logPossible);
    QCOMPARE(a.min, 0.1);
    QCOMPARE(a.max, 0.9);

    // Negative values: numeric, never log.
    auto m = metricRuns("delta", {-5, 3, 1e6});
    CompareAxis b = buildAxis(m, column("metrics.delta"));
    QCOMPARE(b.kind, AxisKind::Numeric);
    QVERIFY(!b.logPossible);
}

void TestCompareAxes::detectsLog()
{
    auto runs = paramRuns("lr", {"1e-5", "0.0001", "0.001", "0.01"});
    CompareAxis a = buildAxis(runs, column("params.lr"));
    QCOMPARE(a.kind, AxisKind::Log);
    // Ratio just under 1000 stays linear.
    auto runs2 = paramRuns("lr", {"0.01", "9.99"});
    QCOMPARE(buildAxis(runs2, column("params.lr")).kind, AxisKind::Numeric);
    // Exactly 1000 is log.
    auto runs3 = paramRuns("n", {"1", "1000"});
    QCOMPARE(buildAxis(runs3, column("params.n")).kind, AxisKind::Log);
    // A zero keeps it linear.
    auto runs4 = paramRuns("n", {"0", "1", "1000000"});
    QCOMPARE(buildAxis(runs4, column("params.n")).kind, AxisKind::Numeric);
}

void TestCompareAxes::detectsCategorical()
{
    auto runs = paramRuns("optimizer", {"adam", "sgd", "adam", "rmsprop"});
    CompareAxis a = buildAxis(runs, column("params.optimizer"));
    QCOMPARE(a.kind, AxisKind::Categorical);
    QVERIFY(!a.numericPossible);
    QCOMPARE(a.categories, (std::vector<std::string>{"adam", "rmsprop", "sgd"}));

    // One text value among numbers makes the whole axis categorical.
    auto mixed = paramRuns("depth", {"3", "5", "none", "8"});
    CompareAxis b = buildAxis(mixed, column("params.depth"));
    QCOMPARE(b.kind, AxisKind::Categorical);
    QCOMPARE(b.categories, (std::vector<std::string>{"3", "5", "8", "none"}));
}

void TestCompareAxes::overridesKind()
{
    auto runs = paramRuns("batch", {"32", "64", "128", "256", "32"});
    CompareAxis cat = buildAxis(runs, column("params.batch"), AxisKind::Categorical);
    QCOMPARE(cat.kind, AxisKind::Categorical);
    QCOMPARE(cat.detectedKind, AxisKind::Numeric);
    // Numeric order, not text order ("128" < "32" as text).
    QCOMPARE(cat.categories, (std::vector<std::string>{"32", "64", "128", "256"}));
    QCOMPARE(cat.categoryIndex[2], 2);

    CompareAxis log = buildAxis(runs, column("params.batch"), AxisKind::Log);
    QCOMPARE(log.kind, AxisKind::Log);
    // 32 -> 256 is three doublings; 64 is the first of them.
    QVERIFY(std::abs(log.positions[1] - 1.0 / 3.0) < 1e-12);

    // Not allowed: log with a zero, numeric with text. The detected kind stays.
    auto withZero = paramRuns("n", {"0", "10"});
    QCOMPARE(buildAxis(withZero, column("params.n"), AxisKind::Log).kind, AxisKind::Numeric);
    auto text = paramRuns("opt", {"adam", "sgd"});
    QCOMPARE(buildAxis(text, column("params.opt"), AxisKind::Numeric).kind,
             AxisKind::Categorical);
    QCOMPARE(buildAxis(text, column("params.opt"), AxisKind::Log).kind, AxisKind::Categorical);
}

void TestCompareAxes::normalisesNumeric()
{
    auto runs = metricRuns("loss", {2.0, 4.0, 3.0, 10.0});
    CompareAxis a = buildAxis(runs, column("metrics.loss"));
    QCOMPARE(a.positions[0], 0.0);
    QCOMPARE(a.positions[1], 0.25);
    QCOMPARE(a.positions[2], 0.125);
    QCOMPARE(a.positions[3], 1.0);
    QCOMPARE(a.valueAt(0.5), 6.0);
    QCOMPARE(a.positionOf(6.0), 0.5);

    // Aggregates: min is last - 1 in these runs.
    CompareAxis mins = buildAxis(runs, column("metrics.loss:min"));
    QCOMPARE(mins.min, 1.0);
    QCOMPARE(mins.max, 9.0);
    QCOMPARE(mins.values[1], 3.0);
}

void TestCompareAxes::normalisesLog()
{
    auto runs = metricRuns("lr", {1e-4, 1e-3, 1e-2, 1e-1, 1.0});
    CompareAxis a = buildAxis(runs, column("metrics.lr"));
    QCOMPARE(a.kind, AxisKind::Log);
    for (int i = 0; i < 5; ++i)
        QVERIFY2(std::abs(a.positions[size_t(i)] - i / 4.0) < 1e-12,
                 qPrintable(QString::number(i)));
    QVERIFY(std::abs(a.valueAt(0.5) - 1e-2) < 1e-14);
    QVERIFY(std::isnan(a.positionOf(-1.0)));
}

void TestCompareAxes::ordersCategories()
{
    auto runs = paramRuns("opt", {"sgd", "adam", "lamb", "adam"});
    CompareAxis a = buildAxis(runs, column("params.opt"));
    QCOMPARE(a.categories.size(), size_t(3));
    QCOMPARE(a.positions[1], 0.0); // adam
    QCOMPARE(a.positions[2], 0.5); // lamb
    QCOMPARE(a.positions[0], 1.0); // sgd
    QCOMPARE(a.positions[3], 0.0);
    QCOMPARE(a.categoryAt(0.4), 1);
    QCOMPARE(a.categoryAt(0.9), 2);

    auto one = paramRuns("opt", {"adam", "adam"});
    QCOMPARE(buildAxis(one, column("params.opt")).positions[0], 0.5);
}

void TestCompareAxes::missingValues()
{
    auto runs = paramRuns("lr", {"0.1", "", "0.3"});
    CompareAxis a = buildAxis(runs, column("params.lr"));
    QCOMPARE(a.kind, AxisKind::Numeric);
    QVERIFY(!a.isMissing(0));
    QVERIFY(a.isMissing(1));
    QVERIFY(std::isnan(a.positions[1]));
    QVERIFY(a.texts[1].empty());
    QCOMPARE(a.positions[2], 1.0);

    // A column no run has: every run missing, no crash.
    CompareAxis none = buildAxis(runs, column("params.absent"));
    for (size_t i = 0; i < runs.size(); ++i)
        QVERIFY(none.isMissing(i));
    QVERIFY(axisTicks(none).size() <= 1);

    CompareAxis cat = buildAxis(paramRuns("opt", {"adam", ""}), column("params.opt"));
    QCOMPARE(cat.categoryIndex[1], -1);
    QVERIFY(cat.isMissing(1));
}

void TestCompareAxes::nanAndInfinity()
{
    auto runs = metricRuns("loss", {1.0, kNaN, kInf, 3.0, -kInf, DBL_MAX, -DBL_MAX});
    CompareAxis a = buildAxis(runs, column("metrics.loss"));
    QCOMPARE(a.kind, AxisKind::Numeric);
    // The domain covers the finite values only.
    QCOMPARE(a.min, 1.0);
    QCOMPARE(a.max, 3.0);
    QVERIFY(a.isMissing(1));
    QCOMPARE(a.texts[1], std::string("NaN"));
    QCOMPARE(a.positions[2], 1.0);
    QCOMPARE(a.positions[4], 0.0);
    QCOMPARE(a.positions[5], 1.0);
    QCOMPARE(a.positions[6], 0.0);
    QCOMPARE(a.positions[3], 1.0);
    QCOMPARE(a.positions[0], 0.0);

    // Log stays possible with +inf among positive values, and detection ignores it.
    auto logRuns = metricRuns("lr", {1e-4, 1.0, kInf, kNaN});
    CompareAxis b = buildAxis(logRuns, column("metrics.lr"));
    QCOMPARE(b.kind, AxisKind::Log);
    QCOMPARE(b.positions[2], 1.0);

    // Text params "nan" and "inf" read as numbers too.
    auto textRuns = paramRuns("x", {"1", "nan", "inf", "2"});
    CompareAxis c = buildAxis(textRuns, column("params.x"));
    QCOMPARE(c.kind, AxisKind::Numeric);
    QVERIFY(c.isMissing(1));
    QCOMPARE(c.positions[2], 1.0);

    // Only non-finite values: no domain, ends still placed.
    auto allInf = metricRuns("y", {kInf, -kInf, kNaN});
    CompareAxis d = buildAxis(allInf, column("metrics.y"));
    QCOMPARE(d.positions[0], 1.0);
    QCOMPARE(d.positions[1], 0.0);
    QVERIFY(d.isMissing(2));
    QVERIFY(!d.logPossible);
}

void TestCompareAxes::singleValue()
{
    auto runs = metricRuns("acc", {0.9, 0.9});
    CompareAxis a = buildAxis(runs, column("metrics.acc"));
    QCOMPARE(a.positions[0], 0.5);
    auto ticks = axisTicks(a);
    QCOMPARE(ticks.size(), size_t(1));
    QCOMPARE(ticks[0].label, std::string("0.9"));
}

void TestCompareAxes::ticks()
{
    auto runs = metricRuns("loss", {0.13, 0.87});
    CompareAxis a = buildAxis(runs, column("metrics.loss"));
    auto t = axisTicks(a, 6);
    QVERIFY(t.size() >= 3 && t.size() <= 7);
    for (const AxisTick &tick : t) {
        QVERIFY(tick.position >= -1e-9 && tick.position <= 1 + 1e-9);
        QVERIFY(!tick.label.empty());
    }
    QCOMPARE(t.front().label, std::string("0.2"));

    auto logRuns = metricRuns("lr", {1e-5, 1e-1});
    CompareAxis l = buildAxis(logRuns, column("metrics.lr"));
    auto lt = axisTicks(l, 6);
    QCOMPARE(lt.size(), size_t(5));
    QCOMPARE(lt.front().label, std::string("1e-5"));
    QCOMPARE(lt.back().label, std::string("0.1"));
    QVERIFY(std::abs(lt[2].position - 0.5) < 1e-9);

    // A short log range gets 1-2-5 ticks.
    auto shortRuns = paramRuns("b", {"16", "256"});
    CompareAxis s = buildAxis(shortRuns, column("params.b"), AxisKind::Log);
    auto st = axisTicks(s, 6);
    QVERIFY(st.size() >= 2);
    for (const AxisTick &tick : st)
        QVERIFY(tick.position >= -1e-9 && tick.position <= 1 + 1e-9);

    CompareAxis c = buildAxis(paramRuns("opt", {"sgd", "adam"}), column("params.opt"));
    auto ct = axisTicks(c);
    QCOMPARE(ct.size(), size_t(2));
    QCOMPARE(ct[0].label, std::string("adam"));
    QCOMPARE(ct[1].position, 1.0);
}

void TestCompareAxes::formatsTicks()
{
    QCOMPARE(formatTick(0.0), std::string("0"));
    QCOMPARE(formatTick(0.001), std::string("0.001"));
    QCOMPARE(formatTick(250), std::string("250"));
    QCOMPARE(formatTick(1e6), std::string("1e6"));
    QCOMPARE(formatTick(2.5e-5), std::string("2.5e-5"));
    QCOMPARE(formatTick(0.1 + 0.2), std::string("0.3"));
    QCOMPARE(formatTick(-kInf), std::string("-inf"));
}

void TestCompareAxes::brushingFilters()
{
    // Ten runs: lr = i/10 (param text), loss = 10 - i, with run 3 missing loss.
    std::vector<RunSpec> specs;
    for (int i = 0; i < 10; ++i) {
        RunSpec s;
        s.params.push_back({"lr", std::to_string(i / 10.0)});
        if (i != 3)
            s.metrics.push_back({"loss", 10.0 - i});
        specs.push_back(s);
    }
    auto runs = makeRuns(specs);
    auto axes = buildAxes(runs, {column("params.lr"), column("metrics.loss")});
    QCOMPARE(axes[0].kind, AxisKind::Numeric);

    // No brushes: everything passes, also the run missing a value.
    auto all = runsPassingBrushes(axes, {}, runs.size());
    QCOMPARE(std::count(all.begin(), all.end(), true), 10);

    // lr in [0.2, 0.6] -> runs 2..6 (positions are lr / 0.9).
    std::map<int, AxisBrush> brushes;
    brushes[0] = AxisBrush{0.2 / 0.9, 0.6 / 0.9};
    auto one = runsPassingBrushes(axes, brushes, runs.size());
    std::vector<bool> expected(10, false);
    for (int i = 2; i <= 6; ++i)
        expected[size_t(i)] = true;
    QCOMPARE(one, expected);

    // And loss in [5, 7] (positions (loss - 1) / 9): runs 3..5, but run 3 has no loss.
    brushes[1] = AxisBrush{(7.0 - 1) / 9, (5.0 - 1) / 9}; // reversed interval works too
    auto two = runsPassingBrushes(axes, brushes, runs.size());
    expected.assign(10, false);
    expected[4] = expected[5] = true;
    QCOMPARE(two, expected);

    // A brush on the loss axis alone drops the run missing a loss.
    brushes.erase(0);
    brushes[1] = AxisBrush{0.0, 1.0};
    auto full = runsPassingBrushes(axes, brushes, runs.size());
    QCOMPARE(std::count(full.begin(), full.end(), true), 9);
    QVERIFY(!full[3]);
}

void TestCompareAxes::brushingFiltersCategories()
{
    auto runs = paramRuns("opt", {"adam", "sgd", "lamb", "adam", ""});
    auto axes = buildAxes(runs, {column("params.opt")});
    std::map<int, AxisBrush> brushes;
    AxisBrush b;
    b.byCategory = true;
    b.categories = {0, 2}; // adam, sgd
    brushes[0] = b;
    QCOMPARE(runsPassingBrushes(axes, brushes, runs.size()),
             (std::vector<bool>{true, true, false, true, false}));
    // An interval on a categorical axis keeps the categories it covers.
    brushes[0] = AxisBrush{0.4, 0.6}; // lamb
    QCOMPARE(runsPassingBrushes(axes, brushes, runs.size()),
             (std::vector<bool>{false, false, true, false, false}));
}

void TestCompareAxes::brushingIgnoresUnknownAxes()
{
    auto runs = metricRuns("loss", {1, 2});
    auto axes = buildAxes(runs, {column("metrics.loss")});
    std::map<int, AxisBrush> brushes{{5, AxisBrush{0.0, 0.1}}, {-1, AxisBrush{0.0, 0.1}}};
    QCOMPARE(runsPassingBrushes(axes, brushes, runs.size()), (std::vector<bool>{true, true}));
}

void TestCompareAxes::listsCompareColumns()
{
    std::vector<RunSpec> specs{{{{"lr", "0.1"}, {"opt", "adam"}}, {{"loss", 1.0}}},
                               {{{"lr", "0.2"}}, {{"acc", 0.5}}}};
    auto runs = makeRuns(specs);
    runs[0].run.tags.push_back({"team", "vision"});
    runs[0].run.tags.push_back({"mlflow.user", "ana"});
    auto cols = compareColumns(runs);
    std::vector<std::string> titles;
    for (const RunColumn &c : cols)
        titles.push_back(c.title());
    QCOMPARE(titles, (std::vector<std::string>{"params.lr", "params.opt", "metrics.acc",
                                                "metrics.acc:min", "metrics.acc:max",
                                                "metrics.loss", "metrics.loss:min",
                                                "metrics.loss:max", "tags.team"}));
}

QTEST_GUILESS_MAIN(TestCompareAxes)
#include "tst_compareaxes.moc"
