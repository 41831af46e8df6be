// SPDX-License-Identifier: GPL-3.0-or-later
#include "mainwindow.h"
#include "qtext.h"

#include "approvalpane.h"
#include "lineagepane.h"
#include "comparepane.h"
#include "connectiondialog.h"
#include "demo/demoworkspace.h"
#include "livetail.h"
#include "rundetailsview.h"
#include "runspane.h"
#include "secretstore.h"
#include "store/store.h"
#include "syncservice.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDateTime>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QKeySequence>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QScreen>
#include <QSettings>
#include <QSplitter>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabWidget>
#include <QTimer>
#include <QToolButton>
#include <QTreeView>
#include <QtConcurrent/QtConcurrentRun>

#include <exception>

namespace sightline {

namespace {

constexpr qint64 kStaleAfterMs = 60 * 60 * 1000;
constexpr int kStatusMessageMs = 8000;

namespace keys {
const char *const geometry = "MainWindow/geometry";
const char *const windowState = "MainWindow/state";
const char *const paneState = "RunsPane/state";
const char *const compareState = "ComparePane/state";
const char *const approvalState = "ApprovalPane/state";
const char *const lineageState = "LineagePane/state";
const char *const connections = "Connections";
} // namespace keys

QString demoWorkspacePath()
{
    return QStandardPaths::writableLocation(QStandardPaths::CacheLocation)
        + QStringLiteral("/demo.sqlite");
}

// A workspace file name for a server profile: letters, digits, '-' and '_' only.
QString workspaceFileName(const QString &profileName)
{
    QString out;
    for (QChar c : profileName.toLower())
        out += (c.isLetterOrNumber() && c.unicode() < 128) || c == QLatin1Char('-')
                || c == QLatin1Char('_')
            ? c
            : QLatin1Char('_');
    return out.isEmpty() ? QStringLiteral("server") : out;
}

void styleBadge(QLabel *badge, const char *background)
{
    badge->setStyleSheet(QStringLiteral("QLabel { color: white; background: %1;"
                                        " border-radius: 7px; padding: 1px 8px; }")
                             .arg(QLatin1String(background)));
}

} // namespace

MainWindow::MainWindow(QString workspacePath, std::optional<MlflowConnection> connection,
                       QWidget *parent)
    : QMainWindow(parent), m_ownedSettings(std::make_unique<QSettings>()),
      m_settings(m_ownedSettings.get()), m_workspacePath(std::move(workspacePath))
{
    init(std::move(connection));
}

MainWindow::MainWindow(QString workspacePath, std::optional<MlflowConnection> connection,
                       QSettings *settings, QWidget *parent)
    : QMainWindow(parent), m_settings(settings), m_workspacePath(std::move(workspacePath))
{
    init(std::move(connection));
}

MainWindow::~MainWindow() = default;

void MainWindow::init(std::optional<MlflowConnection> connection)
{
    setObjectName(QStringLiteral("MainWindow"));
    m_paneTabs = new QTabWidget(this);
    m_paneTabs->setDocumentMode(true);
    m_runsPane = new RunsPane;
    m_comparePane = new ComparePane;
    m_approvalPane = new ApprovalPane;
    m_paneTabs->addTab(m_runsPane, QString());
    m_paneTabs->addTab(m_comparePane, QString());
    m_paneTabs->addTab(m_approvalPane, QString());
    m_lineagePane = new LineagePane;
    m_paneTabs->addTab(m_lineagePane, QString());
    connect(m_lineagePane, &LineagePane::showRunRequested, this, [this](const QString &runId) {
        showRunsPane();
        if (!m_runsPane->selectRun(runId))
            statusBar()->showMessage(tr("Run %1 is not in the runs table (a filter may hide it).")
                                         .arg(runId),
                                     kStatusMessageMs);
    });
    connect(m_lineagePane, &LineagePane::showVersionRequested, this,
            [this](const QString &model, const QString &version) {
                showApprovalPane();
                m_approvalPane->selectVersion(model, version);
            });
    setCentralWidget(m_paneTabs);
    connect(m_comparePane, &ComparePane::runSelected, this,
            [this](const QString &runId) { m_runsPane->selectRun(runId); });
    connect(m_runsPane, &RunsPane::runActivated, this, [this](const QString &) {
        // Enter or double-click with several rows selected compares them.
        if (m_runsPane->selectedRunIds().size() > 1)
            compareSelectedRuns();
    });
    m_sync = new SyncService(this);
    m_secrets = new SecretStore(this);
    m_liveTail = new LiveTail(m_sync, {}, this);
    connect(m_comparePane, &ComparePane::liveTailToggled, this, &MainWindow::setLiveTail);
    connect(m_comparePane, &ComparePane::setOpened, this, [this] { setLiveTail(false); });
    connect(m_liveTail, &LiveTail::historiesChanged, m_comparePane, &ComparePane::reloadHistories);
    connect(m_liveTail, &LiveTail::runsFinished, this, [this](const QStringList &) {
        m_comparePane->reloadHistories({});
        if (m_comparePane->runningRuns().isEmpty())
            setLiveTail(false);
    });
    connect(m_liveTail, &LiveTail::stateChanged, m_comparePane, &ComparePane::setLiveState);
    m_defaultPaneState = m_runsPane->saveState();

    createActions();
    createStatusBar();

    connect(m_sync, &SyncService::progress, this, &MainWindow::syncProgress);
    connect(m_sync, &SyncService::finished, this, &MainWindow::syncDone);
    connect(m_runsPane, &RunsPane::loaded, this, [this](bool ok, const QString &message) {
        m_loadError = ok ? QString() : message;
        if (!ok)
            statusBar()->showMessage(message, kStatusMessageMs);
        readWorkspaceMeta();
        updateStatus();
        emit workspaceLoaded(ok, message);
    });
    connect(m_secrets, &SecretStore::fallbackActivated, this, [this](const QString &reason) {
        statusBar()->showMessage(reason, 2 * kStatusMessageMs);
        updateStatus();
    });
    connect(m_secrets, &SecretStore::secretRead, this,
            [this](const QString &name, const QString &secret, bool found) {
                if (name != m_pendingProfile)
                    return;
                m_pendingProfile.clear();
                for (const ConnectionProfile &p : connectionProfiles()) {
                    if (p.name != name)
                        continue;
                    MlflowConnection c;
                    c.name = p.name.toStdString();
                    c.baseUrl = p.url.toStdString();
                    c.auth.kind = static_cast<HttpAuth::Kind>(p.authKind);
                    c.auth.username = p.username.toStdString();
                    c.insecureTls = p.insecureTls;
                    c.caBundlePath = p.caBundlePath.toStdString();
                    if (c.auth.kind == HttpAuth::Kind::Bearer)
                        c.auth.token = secret.toStdString();
                    else if (c.auth.kind == HttpAuth::Kind::Basic)
                        c.auth.password = secret.toStdString();
                    if (!found && c.auth.kind != HttpAuth::Kind::None) {
                        // Ask again rather than connect without the secret.
                        ConnectionDialog dialog(this);
                        dialog.setConnection(c);
                        if (dialog.exec() != QDialog::Accepted)
                            return;
                        c = dialog.connection();
                        rememberConnection(c);
                    }
                    setConnection(c);
                    syncNow();
                    return;
                }
            });

    m_clock = new QTimer(this);
    m_clock->setInterval(30 * 1000);
    connect(m_clock, &QTimer::timeout, this, &MainWindow::updateStatus);
    m_clock->start();

    restoreSettings();
    retranslateUi();
    rebuildServersMenu();

    if (connection)
        m_connection = std::move(connection);
    m_approvalPane->setConnection(m_connection);
    // The first load is synchronous so the window never opens empty on a readable cache.
    loadWorkspace(true);
    if (m_connection && m_serverUrl != QLatin1String("demo:") && m_loadError.isEmpty())
        QTimer::singleShot(0, this, &MainWindow::syncNow);
}

void MainWindow::createActions()
{
    m_openAction = new QAction(this);
    m_openAction->setShortcut(QKeySequence::Open);
    connect(m_openAction, &QAction::triggered, this, &MainWindow::chooseWorkspace);
    m_demoAction = new QAction(this);
    connect(m_demoAction, &QAction::triggered, this, &MainWindow::openDemoWorkspace);
    m_quitAction = new QAction(this);
    m_quitAction->setShortcut(QKeySequence::Quit);
    m_quitAction->setMenuRole(QAction::QuitRole);
    connect(m_quitAction, &QAction::triggered, this, &QWidget::close);

    m_connectAction = new QAction(this);
    connect(m_connectAction, &QAction::triggered, this, &MainWindow::openConnectionDialog);
    m_syncAction = new QAction(this);
    m_syncAction->setShortcut(QKeySequence(Qt::Key_F5));
    connect(m_syncAction, &QAction::triggered, this, &MainWindow::syncNow);
    m_fullSyncAction = new QAction(this);
    m_fullSyncAction->setShortcut(QKeySequence(Qt::SHIFT | Qt::Key_F5));
    connect(m_fullSyncAction, &QAction::triggered, this, &MainWindow::fullSyncNow);
    m_cancelAction = new QAction(this);
    connect(m_cancelAction, &QAction::triggered, this, &MainWindow::cancelSync);

    m_experimentsAction = new QAction(this);
    m_experimentsAction->setCheckable(true);
    m_experimentsAction->setChecked(true);
    connect(m_experimentsAction, &QAction::toggled, m_runsPane->experimentView(),
            &QWidget::setVisible);
    m_detailsAction = new QAction(this);
    m_detailsAction->setCheckable(true);
    m_detailsAction->setChecked(true);
    connect(m_detailsAction, &QAction::toggled, m_runsPane->detailsView(), &QWidget::setVisible);
    m_columnsAction = new QAction(this);
    connect(m_columnsAction, &QAction::triggered, m_runsPane, &RunsPane::openColumnChooser);
    m_resetLayoutAction = new QAction(this);
    connect(m_resetLayoutAction, &QAction::triggered, this, [this] {
        m_runsPane->restoreState(m_defaultPaneState);
        m_experimentsAction->setChecked(true);
        m_detailsAction->setChecked(true);
    });

    m_compareAction = new QAction(this);
    m_compareAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_K));
    connect(m_compareAction, &QAction::triggered, this, &MainWindow::compareSelectedRuns);
    m_showRunsAction = new QAction(this);
    m_showRunsAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_1));
    connect(m_showRunsAction, &QAction::triggered, this, &MainWindow::showRunsPane);
    m_showCompareAction = new QAction(this);
    m_showCompareAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_2));
    connect(m_showCompareAction, &QAction::triggered, this, &MainWindow::showComparePane);
    m_showApprovalAction = new QAction(this);
    m_showApprovalAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_3));
    connect(m_showApprovalAction, &QAction::triggered, this, &MainWindow::showApprovalPane);
    m_showLineageAction = new QAction(this);
    m_showLineageAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_4));
    connect(m_showLineageAction, &QAction::triggered, this, &MainWindow::showLineagePane);

    m_aboutAction = new QAction(this);
    m_aboutAction->setMenuRole(QAction::AboutRole);
    connect(m_aboutAction, &QAction::triggered, this, &MainWindow::showAbout);

    m_fileMenu = menuBar()->addMenu(QString());
    m_fileMenu->addAction(m_openAction);
    m_fileMenu->addAction(m_demoAction);
    m_fileMenu->addSeparator();
    m_fileMenu->addAction(m_quitAction);

    m_serverMenu = menuBar()->addMenu(QString());
    m_serverMenu->addAction(m_connectAction);
    m_serversMenu = m_serverMenu->addMenu(QString());
    m_serverMenu->addSeparator();
    m_serverMenu->addAction(m_syncAction);
    m_serverMenu->addAction(m_fullSyncAction);
    m_serverMenu->addAction(m_cancelAction);

    m_viewMenu = menuBar()->addMenu(QString());
    m_viewMenu->addAction(m_showRunsAction);
    m_viewMenu->addAction(m_showCompareAction);
    m_viewMenu->addAction(m_showApprovalAction);
    m_viewMenu->addAction(m_showLineageAction);
    m_viewMenu->addAction(m_compareAction);
    m_viewMenu->addSeparator();
    m_viewMenu->addAction(m_experimentsAction);
    m_viewMenu->addAction(m_detailsAction);
    m_viewMenu->addSeparator();
    m_viewMenu->addAction(m_columnsAction);
    m_viewMenu->addAction(m_resetLayoutAction);

    m_helpMenu = menuBar()->addMenu(QString());
    m_helpMenu->addAction(m_aboutAction);
}

