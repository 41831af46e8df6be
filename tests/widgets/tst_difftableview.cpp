// SPDX-License-Identifier: GPL-3.0-or-later
// Tests of DiffTableView, offscreen: the rows on screen are exactly the differing ones, the
// toolbar's options, following the compare selection, clicks on runs, values at a step, the
// grabbed image, and CSV export.
#include "compareselection.h"
#include "difftablemodel.h"
#include "difftableview.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QFont>
#include <QHeaderView>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QPixmap>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableView>
#include <QTemporaryDir>
#include <QToolButton>
#include <QtTest>

using namespace sightline;

namespace {

RunRecord makeRun(const std::string &id, const std::string &name, const std::string &batch,
                  double loss)
{
    RunRecord r;
    r.run.runId = id;
    r.run.runName = name;
    r.run.params = {{"lr", "0.01"}, {"batch", batch}, {"optimizer", "adam"}, {"epochs", "20"}};
    r.run.tags = {{"team", "vision"}, {"mlflow.source.type", "LOCAL"}};
    for (const auto &[key, value] : {std::pair<std::string, double>{"val_loss", loss},
                                     std::pair<std::string, double>{"epochs_done", 20.0}}) {
        r.run.metrics.push_back({key, value, 0, 20});
        r.summaries[key] = MetricSummary{value, value, value, 20, true};
    }
    return r;
}

// Three runs alike in every key but one param (batch) and one metric (val_loss).
std::vector<RunRecord> threeRuns()
{
    return {makeRun("run-a-000000", "alpha", "32", 0.42),
            makeRun("run-b-000000", "beta", "64", 0.35),
            makeRun("run-c-000000", "gamma", "32", 0.51)};
}

} // namespace

class TestDiffTableView : public QObject {
    Q_OBJECT

private slots:
    void showsOnlyDifferingRows();
    void checkboxShowsAll();
    void transposes();
    void filtersKeys();
    void atStepAsksForValues();
    void followsSelection();
    void clickSelectsRun();
    void grabsWithBestCellBold();
    void exportsCsv();
    void emptyStateMessage();
    void tooltipsOnControls();

private:
    // Key rows (not section titles) visible in the table view, top to bottom.
    static QStringList visibleKeys(const DiffTableView &view);
};

QStringList TestDiffTableView::visibleKeys(const DiffTableView &view)
{
    QStringList out;
    const QTableView *table = view.tableView();
    const DiffTableModel *model = view.model();
    for (int row = 0; row < table->model()->rowCount(); ++row) {
        if (table->isRowHidden(row) || model->isSectionHeaderRow(row))
            continue;
        out << model->headerData(row, Qt::Vertical).toString();
    }
    return out;
}

void TestDiffTableView::showsOnlyDifferingRows()
{
    DiffTableView view;
    view.resize(800, 400);
    view.setRuns(threeRuns());
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));

    QVERIFY(view.onlyDifferencesBox()->isChecked());
    QCOMPARE(visibleKeys(view), QStringList({"batch", "val_loss"}));
    // And they are on screen, inside the viewport.
    const QTableView *table = view.tableView();
    for (int row = 0; row < table->model()->rowCount(); ++row) {
        const QRect rect = table->visualRect(table->model()->index(row, 0));
        QVERIFY(rect.isValid());
        QVERIFY(table->viewport()->rect().contains(rect.center()));
    }
    // Section titles span the row.
    QCOMPARE(view.tableView()->rowSpan(0, 0), 1);
    QCOMPARE(view.tableView()->columnSpan(0, 0), 3);
    QCOMPARE(view.tableView()->model()->index(0, 0).data().toString(), QString("Parameters"));
    QCOMPARE(view.tableView()->model()->columnCount(), 3);
    QVERIFY(view.placeholderLabel()->isHidden());
}

void TestDiffTableView::checkboxShowsAll()
{
    DiffTableView view;
    view.setRuns(threeRuns());
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.onlyDifferencesBox()->click();
    QVERIFY(!view.model()->onlyDifferences());
    QCOMPARE(visibleKeys(view), QStringList({"batch", "epochs", "lr", "optimizer", "epochs_done",
                                             "val_loss", "team"}));
    view.systemTagsBox()->click();
    QVERIFY(visibleKeys(view).contains("mlflow.source.type"));
    view.onlyDifferencesBox()->click();
    QCOMPARE(visibleKeys(view), QStringList({"batch", "val_loss"}));
}

void TestDiffTableView::transposes()
{
    DiffTableView view;
    view.setRuns(threeRuns());
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.transposeButton()->click();
    QVERIFY(view.model()->isTransposed());
    const QAbstractItemModel *model = view.tableView()->model();
    QCOMPARE(model->rowCount(), 3);
    QCOMPARE(model->columnCount(), 2);
    QCOMPARE(model->headerData(0, Qt::Horizontal).toString(), QString("params.batch"));
    QCOMPARE(model->headerData(1, Qt::Vertical).toString(), QString("beta"));
    // No spans across.
    QCOMPARE(view.tableView()->columnSpan(0, 0), 1);
}

