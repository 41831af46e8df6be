// SPDX-License-Identifier: GPL-3.0-or-later
// The drift engine: fit a reference profile once, then score current tables (whole, per time
// window, per segment) against it. Method choice follows Evidently's DataDriftPreset defaults;
// every score and histogram of a column uses the one binning stored in the profile.
//
// Conventions:
// - Default methods, decided on the reference's non-missing values of the column (as Evidently,
//   which drops NaN first): numeric, KS (p < 0.05) up to 1,000 values, otherwise Wasserstein
//   distance divided by max(np.std(reference), 0.001) (>= 0.1); categorical and boolean,
//   chi-square (p < 0.05), or the two-proportion z-test when reference and current hold at most
//   two distinct values together, up to 1,000 values, otherwise Jensen-Shannon (>= 0.1). Unlike
//   Evidently, numeric columns of few distinct values stay numeric.
// - KS and Wasserstein use every value, exactly. PSI, Jensen-Shannon and Hellinger use the shared
//   binning (numeric: reference quantiles with underflow and overflow bins, where Evidently uses
//   30 equal-width bins of both samples; categorical: the reference's categories and one bin for
//   unseen ones), chi-square and L-infinity the categorical bins; missing values are counted and
//   reported but left out of every score. Infinite values count as missing.
// - Booleans are the categories "0" and "1" (labelled false and true in reports).
// - A column with no values on one side has no score; it counts as drifted when the other side
//   has values. The dataset drifts when drifted / scored columns >= the drift share.
// - Windows and segments use the methods chosen for the whole current table, so one column is
//   judged the same way everywhere in a report.
#pragma once

#include "drift/binning.h"
#include "drift/table.h"
#include "util/result.h"

#include <atomic>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <numbers>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sightline::drift {

// The tests a column can be scored with. P-value methods (Ks, ChiSquare, ZTest) drift when the
// p-value is below the threshold; distance methods drift when the score reaches the threshold.
enum class Method { Psi, Ks, Wasserstein, JensenShannon, Hellinger, ChiSquare, Linf, ZTest };

// "psi", "ks", "wasserstein", "js", "hellinger", "chi2", "linf", "ztest": the names of the
// command line and of the JSON report. parseMethod also takes a few long spellings.
const char *methodName(Method method);
bool parseMethod(std::string_view text, Method &method);
bool isPValueMethod(Method method);
// Evidently's defaults: 0.05 for p-values, 0.1 for every distance.
double defaultThreshold(Method method);
// Ks and Wasserstein need numbers; ChiSquare, Linf and ZTest need categories; the rest apply to
// both through the column's binning.
bool methodApplies(Method method, ColumnType type);

struct ColumnConfig {
    std::optional<Method> method;
    std::optional<double> threshold;
};

// How the current table is split in time: fixed durations aligned to the Unix epoch (so "1d"
// windows are UTC days), or consecutive runs of N rows.
struct WindowSpec {
    enum class Kind { None, Duration, Rows };
    Kind kind = Kind::None;
    int64_t durationMs = 0;
    size_t rows = 0;
    std::string text; // as the user wrote it, for the report
};
// "30m", "1h", "1d", "7d", "90s", "500ms", "2w"; "5000rows".
Result<WindowSpec> parseWindowSpec(std::string_view text);

struct DriftOptions {
    std::map<std::string, ColumnConfig> columns; // per-column method and threshold overrides
    bool allStatistics = false;    // every statistic that applies, beside the chosen method's
    int bins = 10;                 // reference-quantile bins of numeric columns
    double jsLogBase = std::numbers::e;
    double datasetDriftShare = 0.5; // the dataset drifts when this share of columns drifts
    std::optional<std::string> timeColumn;
    WindowSpec window;
    std::optional<std::string> segmentColumn;
    // Called from worker threads, one call at a time; fraction in 0..1.
    std::function<void(double fraction)> progress;
    const std::atomic<bool> *cancel = nullptr;
    int threads = 2;
};

// The fitted reference of one column. Numeric columns keep every finite value, sorted, because
// the KS statistic and the Wasserstein distance are computed exactly, never from bins.
struct ColumnProfile {
    std::string name;
    ColumnType type = ColumnType::Numeric;
    Binning binning;                // empty for timestamp columns, which are not scored
    std::vector<double> histogram;  // reference counts in the binning's layout
    std::vector<double> sorted;     // numeric: finite values, ascending
    double mean = 0.0;              // numeric: of the finite values
    double stddev = 0.0;            // numeric: population standard deviation (numpy's np.std)
    size_t rows = 0;
    size_t missing = 0;             // missing or non-finite values

    bool isFeature() const { return type != ColumnType::Timestamp; }
    size_t present() const { return rows - missing; }
};

// The reference restricted to one value of the segment column, in the same binnings.
struct SegmentProfile {
    std::string value;
    size_t rows = 0;
    std::vector<ColumnProfile> columns; // same order as ReferenceProfile::columns
};

