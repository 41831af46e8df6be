// SPDX-License-Identifier: GPL-3.0-or-later
// Tests of ExperimentTreeModel: the "All experiments" item, run counts, order, lookups.
#include "experimenttreemodel.h"

#include <QAbstractItemModelTester>
#include <QtTest>

using namespace sightline;

namespace {

Experiment experiment(const std::string &id, const std::string &name,
                      const std::string &stage = "active")
{
    Experiment e;
    e.experimentId = id;
    e.name = name;
    e.lifecycleStage = stage;
    return e;
}

} // namespace

class TestExperimentTreeModel : public QObject {
    Q_OBJECT

private slots:
    void structureAndCounts();
    void lookups();
    void namesArePlainText();
};

void TestExperimentTreeModel::structureAndCounts()
{
    ExperimentTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.rowCount(model.allExperimentsIndex()), 0);

    model.setExperiments({experiment("2", "zeta"), experiment("1", "Alpha"),
                          experiment("3", "beta", "deleted"), experiment("0", "Default")},
                         {{"1", 12}, {"2", 30}, {"3", 1}});
    const QModelIndex all = model.allExperimentsIndex();
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.rowCount(all), 4);
    QCOMPARE(model.columnCount(all), int(ExperimentTreeModel::ColumnCount));
    QCOMPARE(all.data().toString(), QStringLiteral("All experiments"));
    QCOMPARE(all.data(ExperimentTreeModel::RunCountRole).toInt(), 43);
    QVERIFY(all.data(ExperimentTreeModel::IsAllExperimentsRole).toBool());
    QCOMPARE(all.data(ExperimentTreeModel::ExperimentIdRole).toString(), QString());

    // Active experiments by name, deleted ones last.
    QStringList names;
    for (int row = 0; row < model.rowCount(all); ++row)
        names << model.index(row, 0, all).data().toString();
    QCOMPARE(names, QStringList({"Alpha", "Default", "zeta", "beta (deleted)"}));
    const QModelIndex zeta = model.index(2, ExperimentTreeModel::Runs, all);
    QCOMPARE(zeta.data().toString(), QStringLiteral("30"));
    QCOMPARE(zeta.data(ExperimentTreeModel::ExperimentIdRole).toString(), QStringLiteral("2"));
    QCOMPARE(model.parent(zeta), model.allExperimentsIndex());
    QVERIFY(!model.parent(all).isValid());
    QVERIFY(model.flags(zeta) & Qt::ItemIsSelectable);
    model.retranslate(); // the tester checks the signals it sends
}

void TestExperimentTreeModel::lookups()
{
    ExperimentTreeModel model;
    model.setExperiments({experiment("7", "b"), experiment("8", "a")}, {{"7", 3}});
    const QModelIndex b = model.indexOfExperiment("7");
    QVERIFY(b.isValid());
    QCOMPARE(b.row(), 1);
    QCOMPARE(model.experimentAt(b)->name, std::string("b"));
    QCOMPARE(model.experimentAt(model.allExperimentsIndex()), nullptr);
    QVERIFY(!model.indexOfExperiment("99").isValid());
    QCOMPARE(model.experimentCount(), 2);
    QCOMPARE(model.totalRunCount(), 3);
    QCOMPARE(model.indexOfExperiment("8").data(ExperimentTreeModel::RunCountRole).toInt(), 0);
}

void TestExperimentTreeModel::namesArePlainText()
{
    ExperimentTreeModel model;
    model.setExperiments({experiment("1", "<b>bold</b>")}, {});
    const QModelIndex e = model.indexOfExperiment("1");
    QCOMPARE(e.data().toString(), QStringLiteral("<b>bold</b>"));
    const QString tip = e.data(Qt::ToolTipRole).toString();
    QVERIFY(tip.contains(QStringLiteral("&lt;b&gt;bold&lt;/b&gt;")));
}

QTEST_GUILESS_MAIN(TestExperimentTreeModel)
#include "tst_experimenttreemodel.moc"
