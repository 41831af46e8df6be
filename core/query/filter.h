// SPDX-License-Identifier: GPL-3.0-or-later
// RunFilter: the filter language of the runs table, parsed once and evaluated locally against
// cached runs. It is MLflow's run search syntax plus OR and parentheses, so a filter typed here
// means what it would mean to the server wherever the server understands it.
//
// Syntax
//   filter     := <empty> | or
//   or         := and ("OR" and)*               AND binds tighter than OR
//   and        := primary ("AND" primary)*
//   primary    := "(" or ")" | comparison       at most RunFilter::kMaxDepth levels of "("
//   comparison := field comparator value
//   field      := metrics.KEY | params.KEY | tags.KEY | attributes.NAME | datasets.FIELD | NAME
//   Prefixes are case-insensitive and take MLflow's aliases: metric./param./parameter(s)./tag./
//   attribute./attr./run./dataset. KEY may contain dots (tags.mlflow.runName), or be quoted with
//   backticks or double quotes (metrics.`val loss`, params."a-b"), doubling the quote to embed it.
//   NAME is run_id, run_name, experiment_id, user_id, status, lifecycle_stage, artifact_uri,
//   start_time or end_time (also MLflow's aliases `created` and `run name`), with or without the
//   attributes. prefix. FIELD is name, digest or context.
//   Comparators (keywords case-insensitive): = != <> < <= > >= LIKE ILIKE IN NOT IN IS NULL
//   IS NOT NULL. Values: numbers (-1, 2.5e-3) and strings in '...' or "..." ('' embeds a quote).
//   IN and NOT IN take a parenthesised list of quoted strings.
//
// Semantics (chosen to agree with MLflow's SQL store where it defines them)
//   - A run without the metric, param or tag matches nothing but IS NULL: even `!=` needs the key
//     to exist, as with a SQL join. end_time and start_time of 0 mean "not recorded" likewise; a
//     dataset clause needs an input with that field (an empty context counts as absent).
//   - Metrics, start_time and end_time compare as numbers and need a number literal. A NaN metric
//     compares false with everything, `!=` included, as NaN does in SQL; IS NOT NULL still holds.
//   - Params, tags, datasets and the other attributes compare as text, byte for byte. Ordering
//     comparators (< <= > >=) compare numerically when both the value and the literal are
//     decimal numbers (so params.lr > '0.01' works), otherwise as UTF-8 text. An unquoted number
//     asks for a numeric comparison outright: params.batch = 32 matches "32" and "32.0", and a
//     run whose value is not a number does not match it. A quoted literal with = or != compares
//     the exact text, as MLflow does.
//   - LIKE: % matches any run of characters, _ exactly one character (a UTF-8 code point); there
//     is no escape character, as in MLflow. LIKE is case-sensitive; ILIKE folds ASCII letters
//     only, leaving other characters to match exactly.
//   - Clauses on datasets joined by AND must hold for one and the same input (MLflow filters one
//     dataset row with all of them); a lone dataset clause holds when any input satisfies it.
#pragma once

#include "mlflow/entities.h"
#include "util/result.h"

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sightline {

namespace detail {
struct FilterProgram; // the compiled clauses, private to filter.cpp
}

// Where and why a filter text is invalid, for the editor to underline.
struct FilterError {
    size_t position = 0; // byte offset into the text where the problem starts
    size_t length = 0;   // bytes to underline; 0 when the problem is the end of the text
    std::string message; // one sentence naming the 1-based column (in characters)
};

class RunFilter {
public:
    static constexpr int kMaxDepth = 200;

    // Matches every run, like a filter parsed from empty text.
    RunFilter() = default;

    // Empty or whitespace-only text gives a filter that matches everything. On failure the error
    // has code "invalid" and the message of validate(text).
    static Result<RunFilter> parse(std::string_view text);
    // The first problem in the text, or nothing when parse() would succeed.
    static std::optional<FilterError> validate(std::string_view text);

    // Thread-safe and allocation-free; copies share the compiled program.
    bool matches(const Run &run) const;
    bool isEmpty() const;

    // The fields the filter reads, canonically spelled ("metrics.val loss", "params.lr",
    // "tags.mlflow.runName", "attributes.start_time", "datasets.name"), each once, in order of
    // first appearance. The prefix runs up to the first dot; the rest is the key verbatim.
    std::vector<std::string> referencedKeys() const;

private:
    explicit RunFilter(std::shared_ptr<const detail::FilterProgram> program);

    std::shared_ptr<const detail::FilterProgram> m_program;
};

} // namespace sightline
