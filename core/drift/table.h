// SPDX-License-Identifier: GPL-3.0-or-later
// Columnar tables for the drift engine, and the CSV reader that fills them: RFC 4180 quoting,
// delimiter detection, per-column type inference (overridable), missing values, CRLF or LF,
// gzip, parsing on several threads. No Qt.
#pragma once

#include "util/result.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace sightline::drift {

enum class ColumnType { Numeric, Categorical, Boolean, Timestamp };

const char *columnTypeName(ColumnType type);           // "numeric", "categorical", ...
bool parseColumnType(std::string_view text, ColumnType &type);

struct Column {
    std::string name;
    ColumnType type = ColumnType::Numeric;
    // Numeric: the value; Boolean: 0 or 1; Timestamp: milliseconds since the Unix epoch (UTC).
    // A missing value is NaN.
    std::vector<double> numbers;
    // Categorical: index into `dictionary`, -1 when missing.
    std::vector<int32_t> codes;
    std::vector<std::string> dictionary;
    size_t missing = 0;

    size_t size() const { return type == ColumnType::Categorical ? codes.size() : numbers.size(); }
};

struct Table {
    std::vector<Column> columns;
    size_t rows = 0;
    const Column *find(std::string_view name) const;
};

struct CsvOptions {
    char delimiter = 0;                                // 0: detect among , ; and tab
    std::map<std::string, ColumnType> typeOverrides;   // by column name
    int threads = 2;
    size_t inferenceRows = 10000;                      // rows looked at to infer types
    std::function<void(double fraction)> progress;     // 0..1, from the reading thread
    const std::atomic<bool> *cancel = nullptr;
};

// Reads a CSV file (gzip-compressed when it starts with the gzip magic bytes). Ragged rows and
// unparsable numbers are errors that name the file and line: "cur.csv:1043: expected 25 fields,
// found 24." Missing values: empty, NA, N/A, NaN, nan, null, NULL, None.
Result<Table> readCsv(const std::string &path, const CsvOptions &options = {});
// The same on text already in memory; `sourceName` is used in messages.
Result<Table> parseCsv(std::string_view text, const CsvOptions &options = {},
                       const std::string &sourceName = "<memory>");

} // namespace sightline::drift
