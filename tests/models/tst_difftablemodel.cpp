// SPDX-License-Identifier: GPL-3.0-or-later
// Tests of DiffTableModel: section header rows, only differing rows by default, the options
// (all rows, transposed, system tags, key filter, metric modes and values at a step), active-run
// filtering, the best cell's highlight, the current run, headers, CSV as shown, and a
// 500-run x 2000-key snapshot.
#include "diffsamples.h"
#include "difftablemodel.h"

#include <QAbstractItemModelTester>
#include <QColor>
#include <QFont>
#include <QSignalSpy>
#include <QtTest>

#include <limits>

using namespace sightline;

namespace {

std::vector<RunRecord> sampleRuns()
{
    return test::diffSampleRuns(0.7);
}

// The key axis as text: section titles as "[Title]", keys as they are.
QStringList keyAxis(const DiffTableModel &model)
{
    QStringList out;
    const bool across = model.isTransposed();
    const int n = across ? model.columnCount() : model.rowCount();
    for (int i = 0; i < n; ++i) {
        const Qt::Orientation o = across ? Qt::Horizontal : Qt::Vertical;
        if (model.headerData(i, o, DiffTableModel::SectionHeaderRole).toBool())
            out << QStringLiteral("[%1]").arg(model.index(i, 0).data().toString());
        else
            out << model.headerData(i, o).toString();
    }
    return out;
}

QStringList runAxis(const DiffTableModel &model)
{
    QStringList out;
    const bool across = model.isTransposed();
    const int n = across ? model.rowCount() : model.columnCount();
    for (int i = 0; i < n; ++i)
        out << model.headerData(i, across ? Qt::Vertical : Qt::Horizontal).toString();
    return out;
}

} // namespace

class TestDiffTableModel : public QObject {
    Q_OBJECT

private slots:
    void emptyModel();
    void onlyDifferencesByDefault();
    void showAllRows();
    void cellsAndRoles();
    void bestCellHighlighted();
    void transposed();
    void systemTags();
    void keyFilter();
    void metricModes();
    void valuesAtStep();
    void activeRuns();
    void currentRun();
    void csvAsShown();
    void largeSnapshot();
};

void TestDiffTableModel::emptyModel()
{
    DiffTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.columnCount(), 0);
    QVERIFY(model.onlyDifferences());
    QVERIFY(!model.isTransposed());
    QVERIFY(!model.showSystemTags());
    QCOMPARE(model.metricMode(), DiffMetricMode::Last);
    model.setRuns({});
    model.setTransposed(true);
    QCOMPARE(model.rowCount(), 0);
}

void TestDiffTableModel::onlyDifferencesByDefault()
{
    DiffTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRuns(sampleRuns());
    QCOMPARE(keyAxis(model),
             QStringList({"[Parameters]", "batch", "[Metrics]", "accuracy", "val_loss"}));
    QCOMPARE(runAxis(model), QStringList({"alpha", "beta", "cccccccc"}));
    QCOMPARE(model.shownKeyCount(), 3);
    QVERIFY(model.isSectionHeaderRow(0));
    QVERIFY(!model.isSectionHeaderRow(1));
    // A section title has no run and cannot be selected.
    QVERIFY(model.runIdAt(model.index(0, 1)).isEmpty());
    QVERIFY(!(model.flags(model.index(0, 0)) & Qt::ItemIsSelectable));
    QCOMPARE(model.index(0, 0).data(DiffTableModel::SectionRole).toInt(),
             static_cast<int>(DiffSection::Params));
}

void TestDiffTableModel::showAllRows()
{
    DiffTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRuns(sampleRuns());
    QSignalSpy options(&model, &DiffTableModel::optionsChanged);
    model.setOnlyDifferences(false);
    QCOMPARE(options.count(), 1);
    model.setOnlyDifferences(false);
    QCOMPARE(options.count(), 1);
    QCOMPARE(keyAxis(model), QStringList({"[Parameters]", "batch", "lr", "optimizer", "[Metrics]",
                                          "accuracy", "val_loss", "[Tags]", "team"}));
    const int lr = model.keyPosition(DiffSection::Params, "lr");
    QCOMPARE(lr, 2);
    QVERIFY(!model.index(lr, 0).data(DiffTableModel::DiffersRole).toBool());
    QVERIFY(model.index(1, 0).data(DiffTableModel::DiffersRole).toBool());
    // Rows that are the same everywhere are muted.
    QCOMPARE(model.index(lr, 0).data(Qt::ForegroundRole).value<QColor>(), QColor(0x80, 0x80, 0x80));
    model.setProperty("onlyDifferences", true);
    QCOMPARE(model.shownKeyCount(), 3);
}

