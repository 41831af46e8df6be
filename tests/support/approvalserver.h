// SPDX-License-Identifier: GPL-3.0-or-later
// A small model registry on the MLflow test server for the approval tests: model
// "fraud-detector" with three versions whose source runs log val_auc 0.91, 0.93 and 0.80;
// version 1 holds the alias champion; every version carries validation_status = passed.
// Version 2's run also logs 300 more metrics, so its evidence does not fit in one tag.
#pragma once

#include "testserver.h"

#include <nlohmann/json.hpp>

#include <string>

namespace sightline::test {

inline constexpr const char *kFraudModel = "fraud-detector";

// val_auc ≥ 0.9, no more than 0.5 % below the holder, validated; one approval, not your own.
inline constexpr const char *kFraudPolicy = R"({
  "gates": [
    {"metric": "val_auc", "op": ">=", "value": 0.9},
    {"metric": "val_auc", "max_drop_percent": 0.5},
    {"tag": "validation_status", "equals": "passed"}
  ],
  "reviewers": {"required_approvals": 1, "allow_self_approval": false}
})";

inline bool seedFraudRegistry(TestServer &server)
{
    using json = nlohmann::json;
    const std::string exp = server.post("experiments/create", {{"name", "fraud"}})
                                .value("experiment_id", "");
    if (exp.empty())
        return false;
    const double aucs[] = {0.91, 0.93, 0.80};
    server.post("registered-models/create", {{"name", kFraudModel}});
    for (int i = 0; i < 3; ++i) {
        json run = server.post("runs/create", {{"experiment_id", exp},
                                               {"run_name", "trial-" + std::to_string(i + 1)},
                                               {"start_time", 1795000000000LL + i}});
        if (!run.contains("run"))
            return false;
        const std::string runId = run["run"]["info"]["run_id"];
        json metrics = json::array({{{"key", "val_auc"}, {"value", aucs[i]},
                                     {"timestamp", 1795000001000LL}, {"step", 10}}});
        if (i == 1)
            for (int k = 0; k < 300; ++k)
                metrics.push_back({{"key", "per_class/recall_segment_" + std::to_string(k)},
                                   {"value", 0.5 + k * 0.001},
                                   {"timestamp", 1795000001000LL},
                                   {"step", 10}});
        json params = json::array({{{"key", "lr"}, {"value", i == 1 ? "0.02" : "0.01"}},
                                   {{"key", "depth"}, {"value", "6"}}});
        server.post("runs/log-batch", {{"run_id", runId}, {"metrics", metrics}, {"params", params}});
        server.post("model-versions/create", {{"name", kFraudModel},
                                              {"source", "runs:/" + runId + "/model"},
                                              {"run_id", runId}});
        server.post("model-versions/set-tag", {{"name", kFraudModel},
                                               {"version", std::to_string(i + 1)},
                                               {"key", "validation_status"},
                                               {"value", "passed"}});
    }
    server.post("registered-models/alias",
                {{"name", kFraudModel}, {"alias", "champion"}, {"version", "1"}});
    return true;
}

} // namespace sightline::test
