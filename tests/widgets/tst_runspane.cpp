// SPDX-License-Identifier: GPL-3.0-or-later
// Tests of RunsPane on the demo workspace, offscreen: filtering as you type, filter errors,
// experiment selection, run details and links, what the grabbed image shows, saved state.
#include "columnchooser.h"
#include "demo/demoworkspace.h"
#include "rundetailsview.h"
#include "runspane.h"
#include "store/store.h"

#include <QHeaderView>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QSignalSpy>
#include <QSplitter>
#include <QTableView>
#include <QTemporaryDir>
#include <QTreeView>
#include <QTreeWidget>
#include <QtTest>

#include <set>

using namespace sightline;

class TestRunsPane : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();
    void showsTheWorkspace();
    void filtersAsYouType();
    void marksFilterErrors();
    void escapeClearsAndCtrlFFocuses();
    void selectsExperiments();
    void showsDetailsAndFollowsLinks();
    void showsHostileValuesLiterally();
    void grabShowsRuns();
    void keepsStateAcrossReload();
    void savesAndRestoresState();
    void hidesColumns();
    void loadsInTheBackground();
    void columnChooserPicksColumns();

private:
    std::unique_ptr<Store> openStore() const;
    int visibleRowCount() const;

    QTemporaryDir m_dir;
    QString m_path;
    int m_totalRuns = 0;
    std::unique_ptr<RunsPane> m_pane;
};

std::unique_ptr<Store> TestRunsPane::openStore() const
{
    auto store = Store::open(m_path.toStdString(), Store::Mode::ReadOnly);
    if (!store)
        return nullptr;
    return std::move(*store);
}

void TestRunsPane::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_path = m_dir.filePath(QStringLiteral("demo.sqlite"));
    auto summary = writeDemoWorkspace(m_path.toStdString(), DemoOptions{.longRunSteps = 2000});
    QVERIFY2(summary.ok(), summary.ok() ? "" : summary.error().message.c_str());
    m_totalRuns = summary->runs;
    QVERIFY(m_totalRuns > 200);
}

void TestRunsPane::init()
{
    m_pane = std::make_unique<RunsPane>();
    m_pane->resize(1400, 800);
    auto store = openStore();
    QVERIFY(store);
    m_pane->loadFromStore(*store);
    m_pane->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_pane.get()));
}

void TestRunsPane::cleanup()
{
    m_pane.reset();
}

int TestRunsPane::visibleRowCount() const
{
    return m_pane->table()->model()->rowCount();
}

void TestRunsPane::showsTheWorkspace()
{
    QCOMPARE(visibleRowCount(), m_totalRuns);
    // The newest run is selected and shown in the details.
    QCOMPARE(m_pane->table()->selectionModel()->currentIndex().row(), 0);
    QVERIFY(!m_pane->currentRunId().isEmpty());
    QCOMPARE(m_pane->detailsView()->currentRunId(), m_pane->currentRunId());
    QCOMPARE(m_pane->countLabel()->text(), QStringLiteral("%1 runs").arg(m_totalRuns));
    QVERIFY(m_pane->filterMessageLabel()->isHidden());
    // Default columns: the commonest metrics and params.
    QVERIFY(m_pane->model()->columnCount() > RunTableModel::FixedColumnCount);
    QVERIFY(m_pane->table()->horizontalHeader()->isSortIndicatorShown());
    QCOMPARE(m_pane->table()->horizontalHeader()->sortIndicatorSection(),
             int(RunTableModel::Started));
    // Five experiments under "All experiments".
    QTreeView *tree = m_pane->experimentView();
    QCOMPARE(tree->model()->rowCount(tree->model()->index(0, 0)), 5);
}

