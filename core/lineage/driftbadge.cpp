// SPDX-License-Identifier: GPL-3.0-or-later
#include "lineage/driftbadge.h"

#include <nlohmann/json.hpp>

namespace sightline::lineage {

DriftResult driftResultOf(const drift::DriftReport &report, const std::string &dataset,
                          const std::string &digest, int64_t timeMs)
{
    DriftResult r;
    r.dataset = dataset;
    r.digest = digest;
    r.driftShare = report.driftShare;
    r.state = report.datasetDrift ? "drifted" : "ok";
    r.timeMs = timeMs;
    nlohmann::json drifted = nlohmann::json::array();
    for (const auto &c : report.columns)
        if (c.drifted)
            drifted.push_back(c.name);
    nlohmann::json summary = {{"columns", report.columnCount},
                              {"drifted_columns", report.driftedColumns},
                              {"drift_share_threshold", report.driftShareThreshold},
                              {"reference_rows", report.referenceRows},
                              {"current_rows", report.currentRows},
                              {"reference", report.referenceSource},
                              {"drifted", std::move(drifted)}};
    r.summaryJson = summary.dump();
    return r;
}

void splitDatasetSpec(const std::string &spec, std::string &name, std::string &digest)
{
    const auto at = spec.rfind('@');
    if (at == std::string::npos || at == 0) {
        name = spec;
        digest.clear();
        return;
    }
    name = spec.substr(0, at);
    digest = spec.substr(at + 1);
}

} // namespace sightline::lineage
