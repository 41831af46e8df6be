// SPDX-License-Identifier: GPL-3.0-or-later
// Three small runs for the diff table tests: the same lr, optimizer and team, a different batch
// size, metric and user, and one run without a name.
#pragma once

#include "store/store.h"

#include <string>
#include <utility>
#include <vector>

namespace sightline::test {

struct DiffRunSpec {
    std::string id;
    std::string name;
    std::vector<KeyValue> params;
    std::vector<std::pair<std::string, double>> metrics; // last; min = last - 1, max = last + 1
    std::vector<KeyValue> tags;
};

inline RunRecord diffRecord(const DiffRunSpec &spec)
{
    RunRecord r;
    r.run.runId = spec.id;
    r.run.runName = spec.name;
    r.run.params = spec.params;
    r.run.tags = spec.tags;
    for (const auto &[key, value] : spec.metrics) {
        r.run.metrics.push_back({key, value, 0, 10});
        r.summaries[key] = MetricSummary{value, value - 1.0, value + 1.0, 10, true};
    }
    return r;
}

// The third run's accuracy is the caller's: equal to the second's or not.
inline std::vector<RunRecord> diffSampleRuns(double thirdAccuracy)
{
    return {
        diffRecord({"aaaaaaaa1111", "alpha",
                    {{"lr", "0.01"}, {"batch", "32"}, {"optimizer", "adam"}},
                    {{"val_loss", 0.5}, {"accuracy", 0.8}},
                    {{"team", "vision"}, {"mlflow.user", "ana"}}}),
        diffRecord({"bbbbbbbb2222", "beta",
                    {{"lr", "0.01"}, {"batch", "64"}, {"optimizer", "adam"}},
                    {{"val_loss", 0.3}, {"accuracy", 0.9}},
                    {{"team", "vision"}, {"mlflow.user", "bo"}}}),
        diffRecord({"cccccccc3333", "",
                    {{"lr", "0.01"}, {"batch", "32"}, {"optimizer", "adam"}},
                    {{"val_loss", 0.4}, {"accuracy", thirdAccuracy}},
                    {{"team", "vision"}, {"mlflow.user", "ana"}}}),
    };
}

} // namespace sightline::test
