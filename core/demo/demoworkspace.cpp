// SPDX-License-Identifier: GPL-3.0-or-later
#include "demo/demoworkspace.h"
#include "util/rng.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <random>

namespace sightline {

namespace {

constexpr int64_t kEpochMs = 1793491200000; // 2026-11-01 00:00 UTC

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

    // A training curve: decays (or rises) towards a floor with noise, an optional spike.
    MetricSeries curve(int steps, double start, double floor, double tau, double noise,
                       int64_t t0, int64_t msPerStep, bool spike = false)
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

    // 1. Image classification: a learning-rate sweep (parent + children) and plain runs.
    if (auto r = b.experiment("1", "cifar10-resnet", {{"team", "vision"}}); !r)
        return r.error();
    {
        Run parent = b.makeRun("1", "lr-sweep", kEpochMs + 86400000);
        parent.params = {{"sweep", "learning_rate"}, {"trials", "24"}};
        parent.tags.push_back({"sweep", "yes"});
        std::vector<Run> children;
        const double lrs[] = {1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2};
        const char *optimizers[] = {"adam", "sgd"};
        const int depths[] = {18, 34};
        int n = 0;
        MetricSeries best;
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
        step(40 + 8 * (i + 1));
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
    step(95);

    // Registry: fraud-classifier with champion and challenger, cifar-resnet with a champion.
    {
        RegisteredModel m;
        m.name = "fraud-classifier";
        m.description = "Binary fraud classifier for card payments";
        m.creationTimestamp = kEpochMs + 6 * 86400000;
        m.lastUpdatedTimestamp = kEpochMs + 9 * 86400000;
        m.tags = {{"owner", "risk-team"}, {"domain", "payments"}};
        m.aliases = {{"champion", "3"}, {"challenger", "4"}};
        const int picks[] = {3, 12, 25, 44};
        const char *stages[] = {"Archived", "Archived", "Production", "Staging"};
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
            mv.tags = {{"trained_on", "fraud-train"},
                       {"validation_status", v == 4 ? "pending" : "passed"}};
            if (v == 3)
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
    if (auto w = store.setMeta("last_sync_ms", std::to_string(kEpochMs + 20 * 86400000)); !w)
        return w.error();
    if (auto c = tx.commit(); !c)
        return c.error();
    step(100);
    return b.summary;
}

} // namespace sightline
