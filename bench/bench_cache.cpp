// SPDX-License-Identifier: GPL-3.0-or-later
// history.load.1m: one 1M-point history from the cache against reading the same bytes from a
// plain file; filter.100k: a three-clause filter over 100,000 cached runs against a hand-written
// loop testing the same three conditions.
#include "benchutil.h"

#include "query/filter.h"
#include "store/store.h"

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
    MetricSeries series;
    series.reserve(n);
    for (size_t i = 0; i < n; ++i)
        series.append(static_cast<int64_t>(i), 1795000000000 + static_cast<int64_t>(i) * 100,
                      std::sin(i * 1e-3) + 1e-4 * static_cast<double>(i % 97));
    (void)(*store)->begin();
    (void)(*store)->putHistory("run", "loss", series);
    (void)(*store)->commit();

    // The plain-file baseline: the same 24 MB, three columns, read into three vectors.
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
        auto loaded = (*store)->loadHistory("run", "loss");
        double t1 = nowSeconds();
        if (!loaded || loaded->size() != n)
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
    const double cache = percentile(cacheTimes, 0.5), file = percentile(fileTimes, 0.5);
    figure("history.load.1m.ms", cache, "ms", "median of 15 loads");
    figure("history.load.1m.plain_file_ms", file, "ms", "same bytes from a plain file (fread)");
    figure("history.load.1m.ratio", cache / file, "x", "cache time / plain file time",
           "<= 3");
    std::filesystem::remove(plain);
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
