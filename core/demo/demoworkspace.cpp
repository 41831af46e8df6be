// SPDX-License-Identifier: GPL-3.0-or-later
#include "demo/demoworkspace.h"

#include "demo/demoapproval.h"
#include "util/rng.h"

#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <random>
#include <vector>

namespace sightline {

namespace {

constexpr int64_t kEpochMs = 1793491200000; // 2026-11-01 00:00 UTC
constexpr int64_t kDayMs = 86400000;
constexpr double kPi = 3.141592653589793;

// A training curve: decays (or rises) towards a floor with noise, an optional spike.
MetricSeries trainingCurve(Rng &rng, int steps, double start, double floor, double tau,
                           double noise, int64_t t0, int64_t msPerStep, bool spike = false)
{
    MetricSeries s;
    s.reserve(static_cast<size_t>(steps));
    double drift = 0.0;
    for (int i = 0; i < steps; ++i) {
        drift = 0.98 * drift + noise * 0.2 * rng.normal();
        double v = floor + (start - floor) * std::exp(-i / tau) + noise * rng.normal() + drift;
        if (spike && i == steps * 3 / 5)
            v += (start - floor) * 1.5; // a loss spike a sampled chart would hide
        s.append(i, t0 + i * msPerStep, v);
    }
    return s;
}

struct Builder {
    Store &store;
    Rng rng;
    DemoSummary summary;

    Run makeRun(const std::string &experimentId, const std::string &name, int64_t start,
                const std::string &status = "FINISHED")
    {
        Run r;
        r.runId = rng.hex(32);
        r.experimentId = experimentId;
        r.runName = name;
        r.userId = std::vector<std::string>{"ana", "ben", "chen", "dara"}[rng.below(4)];
        r.status = status;
        r.lifecycleStage = "active";
        r.startTime = start;
        r.artifactUri = "mlflow-artifacts:/" + experimentId + "/" + r.runId + "/artifacts";
        r.tags.push_back({"mlflow.runName", name});
        r.tags.push_back({"mlflow.user", r.userId});
        r.tags.push_back({"mlflow.source.type", "LOCAL"});
        return r;
    }

    MetricSeries curve(int steps, double start, double floor, double tau, double noise,
                       int64_t t0, int64_t msPerStep, bool spike = false)
    {
        return trainingCurve(rng, steps, start, floor, tau, noise, t0, msPerStep, spike);
    }

    Result<void> addRun(Run &r, const std::vector<std::pair<std::string, MetricSeries>> &series)
    {
        for (const auto &[key, s] : series) {
            if (s.size() == 0)
                continue;
            r.metrics.push_back({key, s.values.back(), s.timestamps.back(), s.steps.back()});
        }
        if (r.endTime == 0 && r.status != "RUNNING")
            r.endTime = series.empty() || series.front().second.size() == 0
                ? r.startTime + 60000
                : series.front().second.timestamps.back() + 1000;
        if (auto w = store.upsertRun(r); !w)
            return w;
        for (const auto &[key, s] : series) {
            Metric latest{key, s.values.back(), s.timestamps.back(), s.steps.back()};
            if (auto w = store.putHistory(r.runId, key, s, &latest); !w)
                return w;
            summary.points += static_cast<int64_t>(s.size());
        }
        ++summary.runs;
        return {};
    }

