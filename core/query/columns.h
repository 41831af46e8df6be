// SPDX-License-Identifier: GPL-3.0-or-later
// Column specifications for run listings ("name", "params.lr", "metrics.val_loss:min",
// "tags.team"), as the command line takes them, and the value of one cell of a run.
#pragma once

#include "store/store.h"
#include "util/result.h"

#include <string>
#include <string_view>
#include <vector>

namespace sightline {

struct RunColumn {
    enum class Kind { Attribute, Param, Metric, Tag };
    enum class Aggregate { Last, Min, Max };
    Kind kind = Kind::Attribute;
    std::string key;              // attribute name, param/metric/tag key
    Aggregate aggregate = Aggregate::Last;
    std::string title() const;    // "metrics.val_loss:min"
};

struct CellValue {
    bool present = false;
    bool numeric = false;
    double number = 0.0;
    std::string text;             // as shown (numbers formatted with 6 significant digits)
};

// Attributes a column can name: run_id, name, experiment_id, experiment, status, user,
// start_time, end_time, duration, lifecycle_stage, parent_run_id.
Result<std::vector<RunColumn>> parseRunColumns(std::string_view list);
std::vector<RunColumn> defaultRunColumns();

// `experimentName` resolves the experiment attribute; may be empty.
CellValue cellValue(const RunRecord &record, const RunColumn &column,
                    const std::string &experimentName = {});

// 6 significant digits; NaN as "NaN"; MLflow's +/-DBL_MAX (its infinity) as "inf"/"-inf".
std::string formatMetric(double value);
// ISO-8601 local-free UTC text for a millisecond timestamp ("2026-11-26 15:04:05").
std::string formatTimestamp(int64_t millis);

} // namespace sightline
