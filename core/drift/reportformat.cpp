// SPDX-License-Identifier: GPL-3.0-or-later
#include "drift/reportformat.h"
#include "util/csvfield.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <iterator>
#include <utility>

namespace sightline::drift {

namespace {

// Keys in the order of the documented shape, so the file reads top-down as a summary first.
using json = nlohmann::ordered_json;

// The statistics in the order and with the names of the JSON report.
std::vector<std::pair<const char *, std::optional<double>>> statisticList(const Statistics &s)
{
    return {{"psi", s.psi},
            {"ks_statistic", s.ksStatistic},
            {"ks_p_value", s.ksPValue},
            {"wasserstein", s.wasserstein},
            {"wasserstein_normed", s.wassersteinNormed},
            {"jensen_shannon", s.jensenShannon},
            {"hellinger", s.hellinger},
            {"chi2_statistic", s.chi2Statistic},
            {"chi2_p_value", s.chi2PValue},
            {"linf", s.linf},
            {"ztest_p_value", s.ztestPValue}};
}

json number(double v)
{
    // JSON has no NaN or infinity; null says "could not be computed".
    return std::isfinite(v) ? json(v) : json(nullptr);
}

json counts(const std::vector<double> &v)
{
    json a = json::array();
    for (double c : v)
        a.push_back(static_cast<uint64_t>(c));
    return a;
}

json columnJson(const ColumnDrift &c, bool withHistogram)
{
    json stats = json::object();
    for (const auto &[name, value] : statisticList(c.statistics))
        if (value)
            stats[name] = number(*value);
    json o = {{"name", c.name},
              {"type", columnTypeName(c.type)},
              {"method", methodName(c.method)},
              {"score", number(c.score)},
              {"threshold", c.threshold},
              {"drifted", c.drifted},
              {"statistics", std::move(stats)}};
    if (withHistogram)
        o["histogram"] = {{"bins", c.binLabels},
                          {"reference", counts(c.referenceHistogram)},
                          {"current", counts(c.currentHistogram)}};
    o["reference_rows"] = c.referenceRows;
    o["current_rows"] = c.currentRows;
    o["reference_missing"] = c.referenceMissing;
    o["current_missing"] = c.currentMissing;
    if (!c.note.empty())
        o["note"] = c.note;
    return o;
}

json groupColumns(const GroupDrift &g)
{
    json a = json::array();
    for (const auto &c : g.columns)
        a.push_back(columnJson(c, false));
    return a;
}

std::string shortest(double v)
{
    if (!std::isfinite(v))
        return std::isnan(v) ? "" : (v > 0 ? "inf" : "-inf");
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    return ec == std::errc() ? std::string(buf, end) : std::string();
}

// Scores for people: four decimals where that shows the value, scientific notation for the tiny
// p-values of large samples.
std::string readable(double v)
{
    if (std::isnan(v))
        return "-";
    if (std::isinf(v))
        return v > 0 ? "inf" : "-inf";
    char buf[32];
    const double a = std::fabs(v);
    if (v == 0.0)
        return "0";
    if (a >= 1e-3 && a < 1e6)
        std::snprintf(buf, sizeof buf, "%.4f", v);
    else
        std::snprintf(buf, sizeof buf, "%.2e", v);
    return buf;
}

std::string percent(double share)
{
    char buf[16];
    std::snprintf(buf, sizeof buf, "%.0f%%", share * 100.0);
    return buf;
}

std::string condition(const ColumnDrift &c)
{
    return (isPValueMethod(c.method) ? "p < " : ">= ") + shortest(c.threshold);
}

size_t width(const std::string &s)
{
    size_t n = 0;
    for (unsigned char ch : s)
        n += (ch & 0xC0) != 0x80;
    return n;
}

std::string sanitize(std::string s)
{
    for (char &c : s)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
            c = ' ';
    return s;
}

// Left-aligned text columns, right-aligned number columns, two spaces apart.
class TextTable {
public:
    explicit TextTable(std::vector<bool> rightAligned) : m_right(std::move(rightAligned)) {}
    void add(std::vector<std::string> row)
    {
        for (auto &cell : row)
            cell = sanitize(std::move(cell));
        m_rows.push_back(std::move(row));
    }
    std::string render(const std::string &indent = {}) const
    {
        std::vector<size_t> widths(m_right.size(), 0);
        for (const auto &row : m_rows)
            for (size_t i = 0; i < row.size() && i < widths.size(); ++i)
                widths[i] = std::max(widths[i], width(row[i]));
        std::string out;
        for (const auto &row : m_rows) {
            std::string line = indent;
            for (size_t i = 0; i < row.size() && i < widths.size(); ++i) {
                const std::string pad(widths[i] - width(row[i]), ' ');
                if (i)
                    line += "  ";
                line += m_right[i] ? pad + row[i] : row[i] + pad;
            }
            while (!line.empty() && line.back() == ' ')
                line.pop_back();
            out += line + "\n";
        }
        return out;
    }

private:
    std::vector<bool> m_right;
    std::vector<std::vector<std::string>> m_rows;
};

std::string driftedNames(const GroupDrift &g, size_t maxWidth = 60)
{
    std::string out;
    size_t more = 0;
    for (const auto &c : g.columns) {
        if (!c.drifted)
            continue;
        const std::string next = out.empty() ? c.name : out + ", " + c.name;
        if (more || width(next) > maxWidth)
            ++more;
        else
            out = next;
    }
    if (more)
        out += (out.empty() ? "" : ", ") + std::string("+") + std::to_string(more) + " more";
    return out.empty() ? "-" : out;
}

std::string groupTable(const std::vector<GroupDrift> &groups, const char *firstHeader)
{
    TextTable t({false, true, true, true, false, false});
    t.add({firstHeader, "rows", "drifted", "share", "dataset", "drifted columns"});
    for (const auto &g : groups)
        t.add({g.label, std::to_string(g.rows),
               std::to_string(g.driftedColumns) + "/" + std::to_string(g.columns.size()),
               percent(g.driftShare), g.datasetDrift ? "DRIFT" : "ok", driftedNames(g)});
    return t.render("  ");
}

std::string logBaseText(double base)
{
    if (std::fabs(base - std::numbers::e) < 1e-12)
        return "e";
    return shortest(base);
}

} // namespace

nlohmann::ordered_json toJsonValue(const DriftReport &r)
{
    json columns = json::array();
    for (const auto &c : r.columns)
        columns.push_back(columnJson(c, true));
    json windows = json::array();
    for (const auto &w : r.windows) {
        json o = {{"window", w.label}};
        if (r.window.kind == WindowSpec::Kind::Duration || !r.timeColumn.empty()) {
            o["start"] = formatTimestamp(w.startMs);
            o["end"] = formatTimestamp(w.endMs);
        }
        if (r.window.kind == WindowSpec::Kind::Rows) {
            o["first_row"] = w.firstRow;
            o["last_row"] = w.lastRow;
        }
        o["rows"] = w.rows;
        o["dataset_drift"] = w.datasetDrift;
        o["drift_share"] = w.driftShare;
        o["number_of_drifted_columns"] = w.driftedColumns;
        o["columns"] = groupColumns(w);
        windows.push_back(std::move(o));
    }
    json segments = json::array();
    for (const auto &s : r.segments)
        segments.push_back({{"segment", s.label},
                            {"rows", s.rows},
                            {"reference_rows", s.referenceRows},
                            {"dataset_drift", s.datasetDrift},
                            {"drift_share", s.driftShare},
                            {"number_of_drifted_columns", s.driftedColumns},
                            {"columns", groupColumns(s)}});
    json o = {{"dataset_drift", r.datasetDrift},
              {"drift_share", r.driftShare},
              {"drift_share_threshold", r.driftShareThreshold},
              {"number_of_columns", r.columnCount},
              {"number_of_drifted_columns", r.driftedColumns},
              {"reference_rows", r.referenceRows},
              {"current_rows", r.currentRows},
              {"bins", r.bins},
              {"js_log_base", r.jsLogBase},
              {"columns", std::move(columns)},
              {"windows", std::move(windows)},
              {"segments", std::move(segments)}};
    if (!r.referenceSource.empty())
        o["reference"] = r.referenceSource;
    if (!r.timeColumn.empty())
        o["time_column"] = r.timeColumn;
    if (r.window.kind != WindowSpec::Kind::None) {
        o["window"] = r.window.text;
        o["rows_without_time"] = r.rowsWithoutTime;
    }
    if (!r.segmentColumn.empty()) {
        o["segment_column"] = r.segmentColumn;
        o["segment_reference"] = r.segmentsAgainstSegments ? "segment" : "all";
    }
    return o;
}

std::string toJson(const DriftReport &report)
{
    return toJsonValue(report).dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

std::string toTable(const DriftReport &r)
{
    std::string out;
    out += "Data drift: " + std::to_string(r.driftedColumns) + " of "
        + std::to_string(r.columnCount) + " columns drifted (" + percent(r.driftShare)
        + "); the dataset drifts at " + percent(r.driftShareThreshold) + ": "
        + (r.datasetDrift ? "DATASET DRIFT" : "no dataset drift") + ".\n";
    out += "Reference " + std::to_string(r.referenceRows) + " rows";
    if (!r.referenceSource.empty())
        out += " (" + sanitize(r.referenceSource) + ")";
    out += ", current " + std::to_string(r.currentRows) + " rows; " + std::to_string(r.bins)
        + " bins; Jensen-Shannon log base " + logBaseText(r.jsLogBase) + ".\n\n";

    TextTable t({false, false, false, true, false, false, true, true});
    t.add({"column", "type", "method", "score", "drifts at", "drift", "missing ref",
           "missing cur"});
    for (const auto &c : r.columns)
        t.add({c.name, columnTypeName(c.type), methodName(c.method), readable(c.score),
               condition(c), c.drifted ? "DRIFT" : "-", std::to_string(c.referenceMissing),
               std::to_string(c.currentMissing)});
    out += t.render();
    for (const auto &c : r.columns)
        if (!c.note.empty())
            out += "  " + sanitize(c.name) + ": " + c.note + "\n";

    // Every statistic, when more than the chosen method's were computed: one column each, blank
    // where a statistic does not apply.
    const auto names = statisticList(Statistics{});
    std::vector<bool> shown(names.size(), false);
    bool extra = false;
    for (const auto &c : r.columns) {
        const auto values = statisticList(c.statistics);
        size_t n = 0;
        for (size_t i = 0; i < values.size(); ++i) {
            shown[i] = shown[i] || values[i].second.has_value();
            n += values[i].second ? 1 : 0;
        }
        extra = extra || n > 2;
    }
    if (extra) {
        // Short headers keep the table within a wide terminal; the JSON keys are the long names.
        static const char *const shortNames[] = {"psi",    "ks",   "ks p", "wasserstein",
                                                 "normed", "js",   "hellinger", "chi2",
                                                 "chi2 p", "linf", "z p"};
        static_assert(std::size(shortNames) == 11);
        std::vector<bool> right{false};
        std::vector<std::string> header{"column"};
        for (size_t i = 0; i < names.size(); ++i)
            if (shown[i]) {
                right.push_back(true);
                header.push_back(shortNames[i]);
            }
        TextTable st(right);
        st.add(header);
        for (const auto &c : r.columns) {
            std::vector<std::string> line{c.name};
            const auto values = statisticList(c.statistics);
            for (size_t i = 0; i < values.size(); ++i)
                if (shown[i])
                    line.push_back(values[i].second ? readable(*values[i].second) : "");
            st.add(line);
        }
        out += "\nStatistics:\n" + st.render("  ");
    }
    if (!r.windows.empty()) {
        out += "\nWindows by " + (r.timeColumn.empty() ? std::string("row order") : r.timeColumn)
            + ", " + r.window.text + " (" + std::to_string(r.windows.size()) + "):\n";
        out += groupTable(r.windows, "window");
        if (r.rowsWithoutTime)
            out += "  " + std::to_string(r.rowsWithoutTime) + " rows without a time are in no "
                + "window.\n";
    }
    if (!r.segments.empty()) {
        out += "\nSegments by " + sanitize(r.segmentColumn) + ", each against "
            + (r.segmentsAgainstSegments ? "the same segment of the reference"
                                         : "the whole reference")
            + " (" + std::to_string(r.segments.size()) + "):\n";
        out += groupTable(r.segments, "segment");
    }
    return out;
}

std::string toCsv(const DriftReport &r)
{
    std::string out = "scope,group,column,type,method,score,threshold,drifted";
    for (const auto &[name, value] : statisticList(Statistics{}))
        out += std::string(",") + name;
    out += ",reference_rows,current_rows,reference_missing,current_missing\r\n";
    const size_t statisticCount = statisticList(Statistics{}).size();

    auto summary = [&](const char *scope, const std::string &group, double share,
                       bool datasetDrift, size_t referenceRows, size_t currentRows) {
        out += std::string(scope) + "," + csvField(group) + ",,,," + shortest(share) + ","
            + shortest(r.driftShareThreshold) + "," + (datasetDrift ? "true" : "false");
        out += std::string(statisticCount, ',');
        out += "," + std::to_string(referenceRows) + "," + std::to_string(currentRows) + ",,\r\n";
    };
    auto row = [&](const char *scope, const std::string &group, const ColumnDrift &c) {
        out += std::string(scope) + "," + csvField(group) + "," + csvField(c.name) + ","
            + columnTypeName(c.type) + "," + methodName(c.method) + "," + shortest(c.score) + ","
            + shortest(c.threshold) + "," + (c.drifted ? "true" : "false");
        for (const auto &[name, value] : statisticList(c.statistics))
            out += "," + (value ? shortest(*value) : std::string());
        out += "," + std::to_string(c.referenceRows) + "," + std::to_string(c.currentRows) + ","
            + std::to_string(c.referenceMissing) + "," + std::to_string(c.currentMissing)
            + "\r\n";
    };
    summary("dataset", "", r.driftShare, r.datasetDrift, r.referenceRows, r.currentRows);
    for (const auto &c : r.columns)
        row("dataset", "", c);
    for (const auto &w : r.windows) {
        summary("window", w.label, w.driftShare, w.datasetDrift, r.referenceRows, w.rows);
        for (const auto &c : w.columns)
            row("window", w.label, c);
    }
    for (const auto &s : r.segments) {
        summary("segment", s.label, s.driftShare, s.datasetDrift, s.referenceRows, s.rows);
        for (const auto &c : s.columns)
            row("segment", s.label, c);
    }
    return out;
}

} // namespace sightline::drift
