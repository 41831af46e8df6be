// SPDX-License-Identifier: GPL-3.0-or-later
// Gate evaluation and reviewer rules; see gates.h.
#include "approval/gates.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

namespace sightline {

namespace {

// Three decimals for everyday metric values, significant digits for very small or large ones.
std::string formatValue(double v)
{
    char buf[64];
    const double a = std::fabs(v);
    if (v == 0.0 || (a >= 0.01 && a < 1e6))
        std::snprintf(buf, sizeof buf, "%.3f", v);
    else
        std::snprintf(buf, sizeof buf, "%.4g", v);
    return buf;
}

// Four decimals: the values of a regression gate differ in the third or fourth place.
std::string formatPrecise(double v)
{
    char buf[64];
    const double a = std::fabs(v);
    if (v == 0.0 || (a >= 0.001 && a < 1e6))
        std::snprintf(buf, sizeof buf, "%.4f", v);
    else
        std::snprintf(buf, sizeof buf, "%.5g", v);
    return buf;
}

std::string formatFixed2(double v)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.2f", v);
    return buf;
}

std::string formatShort(double v)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

std::optional<double> lookup(const std::map<std::string, double> &metrics, const std::string &key)
{
    const auto it = metrics.find(key);
    if (it == metrics.end() || std::isnan(it->second))
        return std::nullopt;
    return it->second;
}

bool compare(double a, CompareOp op, double b)
{
    switch (op) {
    case CompareOp::Less: return a < b;
    case CompareOp::LessEqual: return a <= b;
    case CompareOp::Greater: return a > b;
    case CompareOp::GreaterEqual: return a >= b;
    case CompareOp::Equal: return a == b;
    case CompareOp::NotEqual: return a != b;
    }
    return false;
}

GateResult evaluate(const ThresholdGate &gate, const GateInput &input)
{
    GateResult r;
    r.kind = "threshold";
    r.expected = gate.value;
    const std::string rule = std::string(compareOpSymbol(gate.op)) + " " + formatValue(gate.value);
    r.name = !gate.name.empty() ? gate.name
                                : gate.metric + " " + std::string(compareOpSymbol(gate.op)) + " "
                                        + formatShort(gate.value);
    const auto it = input.candidateMetrics.find(gate.metric);
    if (it == input.candidateMetrics.end()) {
        r.detail = gate.metric + " is not logged by the candidate (required " + rule + ")";
        return r;
    }
    r.actual = it->second;
    if (std::isnan(it->second)) {
        r.detail = gate.metric + " is NaN (required " + rule + ")";
        return r;
    }
    if (compare(it->second, gate.op, gate.value)) {
        r.outcome = GateResult::Pass;
        r.detail = gate.metric + " " + formatValue(it->second) + " " + rule;
    } else {
        r.outcome = GateResult::Fail;
        r.detail = gate.metric + " " + formatValue(it->second) + ", required " + rule;
    }
    return r;
}

GateResult evaluate(const RegressionGate &gate, const GateInput &input)
{
    GateResult r;
    r.kind = "regression";
    r.expected = gate.maxDropPercent;
    const std::string limit = "limit " + formatShort(gate.maxDropPercent) + " %";
    const std::string worse = gate.lowerIsBetter ? "rise" : "drop";
    r.name = !gate.name.empty() ? gate.name
                                : gate.metric + " " + worse + " ≤ "
                                        + formatShort(gate.maxDropPercent) + " % vs holder";
    if (!input.holderMetrics) {
        // A first promotion: nothing holds the target yet, so nothing can regress.
        r.outcome = GateResult::Pass;
        r.detail = gate.metric + ": no current holder, nothing to regress from (" + limit + ")";
        return r;
    }
    const auto candidate = lookup(input.candidateMetrics, gate.metric);
    const auto holder = lookup(*input.holderMetrics, gate.metric);
    if (!candidate) {
        r.detail = gate.metric + " is missing or NaN for the candidate (" + limit + ")";
        return r;
    }
    if (!holder) {
        r.detail = gate.metric + " is missing or NaN for the current holder (" + limit + ")";
        return r;
    }
    if (*holder == 0.0) {
        r.detail = gate.metric + " is 0 for the current holder, so no relative change exists ("
                + limit + ")";
        return r;
    }
    const double change = gate.lowerIsBetter ? *candidate - *holder : *holder - *candidate;
    const double drop = change / std::fabs(*holder) * 100.0;
    r.actual = drop;
    const std::string values = " (" + formatPrecise(*holder) + " → " + formatPrecise(*candidate)
            + "), " + limit;
    if (drop > 0.0)
        r.detail = gate.metric + (gate.lowerIsBetter ? " rose " : " dropped ") + formatFixed2(drop)
                + " %" + values;
    else if (drop < 0.0)
        r.detail = gate.metric + " improved " + formatFixed2(-drop) + " %" + values;
    else
        r.detail = gate.metric + " unchanged" + values;
    r.outcome = drop <= gate.maxDropPercent ? GateResult::Pass : GateResult::Fail;
    return r;
}

GateResult evaluate(const TagGate &gate, const GateInput &input)
{
    GateResult r;
    r.kind = "tag";
    r.name = !gate.name.empty() ? gate.name : "tag " + gate.tag + " = " + gate.equals;
    const auto it = input.candidateTags.find(gate.tag);
    if (it == input.candidateTags.end()) {
        r.outcome = GateResult::Fail;
        r.detail = "tag " + gate.tag + " is not set, required \"" + gate.equals + "\"";
    } else if (it->second != gate.equals) {
        r.outcome = GateResult::Fail;
        r.detail = "tag " + gate.tag + " is \"" + it->second + "\", required \"" + gate.equals
                + "\"";
    } else {
        r.outcome = GateResult::Pass;
        r.detail = "tag " + gate.tag + " = \"" + gate.equals + "\"";
    }
    return r;
}

} // namespace