    Result<void> experiment(const std::string &id, const std::string &name,
                            std::vector<KeyValue> tags = {})
    {
        Experiment e;
        e.experimentId = id;
        e.name = name;
        e.artifactLocation = "mlflow-artifacts:/" + id;
        e.lifecycleStage = "active";
        e.creationTime = kEpochMs + std::stoll(id) * 3600000;
        e.lastUpdateTime = e.creationTime;
        e.tags = std::move(tags);
        ++summary.experiments;
        return store.upsertExperiment(e);
    }
};

std::string fmt(double v)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

// A series logged every `every` steps up to `steps`, and at the last step.
template<typename Value>
MetricSeries sampled(int steps, int every, int64_t t0, int64_t msPerStep, Value value)
{
    MetricSeries s;
    s.reserve(static_cast<size_t>(steps / every + 2));
    for (int i = 0; i < steps; i += every)
        s.append(i, t0 + i * msPerStep, value(i));
    if ((steps - 1) % every != 0)
        s.append(steps - 1, t0 + (steps - 1) * msPerStep, value(steps - 1));
    return s;
}

// A transformer hyperparameter sweep: a parent run and `sweepRuns` children that log train_loss
// at every step, with what a real sweep holds: loss spikes, two runs that diverge to huge
// values, NaN and inf in the middle of a curve, and the last trials still running.
Result<void> addTransformerSweep(Builder &b, const DemoOptions &options,
                                 std::vector<std::string> &childIds,
                                 const std::function<void(int)> &step)
{
    const int n = options.sweepRuns;
    const int steps = std::max(10, options.sweepSteps > 0 ? options.sweepSteps
                                                          : options.longRunSteps);
    const int valEvery = std::max(1, steps / 100);  // 1000 steps at 100k
    const int lrEvery = std::max(1, steps / 1000);  // 100 steps at 100k
    const int64_t msPerStep = 250;
    // Roles by position, so that a small sweep (tests) has them too.
    const int divergeA = n / 4, divergeB = 3 * n / 4, nanRun = n / 2, infRun = n / 2 + 1;
    const int runningA = n - 1, runningB = n - 2;

    // The parent runs as long as one of its trials does.
    Run parent = b.makeRun("5", "transformer-sweep", kEpochMs + 14 * kDayMs);
    parent.params = {{"sweep", "learning_rate,warmup,batch_size,optimizer"},
                     {"trials", std::to_string(n)},
                     {"model", "transformer-base"},
                     {"search", "random"}};
    parent.tags.push_back({"sweep", "yes"});

    const char *optimizers[] = {"adam", "adamw", "sgd"};
    const double warmupShares[] = {0.0, 0.005, 0.01, 0.02, 0.04}; // 0..4000 steps at 100k
    const int batches[] = {32, 64, 128, 256};
    for (int i = 0; i < n; ++i) {
        // Each trial draws from its own generator: its curves do not depend on the others.
        Rng rng(options.seed ^ (0x9e3779b97f4a7c15ULL * static_cast<uint64_t>(i + 1)));
        const bool diverges = i == divergeA || i == divergeB;
        const bool running = !diverges && (i == runningA || (n >= 10 && i == runningB));
        double lr = 1e-5 * std::pow(10.0, 2.5 * rng.uniform()); // 1e-5 .. 3e-3, log-uniform
        std::string optimizer = optimizers[rng.below(3)];
        int warmup = static_cast<int>(warmupShares[rng.below(5)] * steps);
        const int batch = batches[rng.below(4)];
        if (diverges) { // too hot, no warmup
            lr = i == divergeA ? 6e-3 : 9e-3;
            warmup = 0;
            optimizer = i == divergeA ? "sgd" : "adam";
        }
        char name[32];
        std::snprintf(name, sizeof name, "trial-%02d", i);
        Run c = b.makeRun("5", name, parent.startTime + i * 1200000,
                          running ? "RUNNING" : "FINISHED");
        c.params = {{"learning_rate", fmt(lr)},
                    {"warmup", std::to_string(warmup)},
                    {"batch_size", std::to_string(batch)},
                    {"optimizer", optimizer},
                    {"seed", std::to_string(1000 + i)},
                    {"d_model", "512"},
                    {"layers", "6"}};
        c.tags.push_back({"mlflow.parentRunId", parent.runId});
        if (diverges)
            c.status = "FAILED";

        // Quality: best near lr 3e-4 with AdamW, warmup matters at high learning rates.
        const double lrMiss = std::log10(lr / 3e-4);
        double floor = 1.9 + 0.3 * lrMiss * lrMiss
            + (optimizer == "adamw" ? 0.0 : optimizer == "adam" ? 0.05 : 0.25)
            + (warmup == 0 && lr > 1e-3 ? 0.15 : 0.0)
            + 0.02 * std::abs(std::log2(batch / 128.0)) + 0.03 * rng.normal();
        const double tau = steps * std::clamp(0.04 * std::sqrt(3e-4 / lr), 0.01, 0.4);
        const int length = running ? steps * (i == runningA ? 3 : 2) / 5 : steps;
        const double start = 10.4; // ln of a 32k vocabulary
        MetricSeries train = trainingCurve(rng, length, start, floor, tau, 0.04, c.startTime,
                                           msPerStep, i % 8 == 5);
        // Diverging runs blow up after a while: huge but finite, as a real blow-up is.
        const int divergeAt = i == divergeA ? length * 3 / 10 : length / 2;
        auto blowUp = [&](int k) {
            if (!diverges || k <= divergeAt)
                return 1.0;
            return std::exp(std::min(70.0, (k - divergeAt) / (steps * 0.004)));
        };
        if (diverges)
            for (int k = divergeAt + 1; k < length; ++k)
                train.values[static_cast<size_t>(k)] *= blowUp(k);
        if (i == nanRun) // a few bad batches in the middle
            for (int k : {0, 7, 13, 40, 41})
                if (length / 2 + k < length)
                    train.values[static_cast<size_t>(length / 2 + k)] =
                        std::numeric_limits<double>::quiet_NaN();
        if (i == infRun) // an overflow (a server stores it as the largest double)
            train.values[static_cast<size_t>(length * 2 / 3)] =
                std::numeric_limits<double>::infinity();

        const double gap = 0.06 + 0.04 * rng.uniform();
        MetricSeries val = sampled(length, valEvery, c.startTime, msPerStep, [&](int k) {
            const double overfit = 0.05 * k / steps;
            return (floor + gap + overfit + (start - floor) * std::exp(-k / tau)
                    + 0.01 * rng.normal())
                * blowUp(k);
        });
        const double bestAccuracy = std::clamp(0.78 - 0.12 * (floor - 1.9), 0.3, 0.8);
        MetricSeries accuracy = sampled(length, valEvery, c.startTime, msPerStep, [&](int k) {
            double a = bestAccuracy * (1.0 - std::exp(-k / (1.2 * tau))) + 0.003 * rng.normal();
            if (diverges && k > divergeAt)
                a *= std::exp(-(k - divergeAt) / (steps * 0.01)); // down to guessing
            return std::clamp(a, 0.0, 1.0);
        });
        MetricSeries schedule = sampled(length, lrEvery, c.startTime, msPerStep, [&](int k) {
            const double ramp = warmup > 0 ? std::min(1.0, double(k) / warmup) : 1.0;
            return lr * ramp * 0.5 * (1.0 + std::cos(kPi * k / steps));
        });
        if (auto w = b.addRun(c, {{"train_loss", train},
                                  {"val_loss", val},
                                  {"val_accuracy", accuracy},
                                  {"learning_rate", schedule}});
            !w)
            return w;
        childIds.push_back(c.runId);
        if (running)
            parent.status = "RUNNING";
        step(66 + 30 * (i + 1) / std::max(1, n));
    }
    return b.addRun(parent, {});
}

// The saved sets the compare pane opens with.
Result<void> saveComparisonSets(Store &store, const std::vector<std::string> &transformer,
                                const std::vector<std::string> &lrSweep,
                                const std::vector<std::string> &llm)
{
    const int64_t updated = kEpochMs + 20 * kDayMs;
    if (!transformer.empty()) {
        ComparisonSet set;
        set.name = "transformer-sweep";
        set.runIds = transformer;
        set.metricKeys = {"train_loss", "val_loss", "val_accuracy", "learning_rate"};
        set.smoothing = 0.95;
        set.parallelAxes = {"params.learning_rate", "params.warmup", "params.batch_size",
                            "params.optimizer", "metrics.val_loss:min",
                            "metrics.val_accuracy:max"};
        set.scatterX = "params.learning_rate";
        set.scatterY = "metrics.val_loss:min";
        set.updatedMs = updated;
        if (auto w = store.saveComparisonSet(set); !w)
            return w;
    }
    {
        ComparisonSet set;
        set.name = "lr-sweep";
        set.runIds = lrSweep;
        set.metricKeys = {"train_loss", "val_loss", "val_accuracy", "learning_rate"};
        set.smoothing = 0.3;
        set.groupBy = "params.optimizer";
        set.band = ComparisonSet::Band::StdDev;
        set.groupTraces = true;
        set.parallelAxes = {"params.learning_rate", "params.optimizer", "params.depth",
                            "metrics.val_loss:min", "metrics.val_accuracy:max"};
        set.scatterX = "params.learning_rate";
        set.scatterY = "metrics.val_accuracy:max";
        set.updatedMs = updated;
        if (auto w = store.saveComparisonSet(set); !w)
            return w;
    }
    {
        ComparisonSet set;
        set.name = "llm-finetune";
        set.runIds = llm;
        set.metricKeys = {"loss", "grad_norm"};
        set.smoothing = 0.99;
        set.parallelAxes = {"params.lora_rank", "params.learning_rate", "metrics.loss:min",
                            "metrics.grad_norm:max"};
        set.scatterX = "params.lora_rank";
        set.scatterY = "metrics.loss:min";
        set.updatedMs = updated;
        if (auto w = store.saveComparisonSet(set); !w)
            return w;
    }
    return {};
}

} // namespace

Result<DemoSummary> writeDemoWorkspace(const std::string &path, const DemoOptions &options,
                                       const std::function<void(int)> &progress)
{
    if (options.overwrite) {
        std::error_code ec;
        for (const char *suffix : {"", "-wal", "-shm"})
            std::filesystem::remove(path + suffix, ec);
    }
    auto opened = Store::open(path);
    if (!opened)
        return opened.error();
    Store &store = **opened;
    // A fresh file written in one go: no journal, no syncs (a file cut short by a crash is
    // rebuilt, as a demo without its revision mark). Back to WAL once it is complete.
    const bool fresh = options.overwrite;
    if (fresh)
        sqlite3_exec(store.handle(), "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF", nullptr,
                     nullptr, nullptr);
    Builder b{store, Rng(options.seed), {}};
    auto step = [&](int percent) {
        if (progress)
            progress(percent);
    };

    Transaction tx(store);
    if (auto w = store.setMeta("server_url", "demo:"); !w)
        return w.error();
    if (auto w = store.setMeta("workspace_name", "Demo workspace"); !w)
        return w.error();

    std::vector<std::string> lrSweepIds, llmIds, transformerIds;

    // 1. Image classification: a learning-rate sweep (parent + children) and plain runs.
    if (auto r = b.experiment("1", "cifar10-resnet", {{"team", "vision"}}); !r)
        return r.error();
    {
        Run parent = b.makeRun("1", "lr-sweep", kEpochMs + 86400000);
        parent.params = {{"sweep", "learning_rate"}, {"trials", "24"}};
        parent.tags.push_back({"sweep", "yes"});
        const double lrs[] = {1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2};
        const char *optimizers[] = {"adam", "sgd"};
        const int depths[] = {18, 34};
        int n = 0;
        for (double lr : lrs)
            for (const char *opt : optimizers)
                for (int depth : depths) {
                    ++n;
                    Run c = b.makeRun("1", "lr-sweep-" + std::to_string(n),
                                      parent.startTime + n * 600000);
                    c.params = {{"learning_rate", fmt(lr)}, {"optimizer", opt},
                                {"depth", std::to_string(depth)}, {"batch_size", "128"},
                                {"epochs", "60"}};
                    c.tags.push_back({"mlflow.parentRunId", parent.runId});
                    double quality = 1.0 - std::abs(std::log10(lr) + 3.0) / 3.0;
                    quality += std::string(opt) == "adam" ? 0.05 : 0.0;
                    quality += depth == 34 ? 0.03 : 0.0;
                    const int steps = 3000;
                    auto train = b.curve(steps, 2.3, 0.35 - 0.2 * quality, 500, 0.04, c.startTime, 1000);
                    auto val = b.curve(steps, 2.3, 0.55 - 0.2 * quality, 600, 0.02, c.startTime, 1000,
                                       n % 7 == 0);
                    auto acc = b.curve(steps, 0.1, 0.80 + 0.12 * quality, 700, 0.006, c.startTime, 1000);
                    MetricSeries lrs_;
                    for (int i = 0; i < steps; ++i)
                        lrs_.append(i, c.startTime + i * 1000,
                                    lr * 0.5 * (1 + std::cos(3.141592653589793 * i / steps)));
                    if (auto w = b.addRun(c, {{"train_loss", train}, {"val_loss", val},
                                              {"val_accuracy", acc}, {"learning_rate", lrs_}});
                        !w)
                        return w.error();
                    lrSweepIds.push_back(c.runId);
                }
        if (auto w = b.addRun(parent, {}); !w)
            return w.error();
    }
    step(15);
    // Plain runs, including the awkward ones a real server holds.
    for (int i = 0; i < 36; ++i) {
        Run r = b.makeRun("1", "resnet-" + std::to_string(i), kEpochMs + 2 * 86400000 + i * 3600000);
        r.params = {{"learning_rate", fmt(0.001 * (1 + i % 5))},
                    {"optimizer", i % 3 ? "adam" : "sgd"},
                    {"depth", std::to_string(i % 2 ? 50 : 18)},
                    {"augment", i % 4 ? "flip+crop" : "none"}};
        r.tags.push_back({"dataset_version", i < 18 ? "v1" : "v2"});
        if (i == 5)
            r.status = "FAILED";
        if (i == 7)
            r.status = "KILLED";
        const int steps = 1000 + 250 * (i % 5);
        auto loss = b.curve(steps, 2.3, 0.3 + 0.01 * (i % 7), 200 + 20 * (i % 4), 0.03,
                            r.startTime, 2000, i % 9 == 0);
        auto acc = b.curve(steps, 0.1, 0.88 - 0.005 * (i % 7), 250, 0.005, r.startTime, 2000);
        if (auto w = b.addRun(r, {{"val_loss", loss}, {"val_accuracy", acc}}); !w)
            return w.error();
    }
    {
        Run r = b.makeRun("1", "numerics-edge-cases", kEpochMs + 3 * 86400000);
        r.params = {{"long_param", std::string(600, 'x')},
                    {"markup", "<b>x</b>"},
                    {"sql", "'); DROP TABLE runs;--"},
                    {"unicode", "héllo wörld ✓ 训练"}};
        r.tags.push_back({"purpose", "edge-cases"});
        MetricSeries nan;
        const double nanv = std::numeric_limits<double>::quiet_NaN();
        for (int i = 0; i < 50; ++i)
            nan.append(i, r.startTime + i * 1000, i % 10 == 3 ? nanv : 1.0 / (1 + i));
        MetricSeries huge;
        huge.append(0, r.startTime, 1.7976931348623157e+308);
        huge.append(1, r.startTime + 1000, -1.7976931348623157e+308);
        if (auto w = b.addRun(r, {{"nan_metric", nan}, {"inf_metric", huge}}); !w)
            return w.error();
    }
    step(25);

    // 2. Tabular fraud model: datasets, retrain on new data, registry.
    if (auto r = b.experiment("2", "fraud-detection-xgb", {{"team", "risk"}}); !r)
        return r.error();
    std::vector<Run> fraudRuns;
    for (int i = 0; i < 60; ++i) {
        Run r = b.makeRun("2", "xgb-" + std::to_string(i), kEpochMs + 5 * 86400000 + i * 1800000);
        const bool v2 = i >= 40;
        r.params = {{"max_depth", std::to_string(3 + i % 6)},
                    {"eta", fmt(0.05 * (1 + i % 4))},
                    {"n_estimators", std::to_string(100 * (1 + i % 5))},
                    {"objective", "binary:logistic"},
                    {"subsample", fmt(0.6 + 0.1 * (i % 4))}};
        r.tags.push_back({"model_family", "xgboost"});
        r.tags.push_back({"data_version", v2 ? "v2" : "v1"});
        DatasetInput train{"fraud-train", v2 ? "9f1c22ab" : "3b7e0a41", "delta",
                           v2 ? "{\"uri\": \"s3://risk/fraud/train/2026-11\"}"
                              : "{\"uri\": \"s3://risk/fraud/train/2026-09\"}",
                           "{\"mlflow_colspec\": [{\"type\": \"double\", \"name\": \"amount\"}]}",
                           v2 ? "{\"num_rows\": 1250000}" : "{\"num_rows\": 1000000}", "training",
                           {{"mlflow.data.context", "training"}}};
        DatasetInput eval{"fraud-eval", "c0ffee12", "delta",
                          "{\"uri\": \"s3://risk/fraud/eval\"}", "", "{\"num_rows\": 200000}",
                          "evaluation", {{"mlflow.data.context", "evaluation"}}};
        r.inputs = {train, eval};
        const int steps = 200 + 100 * (i % 3);
        double q = 0.85 + 0.03 * std::sin(i * 1.7) + (v2 ? 0.02 : 0.0);
        auto auc = b.curve(steps, 0.6, q, 40, 0.003, r.startTime, 500);
        auto trainAuc = b.curve(steps, 0.6, q + 0.05, 35, 0.002, r.startTime, 500);
        auto logloss = b.curve(steps, 0.69, 0.16 - 0.05 * (q - 0.85), 45, 0.002, r.startTime, 500);
        MetricSeries finalAuc;
        finalAuc.append(0, r.startTime + steps * 500 + 100, auc.values.back());
        if (auto w = b.addRun(r, {{"val_auc", auc}, {"train_auc", trainAuc}, {"logloss", logloss},
                                  {"final_val_auc", finalAuc}});
            !w)
            return w.error();
        fraudRuns.push_back(r);
    }
    step(40);

    // 3. LLM fine-tuning: long curves (100k steps), one still running.
    if (auto r = b.experiment("3", "llm-finetune", {{"team", "nlp"}}); !r)
        return r.error();
    for (int i = 0; i < 6; ++i) {
        const bool running = i == 5;
        Run r = b.makeRun("3", "llama-lora-" + std::to_string(i),
                          kEpochMs + 10 * 86400000 + i * 86400000, running ? "RUNNING" : "FINISHED");
        r.params = {{"lora_rank", std::to_string(8 << (i % 3))},
                    {"learning_rate", fmt(2e-4 * (1 + i % 2))},
                    {"base_model", "llama-3-8b"},
                    {"max_seq_len", "4096"}};
        r.inputs = {{"alpaca-mini", i < 3 ? "abc12345" : "abd99812", "local",
                     "{\"uri\": \"file:///data/alpaca.jsonl\"}", "", "{\"num_rows\": 52000}",
                     "training", {{"mlflow.data.context", "training"}}}};
        const int steps = running ? options.longRunSteps * 2 / 5 : options.longRunSteps;
        auto loss = b.curve(steps, 3.2, 1.1 + 0.05 * i, steps / 8.0, 0.08, r.startTime, 120,
                            i == 2);
        auto gradNorm = b.curve(steps, 4.0, 0.6, steps / 20.0, 0.15, r.startTime, 120, true);
        if (auto w = b.addRun(r, {{"loss", loss}, {"grad_norm", gradNorm}}); !w)
            return w.error();
        llmIds.push_back(r.runId);
        step(40 + 4 * (i + 1));
    }

    // 4. Many small runs so the runs table has volume: a hyperparameter search.
    if (auto r = b.experiment("4", "churn-baselines", {{"team", "growth"}}); !r)
        return r.error();
    const char *models[] = {"logreg", "random_forest", "lightgbm", "mlp"};
    for (int i = 0; i < 160; ++i) {
        Run r = b.makeRun("4", std::string(models[i % 4]) + "-" + std::to_string(i / 4),
                          kEpochMs - 4 * 86400000 + i * 600000);
        r.params = {{"model", models[i % 4]},
                    {"regularization", fmt(std::pow(10.0, -(i % 5)))},
                    {"features", std::to_string(20 + 5 * (i % 7))},
                    {"region", std::vector<std::string>{"eu", "us", "apac"}[i % 3]}};
        r.tags.push_back({"cohort", i % 2 ? "new-users" : "all-users"});
        const double q = 0.70 + 0.05 * (i % 4) + 0.01 * std::sin(i);
        auto f1 = b.curve(50, 0.4, q, 10, 0.004, r.startTime, 3000);
        auto auc = b.curve(50, 0.5, q + 0.08, 10, 0.004, r.startTime, 3000);
        if (auto w = b.addRun(r, {{"f1", f1}, {"roc_auc", auc}}); !w)
            return w.error();
    }
    step(66);

    // 5. A transformer sweep, the biggest part by far: 50 runs x 100k steps by default.
    if (options.sweepRuns > 0) {
        if (auto r = b.experiment("5", "transformer-sweep", {{"team", "research"}}); !r)
            return r.error();
        if (auto w = addTransformerSweep(b, options, transformerIds, step); !w)
            return w.error();
    }
    step(97);

    // Registry: fraud-classifier with champion and challenger, cifar-resnet with a champion.
    {
        RegisteredModel m;
        m.name = "fraud-classifier";
        m.description = "Binary fraud classifier for card payments";
        m.creationTimestamp = kEpochMs + 6 * 86400000;
        m.lastUpdatedTimestamp = kEpochMs + 9 * 86400000;
        m.tags = {{"owner", "risk-team"}, {"domain", "payments"}};
        // Version 3 held champion for a day and was rolled back (see demoapproval.h).
        m.aliases = {{"champion", "2"}, {"challenger", "4"}};
        const int picks[] = {3, 12, 34, 49};
        const char *stages[] = {"Archived", "Production", "Archived", "Staging"};
        for (int v = 1; v <= 4; ++v) {
            ModelVersion mv;
            mv.name = m.name;
            mv.version = std::to_string(v);
            mv.creationTimestamp = m.creationTimestamp + v * 86400000;
            mv.lastUpdatedTimestamp = mv.creationTimestamp;
            mv.currentStage = stages[v - 1];
            mv.description = "trained by " + fraudRuns[picks[v - 1]].runName;
            mv.runId = fraudRuns[picks[v - 1]].runId;
            mv.source = "runs:/" + mv.runId + "/model";
            mv.status = "READY";
            mv.tags = {{"trained_on", "fraud-train"}, {"validation_status", "passed"}};
            if (v == 2)
                mv.aliases = {"champion"};
            if (v == 4)
                mv.aliases = {"challenger"};
            if (auto w = store.upsertModelVersion(mv); !w)
                return w.error();
            ++b.summary.modelVersions;
        }
        if (auto w = store.upsertRegisteredModel(m); !w)
            return w.error();
        ++b.summary.registeredModels;
    }
    {
        RegisteredModel m;
        m.name = "cifar-resnet";
        m.description = "Image classifier";
        m.creationTimestamp = kEpochMs + 4 * 86400000;
        m.lastUpdatedTimestamp = m.creationTimestamp;
        m.aliases = {{"champion", "1"}};
        ModelVersion mv;
        mv.name = m.name;
        mv.version = "1";
        mv.creationTimestamp = m.creationTimestamp;
        mv.lastUpdatedTimestamp = m.creationTimestamp;
        mv.currentStage = "Staging";
        mv.status = "READY";
        mv.aliases = {"champion"};
        if (auto w = store.upsertModelVersion(mv); !w)
            return w.error();
        if (auto w = store.upsertRegisteredModel(m); !w)
            return w.error();
        ++b.summary.registeredModels;
        ++b.summary.modelVersions;
    }
    if (auto w = writeDemoApprovals(store, path, kEpochMs); !w)
        return w.error();
    if (auto w = saveComparisonSets(store, transformerIds, lrSweepIds, llmIds); !w)
        return w.error();
    // A drift report on the retrain's data (fraud-train's newer digest), for the lineage badge.
    DriftResult drift{0, "fraud-train", "9f1c22ab", 0.4, "drifted", kEpochMs + 19 * 86400000,
                      R"({"columns":10,"drifted_columns":4,"drift_share_threshold":0.3,)"
                      R"("drifted":["amount","merchant_category","hour","country"]})"};
    if (auto w = store.recordDriftResult(drift); !w)
        return w.error();
    if (auto w = store.setMeta("last_sync_ms", std::to_string(kEpochMs + 20 * 86400000)); !w)
        return w.error();
    if (auto c = tx.commit(); !c)
        return c.error();
    if (fresh)
        sqlite3_exec(store.handle(), "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL", nullptr,
                     nullptr, nullptr);
    step(100);
    return b.summary;
}

} // namespace sightline
