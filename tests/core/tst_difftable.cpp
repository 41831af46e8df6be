// SPDX-License-Identifier: GPL-3.0-or-later
// Tests of the diff table's pure part: only differing rows, missing values, system tags, best
// value direction (NaN and infinities never best), metric modes, the value at a step, views over
// a subset of runs, and the CSV export (quoting, transposed).
#include "diffsamples.h"
#include "compare/difftable.h"

#include <QtTest>

#include <cfloat>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

using namespace sightline;

namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();

std::vector<RunRecord> threeRuns()
{
    return test::diffSampleRuns(0.9);
}

// "section.key" of each row of the view.
QStringList rowKeys(const DiffTable &table, const DiffView &view)
{
    QStringList out;
    for (const DiffViewRow &vr : view.rows) {
        const DiffRow &row = table.rows[static_cast<size_t>(vr.row)];
        out << QString::fromStdString(std::string(diffSectionName(row.section)) + '.' + row.key);
    }
    return out;
}

const DiffViewRow *findRow(const DiffTable &table, const DiffView &view, const std::string &key)
{
    for (const DiffViewRow &vr : view.rows)
        if (table.rows[static_cast<size_t>(vr.row)].key == key)
            return &vr;
    return nullptr;
}

MetricSeries series(std::vector<std::pair<int64_t, double>> points)
{
    MetricSeries s;
    for (const auto &[step, value] : points)
        s.append(step, 0, value);
    return s;
}

} // namespace

class TestDiffTable : public QObject {
    Q_OBJECT

private slots:
    void sectionsAndSortedKeys();
    void onlyDifferingRows();
    void allRowsWhenDifferencesOff();
    void missingCountsAsDiffering();
    void numericParamsCompareAsText();
    void systemTagsHiddenByDefault();
    void keyFilter();
    void labels();
    void metricDirection_data();
    void metricDirection();
    void bestValue();
    void bestIgnoresNaNAndInfinity();
    void bestTies();
    void metricModes();
    void atStepValues();
    void valueAtStepLookup();
    void viewOverSubset();
    void csvKeysDown();
    void csvTransposed();
    void csvEscapes();
    void largeTable();
};

void TestDiffTable::sectionsAndSortedKeys()
{
    const DiffTable table = buildDiffTable(threeRuns());
    QCOMPARE(table.runCount(), size_t(3));
    DiffViewOptions all;
    all.onlyDifferences = false;
    all.includeSystemTags = true;
    QCOMPARE(rowKeys(table, makeDiffView(table, all)),
             QStringList({"params.batch", "params.lr", "params.optimizer", "metrics.accuracy",
                          "metrics.val_loss", "tags.mlflow.user", "tags.team"}));
}

void TestDiffTable::onlyDifferingRows()
{
    const DiffTable table = buildDiffTable(threeRuns());
    const DiffView view = makeDiffView(table, DiffViewOptions{});
    QCOMPARE(rowKeys(table, view),
             QStringList({"params.batch", "metrics.accuracy", "metrics.val_loss"}));
    for (const DiffViewRow &row : view.rows)
        QVERIFY(row.differs);
}

void TestDiffTable::allRowsWhenDifferencesOff()
{
    const DiffTable table = buildDiffTable(threeRuns());
    DiffViewOptions options;
    options.onlyDifferences = false;
    const DiffView view = makeDiffView(table, options);
    QCOMPARE(view.rows.size(), size_t(6));
    QVERIFY(!findRow(table, view, "lr")->differs);
    QVERIFY(!findRow(table, view, "team")->differs);
    QVERIFY(findRow(table, view, "batch")->differs);
}

