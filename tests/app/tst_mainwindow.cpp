// SPDX-License-Identifier: GPL-3.0-or-later
// Tests of MainWindow offscreen: opening the demo workspace, remembered geometry and layout,
// status badges, a failing sync, and server profiles saved without their secrets.
// Set SIGHTLINE_SCREENSHOT_DIR to also write mainwindow.png (1400x900) there.
#include "approvalpane.h"
#include "comparepane.h"
#include "compareselection.h"
#include "demo/demoworkspace.h"
#include "lineagepane.h"
#include "mainwindow.h"
#include "runspane.h"
#include "secretstore.h"

#include <QFile>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSplitter>
#include <QTableView>
#include <QTemporaryDir>
#include <QTabWidget>
#include <QToolButton>
#include <QtTest>

#include <set>

using namespace sightline;

class TestMainWindow : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void opensTheDemoWorkspace();
    void remembersGeometryAndLayout();
    void showsOfflineWithoutServer();
    void reportsAFailedSync();
    void savesProfilesWithoutSecrets();
    void comparesSelectedRuns();
    void lineageShowsRunsAndVersions();
    void writesScreenshot();

private:
    QString settingsPath(const QString &name) const { return m_dir.filePath(name + ".ini"); }

    QTemporaryDir m_dir;
    QString m_demo;
    int m_totalRuns = 0;
};

void TestMainWindow::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_demo = m_dir.filePath(QStringLiteral("demo.sqlite"));
    auto summary = writeDemoWorkspace(m_demo.toStdString(), DemoOptions{.longRunSteps = 2000});
    QVERIFY(summary.ok());
    m_totalRuns = summary->runs;
}

void TestMainWindow::opensTheDemoWorkspace()
{
    QSettings settings(settingsPath(QStringLiteral("open")), QSettings::IniFormat);
    MainWindow window(m_demo, std::nullopt, &settings);
    QVERIFY(window.loadError().isEmpty());
    QCOMPARE(window.runsPane()->table()->model()->rowCount(), m_totalRuns);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QVERIFY(window.windowTitle().contains(QStringLiteral("Demo workspace")));
    QCOMPARE(window.stateBadge()->text(), QStringLiteral("Demo"));
    QVERIFY(window.stateBadge()->isVisible());
    QVERIFY(window.lastSyncLabel()->text().startsWith(QStringLiteral("Last sync: ")));
    QVERIFY(!window.syncProgressBar()->isVisible());

    const QImage image = window.grab().toImage();
    std::set<QRgb> colours;
    for (int y = 0; y < image.height(); y += 4)
        for (int x = 0; x < image.width(); x += 4)
            colours.insert(image.pixel(x, y));
    QVERIFY(colours.size() > 20);

    // Sync on the demo is refused politely, without a dialog.
    window.syncNow();
    QVERIFY(!window.isSyncing());
    window.close();
}

void TestMainWindow::remembersGeometryAndLayout()
{
    const QString path = settingsPath(QStringLiteral("geometry"));
    QList<int> sizes;
    {
        QSettings settings(path, QSettings::IniFormat);
        MainWindow window(m_demo, std::nullopt, &settings);
        window.resize(1111, 733);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.runsPane()->splitter()->setSizes({150, 700, 261});
        sizes = window.runsPane()->splitter()->sizes();
        window.runsPane()->table()->sortByColumn(RunTableModel::Name, Qt::AscendingOrder);
        window.close();
    }
    QSettings settings(path, QSettings::IniFormat);
    MainWindow again(m_demo, std::nullopt, &settings);
    again.show();
    QVERIFY(QTest::qWaitForWindowExposed(&again));
    QCOMPARE(again.size(), QSize(1111, 733));
    QCOMPARE(again.runsPane()->splitter()->sizes(), sizes);
    QCOMPARE(again.runsPane()->model()->sortColumn(), int(RunTableModel::Name));
    QCOMPARE(again.runsPane()->model()->sortOrder(), Qt::AscendingOrder);
}