void TestRunsPane::filtersAsYouType()
{
    QTest::keyClicks(m_pane->filterEdit(), QStringLiteral("params.optimizer = 'adam'"));
    QTRY_VERIFY(visibleRowCount() < m_totalRuns);
    QVERIFY(visibleRowCount() > 0);
    QCOMPARE(m_pane->countLabel()->text(),
             QStringLiteral("%1 of %2 runs").arg(visibleRowCount()).arg(m_totalRuns));
    for (int row = 0; row < visibleRowCount(); ++row) {
        const RunRecord *r = m_pane->model()->runAt(row);
        QVERIFY(r->run.param("optimizer"));
        QCOMPARE(*r->run.param("optimizer"), std::string("adam"));
    }
    const int adam = visibleRowCount();
    QTest::keyClicks(m_pane->filterEdit(), QStringLiteral(" AND params.depth = '34'"));
    QTRY_VERIFY(visibleRowCount() < adam);
    QCOMPARE(visibleRowCount(), 6); // the sweep: 6 learning rates × adam × depth 34
}

void TestRunsPane::marksFilterErrors()
{
    QTest::keyClicks(m_pane->filterEdit(), QStringLiteral("metrics.val_loss < 0.4"));
    QTRY_VERIFY(visibleRowCount() < m_totalRuns);
    const int good = visibleRowCount();

    m_pane->filterEdit()->clear();
    QTest::keyClicks(m_pane->filterEdit(), QStringLiteral("params.optimizer = adam"));
    QTRY_VERIFY(m_pane->filterMessageLabel()->isVisible());
    const QString message = m_pane->filterMessageLabel()->text();
    QVERIFY2(message.contains(QStringLiteral("column 20")), qPrintable(message));
    QVERIFY(m_pane->filterEdit()->property("error").toBool());
    // The last valid filter stays applied while the text is wrong.
    QCOMPARE(visibleRowCount(), good);

    // Fixing it clears the error.
    m_pane->filterEdit()->setText(QStringLiteral("params.optimizer = 'adam'"));
    QTRY_VERIFY(m_pane->filterMessageLabel()->isHidden());
    QVERIFY(!m_pane->filterEdit()->property("error").toBool());

    m_pane->filterEdit()->setText(QStringLiteral("bogus.key = 1"));
    QTRY_VERIFY(m_pane->filterMessageLabel()->isVisible());
    QVERIFY(m_pane->filterMessageLabel()->text().contains(QStringLiteral("column 1")));
}

void TestRunsPane::escapeClearsAndCtrlFFocuses()
{
    m_pane->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_pane.get()));
    m_pane->table()->setFocus();
    QTest::keyClick(m_pane->table(), Qt::Key_F, Qt::ControlModifier);
    QTRY_VERIFY(m_pane->filterEdit()->hasFocus());
    QTest::keyClicks(m_pane->filterEdit(), QStringLiteral("attributes.status = 'FAILED'"));
    QTRY_COMPARE(visibleRowCount(), 3); // resnet-5 and the two diverged sweep trials
    QTest::keyClick(m_pane->filterEdit(), Qt::Key_Escape);
    QCOMPARE(m_pane->filterEdit()->text(), QString());
    QCOMPARE(visibleRowCount(), m_totalRuns);
}

void TestRunsPane::selectsExperiments()
{
    QTreeView *tree = m_pane->experimentView();
    const QModelIndex all = tree->model()->index(0, 0);
    QModelIndex fraud;
    for (int row = 0; row < tree->model()->rowCount(all); ++row) {
        const QModelIndex e = tree->model()->index(row, 0, all);
        if (e.data().toString() == QLatin1String("fraud-detection-xgb"))
            fraud = e;
    }
    QVERIFY(fraud.isValid());
    QCOMPARE(fraud.siblingAtColumn(1).data().toString(), QStringLiteral("60"));
    tree->selectionModel()->select(fraud, QItemSelectionModel::ClearAndSelect
                                              | QItemSelectionModel::Rows);
    QCOMPARE(visibleRowCount(), 60);
    QCOMPARE(m_pane->countLabel()->text(), QStringLiteral("60 runs"));
    // Default columns follow the experiment: its metrics.
    bool hasAuc = false;
    for (int c = 0; c < m_pane->model()->columnCount(); ++c)
        hasAuc |= m_pane->model()->headerData(c, Qt::Horizontal).toString()
                  == QLatin1String("metrics.val_auc");
    QVERIFY(hasAuc);

    m_pane->filterEdit()->setText(QStringLiteral("tags.data_version = 'v2'"));
    QTRY_COMPARE(visibleRowCount(), 20);
    QCOMPARE(m_pane->countLabel()->text(), QStringLiteral("20 of 60 runs"));

    tree->selectionModel()->select(all, QItemSelectionModel::ClearAndSelect
                                            | QItemSelectionModel::Rows);
    QCOMPARE(visibleRowCount(), 20);
    QCOMPARE(m_pane->countLabel()->text(), QStringLiteral("20 of %1 runs").arg(m_totalRuns));
}