void TestDiffTable::missingCountsAsDiffering()
{
    std::vector<RunRecord> runs = {
        test::diffRecord({"r1", "one", {{"lr", "0.1"}, {"seed", "1"}}, {{"loss", 1.0}}, {}}),
        test::diffRecord({"r2", "two", {{"lr", "0.1"}}, {{"loss", 1.0}, {"acc", kNaN}}, {}}),
    };
    const DiffTable table = buildDiffTable(runs);
    const DiffView view = makeDiffView(table, DiffViewOptions{});
    // A param only one run has, and a metric only one run has (even when NaN), differ.
    QCOMPARE(rowKeys(table, view), QStringList({"params.seed", "metrics.acc"}));
    const DiffRow &seed = table.rows[static_cast<size_t>(view.rows[0].row)];
    QVERIFY(seed.present(0));
    QVERIFY(!seed.present(1));
    QCOMPARE(seed.displayText(1), std::string());

    // NaN in both runs is the same value.
    runs[0].summaries["acc"] = MetricSummary{kNaN, kNaN, kNaN, 0, true};
    const DiffTable both = buildDiffTable(runs);
    QCOMPARE(rowKeys(both, makeDiffView(both, DiffViewOptions{})), QStringList({"params.seed"}));
}

void TestDiffTable::numericParamsCompareAsText()
{
    const std::vector<RunRecord> runs = {
        test::diffRecord({"r1", "one", {{"lr", "0.1"}, {"dropout", "0.5"}}, {}, {}}),
        test::diffRecord({"r2", "two", {{"lr", "0.10"}, {"dropout", "0.5"}}, {}, {}}),
    };
    const DiffTable table = buildDiffTable(runs);
    QCOMPARE(rowKeys(table, makeDiffView(table, DiffViewOptions{})), QStringList({"params.lr"}));
}

void TestDiffTable::systemTagsHiddenByDefault()
{
    const DiffTable table = buildDiffTable(threeRuns());
    QVERIFY(!findRow(table, makeDiffView(table, DiffViewOptions{}), "mlflow.user"));
    DiffViewOptions options;
    options.includeSystemTags = true;
    const DiffView view = makeDiffView(table, options);
    const DiffViewRow *user = findRow(table, view, "mlflow.user");
    QVERIFY(user);
    QVERIFY(user->differs);
    QVERIFY(table.rows[static_cast<size_t>(user->row)].isSystemTag());
}

void TestDiffTable::keyFilter()
{
    const DiffTable table = buildDiffTable(threeRuns());
    DiffViewOptions options;
    options.onlyDifferences = false;
    options.keyFilter = "AcC";
    QCOMPARE(rowKeys(table, makeDiffView(table, options)), QStringList({"metrics.accuracy"}));
    options.keyFilter = "nothing-like-this";
    QVERIFY(makeDiffView(table, options).rows.empty());
}

void TestDiffTable::labels()
{
    const DiffTable table = buildDiffTable(threeRuns());
    QCOMPARE(table.runLabels, std::vector<std::string>({"alpha", "beta", "cccccccc"}));
    QCOMPARE(table.runIds[2], std::string("cccccccc3333"));
}

void TestDiffTable::metricDirection_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<bool>("lower");
    QTest::newRow("loss") << "val_loss" << true;
    QTest::newRow("upper case") << "Train/LOSS" << true;
    QTest::newRow("error") << "test_error_rate" << true;
    QTest::newRow("err") << "err" << true;
    QTest::newRow("mse") << "mse" << true;
    QTest::newRow("mae") << "val_mae" << true;
    QTest::newRow("rmse") << "RMSE" << true;
    QTest::newRow("perplexity") << "eval.perplexity" << true;
    QTest::newRow("wer") << "wer" << true;
    QTest::newRow("cer") << "CER" << true;
    QTest::newRow("camel case") << "valMse" << true;
    QTest::newRow("word") << "top1_err" << true;
    QTest::newRow("word at camel boundary") << "top1ErrRate" << true;
    QTest::newRow("inside a word") << "power" << false;
    QTest::newRow("inside a longer word") << "answer_rate" << false;
    QTest::newRow("accuracy") << "accuracy" << false;
    QTest::newRow("auc") << "val_auc" << false;
    QTest::newRow("f1") << "f1" << false;
}

