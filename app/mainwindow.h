// SPDX-License-Identifier: GPL-3.0-or-later
// MainWindow: the workbench window — the runs, compare, approval and lineage panes in the middle, menus for workspaces and
// servers, and a status bar with sync progress, the age of the cache and whether it is stale
// or offline. Settings are injected so tests and `sightline render` never touch the user's.
#pragma once

#include "mlflow/client.h"
#include "sync/syncengine.h"

#include <QMainWindow>

#include <memory>
#include <optional>

class QAction;
class QLabel;
class QMenu;
class QProgressBar;
class QTabWidget;
class QSettings;
class QTimer;
class QToolButton;

namespace sightline {

class ApprovalPane;
class ComparePane;
class LineagePane;
class LiveTail;
class RunsPane;
class SecretStore;
class SyncService;

// A saved server profile: everything but the secret, which lives in the keychain.
struct ConnectionProfile {
    QString name;
    QString url;
    int authKind = 0; // HttpAuth::Kind
    QString username;
    bool insecureTls = false;
    QString caBundlePath;
};

class MainWindow : public QMainWindow {
    Q_OBJECT

public:
    // Uses the application's default QSettings.
    MainWindow(QString workspacePath, std::optional<MlflowConnection> connection,
               QWidget *parent = nullptr);
    // Uses `settings` (not owned; it must outlive the window), e.g. a temporary file in tests.
    MainWindow(QString workspacePath, std::optional<MlflowConnection> connection,
               QSettings *settings, QWidget *parent = nullptr);
    ~MainWindow() override;

    RunsPane *runsPane() const { return m_runsPane; }
    ComparePane *comparePane() const { return m_comparePane; }
    ApprovalPane *approvalPane() const { return m_approvalPane; }
    LineagePane *lineagePane() const { return m_lineagePane; }
    QTabWidget *paneTabs() const { return m_paneTabs; }
    // Opens the runs selected in the runs table in the compare pane.
    void compareSelectedRuns();
    void showRunsPane();
    void showComparePane();
    void showApprovalPane();
    void showLineagePane();
    SyncService *syncService() const { return m_sync; }
    LiveTail *liveTail() const { return m_liveTail; }
    SecretStore *secretStore() const { return m_secrets; }

    QString workspacePath() const { return m_workspacePath; }
    // Why the workspace could not be read, or empty. A workspace file that does not exist yet
    // is not an error: it is created by the first sync.
    QString loadError() const { return m_loadError; }
    std::optional<MlflowConnection> connection() const { return m_connection; }

    void openWorkspace(const QString &path);
    void setConnection(const MlflowConnection &connection);
    void syncNow();
    // Lists every run again instead of only new, running and deleted ones (see SyncOptions).
    void fullSyncNow();
    void cancelSync();
    bool isSyncing() const;

    // Window geometry and the pane's layout; also written when the window closes.
    void saveSettings();
    // Saved server profiles, most recent first. rememberConnection() saves one: everything but
    // the token or password, which goes to the keychain (or this session's memory).
    std::vector<ConnectionProfile> connectionProfiles() const;
    void rememberConnection(const MlflowConnection &connection);

    QLabel *lastSyncLabel() const { return m_lastSyncLabel; }
    QLabel *stateBadge() const { return m_badge; }
    QProgressBar *syncProgressBar() const { return m_progress; }

    void retranslateUi();

signals:
    // After the workspace's runs were (re)loaded into the pane.
    void workspaceLoaded(bool ok, const QString &message);
    void syncFinished(bool ok, const QString &message);

protected:
    void closeEvent(QCloseEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void init(std::optional<MlflowConnection> connection);
    void startSync(bool full);
    void createActions();
    void createStatusBar();
    void restoreSettings();
    void loadWorkspace(bool synchronously);
    void readWorkspaceMeta();
    void updateStatus();
    void updateActions();
    void openConnectionDialog();
    void openDemoWorkspace();
    void chooseWorkspace();
    void showAbout();
    void rebuildServersMenu();
    void useProfile(const ConnectionProfile &profile);
    void syncProgress(int done, int total, const QString &message);
    void syncDone(bool ok, const QString &message, const SyncReport &report,
                  const QString &errorCode);
    QString relativeTime(qint64 ms) const;
    void setLiveTail(bool on);

    std::unique_ptr<QSettings> m_ownedSettings;
    QSettings *m_settings = nullptr;
    RunsPane *m_runsPane = nullptr;
    ComparePane *m_comparePane = nullptr;
    ApprovalPane *m_approvalPane = nullptr;
    LineagePane *m_lineagePane = nullptr;
    QTabWidget *m_paneTabs = nullptr;
    SyncService *m_sync = nullptr;
    LiveTail *m_liveTail = nullptr;
    SecretStore *m_secrets = nullptr;

    QString m_workspacePath;
    QString m_workspaceName;
    QString m_serverUrl; // as recorded in the workspace ("demo:" for the demo)
    QString m_loadError;
    std::optional<MlflowConnection> m_connection;
    QString m_pendingProfile; // waiting for its secret from the keychain
    qint64 m_lastSyncMs = 0;
    bool m_lastSyncFailed = false;
    QString m_lastSyncError;
    QString m_lastSyncErrorCode;

    QMenu *m_fileMenu = nullptr;
    QMenu *m_serverMenu = nullptr;
    QMenu *m_serversMenu = nullptr;
    QMenu *m_viewMenu = nullptr;
    QMenu *m_helpMenu = nullptr;
    QAction *m_openAction = nullptr;
    QAction *m_demoAction = nullptr;
    QAction *m_quitAction = nullptr;
    QAction *m_connectAction = nullptr;
    QAction *m_syncAction = nullptr;
    QAction *m_fullSyncAction = nullptr;
    QAction *m_cancelAction = nullptr;
    QAction *m_experimentsAction = nullptr;
    QAction *m_detailsAction = nullptr;
    QAction *m_columnsAction = nullptr;
    QAction *m_resetLayoutAction = nullptr;
    QAction *m_compareAction = nullptr;
    QAction *m_showRunsAction = nullptr;
    QAction *m_showCompareAction = nullptr;
    QAction *m_showApprovalAction = nullptr;
    QAction *m_showLineageAction = nullptr;
    QAction *m_aboutAction = nullptr;

    QLabel *m_workspaceLabel = nullptr;
    QLabel *m_badge = nullptr;
    QLabel *m_lastSyncLabel = nullptr;
    QProgressBar *m_progress = nullptr;
    QToolButton *m_cancelButton = nullptr;
    QTimer *m_clock = nullptr;
    QByteArray m_defaultPaneState;
};

} // namespace sightline
