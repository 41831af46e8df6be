// SPDX-License-Identifier: GPL-3.0-or-later
// PromotionRequest: a request to give a model version an alias (or, on servers that still use
// them, a stage), with the evidence frozen when it was made, the decisions taken on it and, once
// applied, what it replaced. Requests live on the MLflow server as model-version tags under the
// `sightline.` prefix, so every Sightline user of a server sees the same requests; the cache
// mirrors them with the rest of the version's tags.
//
// Tags on the candidate version (MLflow caps registry tag keys at 250 and values at 5,000
// characters; a document longer than that is split, see encodeDocumentTags()):
//   sightline.request    {"id", "target_kind": "alias"|"stage", "target", "requester",
//                         "time_ms", "holder" (version or ""), "comment", "gates_passed"}
//   sightline.evidence   the frozen evidence (see buildEvidence() in workflow.h)
//   sightline.decisions  {"request": id, "items": [{"user", "time_ms", "decision":
//                         "approve"|"reject", "comment"}]}
//   sightline.applied    {"request": id, "by", "time_ms", "target_kind", "target", "previous",
//                         "comment"}: written when an apply starts, kept afterwards
//   sightline.rollback   {"by", "time_ms", "target", "to", "comment"}: this version was rolled
//                         back from `target` to version `to`
//   sightline.state      pending | rejected | applying | applied | rolled_back
// A request is written documents first and sightline.state last, so a reader that finds a
// state finds the request it belongs to (each document carries the request id).
#pragma once

#include "approval/gates.h"
#include "mlflow/entities.h"
#include "util/result.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sightline {

// MLflow 2.x limits for model-version (and registered-model) tags, in characters.
inline constexpr size_t kRegistryTagKeyMax = 250;
inline constexpr size_t kRegistryTagValueMax = 5000;

namespace tagkeys {
inline constexpr const char *kPrefix = "sightline.";
inline constexpr const char *kRequest = "sightline.request";
inline constexpr const char *kEvidence = "sightline.evidence";
inline constexpr const char *kDecisions = "sightline.decisions";
inline constexpr const char *kApplied = "sightline.applied";
inline constexpr const char *kRollback = "sightline.rollback";
inline constexpr const char *kState = "sightline.state";
} // namespace tagkeys

struct PromotionTarget {
    enum Kind { Alias, Stage };
    Kind kind = Alias;
    std::string name; // "champion", or a stage: "Staging", "Production", "Archived"

    bool operator==(const PromotionTarget &) const = default;
    // "alias champion", "stage Production".
    std::string describe() const;
};

enum class RequestState { Pending, Rejected, Applying, Applied, RolledBack };

// "pending", "rejected", "applying", "applied", "rolled_back".
std::string_view requestStateText(RequestState state);
std::optional<RequestState> requestStateFromText(std::string_view text);

struct Decision {
    std::string user;
    int64_t timeMs = 0;
    bool approve = true;
    std::string comment;
};

struct AppliedRecord {
    std::string by;
    int64_t timeMs = 0;
    std::string previous; // the version that held the target before ("" none)
    std::string comment;
};

struct RollbackRecord {
    std::string by;
    int64_t timeMs = 0;
    std::string target; // the alias rolled back
    std::string to;     // the version that holds it again
    std::string comment;
};

struct PromotionRequest {
    std::string id;
    std::string model;
    std::string version;
    PromotionTarget target;
    std::string requester;
    int64_t requestedAtMs = 0;
    std::string comment;
    std::string holder; // the target's holder when the request was made ("" none)
    bool gatesPassed = false;
    nlohmann::json evidence = nlohmann::json::object();
    RequestState state = RequestState::Pending;
    std::vector<Decision> decisions;
    std::optional<AppliedRecord> applied;
    std::optional<RollbackRecord> rollback;

    // Distinct names of the approvers, in the order they approved.
    std::vector<std::string> approvers() const;
    // The gate results frozen in the evidence.
    std::vector<GateResult> gates() const;
};

// A request id: 16 lowercase hex characters from the model, version, target, requester and time.
std::string makeRequestId(const std::string &model, const std::string &version,
                          const PromotionTarget &target, const std::string &requester,
                          int64_t timeMs);

// A JSON document as registry tags under `key`: one tag when its compact text fits in
// kRegistryTagValueMax, else `key` = {"parts": N, "sha256": hex} and key.1 … key.N hold the text
// cut at UTF-8 boundaries.
std::vector<KeyValue> encodeDocumentTags(const std::string &key, const nlohmann::json &document);
// Reads a document written by encodeDocumentTags from a version's tags: nullopt when `key` is
// absent; an error (code "invalid") when a part is missing, the hash does not match or the text
// is not JSON.
Result<std::optional<nlohmann::json>> decodeDocumentTags(const std::vector<KeyValue> &tags,
                                                         const std::string &key);
// The keys encodeDocumentTags() may have used for `key` that a newer, shorter document would
// leave behind (key.N+1 …), given the tags now on the version.
std::vector<std::string> staleDocumentKeys(const std::vector<KeyValue> &tags,
                                           const std::string &key, size_t partsNow);

// The tags a request is stored as (documents first, sightline.state last).
std::vector<KeyValue> requestTags(const PromotionRequest &request);
nlohmann::json decisionsDocument(const PromotionRequest &request);
nlohmann::json appliedDocument(const PromotionRequest &request);
nlohmann::json rollbackDocument(const RollbackRecord &record);

// The request held in a model version's tags: nullopt when it carries none (no sightline.state);
// an error (code "invalid") when the tags are damaged or belong to different requests.
Result<std::optional<PromotionRequest>> requestFromTags(const ModelVersion &version);

// Whether a tag key belongs to Sightline (hidden from ordinary tag lists).
bool isSightlineTag(std::string_view key);

nlohmann::json gateResultJson(const GateResult &result);
GateResult gateResultFromJson(const nlohmann::json &json);

} // namespace sightline