void MainWindow::createStatusBar()
{
    m_workspaceLabel = new QLabel;
    m_workspaceLabel->setTextFormat(Qt::PlainText);
    m_badge = new QLabel;
    m_badge->setTextFormat(Qt::PlainText);
    m_badge->hide();
    m_lastSyncLabel = new QLabel;
    m_lastSyncLabel->setTextFormat(Qt::PlainText);
    m_progress = new QProgressBar;
    m_progress->setMaximumWidth(220);
    m_progress->setTextVisible(true);
    m_progress->hide();
    m_cancelButton = new QToolButton;
    m_cancelButton->setAutoRaise(true);
    m_cancelButton->hide();
    connect(m_cancelButton, &QToolButton::clicked, this, &MainWindow::cancelSync);

    statusBar()->addPermanentWidget(m_progress);
    statusBar()->addPermanentWidget(m_cancelButton);
    statusBar()->addPermanentWidget(m_lastSyncLabel);
    statusBar()->addPermanentWidget(m_badge);
    statusBar()->addPermanentWidget(m_workspaceLabel);
}

void MainWindow::retranslateUi()
{
    m_fileMenu->setTitle(tr("&File"));
    m_openAction->setText(tr("&Open Workspace…"));
    m_demoAction->setText(tr("Open &Demo Workspace"));
    m_quitAction->setText(tr("&Quit"));
    m_serverMenu->setTitle(tr("&Server"));
    m_connectAction->setText(tr("&Connect to Server…"));
    m_serversMenu->setTitle(tr("&Recent Servers"));
    m_syncAction->setText(tr("&Sync Now"));
    m_syncAction->setToolTip(tr("Fetch new runs, running runs, deletions and changed histories"));
    m_fullSyncAction->setText(tr("&Full Sync"));
    m_fullSyncAction->setToolTip(tr("List every run on the server again, finished ones included"));
    m_cancelAction->setText(tr("C&ancel Sync"));
    m_viewMenu->setTitle(tr("&View"));
    m_paneTabs->setTabText(0, tr("Runs"));
    m_paneTabs->setTabText(1, tr("Compare"));
    m_paneTabs->setTabText(2, tr("Approval"));
    m_paneTabs->setTabText(3, tr("Lineage"));
    m_compareAction->setText(tr("&Compare Selected Runs"));
    m_compareAction->setToolTip(tr("Open the runs selected in the table in the compare pane"));
    m_showRunsAction->setText(tr("&Runs"));
    m_showCompareAction->setText(tr("C&ompare"));
    m_showApprovalAction->setText(tr("&Approval"));
    m_showLineageAction->setText(tr("&Lineage"));
    m_experimentsAction->setText(tr("&Experiments"));
    m_detailsAction->setText(tr("Run &Details"));
    m_columnsAction->setText(tr("&Columns…"));
    m_resetLayoutAction->setText(tr("&Reset Layout"));
    m_helpMenu->setTitle(tr("&Help"));
    m_aboutAction->setText(tr("&About Sightline"));
    m_cancelButton->setText(tr("Cancel"));
    m_cancelButton->setToolTip(tr("Stop the sync; what was fetched so far is kept"));
    rebuildServersMenu();
    updateStatus();
}

