// SPDX-License-Identifier: GPL-3.0-or-later
// The drift result a report leaves on a dataset's lineage node: state, drift share and a short
// JSON summary, recorded in the workspace cache by `sightline drift --workspace`.
#pragma once

#include "drift/report.h"
#include "store/store.h"

#include <cstdint>
#include <string>

namespace sightline::lineage {

DriftResult driftResultOf(const drift::DriftReport &report, const std::string &dataset,
                          const std::string &digest, int64_t timeMs);

// Splits NAME[@DIGEST] (the digest is what follows the last '@').
void splitDatasetSpec(const std::string &spec, std::string &name, std::string &digest);

} // namespace sightline::lineage
