// SPDX-License-Identifier: GPL-3.0-or-later
// The approval pane offscreen, on a workspace written for the test (a registered model with
// versions, requests stored as tags — one pending with a passing and a failing gate, one
// applied, one rolled back —, alias history in the cache and an audit log): the pending request
// is listed first; its gates show their outcomes and numbers; the evidence marks the rows where
// candidate and holder differ; the version page shows aliases with their holders, tags without
// sightline.* and the source run's datasets; the timeline merges the cache's alias moves with
// the audit log; without a server the actions are disabled and say why; with an unreachable
// server an action runs on a worker, keeps the pane responsive and reports the error.
#include "aliastimeline.h"
#include "approval/auditlog.h"
#include "approval/request.h"
#include "approval/workflow.h"
#include "approvalpane.h"
#include "registrymodel.h"
#include "requestsmodel.h"
#include "store/store.h"

#include <QCheckBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTreeView>
#include <QTreeWidget>
#include <QtTest>

using namespace sightline;
using nlohmann::json;

namespace {

constexpr int64_t kT0 = 1'790'000'000'000; // 2026-09-21

GateResult gate(const std::string &name, const std::string &kind, GateResult::Outcome outcome,
                const std::string &detail, double actual, double expected)
{
    GateResult g;
    g.name = name;
    g.kind = kind;
    g.outcome = outcome;
    g.detail = detail;
    g.actual = actual;
    g.expected = expected;
    return g;
}

json side(const std::string &version, const std::string &runId, double auc, double loss,
          const std::string &lr, const std::string &digest)
{
    return {{"version", version},
            {"run_id", runId},
            {"run_name", "run-" + version},
            {"stage", "None"},
            {"aliases", json::array()},
            {"metrics", {{"val_auc", auc}, {"val_loss", loss}, {"latency_ms", 12.5}}},
            {"params", {{"lr", lr}, {"seed", "7"}}},
            {"tags", json::object()},
            {"datasets",
             {{{"name", "transactions"}, {"digest", digest}, {"context", "training"},
               {"source_type", "local"}}}}};
}

PromotionRequest baseRequest(const std::string &version, int64_t timeMs)
{
    PromotionRequest r;
    r.model = "fraud";
    r.version = version;
    r.target = {PromotionTarget::Alias, "champion"};
    r.requester = "ana";
    r.requestedAtMs = timeMs;
    r.id = makeRequestId(r.model, r.version, r.target, r.requester, timeMs);
    return r;
}

const QTreeWidgetItem *evidenceRow(const QTreeWidget *view, const QString &sectionPrefix,
                                 const QString &key)
{
    for (int s = 0; s < view->topLevelItemCount(); ++s) {
        const QTreeWidgetItem *section = view->topLevelItem(s);
        if (!section->text(0).startsWith(sectionPrefix))
            continue;
        for (int i = 0; i < section->childCount(); ++i)
            if (section->child(i)->text(0) == key)
                return section->child(i);
    }
    return nullptr;
}

} // namespace

class TestApprovalPane : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_path;

private slots:
    void initTestCase();
    void listsRequestsPendingFirst();
    void requestShowsGatesAndEvidence();
    void versionShowsAliasesTagsAndDatasets();
    void timelineMergesCacheAndAuditLog();
    void actionsNeedAConnection();
    void actionRunsOnAWorkerAndReports();
    void stateRoundTrips();
};