void TestDiffTableModel::cellsAndRoles()
{
    std::vector<RunRecord> runs = sampleRuns();
    runs[1].run.params.push_back({"note", "<b>not bold</b>"});
    DiffTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRuns(runs);
    const int note = model.keyPosition(DiffSection::Params, "note");
    QVERIFY(note > 0);
    QCOMPARE(model.index(note, 1).data().toString(), QString("<b>not bold</b>"));
    QVERIFY(model.index(note, 1).data(Qt::ToolTipRole).toString().contains("&lt;b&gt;"));
    // Missing values show a dash and say so in the tooltip.
    QCOMPARE(model.index(note, 0).data().toString(), QString(QChar(0x2014)));
    QVERIFY(!model.index(note, 0).data(DiffTableModel::RawValueRole).isValid());
    QVERIFY(model.index(note, 0).data(Qt::ToolTipRole).toString().contains("not logged"));

    const int loss = model.keyPosition(DiffSection::Metrics, "val_loss");
    const QModelIndex cell = model.index(loss, 2);
    QCOMPARE(cell.data().toString(), QString("0.4"));
    QCOMPARE(cell.data(DiffTableModel::RawValueRole).toDouble(), 0.4);
    QCOMPARE(cell.data(DiffTableModel::RunIdRole).toString(), QString("cccccccc3333"));
    QCOMPARE(model.runIdAt(cell), QString("cccccccc3333"));
    QCOMPARE(cell.data(DiffTableModel::KeyRole).toString(), QString("val_loss"));
    QCOMPARE(model.headerData(2, Qt::Horizontal, DiffTableModel::RunIdRole).toString(),
             QString("cccccccc3333"));
    QCOMPARE(model.runIdOfSection(Qt::Horizontal, 1), QString("bbbbbbbb2222"));
    QVERIFY(model.runIdOfSection(Qt::Vertical, 1).isEmpty());
    QVERIFY(model.headerData(loss, Qt::Vertical, Qt::ToolTipRole)
                .toString()
                .contains("Lower is better"));
    QVERIFY(cell.data(Qt::TextAlignmentRole).value<Qt::Alignment>() & Qt::AlignRight);
}

void TestDiffTableModel::bestCellHighlighted()
{
    DiffTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRuns(sampleRuns());
    const int loss = model.keyPosition(DiffSection::Metrics, "val_loss");
    const int acc = model.keyPosition(DiffSection::Metrics, "accuracy");
    // val_loss: lowest is beta's 0.3; accuracy: highest is beta's 0.9.
    for (int row : {loss, acc}) {
        for (int col = 0; col < 3; ++col) {
            const QModelIndex cell = model.index(row, col);
            const bool best = col == 1;
            QCOMPARE(cell.data(DiffTableModel::BestRole).toBool(), best);
            QCOMPARE(cell.data(Qt::FontRole).value<QFont>().bold(), best);
            QCOMPARE(cell.data(Qt::BackgroundRole).isValid(), best);
        }
    }
    QVERIFY(model.index(loss, 1).data(Qt::BackgroundRole).value<QColor>().green() > 200);
    // Params are never "best".
    QVERIFY(!model.index(1, 0).data(DiffTableModel::BestRole).toBool());
}

void TestDiffTableModel::transposed()
{
    DiffTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRuns(sampleRuns());
    model.setTransposed(true);
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.columnCount(), 3); // no section titles across
    QCOMPARE(keyAxis(model),
             QStringList({"params.batch", "metrics.accuracy", "metrics.val_loss"}));
    QCOMPARE(runAxis(model), QStringList({"alpha", "beta", "cccccccc"}));
    QCOMPARE(model.index(1, 0).data().toString(), QString("64"));
    QCOMPARE(model.index(1, 2).data(Qt::FontRole).value<QFont>().bold(), true);
    QCOMPARE(model.runIdAt(model.index(2, 1)), QString("cccccccc3333"));
    QCOMPARE(model.runIdOfSection(Qt::Vertical, 0), QString("aaaaaaaa1111"));
    QCOMPARE(model.keyPosition(DiffSection::Metrics, "val_loss"), 2);
    model.setTransposed(false);
    QCOMPARE(model.rowCount(), 5);
}

void TestDiffTableModel::systemTags()
{
    DiffTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRuns(sampleRuns());
    QCOMPARE(model.keyPosition(DiffSection::Tags, "mlflow.user"), -1);
    model.setShowSystemTags(true);
    QCOMPARE(keyAxis(model), QStringList({"[Parameters]", "batch", "[Metrics]", "accuracy",
                                          "val_loss", "[Tags]", "mlflow.user"}));
}