void TestMainWindow::showsOfflineWithoutServer()
{
    QSettings settings(settingsPath(QStringLiteral("offline")), QSettings::IniFormat);
    const QString path = m_dir.filePath(QStringLiteral("fresh/none.sqlite"));
    MainWindow window(path, std::nullopt, &settings);
    QVERIFY(window.loadError().isEmpty()); // not there yet is not an error
    QCOMPARE(window.runsPane()->table()->model()->rowCount(), 0);
    QCOMPARE(window.stateBadge()->text(), QStringLiteral("Offline"));
    QCOMPARE(window.lastSyncLabel()->text(), QStringLiteral("Never synced"));
}

void TestMainWindow::reportsAFailedSync()
{
    QSettings settings(settingsPath(QStringLiteral("failed")), QSettings::IniFormat);
    const QString path = m_dir.filePath(QStringLiteral("server/unreachable.sqlite"));
    MlflowConnection connection;
    connection.name = "unreachable";
    connection.baseUrl = "http://127.0.0.1:9"; // discard port: refused at once
    MainWindow window(path, connection, &settings);
    QSignalSpy finished(&window, &MainWindow::syncFinished);
    window.show();
    // The window syncs on its own when it has a server.
    QTRY_VERIFY(window.isSyncing());
    QVERIFY(window.syncProgressBar()->isVisible());
    QVERIFY(finished.wait(60000));
    QCOMPARE(finished.first().at(0).toBool(), false);
    QVERIFY(!window.isSyncing());
    QVERIFY(!window.syncProgressBar()->isVisible());
    QCOMPARE(window.stateBadge()->text(), QStringLiteral("Offline"));
    QVERIFY(window.stateBadge()->toolTip().contains(QStringLiteral("could not be reached")));
}

void TestMainWindow::savesProfilesWithoutSecrets()
{
    const QString path = settingsPath(QStringLiteral("profiles"));
    const QString secret = QStringLiteral("s3cr3t-token-value");
    {
        QSettings settings(path, QSettings::IniFormat);
        MainWindow window(m_demo, std::nullopt, &settings);
        MlflowConnection c;
        c.name = "team";
        c.baseUrl = "https://mlflow.example.com";
        c.auth.kind = HttpAuth::Kind::Bearer;
        c.auth.token = secret.toStdString();
        QSignalSpy written(window.secretStore(), &SecretStore::secretWritten);
        window.rememberConnection(c);
        QVERIFY(written.wait(30000));
        const auto profiles = window.connectionProfiles();
        QCOMPARE(profiles.size(), size_t(1));
        QCOMPARE(profiles[0].name, QStringLiteral("team"));
        QCOMPARE(profiles[0].url, QStringLiteral("https://mlflow.example.com"));
        QCOMPARE(profiles[0].authKind, int(HttpAuth::Kind::Bearer));
        if (window.secretStore()->isSessionOnly())
            QVERIFY(window.secretStore()->fallbackReason().contains(QStringLiteral("session")));
        window.close();
    }
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray contents = file.readAll();
    QVERIFY(contents.contains("mlflow.example.com"));
    QVERIFY(!contents.contains(secret.toUtf8()));
}

