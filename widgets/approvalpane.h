// SPDX-License-Identifier: GPL-3.0-or-later
// ApprovalPane: the registry and its promotion requests. On the left the registered models with
// their versions and the list of requests (pending first); on the right the selected version
// (aliases and their holders, tags, source run and the datasets it used) or the selected request
// (its gate checklist and the evidence frozen when it was made, candidate beside the alias's
// holder, differences marked), and below them the selected model's alias timeline. Approve,
// Reject and Roll Back run the approval service against the server on a worker thread; the pane
// itself reads only the workspace file.
#pragma once

#include "approval/auditlog.h"
#include "mlflow/client.h"
#include "store/store.h"

#include <QFutureWatcher>
#include <QWidget>

#include <functional>
#include <memory>
#include <optional>

class QCheckBox;
class QLabel;
class QLineEdit;
class QModelIndex;
class QProgressBar;
class QPushButton;
class QSortFilterProxyModel;
class QSplitter;
class QStackedWidget;
class QTableView;
class QTreeView;
class QTreeWidget;
class QGroupBox;
class QFormLayout;

namespace sightline {

class RegistryModel;
class RequestsModel;
struct PromotionRequest;

class ApprovalPane : public QWidget {
    Q_OBJECT

public:
    enum class Action { Approve, Reject, Rollback };
    enum Page { EmptyPage, VersionPage, RequestPage };

    // Asks for a comment and a confirmation: the comment, or nullopt when the user cancelled.
    // `question` names what will happen. Tests replace the dialog with an answer.
    using Prompt = std::function<std::optional<QString>(Action action, const QString &question)>;

    // What an action outcome says, for tests and the status line.
    struct ActionResult {
        bool ok = false;
        QString message;
    };

    explicit ApprovalPane(QWidget *parent = nullptr);
    ~ApprovalPane() override;

    // The workspace the pane reads (and, for actions, writes through the approval service).
    void setWorkspace(const QString &path);
    QString workspacePath() const { return m_workspacePath; }
    // The server actions go to; without one the action buttons are disabled.
    void setConnection(std::optional<MlflowConnection> connection);
    bool hasConnection() const { return m_connection.has_value(); }
    void setPrompt(Prompt prompt) { m_prompt = std::move(prompt); }

    // Re-reads the registry, the requests and the audit log, keeping the selection.
    void reload();

    bool selectModel(const QString &model);
    bool selectVersion(const QString &model, const QString &version);
    bool selectRequest(const QString &model, const QString &version);
    // The first pending request of `model` (any model when empty); false when there is none.
    bool selectFirstPendingRequest(const QString &model = {});
    Page currentPage() const;
    QString currentModel() const { return m_currentModel; }

    // Starts an action on the selected request (Approve, Reject) or the alias selected in the
    // aliases table (Rollback), after the prompt. False when it could not start.
    bool approveSelected();
    bool rejectSelected();
    bool rollbackSelectedAlias();
    bool isBusy() const { return m_busy; }

    // Parts, for the main window and tests.
    RegistryModel *registryModel() const { return m_registry; }
    RequestsModel *requestsModel() const { return m_requests; }
    QTreeView *registryView() const { return m_registryView; }
    QTableView *requestsView() const { return m_requestsView; }
    QTreeWidget *gatesView() const { return m_gatesView; }
    QTreeWidget *evidenceView() const { return m_evidenceView; }
    QTreeWidget *timelineView() const { return m_timelineView; }
    QTreeWidget *aliasView() const { return m_aliasView; }
    QTreeWidget *tagsView() const { return m_tagsView; }
    QTreeWidget *datasetsView() const { return m_datasetsView; }
    QPushButton *approveButton() const { return m_approveButton; }
    QPushButton *rejectButton() const { return m_rejectButton; }
    QPushButton *rollbackButton() const { return m_rollbackButton; }
    QLabel *statusLabel() const { return m_status; }
    QLineEdit *filterEdit() const { return m_filter; }

    // Evidence rows carry this role: true where the candidate and the holder differ.
    static constexpr int DiffersRole = Qt::UserRole + 1;
    // Gate rows carry the outcome text ("pass", "fail", "unknown") in this role.
    static constexpr int OutcomeRole = Qt::UserRole + 2;