void TestDiffTableModel::keyFilter()
{
    DiffTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRuns(sampleRuns());
    model.setKeyFilter(" LOSS ");
    QCOMPARE(keyAxis(model), QStringList({"[Metrics]", "val_loss"}));
    model.setKeyFilter("no such key");
    QCOMPARE(model.rowCount(), 0);
    model.setKeyFilter({});
    QCOMPARE(model.shownKeyCount(), 3);
}

void TestDiffTableModel::metricModes()
{
    DiffTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRuns(sampleRuns());
    const auto lossOfAlpha = [&model] {
        return model.index(model.keyPosition(DiffSection::Metrics, "val_loss"), 0)
            .data(DiffTableModel::RawValueRole)
            .toDouble();
    };
    QCOMPARE(lossOfAlpha(), 0.5);
    model.setMetricMode(DiffMetricMode::Min);
    QCOMPARE(lossOfAlpha(), -0.5);
    model.setMetricMode(DiffMetricMode::Max);
    QCOMPARE(lossOfAlpha(), 1.5);
    model.setMetricMode(DiffMetricMode::Last);
    QCOMPARE(lossOfAlpha(), 0.5);
}

void TestDiffTableModel::valuesAtStep()
{
    DiffTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRuns(sampleRuns());
    QSignalSpy needed(&model, &DiffTableModel::stepValuesNeeded);
    model.setStep(5);
    QCOMPARE(needed.count(), 0); // not in AtStep mode
    model.setMetricMode(DiffMetricMode::AtStep);
    QCOMPARE(needed.count(), 1);
    QCOMPARE(needed.at(0).at(0).toLongLong(), 5);
    // Until values arrive the metric rows are empty, so only the param differs.
    QCOMPARE(keyAxis(model), QStringList({"[Parameters]", "batch"}));

    DiffStepValues values;
    values[{"aaaaaaaa1111", "val_loss"}] = 2.0;
    values[{"bbbbbbbb2222", "val_loss"}] = 1.0;
    values[{"cccccccc3333", "val_loss"}] = 3.0;
    model.setStepValues(5, values);
    QVERIFY(model.hasStepValues());
    const int loss = model.keyPosition(DiffSection::Metrics, "val_loss");
    QVERIFY(loss > 0);
    QCOMPARE(model.index(loss, 2).data().toString(), QString("3"));
    QVERIFY(model.index(loss, 1).data(DiffTableModel::BestRole).toBool());

    // Another step: the old values no longer apply and new ones are asked for.
    model.setStep(7);
    QVERIFY(!model.hasStepValues());
    QCOMPARE(needed.count(), 2);
    QCOMPARE(needed.at(1).at(0).toLongLong(), 7);
    QCOMPARE(model.keyPosition(DiffSection::Metrics, "val_loss"), -1);
    // Values for a step no longer chosen are kept aside and not shown.
    model.setStepValues(5, values);
    QCOMPARE(model.keyPosition(DiffSection::Metrics, "val_loss"), -1);
}

void TestDiffTableModel::activeRuns()
{
    DiffTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRuns(sampleRuns());
    // alpha and gamma share batch 32: only the metrics differ between them. Order is set order.
    model.setActiveRuns(QStringList{"cccccccc3333", "unknown", "aaaaaaaa1111"});
    QCOMPARE(runAxis(model), QStringList({"alpha", "cccccccc"}));
    QCOMPARE(keyAxis(model), QStringList({"[Metrics]", "accuracy", "val_loss"}));
    // Best among the shown runs: gamma's 0.4 beats alpha's 0.5.
    const int loss = model.keyPosition(DiffSection::Metrics, "val_loss");
    QVERIFY(model.index(loss, 1).data(DiffTableModel::BestRole).toBool());
    QCOMPARE(model.runPosition("bbbbbbbb2222"), -1);
    QCOMPARE(model.runPosition("cccccccc3333"), 1);

    // An empty list (brushes keep nothing) shows no run; nullopt shows every run again.
    model.setActiveRuns(QStringList());
    QCOMPARE(model.columnCount(), 0);
    QCOMPARE(model.rowCount(), 0);
    model.setActiveRuns(std::nullopt);
    QCOMPARE(runAxis(model), QStringList({"alpha", "beta", "cccccccc"}));

    // A new snapshot lifts the subset.
    model.setActiveRuns(QStringList{"aaaaaaaa1111"});
    QCOMPARE(model.shownRunCount(), 1);
    model.setRuns(sampleRuns());
    QCOMPARE(model.shownRunCount(), 3);
}