void TestRunsPane::showsDetailsAndFollowsLinks()
{
    // A child of the sweep: the details link to its parent.
    const RunRecord *child = nullptr;
    for (int row = 0; row < visibleRowCount() && !child; ++row)
        if (m_pane->model()->runAt(row)->run.runName == "lr-sweep-3")
            child = m_pane->model()->runAt(row);
    QVERIFY(child);
    const QString childId = QString::fromStdString(child->run.runId);
    const QString parentId = QString::fromStdString(child->run.parentRunId());

    QSignalSpy current(m_pane.get(), &RunsPane::currentRunChanged);
    QVERIFY(m_pane->selectRun(childId));
    QCOMPARE(m_pane->currentRunId(), childId);
    QCOMPARE(current.count(), 1);
    QString text = m_pane->detailsView()->toPlainText();
    QVERIFY(text.contains(QStringLiteral("lr-sweep-3")));
    QVERIFY(text.contains(QStringLiteral("Parent run")));
    QVERIFY(text.contains(QStringLiteral("learning_rate")));
    QVERIFY(text.contains(QStringLiteral("val_loss")));

    // Following the parent link, even when a filter hides the parent.
    m_pane->filterEdit()->setText(QStringLiteral("attributes.run_name = 'lr-sweep-3'"));
    QTRY_COMPARE(visibleRowCount(), 1);
    emit m_pane->detailsView()->anchorClicked(QUrl(QStringLiteral("run:") + parentId));
    QCOMPARE(m_pane->currentRunId(), parentId);
    QVERIFY(m_pane->filterEdit()->text().isEmpty());
    QCOMPARE(visibleRowCount(), m_totalRuns);
    const int row = m_pane->table()->selectionModel()->currentIndex().row();
    QCOMPARE(m_pane->model()->runAt(row)->run.runId, parentId.toStdString());
    text = m_pane->detailsView()->toPlainText();
    QVERIFY(text.contains(QStringLiteral("Child runs (24)")));

    // Datasets of a fraud run.
    const RunRecord *fraud = nullptr;
    for (int r = 0; r < visibleRowCount() && !fraud; ++r)
        if (m_pane->model()->runAt(r)->run.runName == "xgb-45")
            fraud = m_pane->model()->runAt(r);
    QVERIFY(fraud);
    QVERIFY(m_pane->selectRun(QString::fromStdString(fraud->run.runId)));
    text = m_pane->detailsView()->toPlainText().remove(QChar(0x200B));
    QVERIFY(text.contains(QStringLiteral("fraud-train")));
    QVERIFY(text.contains(QStringLiteral("9f1c22ab")));
    QVERIFY(text.contains(QStringLiteral("s3://risk/fraud/train/2026-11")));
    QVERIFY(!m_pane->selectRun(QStringLiteral("no-such-run")));
}

void TestRunsPane::showsHostileValuesLiterally()
{
    m_pane->filterEdit()->setText(QStringLiteral("params.markup = '<b>x</b>'"));
    QTRY_COMPARE(visibleRowCount(), 1);
    QVERIFY(m_pane->selectRun(m_pane->model()->index(0, 0).data(RunTableModel::RunIdRole)
                                  .toString()));
    const QString text = m_pane->detailsView()->toPlainText().remove(QChar(0x200B));
    QVERIFY(text.contains(QStringLiteral("<b>x</b>")));
    QVERIFY(text.contains(QStringLiteral("'); DROP TABLE runs;--")));
    QVERIFY(text.contains(QString(600, QLatin1Char('x'))));
    QVERIFY(text.contains(QStringLiteral("héllo wörld ✓ 训练")));
    QVERIFY(text.contains(QStringLiteral("-inf"))); // MLflow's -DBL_MAX
}