    QByteArray saveState() const;
    bool restoreState(const QByteArray &state);
    void retranslateUi();

signals:
    // After an action finished (ok or not) and the pane reloaded.
    void actionFinished(bool ok, const QString &message);
    void reloaded();

protected:
    void changeEvent(QEvent *event) override;

private:
    void buildUi();
    void registrySelected(const QModelIndex &index);
    void requestSelected(const QModelIndex &index);
    void showVersion(const std::string &model, const std::string &version);
    void showRequest(const PromotionRequest &request);
    void fillGates(const PromotionRequest &request);
    void fillEvidence(const PromotionRequest &request);
    void applyDiffFilter();
    void showTimeline(const std::string &model);
    void updateButtons();
    void updateRequestsTitle();
    void showMessage(const QString &text, int kind);
    bool startAction(Action action, const std::string &model, const std::string &subject,
                     const QString &question);
    void actionDone();
    std::optional<QString> askComment(Action action, const QString &question);

    QString m_workspacePath;
    std::optional<MlflowConnection> m_connection;
    std::unique_ptr<Store> m_store; // read-only
    std::vector<AuditEntry> m_audit;
    QString m_auditProblem;
    Prompt m_prompt;
    bool m_busy = false;
    bool m_selecting = false;
    bool m_sizedRegistry = false; // columns fitted to the first rows shown
    bool m_sizedRequests = false;
    std::string m_model;
    QString m_currentModel;
    std::string m_shownVersion;           // on the version page
    std::string m_shownRequestVersion;    // on the request page
    QFutureWatcher<ActionResult> *m_watcher = nullptr;

    RegistryModel *m_registry = nullptr;
    QSortFilterProxyModel *m_registryProxy = nullptr;
    RequestsModel *m_requests = nullptr;

    QSplitter *m_mainSplitter = nullptr;
    QSplitter *m_leftSplitter = nullptr;
    QSplitter *m_rightSplitter = nullptr;
    QGroupBox *m_registryBox = nullptr;
    QLineEdit *m_filter = nullptr;
    QTreeView *m_registryView = nullptr;
    QGroupBox *m_requestsBox = nullptr;
    QTableView *m_requestsView = nullptr;
    QStackedWidget *m_stack = nullptr;
    QLabel *m_emptyLabel = nullptr;

    // Version page.
    QLabel *m_versionTitle = nullptr;
    QFormLayout *m_versionForm = nullptr;
    QLabel *m_stageValue = nullptr;
    QLabel *m_statusValue = nullptr;
    QLabel *m_createdValue = nullptr;
    QLabel *m_runValue = nullptr;
    QLabel *m_descriptionValue = nullptr;
    QGroupBox *m_aliasBox = nullptr;
    QTreeWidget *m_aliasView = nullptr;
    QPushButton *m_rollbackButton = nullptr;
    QGroupBox *m_tagsBox = nullptr;
    QTreeWidget *m_tagsView = nullptr;
    QGroupBox *m_datasetsBox = nullptr;
    QTreeWidget *m_datasetsView = nullptr;

    // Request page.
    QLabel *m_requestTitle = nullptr;
    QFormLayout *m_requestForm = nullptr;
    QLabel *m_requesterValue = nullptr;
    QLabel *m_holderValue = nullptr;
    QLabel *m_commentValue = nullptr;
    QLabel *m_approvalsValue = nullptr;
    QGroupBox *m_gatesBox = nullptr;
    QTreeWidget *m_gatesView = nullptr;
    QGroupBox *m_evidenceBox = nullptr;
    QCheckBox *m_diffOnly = nullptr;
    QTreeWidget *m_evidenceView = nullptr;
    QPushButton *m_approveButton = nullptr;
    QPushButton *m_rejectButton = nullptr;

    QGroupBox *m_timelineBox = nullptr;
    QTreeWidget *m_timelineView = nullptr;
    QLabel *m_status = nullptr;
    QProgressBar *m_busyBar = nullptr;
};

} // namespace sightline