void TestDiffTableView::filtersKeys()
{
    DiffTableView view;
    view.setRuns(threeRuns());
    QTest::keyClicks(view.filterEdit(), "LOSS");
    QCOMPARE(visibleKeys(view), QStringList({"val_loss"}));
    view.filterEdit()->clear();
    QCOMPARE(visibleKeys(view), QStringList({"batch", "val_loss"}));
}

void TestDiffTableView::atStepAsksForValues()
{
    DiffTableView view;
    view.setRuns(threeRuns());
    QSignalSpy needed(&view, &DiffTableView::stepValuesNeeded);
    QVERIFY(!view.stepBox()->isEnabled());
    view.stepBox()->setValue(10); // not asked for outside "At step"
    QCOMPARE(needed.count(), 0);
    view.metricModeBox()->setCurrentIndex(3);
    QVERIFY(view.stepBox()->isEnabled());
    QCOMPARE(view.model()->metricMode(), DiffMetricMode::AtStep);
    QCOMPARE(needed.count(), 1);
    QCOMPARE(needed.at(0).at(0).toLongLong(), 10);

    DiffStepValues values;
    values[{"run-a-000000", "val_loss"}] = 0.9;
    values[{"run-b-000000", "val_loss"}] = 0.8;
    view.setStepValues(10, values);
    // gamma has no value at the step: its cell is missing, and the row still differs.
    const DiffTableModel *model = view.model();
    const int loss = model->keyPosition(DiffSection::Metrics, "val_loss");
    QVERIFY(loss > 0);
    QCOMPARE(model->index(loss, 0).data().toString(), QString("0.9"));
    QVERIFY(!model->index(loss, 2).data(DiffTableModel::RawValueRole).isValid());

    view.stepBox()->setValue(12);
    QCOMPARE(needed.count(), 2);
    QCOMPARE(needed.at(1).at(0).toLongLong(), 12);
    view.metricModeBox()->setCurrentIndex(1);
    QVERIFY(!view.stepBox()->isEnabled());
    QCOMPARE(view.model()->metricMode(), DiffMetricMode::Min);
}

void TestDiffTableView::followsSelection()
{
    CompareSelection selection;
    selection.setRuns({"run-a-000000", "run-b-000000", "run-c-000000"});
    DiffTableView view;
    view.setRuns(threeRuns());
    view.setSelection(&selection);
    QCOMPARE(view.model()->shownRunCount(), 3);

    // Brushing keeps alpha and gamma: batch is 32 for both, so only val_loss differs.
    selection.setFilter("parallel", {"run-a-000000", "run-c-000000"});
    QCOMPARE(view.model()->shownRunCount(), 2);
    QCOMPARE(visibleKeys(view), QStringList({"val_loss"}));
    // Brushes that keep nothing show nothing.
    selection.setFilter("scatter", {"run-b-000000"});
    QCOMPARE(view.model()->shownRunCount(), 0);
    QVERIFY(!view.placeholderLabel()->isHidden());
    selection.clearAllFilters();
    QCOMPARE(view.model()->shownRunCount(), 3);

    selection.setCurrentRun("run-b-000000");
    QCOMPARE(view.model()->currentRun(), QString("run-b-000000"));
    QVERIFY(view.model()->headerData(1, Qt::Horizontal, Qt::FontRole).value<QFont>().bold());

    // A new snapshot keeps following the selection's filter.
    selection.setFilter("parallel", {"run-a-000000"});
    view.setRuns(threeRuns());
    QCOMPARE(view.model()->shownRunCount(), 1);

    // Detached: every run again, and the old selection no longer reaches the view.
    view.setSelection(nullptr);
    QCOMPARE(view.model()->shownRunCount(), 3);
    selection.setFilter("parallel", {"run-c-000000"});
    QCOMPARE(view.model()->shownRunCount(), 3);
}

