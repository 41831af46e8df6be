// SPDX-License-Identifier: GPL-3.0-or-later
// Promotion requests as registry tags: documents split under MLflow's 5,000-character limit at
// UTF-8 boundaries and put back together exactly; damaged, missing or mixed-up tags refused;
// evidence and gate input built from two versions; where policies and the audit log live.
#include "approval/request.h"
#include "approval/workflow.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace sightline;
using json = nlohmann::json;

namespace {

PromotionRequest sample(size_t metrics)
{
    PromotionRequest r;
    r.model = "fraud";
    r.version = "7";
    r.target = {PromotionTarget::Alias, "champion"};
    r.requester = "ana";
    r.requestedAtMs = 1795000000000;
    r.comment = "Größer ist besser — ünïcödé everywhere ✓";
    r.holder = "5";
    r.gatesPassed = true;
    r.id = makeRequestId(r.model, r.version, r.target, r.requester, r.requestedAtMs);
    json m = json::object();
    for (size_t i = 0; i < metrics; ++i)
        m["métrique_" + std::to_string(i)] = 0.5 + static_cast<double>(i) * 1e-4;
    GateResult g;
    g.name = "val_auc ≥ 0.9";
    g.kind = "threshold";
    g.outcome = GateResult::Pass;
    g.detail = "val_auc 0.93 ≥ 0.90";
    g.actual = 0.93;
    g.expected = 0.9;
    r.evidence = {{"candidate", {{"metrics", m}}}, {"gates", json::array({gateResultJson(g)})}};
    r.decisions = {{"ben", 1795000100000, true, "ok"}};
    return r;
}

ModelVersion versionWith(const std::vector<KeyValue> &tags)
{
    ModelVersion v;
    v.name = "fraud";
    v.version = "7";
    v.tags = tags;
    return v;
}

} // namespace

class TestApprovalRequest : public QObject {
    Q_OBJECT

private slots:
    void smallDocumentsAreOneTag()
    {
        const json doc = {{"a", 1}, {"b", "two"}};
        auto tags = encodeDocumentTags("sightline.x", doc);
        QCOMPARE(tags.size(), size_t(1));
        QCOMPARE(tags[0].key, std::string("sightline.x"));
        auto back = decodeDocumentTags(tags, "sightline.x");
        QVERIFY(back && *back);
        QCOMPARE(**back, doc);
        auto absent = decodeDocumentTags(tags, "sightline.y");
        QVERIFY(absent && !*absent);
    }

    void largeDocumentsAreSplitAtCharacterBoundaries()
    {
        // Three-byte characters so that a cut at exactly 5,000 bytes would land mid-character.
        std::string text;
        for (int i = 0; i < 9000; ++i)
            text += "€";
        const json doc = {{"text", text}, {"n", 42}};
        auto tags = encodeDocumentTags("sightline.evidence", doc);
        QVERIFY(tags.size() >= 7);
        QCOMPARE(tags.back().key, std::string("sightline.evidence"));
        for (const auto &kv : tags) {
            QVERIFY2(kv.value.size() <= kRegistryTagValueMax, kv.key.c_str());
            QVERIFY(kv.key.size() <= kRegistryTagKeyMax);
            QVERIFY(QString::fromUtf8(kv.value.data(), static_cast<qsizetype>(kv.value.size()))
                        .toUtf8()
                    == QByteArray(kv.value.data(), static_cast<qsizetype>(kv.value.size())));
        }
        auto back = decodeDocumentTags(tags, "sightline.evidence");
        QVERIFY2(back, back ? "" : back.error().message.c_str());
        QCOMPARE(**back, doc);

        // A missing part, a changed part: refused with a clear reason.
        auto missing = tags;
        missing.erase(missing.begin() + 1);
        auto m = decodeDocumentTags(missing, "sightline.evidence");
        QVERIFY(!m);
        QCOMPARE(m.error().code, std::string("invalid"));
        QVERIFY2(m.error().message.find("part 2") != std::string::npos, m.error().message.c_str());
        auto changed = tags;
        changed[0].value[10] = changed[0].value[10] == 'x' ? 'y' : 'x';
        auto c = decodeDocumentTags(changed, "sightline.evidence");
        QVERIFY(!c);
        QVERIFY(c.error().message.find("hash") != std::string::npos);

        // A shorter document later leaves parts behind that must go.
        auto stale = staleDocumentKeys(tags, "sightline.evidence", 2);
        QCOMPARE(stale.size(), tags.size() - 1 - 2);
        QVERIFY(std::find(stale.begin(), stale.end(), "sightline.evidence.3") != stale.end());
        QVERIFY(staleDocumentKeys(tags, "sightline.evidence", tags.size()).empty());
    }

