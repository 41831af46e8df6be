// SPDX-License-Identifier: GPL-3.0-or-later
// Loading the histories of one metric key for the runs of a comparison set, straight from the
// workspace's BLOBs into SeriesLods, on several threads with a read-only connection each.
#pragma once

#include "compare/serieslod.h"
#include "util/result.h"

#include <atomic>
#include <memory>
#include <string>
#include <vector>

namespace sightline {

struct LoadedSeries {
    std::string runId;
    std::shared_ptr<const SeriesLod> series; // null when the run has no history for the key
    std::string error;                       // a damaged history; the others still load
};

// One entry per run, in the order given. Fails only when the workspace cannot be opened or the
// load was cancelled.
Result<std::vector<LoadedSeries>> loadSeries(const std::string &workspacePath,
                                             const std::vector<std::string> &runIds,
                                             const std::string &key, int threads = 2,
                                             const std::atomic<bool> *cancel = nullptr);

} // namespace sightline
