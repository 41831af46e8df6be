// SPDX-License-Identifier: GPL-3.0-or-later
#include "demo/demoapproval.h"

#include "approval/auditlog.h"
#include "approval/request.h"
#include "approval/workflow.h"

#include <filesystem>
#include <fstream>
#include <map>

namespace sightline {

namespace {

constexpr const char *kModel = "fraud-classifier";
constexpr int64_t kDayMs = 86400000;
constexpr int64_t kHourMs = 3600000;

constexpr const char *kFraudPolicy = R"({
  "gates": [
    {"name": "AUC floor", "metric": "val_auc", "op": ">=", "value": 0.80},
    {"metric": "val_auc", "max_drop_percent": 1.0},
    {"metric": "logloss", "op": "<=", "value": 0.25},
    {"tag": "validation_status", "equals": "passed"}
  ],
  "reviewers": {"required_approvals": 2, "allowed": ["maria", "lea", "omar"],
                "allow_self_approval": false}
}
)";

constexpr const char *kDefaultPolicy = R"({
  "reviewers": {"required_approvals": 1, "allow_self_approval": false}
}
)";

Result<void> writeText(const std::filesystem::path &path, const char *text)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out)
        return makeError("io", "Cannot write " + path.string() + ".");
    return {};
}

struct Story {
    Store &store;
    Policy policy;
    std::map<std::string, ModelVersion> versions;
    AuditLog audit;

    // The request as Sightline would have made it at `timeMs`, against `holder`.
    PromotionRequest request(const std::string &version, const std::string &holder,
                             const std::string &requester, int64_t timeMs,
                             const std::string &comment)
    {
        const ModelVersion &candidate = versions.at(version);
        auto candidateRun = store.run(candidate.runId);
        nlohmann::json candidateSide = evidenceSide(candidate, candidateRun ? &*candidateRun
                                                                            : nullptr);
        nlohmann::json holderSide;
        if (!holder.empty()) {
            ModelVersion h = versions.at(holder);
            auto holderRun = store.run(h.runId);
            holderSide = evidenceSide(h, holderRun ? &*holderRun : nullptr);
        }
        const auto gates = evaluateGates(policy, gateInputFrom(candidateSide, holderSide, timeMs));
        PromotionRequest r;
        r.model = kModel;
        r.version = version;
        r.target = {PromotionTarget::Alias, "champion"};
        r.requester = requester;
        r.requestedAtMs = timeMs;
        r.comment = comment;
        r.holder = holder;
        r.gatesPassed = allPass(gates);
        r.evidence = buildEvidence(candidateSide, holderSide, gates, policy);
        r.id = makeRequestId(kModel, version, r.target, requester, timeMs);
        return r;
    }

    Result<void> log(AuditAction action, const std::string &actor, int64_t timeMs,
                     const PromotionRequest &r, const std::string &version,
                     const std::string &comment, nlohmann::json details)
    {
        AuditEntry e;
        e.timeMs = timeMs;
        e.actor = actor;
        e.action = action;
        e.model = kModel;
        e.version = version;
        e.alias = r.target.name;
        e.comment = comment;
        details["request"] = r.id;
        details["target_kind"] = "alias";
        e.details = std::move(details);
        auto a = audit.append(std::move(e));
        if (!a)
            return a.error();
        return {};
    }

    Result<void> aliasMoved(const std::string &version, const std::string &previous,
                            int64_t timeMs, const std::string &actor, const std::string &source,
                            const std::string &alias = "champion")
    {
        AliasChange c;
        c.model = kModel;
        c.alias = alias;
        c.version = version;
        c.previous = previous;
        c.timeMs = timeMs;
        c.actor = actor;
        c.source = source;
        return store.recordAliasChange(c);
    }

    Result<void> save(const PromotionRequest &r)
    {
        ModelVersion v = versions.at(r.version);
        std::vector<KeyValue> tags;
        for (const auto &kv : v.tags)
            if (!isSightlineTag(kv.key))
                tags.push_back(kv);
        for (auto &kv : requestTags(r))
            tags.push_back(std::move(kv));
        v.tags = std::move(tags);
        versions[r.version] = v;
        return store.upsertModelVersion(v);
    }
};

} // namespace

