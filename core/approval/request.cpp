// SPDX-License-Identifier: GPL-3.0-or-later
#include "approval/request.h"

#include <QByteArray>
#include <QCryptographicHash>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace sightline {

namespace {

using json = nlohmann::json;

std::string sha256Hex(const std::string &text)
{
    return QCryptographicHash::hash(QByteArray::fromRawData(text.data(),
                                                            static_cast<qsizetype>(text.size())),
                                    QCryptographicHash::Sha256)
        .toHex()
        .toStdString();
}

std::string compact(const json &document)
{
    return document.dump(-1, ' ', false, json::error_handler_t::replace);
}

const std::string *findTag(const std::vector<KeyValue> &tags, const std::string &key)
{
    for (const auto &kv : tags)
        if (kv.key == key)
            return &kv.value;
    return nullptr;
}

Error damaged(const std::string &what)
{
    return makeError("invalid", "The promotion request's tags are damaged: " + what + ".");
}

std::string textOf(const json &j, const char *key)
{
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

int64_t intOf(const json &j, const char *key)
{
    auto it = j.find(key);
    return it != j.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
}

double numberOrNaN(const json &j, const char *key)
{
    auto it = j.find(key);
    return it != j.end() && it->is_number() ? it->get<double>()
                                            : std::numeric_limits<double>::quiet_NaN();
}

json finiteOrNull(double v)
{
    return std::isfinite(v) ? json(v) : json(nullptr);
}

} // namespace

std::string PromotionTarget::describe() const
{
    return (kind == Alias ? "alias " : "stage ") + name;
}

std::string_view requestStateText(RequestState state)
{
    switch (state) {
    case RequestState::Pending: return "pending";
    case RequestState::Rejected: return "rejected";
    case RequestState::Applying: return "applying";
    case RequestState::Applied: return "applied";
    case RequestState::RolledBack: return "rolled_back";
    }
    return "pending";
}

std::optional<RequestState> requestStateFromText(std::string_view text)
{
    for (auto s : {RequestState::Pending, RequestState::Rejected, RequestState::Applying,
                   RequestState::Applied, RequestState::RolledBack})
        if (requestStateText(s) == text)
            return s;
    return std::nullopt;
}

std::vector<std::string> PromotionRequest::approvers() const
{
    std::vector<std::string> out;
    for (const auto &d : decisions)
        if (d.approve && std::find(out.begin(), out.end(), d.user) == out.end())
            out.push_back(d.user);
    return out;
}

std::vector<GateResult> PromotionRequest::gates() const
{
    std::vector<GateResult> out;
    auto it = evidence.find("gates");
    if (it != evidence.end() && it->is_array())
        for (const auto &g : *it)
            out.push_back(gateResultFromJson(g));
    return out;
}

std::string makeRequestId(const std::string &model, const std::string &version,
                          const PromotionTarget &target, const std::string &requester,
                          int64_t timeMs)
{
    const json key = {model, version, target.describe(), requester, timeMs};
    return sha256Hex(compact(key)).substr(0, 16);
}

std::vector<KeyValue> encodeDocumentTags(const std::string &key, const json &document)
{
    const std::string text = compact(document);
    if (text.size() <= kRegistryTagValueMax)
        return {{key, text}};
    std::vector<KeyValue> parts;
    size_t at = 0;
    while (at < text.size()) {
        size_t end = std::min(text.size(), at + kRegistryTagValueMax);
        // Never cut inside a UTF-8 sequence (continuation bytes are 10xxxxxx).
        while (end < text.size() && end > at
               && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80)
            --end;
        parts.push_back({key + "." + std::to_string(parts.size() + 1), text.substr(at, end - at)});
        at = end;
    }
    const json head = {{"parts", parts.size()}, {"sha256", sha256Hex(text)}};
    std::vector<KeyValue> out = std::move(parts);
    out.push_back({key, compact(head)});
    return out;
}

Result<std::optional<json>> decodeDocumentTags(const std::vector<KeyValue> &tags,
                                               const std::string &key)
{
    const std::string *head = findTag(tags, key);
    if (!head)
        return std::optional<json>();
    json j = json::parse(*head, nullptr, false);
    if (j.is_discarded())
        return damaged(key + " is not JSON");
    const bool split = j.is_object() && j.size() == 2 && j.contains("parts")
                    && j.contains("sha256") && j["parts"].is_number_unsigned()
                    && j["sha256"].is_string();
    if (!split)
        return std::optional<json>(std::move(j));
    const size_t n = j["parts"].get<size_t>();
    if (n == 0 || n > 10000)
        return damaged(key + " names " + std::to_string(n) + " parts");
    std::string text;
    for (size_t i = 1; i <= n; ++i) {
        const std::string *part = findTag(tags, key + "." + std::to_string(i));
        if (!part)
            return damaged("part " + std::to_string(i) + " of " + std::to_string(n) + " of " + key
                           + " is missing");
        text += *part;
    }
    if (sha256Hex(text) != j["sha256"].get<std::string>())
        return damaged("the parts of " + key + " do not match its hash");
    json doc = json::parse(text, nullptr, false);
    if (doc.is_discarded())
        return damaged(key + " is not JSON");
    return std::optional<json>(std::move(doc));
}

std::vector<std::string> staleDocumentKeys(const std::vector<KeyValue> &tags,
                                           const std::string &key, size_t partsNow)
{
    std::vector<std::string> out;
    const std::string prefix = key + ".";
    for (const auto &kv : tags) {
        if (kv.key.size() <= prefix.size() || kv.key.compare(0, prefix.size(), prefix) != 0)
            continue;
        const std::string rest = kv.key.substr(prefix.size());
        if (!std::all_of(rest.begin(), rest.end(), [](char c) { return c >= '0' && c <= '9'; })
            || rest.size() > 6)
            continue;
        if (static_cast<size_t>(std::stoul(rest)) > partsNow)
            out.push_back(kv.key);
    }
    return out;
}

json gateResultJson(const GateResult &r)
{
    return {{"name", r.name},
            {"kind", r.kind},
            {"outcome", std::string(gateOutcomeText(r.outcome))},
            {"detail", r.detail},
            {"actual", finiteOrNull(r.actual)},
            {"expected", finiteOrNull(r.expected)}};
}

GateResult gateResultFromJson(const json &j)
{
    GateResult r;
    if (!j.is_object())
        return r;
    r.name = textOf(j, "name");
    r.kind = textOf(j, "kind");
    r.detail = textOf(j, "detail");
    const std::string outcome = textOf(j, "outcome");
    r.outcome = outcome == "pass" ? GateResult::Pass
              : outcome == "fail" ? GateResult::Fail
                                  : GateResult::Unknown;
    r.actual = numberOrNaN(j, "actual");
    r.expected = numberOrNaN(j, "expected");
    return r;
}

json decisionsDocument(const PromotionRequest &request)
{
    json items = json::array();
    for (const auto &d : request.decisions)
        items.push_back({{"user", d.user},
                         {"time_ms", d.timeMs},
                         {"decision", d.approve ? "approve" : "reject"},
                         {"comment", d.comment}});
    return {{"request", request.id}, {"items", std::move(items)}};
}

json appliedDocument(const PromotionRequest &request)
{
    const AppliedRecord a = request.applied.value_or(AppliedRecord{});
    return {{"request", request.id},
            {"by", a.by},
            {"time_ms", a.timeMs},
            {"target_kind", request.target.kind == PromotionTarget::Alias ? "alias" : "stage"},
            {"target", request.target.name},
            {"previous", a.previous},
            {"comment", a.comment}};
}

json rollbackDocument(const RollbackRecord &r)
{
    return {{"by", r.by},
            {"time_ms", r.timeMs},
            {"target", r.target},
            {"to", r.to},
            {"comment", r.comment}};
}

std::vector<KeyValue> requestTags(const PromotionRequest &request)
{
    const json header = {
        {"id", request.id},
        {"target_kind", request.target.kind == PromotionTarget::Alias ? "alias" : "stage"},
        {"target", request.target.name},
        {"requester", request.requester},
        {"time_ms", request.requestedAtMs},
        {"holder", request.holder},
        {"comment", request.comment},
        {"gates_passed", request.gatesPassed}};
    json evidence = request.evidence;
    evidence["request"] = request.id;
    std::vector<KeyValue> out = encodeDocumentTags(tagkeys::kEvidence, evidence);
    for (auto &kv : encodeDocumentTags(tagkeys::kDecisions, decisionsDocument(request)))
        out.push_back(std::move(kv));
    if (request.applied)
        for (auto &kv : encodeDocumentTags(tagkeys::kApplied, appliedDocument(request)))
            out.push_back(std::move(kv));
    if (request.rollback)
        for (auto &kv : encodeDocumentTags(tagkeys::kRollback, rollbackDocument(*request.rollback)))
            out.push_back(std::move(kv));
    for (auto &kv : encodeDocumentTags(tagkeys::kRequest, header))
        out.push_back(std::move(kv));
    out.push_back({tagkeys::kState, std::string(requestStateText(request.state))});
    return out;
}

Result<std::optional<PromotionRequest>> requestFromTags(const ModelVersion &version)
{
    const std::string *stateText = findTag(version.tags, tagkeys::kState);
    if (!stateText)
        return std::optional<PromotionRequest>();
    auto state = requestStateFromText(*stateText);
    if (!state)
        return damaged("unknown state '" + *stateText + "'");
    auto header = decodeDocumentTags(version.tags, tagkeys::kRequest);
    if (!header)
        return header.error();
    if (!*header || !(*header)->is_object())
        return damaged(std::string(tagkeys::kRequest) + " is missing");
    const json &h = **header;
    PromotionRequest r;
    r.model = version.name;
    r.version = version.version;
    r.state = *state;
    r.id = textOf(h, "id");
    if (r.id.empty())
        return damaged("the request has no id");
    r.target.kind = textOf(h, "target_kind") == "stage" ? PromotionTarget::Stage
                                                        : PromotionTarget::Alias;
    r.target.name = textOf(h, "target");
    if (r.target.name.empty())
        return damaged("the request has no target");
    r.requester = textOf(h, "requester");
    r.requestedAtMs = intOf(h, "time_ms");
    r.holder = textOf(h, "holder");
    r.comment = textOf(h, "comment");
    r.gatesPassed = h.value("gates_passed", false);

    auto evidence = decodeDocumentTags(version.tags, tagkeys::kEvidence);
    if (!evidence)
        return evidence.error();
    if (*evidence) {
        if (!(*evidence)->is_object() || textOf(**evidence, "request") != r.id)
            return damaged("the evidence belongs to another request");
        r.evidence = std::move(**evidence);
    }
    auto decisions = decodeDocumentTags(version.tags, tagkeys::kDecisions);
    if (!decisions)
        return decisions.error();
    if (*decisions) {
        const json &d = **decisions;
        if (!d.is_object() || textOf(d, "request") != r.id)
            return damaged("the decisions belong to another request");
        if (auto it = d.find("items"); it != d.end() && it->is_array())
            for (const auto &item : *it) {
                if (!item.is_object())
                    return damaged("a decision is not an object");
                Decision dec;
                dec.user = textOf(item, "user");
                dec.timeMs = intOf(item, "time_ms");
                dec.approve = textOf(item, "decision") == "approve";
                dec.comment = textOf(item, "comment");
                r.decisions.push_back(std::move(dec));
            }
    }
    auto applied = decodeDocumentTags(version.tags, tagkeys::kApplied);
    if (!applied)
        return applied.error();
    if (*applied && (*applied)->is_object() && textOf(**applied, "request") == r.id) {
        AppliedRecord a;
        a.by = textOf(**applied, "by");
        a.timeMs = intOf(**applied, "time_ms");
        a.previous = textOf(**applied, "previous");
        a.comment = textOf(**applied, "comment");
        r.applied = std::move(a);
    }
    auto rollback = decodeDocumentTags(version.tags, tagkeys::kRollback);
    if (!rollback)
        return rollback.error();
    if (*rollback && (*rollback)->is_object()) {
        RollbackRecord b;
        b.by = textOf(**rollback, "by");
        b.timeMs = intOf(**rollback, "time_ms");
        b.target = textOf(**rollback, "target");
        b.to = textOf(**rollback, "to");
        b.comment = textOf(**rollback, "comment");
        r.rollback = std::move(b);
    }
    return std::optional<PromotionRequest>(std::move(r));
}

bool isSightlineTag(std::string_view key)
{
    return key.substr(0, 10) == tagkeys::kPrefix;
}

} // namespace sightline
