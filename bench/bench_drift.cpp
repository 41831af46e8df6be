// SPDX-License-Identifier: GPL-3.0-or-later
// drift.report.1m: two CSV files of 1M rows x 20 numeric + 5 categorical columns, from files to a
// full report with every statistic, against bench/drift_baseline.py (pandas + scipy) on the same
// files in the same run; the two must agree. drift.report.10m (with SIGHTLINE_BENCH_LARGE=1):
// 10M rows x 20 numeric columns per side, time and peak resident memory against the input size.
#include "benchutil.h"
#include "util/rng.h"

#include "drift/report.h"
#include "drift/reportformat.h"
#include "drift/table.h"

#include <nlohmann/json.hpp>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <thread>

#include <sys/resource.h>

using namespace sightline;
using namespace sightline::bench;

namespace {

struct Categorical {
    std::vector<std::string> names;
    std::vector<double> reference; // cumulative weights
    std::vector<double> current;
    double missing = 0.0;
};

std::vector<double> cumulative(std::vector<double> w)
{
    double total = 0.0;
    for (double &x : w)
        total += x;
    double acc = 0.0;
    for (double &x : w) {
        acc += x / total;
        x = acc;
    }
    return w;
}

std::vector<Categorical> categoricals()
{
    std::vector<Categorical> out;
    out.push_back({{"red", "green", "blue"}, cumulative({5, 3, 2}), cumulative({5, 3, 2}), 0.0});
    Categorical city;
    std::vector<double> ref, cur;
    for (int i = 0; i < 12; ++i) {
        char name[16];
        std::snprintf(name, sizeof name, "city%02d", i);
        city.names.push_back(name);
        ref.push_back(std::pow(0.8, i));
        cur.push_back(std::pow(0.8, i) * (i == 3 ? 1.6 : 1.0));
    }
    city.reference = cumulative(ref);
    city.current = cumulative(cur);
    out.push_back(city);
    out.push_back({{"left", "right"}, cumulative({6, 4}), cumulative({5.5, 4.5}), 0.0});
    Categorical sku;
    for (int i = 0; i < 40; ++i) {
        char name[16];
        std::snprintf(name, sizeof name, "sku%03d", i);
        sku.names.push_back(name);
    }
    sku.reference = sku.current = cumulative(std::vector<double>(40, 1.0));
    out.push_back(sku);
    out.push_back({{"tier1", "tier2", "tier3", "tier4", "tier5"}, cumulative({1, 2, 3, 2, 1}),
                   cumulative({1, 2, 3, 2, 1}), 0.02});
    return out;
}

// Column j of 20 numeric columns: five shapes (normal, log-normal, uniform, integers with ties,
// exponential); columns 1, 7 and 13 shift a little and column 4 widens in the current file;
// column 3 misses 1% of its values.
double numericValue(Rng &rng, int j, bool current)
{
    const double shift = current && (j == 1 || j == 7 || j == 13) ? 0.1 : 0.0;
    const double scale = current && j == 4 ? 1.2 : 1.0;
    switch (j % 5) {
    case 0: return j + (1.0 + 0.1 * j) * (rng.normal() * scale + shift);
    case 1: return 100.0 * std::exp(0.5 * rng.normal() * scale + shift);
    case 2: return 1000.0 * rng.uniform() * scale + 300.0 * shift;
    case 3: return std::round(3.0 * (rng.normal() * scale + shift));
    default: return 5.0 * (-std::log(1.0 - rng.uniform()) * scale + shift);
    }
}

size_t pick(const std::vector<double> &cumulativeWeights, double u)
{
    size_t i = 0;
    while (i + 1 < cumulativeWeights.size() && u >= cumulativeWeights[i])
        ++i;
    return i;
}

bool writeCsv(const std::string &path, size_t rows, int numericColumns, bool withCategoricals,
              bool current, uint64_t seed)
{
    std::FILE *f = std::fopen(path.c_str(), "wb");
    if (!f)
        return false;
    Rng rng(seed);
    const auto cats = withCategoricals ? categoricals() : std::vector<Categorical>();
    std::string buf;
    for (int j = 0; j < numericColumns; ++j)
        buf += (j ? ",n" : "n") + std::to_string(j);
    for (size_t k = 0; k < cats.size(); ++k)
        buf += ",c" + std::to_string(k);
    buf += '\n';
    char num[32];
    bool ok = true;
    for (size_t r = 0; r < rows && ok; ++r) {
        for (int j = 0; j < numericColumns; ++j) {
            if (j)
                buf += ',';
            const double v = numericValue(rng, j, current);
            if (j == 3 && rng.uniform() < 0.01)
                continue; // missing
            auto res = std::to_chars(num, num + sizeof num, v, std::chars_format::general, 10);
            buf.append(num, res.ptr);
        }
        for (const auto &c : cats) {
            buf += ',';
            if (c.missing > 0 && rng.uniform() < c.missing)
                continue;
            buf += c.names[pick(current ? c.current : c.reference, rng.uniform())];
        }
        buf += '\n';
        if (buf.size() > (1 << 20)) {
            ok = std::fwrite(buf.data(), 1, buf.size(), f) == buf.size();
            buf.clear();
        }
    }
    ok = ok && std::fwrite(buf.data(), 1, buf.size(), f) == buf.size();
    return std::fclose(f) == 0 && ok;
}

// Both files at once, one per core.
bool writePair(const std::string &ref, const std::string &cur, size_t rows, int numericColumns,
               bool withCategoricals)
{
    bool okRef = false, okCur = false;
    std::thread t(
        [&] { okRef = writeCsv(ref, rows, numericColumns, withCategoricals, false, 11); });
    okCur = writeCsv(cur, rows, numericColumns, withCategoricals, true, 12);
    t.join();
    return okRef && okCur;
}

struct Run {
    double seconds = 0.0;
    drift::DriftReport report;
    size_t jsonBytes = 0;
};

// What `sightline drift REF CUR --all-statistics --format json` does: read and fit the reference,
// free it, read the current file with the reference's types, score, write the JSON.
std::optional<Run> reportFromFiles(const std::string &refPath, const std::string &curPath)
{
    using namespace drift;
    const double t0 = nowSeconds();
    DriftOptions options;
    options.allStatistics = true;
    CsvOptions csv;
    ReferenceProfile profile;
    {
        auto ref = readCsv(refPath, csv);
        if (!ref) {
            std::cerr << ref.error().message << std::endl;
            return std::nullopt;
        }
        auto fitted = fitProfile(*ref, options);
        if (!fitted) {
            std::cerr << fitted.error().message << std::endl;
            return std::nullopt;
        }
        profile = std::move(fitted).value();
    }
    csv.typeOverrides = profile.columnTypes();
    auto cur = readCsv(curPath, csv);
    if (!cur) {
        std::cerr << cur.error().message << std::endl;
        return std::nullopt;
    }
    auto report = scoreTable(profile, *cur, options);
    if (!report) {
        std::cerr << report.error().message << std::endl;
        return std::nullopt;
    }
    Run run;
    run.jsonBytes = toJson(*report).size();
    run.seconds = nowSeconds() - t0;
    run.report = std::move(report).value();
    return run;
}

double relativeDifference(double a, double b)
{
    if (a == b)
        return 0.0;
    if (std::isnan(a) || std::isnan(b))
        return std::isnan(a) && std::isnan(b) ? 0.0 : INFINITY;
    // p-values far below anything a threshold looks at: both effectively zero.
    if (std::fabs(a) < 1e-280 && std::fabs(b) < 1e-280)
        return 0.0;
    return std::fabs(a - b) / std::max(std::fabs(a), std::fabs(b));
}

std::string sourceDir()
{
    if (const char *root = std::getenv("SIGHTLINE_SOURCE_DIR"))
        return root;
    return SIGHTLINE_SOURCE_DIR;
}

uintmax_t fileSize(const std::string &path)
{
    std::error_code ec;
    const auto n = std::filesystem::file_size(path, ec);
    return ec ? 0 : n;
}

} // namespace