void MainWindow::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QMainWindow::changeEvent(event);
}

// --- settings -----------------------------------------------------------------------------

void MainWindow::restoreSettings()
{
    const QByteArray geometry = m_settings->value(QLatin1String(keys::geometry)).toByteArray();
    if (geometry.isEmpty() || !restoreGeometry(geometry)) {
        QSize size(1400, 900);
        if (const QScreen *screen = QApplication::primaryScreen())
            size = size.boundedTo(screen->availableGeometry().size() * 0.9);
        resize(size);
    }
    restoreState(m_settings->value(QLatin1String(keys::windowState)).toByteArray());
    const QByteArray pane = m_settings->value(QLatin1String(keys::paneState)).toByteArray();
    if (!pane.isEmpty())
        m_runsPane->restoreState(pane);
    const QByteArray compare = m_settings->value(QLatin1String(keys::compareState)).toByteArray();
    if (!compare.isEmpty())
        m_comparePane->restoreState(compare);
    const QByteArray approval = m_settings->value(QLatin1String(keys::approvalState)).toByteArray();
    if (!approval.isEmpty())
        m_approvalPane->restoreState(approval);
    const QByteArray lineage = m_settings->value(QLatin1String(keys::lineageState)).toByteArray();
    if (!lineage.isEmpty())
        m_lineagePane->restoreState(lineage);
}