std::string_view gateOutcomeText(GateResult::Outcome outcome)
{
    switch (outcome) {
    case GateResult::Pass: return "pass";
    case GateResult::Fail: return "fail";
    case GateResult::Unknown: return "unknown";
    }
    return "unknown";
}

std::vector<GateResult> evaluateGates(const Policy &policy, const GateInput &input)
{
    std::vector<GateResult> results;
    results.reserve(policy.gates.size());
    for (const GateSpec &spec : policy.gates)
        results.push_back(
                std::visit([&](const auto &gate) { return evaluate(gate, input); }, spec));
    return results;
}

bool allPass(const std::vector<GateResult> &results)
{
    return std::all_of(results.begin(), results.end(),
                        [](const GateResult &r) { return r.outcome == GateResult::Pass; });
}

Result<void> canApprove(const Policy &policy, const std::string &requester,
                        const std::string &approver,
                        const std::vector<std::string> &approvalsSoFar, int64_t nowMs)
{
    if (approver.empty())
        return makeError("refused", "An approval needs the approver's name.");
    if (policy.freeze && policy.freeze->contains(nowMs))
        return makeError("refused", "Promotions are frozen until the end of the freeze window.");
    if (!policy.reviewers.allowSelfApproval && approver == requester)
        return makeError("refused",
                         "Self-approval is not allowed: " + approver + " made this request.");
    const auto &allowed = policy.reviewers.allowed;
    if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), approver) == allowed.end())
        return makeError("refused", approver + " is not among the policy's allowed reviewers.");
    if (std::find(approvalsSoFar.begin(), approvalsSoFar.end(), approver) != approvalsSoFar.end())
        return makeError("refused", approver + " has already approved this request.");
    return {};
}

bool approvalsMet(const Policy &policy, const std::vector<std::string> &approvals)
{
    const std::set<std::string> distinct(approvals.begin(), approvals.end());
    return static_cast<int>(distinct.size()) >= policy.reviewers.requiredApprovals;
}

} // namespace sightline
