// SPDX-License-Identifier: GPL-3.0-or-later
// AuditLog: the workspace's append-only, hash-chained record of every promotion request,
// decision, promotion and rollback, kept as a JSON Lines file (one entry per line, UTF-8, "\n"
// after each). Each entry carries the hash of the one before it, so editing, removing or
// reordering lines is detected by verify().
//
// What is hashed (exactly): the entry as a JSON object with the ten keys
//   action, actor, alias, comment, details, model, prev_hash, seq, time_ms, version
// (every key except "hash"), serialised compactly by nlohmann::json's dump(): keys in byte order
// at every level (details included), no whitespace, strings as UTF-8 with JSON escapes, integers
// in decimal. hash = lowercase hex SHA-256 of those bytes. A line on disk is that same object
// with "hash" added, dumped the same way.
// seq starts at 1 and grows by 1; the first entry's prev_hash is 64 zeros.
#pragma once

#include "util/result.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sightline {

enum class AuditAction { Request, Approve, Reject, Promote, Rollback };

// "request", "approve", "reject", "promote", "rollback".
std::string_view auditActionText(AuditAction action);
std::optional<AuditAction> auditActionFromText(std::string_view text);

struct AuditEntry {
    int64_t seq = 0;
    int64_t timeMs = 0; // UTC ms since the epoch
    std::string actor;
    AuditAction action = AuditAction::Request;
    std::string model;
    std::string version;
    std::string alias;
    std::string comment;
    nlohmann::json details = nlohmann::json::object(); // always an object
    std::string prevHash;
    std::string hash;
};

// The genesis prev_hash: 64 zeros.
const std::string &auditGenesisHash();
// The bytes that are hashed (see the top of this file).
std::string auditCanonicalText(const AuditEntry &entry);
// Lowercase hex SHA-256 of auditCanonicalText(entry).
std::string auditEntryHash(const AuditEntry &entry);
// The entry as stored on one line, "hash" included, without the line break.
std::string auditEntryLine(const AuditEntry &entry);
// Parses one stored line; checks types and the action, not the hash.
Result<AuditEntry> parseAuditLine(std::string_view line);

struct AuditVerification {
    enum Problem { None, BadJson, BadEntry, Altered, BrokenChain, SequenceGap };

    bool ok = true;
    int entries = 0;      // entries checked and found good before the first problem
    int line = 0;         // 1-based line of the first problem, 0 when ok
    Problem problem = None;
    std::string message;  // one sentence, e.g. "line 3: entry altered (hash does not match)"
};

// "bad JSON", "bad entry", "altered", "broken chain", "sequence gap" ("" for None).
std::string_view auditProblemText(AuditVerification::Problem problem);

class AuditLog {
public:
    explicit AuditLog(std::string path);

    const std::string &path() const { return m_path; }

    // Fills in seq, prev_hash and hash from the file's last entry, writes one line and flushes.
    // The caller sets the time. Refuses (code "invalid") when details is not an object and
    // (code "io") when the file cannot be written or its last line is damaged. A missing file
    // is created.
    Result<AuditEntry> append(AuditEntry entry) const;

    // Checks every line: JSON, fields, own hash, link to the previous entry, sequence. A missing
    // file is an empty, valid log. Errors only for I/O.
    Result<AuditVerification> verify() const;

    // Every entry, in order; fails at the first line that does not parse.
    Result<std::vector<AuditEntry>> readAll() const;

    // A JSON array of the entries (the stored objects), pretty-printed.
    Result<std::string> exportJson() const;
    // A header line, then one record per entry: seq, time_ms, time (ISO 8601 UTC), actor, action,
    // model, version, alias, comment, details (compact JSON), prev_hash, hash. Each record ends
    // with "\n"; fields are quoted as RFC 4180 requires.
    Result<std::string> exportCsv() const;

private:
    Result<std::string> readText() const;

    std::string m_path;
};

} // namespace sightline