void TestRunsPane::grabShowsRuns()
{
    m_pane->filterEdit()->setText(QStringLiteral("attributes.run_name LIKE 'lr-sweep-%'"));
    QTRY_COMPARE(visibleRowCount(), 24);
    m_pane->table()->sortByColumn(RunTableModel::Name, Qt::AscendingOrder);

    const QImage image = m_pane->grab().toImage();
    QCOMPARE(image.size(), m_pane->size() * image.devicePixelRatio());
    // Not blank: many distinct colours (text, stripes, header, status colours).
    std::set<QRgb> colours;
    for (int y = 0; y < image.height(); y += 3)
        for (int x = 0; x < image.width(); x += 3)
            colours.insert(image.pixel(x, y));
    QVERIFY2(colours.size() > 20, qPrintable(QString::number(colours.size())));

    // What the visible cells hold, top to bottom.
    QTableView *table = m_pane->table();
    QStringList visible;
    const int step = table->verticalHeader()->defaultSectionSize();
    for (int y = 2; y < table->viewport()->height(); y += step) {
        const QModelIndex index = table->indexAt(QPoint(5, y));
        if (index.isValid())
            visible << index.siblingAtColumn(RunTableModel::Name).data().toString();
    }
    QVERIFY(visible.size() >= 10);
    QCOMPARE(visible.first(), QStringLiteral("lr-sweep-1"));
    QCOMPARE(visible.at(1), QStringLiteral("lr-sweep-2"));
    for (const QString &name : visible)
        QVERIFY(name.startsWith(QLatin1String("lr-sweep-")));
    // The name column is wide enough for the names.
    const int nameWidth = table->columnWidth(RunTableModel::Name);
    QVERIFY(nameWidth > table->fontMetrics().horizontalAdvance(QStringLiteral("lr-sweep-24")));
}

void TestRunsPane::keepsStateAcrossReload()
{
    m_pane->filterEdit()->setText(QStringLiteral("params.optimizer = 'sgd'"));
    QTRY_VERIFY(visibleRowCount() < m_totalRuns);
    const int filtered = visibleRowCount();
    m_pane->table()->sortByColumn(RunTableModel::Name, Qt::DescendingOrder);
    const QString selected = m_pane->model()->index(3, 0).data(RunTableModel::RunIdRole).toString();
    QVERIFY(m_pane->selectRun(selected));

    auto store = openStore();
    m_pane->loadFromStore(*store);
    QCOMPARE(visibleRowCount(), filtered);
    QCOMPARE(m_pane->model()->sortColumn(), int(RunTableModel::Name));
    QCOMPARE(m_pane->model()->sortOrder(), Qt::DescendingOrder);
    QCOMPARE(m_pane->currentRunId(), selected);
    QCOMPARE(m_pane->table()->selectionModel()->currentIndex().row(), 3);
    QCOMPARE(m_pane->detailsView()->currentRunId(), selected);
}

void TestRunsPane::savesAndRestoresState()
{
    m_pane->setColumns({{ColumnSpec::Metric, "val_loss", ColumnSpec::Min},
                        {ColumnSpec::Tag, "dataset_version", ColumnSpec::Last}});
    m_pane->table()->horizontalHeader()->resizeSection(RunTableModel::Name, 333);
    m_pane->table()->sortByColumn(RunTableModel::FixedColumnCount, Qt::AscendingOrder);
    m_pane->splitter()->setSizes({100, 900, 400});
    const QByteArray state = m_pane->saveState();

    RunsPane other;
    other.resize(1400, 800);
    QVERIFY(other.restoreState(state));
    auto store = openStore();
    other.loadFromStore(*store);
    QCOMPARE(other.model()->columns(), m_pane->model()->columns());
    QCOMPARE(other.table()->columnWidth(RunTableModel::Name), 333);
    QCOMPARE(other.model()->sortColumn(), int(RunTableModel::FixedColumnCount));
    QCOMPARE(other.model()->sortOrder(), Qt::AscendingOrder);
    QVERIFY(!other.restoreState(QByteArray("garbage")));
}