    void requestRoundTrip()
    {
        PromotionRequest r = sample(600); // evidence beyond one tag
        r.applied = AppliedRecord{"ben", 1795000200000, "5", "go"};
        r.state = RequestState::Applied;
        const auto tags = requestTags(r);
        QCOMPARE(tags.back().key, std::string(tagkeys::kState)); // the state is written last
        QVERIFY(tags.size() > 5);
        auto back = requestFromTags(versionWith(tags));
        QVERIFY2(back, back ? "" : back.error().message.c_str());
        QVERIFY(*back);
        const PromotionRequest &b = **back;
        QCOMPARE(b.id, r.id);
        QCOMPARE(b.model, r.model);
        QCOMPARE(b.version, r.version);
        QVERIFY(b.target == r.target);
        QCOMPARE(b.requester, r.requester);
        QCOMPARE(b.requestedAtMs, r.requestedAtMs);
        QCOMPARE(b.comment, r.comment);
        QCOMPARE(b.holder, r.holder);
        QCOMPARE(b.state, RequestState::Applied);
        QCOMPARE(b.evidence["candidate"]["metrics"].size(), size_t(600));
        QCOMPARE(b.decisions.size(), size_t(1));
        QCOMPARE(b.decisions[0].user, std::string("ben"));
        QVERIFY(b.applied);
        QCOMPARE(b.applied->previous, std::string("5"));
        const auto gates = b.gates();
        QCOMPARE(gates.size(), size_t(1));
        QCOMPARE(gates[0].outcome, GateResult::Pass);
        QCOMPARE(gates[0].actual, 0.93);
        QCOMPARE(b.approvers(), std::vector<std::string>{"ben"});
    }

    void mixedOrDamagedTagsAreRefused()
    {
        QVERIFY(!*requestFromTags(versionWith({{"owner", "risk"}}))); // no request at all

        PromotionRequest r = sample(3);
        auto tags = requestTags(r);
        // Decisions of another request.
        PromotionRequest other = r;
        other.id = "0000000000000000";
        for (auto &kv : tags)
            if (kv.key == tagkeys::kDecisions)
                kv.value = decisionsDocument(other).dump();
        auto mixed = requestFromTags(versionWith(tags));
        QVERIFY(!mixed);
        QVERIFY(mixed.error().message.find("another request") != std::string::npos);

        auto badState = requestTags(r);
        badState.back().value = "maybe";
        QVERIFY(!requestFromTags(versionWith(badState)));

        auto noHeader = requestTags(r);
        noHeader.erase(std::remove_if(noHeader.begin(), noHeader.end(),
                                      [](const KeyValue &kv) { return kv.key == tagkeys::kRequest; }),
                       noHeader.end());
        QVERIFY(!requestFromTags(versionWith(noHeader)));
    }

    void requestIdsAreStable()
    {
        const PromotionTarget t{PromotionTarget::Alias, "champion"};
        const std::string a = makeRequestId("m", "1", t, "ana", 5);
        QCOMPARE(a.size(), size_t(16));
        QCOMPARE(a, makeRequestId("m", "1", t, "ana", 5));
        QVERIFY(a != makeRequestId("m", "1", t, "ana", 6));
        QVERIFY(a != makeRequestId("m", "1", {PromotionTarget::Stage, "champion"}, "ana", 5));
        QCOMPARE(requestStateFromText("rolled_back"), std::optional(RequestState::RolledBack));
        QVERIFY(!requestStateFromText("nope"));
        QVERIFY(isSightlineTag("sightline.state"));
        QVERIFY(!isSightlineTag("sightlinex"));
    }