void MainWindow::saveSettings()
{
    m_settings->setValue(QLatin1String(keys::geometry), saveGeometry());
    m_settings->setValue(QLatin1String(keys::windowState), saveState());
    m_settings->setValue(QLatin1String(keys::paneState), m_runsPane->saveState());
    m_settings->setValue(QLatin1String(keys::compareState), m_comparePane->saveState());
    m_settings->setValue(QLatin1String(keys::approvalState), m_approvalPane->saveState());
    m_settings->setValue(QLatin1String(keys::lineageState), m_lineagePane->saveState());
    m_settings->sync();
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveSettings();
    m_sync->cancel();
    QMainWindow::closeEvent(event);
}

std::vector<ConnectionProfile> MainWindow::connectionProfiles() const
{
    std::vector<ConnectionProfile> out;
    const int n = m_settings->beginReadArray(QLatin1String(keys::connections));
    for (int i = 0; i < n; ++i) {
        m_settings->setArrayIndex(i);
        ConnectionProfile p;
        p.name = m_settings->value(QStringLiteral("name")).toString();
        p.url = m_settings->value(QStringLiteral("url")).toString();
        p.authKind = std::clamp(m_settings->value(QStringLiteral("auth")).toInt(), 0, 2);
        p.username = m_settings->value(QStringLiteral("username")).toString();
        p.insecureTls = m_settings->value(QStringLiteral("insecureTls")).toBool();
        p.caBundlePath = m_settings->value(QStringLiteral("caBundle")).toString();
        if (!p.name.isEmpty() && !p.url.isEmpty())
            out.push_back(p);
    }
    m_settings->endArray();
    return out;
}

