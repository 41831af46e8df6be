// SPDX-License-Identifier: GPL-3.0-or-later
#include "compare/compareset.h"

#include <nlohmann/json.hpp>

#include <cmath>

namespace sightline {

namespace {

const char *bandName(ComparisonSet::Band band)
{
    return band == ComparisonSet::Band::MinMax ? "minmax" : "std";
}

Error fieldError(const std::string &field, const std::string &what)
{
    return makeError("invalid", "Comparison set: \"" + field + "\" " + what + ".");
}

Result<std::vector<std::string>> stringList(const nlohmann::json &j, const char *field)
{
    std::vector<std::string> out;
    if (!j.contains(field))
        return out;
    const auto &a = j.at(field);
    if (!a.is_array())
        return fieldError(field, "must be a list of strings");
    for (const auto &v : a) {
        if (!v.is_string())
            return fieldError(field, "must be a list of strings");
        out.push_back(v.get<std::string>());
    }
    return out;
}

Result<std::string> string(const nlohmann::json &j, const char *field)
{
    if (!j.contains(field) || j.at(field).is_null())
        return std::string();
    if (!j.at(field).is_string())
        return fieldError(field, "must be a string");
    return j.at(field).get<std::string>();
}

} // namespace

const char *xAxisName(ComparisonSet::XAxis axis)
{
    switch (axis) {
    case ComparisonSet::XAxis::Step: return "step";
    case ComparisonSet::XAxis::WallTime: return "wall";
    case ComparisonSet::XAxis::RelativeTime: return "relative";
    }
    return "step";
}

std::string comparisonSetToJson(const ComparisonSet &set, bool pretty)
{
    nlohmann::json j;
    j["name"] = set.name;
    j["runs"] = set.runIds;
    j["metrics"] = set.metricKeys;
    j["x_axis"] = xAxisName(set.xAxis);
    j["smoothing"] = set.smoothing;
    j["log_y"] = set.logY;
    j["group_by"] = set.groupBy;
    j["band"] = bandName(set.band);
    j["group_traces"] = set.groupTraces;
    j["parallel_axes"] = set.parallelAxes;
    j["scatter_x"] = set.scatterX;
    j["scatter_y"] = set.scatterY;
    j["updated_ms"] = set.updatedMs;
    return j.dump(pretty ? 2 : -1);
}

Result<ComparisonSet> comparisonSetFromJson(const std::string &text)
{
    nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded())
        return makeError("parse", "Comparison set: the file is not valid JSON.");
    if (!j.is_object())
        return makeError("invalid", "Comparison set: expected a JSON object.");

    ComparisonSet set;
    auto name = string(j, "name");
    if (!name)
        return name.error();
    set.name = *name;
    if (set.name.empty())
        return fieldError("name", "is missing or empty");
    auto runs = stringList(j, "runs");
    if (!runs)
        return runs.error();
    set.runIds = std::move(*runs);
    for (const auto &id : set.runIds)
        if (id.empty())
            return fieldError("runs", "holds an empty run ID");
    auto metrics = stringList(j, "metrics");
    if (!metrics)
        return metrics.error();
    set.metricKeys = std::move(*metrics);

    auto x = string(j, "x_axis");
    if (!x)
        return x.error();
    if (x->empty() || *x == "step")
        set.xAxis = ComparisonSet::XAxis::Step;
    else if (*x == "wall")
        set.xAxis = ComparisonSet::XAxis::WallTime;
    else if (*x == "relative")
        set.xAxis = ComparisonSet::XAxis::RelativeTime;
    else
        return fieldError("x_axis", "must be step, wall or relative, not \"" + *x + "\"");

    if (j.contains("smoothing")) {
        if (!j["smoothing"].is_number())
            return fieldError("smoothing", "must be a number");
        set.smoothing = j["smoothing"].get<double>();
        if (!std::isfinite(set.smoothing) || set.smoothing < 0.0 || set.smoothing > 0.99)
            return fieldError("smoothing", "must be between 0 and 0.99");
    }
    for (auto [field, target] : {std::pair{"log_y", &set.logY},
                                 std::pair{"group_traces", &set.groupTraces}}) {
        if (!j.contains(field))
            continue;
        if (!j[field].is_boolean())
            return fieldError(field, "must be true or false");
        *target = j[field].get<bool>();
    }
    auto group = string(j, "group_by");
    if (!group)
        return group.error();
    set.groupBy = *group;
    auto band = string(j, "band");
    if (!band)
        return band.error();
    if (band->empty() || *band == "std")
        set.band = ComparisonSet::Band::StdDev;
    else if (*band == "minmax")
        set.band = ComparisonSet::Band::MinMax;
    else
        return fieldError("band", "must be std or minmax, not \"" + *band + "\"");
    auto axes = stringList(j, "parallel_axes");
    if (!axes)
        return axes.error();
    set.parallelAxes = std::move(*axes);
    auto sx = string(j, "scatter_x");
    auto sy = string(j, "scatter_y");
    if (!sx)
        return sx.error();
    if (!sy)
        return sy.error();
    set.scatterX = *sx;
    set.scatterY = *sy;
    if (j.contains("updated_ms")) {
        if (!j["updated_ms"].is_number_integer())
            return fieldError("updated_ms", "must be an integer");
        set.updatedMs = j["updated_ms"].get<int64_t>();
    }
    return set;
}

} // namespace sightline