    void evidenceAndGateInput()
    {
        Run cand;
        cand.runName = "trial-2";
        cand.metrics = {{"val_auc", 0.93, 0, 10}, {"loss", std::nan(""), 0, 10}};
        cand.params = {{"lr", "0.02"}, {"depth", "6"}};
        cand.tags = {{"mlflow.user", "ana"}, {"team", "risk"}};
        DatasetInput d;
        d.name = "fraud-train";
        d.digest = "9f1c22ab";
        d.context = "training";
        cand.inputs = {d};
        Run hold;
        hold.metrics = {{"val_auc", 0.91, 0, 10}};
        hold.params = {{"lr", "0.01"}, {"depth", "6"}, {"seed", "1"}};
        ModelVersion cv;
        cv.version = "2";
        cv.runId = "r2";
        cv.tags = {{"validation_status", "passed"}, {"sightline.state", "pending"}};
        ModelVersion hv;
        hv.version = "1";

        const json c = evidenceSide(cv, &cand);
        const json h = evidenceSide(hv, &hold);
        QVERIFY(c["metrics"]["loss"].is_null()); // NaN kept as null
        QVERIFY(!c["tags"].contains("mlflow.user"));
        QVERIFY(!c["tags"].contains("sightline.state"));
        QCOMPARE(c["tags"]["validation_status"].get<std::string>(), std::string("passed"));
        QCOMPARE(c["datasets"][0]["digest"].get<std::string>(), std::string("9f1c22ab"));

        auto policy = parsePolicy(R"({"gates": [{"metric": "val_auc", "max_drop_percent": 1},
                                                {"metric": "loss", "op": "<", "value": 1},
                                                {"tag": "validation_status", "equals": "passed"}]})");
        QVERIFY(policy);
        const GateInput in = gateInputFrom(c, h, 7);
        QCOMPARE(in.nowMs, int64_t(7));
        QVERIFY(in.holderMetrics);
        const auto results = evaluateGates(*policy, in);
        QCOMPARE(results[0].outcome, GateResult::Pass);
        QCOMPARE(results[1].outcome, GateResult::Unknown); // NaN loss
        QCOMPARE(results[2].outcome, GateResult::Pass);
        const json ev = buildEvidence(c, h, results, *policy);
        // lr differs, seed only on the holder; depth is the same.
        QCOMPARE(ev["params_diff"].size(), size_t(2));
        QCOMPARE(ev["params_diff"][0]["key"].get<std::string>(), std::string("lr"));
        QVERIFY(ev["params_diff"][1]["candidate"].is_null());
        QCOMPARE(ev["gates"].size(), size_t(3));
        QVERIFY(!gateInputFrom(c, json(), 0).holderMetrics); // no holder
    }

    void policiesAndTheAuditLogLiveBesideTheWorkspace()
    {
        QCOMPARE(policyDirectory("/data/team.sqlite"), std::string("/data/team.policies"));
        QCOMPARE(auditLogPath("/data/team.sqlite"), std::string("/data/team.audit.jsonl"));
        QCOMPARE(policyFileName("fraud/v2 model"), std::string("fraud_v2_model.json"));
        QCOMPARE(policyFileName("..x"), std::string("_..x.json"));

        QTemporaryDir dir;
        const std::string ws = dir.filePath(QStringLiteral("w.sqlite")).toStdString();
        std::string origin;
        auto builtIn = loadPolicyFor("m", {}, ws, &origin);
        QVERIFY(builtIn);
        QCOMPARE(origin, std::string("built-in default"));
        QCOMPARE(builtIn->reviewers.requiredApprovals, 1);
        QVERIFY(builtIn->gates.empty());

        QDir().mkpath(QString::fromStdString(policyDirectory(ws)));
        QFile bad(QString::fromStdString(policyDirectory(ws) + "/m.json"));
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write("{\n  \"reviewers\": {\"required_approvals\": -1}\n}\n");
        bad.close();
        auto refused = loadPolicyFor("m", {}, ws);
        QVERIFY(!refused);
        QVERIFY2(refused.error().message.find("m.json: line 2") != std::string::npos,
                 refused.error().message.c_str());
        auto missing = loadPolicyFor("m", ws + ".nothing", ws);
        QVERIFY(!missing);
        QVERIFY(missing.error().message.find("No policy file") != std::string::npos);
    }
};

QTEST_APPLESS_MAIN(TestApprovalRequest)
#include "tst_approvalrequest.moc"