// Saves the profile without its secret; the secret goes to the keychain.
void MainWindow::rememberConnection(const MlflowConnection &c)
{
    ConnectionProfile profile{qs(c.name), qs(c.baseUrl), static_cast<int>(c.auth.kind),
                              qs(c.auth.username), c.insecureTls, qs(c.caBundlePath)};
    std::vector<ConnectionProfile> profiles = connectionProfiles();
    std::erase_if(profiles, [&](const ConnectionProfile &p) { return p.name == profile.name; });
    profiles.insert(profiles.begin(), profile); // most recent first
    m_settings->beginWriteArray(QLatin1String(keys::connections),
                                static_cast<int>(profiles.size()));
    for (size_t i = 0; i < profiles.size(); ++i) {
        m_settings->setArrayIndex(static_cast<int>(i));
        m_settings->setValue(QStringLiteral("name"), profiles[i].name);
        m_settings->setValue(QStringLiteral("url"), profiles[i].url);
        m_settings->setValue(QStringLiteral("auth"), profiles[i].authKind);
        m_settings->setValue(QStringLiteral("username"), profiles[i].username);
        m_settings->setValue(QStringLiteral("insecureTls"), profiles[i].insecureTls);
        m_settings->setValue(QStringLiteral("caBundle"), profiles[i].caBundlePath);
    }
    m_settings->endArray();
    m_settings->sync();

    const std::string &secret =
        c.auth.kind == HttpAuth::Kind::Bearer ? c.auth.token : c.auth.password;
    if (c.auth.kind != HttpAuth::Kind::None && !secret.empty())
        m_secrets->writeSecret(profile.name, qs(secret));
    rebuildServersMenu();
}

void MainWindow::rebuildServersMenu()
{
    if (!m_serversMenu)
        return;
    m_serversMenu->clear();
    const auto profiles = connectionProfiles();
    for (const ConnectionProfile &p : profiles) {
        QAction *action = m_serversMenu->addAction(
            tr("%1 — %2").arg(p.name, p.url).replace(QLatin1Char('&'), QStringLiteral("&&")));
        connect(action, &QAction::triggered, this, [this, p] { useProfile(p); });
    }
    if (profiles.empty())
        m_serversMenu->addAction(tr("No saved servers"))->setEnabled(false);
}

void MainWindow::useProfile(const ConnectionProfile &profile)
{
    // The secret comes back through SecretStore::secretRead.
    m_pendingProfile = profile.name;
    m_secrets->readSecret(profile.name);
}

// --- workspace ----------------------------------------------------------------------------