int main()
{
    std::string pattern =
        (std::filesystem::temp_directory_path() / "sightline-bench-drift-XXXXXX").string();
    if (!mkdtemp(pattern.data())) {
        std::cerr << "cannot create a temporary folder" << std::endl;
        return 1;
    }
    const std::filesystem::path dir(pattern);
    struct Cleanup {
        std::filesystem::path dir;
        ~Cleanup()
        {
            std::error_code ec;
            std::filesystem::remove_all(dir, ec);
        }
    } cleanup{dir};
    int status = 0;

    // ---- drift.report.1m
    const std::string ref = (dir / "reference.csv").string();
    const std::string cur = (dir / "current.csv").string();
    if (!writePair(ref, cur, 1'000'000, 20, true)) {
        std::cerr << "cannot write the benchmark files" << std::endl;
        return 1;
    }
    const uintmax_t bytes1m = fileSize(ref) + fileSize(cur);
    std::vector<double> times;
    std::optional<Run> last;
    for (int i = 0; i < 3; ++i) {
        last = reportFromFiles(ref, cur);
        if (!last)
            return 1;
        times.push_back(last->seconds);
    }
    const double seconds = percentile(times, 0.5);
    figure("drift.report.1m.seconds", seconds, "s",
           "1M rows x 20 numeric + 5 categorical per side (" + std::to_string(bytes1m >> 20)
               + " MiB), files to JSON report with every statistic, 2 threads, median of 3");

    const std::string out = (dir / "baseline.json").string();
    const std::string command = "/usr/bin/python3 " + sourceDir() + "/bench/drift_baseline.py "
        + ref + " " + cur + " " + out;
    if (std::system(command.c_str()) != 0) {
        std::cerr << "the pandas + scipy baseline did not run (python3-pandas and python3-scipy "
                     "needed)"
                  << std::endl;
        return 1;
    }
    nlohmann::json baseline;
    {
        std::ifstream in(out);
        baseline = nlohmann::json::parse(in, nullptr, false);
    }
    if (baseline.is_discarded() || !baseline.contains("seconds")) {
        std::cerr << "the baseline wrote no result" << std::endl;
        return 1;
    }
    const double baseSeconds = baseline["seconds"].get<double>();
    figure("drift.report.1m.baseline_seconds", baseSeconds, "s",
           "pandas.read_csv + scipy ks_2samp, wasserstein_distance, chisquare, jensenshannon, "
           "numpy PSI/Hellinger/linf/z-test, same files, same run");
    figure("drift.report.1m.speedup", baseSeconds / seconds, "x", "baseline time / Sightline time",
           ">= 20");

    // The same numbers: every statistic of every column.
    double worst = 0.0;
    std::string worstWhere;
    size_t compared = 0;
    const nlohmann::ordered_json report = drift::toJsonValue(last->report);
    for (const auto &c : report["columns"]) {
        const std::string name = c["name"];
        if (!baseline["columns"].contains(name)) {
            worst = INFINITY;
            worstWhere = name + " missing from the baseline";
            continue;
        }
        const auto &theirs = baseline["columns"][name];
        for (auto it = theirs.begin(); it != theirs.end(); ++it) {
            if (!c["statistics"].contains(it.key())) {
                worst = INFINITY;
                worstWhere = name + "." + it.key() + " missing from the report";
                continue;
            }
            const auto &ours = c["statistics"][it.key()];
            const double a = ours.is_null() ? NAN : ours.get<double>();
            const double b = it.value().is_null() ? NAN : it.value().get<double>();
            const double d = relativeDifference(a, b);
            ++compared;
            if (d > worst) {
                worst = d;
                worstWhere = name + "." + it.key();
            }
        }
    }
    figure("drift.report.1m.max_relative_difference", worst, "ratio",
           std::to_string(compared) + " statistics compared with the baseline; largest at "
               + worstWhere,
           "<= 1e-9");
    if (!(worst <= 1e-6) || compared < 100) {
        std::cerr << "the report and the baseline disagree: " << worst << " at " << worstWhere
                  << std::endl;
        status = 1;
    }
    std::filesystem::remove(ref);
    std::filesystem::remove(cur);

    // ---- drift.report.10m
    const char *large = std::getenv("SIGHTLINE_BENCH_LARGE");
    if (large && std::string(large) == "1") {
        const std::string bigRef = (dir / "reference-10m.csv").string();
        const std::string bigCur = (dir / "current-10m.csv").string();
        if (!writePair(bigRef, bigCur, 10'000'000, 20, false)) {
            std::cerr << "cannot write the large benchmark files" << std::endl;
            return 1;
        }
        const uintmax_t input = fileSize(bigRef) + fileSize(bigCur);
        auto big = reportFromFiles(bigRef, bigCur);
        if (!big)
            return 1;
        // Peak of the whole process; the 1M run before peaked far lower.
        struct rusage usage {};
        getrusage(RUSAGE_SELF, &usage);
        const double peak = double(usage.ru_maxrss) * 1024.0;
        figure("drift.report.10m.seconds", big->seconds, "s",
               "10M rows x 20 numeric per side, files to JSON report with every statistic, "
               "2 threads",
               "< 60");
        figure("drift.report.10m.peak_rss_bytes", peak, "bytes",
               "getrusage ru_maxrss of the benchmark process",
               "< input_bytes (" + std::to_string(input) + ")");
        figure("drift.report.10m.input_bytes", double(input), "bytes", "both CSV files");
        if (!(peak < double(input)))
            std::cerr << "peak memory above the input size" << std::endl;
    }
    return status;
}