void TestDiffTable::metricDirection()
{
    QFETCH(QString, key);
    QFETCH(bool, lower);
    QCOMPARE(sightline::metricDirection(key.toStdString()) == MetricDirection::LowerIsBetter,
             lower);
}

void TestDiffTable::bestValue()
{
    const DiffTable table = buildDiffTable(threeRuns());
    const DiffView view = makeDiffView(table, DiffViewOptions{});
    // val_loss: 0.5, 0.3, 0.4 -> the lowest (beta) is best.
    const DiffViewRow *loss = findRow(table, view, "val_loss");
    QVERIFY(loss);
    QCOMPARE(loss->best, 1);
    QVERIFY(isBestCell(table, *loss, view, 1));
    QVERIFY(!isBestCell(table, *loss, view, 0));
    // accuracy: 0.8, 0.9, 0.9 -> the highest; both runs holding it are best.
    const DiffViewRow *acc = findRow(table, view, "accuracy");
    QCOMPARE(acc->best, 1);
    QVERIFY(!isBestCell(table, *acc, view, 0));
    QVERIFY(isBestCell(table, *acc, view, 1));
    QVERIFY(isBestCell(table, *acc, view, 2));
    // Params and tags have no best value.
    QCOMPARE(findRow(table, view, "batch")->best, -1);
    QVERIFY(!isBestCell(table, *findRow(table, view, "batch"), view, 0));
}

void TestDiffTable::bestIgnoresNaNAndInfinity()
{
    const std::vector<RunRecord> runs = {
        test::diffRecord({"r1", "one", {}, {{"loss", kNaN}, {"acc", DBL_MAX}, {"auc", kNaN}}, {}}),
        test::diffRecord({"r2", "two", {}, {{"loss", 0.7}, {"acc", 0.5}, {"auc", kNaN}}, {}}),
        test::diffRecord({"r3", "three", {},
                {{"loss", -std::numeric_limits<double>::infinity()}, {"acc", 0.6}, {"auc", 0.1}},
                {}}),
    };
    const DiffTable table = buildDiffTable(runs);
    const DiffView view = makeDiffView(table, DiffViewOptions{});
    QCOMPARE(findRow(table, view, "loss")->best, 1); // not NaN, not -inf
    QCOMPARE(findRow(table, view, "acc")->best, 2);  // not +inf (MLflow's DBL_MAX)
    QCOMPARE(findRow(table, view, "auc")->best, 2);

    // A row of nothing but NaN and infinities has no best value.
    const std::vector<RunRecord> bad = {
        test::diffRecord({"r1", "one", {}, {{"loss", kNaN}}, {}}),
        test::diffRecord({"r2", "two", {}, {{"loss", std::numeric_limits<double>::infinity()}}, {}}),
    };
    const DiffTable badTable = buildDiffTable(bad);
    const DiffView badView = makeDiffView(badTable, DiffViewOptions{});
    QCOMPARE(badView.rows.size(), size_t(1));
    QCOMPARE(badView.rows[0].best, -1);
}

void TestDiffTable::bestTies()
{
    // No highlight on a row whose values are all the same.
    const std::vector<RunRecord> runs = {
        test::diffRecord({"r1", "one", {}, {{"loss", 0.2}}, {}}),
        test::diffRecord({"r2", "two", {}, {{"loss", 0.2}}, {}}),
    };
    const DiffTable table = buildDiffTable(runs);
    DiffViewOptions options;
    options.onlyDifferences = false;
    const DiffView view = makeDiffView(table, options);
    QCOMPARE(view.rows.size(), size_t(1));
    QCOMPARE(view.rows[0].best, -1);
}