void TestDiffTableModel::currentRun()
{
    DiffTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRuns(sampleRuns());
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.setCurrentRun("cccccccc3333");
    QCOMPARE(changed.count(), 1);
    QCOMPARE(model.currentRun(), QString("cccccccc3333"));
    QVERIFY(model.index(1, 2).data(DiffTableModel::CurrentRunRole).toBool());
    QVERIFY(!model.index(1, 0).data(DiffTableModel::CurrentRunRole).toBool());
    QVERIFY(model.index(1, 2).data(Qt::BackgroundRole).isValid());
    QVERIFY(model.headerData(2, Qt::Horizontal, Qt::FontRole).value<QFont>().bold());
    QVERIFY(model.headerData(2, Qt::Horizontal, DiffTableModel::CurrentRunRole).toBool());
    // The best cell keeps its green even for the current run.
    model.setCurrentRun("bbbbbbbb2222");
    const int loss = model.keyPosition(DiffSection::Metrics, "val_loss");
    QVERIFY(model.index(loss, 1).data(Qt::BackgroundRole).value<QColor>().green() > 200);
}

void TestDiffTableModel::csvAsShown()
{
    DiffTableModel model;
    model.setRuns(sampleRuns());
    QCOMPARE(model.toCsv(), std::string("section,key,alpha,beta,cccccccc\r\n"
                                        "params,batch,32,64,32\r\n"
                                        "metrics,accuracy,0.8,0.9,0.7\r\n"
                                        "metrics,val_loss,0.5,0.3,0.4\r\n"));
    model.setTransposed(true);
    model.setKeyFilter("batch");
    model.setActiveRuns(QStringList{"bbbbbbbb2222", "cccccccc3333"});
    QCOMPARE(model.toCsv(), std::string("run_id,run,params.batch\r\n"
                                        "bbbbbbbb2222,beta,64\r\n"
                                        "cccccccc3333,cccccccc,32\r\n"));
}

void TestDiffTableModel::largeSnapshot()
{
    std::vector<RunRecord> runs(500);
    for (size_t r = 0; r < runs.size(); ++r) {
        runs[r].run.runId = "run-" + std::to_string(r);
        runs[r].run.runName = "run " + std::to_string(r);
        for (int k = 0; k < 1000; ++k)
            runs[r].run.params.push_back(
                {"param_" + std::to_string(k), k % 10 == 0 ? std::to_string(r % 4) : "same"});
        for (int k = 0; k < 1000; ++k) {
            const double v = k % 4 == 0 ? static_cast<double>(r) * 0.5 : 1.0;
            runs[r].summaries["metric_" + std::to_string(k)] = MetricSummary{v, v, v, 1, true};
        }
    }
    DiffTableModel model;
    QElapsedTimer timer;
    timer.start();
    model.setRuns(std::move(runs));
    const qint64 load = timer.restart();
    QCOMPARE(model.shownKeyCount(), 100 + 250);
    QCOMPARE(model.rowCount(), 350 + 2);
    model.setOnlyDifferences(false);
    model.setTransposed(true);
    QStringList subset;
    for (int r = 0; r < 500; r += 2)
        subset << QStringLiteral("run-%1").arg(r);
    model.setActiveRuns(subset);
    model.setCurrentRun("run-10");
    const qint64 toggles = timer.restart();
    QCOMPARE(model.shownRunCount(), 250);
    QCOMPARE(model.columnCount(), 2000);
    // Every cell of a screenful, many times over.
    int best = 0;
    for (int pass = 0; pass < 20; ++pass)
        for (int row = 0; row < 40; ++row)
            for (int col = 0; col < 30; ++col)
                for (int role : {int(Qt::DisplayRole), int(Qt::FontRole), int(Qt::BackgroundRole)})
                    best += model.index(row, col * 60).data(role).isValid() ? 1 : 0;
    const qint64 paint = timer.elapsed();
    QVERIFY(best > 0);
    qInfo("500 runs x 2000 keys: load %lld ms, option changes %lld ms, 72,000 cell reads %lld ms",
          static_cast<long long>(load), static_cast<long long>(toggles),
          static_cast<long long>(paint));
    QVERIFY2(load < 3000, qPrintable(QString::number(load)));
    QVERIFY2(toggles < 3000, qPrintable(QString::number(toggles)));
    QVERIFY2(paint < 2000, qPrintable(QString::number(paint)));
}

QTEST_MAIN(TestDiffTableModel)
#include "tst_difftablemodel.moc"
