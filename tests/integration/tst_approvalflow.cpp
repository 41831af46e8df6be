// SPDX-License-Identifier: GPL-3.0-or-later
// Promotion requests end to end against the MLflow test server: request → gates → approve →
// alias moved; a holder changed by someone else (refused, nothing written); a failing gate; no
// self-approval; a second client seeing the request after a sync; rollback; an apply cut off
// halfway and finished by the next one.
#include "approval/auditlog.h"
#include "approval/workflow.h"
#include "store/store.h"
#include "sync/syncengine.h"
#include "approvalserver.h"
#include "testserver.h"

#include <QTemporaryDir>
#include <QTest>

using namespace sightline;
using namespace sightline::test;
using json = nlohmann::json;

namespace {

const char *kModel = kFraudModel;

std::map<std::string, std::string> tagsOf(const ModelVersion &v)
{
    std::map<std::string, std::string> out;
    for (const auto &kv : v.tags)
        out[kv.key] = kv.value;
    return out;
}

} // namespace

class TestApprovalFlow : public QObject {
    Q_OBJECT

    std::unique_ptr<TestServer> m_server;
    QTemporaryDir m_dir;
    int m_case = 0;

    void startServer()
    {
        m_server = std::make_unique<TestServer>(QStringList{}, 300);
        QVERIFY(m_server->isRunning());
        QVERIFY(seedFraudRegistry(*m_server));
    }

    struct Client {
        std::unique_ptr<MlflowClient> client;
        std::unique_ptr<Store> store;
        std::unique_ptr<AuditLog> audit;
        std::unique_ptr<ApprovalService> service;
    };

    // A user of the server with a workspace of their own.
    Client clientAs(const std::string &user, const std::string &workspaceName = {})
    {
        Client c;
        MlflowConnection conn = connectionTo(*m_server);
        conn.auth.kind = HttpAuth::Kind::Basic;
        conn.auth.username = user;
        conn.auth.password = "secret";
        HttpOptions http;
        http.maxRetries = 1;
        c.client = std::make_unique<MlflowClient>(conn, http);
        const std::string ws = m_dir.filePath(QString::fromStdString(
                                                  (workspaceName.empty() ? user : workspaceName) + "-"
                                                  + std::to_string(m_case) + ".sqlite"))
                                   .toStdString();
        auto store = Store::open(ws);
        if (store)
            c.store = std::move(*store);
        c.audit = std::make_unique<AuditLog>(auditLogPath(ws));
        auto policy = parsePolicy(kFraudPolicy);
        ApprovalService::Options o;
        o.policy = *policy;
        o.store = c.store.get();
        o.audit = c.audit.get();
        c.service = std::make_unique<ApprovalService>(*c.client, o);
        return c;
    }

    ModelVersion serverVersion(const std::string &version)
    {
        MlflowClient c(connectionTo(*m_server));
        auto v = c.getModelVersion(kModel, version);
        return v ? *v : ModelVersion{};
    }

    std::string championNow()
    {
        MlflowClient c(connectionTo(*m_server));
        auto v = c.getModelVersionByAlias(kModel, "champion");
        return v ? v->version : std::string();
    }

private slots:
    void init()
    {
        ++m_case;
        startServer();
    }
    void cleanup() { m_server.reset(); }

