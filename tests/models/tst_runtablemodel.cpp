// SPDX-License-Identifier: GPL-3.0-or-later
// Tests of RunTableModel: sorting (numbers, NaN last, natural names), dynamic columns, filtering,
// plain-text display of hostile values, and a 100,000-run snapshot.
#include "runtablemodel.h"

#include <QAbstractItemModelTester>
#include <QColor>
#include <QtTest>

#include <cfloat>
#include <cmath>
#include <limits>

using namespace sightline;

namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();

struct RunSpec {
    std::string id;
    std::string name;
    std::string experiment = "1";
    std::string status = "FINISHED";
    std::vector<std::pair<std::string, double>> metrics;
    std::vector<KeyValue> params;
    std::vector<KeyValue> tags;
};

RunRecord makeRecord(const RunSpec &spec)
{
    RunRecord r;
    r.run.runId = spec.id;
    r.run.runName = spec.name;
    r.run.experimentId = spec.experiment;
    r.run.status = spec.status;
    r.run.lifecycleStage = "active";
    r.run.userId = "ana";
    r.run.startTime = 1793491200000;
    r.run.endTime = r.run.startTime + 3723000; // 1h 02m 03s
    r.run.params = spec.params;
    r.run.tags = spec.tags;
    for (const auto &[key, value] : spec.metrics) {
        r.run.metrics.push_back({key, value, r.run.endTime, 99});
        r.summaries[key] = MetricSummary{value, std::isnan(value) ? kNaN : value - 1.0,
                                         std::isnan(value) ? kNaN : value + 1.0, 99, true};
    }
    return r;
}

QStringList column(const RunTableModel &model, int col, int role = Qt::DisplayRole)
{
    QStringList out;
    for (int row = 0; row < model.rowCount(); ++row)
        out << model.index(row, col).data(role).toString();
    return out;
}

int columnOf(const RunTableModel &model, const QString &title)
{
    for (int c = 0; c < model.columnCount(); ++c)
        if (model.headerData(c, Qt::Horizontal).toString() == title)
            return c;
    return -1;
}

std::vector<RunRecord> sampleRuns()
{
    return {
        makeRecord({"a1", "run-2", "1", "FINISHED", {{"loss", 0.5}},
                    {{"lr", "0.01"}, {"optimizer", "adam"}}, {{"team", "vision"}}}),
        makeRecord({"a2", "run-10", "1", "FAILED", {{"loss", kNaN}},
                    {{"lr", "1e-3"}, {"optimizer", "sgd"}}, {}}),
        makeRecord({"a3", "run-1", "2", "RUNNING", {{"loss", 0.1}},
                    {{"lr", "0.1"}, {"optimizer", "adam"}}, {{"team", "risk"}}}),
        makeRecord({"a4", "Run-3", "2", "KILLED", {{"loss", 10.0}}, {{"lr", "abc"}}, {}}),
        makeRecord({"a5", "run-20", "2", "FINISHED", {}, {}, {}}),
    };
}

} // namespace

class TestRunTableModel : public QObject {
    Q_OBJECT

private slots:
    void modelTester();
    void sortsNumbersWithNaNLast();
    void sortsParamsNumericallyAndNamesNaturally();
    void keepsSelectionAcrossSort();
    void dynamicColumns();
    void formatsNumbersTimesAndDurations();
    void filtersWithRunFilter();
    void scopesToExperiments();
    void showsMarkupAndSqlAsPlainText();
    void relatesParentsAndChildren();
    void columnSpecRoundTrip();
    void largeSnapshot();
};

void TestRunTableModel::modelTester()
{
    RunTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRuns(sampleRuns());
    model.setColumns({{ColumnSpec::Metric, "loss", ColumnSpec::Last},
                      {ColumnSpec::Param, "lr", ColumnSpec::Last}});
    model.sort(RunTableModel::FixedColumnCount, Qt::DescendingOrder);
    model.setFilter(*RunFilter::parse("params.optimizer = 'adam'"));
    model.setExperimentScope({"2"});
    model.setExperimentScope({});
    model.setFilter(RunFilter());
    model.sort(RunTableModel::Name, Qt::AscendingOrder);
    model.retranslate();
    model.setRuns({});
    model.retranslate();
    QCOMPARE(model.rowCount(), 0);
}

