// SPDX-License-Identifier: GPL-3.0-or-later
// Policy: what a model version must satisfy before it may take an alias, read from a JSON policy
// file (one per model, or a workspace default). It holds the gates, the reviewer rules and an
// optional freeze window. parsePolicy() validates the file and rejects it with one sentence that
// names the 1-based line where the problem is.
//
// File format (every key optional except where noted; unknown keys are errors):
//   {
//     "gates": [
//       {"metric": "val_auc", "op": ">=", "value": 0.90},                 // threshold
//       {"metric": "val_auc", "max_drop_percent": 0.5},                  // regression vs holder
//       {"metric": "val_loss", "max_drop_percent": 2, "lower_is_better": true},
//       {"tag": "validation_status", "equals": "passed"}                 // required tag
//     ],
//     "reviewers": {"required_approvals": 2, "allowed": ["ana", "ben"],
//                   "allow_self_approval": false},
//     "freeze": {"from": "2026-12-20T00:00:00Z", "to": "2027-01-02T00:00:00Z"}
//   }
// Each gate may also carry "name" (a label shown instead of the generated one). A gate's kind is
// chosen by its keys: "tag" → required tag, "max_drop_percent" → regression, else threshold.
// Freeze times are ISO 8601 with a time zone; the window is [from, to).
#pragma once

#include "util/result.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace sightline {

enum class CompareOp { Less, LessEqual, Greater, GreaterEqual, Equal, NotEqual };

// "<", "<=", ">", ">=", "==", "!=".
std::string_view compareOpText(CompareOp op);
std::optional<CompareOp> compareOpFromText(std::string_view text);
// The operator as shown to people ("≥", "≤", "≠" ...).
std::string_view compareOpSymbol(CompareOp op);

// candidate `op` value, e.g. val_auc >= 0.90.
struct ThresholdGate {
    std::string name; // empty: a name is generated
    std::string metric;
    CompareOp op = CompareOp::GreaterEqual;
    double value = 0.0;
    int line = 0; // where the gate starts in the policy file
};

// The candidate may not be worse than the current alias holder by more than maxDropPercent of
// the holder's value. Worse means lower, or higher when lowerIsBetter.
struct RegressionGate {
    std::string name;
    std::string metric;
    double maxDropPercent = 0.0; // >= 0
    bool lowerIsBetter = false;
    int line = 0;
};

// The candidate must carry tag `tag` with exactly the value `equals`.
struct TagGate {
    std::string name;
    std::string tag;
    std::string equals;
    int line = 0;
};

using GateSpec = std::variant<ThresholdGate, RegressionGate, TagGate>;

struct ReviewerRules {
    int requiredApprovals = 1;
    std::vector<std::string> allowed; // empty: anyone may approve
    bool allowSelfApproval = false;
};

// Promotions are refused while fromMs <= now < toMs (UTC milliseconds since the epoch).
struct FreezeWindow {
    int64_t fromMs = 0;
    int64_t toMs = 0;
    bool contains(int64_t nowMs) const { return nowMs >= fromMs && nowMs < toMs; }
};

struct Policy {
    std::vector<GateSpec> gates;
    ReviewerRules reviewers;
    std::optional<FreezeWindow> freeze;
};

// Parses a policy file's text. On failure the error's code is "invalid" and its message starts
// with "line N: " (or "line N, column C: " for malformed JSON), followed by the reason.
Result<Policy> parsePolicy(std::string_view text);

// 1-based line and column of the character at byte offset `offset` of `text` (clamped to the
// text). Exposed for tests.
struct TextPosition {
    int line = 1;
    int column = 1;
};
TextPosition textPositionAt(std::string_view text, size_t offset);

} // namespace sightline
