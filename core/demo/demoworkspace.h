// SPDX-License-Identifier: GPL-3.0-or-later
// The built-in demo workspace: a deterministic generator that writes a believable MLflow
// workspace straight into a cache file, so every pane can be shown with no server. It comes with
// saved comparison sets for the compare pane, a large sweep among them.
#pragma once

#include "store/store.h"
#include "util/result.h"

#include <functional>
#include <string>

namespace sightline {

struct DemoSummary {
    int experiments = 0;
    int runs = 0;
    int64_t points = 0;
    int registeredModels = 0;
    int modelVersions = 0;
};

struct DemoOptions {
    uint64_t seed = 20261126;
    int longRunSteps = 100000; // length of the long training curves
    // The transformer sweep: child runs, each logging train_loss at every step. A sweep step
    // count of 0 follows longRunSteps, so a short demo (for tests) has a short sweep too.
    int sweepRuns = 50;
    int sweepSteps = 0;
    bool overwrite = true;     // replace an existing file
};

// Writes the demo into `path` (a new workspace file). Same options, same bytes of content.
Result<DemoSummary> writeDemoWorkspace(const std::string &path, const DemoOptions &options = {},
                                       const std::function<void(int percent)> &progress = {});

} // namespace sightline