void TestRunTableModel::sortsNumbersWithNaNLast()
{
    RunTableModel model;
    model.setRuns(sampleRuns());
    model.setColumns({{ColumnSpec::Metric, "loss", ColumnSpec::Last}});
    const int loss = RunTableModel::FixedColumnCount;

    model.sort(loss, Qt::AscendingOrder);
    QCOMPARE(column(model, loss), QStringList({"0.1", "0.5", "10", "NaN", ""}));
    model.sort(loss, Qt::DescendingOrder);
    QCOMPARE(column(model, loss), QStringList({"10", "0.5", "0.1", "NaN", ""}));
    QCOMPARE(model.index(0, loss).data(RunTableModel::RawValueRole).toDouble(), 10.0);
    QCOMPARE(model.index(0, loss).data(Qt::TextAlignmentRole).value<Qt::Alignment>()
                 & Qt::AlignRight,
             Qt::AlignRight);
}

void TestRunTableModel::sortsParamsNumericallyAndNamesNaturally()
{
    RunTableModel model;
    model.setRuns(sampleRuns());
    model.setColumns({{ColumnSpec::Param, "lr", ColumnSpec::Last}});
    const int lr = RunTableModel::FixedColumnCount;
    model.sort(lr, Qt::AscendingOrder);
    QCOMPARE(column(model, lr), QStringList({"1e-3", "0.01", "0.1", "abc", ""}));

    model.sort(RunTableModel::Name, Qt::AscendingOrder);
    QCOMPARE(column(model, RunTableModel::Name),
             QStringList({"run-1", "run-2", "Run-3", "run-10", "run-20"}));
    model.sort(RunTableModel::Name, Qt::DescendingOrder);
    QCOMPARE(column(model, RunTableModel::Name).first(), QStringLiteral("run-20"));
    model.sort(-1, Qt::AscendingOrder); // snapshot order
    QCOMPARE(column(model, RunTableModel::Name).first(), QStringLiteral("run-2"));
}

void TestRunTableModel::keepsSelectionAcrossSort()
{
    RunTableModel model;
    model.setRuns(sampleRuns());
    QPersistentModelIndex kept = model.index(model.rowOfRun("a4"), RunTableModel::Status);
    model.sort(RunTableModel::Name, Qt::DescendingOrder);
    QVERIFY(kept.isValid());
    QCOMPARE(kept.data(RunTableModel::RunIdRole).toString(), QStringLiteral("a4"));
    QCOMPARE(kept.column(), int(RunTableModel::Status));
    QCOMPARE(kept.row(), model.rowOfRun("a4"));
}

void TestRunTableModel::dynamicColumns()
{
    RunTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRuns(sampleRuns());
    QCOMPARE(model.columnCount(), int(RunTableModel::FixedColumnCount));
    model.setColumns({{ColumnSpec::Metric, "loss", ColumnSpec::Last},
                      {ColumnSpec::Metric, "loss", ColumnSpec::Min},
                      {ColumnSpec::Metric, "loss", ColumnSpec::Max},
                      {ColumnSpec::Param, "optimizer", ColumnSpec::Last},
                      {ColumnSpec::Tag, "team", ColumnSpec::Last}});
    QCOMPARE(model.columnCount(), RunTableModel::FixedColumnCount + 5);
    const int last = columnOf(model, "metrics.loss");
    const int min = columnOf(model, "metrics.loss (min)");
    const int max = columnOf(model, "metrics.loss (max)");
    const int optimizer = columnOf(model, "params.optimizer");
    const int team = columnOf(model, "tags.team");
    QVERIFY(last >= 0 && min >= 0 && max >= 0 && optimizer >= 0 && team >= 0);

    const int row = model.rowOfRun("a1");
    QCOMPARE(model.index(row, last).data().toString(), QStringLiteral("0.5"));
    QCOMPARE(model.index(row, min).data().toString(), QStringLiteral("-0.5"));
    QCOMPARE(model.index(row, max).data().toString(), QStringLiteral("1.5"));
    QCOMPARE(model.index(row, optimizer).data().toString(), QStringLiteral("adam"));
    QCOMPARE(model.index(row, team).data().toString(), QStringLiteral("vision"));
    QCOMPARE(model.index(model.rowOfRun("a5"), last).data().toString(), QString());
    QVERIFY(!model.headerData(min, Qt::Horizontal, Qt::ToolTipRole).toString().isEmpty());

    // Sorting by a dynamic column survives a change of the other columns.
    model.sort(optimizer, Qt::AscendingOrder);
    model.setColumns({{ColumnSpec::Param, "optimizer", ColumnSpec::Last}});
    QCOMPARE(model.sortColumn(), int(RunTableModel::FixedColumnCount));
    model.setColumns({});
    QCOMPARE(model.sortColumn(), -1);

    QCOMPARE(model.availableParamKeys(), (std::vector<std::string>{"lr", "optimizer"}));
    QCOMPARE(model.availableMetricKeys(), (std::vector<std::string>{"loss"}));
    QCOMPARE(model.availableTagKeys(), (std::vector<std::string>{"team"}));
    QCOMPARE(model.commonParamKeys(1), (std::vector<std::string>{"lr"}));
}