void TestMainWindow::comparesSelectedRuns()
{
    QSettings settings(settingsPath(QStringLiteral("compare")), QSettings::IniFormat);
    MainWindow window(m_demo, std::nullopt, &settings);
    window.resize(1400, 900);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    // Nothing selected: a message, no change of pane.
    window.runsPane()->table()->clearSelection();
    QTableView *table = window.runsPane()->table();
    table->selectionModel()->clear();
    table->setCurrentIndex(QModelIndex());
    // Select three rows and press Ctrl+K.
    table->selectRow(0);
    table->selectionModel()->select(table->model()->index(1, 0),
                                    QItemSelectionModel::Select | QItemSelectionModel::Rows);
    table->selectionModel()->select(table->model()->index(2, 0),
                                    QItemSelectionModel::Select | QItemSelectionModel::Rows);
    const QStringList ids = window.runsPane()->selectedRunIds();
    QCOMPARE(ids.size(), 3);
    QTest::keyClick(&window, Qt::Key_K, Qt::ControlModifier);
    QCOMPARE(window.paneTabs()->currentWidget(), window.comparePane());
    QCOMPARE(window.comparePane()->records().size(), size_t(3));
    QCOMPARE(window.comparePane()->selection()->runs(), ids);
    // Picking a run in the compare pane selects it in the runs table.
    emit window.comparePane()->runSelected(ids[1]);
    QCOMPARE(window.runsPane()->currentRunId(), ids[1]);
    // The demo's saved sets are offered; live tail needs a server.
    QVERIFY(window.comparePane()->savedSetNames().contains(QStringLiteral("transformer-sweep")));
    window.comparePane()->liveButton()->setEnabled(true);
    window.comparePane()->liveButton()->setChecked(true);
    QVERIFY(!window.comparePane()->liveButton()->isChecked());
    QTest::keyClick(&window, Qt::Key_1, Qt::ControlModifier);
    QCOMPARE(window.paneTabs()->currentWidget(), window.runsPane());
    window.close();
}

void TestMainWindow::lineageShowsRunsAndVersions()
{
    QSettings settings(settingsPath(QStringLiteral("lineage")), QSettings::IniFormat);
    MainWindow window(m_demo, std::nullopt, &settings);
    window.resize(1400, 900);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    LineagePane *lineage = window.lineagePane();
    // Read when first shown (Ctrl+4), around the champion.
    QTest::keyClick(&window, Qt::Key_4, Qt::ControlModifier);
    QCOMPARE(window.paneTabs()->currentWidget(), lineage);
    QVERIFY(lineage->focusKey().startsWith(QLatin1String("version:")));
    // "Show run in runs table" selects the run there.
    QVERIFY(lineage->jumpTo(QStringLiteral("transformer-sweep")));
    const QString runId = lineage->selectedKey().mid(4);
    QVERIFY(!runId.isEmpty());
    QTest::mouseClick(lineage->showRunButton(), Qt::LeftButton);
    QCOMPARE(window.paneTabs()->currentWidget(), window.runsPane());
    QCOMPARE(window.runsPane()->currentRunId(), runId);
    // "Show version in approval pane" opens the version there.
    window.showLineagePane();
    QVERIFY(lineage->jumpTo(QStringLiteral("fraud-classifier/3")));
    QTest::mouseClick(lineage->showVersionButton(), Qt::LeftButton);
    QCOMPARE(window.paneTabs()->currentWidget(), window.approvalPane());
    QCOMPARE(window.approvalPane()->currentPage(), ApprovalPane::VersionPage);
    QCOMPARE(window.approvalPane()->currentModel(), QStringLiteral("fraud-classifier"));
    window.close();
}

void TestMainWindow::writesScreenshot()
{
    const QString dir = qEnvironmentVariable("SIGHTLINE_SCREENSHOT_DIR");
    if (dir.isEmpty())
        QSKIP("SIGHTLINE_SCREENSHOT_DIR is not set");
    QSettings settings(settingsPath(QStringLiteral("screenshot")), QSettings::IniFormat);
    MainWindow window(m_demo, std::nullopt, &settings);
    window.resize(1400, 900);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    const QString filter = qEnvironmentVariable("SIGHTLINE_SCREENSHOT_FILTER");
    if (!filter.isEmpty()) {
        window.runsPane()->filterEdit()->setText(filter);
        QTest::qWait(300);
    }
    const QString run = qEnvironmentVariable("SIGHTLINE_SCREENSHOT_RUN");
    if (!run.isEmpty()) {
        for (int row = 0; row < window.runsPane()->model()->rowCount(); ++row)
            if (window.runsPane()->model()->runAt(row)->run.runName == run.toStdString())
                window.runsPane()->selectRun(QString::fromStdString(
                    window.runsPane()->model()->runAt(row)->run.runId));
    }
    QTest::qWait(50);
    QVERIFY(window.grab().save(dir + QStringLiteral("/mainwindow.png")));
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
