// SPDX-License-Identifier: GPL-3.0-or-later
#include "aliastimeline.h"

#include <algorithm>
#include <cstdlib>

namespace sightline {

namespace {

constexpr int64_t kMatchWindowMs = 60 * 1000;

std::string detailString(const nlohmann::json &details, const char *key)
{
    if (details.is_object() && details.contains(key) && details[key].is_string())
        return details[key].get<std::string>();
    return {};
}

} // namespace

std::vector<AliasTimelineEntry> aliasTimeline(const std::string &model,
                                              const std::vector<AliasChange> &changes,
                                              const std::vector<AuditEntry> &audit)
{
    std::vector<AliasTimelineEntry> out;
    for (const auto &c : changes) {
        if (!model.empty() && c.model != model)
            continue;
        out.push_back({c.timeMs, c.alias, c.version, c.previous, c.actor, c.source, {}, {}});
    }
    const size_t cached = out.size();
    std::vector<bool> matched(cached, false);
    for (const auto &e : audit) {
        if (e.model != model || e.alias.empty())
            continue;
        if (e.action != AuditAction::Promote && e.action != AuditAction::Rollback)
            continue;
        if (detailString(e.details, "target_kind") == "stage")
            continue;
        AliasTimelineEntry entry;
        entry.timeMs = e.timeMs;
        entry.alias = e.alias;
        entry.version = e.version;
        entry.previous = detailString(e.details, e.action == AuditAction::Promote ? "previous"
                                                                                  : "from");
        entry.actor = e.actor;
        entry.source = "audit";
        entry.action = std::string(auditActionText(e.action));
        entry.comment = e.comment;
        bool merged = false;
        for (size_t i = 0; i < cached && !merged; ++i) {
            AliasTimelineEntry &c = out[i];
            if (matched[i] || c.alias != entry.alias || c.version != entry.version
                || c.previous != entry.previous || std::llabs(c.timeMs - entry.timeMs) > kMatchWindowMs)
                continue;
            matched[i] = merged = true;
            c.action = entry.action;
            c.comment = entry.comment;
            if (c.actor.empty())
                c.actor = entry.actor;
        }
        if (!merged)
            out.push_back(std::move(entry));
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const auto &a, const auto &b) { return a.timeMs > b.timeMs; });
    return out;
}

} // namespace sightline
