// SPDX-License-Identifier: GPL-3.0-or-later
// Gate evaluation and reviewer rules for promotion requests: pure functions over a Policy and the
// evidence frozen at request time. Each gate says pass, fail or unknown, with the numbers behind
// it. New gate kinds (drift, live metrics) are added as GateSpec alternatives and GateInput fields
// with defaults; callers keep calling evaluateGates() unchanged.
//
// Conventions:
// - A metric that is missing or NaN makes its gate Unknown; so does a regression gate whose holder
//   lacks the metric or has it at 0 (no relative change exists). A regression gate passes when
//   the target has no holder yet (a first promotion has nothing to regress from).
// - Regression: drop % = (holder − candidate) / |holder| × 100 for higher-is-better metrics and
//   (candidate − holder) / |holder| × 100 for lower-is-better ones; it passes while drop % is at
//   most the limit (an improvement is a negative drop). actual = drop %, expected = the limit.
// - Threshold: actual = the candidate's value, expected = the policy's value.
// - A required tag that is absent or differs fails; actual and expected are NaN.
// - allPass() is true only when every result is Pass (Unknown blocks a promotion).
#pragma once

#include "approval/policy.h"
#include "util/result.h"

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sightline {

struct GateInput {
    std::map<std::string, double> candidateMetrics;
    std::map<std::string, std::string> candidateTags;
    std::optional<std::map<std::string, double>> holderMetrics; // nullopt: the alias has no holder
    int64_t nowMs = 0;                                          // UTC ms since the epoch
};

struct GateResult {
    enum Outcome { Pass, Fail, Unknown };

    std::string name;   // the policy's name for the gate, or a generated one ("val_auc ≥ 0.9")
    std::string kind;   // "threshold", "regression", "tag"
    Outcome outcome = Unknown;
    std::string detail; // one sentence with the numbers, e.g. "val_auc 0.912 ≥ 0.900"
    double actual = std::numeric_limits<double>::quiet_NaN();
    double expected = std::numeric_limits<double>::quiet_NaN();
};

// "pass", "fail", "unknown".
std::string_view gateOutcomeText(GateResult::Outcome outcome);

// One result per policy gate, in the policy's order.
std::vector<GateResult> evaluateGates(const Policy &policy, const GateInput &input);

// True when every result passes (also for an empty list).
bool allPass(const std::vector<GateResult> &results);

// Whether `approver` may add an approval to a request made by `requester` that already holds
// `approvalsSoFar`. Refused (code "refused", one sentence) during the freeze window, for
// self-approval unless the policy allows it, for an approver outside a non-empty allowed list,
// and for a second approval by the same person. User names compare exactly.
Result<void> canApprove(const Policy &policy, const std::string &requester,
                        const std::string &approver,
                        const std::vector<std::string> &approvalsSoFar, int64_t nowMs);

// Whether the approvals given meet the policy's required count (distinct names).
bool approvalsMet(const Policy &policy, const std::vector<std::string> &approvals);

} // namespace sightline