void TestApprovalPane::initTestCase()
{
    m_path = m_dir.filePath(QStringLiteral("team.sqlite"));
    auto opened = Store::open(m_path.toStdString());
    QVERIFY(opened.ok());
    Store &store = **opened;

    for (int v = 2; v <= 5; ++v) {
        Run run;
        run.runId = "run" + std::to_string(v);
        run.experimentId = "1";
        run.runName = "train-" + std::to_string(v);
        run.status = "FINISHED";
        run.lifecycleStage = "active";
        DatasetInput d;
        d.name = "transactions";
        d.digest = v == 4 ? "b7e1" : "a3f0";
        d.sourceType = "local";
        d.context = "training";
        run.inputs = {d};
        QVERIFY(store.upsertRun(run).ok());
    }

    RegisteredModel model;
    model.name = "fraud";
    model.description = "Card fraud classifier";
    model.aliases = {{"champion", "3"}, {"challenger", "4"}};
    QVERIFY(store.upsertRegisteredModel(model).ok());

    auto version = [&](const std::string &v, std::vector<std::string> aliases) {
        ModelVersion mv;
        mv.name = "fraud";
        mv.version = v;
        mv.runId = "run" + v;
        mv.status = "READY";
        mv.currentStage = "None";
        mv.creationTimestamp = kT0 + std::stoll(v) * 3'600'000;
        mv.lastUpdatedTimestamp = mv.creationTimestamp;
        mv.aliases = std::move(aliases);
        mv.tags = {{"validation_status", "passed"}};
        return mv;
    };
    QVERIFY(store.upsertModelVersion(version("2", {})).ok());

    // Version 3: applied (champion since), version 5: promoted, then rolled back to 3.
    PromotionRequest applied = baseRequest("3", kT0 + 4 * 3'600'000);
    applied.holder = "2";
    applied.gatesPassed = true;
    applied.state = RequestState::Applied;
    applied.decisions = {{"ben", kT0 + 5 * 3'600'000, true, "looks good"}};
    applied.applied = AppliedRecord{"ben", kT0 + 5 * 3'600'000, "2", "ship it"};
    applied.evidence = {{"candidate", side("3", "run3", 0.92, 0.31, "0.01", "a3f0")},
                        {"holder", side("2", "run2", 0.91, 0.33, "0.01", "a3f0")},
                        {"gates", json::array()},
                        {"policy", {{"required_approvals", 1}}}};
    ModelVersion v3 = version("3", {"champion"});
    for (auto &t : requestTags(applied))
        v3.tags.push_back(t);
    QVERIFY(store.upsertModelVersion(v3).ok());

    // Version 4: pending, one gate passes and one fails.
    PromotionRequest pending = baseRequest("4", kT0 + 8 * 3'600'000);
    pending.holder = "3";
    pending.comment = "retrained on August data";
    pending.decisions = {{"ben", kT0 + 9 * 3'600'000, true, ""}};
    json gates = json::array();
    gates.push_back(gateResultJson(gate("val_auc ≥ 0.9", "threshold", GateResult::Pass,
                                        "val_auc 0.935 ≥ 0.900", 0.935, 0.9)));
    gates.push_back(gateResultJson(gate("latency regression", "regression", GateResult::Fail,
                                        "val_loss worse by 6.45% (limit 2.00%)", 6.45, 2.0)));
    pending.evidence = {{"candidate", side("4", "run4", 0.935, 0.33, "0.02", "b7e1")},
                        {"holder", side("3", "run3", 0.92, 0.31, "0.01", "a3f0")},
                        {"gates", gates},
                        {"policy", {{"required_approvals", 2}}}};
    ModelVersion v4 = version("4", {"challenger"});
    for (auto &t : requestTags(pending))
        v4.tags.push_back(t);
    QVERIFY(store.upsertModelVersion(v4).ok());

    PromotionRequest rolled = baseRequest("5", kT0 + 10 * 3'600'000);
    rolled.holder = "3";
    rolled.state = RequestState::RolledBack;
    rolled.decisions = {{"ben", kT0 + 10 * 3'600'000 + 60'000, true, ""}};
    rolled.applied = AppliedRecord{"ben", kT0 + 10 * 3'600'000 + 60'000, "3", ""};
    rolled.rollback = RollbackRecord{"carla", kT0 + 12 * 3'600'000, "champion", "3",
                                     "latency regression in production"};
    rolled.evidence = {{"candidate", side("5", "run5", 0.94, 0.30, "0.03", "a3f0")},
                       {"holder", side("3", "run3", 0.92, 0.31, "0.01", "a3f0")},
                       {"gates", json::array()}};
    ModelVersion v5 = version("5", {});
    for (auto &t : requestTags(rolled))
        v5.tags.push_back(t);
    QVERIFY(store.upsertModelVersion(v5).ok());

    // Alias history: seen by syncs, then moved by Sightline.
    auto change = [&](const std::string &alias, const std::string &to, const std::string &from,
                      int64_t t, const std::string &actor, const std::string &source) {
        AliasChange c;
        c.model = "fraud";
        c.alias = alias;
        c.version = to;
        c.previous = from;
        c.timeMs = t;
        c.actor = actor;
        c.source = source;
        QVERIFY(store.recordAliasChange(c).ok());
    };
    change("champion", "2", "", kT0 + 2 * 3'600'000, "", "sync");
    change("champion", "3", "2", kT0 + 5 * 3'600'000, "ben", "sightline");
    change("challenger", "4", "", kT0 + 8 * 3'600'000, "", "sync");
    change("champion", "5", "3", kT0 + 10 * 3'600'000 + 60'000, "ben", "sightline");
    change("champion", "3", "5", kT0 + 12 * 3'600'000, "carla", "sightline");

    AuditLog audit(auditLogPath(m_path.toStdString()));
    auto append = [&](AuditAction action, const std::string &version, int64_t t,
                      const std::string &actor, const std::string &comment, json details) {
        AuditEntry e;
        e.timeMs = t;
        e.actor = actor;
        e.action = action;
        e.model = "fraud";
        e.version = version;
        e.alias = "champion";
        e.comment = comment;
        details["target_kind"] = "alias";
        e.details = std::move(details);
        QVERIFY(audit.append(e).ok());
    };
    append(AuditAction::Promote, "3", kT0 + 5 * 3'600'000 + 200, "ben", "ship it",
           {{"previous", "2"}});
    append(AuditAction::Approve, "4", kT0 + 9 * 3'600'000, "ben", "", json::object());
    append(AuditAction::Rollback, "3", kT0 + 12 * 3'600'000 + 300, "carla",
           "latency regression in production", {{"from", "5"}});
    // A promotion the cache never saw (e.g. made from another workspace).
    append(AuditAction::Promote, "2", kT0 + 1 * 3'600'000, "dan", "first champion",
           {{"previous", ""}});
}

void TestApprovalPane::listsRequestsPendingFirst()
{
    ApprovalPane pane;
    pane.setWorkspace(m_path);
    RequestsModel *requests = pane.requestsModel();
    QCOMPARE(requests->rowCount(), 3);
    QCOMPARE(requests->index(0, RequestsModel::Version).data().toString(), QStringLiteral("4"));
    QCOMPARE(requests->index(0, RequestsModel::State).data().toString(), QStringLiteral("Pending"));
    QCOMPARE(requests->index(0, RequestsModel::Approvals).data().toString(),
             QStringLiteral("1 of 2"));
    QCOMPARE(requests->index(0, RequestsModel::Gates).data().toString(),
             QStringLiteral("1 passed, 1 failed"));
    QCOMPARE(requests->index(1, RequestsModel::State).data().toString(),
             QStringLiteral("Rolled back"));
    QCOMPARE(requests->index(2, RequestsModel::State).data().toString(), QStringLiteral("Applied"));
    QCOMPARE(pane.registryModel()->rowCount(), 1);
    QCOMPARE(pane.registryModel()->rowCount(pane.registryModel()->index(0, 0)), 4);
    QCOMPARE(pane.currentPage(), ApprovalPane::EmptyPage);
}

void TestApprovalPane::requestShowsGatesAndEvidence()
{
    ApprovalPane pane;
    pane.resize(1400, 900);
    pane.setWorkspace(m_path);
    pane.show();
    QVERIFY(pane.selectFirstPendingRequest());
    QCOMPARE(pane.currentPage(), ApprovalPane::RequestPage);
    QCOMPARE(pane.requestsView()->currentIndex().row(), 0);

    QTreeWidget *gates = pane.gatesView();
    QCOMPARE(gates->topLevelItemCount(), 2);
    QCOMPARE(gates->topLevelItem(0)->data(0, ApprovalPane::OutcomeRole).toString(),
             QStringLiteral("pass"));
    QCOMPARE(gates->topLevelItem(0)->text(0), QStringLiteral("Pass"));
    QCOMPARE(gates->topLevelItem(0)->text(2), QStringLiteral("val_auc 0.935 ≥ 0.900"));
    QCOMPARE(gates->topLevelItem(1)->data(0, ApprovalPane::OutcomeRole).toString(),
             QStringLiteral("fail"));
    QCOMPARE(gates->topLevelItem(1)->text(0), QStringLiteral("Fail"));
    QVERIFY(gates->topLevelItem(1)->text(2).contains(QStringLiteral("6.45%")));
    QVERIFY(!gates->topLevelItem(1)->icon(0).isNull());
    QVERIFY(gates->topLevelItem(0)->foreground(0).color()
            != gates->topLevelItem(1)->foreground(0).color());

    QTreeWidget *evidence = pane.evidenceView();
    QCOMPARE(evidence->headerItem()->text(1), QStringLiteral("Candidate (v4)"));
    QCOMPARE(evidence->headerItem()->text(2), QStringLiteral("Holder (v3)"));
    const QTreeWidgetItem *auc = evidenceRow(evidence, QStringLiteral("Metrics"), "val_auc");
    QVERIFY(auc);
    QVERIFY(auc->data(0, ApprovalPane::DiffersRole).toBool());
    QCOMPARE(auc->text(1), QStringLiteral("0.935"));
    QCOMPARE(auc->text(2), QStringLiteral("0.92"));
    QVERIFY(auc->text(3).startsWith(QStringLiteral("+0.015")));
    QVERIFY(auc->background(1).color().isValid());
    const QTreeWidgetItem *latency = evidenceRow(evidence, QStringLiteral("Metrics"), "latency_ms");
    QVERIFY(latency);
    QVERIFY(!latency->data(0, ApprovalPane::DiffersRole).toBool());
    QCOMPARE(latency->text(3), QString());
    const QTreeWidgetItem *lr = evidenceRow(evidence, QStringLiteral("Params"), "lr");
    const QTreeWidgetItem *seed = evidenceRow(evidence, QStringLiteral("Params"), "seed");
    QVERIFY(lr && seed);
    QVERIFY(lr->data(0, ApprovalPane::DiffersRole).toBool());
    QVERIFY(!seed->data(0, ApprovalPane::DiffersRole).toBool());
    const QTreeWidgetItem *data = evidenceRow(evidence, QStringLiteral("Datasets"), "transactions");
    QVERIFY(data);
    QVERIFY(data->data(0, ApprovalPane::DiffersRole).toBool());
    QCOMPARE(data->text(1), QStringLiteral("b7e1 · training"));
    QCOMPARE(evidence->topLevelItem(0)->text(0), QStringLiteral("Metrics (3, 2 differ)"));

    // Only the differences.
    auto *diffOnly = pane.findChild<QCheckBox *>();
    QVERIFY(diffOnly);
    diffOnly->setChecked(true);
    QVERIFY(seed->isHidden());
    QVERIFY(!lr->isHidden());
    diffOnly->setChecked(false);
    QVERIFY(!seed->isHidden());

    QApplication::processEvents();
    const QImage image = pane.grab().toImage();
    QVERIFY(image.save(QDir::temp().filePath(QStringLiteral("approvalpane-request.png"))));

    // An applied request shows no gates to act on and its decisions.
    QVERIFY(pane.selectRequest(QStringLiteral("fraud"), QStringLiteral("3")));
    QCOMPARE(pane.gatesView()->topLevelItemCount(), 1); // "The policy has no gates"
    QCOMPARE(pane.gatesView()->topLevelItem(0)->flags(), Qt::NoItemFlags);
}

void TestApprovalPane::versionShowsAliasesTagsAndDatasets()
{
    ApprovalPane pane;
    pane.resize(1400, 900);
    pane.setWorkspace(m_path);
    pane.show();
    QVERIFY(pane.selectVersion(QStringLiteral("fraud"), QStringLiteral("4")));
    QCOMPARE(pane.currentPage(), ApprovalPane::VersionPage);
    QVERIFY(!pane.requestsView()->selectionModel()->hasSelection());

    QTreeWidget *aliases = pane.aliasView();
    QCOMPARE(aliases->topLevelItemCount(), 2);
    QCOMPARE(aliases->topLevelItem(0)->text(0), QStringLiteral("champion"));
    QCOMPARE(aliases->topLevelItem(0)->text(1), QStringLiteral("version 3"));
    QCOMPARE(aliases->topLevelItem(1)->text(1), QStringLiteral("version 4"));
    QVERIFY(aliases->topLevelItem(1)->font(0).bold()); // this version's alias

    QTreeWidget *tags = pane.tagsView();
    QCOMPARE(tags->topLevelItemCount(), 1);
    QCOMPARE(tags->topLevelItem(0)->text(0), QStringLiteral("validation_status"));

    QTreeWidget *datasets = pane.datasetsView();
    QCOMPARE(datasets->topLevelItemCount(), 1);
    QCOMPARE(datasets->topLevelItem(0)->text(0), QStringLiteral("transactions"));
    QCOMPARE(datasets->topLevelItem(0)->text(1), QStringLiteral("b7e1"));
    QCOMPARE(datasets->topLevelItem(0)->text(2), QStringLiteral("training"));

    QApplication::processEvents();
    const QImage image = pane.grab().toImage();
    QVERIFY(image.save(QDir::temp().filePath(QStringLiteral("approvalpane-version.png"))));

    // The registry filter keeps matching versions under their model.
    pane.filterEdit()->setText(QStringLiteral("Version 5"));
    QCOMPARE(pane.registryView()->model()->rowCount(), 1);
    QCOMPARE(pane.registryView()->model()->rowCount(pane.registryView()->model()->index(0, 0)), 1);
    pane.filterEdit()->clear();
}

void TestApprovalPane::timelineMergesCacheAndAuditLog()
{
    ApprovalPane pane;
    pane.setWorkspace(m_path);
    QVERIFY(pane.selectModel(QStringLiteral("fraud")));
    QCOMPARE(pane.currentModel(), QStringLiteral("fraud"));
    QTreeWidget *timeline = pane.timelineView();
    // Five moves in the cache (two carrying their audit comment) and one only in the audit log.
    QCOMPARE(timeline->topLevelItemCount(), 6);
    const QTreeWidgetItem *newest = timeline->topLevelItem(0);
    QCOMPARE(newest->text(1), QStringLiteral("champion"));
    QCOMPARE(newest->text(2), QStringLiteral("v3 ← v5"));
    QCOMPARE(newest->text(3), QStringLiteral("carla"));
    QCOMPARE(newest->text(4), QStringLiteral("Sightline · rollback"));
    QCOMPARE(newest->text(5), QStringLiteral("latency regression in production"));
    QCOMPARE(timeline->topLevelItem(2)->text(2), QStringLiteral("v4 (new)"));
    QCOMPARE(timeline->topLevelItem(2)->text(4), QStringLiteral("seen by sync"));
    QCOMPARE(timeline->topLevelItem(3)->text(5), QStringLiteral("ship it"));
    const QTreeWidgetItem *oldest = timeline->topLevelItem(5);
    QCOMPARE(oldest->text(2), QStringLiteral("v2 (new)"));
    QCOMPARE(oldest->text(3), QStringLiteral("dan"));
    QCOMPARE(oldest->text(4), QStringLiteral("audit log · promotion"));

    // The merge itself: the approve entry and other models are ignored.
    auto store = Store::open(m_path.toStdString(), Store::Mode::ReadOnly);
    QVERIFY(store.ok());
    auto audit = AuditLog(auditLogPath(m_path.toStdString())).readAll();
    QVERIFY(audit.ok());
    QCOMPARE(aliasTimeline("fraud", (*store)->aliasChanges("fraud"), *audit).size(), size_t(6));
    QCOMPARE(aliasTimeline("other", (*store)->aliasChanges("other"), *audit).size(), size_t(0));
}

void TestApprovalPane::actionsNeedAConnection()
{
    ApprovalPane pane;
    pane.setWorkspace(m_path);
    int prompts = 0;
    pane.setPrompt([&](ApprovalPane::Action, const QString &) -> std::optional<QString> {
        ++prompts;
        return QStringLiteral("ok");
    });
    QVERIFY(pane.selectFirstPendingRequest());
    QVERIFY(!pane.hasConnection());
    QVERIFY(!pane.approveButton()->isEnabled());
    QVERIFY(!pane.rejectButton()->isEnabled());
    QVERIFY(pane.approveButton()->toolTip().contains(QStringLiteral("Connect")));
    QVERIFY(!pane.approveSelected());
    QVERIFY(pane.selectVersion(QStringLiteral("fraud"), QStringLiteral("3")));
    pane.aliasView()->setCurrentItem(pane.aliasView()->topLevelItem(0));
    QVERIFY(!pane.rollbackButton()->isEnabled());
    QVERIFY(pane.rollbackButton()->toolTip().contains(QStringLiteral("Connect")));
    QCOMPARE(prompts, 0);

    MlflowConnection connection;
    connection.baseUrl = "http://127.0.0.1:9";
    pane.setConnection(connection);
    QVERIFY(pane.rollbackButton()->isEnabled());
    QVERIFY(pane.selectFirstPendingRequest());
    QVERIFY(pane.approveButton()->isEnabled());
    QVERIFY(pane.rejectButton()->isEnabled());
    // Only a pending request can be decided on.
    QVERIFY(pane.selectRequest(QStringLiteral("fraud"), QStringLiteral("3")));
    QVERIFY(!pane.approveButton()->isEnabled());
    QVERIFY(pane.approveButton()->toolTip().contains(QStringLiteral("pending")));
    // A rejection without a reason does not start.
    QVERIFY(pane.selectFirstPendingRequest());
    pane.setPrompt([](ApprovalPane::Action, const QString &) { return QString(); });
    QVERIFY(!pane.rejectSelected());
    QVERIFY(pane.statusLabel()->text().contains(QStringLiteral("reason")));
    // Cancelling the prompt starts nothing.
    pane.setPrompt([](ApprovalPane::Action, const QString &) { return std::nullopt; });
    QVERIFY(!pane.approveSelected());
    QVERIFY(!pane.isBusy());
}

void TestApprovalPane::actionRunsOnAWorkerAndReports()
{
    ApprovalPane pane;
    pane.setWorkspace(m_path);
    MlflowConnection connection;
    connection.baseUrl = "http://127.0.0.1:9"; // nothing listens there
    pane.setConnection(connection);
    QString asked;
    pane.setPrompt([&](ApprovalPane::Action action, const QString &question) {
        asked = question;
        return action == ApprovalPane::Action::Approve ? std::optional<QString>(QStringLiteral("ok"))
                                                       : std::nullopt;
    });
    QVERIFY(pane.selectFirstPendingRequest());
    QSignalSpy finished(&pane, &ApprovalPane::actionFinished);
    QVERIFY(pane.approveSelected());
    QVERIFY(asked.contains(QStringLiteral("fraud version 4")));
    // The pane stays usable while the worker waits for the server.
    QVERIFY(pane.isBusy());
    QVERIFY(!pane.approveButton()->isEnabled());
    QVERIFY(!pane.rejectButton()->isEnabled());
    QVERIFY(pane.approveButton()->toolTip().contains(QStringLiteral("Waiting")));
    QVERIFY(!pane.approveSelected()); // one action at a time
    QVERIFY(finished.wait(120000));
    QCOMPARE(finished.count(), 1);
    QCOMPARE(finished.at(0).at(0).toBool(), false);
    QVERIFY(!finished.at(0).at(1).toString().isEmpty());
    QCOMPARE(pane.statusLabel()->text(), finished.at(0).at(1).toString());
    QVERIFY(!pane.isBusy());
    QVERIFY(pane.approveButton()->isEnabled());
    // The pane reloaded and kept the request shown.
    QCOMPARE(pane.currentPage(), ApprovalPane::RequestPage);
    QCOMPARE(pane.requestsView()->currentIndex().data(RequestsModel::VersionRole).toString(),
             QStringLiteral("4"));
}

void TestApprovalPane::stateRoundTrips()
{
    ApprovalPane a;
    a.resize(1200, 800);
    a.show();
    const QByteArray state = a.saveState();
    ApprovalPane b;
    QVERIFY(b.restoreState(state));
    QVERIFY(!b.restoreState(QByteArray("junk")));
}

QTEST_MAIN(TestApprovalPane)
#include "tst_approvalpane.moc"
