// SPDX-License-Identifier: GPL-3.0-or-later
#include "approval/workflow.h"

#include "store/store.h"

#include <QFile>
#include <QFileInfo>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <pwd.h>
#include <set>
#include <unistd.h>

namespace sightline {

namespace {

using json = nlohmann::json;

constexpr size_t kMaxEvidenceEntries = 400;
constexpr size_t kMaxEvidenceText = 500;

std::string clip(const std::string &s)
{
    if (s.size() <= kMaxEvidenceText)
        return s;
    size_t end = kMaxEvidenceText;
    while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80)
        --end;
    return s.substr(0, end) + "…";
}

Error refused(const std::string &message)
{
    return makeError("refused", message);
}

std::string versionText(const std::string &version)
{
    return version.empty() ? std::string("no version") : "version " + version;
}

std::string iso(int64_t ms)
{
    const time_t secs = static_cast<time_t>(ms / 1000);
    struct tm tm {};
    gmtime_r(&secs, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &tm);
    return buf;
}

bool isAliasNotFound(const Error &e)
{
    return e.httpStatus == 400 && e.message.find("not found") != std::string::npos;
}

std::string lower(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

const json &member(const json &j, const char *key)
{
    static const json null;
    if (!j.is_object())
        return null;
    auto it = j.find(key);
    return it == j.end() ? null : *it;
}

std::string approvalsNeeded(const Policy &policy, size_t have)
{
    const int need = policy.reviewers.requiredApprovals;
    return std::to_string(have) + " of " + std::to_string(need) + " approval"
         + (need == 1 ? "" : "s");
}

} // namespace

std::string actingIdentity(const MlflowConnection &connection)
{
    if (connection.auth.kind == HttpAuth::Kind::Basic && !connection.auth.username.empty())
        return connection.auth.username;
    for (const char *var : {"USER", "LOGNAME"})
        if (const char *v = std::getenv(var); v && *v)
            return v;
    if (const passwd *pw = getpwuid(getuid()); pw && pw->pw_name && *pw->pw_name)
        return pw->pw_name;
    return "unknown";
}

std::string policyDirectory(const std::string &workspacePath)
{
    const QFileInfo info(QString::fromStdString(workspacePath));
    return (info.absolutePath() + QLatin1Char('/') + info.completeBaseName()
            + QStringLiteral(".policies"))
        .toStdString();
}

std::string auditLogPath(const std::string &workspacePath)
{
    const QFileInfo info(QString::fromStdString(workspacePath));
    return (info.absolutePath() + QLatin1Char('/') + info.completeBaseName()
            + QStringLiteral(".audit.jsonl"))
        .toStdString();
}

std::string policyFileName(const std::string &model)
{
    std::string out;
    for (char c : model)
        out += std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-'
                 ? c
                 : '_';
    return (out.empty() || out[0] == '.' ? "_" + out : out) + ".json";
}

Result<Policy> loadPolicyFor(const std::string &model, const std::string &explicitFile,
                             const std::string &workspacePath, std::string *origin)
{
    std::vector<std::string> candidates;
    if (!explicitFile.empty()) {
        candidates.push_back(explicitFile);
    } else if (!workspacePath.empty()) {
        const std::string dir = policyDirectory(workspacePath);
        candidates.push_back(dir + "/" + policyFileName(model));
        candidates.push_back(dir + "/default.json");
    }
    for (const auto &path : candidates) {
        QFile f(QString::fromStdString(path));
        if (!f.exists()) {
            if (!explicitFile.empty())
                return makeError("io", "No policy file at " + path + ".");
            continue;
        }
        if (!f.open(QIODevice::ReadOnly))
            return makeError("io", "Cannot read the policy file " + path + ": "
                                       + f.errorString().toStdString() + ".");
        const QByteArray text = f.readAll();
        auto policy = parsePolicy(std::string_view(text.constData(),
                                                   static_cast<size_t>(text.size())));
        if (!policy)
            return makeError("invalid", path + ": " + policy.error().message);
        if (origin)
            *origin = path;
        return policy;
    }
    if (origin)
        *origin = "built-in default";
    return Policy{};
}

json evidenceSide(const ModelVersion &version, const Run *run)
{
    json side = {{"version", version.version},
                 {"run_id", version.runId},
                 {"run_name", run ? run->runName : std::string()},
                 {"stage", version.currentStage},
                 {"aliases", version.aliases},
                 {"metrics", json::object()},
                 {"params", json::object()},
                 {"tags", json::object()},
                 {"datasets", json::array()}};
    if (run) {
        size_t omitted = 0;
        for (const auto &m : run->metrics) {
            if (side["metrics"].size() >= kMaxEvidenceEntries) {
                ++omitted;
                continue;
            }
            side["metrics"][m.key] = std::isnan(m.value) ? json(nullptr) : json(m.value);
        }
        if (omitted)
            side["metrics_omitted"] = omitted;
        omitted = 0;
        for (const auto &p : run->params) {
            if (side["params"].size() >= kMaxEvidenceEntries) {
                ++omitted;
                continue;
            }
            side["params"][p.key] = clip(p.value);
        }
        if (omitted)
            side["params_omitted"] = omitted;
        // The run's own tags (MLflow's mlflow.* bookkeeping left out), then the version's.
        for (const auto &t : run->tags)
            if (t.key.rfind("mlflow.", 0) != 0 && side["tags"].size() < kMaxEvidenceEntries)
                side["tags"][t.key] = clip(t.value);
        for (const auto &d : run->inputs)
            side["datasets"].push_back({{"name", d.name},
                                        {"digest", d.digest},
                                        {"context", d.context},
                                        {"source_type", d.sourceType}});
    }
    for (const auto &t : version.tags)
        if (!isSightlineTag(t.key) && side["tags"].size() < kMaxEvidenceEntries)
            side["tags"][t.key] = clip(t.value);
    return side;
}

json buildEvidence(const json &candidate, const json &holder, const std::vector<GateResult> &gates,
                   const Policy &policy)
{
    json diff = json::array();
    std::set<std::string> keys;
    for (const json *side : {&candidate, &holder})
        if (const json &p = member(*side, "params"); p.is_object())
            for (auto it = p.begin(); it != p.end(); ++it)
                keys.insert(it.key());
    for (const auto &key : keys) {
        const json &a = member(member(candidate, "params"), key.c_str());
        const json &b = member(member(holder, "params"), key.c_str());
        if (a != b)
            diff.push_back({{"key", key}, {"candidate", a}, {"holder", b}});
    }
    json gatesJson = json::array();
    for (const auto &g : gates)
        gatesJson.push_back(gateResultJson(g));
    return {{"candidate", candidate},
            {"holder", holder.is_object() ? holder : json(nullptr)},
            {"params_diff", std::move(diff)},
            {"gates", std::move(gatesJson)},
            {"policy",
             {{"required_approvals", policy.reviewers.requiredApprovals},
              {"allowed", policy.reviewers.allowed},
              {"allow_self_approval", policy.reviewers.allowSelfApproval}}}};
}

GateInput gateInputFrom(const json &candidate, const json &holder, int64_t nowMs)
{
    auto metricsOf = [](const json &side) {
        std::map<std::string, double> out;
        const json &m = member(side, "metrics");
        if (m.is_object())
            for (auto it = m.begin(); it != m.end(); ++it)
                out[it.key()] = it->is_number() ? it->get<double>()
                                                : std::numeric_limits<double>::quiet_NaN();
        return out;
    };
    GateInput in;
    in.nowMs = nowMs;
    in.candidateMetrics = metricsOf(candidate);
    if (const json &t = member(candidate, "tags"); t.is_object())
        for (auto it = t.begin(); it != t.end(); ++it)
            if (it->is_string())
                in.candidateTags[it.key()] = it->get<std::string>();
    if (holder.is_object())
        in.holderMetrics = metricsOf(holder);
    return in;
}

// ---------------------------------------------------------------------------------------------

ApprovalService::ApprovalService(MlflowClient &client, Options options)
    : m_client(client), m_options(std::move(options))
{
    if (m_options.actor.empty())
        m_options.actor = actingIdentity(client.connection());
}

int64_t ApprovalService::now() const
{
    if (m_options.clock)
        return m_options.clock();
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

Result<ModelVersion> ApprovalService::readVersion(const std::string &model,
                                                  const std::string &version)
{
    auto v = m_client.getModelVersion(model, version);
    if (!v) {
        Error e = v.error();
        if (e.code == "not_found")
            e.message = "The registry has no version " + version + " of model '" + model + "'.";
        return e;
    }
    return v;
}

Result<std::optional<ModelVersion>> ApprovalService::readHolder(const std::string &model,
                                                                const PromotionTarget &target)
{
    if (target.kind == PromotionTarget::Alias) {
        auto v = m_client.getModelVersionByAlias(model, target.name);
        if (!v) {
            if (isAliasNotFound(v.error()))
                return std::optional<ModelVersion>();
            return v.error();
        }
        return std::optional<ModelVersion>(std::move(*v));
    }
    auto versions = m_client.modelVersionsOf(model);
    if (!versions)
        return versions.error();
    std::optional<ModelVersion> best;
    for (auto &v : *versions)
        if (lower(v.currentStage) == lower(target.name)
            && (!best || std::atoll(v.version.c_str()) > std::atoll(best->version.c_str())))
            best = v;
    return best;
}

Result<GateReport> ApprovalService::evaluate(const std::string &model, const std::string &version,
                                             const PromotionTarget &target)
{
    if (target.name.empty())
        return makeError("invalid", "Say which alias (or stage) the version should take.");
    auto candidate = readVersion(model, version);
    if (!candidate)
        return candidate.error();
    auto holder = readHolder(model, target);
    if (!holder)
        return holder.error();

    auto sideOf = [&](const ModelVersion &v) -> Result<json> {
        if (v.runId.empty())
            return evidenceSide(v, nullptr);
        auto run = m_client.getRun(v.runId);
        if (!run) {
            // A source run that is gone leaves its metrics unknown; anything else is an error.
            if (run.error().code == "not_found")
                return evidenceSide(v, nullptr);
            return run.error();
        }
        return evidenceSide(v, &*run);
    };
    auto candidateSide = sideOf(*candidate);
    if (!candidateSide)
        return candidateSide.error();
    json holderSide;
    if (*holder) {
        auto h = sideOf(**holder);
        if (!h)
            return h.error();
        holderSide = std::move(*h);
    }
    GateReport report;
    report.model = model;
    report.version = candidate->version;
    report.target = target;
    report.holder = *holder ? (*holder)->version : std::string();
    report.results = evaluateGates(m_options.policy,
                                   gateInputFrom(*candidateSide, holderSide, now()));
    report.evidence = buildEvidence(*candidateSide, holderSide, report.results, m_options.policy);
    return report;
}

Result<std::optional<PromotionRequest>> ApprovalService::currentRequest(const std::string &model,
                                                                        const std::string &version)
{
    auto v = readVersion(model, version);
    if (!v)
        return v.error();
    return requestFromTags(*v);
}

Result<PromotionRequest> ApprovalService::requireRequest(const std::string &model,
                                                         const std::string &version,
                                                         ModelVersion *read)
{
    auto v = readVersion(model, version);
    if (!v)
        return v.error();
    auto r = requestFromTags(*v);
    if (!r)
        return r.error();
    if (!*r)
        return refused("Version " + version + " of '" + model + "' has no promotion request.");
    if (read)
        *read = std::move(*v);
    return std::move(**r);
}

Result<void> ApprovalService::writeTags(const std::string &model, const std::string &version,
                                        const std::vector<KeyValue> &tags)
{
    for (const auto &kv : tags)
        if (auto r = m_client.setModelVersionTag(model, version, kv.key, kv.value); !r)
            return r;
    return {};
}

Result<void> ApprovalService::writeDocument(const std::string &model, const std::string &version,
                                            const std::string &key, const json &document,
                                            const std::vector<KeyValue> &existingTags)
{
    // Parts first, the head (which names them) last; parts a longer document left go after.
    const auto tags = encodeDocumentTags(key, document);
    if (auto r = writeTags(model, version, tags); !r)
        return r;
    for (const auto &stale : staleDocumentKeys(existingTags, key, tags.size() - 1))
        if (auto r = m_client.deleteModelVersionTag(model, version, stale); !r)
            return r;
    return {};
}

void ApprovalService::mirror(const std::string &model, const std::vector<std::string> &versions)
{
    if (!m_options.store)
        return;
    // The cache catches up at the next sync if any of this fails; the server holds the truth.
    auto registered = m_client.getRegisteredModel(model);
    Transaction tx(*m_options.store);
    if (registered)
        (void)m_options.store->upsertRegisteredModel(*registered);
    for (const auto &version : versions) {
        if (version.empty())
            continue;
        auto v = m_client.getModelVersion(model, version);
        if (!v)
            continue;
        if (registered) {
            v->aliases.clear();
            for (const auto &a : registered->aliases)
                if (a.version == v->version)
                    v->aliases.push_back(a.alias);
        }
        (void)m_options.store->upsertModelVersion(*v);
    }
    (void)tx.commit();
}

void ApprovalService::recordAlias(const std::string &model, const std::string &alias,
                                  const std::string &version, const std::string &previous)
{
    if (!m_options.store)
        return;
    AliasChange c;
    c.model = model;
    c.alias = alias;
    c.version = version;
    c.previous = previous;
    c.timeMs = now();
    c.actor = m_options.actor;
    c.source = "sightline";
    (void)m_options.store->recordAliasChange(c);
}

Result<void> ApprovalService::audit(AuditAction action, const PromotionRequest &request,
                                    const std::string &comment, json details)
{
    if (!m_options.audit)
        return {};
    AuditEntry e;
    e.timeMs = now();
    e.actor = m_options.actor;
    e.action = action;
    e.model = request.model;
    e.version = request.version;
    e.alias = request.target.name;
    e.comment = comment;
    details["request"] = request.id;
    details["target_kind"] = request.target.kind == PromotionTarget::Alias ? "alias" : "stage";
    e.details = std::move(details);
    auto r = m_options.audit->append(std::move(e));
    if (!r)
        return makeError("io", "The change was made on the server, but the audit log could not be "
                               "written: " + r.error().message);
    return {};
}

Result<ApprovalService::Outcome> ApprovalService::request(const std::string &model,
                                                          const std::string &version,
                                                          const PromotionTarget &target,
                                                          const std::string &comment)
{
    const int64_t t = now();
    if (m_options.policy.freeze && m_options.policy.freeze->contains(t))
        return refused("Promotions are frozen until " + iso(m_options.policy.freeze->toMs)
                       + " (the policy's freeze window).");
    auto candidate = readVersion(model, version);
    if (!candidate)
        return candidate.error();
    auto existing = requestFromTags(*candidate);
    if (existing && *existing) {
        const PromotionRequest &old = **existing;
        if (old.state == RequestState::Applying)
            return refused("An apply of the request for " + old.target.describe() + " was "
                           "interrupted; apply it again to finish it first.");
        if (old.state == RequestState::Pending && !(old.target == target))
            return refused("Version " + version + " already has a pending request for "
                           + old.target.describe() + "; approve or reject it first.");
    }
    auto report = evaluate(model, version, target);
    if (!report)
        return report.error();
    if (report->holder == candidate->version)
        return refused("Version " + version + " of '" + model + "' already holds "
                       + target.describe() + ".");
    if (!report->passed()) {
        std::string why;
        for (const auto &g : report->results)
            if (g.outcome != GateResult::Pass)
                why += (why.empty() ? "" : "; ") + g.name + " " + std::string(gateOutcomeText(g.outcome))
                     + "s (" + g.detail + ")";
        return makeError("blocked", "The gates do not pass, so no request was made: " + why + ".");
    }

    PromotionRequest req;
    req.model = model;
    req.version = candidate->version;
    req.target = target;
    req.requester = m_options.actor;
    req.requestedAtMs = t;
    req.comment = comment;
    req.holder = report->holder;
    req.gatesPassed = true;
    req.evidence = report->evidence;
    req.state = RequestState::Pending;
    req.id = makeRequestId(model, req.version, target, req.requester, t);

    // Take the old request's state away first, so no reader ever pairs it with new documents;
    // then the documents, stale keys of the old ones, and the new state last.
    if (existing && *existing)
        if (auto r = m_client.deleteModelVersionTag(model, req.version, tagkeys::kState); !r)
            return r.error();
    const auto tags = requestTags(req);
    if (auto r = writeTags(model, req.version, {tags.begin(), tags.end() - 1}); !r)
        return r.error();
    std::set<std::string> written;
    for (const auto &kv : tags)
        written.insert(kv.key);
    for (const auto &kv : candidate->tags)
        if (isSightlineTag(kv.key) && !written.count(kv.key))
            if (auto r = m_client.deleteModelVersionTag(model, req.version, kv.key); !r)
                return r.error();
    if (auto r = writeTags(model, req.version, {tags.back()}); !r)
        return r.error();

    mirror(model, {req.version});
    if (auto r = audit(AuditAction::Request, req, comment,
                       {{"holder", req.holder}, {"gates_passed", true}});
        !r)
        return r.error();
    Outcome out;
    out.kind = Outcome::Created;
    out.request = req;
    out.message = "Requested " + target.describe() + " for version " + req.version + " of '"
                + model + "' (" + (req.holder.empty() ? "no current holder" : "now version " + req.holder)
                + "); it needs " + approvalsNeeded(m_options.policy, 0) + ".";
    return out;
}

Result<ApprovalService::Outcome> ApprovalService::promote(const std::string &model,
                                                          const std::string &version,
                                                          const PromotionTarget &target,
                                                          const std::string &comment)
{
    auto existing = currentRequest(model, version);
    if (!existing)
        return existing.error();
    if (*existing && (*existing)->target == target) {
        const PromotionRequest &r = **existing;
        if (r.state == RequestState::Applying)
            return applyRequest(r);
        if (r.state == RequestState::Pending) {
            if (approvalsMet(m_options.policy, r.approvers()))
                return apply(model, version);
            return refused("The request for " + target.describe() + " of version " + version
                           + " is waiting for approvals (" + approvalsNeeded(m_options.policy,
                                                                             r.approvers().size())
                           + ").");
        }
    }
    return request(model, version, target, comment);
}

Result<ApprovalService::Outcome> ApprovalService::approve(const std::string &model,
                                                          const std::string &version,
                                                          const std::string &comment)
{
    ModelVersion read;
    auto found = requireRequest(model, version, &read);
    if (!found)
        return found.error();
    const ModelVersion *v = &read;
    PromotionRequest req = std::move(*found);
    // Approved before and cut off while applying: finishing it is what approving asks for.
    if (req.state == RequestState::Applying)
        return applyRequest(std::move(req));
    if (req.state != RequestState::Pending)
        return refused("The request for " + req.target.describe() + " of version " + version
                       + " is " + std::string(requestStateText(req.state))
                       + ", not pending.");
    const int64_t t = now();
    if (auto ok = canApprove(m_options.policy, req.requester, m_options.actor, req.approvers(), t);
        !ok)
        return refused(ok.error().message);
    if (!req.gatesPassed)
        return refused("The request's gates did not pass when it was made.");

    req.decisions.push_back({m_options.actor, t, true, comment});
    if (auto r = writeDocument(model, version, tagkeys::kDecisions, decisionsDocument(req), v->tags);
        !r)
        return r.error();
    mirror(model, {version});
    if (auto r = audit(AuditAction::Approve, req, comment,
                       {{"approvals", req.approvers().size()},
                        {"required", m_options.policy.reviewers.requiredApprovals}});
        !r)
        return r.error();
    if (approvalsMet(m_options.policy, req.approvers())) {
        auto applied = applyRequest(req);
        if (!applied) {
            Error e = applied.error();
            e.message = "Approved, but not applied: " + e.message;
            return e;
        }
        applied->message = "Approved; " + applied->message;
        return applied;
    }
    Outcome out;
    out.kind = Outcome::Approved;
    out.request = req;
    out.message = "Approved the request for " + req.target.describe() + " of version " + version
                + " (" + approvalsNeeded(m_options.policy, req.approvers().size()) + ").";
    return out;
}

Result<ApprovalService::Outcome> ApprovalService::reject(const std::string &model,
                                                         const std::string &version,
                                                         const std::string &comment)
{
    ModelVersion read;
    auto found = requireRequest(model, version, &read);
    if (!found)
        return found.error();
    if (found->state != RequestState::Pending)
        return refused("Version " + version + " of '" + model + "' has no pending request.");
    const ModelVersion *v = &read;
    PromotionRequest req = std::move(*found);
    const auto &allowed = m_options.policy.reviewers.allowed;
    const bool reviewer = allowed.empty()
                       || std::find(allowed.begin(), allowed.end(), m_options.actor)
                              != allowed.end();
    if (!reviewer && m_options.actor != req.requester)
        return refused(m_options.actor + " is not a reviewer of '" + model
                       + "' under its policy, so cannot reject the request.");
    req.decisions.push_back({m_options.actor, now(), false, comment});
    if (auto r = writeDocument(model, version, tagkeys::kDecisions, decisionsDocument(req), v->tags);
        !r)
        return r.error();
    req.state = RequestState::Rejected;
    if (auto r = writeTags(model, version, {{tagkeys::kState, "rejected"}}); !r)
        return r.error();
    mirror(model, {version});
    if (auto r = audit(AuditAction::Reject, req, comment, json::object()); !r)
        return r.error();
    Outcome out;
    out.kind = Outcome::Rejected;
    out.request = req;
    out.message = "Rejected the request for " + req.target.describe() + " of version " + version
                + " of '" + model + "'.";
    return out;
}

Result<ApprovalService::Outcome> ApprovalService::apply(const std::string &model,
                                                        const std::string &version)
{
    auto found = requireRequest(model, version);
    if (!found)
        return found.error();
    PromotionRequest req = std::move(*found);
    if (req.state == RequestState::Pending) {
        if (!req.gatesPassed)
            return refused("The request's gates did not pass when it was made.");
        if (!approvalsMet(m_options.policy, req.approvers()))
            return refused("The request for " + req.target.describe() + " has "
                           + approvalsNeeded(m_options.policy, req.approvers().size()) + ".");
        if (m_options.policy.freeze && m_options.policy.freeze->contains(now()))
            return refused("Promotions are frozen until " + iso(m_options.policy.freeze->toMs)
                           + " (the policy's freeze window).");
    } else if (req.state != RequestState::Applying) {
        return refused("The request for " + req.target.describe() + " of version " + version
                       + " is " + std::string(requestStateText(req.state)) + ", not pending.");
    }
    return applyRequest(std::move(req));
}

Result<ApprovalService::Outcome> ApprovalService::applyRequest(PromotionRequest req)
{
    const std::string &model = req.model;
    const std::string &version = req.version;
    auto holderNow = readHolder(model, req.target);
    if (!holderNow)
        return holderNow.error();
    const std::string held = *holderNow ? (*holderNow)->version : std::string();
    const bool alreadyMoved = req.state == RequestState::Applying && held == version;
    if (held != req.holder && !alreadyMoved)
        return refused(req.target.describe() + " of '" + model + "' is now held by "
                       + versionText(held) + ", not by " + versionText(req.holder)
                       + " as when the request was made; nothing was changed. Make a new request "
                         "to promote against the new holder.");

    if (req.state == RequestState::Pending) {
        req.applied = AppliedRecord{m_options.actor, now(), req.holder, req.comment};
        auto v = readVersion(model, version);
        if (!v)
            return v.error();
        if (auto r = writeDocument(model, version, tagkeys::kApplied, appliedDocument(req), v->tags);
            !r)
            return r.error();
        if (auto r = writeTags(model, version, {{tagkeys::kState, "applying"}}); !r)
            return r.error();
        req.state = RequestState::Applying;
    }
    if (!alreadyMoved) {
        if (req.target.kind == PromotionTarget::Alias) {
            if (auto r = m_client.setAlias(model, req.target.name, version); !r)
                return r.error();
        } else if (auto r = m_client.transitionStage(model, version, req.target.name,
                                                     m_options.archiveExisting);
                   !r) {
            return r.error();
        }
    }
    if (auto r = writeTags(model, version, {{tagkeys::kState, "applied"}}); !r)
        return r.error();
    req.state = RequestState::Applied;
    const std::string previous = req.applied ? req.applied->previous : req.holder;
    if (req.target.kind == PromotionTarget::Alias)
        recordAlias(model, req.target.name, version, previous);
    mirror(model, {version, previous});
    if (auto r = audit(AuditAction::Promote, req, req.comment,
                       {{"previous", previous}, {"approvals", req.approvers()}});
        !r)
        return r.error();
    Outcome out;
    out.kind = Outcome::Applied;
    out.request = req;
    out.message = "Version " + version + " of '" + model + "' now holds " + req.target.describe()
                + (previous.empty() ? "." : " (was version " + previous + ").");
    return out;
}

Result<ApprovalService::Outcome> ApprovalService::rollback(const std::string &model,
                                                           const std::string &alias,
                                                           const std::string &comment)
{
    const PromotionTarget target{PromotionTarget::Alias, alias};
    auto holder = readHolder(model, target);
    if (!holder)
        return holder.error();
    if (!*holder)
        return refused("Alias " + alias + " of '" + model + "' has no holder to roll back.");
    const ModelVersion current = **holder;

    std::string previous;
    auto holderRequest = requestFromTags(current);
    if (holderRequest && *holderRequest && (*holderRequest)->applied
        && (*holderRequest)->target == target)
        previous = (*holderRequest)->applied->previous;
    if (previous.empty() && m_options.store) {
        const auto changes = m_options.store->aliasChanges(model);
        for (auto it = changes.rbegin(); it != changes.rend(); ++it)
            if (it->source == "sync" && it->alias == alias && it->version == current.version
                && !it->previous.empty()) {
                previous = it->previous;
                break;
            }
    }
    if (previous.empty())
        return refused("There is no record of which version held alias " + alias + " of '" + model
                       + "' before version " + current.version + ", so there is nothing to roll "
                         "back to.");
    if (previous == current.version)
        return refused("Version " + previous + " already holds alias " + alias + ".");

    auto back = readVersion(model, previous);
    if (!back)
        return back.error();
    if (!back->status.empty() && back->status != "READY")
        return refused("Version " + previous + " is " + back->status + ", not READY.");
    // The gates that judge the version by itself; regression against the holder being rolled
    // back from would compare with the very version that is being undone.
    Policy own = m_options.policy;
    own.gates.erase(std::remove_if(own.gates.begin(), own.gates.end(),
                                   [](const GateSpec &g) {
                                       return std::holds_alternative<RegressionGate>(g);
                                   }),
                    own.gates.end());
    json side = evidenceSide(*back, nullptr);
    if (!back->runId.empty()) {
        auto run = m_client.getRun(back->runId);
        if (run)
            side = evidenceSide(*back, &*run);
        else if (run.error().code != "not_found")
            return run.error();
    }
    const auto results = evaluateGates(own, gateInputFrom(side, json(), now()));
    if (!allPass(results)) {
        std::string why;
        for (const auto &g : results)
            if (g.outcome != GateResult::Pass)
                why += (why.empty() ? "" : "; ") + g.name + " (" + g.detail + ")";
        return makeError("blocked", "Version " + previous + " does not pass the policy's gates, "
                                    "so the rollback was not made: " + why + ".");
    }

    // The holder again, just before the move.
    auto again = readHolder(model, target);
    if (!again)
        return again.error();
    if (!*again || (*again)->version != current.version)
        return refused("Alias " + alias + " of '" + model + "' moved to "
                       + versionText(*again ? (*again)->version : std::string())
                       + " while the rollback was being checked; nothing was changed.");

    RollbackRecord record{m_options.actor, now(), alias, previous, comment};
    if (auto r = writeDocument(model, current.version, tagkeys::kRollback, rollbackDocument(record),
                               current.tags);
        !r)
        return r.error();
    if (auto r = m_client.setAlias(model, alias, previous); !r)
        return r.error();
    PromotionRequest logged;
    if (holderRequest && *holderRequest) {
        logged = **holderRequest;
        if (auto r = writeTags(model, current.version, {{tagkeys::kState, "rolled_back"}}); !r)
            return r.error();
        logged.state = RequestState::RolledBack;
    } else {
        logged.model = model;
        logged.version = current.version;
        logged.target = target;
    }
    logged.rollback = record;
    recordAlias(model, alias, previous, current.version);
    mirror(model, {current.version, previous});
    PromotionRequest entry = logged;
    entry.version = previous;
    if (auto r = audit(AuditAction::Rollback, entry, comment, {{"from", current.version}}); !r)
        return r.error();
    Outcome out;
    out.kind = Outcome::RolledBack;
    out.request = logged;
    out.message = "Alias " + alias + " of '" + model + "' is back on version " + previous
                + " (was version " + current.version + ").";
    return out;
}

std::vector<PromotionRequest> requestsInCache(const Store &store, std::vector<std::string> *problems)
{
    std::vector<PromotionRequest> out;
    for (const auto &model : store.registeredModels())
        for (const auto &version : store.modelVersions(model.name)) {
            auto r = requestFromTags(version);
            if (!r) {
                if (problems)
                    problems->push_back(model.name + " version " + version.version + ": "
                                        + r.error().message);
                continue;
            }
            if (*r)
                out.push_back(std::move(**r));
        }
    std::stable_sort(out.begin(), out.end(), [](const auto &a, const auto &b) {
        return a.requestedAtMs > b.requestedAtMs;
    });
    return out;
}

} // namespace sightline
