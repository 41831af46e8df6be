// SPDX-License-Identifier: GPL-3.0-or-later
#include "difftable.h"

#include "query/columns.h"
#include "util/csvfield.h"

#include <algorithm>
#include <array>
#include <cfloat>
#include <charconv>
#include <cmath>
#include <limits>
#include <string_view>
#include <unordered_map>

namespace sightline {

namespace {

constexpr std::string_view kSystemTagPrefix = "mlflow.";

char fold(char c)
{
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool containsFolded(std::string_view haystack, std::string_view needle)
{
    if (needle.empty())
        return true;
    if (needle.size() > haystack.size())
        return false;
    for (size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
        size_t j = 0;
        while (j < needle.size() && fold(haystack[i + j]) == fold(needle[j]))
            ++j;
        if (j == needle.size())
            return true;
    }
    return false;
}

bool isLetter(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool isUpper(char c)
{
    return c >= 'A' && c <= 'Z';
}

// Short abbreviations count only as a word of their own ("val_wer", "top1Err", "WER"), so that
// "power" or "answer_rate" are not taken for error rates.
bool containsWord(std::string_view haystack, std::string_view word)
{
    for (size_t i = 0; i + word.size() <= haystack.size(); ++i) {
        size_t j = 0;
        while (j < word.size() && fold(haystack[i + j]) == fold(word[j]))
            ++j;
        if (j != word.size())
            continue;
        const char first = haystack[i];
        const char last = haystack[i + word.size() - 1];
        const bool startsWord =
            i == 0 || !isLetter(haystack[i - 1]) || (isUpper(first) && !isUpper(haystack[i - 1]));
        const size_t after = i + word.size();
        const bool endsWord = after == haystack.size() || !isLetter(haystack[after])
                              || (isUpper(haystack[after]) && !isUpper(last));
        if (startsWord && endsWord)
            return true;
    }
    return false;
}

// MLflow keeps infinities as +/-DBL_MAX, so those are not finite either.
bool isFiniteMetric(double v)
{
    return std::isfinite(v) && std::abs(v) < DBL_MAX;
}

// Shortest text that reads back as the same double.
std::string fullPrecision(double v)
{
    if (!isFiniteMetric(v))
        return formatMetric(v);
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    if (ec != std::errc())
        return formatMetric(v);
    return std::string(buf, end);
}

std::string runLabel(const Run &run)
{
    if (!run.runName.empty())
        return run.runName;
    return run.runId.substr(0, 8);
}

// Collects the keys of one section, then hands out rows in sorted key order.
struct KeyIndex {
    std::unordered_map<std::string_view, int> index;
    std::vector<std::string_view> keys;

    void add(std::string_view key)
    {
        if (index.try_emplace(key, static_cast<int>(keys.size())).second)
            keys.push_back(key);
    }
    // Sorts the keys and points the index at each key's position in sorted order.
    void sort()
    {
        std::sort(keys.begin(), keys.end());
        for (size_t i = 0; i < keys.size(); ++i)
            index[keys[i]] = static_cast<int>(i);
    }
};

// Fills a text row's value of one run, sharing equal values through `distinct`.
void setText(DiffRow &row, std::unordered_map<std::string_view, int32_t> &distinct, size_t run,
             const std::string &value)
{
    auto [it, added] = distinct.try_emplace(value, static_cast<int32_t>(row.texts.size()));
    if (added)
        row.texts.push_back(value);
    row.textOf[run] = it->second;
}

} // namespace

MetricDirection metricDirection(std::string_view key)
{
    static constexpr std::array<std::string_view, 4> kAnywhere = {"loss", "error", "rmse",
                                                                  "perplexity"};
    static constexpr std::array<std::string_view, 5> kWords = {"err", "mse", "mae", "wer", "cer"};
    for (std::string_view word : kAnywhere)
        if (containsFolded(key, word))
            return MetricDirection::LowerIsBetter;
    for (std::string_view word : kWords)
        if (containsWord(key, word))
            return MetricDirection::LowerIsBetter;
    return MetricDirection::HigherIsBetter;
}

double valueAtStep(const MetricSeries &series, int64_t step)
{
    // Logging order need not follow steps (a run may log step 5 before step 3, or re-log a step),
    // so the last logged point at or before the step wins rather than a binary search.
    double value = std::numeric_limits<double>::quiet_NaN();
    int64_t bestStep = std::numeric_limits<int64_t>::min();
    const size_t n = std::min(series.steps.size(), series.values.size());
    for (size_t i = 0; i < n; ++i) {
        const int64_t s = series.steps[i];
        if (s <= step && s >= bestStep) {
            bestStep = s;
            value = series.values[i];
        }
    }
    return value;
}

bool DiffRow::isSystemTag() const
{
    return section == DiffSection::Tags && key.starts_with(kSystemTagPrefix);
}

bool DiffRow::present(size_t run) const
{
    if (isMetric())
        return run < hasNumber.size() && hasNumber[run] != 0;
    return run < textOf.size() && textOf[run] >= 0;
}

std::string DiffRow::displayText(size_t run) const
{
    if (!present(run))
        return {};
    return isMetric() ? formatMetric(numbers[run]) : texts[static_cast<size_t>(textOf[run])];
}

std::string DiffRow::fullText(size_t run) const
{
    if (!present(run))
        return {};
    return isMetric() ? fullPrecision(numbers[run]) : texts[static_cast<size_t>(textOf[run])];
}

bool DiffRow::sameValue(size_t a, size_t b) const
{
    const bool pa = present(a);
    const bool pb = present(b);
    if (pa != pb)
        return false;
    if (!pa)
        return true;
    if (!isMetric())
        return textOf[a] == textOf[b];
    const double x = numbers[a];
    const double y = numbers[b];
    return x == y || (std::isnan(x) && std::isnan(y));
}

DiffTable buildDiffTable(const std::vector<RunRecord> &runs, DiffMetricMode mode,
                         const DiffStepValues *stepValues)
{
    DiffTable table;
    const size_t n = runs.size();
    table.runIds.reserve(n);
    table.runLabels.reserve(n);
    std::unordered_map<std::string_view, size_t> runIndex;
    for (size_t i = 0; i < n; ++i) {
        table.runIds.push_back(runs[i].run.runId);
        table.runLabels.push_back(runLabel(runs[i].run));
        runIndex.try_emplace(runs[i].run.runId, i);
    }
    const bool atStep = mode == DiffMetricMode::AtStep;

    KeyIndex params, metrics, tags;
    for (const RunRecord &record : runs) {
        for (const KeyValue &kv : record.run.params)
            params.add(kv.key);
        for (const auto &[key, summary] : record.summaries)
            metrics.add(key);
        for (const Metric &m : record.run.metrics)
            metrics.add(m.key);
        for (const KeyValue &kv : record.run.tags)
            tags.add(kv.key);
    }
    if (atStep && stepValues)
        for (const auto &[runAndKey, value] : *stepValues)
            if (runIndex.contains(runAndKey.first))
                metrics.add(runAndKey.second);
    params.sort();
    metrics.sort();
    tags.sort();

    const size_t paramBase = 0;
    const size_t metricBase = params.keys.size();
    const size_t tagBase = metricBase + metrics.keys.size();
    table.rows.resize(tagBase + tags.keys.size());
    auto initRows = [&](const KeyIndex &keys, size_t base, DiffSection section) {
        for (size_t i = 0; i < keys.keys.size(); ++i) {
            DiffRow &row = table.rows[base + i];
            row.section = section;
            row.key = std::string(keys.keys[i]);
            if (section == DiffSection::Metrics) {
                row.numbers.assign(n, 0.0);
                row.hasNumber.assign(n, 0);
            } else {
                row.textOf.assign(n, -1);
            }
        }
    };
    initRows(params, paramBase, DiffSection::Params);
    initRows(metrics, metricBase, DiffSection::Metrics);
    initRows(tags, tagBase, DiffSection::Tags);

    // Distinct values per text row while filling; views point into `runs`, alive until return.
    std::vector<std::unordered_map<std::string_view, int32_t>> distinct(table.rows.size());
    for (size_t r = 0; r < n; ++r) {
        const RunRecord &record = runs[r];
        for (const KeyValue &kv : record.run.params) {
            const size_t row = paramBase + static_cast<size_t>(params.index.at(kv.key));
            setText(table.rows[row], distinct[row], r, kv.value);
        }
        for (const KeyValue &kv : record.run.tags) {
            const size_t row = tagBase + static_cast<size_t>(tags.index.at(kv.key));
            setText(table.rows[row], distinct[row], r, kv.value);
        }
        if (atStep)
            continue;
        // The latest value stands in for every mode where no summary is known.
        for (const Metric &m : record.run.metrics) {
            DiffRow &row = table.rows[metricBase + static_cast<size_t>(metrics.index.at(m.key))];
            row.numbers[r] = m.value;
            row.hasNumber[r] = 1;
        }
        for (const auto &[key, summary] : record.summaries) {
            DiffRow &row = table.rows[metricBase + static_cast<size_t>(metrics.index.at(key))];
            row.numbers[r] = mode == DiffMetricMode::Min   ? summary.min
                             : mode == DiffMetricMode::Max ? summary.max
                                                           : summary.last;
            row.hasNumber[r] = 1;
        }
    }
    if (atStep && stepValues) {
        for (const auto &[runAndKey, value] : *stepValues) {
            auto run = runIndex.find(runAndKey.first);
            if (run == runIndex.end())
                continue;
            DiffRow &row =
                table.rows[metricBase + static_cast<size_t>(metrics.index.at(runAndKey.second))];
            row.numbers[run->second] = value;
            row.hasNumber[run->second] = 1;
        }
    }
    return table;
}

DiffView makeDiffView(const DiffTable &table, const DiffViewOptions &options,
                      const std::optional<std::vector<int>> &runs)
{
    DiffView view;
    if (!runs) {
        view.runs.resize(table.runCount());
        for (size_t i = 0; i < table.runCount(); ++i)
            view.runs[i] = static_cast<int>(i);
    } else {
        for (int r : *runs)
            if (r >= 0 && static_cast<size_t>(r) < table.runCount())
                view.runs.push_back(r);
    }

    for (size_t i = 0; i < table.rows.size(); ++i) {
        const DiffRow &row = table.rows[i];
        if (row.isSystemTag() && !options.includeSystemTags)
            continue;
        if (!containsFolded(row.key, options.keyFilter))
            continue;

        // A row none of the shown runs has says nothing about them.
        bool anyPresent = false;
        bool differs = false;
        for (size_t p = 0; p < view.runs.size(); ++p) {
            const auto run = static_cast<size_t>(view.runs[p]);
            anyPresent = anyPresent || row.present(run);
            if (p > 0 && !row.sameValue(static_cast<size_t>(view.runs[0]), run))
                differs = true;
            if (anyPresent && differs)
                break;
        }
        if (!anyPresent || (options.onlyDifferences && !differs))
            continue;

        DiffViewRow out;
        out.row = static_cast<int>(i);
        out.differs = differs;
        if (row.isMetric() && differs) {
            const bool lower = metricDirection(row.key) == MetricDirection::LowerIsBetter;
            double bestValue = 0.0;
            for (size_t p = 0; p < view.runs.size(); ++p) {
                const auto run = static_cast<size_t>(view.runs[p]);
                if (!row.present(run) || !isFiniteMetric(row.numbers[run]))
                    continue;
                const double v = row.numbers[run];
                if (out.best < 0 || (lower ? v < bestValue : v > bestValue)) {
                    out.best = static_cast<int>(p);
                    bestValue = v;
                }
            }
        }
        view.rows.push_back(out);
    }
    return view;
}

bool isBestCell(const DiffTable &table, const DiffViewRow &row, const DiffView &view, size_t pos)
{
    if (row.best < 0 || pos >= view.runs.size())
        return false;
    const DiffRow &data = table.rows[static_cast<size_t>(row.row)];
    const auto run = static_cast<size_t>(view.runs[pos]);
    const auto bestRun = static_cast<size_t>(view.runs[static_cast<size_t>(row.best)]);
    return data.present(run) && data.numbers[run] == data.numbers[bestRun];
}

const char *diffSectionName(DiffSection section)
{
    switch (section) {
    case DiffSection::Params:
        return "params";
    case DiffSection::Metrics:
        return "metrics";
    case DiffSection::Tags:
        return "tags";
    }
    return "";
}

std::string diffTableToCsv(const DiffTable &table, const DiffView &view, bool transposed)
{
    std::string out;
    auto endLine = [&out] { out += "\r\n"; };
    if (!transposed) {
        out += "section,key";
        for (int run : view.runs)
            out += ',' + csvField(table.runLabels[static_cast<size_t>(run)]);
        endLine();
        for (const DiffViewRow &vr : view.rows) {
            const DiffRow &row = table.rows[static_cast<size_t>(vr.row)];
            out += diffSectionName(row.section);
            out += ',' + csvField(row.key);
            for (int run : view.runs)
                out += ',' + csvField(row.fullText(static_cast<size_t>(run)));
            endLine();
        }
        return out;
    }
    out += "run_id,run";
    for (const DiffViewRow &vr : view.rows) {
        const DiffRow &row = table.rows[static_cast<size_t>(vr.row)];
        out += ',' + csvField(std::string(diffSectionName(row.section)) + '.' + row.key);
    }
    endLine();
    for (int run : view.runs) {
        const auto r = static_cast<size_t>(run);
        out += csvField(table.runIds[r]);
        out += ',' + csvField(table.runLabels[r]);
        for (const DiffViewRow &vr : view.rows)
            out += ',' + csvField(table.rows[static_cast<size_t>(vr.row)].fullText(r));
        endLine();
    }
    return out;
}

} // namespace sightline