void TestDiffTable::metricModes()
{
    const std::vector<RunRecord> runs = threeRuns();
    auto lossOf = [&](DiffMetricMode mode, size_t run) {
        const DiffTable table = buildDiffTable(runs, mode);
        for (const DiffRow &row : table.rows)
            if (row.key == "val_loss")
                return row.numbers[run];
        return kNaN;
    };
    QCOMPARE(lossOf(DiffMetricMode::Last, 0), 0.5);
    QCOMPARE(lossOf(DiffMetricMode::Min, 0), -0.5);
    QCOMPARE(lossOf(DiffMetricMode::Max, 0), 1.5);

    // A metric without a summary shows its latest value in every mode.
    std::vector<RunRecord> bare = runs;
    bare[0].run.metrics.push_back({"lr_now", 0.25, 0, 3});
    const DiffTable table = buildDiffTable(bare, DiffMetricMode::Max);
    for (const DiffRow &row : table.rows)
        if (row.key == "lr_now") {
            QVERIFY(row.present(0));
            QCOMPARE(row.numbers[0], 0.25);
            QVERIFY(!row.present(1));
        }
}

void TestDiffTable::atStepValues()
{
    const std::vector<RunRecord> runs = threeRuns();
    // Without values every metric cell is missing, so metric rows vanish from the view.
    const DiffTable none = buildDiffTable(runs, DiffMetricMode::AtStep);
    QCOMPARE(rowKeys(none, makeDiffView(none, DiffViewOptions{})),
             QStringList({"params.batch"}));

    DiffStepValues values;
    values[{"aaaaaaaa1111", "val_loss"}] = 0.9;
    values[{"bbbbbbbb2222", "val_loss"}] = 0.9;
    values[{"unknown-run", "val_loss"}] = 0.1; // ignored
    const DiffTable table = buildDiffTable(runs, DiffMetricMode::AtStep, &values);
    const DiffView view = makeDiffView(table, DiffViewOptions{});
    // The third run has no value at the step: missing, so the row differs.
    const DiffViewRow *loss = findRow(table, view, "val_loss");
    QVERIFY(loss);
    const DiffRow &row = table.rows[static_cast<size_t>(loss->row)];
    QCOMPARE(row.numbers[0], 0.9);
    QVERIFY(!row.present(2));
    QVERIFY(isBestCell(table, *loss, view, 0));
    QVERIFY(isBestCell(table, *loss, view, 1));
    QVERIFY(!isBestCell(table, *loss, view, 2));
}

void TestDiffTable::valueAtStepLookup()
{
    const MetricSeries s = series({{0, 1.0}, {10, 2.0}, {20, 3.0}, {30, 4.0}});
    QVERIFY(std::isnan(valueAtStep(s, -1)));
    QCOMPARE(valueAtStep(s, 0), 1.0);
    QCOMPARE(valueAtStep(s, 15), 2.0);
    QCOMPARE(valueAtStep(s, 20), 3.0);
    QCOMPARE(valueAtStep(s, 1000), 4.0);
    QVERIFY(std::isnan(valueAtStep(MetricSeries{}, 5)));

    // Steps logged out of order, and a step logged twice: the later point of the step wins.
    const MetricSeries unordered = series({{5, 50.0}, {3, 30.0}, {5, 55.0}, {1, 10.0}});
    QCOMPARE(valueAtStep(unordered, 4), 30.0);
    QCOMPARE(valueAtStep(unordered, 5), 55.0);
    QCOMPARE(valueAtStep(unordered, 2), 10.0);
}

void TestDiffTable::viewOverSubset()
{
    const DiffTable table = buildDiffTable(threeRuns());
    // alpha and gamma differ only in the metrics; batch is 32 for both.
    const DiffView view = makeDiffView(table, DiffViewOptions{}, std::vector<int>{0, 2});
    QCOMPARE(view.runs, std::vector<int>({0, 2}));
    QCOMPARE(rowKeys(table, view), QStringList({"metrics.accuracy", "metrics.val_loss"}));
    QCOMPARE(findRow(table, view, "val_loss")->best, 1); // position 1 = the third run
    // Out-of-range indices are dropped; a single run differs from nothing.
    const DiffView one = makeDiffView(table, DiffViewOptions{}, std::vector<int>{1, 7, -1});
    QCOMPARE(one.runs, std::vector<int>({1}));
    QVERIFY(one.rows.empty());
    // An empty subset shows no run and so no row.
    const DiffView none = makeDiffView(table, DiffViewOptions{}, std::vector<int>{});
    QVERIFY(none.runs.empty());
    QVERIFY(none.rows.empty());
}