void MainWindow::readWorkspaceMeta()
{
    m_workspaceName = QFileInfo(m_workspacePath).completeBaseName();
    m_serverUrl.clear();
    m_lastSyncMs = 0;
    if (m_workspacePath.isEmpty() || !QFileInfo::exists(m_workspacePath))
        return;
    auto store = Store::open(m_workspacePath.toStdString(), Store::Mode::ReadOnly);
    if (!store)
        return;
    if (auto name = (*store)->meta("workspace_name"); name && !name->empty())
        m_workspaceName = qs(*name);
    if (auto url = (*store)->meta("server_url"))
        m_serverUrl = qs(*url);
    if (auto last = (*store)->meta("last_sync_ms"))
        m_lastSyncMs = QString::fromStdString(*last).toLongLong();
    if (auto status = (*store)->meta("last_sync_status"))
        m_lastSyncFailed = *status == "failed";
}

void MainWindow::compareSelectedRuns()
{
    const QStringList ids = m_runsPane->selectedRunIds();
    if (ids.isEmpty()) {
        statusBar()->showMessage(tr("Select one or more runs in the runs table to compare them."),
                                 kStatusMessageMs);
        return;
    }
    m_comparePane->compareRuns(ids);
    showComparePane();
}

void MainWindow::setLiveTail(bool on)
{
    const QStringList running = m_comparePane->runningRuns();
    if (on && (!m_connection || m_serverUrl == QLatin1String("demo:"))) {
        m_comparePane->setLiveState(tr("Live tail needs a server: connect first (Server menu)."));
        on = false;
    } else if (on && running.isEmpty()) {
        m_comparePane->setLiveState(tr("No run of the set is running."));
        on = false;
    }
    if (on) {
        m_sync->setTarget(m_workspacePath, *m_connection);
        m_liveTail->setRuns(running);
        m_liveTail->start();
    } else {
        m_liveTail->stop();
    }
    if (m_comparePane->liveButton()->isChecked() != on) {
        const QSignalBlocker block(m_comparePane->liveButton());
        m_comparePane->liveButton()->setChecked(on);
    }
}

void MainWindow::showRunsPane()
{
    m_paneTabs->setCurrentWidget(m_runsPane);
}

void MainWindow::showComparePane()
{
    m_paneTabs->setCurrentWidget(m_comparePane);
}

void MainWindow::showApprovalPane()
{
    m_paneTabs->setCurrentWidget(m_approvalPane);
}

void MainWindow::showLineagePane()
{
    m_paneTabs->setCurrentWidget(m_lineagePane);
}

void MainWindow::loadWorkspace(bool synchronously)
{
    m_loadError.clear();
    m_comparePane->setWorkspace(m_workspacePath);
    m_approvalPane->setWorkspace(m_workspacePath);
    m_lineagePane->setWorkspace(m_workspacePath, LineagePane::Load::WhenShown);
    readWorkspaceMeta();
    setWindowTitle(m_workspaceName.isEmpty()
                       ? tr("Sightline")
                       : tr("%1 — Sightline").arg(m_workspaceName));
    if (m_workspacePath.isEmpty() || !QFileInfo::exists(m_workspacePath)) {
        // Nothing cached yet: the first sync creates the file.
        m_runsPane->setSnapshot({}, {});
        updateStatus();
        return;
    }
    if (!synchronously) {
        m_runsPane->loadFromFile(m_workspacePath);
        updateStatus();
        return;
    }
    try {
        auto store = Store::open(m_workspacePath.toStdString(), Store::Mode::ReadOnly);
        if (!store) {
            m_loadError = qs(store.error().message);
            m_runsPane->setSnapshot({}, {});
        } else {
            m_runsPane->loadFromStore(**store);
        }
    } catch (const std::exception &e) {
        m_loadError = tr("Cannot read the workspace: %1").arg(QString::fromUtf8(e.what()));
    }
    if (!m_loadError.isEmpty())
        statusBar()->showMessage(m_loadError, kStatusMessageMs);
    updateStatus();
}

void MainWindow::openWorkspace(const QString &path)
{
    if (isSyncing()) {
        statusBar()->showMessage(tr("Wait for the sync to finish, or cancel it, first."),
                                 kStatusMessageMs);
        return;
    }
    m_workspacePath = path;
    m_lastSyncFailed = false;
    m_lastSyncError.clear();
    m_lastSyncErrorCode.clear();
    loadWorkspace(false);
}

void MainWindow::chooseWorkspace()
{
    const QString dir = m_workspacePath.isEmpty() ? QDir::homePath()
                                                  : QFileInfo(m_workspacePath).absolutePath();
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open Workspace"), dir, tr("Sightline workspaces (*.sqlite);;All files (*)"));
    if (!path.isEmpty())
        openWorkspace(path);
}

