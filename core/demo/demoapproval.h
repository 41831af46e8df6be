// SPDX-License-Identifier: GPL-3.0-or-later
// The approval story of the demo workspace, written beside the registry the demo generator
// made: fraud-classifier version 2 promoted to champion through a request with two approvals,
// version 3 promoted after it and rolled back a day later, and version 4 waiting with one of its
// two approvals. The requests are the same sightline.* tags a server would hold, the alias
// history is in the cache, and the audit log and the policy files sit beside the workspace.
#pragma once

#include "store/store.h"
#include "util/result.h"

#include <cstdint>
#include <string>

namespace sightline {

// Expects the demo's fraud-classifier (versions 1–4 with source runs logging val_auc) in
// `store`; writes the request tags onto its versions, the alias history, `workspacePath`'s
// audit log (replaced) and its policies folder (fraud-classifier.json and default.json).
// `epochMs` is the demo's day 0.
Result<void> writeDemoApprovals(Store &store, const std::string &workspacePath, int64_t epochMs);

} // namespace sightline
