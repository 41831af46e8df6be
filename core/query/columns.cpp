// SPDX-License-Identifier: GPL-3.0-or-later
#include "query/columns.h"

#include <cfloat>
#include <cmath>
#include <cstdio>
#include <ctime>

namespace sightline {

namespace {

const char *const kAttributes[] = {"run_id",    "name",     "experiment_id",  "experiment",
                                   "status",    "user",     "start_time",     "end_time",
                                   "duration",  "lifecycle_stage", "parent_run_id"};

bool startsWith(std::string_view s, std::string_view p)
{
    return s.substr(0, p.size()) == p;
}

std::string trim(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return std::string(s);
}

CellValue number(double v)
{
    return CellValue{true, true, v, formatMetric(v)};
}

CellValue text(std::string s)
{
    return CellValue{true, false, 0.0, std::move(s)};
}

} // namespace

std::string RunColumn::title() const
{
    switch (kind) {
    case Kind::Attribute:
        return key;
    case Kind::Param:
        return "params." + key;
    case Kind::Tag:
        return "tags." + key;
    case Kind::Metric:
        return "metrics." + key
            + (aggregate == Aggregate::Min ? ":min" : aggregate == Aggregate::Max ? ":max" : "");
    }
    return key;
}

Result<std::vector<RunColumn>> parseRunColumns(std::string_view list)
{
    std::vector<RunColumn> out;
    size_t pos = 0;
    while (pos <= list.size()) {
        size_t comma = list.find(',', pos);
        if (comma == std::string_view::npos)
            comma = list.size();
        std::string item = trim(list.substr(pos, comma - pos));
        pos = comma + 1;
        if (item.empty())
            continue;
        RunColumn c;
        if (startsWith(item, "params.") || startsWith(item, "param.")) {
            c.kind = RunColumn::Kind::Param;
            c.key = item.substr(item.find('.') + 1);
        } else if (startsWith(item, "tags.") || startsWith(item, "tag.")) {
            c.kind = RunColumn::Kind::Tag;
            c.key = item.substr(item.find('.') + 1);
        } else if (startsWith(item, "metrics.") || startsWith(item, "metric.")) {
            c.kind = RunColumn::Kind::Metric;
            c.key = item.substr(item.find('.') + 1);
            auto colon = c.key.rfind(':');
            if (colon != std::string::npos) {
                std::string agg = c.key.substr(colon + 1);
                if (agg == "min")
                    c.aggregate = RunColumn::Aggregate::Min;
                else if (agg == "max")
                    c.aggregate = RunColumn::Aggregate::Max;
                else if (agg == "last")
                    c.aggregate = RunColumn::Aggregate::Last;
                else
                    return makeError("invalid", "Unknown metric aggregate '" + agg + "' in column '"
                                                    + item + "': use last, min or max.");
                c.key = c.key.substr(0, colon);
            }
        } else {
            if (startsWith(item, "attributes."))
                item = item.substr(11);
            bool known = false;
            for (const char *a : kAttributes)
                known = known || item == a;
            if (item == "run_name")
                item = "name", known = true;
            if (!known)
                return makeError("invalid", "Unknown column '" + item
                                                + "': use an attribute (name, status, ...), "
                                                  "params.KEY, metrics.KEY[:min|:max] or tags.KEY.");
            c.key = item;
        }
        if (c.key.empty())
            return makeError("invalid", "Column '" + item + "' names no key.");
        out.push_back(std::move(c));
    }
    if (out.empty())
        return makeError("invalid", "The column list is empty.");
    return out;
}

std::vector<RunColumn> defaultRunColumns()
{
    return *parseRunColumns("run_id,name,experiment,status,start_time,duration");
}

std::string formatMetric(double v)
{
    if (std::isnan(v))
        return "NaN";
    if (v >= DBL_MAX || std::isinf(v))
        return v > 0 ? "inf" : "-inf";
    if (v <= -DBL_MAX)
        return "-inf";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

std::string formatTimestamp(int64_t millis)
{
    if (millis <= 0)
        return {};
    std::time_t t = static_cast<std::time_t>(millis / 1000);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    return buf;
}

CellValue cellValue(const RunRecord &rec, const RunColumn &c, const std::string &experimentName)
{
    const Run &r = rec.run;
    switch (c.kind) {
    case RunColumn::Kind::Param:
        if (const auto *v = r.param(c.key))
            return text(*v);
        return {};
    case RunColumn::Kind::Tag:
        if (const auto *v = r.tag(c.key))
            return text(*v);
        return {};
    case RunColumn::Kind::Metric: {
        auto it = rec.summaries.find(c.key);
        if (it == rec.summaries.end()) {
            if (const Metric *m = r.metric(c.key))
                return number(m->value);
            return {};
        }
        switch (c.aggregate) {
        case RunColumn::Aggregate::Last:
            return number(it->second.last);
        case RunColumn::Aggregate::Min:
            return number(it->second.min);
        case RunColumn::Aggregate::Max:
            return number(it->second.max);
        }
        return {};
    }
    case RunColumn::Kind::Attribute:
        break;
    }
    const std::string &k = c.key;
    if (k == "run_id")
        return text(r.runId);
    if (k == "name")
        return text(r.runName);
    if (k == "experiment_id")
        return text(r.experimentId);
    if (k == "experiment")
        return text(experimentName.empty() ? r.experimentId : experimentName);
    if (k == "status")
        return text(r.status);
    if (k == "user")
        return text(r.userId);
    if (k == "lifecycle_stage")
        return text(r.lifecycleStage);
    if (k == "parent_run_id") {
        auto p = r.parentRunId();
        return p.empty() ? CellValue{} : text(p);
    }
    if (k == "start_time")
        return CellValue{true, true, static_cast<double>(r.startTime), formatTimestamp(r.startTime)};
    if (k == "end_time") {
        if (r.endTime <= 0)
            return {};
        return CellValue{true, true, static_cast<double>(r.endTime), formatTimestamp(r.endTime)};
    }
    if (k == "duration") {
        if (r.endTime <= 0 || r.startTime <= 0)
            return {};
        const double secs = (r.endTime - r.startTime) / 1000.0;
        char buf[32];
        if (secs < 60)
            std::snprintf(buf, sizeof buf, "%.1fs", secs);
        else if (secs < 3600)
            std::snprintf(buf, sizeof buf, "%dm %02ds", int(secs) / 60, int(secs) % 60);
        else
            std::snprintf(buf, sizeof buf, "%dh %02dm", int(secs) / 3600, int(secs) % 3600 / 60);
        return CellValue{true, true, secs, buf};
    }
    return {};
}

} // namespace sightline