void TestRunTableModel::formatsNumbersTimesAndDurations()
{
    QCOMPARE(RunTableModel::formatNumber(kNaN), QStringLiteral("NaN"));
    QCOMPARE(RunTableModel::formatNumber(DBL_MAX), QStringLiteral("inf"));
    QCOMPARE(RunTableModel::formatNumber(-DBL_MAX), QStringLiteral("-inf"));
    QCOMPARE(RunTableModel::formatNumber(std::numeric_limits<double>::infinity()),
             QStringLiteral("inf"));
    QCOMPARE(RunTableModel::formatNumber(0.123456789), QStringLiteral("0.123457"));
    QCOMPARE(RunTableModel::formatNumber(1234567.0), QStringLiteral("1.23457e+06"));
    QCOMPARE(RunTableModel::formatNumber(0.0), QStringLiteral("0"));
    QCOMPARE(RunTableModel::formatDuration(3723000), QStringLiteral("1h 02m"));
    QCOMPARE(RunTableModel::formatDuration(42000), QStringLiteral("42s"));
    QCOMPARE(RunTableModel::formatDuration(307000), QStringLiteral("5m 07s"));
    QCOMPARE(RunTableModel::formatDuration(2 * 86400000 + 3 * 3600000), QStringLiteral("2d 03h"));
    const qint64 t = QDateTime(QDate(2026, 11, 26), QTime(15, 4)).toMSecsSinceEpoch();
    QCOMPARE(RunTableModel::formatTime(t), QStringLiteral("2026-11-26 15:04"));

    RunTableModel model;
    model.setRuns({makeRecord(
        {"x", "inf-run", "1", "FINISHED", {{"big", DBL_MAX}, {"small", -DBL_MAX}}, {}, {}})});
    model.setColumns({{ColumnSpec::Metric, "big", ColumnSpec::Last},
                      {ColumnSpec::Metric, "small", ColumnSpec::Last}});
    QCOMPARE(model.index(0, RunTableModel::FixedColumnCount).data().toString(),
             QStringLiteral("inf"));
    QCOMPARE(model.index(0, RunTableModel::FixedColumnCount + 1).data().toString(),
             QStringLiteral("-inf"));
    QCOMPARE(model.index(0, RunTableModel::Duration).data().toString(), QStringLiteral("1h 02m"));
    QCOMPARE(model.index(0, RunTableModel::Status).data().toString(), QStringLiteral("Finished"));
    QCOMPARE(model.index(0, RunTableModel::Status).data(Qt::ForegroundRole).value<QColor>(),
             RunTableModel::statusColor("FINISHED"));
    QCOMPARE(model.index(0, RunTableModel::Status).data(RunTableModel::StatusRole).toString(),
             QStringLiteral("FINISHED"));
}

void TestRunTableModel::filtersWithRunFilter()
{
    RunTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRuns(sampleRuns());
    QCOMPARE(model.rowCount(), 5);
    auto filter = RunFilter::parse("metrics.loss < 1 AND params.optimizer = 'adam'");
    QVERIFY(filter.ok());
    model.setFilter(*filter);
    QCOMPARE(model.rowCount(), 2);
    QStringList ids = column(model, 0, RunTableModel::RunIdRole);
    ids.sort();
    QCOMPARE(ids, QStringList({"a1", "a3"}));
    QCOMPARE(model.scopedRunCount(), 5);
    QCOMPARE(model.rowOfRun("a2"), -1);
    QVERIFY(model.findRun("a2") != nullptr);

    model.setFilter(*RunFilter::parse("attributes.status = 'FAILED' OR tags.team = 'risk'"));
    ids = column(model, 0, RunTableModel::RunIdRole);
    ids.sort();
    QCOMPARE(ids, QStringList({"a2", "a3"}));

    // A new snapshot keeps the filter.
    model.setRuns(sampleRuns());
    QCOMPARE(model.rowCount(), 2);
    model.setFilter(RunFilter());
    QCOMPARE(model.rowCount(), 5);
}

