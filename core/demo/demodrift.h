// SPDX-License-Identifier: GPL-3.0-or-later
// Demo data for the drift engine: a reference and a current CSV of the same columns (numeric,
// categorical, boolean, a timestamp and a region segment) with drift injected where a reader of
// the report can find it again: a few features drift everywhere, one only in recent days, and two
// only in one region. Deterministic: the same seed writes the same bytes.
#pragma once

#include "util/result.h"

#include <cstdint>
#include <string>
#include <vector>

namespace sightline {

struct DemoDriftOptions {
    uint64_t seed = 20261126;
    size_t rows = 20000; // per file
};

struct DemoDriftSummary {
    std::string referencePath;
    std::string currentPath;
    size_t rows = 0;
    std::vector<std::string> columns;          // every column, in file order
    std::vector<std::string> driftedColumns;   // drift over the whole current file
    std::vector<std::string> lateDriftColumns; // drift in the last days of the current file only
    std::string segmentColumn;                 // "region"
    std::string driftedSegment;                // "west"
    std::vector<std::string> segmentDriftColumns; // drift in that region only
};

Result<DemoDriftSummary> writeDemoDriftData(const std::string &referencePath,
                                            const std::string &currentPath,
                                            const DemoDriftOptions &options = {});

// Writes reference.csv and current.csv into `directory`, which must exist.
Result<DemoDriftSummary> writeDemoDriftData(const std::string &directory);

} // namespace sightline