Result<void> writeDemoApprovals(Store &store, const std::string &workspacePath, int64_t epochMs)
{
    auto policy = parsePolicy(kFraudPolicy);
    if (!policy)
        return policy.error();
    const std::filesystem::path dir = policyDirectory(workspacePath);
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (auto w = writeText(dir / "fraud-classifier.json", kFraudPolicy); !w)
        return w;
    if (auto w = writeText(dir / "default.json", kDefaultPolicy); !w)
        return w;
    const std::string logPath = auditLogPath(workspacePath);
    std::filesystem::remove(logPath, ec);

    Story s{store, *policy, {}, AuditLog(logPath)};
    for (auto &v : store.modelVersions(kModel))
        s.versions[v.version] = v;
    for (const char *v : {"1", "2", "3", "4"})
        if (!s.versions.count(v))
            return makeError("invalid", "The demo registry lacks fraud-classifier version "
                                            + std::string(v) + ".");
    const int64_t day = kDayMs;
    auto at = [&](int d, int hour) { return epochMs + d * day + hour * kHourMs; };

    // Day 6: the first sync saw version 1 as champion.
    if (auto w = s.aliasMoved("1", "", at(6, 9), "", "sync"); !w)
        return w;

    // Days 7–8: version 2 (retrained) requested, approved twice, applied.
    PromotionRequest v2 = s.request("2", "1", "jonas", at(7, 10),
                                    "Retrained with the September features; AUC up on every "
                                    "segment.");
    v2.decisions = {{"maria", at(7, 15), true, "Checked the segment report."},
                    {"lea", at(8, 9), true, "Calibration looks fine."}};
    v2.applied = AppliedRecord{"lea", at(8, 9), "1", v2.comment};
    v2.state = RequestState::Applied;
    if (auto w = s.save(v2); !w)
        return w;
    if (auto w = s.log(AuditAction::Request, "jonas", at(7, 10), v2, "2", v2.comment,
                       {{"holder", "1"}, {"gates_passed", v2.gatesPassed}});
        !w)
        return w;
    if (auto w = s.log(AuditAction::Approve, "maria", at(7, 15), v2, "2",
                       v2.decisions[0].comment, {{"approvals", 1}, {"required", 2}});
        !w)
        return w;
    if (auto w = s.log(AuditAction::Approve, "lea", at(8, 9), v2, "2", v2.decisions[1].comment,
                       {{"approvals", 2}, {"required", 2}});
        !w)
        return w;
    if (auto w = s.log(AuditAction::Promote, "lea", at(8, 9), v2, "2", v2.comment,
                       {{"previous", "1"}, {"approvals", {"maria", "lea"}}});
        !w)
        return w;
    if (auto w = s.aliasMoved("2", "1", at(8, 9), "lea", "sightline"); !w)
        return w;

    // Days 9–11: version 3 promoted, then rolled back.
    PromotionRequest v3 = s.request("3", "2", "jonas", at(9, 11),
                                    "Deeper trees, better recall on card-not-present.");
    v3.decisions = {{"maria", at(9, 16), true, ""}, {"omar", at(10, 8), true, "Ship it."}};
    v3.applied = AppliedRecord{"omar", at(10, 8), "2", v3.comment};
    v3.rollback = RollbackRecord{"omar", at(11, 14), "champion", "2",
                                 "False positives doubled on weekend traffic."};
    v3.state = RequestState::RolledBack;
    if (auto w = s.save(v3); !w)
        return w;
    if (auto w = s.log(AuditAction::Request, "jonas", at(9, 11), v3, "3", v3.comment,
                       {{"holder", "2"}, {"gates_passed", v3.gatesPassed}});
        !w)
        return w;
    if (auto w = s.log(AuditAction::Approve, "maria", at(9, 16), v3, "3", "",
                       {{"approvals", 1}, {"required", 2}});
        !w)
        return w;
    if (auto w = s.log(AuditAction::Approve, "omar", at(10, 8), v3, "3", "Ship it.",
                       {{"approvals", 2}, {"required", 2}});
        !w)
        return w;
    if (auto w = s.log(AuditAction::Promote, "omar", at(10, 8), v3, "3", v3.comment,
                       {{"previous", "2"}, {"approvals", {"maria", "omar"}}});
        !w)
        return w;
    if (auto w = s.aliasMoved("3", "2", at(10, 8), "omar", "sightline"); !w)
        return w;
    if (auto w = s.log(AuditAction::Rollback, "omar", at(11, 14), v3, "2",
                       v3.rollback->comment, {{"from", "3"}});
        !w)
        return w;
    if (auto w = s.aliasMoved("2", "3", at(11, 14), "omar", "sightline"); !w)
        return w;

    // Day 18: version 4 (new data) registered as challenger; day 19 its request, one approval.
    if (auto w = s.aliasMoved("4", "", at(18, 10), "", "sync", "challenger"); !w)
        return w;
    PromotionRequest v4 = s.request("4", "2", "jonas", at(19, 10),
                                    "Trained on the November data (fraud-train 9f1c22ab).");
    v4.decisions = {{"maria", at(19, 14), true, "Drift report on fraud-train looks clean."}};
    v4.state = RequestState::Pending;
    if (auto w = s.save(v4); !w)
        return w;
    if (auto w = s.log(AuditAction::Request, "jonas", at(19, 10), v4, "4", v4.comment,
                       {{"holder", "2"}, {"gates_passed", v4.gatesPassed}});
        !w)
        return w;
    if (auto w = s.log(AuditAction::Approve, "maria", at(19, 14), v4, "4",
                       v4.decisions[0].comment, {{"approvals", 1}, {"required", 2}});
        !w)
        return w;
    return {};
}

} // namespace sightline