void MainWindow::openDemoWorkspace()
{
    const QString path = demoWorkspacePath();
    if (QFileInfo::exists(path)) {
        auto store = Store::open(path.toStdString(), Store::Mode::ReadOnly);
        if (store && (*store)->meta("server_url") == std::string("demo:")) {
            openWorkspace(path);
            return;
        }
    }
    QDir().mkpath(QFileInfo(path).absolutePath());
    m_demoAction->setEnabled(false);
    statusBar()->showMessage(tr("Building the demo workspace…"));
    auto *watcher = new QFutureWatcher<QString>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, path] {
        watcher->deleteLater();
        m_demoAction->setEnabled(true);
        const QString error = watcher->result();
        if (!error.isEmpty()) {
            statusBar()->showMessage(error, kStatusMessageMs);
            return;
        }
        statusBar()->clearMessage();
        openWorkspace(path);
    });
    watcher->setFuture(QtConcurrent::run([p = path.toStdString()]() -> QString {
        try {
            auto result = writeDemoWorkspace(p);
            return result ? QString() : qs(result.error().message);
        } catch (const std::exception &e) {
            return QString::fromUtf8(e.what());
        }
    }));
}

// --- servers and sync ---------------------------------------------------------------------

void MainWindow::setConnection(const MlflowConnection &connection)
{
    m_connection = connection;
    m_approvalPane->setConnection(m_connection);
    m_lastSyncFailed = false;
    m_lastSyncErrorCode.clear();
    // A server gets its own cache unless the open one came from that server.
    const QString url = qs(connection.baseUrl);
    if (m_workspacePath.isEmpty() || m_serverUrl == QLatin1String("demo:")
        || (!m_serverUrl.isEmpty() && m_serverUrl != url)) {
        const QString path = qs(defaultWorkspacePath(
            workspaceFileName(qs(connection.name)).toStdString()));
        QDir().mkpath(QFileInfo(path).absolutePath());
        if (path != m_workspacePath)
            openWorkspace(path);
    }
    updateStatus();
}

void MainWindow::openConnectionDialog()
{
    ConnectionDialog dialog(this);
    if (m_connection)
        dialog.setConnection(*m_connection);
    if (dialog.exec() != QDialog::Accepted)
        return;
    const MlflowConnection connection = dialog.connection();
    rememberConnection(connection);
    setConnection(connection);
    syncNow();
}

bool MainWindow::isSyncing() const
{
    return m_sync->isRunning();
}

void MainWindow::syncNow()
{
    startSync(false);
}

void MainWindow::fullSyncNow()
{
    startSync(true);
}

void MainWindow::startSync(bool full)
{
    if (isSyncing())
        return;
    if (m_serverUrl == QLatin1String("demo:")) {
        statusBar()->showMessage(tr("The demo workspace has no server to sync with."),
                                 kStatusMessageMs);
        return;
    }
    if (!m_connection) {
        openConnectionDialog();
        return;
    }
    QDir().mkpath(QFileInfo(m_workspacePath).absolutePath());
    SyncOptions options;
    options.full = full;
    if (!m_sync->start(m_workspacePath, *m_connection, options))
        return;
    m_progress->setRange(0, 0);
    m_progress->setValue(0);
    m_progress->setFormat(QString());
    m_progress->show();
    m_cancelButton->show();
    statusBar()->showMessage(tr("Syncing with %1…").arg(qs(m_connection->baseUrl)));
    updateActions();
    updateStatus();
}

void MainWindow::cancelSync()
{
    if (!isSyncing())
        return;
    m_sync->cancel();
    statusBar()->showMessage(tr("Cancelling the sync…"));
}

void MainWindow::syncProgress(int done, int total, const QString &message)
{
    if (total > 0) {
        m_progress->setRange(0, total);
        m_progress->setValue(std::min(done, total));
        m_progress->setFormat(QStringLiteral("%v / %m"));
    } else {
        m_progress->setRange(0, 0);
    }
    m_progress->setToolTip(message);
    statusBar()->showMessage(message);
}