    void requestGatesApproveMovesTheAlias()
    {
        Client ana = clientAs("ana");
        QCOMPARE(actingIdentity(ana.client->connection()), std::string("ana"));
        const PromotionTarget champion{PromotionTarget::Alias, "champion"};

        auto report = ana.service->evaluate(kModel, "2", champion);
        QVERIFY2(report, report ? "" : report.error().message.c_str());
        QCOMPARE(report->holder, std::string("1"));
        QCOMPARE(report->results.size(), size_t(3));
        QVERIFY(report->passed());
        QVERIFY2(report->results[1].detail.find("0.91") != std::string::npos,
                 report->results[1].detail.c_str());

        auto made = ana.service->request(kModel, "2", champion, "better AUC on the March data");
        QVERIFY2(made, made ? "" : made.error().message.c_str());
        QCOMPARE(made->kind, ApprovalService::Outcome::Created);

        // On the server: documents split under the 5,000-character limit, state last.
        const auto tags = tagsOf(serverVersion("2"));
        QCOMPARE(tags.at("sightline.state"), std::string("pending"));
        QVERIFY(tags.count("sightline.evidence.2")); // 300 metrics do not fit in one tag
        for (const auto &[k, v] : tags)
            QVERIFY2(v.size() <= kRegistryTagValueMax, k.c_str());
        auto onServer = requestFromTags(serverVersion("2"));
        QVERIFY(onServer && *onServer);
        QCOMPARE((*onServer)->requester, std::string("ana"));
        QCOMPARE((*onServer)->holder, std::string("1"));
        QCOMPARE((*onServer)->evidence["candidate"]["metrics"].size(), size_t(301));
        QCOMPARE((*onServer)->evidence["holder"]["metrics"]["val_auc"].get<double>(), 0.91);
        QCOMPARE((*onServer)->evidence["params_diff"].size(), size_t(1)); // lr differs
        QCOMPARE((*onServer)->gates().size(), size_t(3));

        // Self-approval is refused and writes nothing.
        auto self = ana.service->approve(kModel, "2", "looks good to me");
        QVERIFY(!self);
        QCOMPARE(self.error().code, std::string("refused"));
        QVERIFY2(self.error().message.find("Self-approval") != std::string::npos,
                 self.error().message.c_str());
        QVERIFY((*requestFromTags(serverVersion("2")))->decisions.empty());
        QCOMPARE(championNow(), std::string("1"));

        Client ben = clientAs("ben");
        auto approved = ben.service->approve(kModel, "2", "checked the confusion matrix");
        QVERIFY2(approved, approved ? "" : approved.error().message.c_str());
        QCOMPARE(approved->kind, ApprovalService::Outcome::Applied);
        QCOMPARE(championNow(), std::string("2"));
        auto after = requestFromTags(serverVersion("2"));
        QCOMPARE((*after)->state, RequestState::Applied);
        QCOMPARE((*after)->approvers(), std::vector<std::string>{"ben"});
        QVERIFY((*after)->applied);
        QCOMPARE((*after)->applied->by, std::string("ben"));
        QCOMPARE((*after)->applied->previous, std::string("1"));

        // Ben's cache mirrors the change; his audit log holds the approval and the promotion.
        auto mirrored = requestsInCache(*ben.store);
        QCOMPARE(mirrored.size(), size_t(1));
        QCOMPARE(mirrored[0].state, RequestState::Applied);
        const auto changes = ben.store->aliasChanges(kModel);
        QCOMPARE(changes.size(), size_t(1));
        QCOMPARE(changes[0].version, std::string("2"));
        QCOMPARE(changes[0].previous, std::string("1"));
        QCOMPARE(changes[0].actor, std::string("ben"));
        auto log = ben.audit->readAll();
        QVERIFY(log);
        QCOMPARE(log->size(), size_t(2));
        QCOMPARE((*log)[0].action, AuditAction::Approve);
        QCOMPARE((*log)[1].action, AuditAction::Promote);
        QCOMPARE((*log)[1].details["previous"].get<std::string>(), std::string("1"));
        QVERIFY(ben.audit->verify()->ok);
        auto anaLog = ana.audit->readAll();
        QCOMPARE(anaLog->size(), size_t(1));
        QCOMPARE((*anaLog)[0].action, AuditAction::Request);
    }

    void holderChangedInBetweenIsRefused()
    {
        Client ana = clientAs("ana");
        auto made = ana.service->request(kModel, "2", {PromotionTarget::Alias, "champion"}, "");
        QVERIFY(made);
        // Someone moves champion outside Sightline.
        m_server->post("registered-models/alias", {{"name", kModel}, {"alias", "champion"}, {"version", "3"}});
        const auto before = tagsOf(serverVersion("2"));

        Client ben = clientAs("ben");
        auto approved = ben.service->approve(kModel, "2", "ok");
        QVERIFY(!approved);
        QCOMPARE(approved.error().code, std::string("refused"));
        QVERIFY2(approved.error().message.find("version 3") != std::string::npos,
                 approved.error().message.c_str());
        QVERIFY(approved.error().message.find("nothing was changed") != std::string::npos);
        QCOMPARE(championNow(), std::string("3"));
        const auto after = tagsOf(serverVersion("2"));
        QCOMPARE(after.at("sightline.state"), std::string("pending"));
        QVERIFY(!after.count("sightline.applied"));
        // The approval itself is recorded; applying stays refused.
        QCOMPARE(before.size(), after.size());
        auto retry = ben.service->apply(kModel, "2");
        QVERIFY(!retry);
        QCOMPARE(retry.error().code, std::string("refused"));
        QCOMPARE(championNow(), std::string("3"));
    }