void TestRunTableModel::scopesToExperiments()
{
    RunTableModel model;
    model.setRuns(sampleRuns());
    model.setExperimentScope({"2"});
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.scopedRunCount(), 3);
    QCOMPARE(model.totalRunCount(), 5);
    model.setExperimentNames({{"1", "vision"}, {"2", "fraud"}});
    QCOMPARE(model.index(0, RunTableModel::Experiment).data().toString(), QStringLiteral("fraud"));
    model.setExperimentScope({"1", "2"});
    QCOMPARE(model.rowCount(), 5);
    model.setExperimentScope({});
    QCOMPARE(model.rowCount(), 5);
}

void TestRunTableModel::showsMarkupAndSqlAsPlainText()
{
    const std::string longValue(600, 'x');
    RunTableModel model;
    model.setRuns({makeRecord({"m", "<i>name</i>", "1", "FINISHED", {},
                               {{"markup", "<b>x</b>"},
                                {"sql", "'); DROP TABLE runs;--"},
                                {"long", longValue},
                                {"multi", "line one\nline two"}},
                               {}})});
    model.setColumns({{ColumnSpec::Param, "markup", ColumnSpec::Last},
                      {ColumnSpec::Param, "sql", ColumnSpec::Last},
                      {ColumnSpec::Param, "long", ColumnSpec::Last},
                      {ColumnSpec::Param, "multi", ColumnSpec::Last}});
    const int c = RunTableModel::FixedColumnCount;
    QCOMPARE(model.index(0, RunTableModel::Name).data().toString(), QStringLiteral("<i>name</i>"));
    QCOMPARE(model.index(0, c).data().toString(), QStringLiteral("<b>x</b>"));
    QCOMPARE(model.index(0, c + 1).data().toString(), QStringLiteral("'); DROP TABLE runs;--"));
    QCOMPARE(model.index(0, c).data(RunTableModel::RawValueRole).toString(),
             QStringLiteral("<b>x</b>"));

    // Long values: elided in the cell, complete (and escaped) in the tooltip.
    const QString cell = model.index(0, c + 2).data().toString();
    QVERIFY(cell.size() <= 120);
    QVERIFY(cell.endsWith(QChar(0x2026)));
    QCOMPARE(model.index(0, c + 2).data(RunTableModel::RawValueRole).toString().size(), 600);
    const QString tip = model.index(0, c + 2).data(Qt::ToolTipRole).toString();
    QCOMPARE(tip.count(QLatin1Char('x')), 600);
    // Newlines never reach a cell.
    QCOMPARE(model.index(0, c + 3).data().toString(), QStringLiteral("line one line two"));

    // Tooltips escape markup, so it shows literally.
    const QString nameTip = model.index(0, RunTableModel::Name).data(Qt::ToolTipRole).toString();
    QVERIFY(nameTip.contains(QStringLiteral("&lt;i&gt;name&lt;/i&gt;")));
    QVERIFY(!nameTip.contains(QStringLiteral("<i>")));
}

void TestRunTableModel::relatesParentsAndChildren()
{
    std::vector<RunRecord> runs = sampleRuns();
    runs[1].run.tags.push_back({"mlflow.parentRunId", "a1"});
    runs[2].run.tags.push_back({"mlflow.parentRunId", "a1"});
    RunTableModel model;
    model.setRuns(std::move(runs));
    const auto children = model.childrenOf("a1");
    QCOMPARE(children.size(), size_t(2));
    QCOMPARE(children[0]->run.runId, std::string("a3")); // run-1 before run-10
    QCOMPARE(children[1]->run.runId, std::string("a2"));
    QVERIFY(model.childrenOf("a2").empty());
    QCOMPARE(model.findRun("nope"), nullptr);
    QCOMPARE(model.runAt(-1), nullptr);
    QCOMPARE(model.runAt(5), nullptr);
}