void TestRunsPane::hidesColumns()
{
    QTableView *table = m_pane->table();
    // The run ID is in the details; its column starts hidden.
    QVERIFY(table->isColumnHidden(RunTableModel::RunId));
    QVERIFY(!table->isColumnHidden(RunTableModel::Experiment));
    m_pane->setFixedColumnHidden(RunTableModel::RunId, false);
    m_pane->setFixedColumnHidden(RunTableModel::User, true);
    m_pane->setFixedColumnHidden(RunTableModel::Name, true); // refused
    QVERIFY(!table->isColumnHidden(RunTableModel::RunId));
    QVERIFY(table->isColumnHidden(RunTableModel::User));
    QVERIFY(!table->isColumnHidden(RunTableModel::Name));

    // One experiment: its name column says nothing and hides.
    QTreeView *tree = m_pane->experimentView();
    const QModelIndex first = tree->model()->index(0, 0, tree->model()->index(0, 0));
    tree->selectionModel()->select(first, QItemSelectionModel::ClearAndSelect
                                              | QItemSelectionModel::Rows);
    QVERIFY(table->isColumnHidden(RunTableModel::Experiment));

    const QByteArray state = m_pane->saveState();
    RunsPane other;
    QVERIFY(other.restoreState(state));
    QVERIFY(!other.table()->isColumnHidden(RunTableModel::RunId));
    QVERIFY(other.table()->isColumnHidden(RunTableModel::User));
    QVERIFY(other.isFixedColumnHidden(RunTableModel::User));
}

void TestRunsPane::loadsInTheBackground()
{
    RunsPane pane;
    QSignalSpy loaded(&pane, &RunsPane::loaded);
    pane.loadFromFile(m_path);
    QVERIFY(pane.isLoading());
    QVERIFY(loaded.wait(20000));
    QCOMPARE(loaded.first().at(0).toBool(), true);
    QCOMPARE(pane.table()->model()->rowCount(), m_totalRuns);

    // A missing file is reported in one sentence.
    pane.loadFromFile(m_dir.filePath(QStringLiteral("missing/none.sqlite")));
    QVERIFY(loaded.wait(20000));
    QCOMPARE(loaded.last().at(0).toBool(), false);
    QVERIFY(!loaded.last().at(1).toString().isEmpty());
    QCOMPARE(pane.table()->model()->rowCount(), m_totalRuns); // the old snapshot stays
}

void TestRunsPane::columnChooserPicksColumns()
{
    ColumnChooser chooser({"lr", "optimizer"}, {"loss", "acc"}, {"team"},
                          {{ColumnSpec::Param, "optimizer", ColumnSpec::Last}});
    QCOMPARE(chooser.paramList()->topLevelItemCount(), 2);
    QCOMPARE(chooser.paramList()->topLevelItem(1)->checkState(0), Qt::Checked);
    chooser.metricList()->topLevelItem(0)->setCheckState(2, Qt::Checked); // loss: min
    chooser.tagList()->topLevelItem(0)->setCheckState(0, Qt::Checked);
    const std::vector<ColumnSpec> expected = {
        {ColumnSpec::Param, "optimizer", ColumnSpec::Last},
        {ColumnSpec::Metric, "loss", ColumnSpec::Min},
        {ColumnSpec::Tag, "team", ColumnSpec::Last}};
    QCOMPARE(chooser.columns(), expected);
    chooser.searchEdit()->setText(QStringLiteral("LO"));
    QVERIFY(!chooser.metricList()->topLevelItem(0)->isHidden());
    QVERIFY(chooser.metricList()->topLevelItem(1)->isHidden());
    QVERIFY(chooser.paramList()->topLevelItem(0)->isHidden());
}

QTEST_MAIN(TestRunsPane)
#include "tst_runspane.moc"