    void failingGateBlocksTheRequest()
    {
        Client ana = clientAs("ana");
        auto report = ana.service->evaluate(kModel, "3", {PromotionTarget::Alias, "champion"});
        QVERIFY(report);
        QVERIFY(!report->passed());
        QCOMPARE(report->results[0].outcome, GateResult::Fail); // 0.80 < 0.9
        QCOMPARE(report->results[1].outcome, GateResult::Fail); // 12 % below the holder
        auto made = ana.service->request(kModel, "3", {PromotionTarget::Alias, "champion"}, "");
        QVERIFY(!made);
        QCOMPARE(made.error().code, std::string("blocked"));
        QVERIFY2(made.error().message.find("0.8") != std::string::npos, made.error().message.c_str());
        for (const auto &kv : serverVersion("3").tags)
            QVERIFY2(!isSightlineTag(kv.key), kv.key.c_str());
        QCOMPARE(championNow(), std::string("1"));
        QVERIFY(!ana.audit->readAll()->size());
    }

    void secondClientSeesTheRequestAfterSync()
    {
        Client ana = clientAs("ana");
        auto made = ana.service->request(kModel, "2", {PromotionTarget::Alias, "champion"},
                                         "for the Q4 release");
        QVERIFY(made);
        Client carl = clientAs("carl");
        QVERIFY(requestsInCache(*carl.store).empty());
        SyncEngine sync(*carl.store, *carl.client);
        auto synced = sync.run();
        QVERIFY2(synced, synced ? "" : synced.error().message.c_str());
        auto seen = requestsInCache(*carl.store);
        QCOMPARE(seen.size(), size_t(1));
        QCOMPARE(seen[0].id, made->request.id);
        QCOMPARE(seen[0].state, RequestState::Pending);
        QCOMPARE(seen[0].requester, std::string("ana"));
        QCOMPARE(seen[0].comment, std::string("for the Q4 release"));
        QCOMPARE(seen[0].gates().size(), size_t(3));
        // The first sync also starts the alias history.
        auto changes = carl.store->aliasChanges(kModel);
        QCOMPARE(changes.size(), size_t(1));
        QCOMPARE(changes[0].source, std::string("sync"));
        // A move made elsewhere is noticed by the next sync.
        m_server->post("registered-models/alias", {{"name", kModel}, {"alias", "champion"}, {"version", "3"}});
        QVERIFY(sync.run());
        changes = carl.store->aliasChanges(kModel);
        QCOMPARE(changes.size(), size_t(2));
        QCOMPARE(changes[1].version, std::string("3"));
        QCOMPARE(changes[1].previous, std::string("1"));
    }

    void rollbackMovesTheAliasBack()
    {
        Client ana = clientAs("ana");
        QVERIFY(ana.service->request(kModel, "2", {PromotionTarget::Alias, "champion"}, ""));
        Client ben = clientAs("ben");
        QVERIFY(ben.service->approve(kModel, "2", "ok"));
        QCOMPARE(championNow(), std::string("2"));

        auto back = ben.service->rollback(kModel, "champion", "latency regression in production");
        QVERIFY2(back, back ? "" : back.error().message.c_str());
        QCOMPARE(back->kind, ApprovalService::Outcome::RolledBack);
        QCOMPARE(championNow(), std::string("1"));
        auto req = requestFromTags(serverVersion("2"));
        QCOMPARE((*req)->state, RequestState::RolledBack);
        QVERIFY((*req)->rollback);
        QCOMPARE((*req)->rollback->to, std::string("1"));
        QCOMPARE((*req)->rollback->by, std::string("ben"));
        auto log = ben.audit->readAll();
        QCOMPARE(log->back().action, AuditAction::Rollback);
        QCOMPARE(log->back().version, std::string("1"));
        QCOMPARE(log->back().details["from"].get<std::string>(), std::string("2"));
        QVERIFY(ben.audit->verify()->ok);
        // Version 1 was not promoted by Sightline and no sync saw it arrive: nothing to go back to.
        auto again = ben.service->rollback(kModel, "champion", "");
        QVERIFY(!again);
        QCOMPARE(again.error().code, std::string("refused"));
        QCOMPARE(championNow(), std::string("1"));
    }

