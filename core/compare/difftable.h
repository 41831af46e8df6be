// SPDX-License-Identifier: GPL-3.0-or-later
// The compare pane's diff table, as pure data: the params, metrics and tags of a set of runs side
// by side, which rows differ across the runs shown, the best value of each metric, and the table
// as CSV. A DiffTable holds every value once; a DiffView picks the runs and rows to show, so
// narrowing the runs (brushing) or toggling "only differences" never rebuilds the values.
#pragma once

#include "mlflow/entities.h"
#include "store/store.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sightline {

enum class DiffSection { Params, Metrics, Tags };

// Which value of a metric's history a metric row shows.
enum class DiffMetricMode { Last, Min, Max, AtStep };

enum class MetricDirection { LowerIsBetter, HigherIsBetter };

// Lower is better when the key names a loss or an error, case-insensitive: loss, error, rmse or
// perplexity anywhere in the key, or err, mse, mae, wer, cer as a word of their own (between
// non-letters or at a camelCase boundary: "val_wer", "top1Err", but not "power");
// higher is better otherwise.
MetricDirection metricDirection(std::string_view key);

// The value of the last point whose step is at most `step` (points in logging order, as the
// server returns them); NaN when there is none.
double valueAtStep(const MetricSeries &series, int64_t step);

// Values of metrics at the chosen step by (run id, metric key), computed by the caller from the
// histories. In AtStep mode a pair without an entry shows as missing.
using DiffStepValues = std::map<std::pair<std::string, std::string>, double>;

// One key of one section, with a value per run of the table.
struct DiffRow {
    DiffSection section = DiffSection::Params;
    std::string key;
    // Params and tags: the distinct values, and per run an index into them (-1: run lacks key).
    std::vector<std::string> texts;
    std::vector<int32_t> textOf;
    // Metrics: per run the value and whether the run has one.
    std::vector<double> numbers;
    std::vector<uint8_t> hasNumber;

    bool isMetric() const { return section == DiffSection::Metrics; }
    bool isSystemTag() const;
    bool present(size_t run) const;
    // As shown in a cell: the text, or the metric with 6 significant digits; empty when missing.
    std::string displayText(size_t run) const;
    // As exported and shown in tooltips: the text, or the metric at full precision.
    std::string fullText(size_t run) const;
    // Whether two runs hold the same value (both missing counts as the same; NaN equals NaN).
    bool sameValue(size_t a, size_t b) const;
};

struct DiffTable {
    std::vector<std::string> runIds;
    std::vector<std::string> runLabels; // run name, or the first 8 characters of the id
    std::vector<DiffRow> rows;          // params, then metrics, then tags; keys sorted in each

    size_t runCount() const { return runIds.size(); }
};

// Builds the table of all runs. Metric rows show the chosen value of each run's metric summary;
// in AtStep mode they take the value from `stepValues` instead (none given: every cell missing).
DiffTable buildDiffTable(const std::vector<RunRecord> &runs,
                         DiffMetricMode mode = DiffMetricMode::Last,
                         const DiffStepValues *stepValues = nullptr);

struct DiffViewOptions {
    bool onlyDifferences = true;
    bool includeSystemTags = false; // tags whose key starts with "mlflow."
    std::string keyFilter;          // keeps keys containing it (case-insensitive); empty: all
};

struct DiffViewRow {
    int row = 0;          // index into DiffTable::rows
    bool differs = false; // across the runs of the view
    int best = -1;        // metrics: position in DiffView::runs of the first best run, or -1
};

// What the table shows: a subset of the runs, in table order, and the rows kept for them.
struct DiffView {
    std::vector<int> runs; // indices into the table's runs
    std::vector<DiffViewRow> rows;
};

// `runs` lists table indices to show (std::nullopt: every run). A row differs when two shown runs
// hold different values (a missing value differs from a present one; params compare as text).
// A metric's best value is the lowest or highest finite one by metricDirection(), marked only
// when the row differs; NaN and infinities are never best.
DiffView makeDiffView(const DiffTable &table, const DiffViewOptions &options,
                      const std::optional<std::vector<int>> &runs = std::nullopt);

// Whether the cell of the view row at run position `pos` holds the row's best value (ties are
// all best).
bool isBestCell(const DiffTable &table, const DiffViewRow &row, const DiffView &view, size_t pos);

// "params", "metrics", "tags": the prefixes run columns use ("params.lr").
const char *diffSectionName(DiffSection section);

// The view as CSV (RFC 4180, CRLF line ends). Keys down: a header "section,key,<run labels>"
// and a line per row. Transposed: a header "run_id,run,<section.key ...>" and a line per run.
// Metrics at full precision; missing values are empty fields.
std::string diffTableToCsv(const DiffTable &table, const DiffView &view, bool transposed);

} // namespace sightline