void TestDiffTableView::clickSelectsRun()
{
    CompareSelection selection;
    selection.setRuns({"run-a-000000", "run-b-000000", "run-c-000000"});
    DiffTableView view;
    view.resize(800, 400);
    view.setRuns(threeRuns());
    view.setSelection(&selection);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QSignalSpy clicked(&view, &DiffTableView::runClicked);

    QTableView *table = view.tableView();
    const QModelIndex cell = table->model()->index(1, 2); // batch of gamma
    QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, table->visualRect(cell).center());
    QCOMPARE(clicked.count(), 1);
    QCOMPARE(clicked.at(0).at(0).toString(), QString("run-c-000000"));
    QCOMPARE(selection.currentRun(), QString("run-c-000000"));

    // A section title belongs to no run.
    const QModelIndex title = table->model()->index(0, 0);
    QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, table->visualRect(title).center());
    QCOMPARE(clicked.count(), 1);

    // The run's header.
    QHeaderView *header = table->horizontalHeader();
    const int x = header->sectionViewportPosition(1) + header->sectionSize(1) / 2;
    QTest::mouseClick(header->viewport(), Qt::LeftButton, {}, QPoint(x, header->height() / 2));
    QCOMPARE(clicked.count(), 2);
    QCOMPARE(clicked.at(1).at(0).toString(), QString("run-b-000000"));

    // Transposed, runs are rows.
    view.transposeButton()->click();
    QHeaderView *rows = table->verticalHeader();
    const int y = rows->sectionViewportPosition(0) + rows->sectionSize(0) / 2;
    QTest::mouseClick(rows->viewport(), Qt::LeftButton, {}, QPoint(rows->width() / 2, y));
    QCOMPARE(clicked.count(), 3);
    QCOMPARE(clicked.at(2).at(0).toString(), QString("run-a-000000"));
}

void TestDiffTableView::grabsWithBestCellBold()
{
    DiffTableView view;
    view.resize(900, 360);
    view.setRuns(threeRuns());
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));

    const QString path = QDir(QDir::tempPath()).filePath("sightline-difftableview.png");
    QFile::remove(path);
    const QPixmap pixmap = view.grab();
    QVERIFY(!pixmap.isNull());
    QVERIFY(pixmap.save(path, "PNG"));
    QVERIFY(QFileInfo(path).size() > 0);
    const QImage image(path);
    QVERIFY(!image.isNull());
    QCOMPARE(image.size(), pixmap.size());

    // val_loss: beta's 0.35 is the lowest, so beta's cell is the best: bold on green.
    const DiffTableModel *model = view.model();
    const int loss = model->keyPosition(DiffSection::Metrics, "val_loss");
    const QModelIndex best = model->index(loss, 1);
    QCOMPARE(best.data().toString(), QString("0.35"));
    QVERIFY(best.data(Qt::FontRole).value<QFont>().bold());
    QVERIFY(!model->index(loss, 0).data(Qt::FontRole).value<QFont>().bold());
    // And the green is on screen where the best cell is drawn.
    const QRect rect = view.tableView()->visualRect(view.tableView()->model()->index(loss, 1));
    const QPoint corner = view.tableView()->viewport()->mapTo(&view, rect.topLeft() + QPoint(2, 2));
    const QColor painted = pixmap.toImage().pixelColor(corner * pixmap.devicePixelRatio());
    QVERIFY2(painted.green() > painted.red() && painted.green() > painted.blue(),
             qPrintable(painted.name()));
}

void TestDiffTableView::exportsCsv()
{
    DiffTableView view;
    view.setRuns(threeRuns());
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath("diff.csv");
    QString error;
    QVERIFY2(view.exportCsv(path, &error), qPrintable(error));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), QByteArray("section,key,alpha,beta,gamma\r\n"
                                        "params,batch,32,64,32\r\n"
                                        "metrics,val_loss,0.42,0.35,0.51\r\n"));
    file.close();

    view.transposeButton()->click();
    QVERIFY(view.exportCsv(path, &error));
    QVERIFY(file.open(QIODevice::ReadOnly));
    QVERIFY(file.readAll().startsWith("run_id,run,params.batch,metrics.val_loss\r\n"));

    const QString bad = dir.filePath("no-such-folder/diff.csv");
    QVERIFY(!view.exportCsv(bad, &error));
    QVERIFY(error.contains("no-such-folder"));
}

void TestDiffTableView::emptyStateMessage()
{
    DiffTableView view;
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QVERIFY(view.placeholderLabel()->isVisible());
    std::vector<RunRecord> same = {makeRun("a", "a", "32", 0.5), makeRun("b", "b", "32", 0.5)};
    view.setRuns(same);
    QVERIFY(view.placeholderLabel()->isVisible());
    QVERIFY(view.placeholderLabel()->text().contains("do not differ"));
    view.onlyDifferencesBox()->click();
    QVERIFY(!view.placeholderLabel()->isVisible());
}

void TestDiffTableView::tooltipsOnControls()
{
    DiffTableView view;
    for (QWidget *w : std::initializer_list<QWidget *>{
             view.onlyDifferencesBox(), view.transposeButton(), view.metricModeBox(),
             view.stepBox(), view.systemTagsBox(), view.filterEdit(), view.exportButton()})
        QVERIFY2(!w->toolTip().isEmpty(), w->metaObject()->className());
    QCOMPARE(view.exportButton()->text(), QStringLiteral("Export CSV") + QChar(0x2026));
    QCOMPARE(view.metricModeBox()->count(), 4);
    QCOMPARE(view.metricModeBox()->itemText(3), QString("At step"));
}

QTEST_MAIN(TestDiffTableView)
#include "tst_difftableview.moc"