    void applyCutOffHalfwayIsFinishedByTheNextOne()
    {
        Client ana = clientAs("ana");
        QVERIFY(ana.service->request(kModel, "2", {PromotionTarget::Alias, "champion"}, ""));
        // The alias move fails: the request is left applying, the alias where it was.
        m_server->setFaults(json::array({{{"path_contains", "registered-models/alias"},
                                          {"method", "POST"},
                                          {"kind", "500"},
                                          {"count", -1}}}));
        Client ben = clientAs("ben");
        auto approved = ben.service->approve(kModel, "2", "ok");
        QVERIFY(!approved);
        QCOMPARE(championNow(), std::string("1"));
        QCOMPARE(tagsOf(serverVersion("2")).at("sightline.state"), std::string("applying"));
        QVERIFY(ben.audit->verify()->ok);
        QCOMPARE(ben.audit->readAll()->back().action, AuditAction::Approve);
        // A new request cannot start over an interrupted apply.
        auto other = ana.service->request(kModel, "2", {PromotionTarget::Alias, "challenger"}, "");
        QVERIFY(!other);
        m_server->resetFaults();
        auto finished = ben.service->apply(kModel, "2");
        QVERIFY2(finished, finished ? "" : finished.error().message.c_str());
        QCOMPARE(championNow(), std::string("2"));
        QCOMPARE(tagsOf(serverVersion("2")).at("sightline.state"), std::string("applied"));
        QCOMPARE(ben.audit->readAll()->back().action, AuditAction::Promote);

        // Cut off after the move, before the final state: the next apply only finishes it.
        QVERIFY(ana.service->request(kModel, "1", {PromotionTarget::Alias, "challenger"}, ""));
        Client carl = clientAs("carl");
        auto req = requestFromTags(serverVersion("1"));
        QVERIFY(req && *req);
        m_server->post("model-versions/set-tag", {{"name", kModel}, {"version", "1"},
                                                  {"key", "sightline.state"}, {"value", "applying"}});
        m_server->post("registered-models/alias", {{"name", kModel}, {"alias", "challenger"}, {"version", "1"}});
        auto done = carl.service->promote(kModel, "1", {PromotionTarget::Alias, "challenger"}, "");
        QVERIFY2(done, done ? "" : done.error().message.c_str());
        QCOMPARE(done->kind, ApprovalService::Outcome::Applied);
        QCOMPARE(tagsOf(serverVersion("1")).at("sightline.state"), std::string("applied"));
    }

    void stageTargetsTransition()
    {
        Client ana = clientAs("ana");
        const PromotionTarget production{PromotionTarget::Stage, "Production"};
        QVERIFY(ana.service->request(kModel, "1", production, "first production model"));
        Client ben = clientAs("ben");
        auto first = ben.service->approve(kModel, "1", "");
        QVERIFY2(first, first ? "" : first.error().message.c_str());
        QCOMPARE(serverVersion("1").currentStage, std::string("Production"));
        auto made = ana.service->request(kModel, "2", production, "");
        QVERIFY2(made, made ? "" : made.error().message.c_str());
        QCOMPARE(made->request.holder, std::string("1"));
        QVERIFY(ben.service->approve(kModel, "2", ""));
        QCOMPARE(serverVersion("2").currentStage, std::string("Production"));
        QCOMPARE(serverVersion("1").currentStage, std::string("Archived"));
    }

    void rejectionEndsTheRequest()
    {
        Client ana = clientAs("ana");
        QVERIFY(ana.service->request(kModel, "2", {PromotionTarget::Alias, "champion"}, ""));
        Client ben = clientAs("ben");
        auto rejected = ben.service->reject(kModel, "2", "wait for the fairness review");
        QVERIFY(rejected);
        auto req = requestFromTags(serverVersion("2"));
        QCOMPARE((*req)->state, RequestState::Rejected);
        QCOMPARE((*req)->decisions.back().comment, std::string("wait for the fairness review"));
        QVERIFY(!ben.service->approve(kModel, "2", ""));
        QCOMPARE(championNow(), std::string("1"));
        // A new request replaces the finished one.
        auto again = ana.service->request(kModel, "2", {PromotionTarget::Alias, "champion"}, "");
        QVERIFY(again);
        auto fresh = requestFromTags(serverVersion("2"));
        QCOMPARE((*fresh)->state, RequestState::Pending);
        QVERIFY((*fresh)->decisions.empty());
    }
};

QTEST_GUILESS_MAIN(TestApprovalFlow)
#include "tst_approvalflow.moc"
