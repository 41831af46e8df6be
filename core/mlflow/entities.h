// SPDX-License-Identifier: GPL-3.0-or-later
// Plain value types for what an MLflow tracking server records. UTF-8 std::string throughout;
// the models layer converts to QString at the edge.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sightline {

struct KeyValue {
    std::string key;
    std::string value;
    bool operator==(const KeyValue &) const = default;
};

// NaN survives as a NaN double; +/-inf arrive from MLflow as +/-DBL_MAX and are kept as such.
struct Metric {
    std::string key;
    double value = 0.0;
    int64_t timestamp = 0;
    int64_t step = 0;
};

struct DatasetInput {
    std::string name;
    std::string digest;
    std::string sourceType;
    std::string source;   // JSON document kept as text
    std::string schema;   // JSON document kept as text
    std::string profile;  // JSON document kept as text
    std::string context;  // from the input tag mlflow.data.context
    std::vector<KeyValue> tags;
};

struct Run {
    std::string runId;
    std::string experimentId;
    std::string runName;
    std::string userId;
    std::string status;          // RUNNING, SCHEDULED, FINISHED, FAILED, KILLED
    std::string lifecycleStage;  // active, deleted
    std::string artifactUri;
    int64_t startTime = 0;
    int64_t endTime = 0;
    std::vector<Metric> metrics; // latest value per key
    std::vector<KeyValue> params;
    std::vector<KeyValue> tags;
    std::vector<DatasetInput> inputs;

    // Parent/child runs are linked only by the tag mlflow.parentRunId.
    std::string parentRunId() const;
    const std::string *tag(const std::string &key) const;
    const std::string *param(const std::string &key) const;
    const Metric *metric(const std::string &key) const;
};

struct Experiment {
    std::string experimentId;
    std::string name;
    std::string artifactLocation;
    std::string lifecycleStage;
    int64_t creationTime = 0;
    int64_t lastUpdateTime = 0;
    std::vector<KeyValue> tags;
};

struct ModelVersion {
    std::string name;
    std::string version;
    int64_t creationTimestamp = 0;
    int64_t lastUpdatedTimestamp = 0;
    std::string currentStage;
    std::string description;
    std::string source;
    std::string runId;
    std::string status;
    std::vector<KeyValue> tags;
    std::vector<std::string> aliases;
};

struct ModelAlias {
    std::string alias;
    std::string version;
    bool operator==(const ModelAlias &) const = default;
};

struct RegisteredModel {
    std::string name;
    std::string description;
    int64_t creationTimestamp = 0;
    int64_t lastUpdatedTimestamp = 0;
    std::vector<KeyValue> tags;
    std::vector<ModelAlias> aliases;
    std::vector<ModelVersion> latestVersions;
};

// A metric history in columnar form: the layout the cache stores and the charts read.
struct MetricSeries {
    std::vector<int64_t> steps;
    std::vector<int64_t> timestamps;
    std::vector<double> values;
    size_t size() const { return values.size(); }
    void reserve(size_t n)
    {
        steps.reserve(n);
        timestamps.reserve(n);
        values.reserve(n);
    }
    void clear()
    {
        steps.clear();
        timestamps.clear();
        values.clear();
    }
    void append(int64_t step, int64_t timestamp, double value)
    {
        steps.push_back(step);
        timestamps.push_back(timestamp);
        values.push_back(value);
    }
};

} // namespace sightline
