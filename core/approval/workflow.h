// SPDX-License-Identifier: GPL-3.0-or-later
// ApprovalService: promotion requests against an MLflow server — evaluate the gates, make a
// request with frozen evidence, approve or reject it, apply it (move the alias or transition the
// stage), roll an alias back. The state is kept on the server (see request.h); each step also
// updates the workspace cache when one is given and appends to the audit log when one is given.
// Blocking calls, meant for the command line or a worker thread.
//
// Applying is written so that a failure at any point leaves either nothing changed or a state
// the next apply finishes:
//   1. re-read the request; it must be pending (or applying: a retry) with its approvals met;
//   2. re-read the target's holder; if it is not the one frozen in the request, refuse and write
//      nothing (unless the request is applying and the holder is already the candidate);
//   3. write sightline.applied and sightline.state = applying on the candidate;
//   4. move the alias / transition the stage;
//   5. write sightline.state = applied, update the cache, append to the audit log.
#pragma once

#include "approval/auditlog.h"
#include "approval/gates.h"
#include "approval/policy.h"
#include "approval/request.h"
#include "mlflow/client.h"
#include "util/result.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace sightline {

class Store;

// The acting identity: the server login (basic-auth user name) when there is one, else the OS
// user ($USER, $LOGNAME, the password database), else "unknown".
std::string actingIdentity(const MlflowConnection &connection);

// Where a workspace keeps its policies and its audit log, beside the workspace file:
//   /data/team.sqlite -> /data/team.policies/ (MODEL.json per model, default.json) and
//   /data/team.audit.jsonl
std::string policyDirectory(const std::string &workspacePath);
std::string auditLogPath(const std::string &workspacePath);

// The policy for `model`: the explicit file when given, else the workspace's MODEL.json, else
// its default.json, else the built-in default (no gates, one approval, no self-approval).
// `origin`, when given, receives the file used or "built-in default".
Result<Policy> loadPolicyFor(const std::string &model, const std::string &explicitFile,
                             const std::string &workspacePath, std::string *origin = nullptr);

// A model name as a file name (characters outside [A-Za-z0-9._-] become '_').
std::string policyFileName(const std::string &model);

// What a gate evaluation saw: the candidate, the target's holder, the results and the evidence
// document a request would freeze.
struct GateReport {
    std::string model;
    std::string version;
    PromotionTarget target;
    std::string holder; // "" when nothing holds the target
    std::vector<GateResult> results;
    nlohmann::json evidence;
    bool passed() const { return allPass(results); }
};

// The evidence document: {"candidate": side, "holder": side | null, "params_diff": [{"key",
// "candidate", "holder"}] (differing params only), "gates": [gate result json], "policy":
// {"required_approvals", "allowed", "allow_self_approval"}}; a side is {"version", "run_id",
// "run_name", "stage", "aliases", "metrics": {key: value}, "params": {key: value}, "tags":
// {key: value} (without sightline.*), "datasets": [{"name", "digest", "context", "source_type"}]}.
// NaN metrics are kept as null. At most 400 metrics and 400 params per side (the rest are
// counted in "metrics_omitted" / "params_omitted").
nlohmann::json evidenceSide(const ModelVersion &version, const Run *run);
nlohmann::json buildEvidence(const nlohmann::json &candidate, const nlohmann::json &holder,
                             const std::vector<GateResult> &gates, const Policy &policy);
// The gate input from two evidence sides (holder may be null) and the version's tags.
GateInput gateInputFrom(const nlohmann::json &candidate, const nlohmann::json &holder,
                        int64_t nowMs);

class ApprovalService {
public:
    struct Options {
        Policy policy;
        std::string actor;                 // who acts (see actingIdentity)
        Store *store = nullptr;            // updated after each change when set
        const AuditLog *audit = nullptr;   // appended to after each change when set
        std::function<int64_t()> clock;    // UTC ms; the system clock when empty
        bool archiveExisting = true;       // stage targets: archive the previous holder
    };

    struct Outcome {
        enum Kind { Created, Approved, Rejected, Applied, RolledBack };
        Kind kind = Created;
        PromotionRequest request;
        std::string message; // one sentence for the user
    };

    ApprovalService(MlflowClient &client, Options options);

    const Options &options() const { return m_options; }

    // Reads the candidate, the target's holder and both source runs, and evaluates the policy.
    Result<GateReport> evaluate(const std::string &model, const std::string &version,
                                const PromotionTarget &target);

    // The request a version carries on the server, if any.
    Result<std::optional<PromotionRequest>> currentRequest(const std::string &model,
                                                           const std::string &version);

    // Makes a request. Refused (code "blocked") when a gate fails or is unknown, (code
    // "refused") during the freeze window or while the version has a pending request for
    // another target. A pending request for the same target is replaced.
    Result<Outcome> request(const std::string &model, const std::string &version,
                            const PromotionTarget &target, const std::string &comment);

    // The pipeline's one call: applies the version's pending request for `target` when its
    // approvals are met (or finishes an interrupted apply), else makes the request.
    Result<Outcome> promote(const std::string &model, const std::string &version,
                            const PromotionTarget &target, const std::string &comment);

    // Adds the actor's approval (checked with canApprove) and applies the request when the
    // approvals are now met. On a request whose apply was cut off, finishes the apply.
    Result<Outcome> approve(const std::string &model, const std::string &version,
                            const std::string &comment);
    // Rejects the pending request (any allowed reviewer, or the requester withdrawing it).
    Result<Outcome> reject(const std::string &model, const std::string &version,
                           const std::string &comment);
    // Applies a pending request whose approvals are met, or finishes an interrupted apply.
    Result<Outcome> apply(const std::string &model, const std::string &version);

    // Moves `alias` back to the version that held it before the current holder was promoted by
    // Sightline (from the holder's sightline.applied), or before a sync saw it move there (from
    // the cache's alias history).
    // Re-reads the holder just before the move; the version rolled back to must still exist and
    // pass the policy's threshold and tag gates (regression gates compare against the holder
    // being rolled back from, so they are not applied). Allowed during a freeze window: rolling
    // back is how a bad promotion is undone.
    Result<Outcome> rollback(const std::string &model, const std::string &alias,
                             const std::string &comment);

private:
    int64_t now() const;
    Result<ModelVersion> readVersion(const std::string &model, const std::string &version);
    Result<std::optional<ModelVersion>> readHolder(const std::string &model,
                                                   const PromotionTarget &target);
    // The version's request (refused when it has none); `read` receives the version as read.
    Result<PromotionRequest> requireRequest(const std::string &model, const std::string &version,
                                            ModelVersion *read = nullptr);
    Result<void> writeTags(const std::string &model, const std::string &version,
                           const std::vector<KeyValue> &tags);
    Result<void> writeDocument(const std::string &model, const std::string &version,
                               const std::string &key, const nlohmann::json &document,
                               const std::vector<KeyValue> &existingTags);
    Result<Outcome> applyRequest(PromotionRequest request);
    void mirror(const std::string &model, const std::vector<std::string> &versions);
    void recordAlias(const std::string &model, const std::string &alias,
                     const std::string &version, const std::string &previous);
    Result<void> audit(AuditAction action, const PromotionRequest &request,
                       const std::string &comment, nlohmann::json details);

    MlflowClient &m_client;
    Options m_options;
};

// Every request mirrored in the cache (all models, all versions that carry one), newest first.
// Damaged tags are skipped and reported in `problems` when given.
std::vector<PromotionRequest> requestsInCache(const Store &store,
                                              std::vector<std::string> *problems = nullptr);

} // namespace sightline