void MainWindow::syncDone(bool ok, const QString &message, const SyncReport &,
                          const QString &errorCode)
{
    m_progress->hide();
    m_cancelButton->hide();
    const bool cancelled = errorCode == QLatin1String("cancelled");
    m_lastSyncFailed = !ok && !cancelled;
    m_lastSyncError = ok ? QString() : message;
    m_lastSyncErrorCode = errorCode;
    statusBar()->showMessage(message, 2 * kStatusMessageMs);
    updateActions();
    // Reload in the background; the pane keeps its filter, sort and selection.
    if (QFileInfo::exists(m_workspacePath)) {
        m_runsPane->loadFromFile(m_workspacePath);
        if (ok && !m_comparePane->records().empty())
            m_comparePane->reloadRuns();
        m_approvalPane->reload();
        m_lineagePane->reload(LineagePane::Load::WhenShown);
    }
    readWorkspaceMeta();
    m_lastSyncFailed = !ok && !cancelled; // the meta read must not hide this session's result
    updateStatus();
    emit syncFinished(ok, message);
}

void MainWindow::updateActions()
{
    const bool syncing = isSyncing();
    m_syncAction->setEnabled(!syncing);
    m_fullSyncAction->setEnabled(!syncing);
    m_cancelAction->setEnabled(syncing);
    m_connectAction->setEnabled(!syncing);
    m_openAction->setEnabled(!syncing);
}

QString MainWindow::relativeTime(qint64 ms) const
{
    const qint64 age = (QDateTime::currentMSecsSinceEpoch() - ms) / 1000;
    if (age < 60)
        return tr("just now");
    if (age < 3600)
        return tr("%n min ago", nullptr, static_cast<int>(age / 60));
    if (age < 48 * 3600)
        return tr("%n h ago", nullptr, static_cast<int>(age / 3600));
    const qint64 days = age / 86400;
    return days == 1 ? tr("yesterday") : tr("%1 days ago").arg(days);
}

void MainWindow::updateStatus()
{
    if (!m_workspaceLabel)
        return;
    updateActions();
    m_workspaceLabel->setText(m_workspaceName.isEmpty() ? tr("No workspace") : m_workspaceName);
    m_workspaceLabel->setToolTip(m_workspacePath);

    const bool demo = m_serverUrl == QLatin1String("demo:");
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (m_lastSyncMs > 0) {
        m_lastSyncLabel->setText(tr("Last sync: %1").arg(relativeTime(m_lastSyncMs)));
        m_lastSyncLabel->setToolTip(
            QDateTime::fromMSecsSinceEpoch(m_lastSyncMs).toString(Qt::ISODate));
    } else {
        m_lastSyncLabel->setText(tr("Never synced"));
        m_lastSyncLabel->setToolTip(QString());
    }

    if (isSyncing()) {
        m_badge->hide();
        return;
    }
    QString badge;
    QString tip;
    const char *colour = "#b26a00";
    if (demo) {
        badge = tr("Demo");
        tip = tr("Built-in demo data: there is no server to sync with.");
        colour = "#1565c0";
    } else if (m_lastSyncFailed && m_lastSyncErrorCode == QLatin1String("network")) {
        badge = tr("Offline");
        tip = tr("The server could not be reached; showing cached data. %1").arg(m_lastSyncError);
        colour = "#757575";
    } else if (!m_connection) {
        badge = tr("Offline");
        tip = tr("No server connected; showing cached data. Use Server › Connect to Server….");
        colour = "#757575";
    } else if (m_lastSyncFailed) {
        badge = tr("Stale");
        tip = m_lastSyncError.isEmpty() ? tr("The last sync failed.")
                                        : tr("The last sync failed: %1").arg(m_lastSyncError);
    } else if (m_lastSyncMs <= 0 || now - m_lastSyncMs > kStaleAfterMs) {
        badge = tr("Stale");
        tip = tr("The cache was last synced more than an hour ago. Press F5 to sync.");
    }
    if (m_secrets && m_secrets->isSessionOnly() && !demo)
        tip += (tip.isEmpty() ? QString() : QStringLiteral("\n")) + m_secrets->fallbackReason();
    if (badge.isEmpty()) {
        m_badge->hide();
        return;
    }
    m_badge->setText(badge);
    m_badge->setToolTip(tip);
    styleBadge(m_badge, colour);
    m_badge->show();
}

void MainWindow::showAbout()
{
    QMessageBox::about(
        this, tr("About Sightline"),
        tr("<h3>Sightline %1</h3><p>A native workbench for machine-learning operations: "
           "compare runs, trace lineage, watch drift and approve promotions.</p>"
           "<p>Licensed under the GNU General Public License, version 3 or later.</p>")
            .arg(QApplication::applicationVersion().toHtmlEscaped()));
}

} // namespace sightline
