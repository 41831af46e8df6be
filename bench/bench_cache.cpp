// SPDX-License-Identifier: GPL-3.0-or-later
// history.load.1m: one 1M-point history from the cache against reading it as three plain
// columns from a file; filter.100k: a three-clause filter over 100,000 cached runs against a hand-written
// loop testing the same three conditions.
#include "benchutil.h"

#include "query/filter.h"
#include "store/store.h"

#include <sqlite3.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

using namespace sightline;
using namespace sightline::bench;

namespace {

std::string tempPath(const char *name)
{
    return (std::filesystem::temp_directory_path() / name).string();
}

// Loads a 1M-point history `rounds` times from the cache and as three plain 8-byte columns from
// a file (24 MB, the form the program holds it in); returns the two medians in ms and the bytes
// the cache stores for it.
struct LoadTimes {
    double cacheMs = 0, fileMs = 0;
    int64_t storedBytes = 0;
};

LoadTimes timeLoads(Store &store, const std::string &key, const MetricSeries &series)
{
    const size_t n = series.size();
    (void)store.begin();
    (void)store.putHistory("run", key, series);
    (void)store.commit();
    const std::string plain = tempPath("sightline-bench-history.bin");
    {
        std::ofstream f(plain, std::ios::binary);
        f.write(reinterpret_cast<const char *>(series.steps.data()), n * 8);
        f.write(reinterpret_cast<const char *>(series.timestamps.data()), n * 8);
        f.write(reinterpret_cast<const char *>(series.values.data()), n * 8);
    }
    std::vector<double> cacheTimes, fileTimes;
    for (int round = 0; round < 15; ++round) {
        double t0 = nowSeconds();
        auto loaded = store.loadHistory("run", key);
        double t1 = nowSeconds();
        if (!loaded || loaded->size() != n || loaded->timestamps != series.timestamps)
            std::exit(1);
        cacheTimes.push_back((t1 - t0) * 1000);

        t0 = nowSeconds();
        MetricSeries s;
        s.steps.resize(n);
        s.timestamps.resize(n);
        s.values.resize(n);
        std::FILE *f = std::fopen(plain.c_str(), "rb");
        size_t got = std::fread(s.steps.data(), 8, n, f);
        got += std::fread(s.timestamps.data(), 8, n, f);
        got += std::fread(s.values.data(), 8, n, f);
        std::fclose(f);
        t1 = nowSeconds();
        if (got != 3 * n)
            std::exit(1);
        fileTimes.push_back((t1 - t0) * 1000);
    }
    std::filesystem::remove(plain);
    LoadTimes out{percentile(cacheTimes, 0.5), percentile(fileTimes, 0.5), 0};
    sqlite3_stmt *q = nullptr;
    const std::string sql = "SELECT length(data) FROM metric_history WHERE key = '" + key + "'";
    if (sqlite3_prepare_v2(store.handle(), sql.c_str(), -1, &q, nullptr) == SQLITE_OK
        && sqlite3_step(q) == SQLITE_ROW)
        out.storedBytes = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return out;
}

void historyLoad()
{
    const std::string ws = tempPath("sightline-bench-history.sqlite");
    for (const char *s : {"", "-wal", "-shm"})
        std::filesystem::remove(ws + s);
    auto store = Store::open(ws);
    if (!store) {
        std::cerr << store.error().message << std::endl;
        std::exit(1);
    }
    const size_t n = 1'000'000;
    // As a training loop logs it: every step, wall-clock timestamps about 100 ms apart with
    // jitter. The cache keeps the steps as a progression and the timestamps as 32-bit offsets.
    MetricSeries series;
    series.reserve(n);
    for (size_t i = 0; i < n; ++i)
        series.append(static_cast<int64_t>(i),
                      1795000000000 + static_cast<int64_t>(i) * 100
                          + static_cast<int64_t>((i * 7919) % 37),
                      std::sin(i * 1e-3) + 1e-4 * static_cast<double>(i % 97));
    const LoadTimes packed = timeLoads(**store, "loss", series);
    const auto mb = [](int64_t bytes) { return std::to_string(bytes / 1'000'000) + " MB"; };
    figure("history.load.1m.ms", packed.cacheMs, "ms",
           "median of 15 loads; stored in " + mb(packed.storedBytes)
               + " (steps as a progression, timestamps as 32-bit offsets)");
    figure("history.load.1m.plain_file_ms", packed.fileMs, "ms",
           "the same history as three plain 8-byte columns from a file (24 MB, fread)");
    figure("history.load.1m.ratio", packed.cacheMs / packed.fileMs, "x",
           "cache time / plain file time", "<= 3");
    // One that does not pack (steps and timestamps with gaps beyond 32 bits): 24 MB stored.
    for (size_t i = 0; i < n; ++i) {
        series.steps[i] = static_cast<int64_t>(i) * 10'000'000'000 + static_cast<int64_t>(i % 3);
        series.timestamps[i] = 1795000000000 + static_cast<int64_t>(i) * 5'000'000'000
                             + static_cast<int64_t>(i % 7);
    }
    const LoadTimes plain = timeLoads(**store, "unpacked", series);
    figure("history.load.1m.unpacked_ratio", plain.cacheMs / plain.fileMs, "x",
           "a history that does not pack, stored in " + mb(plain.storedBytes) + ": "
               + std::to_string(plain.cacheMs).substr(0, 5) + " ms against "
               + std::to_string(plain.fileMs).substr(0, 5) + " ms from the plain file",
           "<= 3");
    store->reset();
    for (const char *s : {"", "-wal", "-shm"})
        std::filesystem::remove(ws + s);
}

void filter100k()
{
    std::vector<Run> runs(100'000);
    const char *opts[] = {"adam", "sgd", "adamw", "lion"};
    for (size_t i = 0; i < runs.size(); ++i) {
        Run &r = runs[i];
        r.runId = std::to_string(i);
        r.runName = "run-" + std::to_string(i);
        r.status = i % 10 ? "FINISHED" : "FAILED";
        r.startTime = 1795000000000 + static_cast<int64_t>(i) * 1000;
        r.params = {{"optimizer", opts[i % 4]},
                    {"learning_rate", std::to_string(0.0001 * (1 + i % 50))},
                    {"batch_size", std::to_string(32 << (i % 4))},
                    {"depth", std::to_string(10 + i % 40)},
                    {"dropout", std::to_string(0.1 * (i % 5))},
                    {"seed", std::to_string(i)}};
        r.metrics = {{"val_loss", 0.2 + 0.8 * std::fmod(i * 0.6180339887, 1.0), 0, 100},
                     {"val_accuracy", 0.5 + 0.5 * std::fmod(i * 0.41421356, 1.0), 0, 100},
                     {"train_loss", 0.1 + std::fmod(i * 0.7320508, 1.0), 0, 100}};
        r.tags = {{"mlflow.runName", r.runName}, {"team", i % 3 ? "vision" : "nlp"},
                  {"mlflow.user", "ana"}};
    }
    const std::string text =
        "metrics.val_loss < 0.5 AND params.optimizer = 'adam' AND tags.team != 'nlp'";
    auto filter = RunFilter::parse(text);
    if (!filter)
        std::exit(1);
    std::vector<double> times, baseline;
    size_t matched = 0, matchedBaseline = 0;
    for (int round = 0; round < 11; ++round) {
        double t0 = nowSeconds();
        matched = 0;
        for (const auto &r : runs)
            matched += filter->matches(r);
        times.push_back((nowSeconds() - t0) * 1000);

        t0 = nowSeconds();
        matchedBaseline = 0;
        for (const auto &r : runs) {
            const Metric *m = r.metric("val_loss");
            const std::string *o = r.param("optimizer");
            const std::string *t = r.tag("team");
            matchedBaseline += m && m->value < 0.5 && o && *o == "adam" && t && *t != "nlp";
        }
        baseline.push_back((nowSeconds() - t0) * 1000);
    }
    if (matched != matchedBaseline) {
        std::cerr << "filter and hand-written loop disagree" << std::endl;
        std::exit(1);
    }
    figure("filter.100k.ms", percentile(times, 0.5), "ms",
           "median of 11; " + std::to_string(matched) + " of 100000 match", "< 50");
    figure("filter.100k.handwritten_ms", percentile(baseline, 0.5), "ms",
           "the same three conditions as a hand-written C++ loop");
}

} // namespace

int main()
{
    historyLoad();
    filter100k();
    return 0;
}