void TestRunTableModel::columnSpecRoundTrip()
{
    const std::vector<ColumnSpec> specs = {{ColumnSpec::Param, "a:b", ColumnSpec::Last},
                                           {ColumnSpec::Metric, "val:loss", ColumnSpec::Min},
                                           {ColumnSpec::Metric, "acc", ColumnSpec::Max},
                                           {ColumnSpec::Tag, "mlflow.runName", ColumnSpec::Last}};
    for (const ColumnSpec &spec : specs) {
        ColumnSpec back;
        QVERIFY(ColumnSpec::fromString(spec.toString(), &back));
        QVERIFY(back == spec);
    }
    ColumnSpec ignored;
    QVERIFY(!ColumnSpec::fromString(QStringLiteral("metric:avg:x"), &ignored));
    QVERIFY(!ColumnSpec::fromString(QStringLiteral("param:"), &ignored));
    QVERIFY(!ColumnSpec::fromString(QStringLiteral("nonsense"), &ignored));
}

void TestRunTableModel::largeSnapshot()
{
    constexpr int kRuns = 100000;
    std::vector<RunRecord> runs;
    runs.reserve(kRuns);
    const char *optimizers[] = {"adam", "sgd", "rmsprop"};
    for (int i = 0; i < kRuns; ++i) {
        RunRecord r;
        r.run.runId = "run" + std::to_string(i);
        r.run.runName = "trial-" + std::to_string(i);
        r.run.experimentId = std::to_string(i % 7);
        r.run.status = i % 50 == 0 ? "FAILED" : "FINISHED";
        r.run.startTime = 1793491200000 + i * 1000LL;
        r.run.endTime = r.run.startTime + 60000;
        const double loss = i % 97 == 0 ? kNaN : std::fmod(i * 0.61803398875, 1.0);
        r.run.metrics.push_back({"val_loss", loss, r.run.endTime, 10});
        r.summaries["val_loss"] = MetricSummary{loss, loss, loss, 10, true};
        r.run.params.push_back({"optimizer", optimizers[i % 3]});
        r.run.params.push_back({"lr", std::to_string(0.001 * (1 + i % 10))});
        runs.push_back(std::move(r));
    }
    RunTableModel model;
    model.setRuns(std::move(runs));
    QCOMPARE(model.rowCount(), kRuns);
    model.setColumns({{ColumnSpec::Metric, "val_loss", ColumnSpec::Last},
                      {ColumnSpec::Param, "lr", ColumnSpec::Last}});
    const int loss = RunTableModel::FixedColumnCount;

    model.sort(loss, Qt::AscendingOrder);
    double previous = -1.0;
    bool seenNaN = false;
    for (int row = 0; row < model.rowCount(); ++row) {
        const double v = model.runAt(row)->summaries.at("val_loss").last;
        if (std::isnan(v)) {
            seenNaN = true;
            continue;
        }
        QVERIFY2(!seenNaN, "a number after NaN");
        QVERIFY(v >= previous);
        previous = v;
    }
    QVERIFY(seenNaN);

    model.setFilter(*RunFilter::parse("metrics.val_loss < 0.5 AND params.optimizer = 'adam'"));
    int expected = 0;
    for (int i = 0; i < kRuns; ++i) {
        const double l = i % 97 == 0 ? kNaN : std::fmod(i * 0.61803398875, 1.0);
        expected += (l < 0.5 && i % 3 == 0) ? 1 : 0;
    }
    QCOMPARE(model.rowCount(), expected);
    // Still sorted after filtering.
    for (int row = 1; row < model.rowCount(); ++row)
        QVERIFY(model.runAt(row - 1)->summaries.at("val_loss").last
                <= model.runAt(row)->summaries.at("val_loss").last);

    model.sort(RunTableModel::Name, Qt::DescendingOrder);
    QCOMPARE(model.rowCount(), expected);
    model.setExperimentScope({"3"});
    for (int row = 0; row < model.rowCount(); ++row)
        QCOMPARE(model.runAt(row)->run.experimentId, std::string("3"));
    QVERIFY(model.scopedRunCount() > 0);
}

QTEST_GUILESS_MAIN(TestRunTableModel)
#include "tst_runtablemodel.moc"