void TestDiffTable::csvKeysDown()
{
    const DiffTable table = buildDiffTable(threeRuns());
    const std::string csv = diffTableToCsv(table, makeDiffView(table, DiffViewOptions{}), false);
    QCOMPARE(csv, std::string("section,key,alpha,beta,cccccccc\r\n"
                              "params,batch,32,64,32\r\n"
                              "metrics,accuracy,0.8,0.9,0.9\r\n"
                              "metrics,val_loss,0.5,0.3,0.4\r\n"));
}

void TestDiffTable::csvTransposed()
{
    const DiffTable table = buildDiffTable(threeRuns());
    const DiffView view = makeDiffView(table, DiffViewOptions{}, std::vector<int>{0, 1});
    const std::string csv = diffTableToCsv(table, view, true);
    QCOMPARE(csv, std::string("run_id,run,params.batch,metrics.accuracy,metrics.val_loss\r\n"
                              "aaaaaaaa1111,alpha,32,0.8,0.5\r\n"
                              "bbbbbbbb2222,beta,64,0.9,0.3\r\n"));
}

void TestDiffTable::csvEscapes()
{
    const std::vector<RunRecord> runs = {
        test::diffRecord({"r1", "run, \"one\"", {{"note", "a,b"}}, {{"loss", 1.0 / 3.0}}, {}}),
        test::diffRecord({"r2", "two", {{"note", "line\nbreak"}}, {{"loss", kNaN}}, {}}),
        test::diffRecord({"r3", "three", {}, {{"loss", DBL_MAX}}, {}}),
    };
    const DiffTable table = buildDiffTable(runs);
    const std::string csv = diffTableToCsv(table, makeDiffView(table, DiffViewOptions{}), false);
    QCOMPARE(csv, std::string("section,key,\"run, \"\"one\"\"\",two,three\r\n"
                              "params,note,\"a,b\",\"line\nbreak\",\r\n"
                              "metrics,loss,0.3333333333333333,NaN,inf\r\n"));
    // Cells show 6 significant digits; the export keeps every digit.
    for (const DiffRow &row : table.rows)
        if (row.key == "loss")
            QCOMPARE(row.displayText(0), std::string("0.333333"));
}

void TestDiffTable::largeTable()
{
    // 500 runs x 2000 keys: building and viewing stay well inside an interactive budget.
    std::vector<RunRecord> runs(500);
    for (size_t r = 0; r < runs.size(); ++r) {
        runs[r].run.runId = "run" + std::to_string(r);
        for (int k = 0; k < 1000; ++k)
            runs[r].run.params.push_back(
                {"param_" + std::to_string(k), std::to_string(k % 7 == 0 ? r % 3 : 1)});
        for (int k = 0; k < 1000; ++k) {
            const double v = k % 5 == 0 ? static_cast<double>(r) : 1.0;
            runs[r].summaries["metric_" + std::to_string(k)] = MetricSummary{v, v, v, 1, true};
        }
    }
    QElapsedTimer timer;
    timer.start();
    const DiffTable table = buildDiffTable(runs);
    const DiffView view = makeDiffView(table, DiffViewOptions{});
    const qint64 ms = timer.elapsed();
    QCOMPARE(table.rows.size(), size_t(2000));
    QCOMPARE(view.rows.size(), size_t(143 + 200));
    QVERIFY2(ms < 3000, qPrintable(QString("took %1 ms").arg(ms)));
    qInfo("500 runs x 2000 keys: built and viewed in %lld ms", static_cast<long long>(ms));
}

QTEST_APPLESS_MAIN(TestDiffTable)
#include "tst_difftable.moc"