// A fitted reference, reusable for any number of current tables. File format (version 1), all
// integers and doubles little-endian, strings as u32 length + UTF-8 bytes:
//   "SLDRIFTP" u32 version
//   u64 rows, i32 bins, string source, u32 columnCount, columnCount × column,
//   string segmentColumn, u32 segmentCount, segmentCount × (string value, u64 rows,
//   columnCount × column), "END."
// column: string name, u8 type, u64 rows, u64 missing, f64 mean, f64 stddev,
//   binning (u8 type, u32 n, n × f64 edges, u32 m, m × string categories),
//   u32 k, k × f64 histogram, u64 s, s × f64 sorted values.
struct ReferenceProfile {
    std::string source;          // where the reference came from, for the report
    size_t rows = 0;
    int bins = 10;
    std::vector<ColumnProfile> columns;
    std::string segmentColumn;   // empty when fitted without segments
    std::vector<SegmentProfile> segments;

    const ColumnProfile *find(std::string_view name) const;
    // The reference's column types, to read current files the same way.
    std::map<std::string, ColumnType> columnTypes() const;

    Result<void> save(const std::string &path) const;
    static Result<ReferenceProfile> load(const std::string &path);
};

// Statistics of one column; those that do not apply (or were not asked for) are empty.
struct Statistics {
    std::optional<double> psi;
    std::optional<double> ksStatistic;
    std::optional<double> ksPValue;
    std::optional<double> wasserstein;
    std::optional<double> wassersteinNormed;
    std::optional<double> jensenShannon;
    std::optional<double> hellinger;
    std::optional<double> chi2Statistic;
    std::optional<double> chi2PValue;
    std::optional<double> linf;
    std::optional<double> ztestPValue;
};

struct ColumnDrift {
    std::string name;
    ColumnType type = ColumnType::Numeric;
    Method method = Method::Wasserstein;
    double score = std::numeric_limits<double>::quiet_NaN(); // NaN when a side has no values
    double threshold = 0.0;
    bool drifted = false;
    Statistics statistics;
    // The column's binning: labels, and counts on each side (the missing bin included).
    std::vector<std::string> binLabels;
    std::vector<double> referenceHistogram;
    std::vector<double> currentHistogram;
    size_t referenceRows = 0;
    size_t currentRows = 0;
    size_t referenceMissing = 0;
    size_t currentMissing = 0;
    std::string note; // why a score is missing, when it is
};

// The scores of one window or one segment.
struct GroupDrift {
    std::string label;       // window start ("2026-11-03", "2026-11-03T14:00Z", "rows 1-5000")
                             // or segment value
    int64_t startMs = 0;     // windows by time: [startMs, endMs)
    int64_t endMs = 0;
    size_t firstRow = 0;     // windows by rows: 0-based positions, inclusive, in time order
    size_t lastRow = 0;      // (file order without a time column)
    size_t rows = 0;
    size_t referenceRows = 0; // segments: rows of the reference it was compared with
    bool datasetDrift = false;
    double driftShare = 0.0;
    size_t driftedColumns = 0;
    std::vector<ColumnDrift> columns;
};

struct DriftReport {
    bool datasetDrift = false;
    double driftShare = 0.0;           // drifted columns / scored columns
    double driftShareThreshold = 0.5;
    size_t columnCount = 0;
    size_t driftedColumns = 0;
    size_t referenceRows = 0;
    size_t currentRows = 0;
    int bins = 10;
    double jsLogBase = std::numbers::e;
    std::string referenceSource;
    std::vector<ColumnDrift> columns;

    std::string timeColumn;
    WindowSpec window;
    size_t rowsWithoutTime = 0;        // left out of windows by time
    std::vector<GroupDrift> windows;

    std::string segmentColumn;
    bool segmentsAgainstSegments = false; // false: every segment against the whole reference
    std::vector<GroupDrift> segments;
};

// Fits the reference. With options.segmentColumn set, also fits one profile per segment value,
// so segments are later compared with the same segment of the reference.
Result<ReferenceProfile> fitProfile(const Table &reference, const DriftOptions &options = {});

// Scores the current table against a profile. Every feature column of the reference must be in
// the current table with the same type; timestamp columns define windows and are not scored.
Result<DriftReport> scoreTable(const ReferenceProfile &profile, const Table &current,
                               const DriftOptions &options = {});

// Sorts doubles ascending (NaN must be removed first): by counting when there are at most 1,024
// distinct values, otherwise with an LSD radix sort on their bit patterns; `scratch` is reused
// between calls.
void radixSort(std::span<double> values, std::vector<uint64_t> &scratch);

// "2026-11-03T14:05:00Z"
std::string formatTimestamp(int64_t msSinceEpoch);

} // namespace sightline::drift
