// SPDX-License-Identifier: GPL-3.0-or-later
// The alias timeline of a model: the alias moves the cache recorded (by Sightline or noticed by
// a sync) merged with the promotions and rollbacks in the workspace's audit log, so a move made
// through Sightline appears once, with the comment its audit entry carries.
#pragma once

#include "approval/auditlog.h"
#include "store/store.h"

#include <cstdint>
#include <string>
#include <vector>

namespace sightline {

struct AliasTimelineEntry {
    int64_t timeMs = 0;
    std::string alias;
    std::string version;  // "" when the alias was removed
    std::string previous; // "" when the alias was new
    std::string actor;    // "" when unknown (noticed by a sync)
    std::string source;   // "sightline", "sync" or "audit" (only in the audit log)
    std::string action;   // "promote", "rollback", or "" for a move from the cache alone
    std::string comment;
};

// Newest first. Audit entries of other models and of other actions are ignored; an audit entry
// matches a cached move of the same alias, version and previous holder made within a minute.
std::vector<AliasTimelineEntry> aliasTimeline(const std::string &model,
                                              const std::vector<AliasChange> &changes,
                                              const std::vector<AuditEntry> &audit);

} // namespace sightline
