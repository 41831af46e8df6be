// SPDX-License-Identifier: GPL-3.0-or-later
// The hash-chained audit log file; see auditlog.h.
#include "approval/auditlog.h"

#include "util/csvfield.h"

#include <QByteArray>
#include <QCryptographicHash>
#include <QDateTime>
#include <QFile>
#include <QString>
#include <QTimeZone>

namespace sightline {

namespace {

using json = nlohmann::json;

json hashedObject(const AuditEntry &e)
{
    json j = json::object();
    j["seq"] = e.seq;
    j["time_ms"] = e.timeMs;
    j["actor"] = e.actor;
    j["action"] = std::string(auditActionText(e.action));
    j["model"] = e.model;
    j["version"] = e.version;
    j["alias"] = e.alias;
    j["comment"] = e.comment;
    j["details"] = e.details;
    j["prev_hash"] = e.prevHash;
    return j;
}

// The lines of a file, without their "\n"; a final line break does not start another line.
std::vector<std::string_view> splitLines(std::string_view text)
{
    std::vector<std::string_view> lines;
    size_t start = 0;
    while (start < text.size()) {
        const size_t end = text.find('\n', start);
        if (end == std::string_view::npos) {
            lines.push_back(text.substr(start));
            break;
        }
        lines.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return lines;
}

bool isInteger(const json &j)
{
    return j.is_number_integer();
}

} // namespace

std::string_view auditActionText(AuditAction action)
{
    switch (action) {
    case AuditAction::Request: return "request";
    case AuditAction::Approve: return "approve";
    case AuditAction::Reject: return "reject";
    case AuditAction::Promote: return "promote";
    case AuditAction::Rollback: return "rollback";
    }
    return "request";
}

std::optional<AuditAction> auditActionFromText(std::string_view text)
{
    for (auto a : {AuditAction::Request, AuditAction::Approve, AuditAction::Reject,
                   AuditAction::Promote, AuditAction::Rollback}) {
        if (auditActionText(a) == text)
            return a;
    }
    return std::nullopt;
}

std::string_view auditProblemText(AuditVerification::Problem problem)
{
    switch (problem) {
    case AuditVerification::None: return "";
    case AuditVerification::BadJson: return "bad JSON";
    case AuditVerification::BadEntry: return "bad entry";
    case AuditVerification::Altered: return "altered";
    case AuditVerification::BrokenChain: return "broken chain";
    case AuditVerification::SequenceGap: return "sequence gap";
    }
    return "";
}

const std::string &auditGenesisHash()
{
    static const std::string zeros(64, '0');
    return zeros;
}

std::string auditCanonicalText(const AuditEntry &entry)
{
    return hashedObject(entry).dump();
}

std::string auditEntryHash(const AuditEntry &entry)
{
    const std::string text = auditCanonicalText(entry);
    const QByteArray digest = QCryptographicHash::hash(
            QByteArrayView(text.data(), static_cast<qsizetype>(text.size())),
            QCryptographicHash::Sha256);
    return digest.toHex().toStdString();
}

std::string auditEntryLine(const AuditEntry &entry)
{
    json j = hashedObject(entry);
    j["hash"] = entry.hash;
    return j.dump();
}

Result<AuditEntry> parseAuditLine(std::string_view line)
{
    json j;
    try {
        j = json::parse(line.begin(), line.end());
    } catch (const json::parse_error &e) {
        return makeError("parse", std::string("not valid JSON (") + e.what() + ")");
    }
    if (!j.is_object())
        return makeError("invalid", "not a JSON object");
    static const char *const keys[] = {"seq", "time_ms", "actor", "action", "model", "version",
                                       "alias", "comment", "details", "prev_hash", "hash"};
    for (const char *key : keys) {
        if (!j.contains(key))
            return makeError("invalid", std::string("no \"") + key + "\" field");
    }
    if (j.size() != std::size(keys))
        return makeError("invalid", "unexpected fields");
    if (!isInteger(j["seq"]) || !isInteger(j["time_ms"]))
        return makeError("invalid", "\"seq\" and \"time_ms\" must be integers");
    for (const char *key : {"actor", "action", "model", "version", "alias", "comment",
                            "prev_hash", "hash"}) {
        if (!j[key].is_string())
            return makeError("invalid", std::string("\"") + key + "\" must be a string");
    }
    if (!j["details"].is_object())
        return makeError("invalid", "\"details\" must be an object");
    const auto action = auditActionFromText(j["action"].get<std::string>());
    if (!action)
        return makeError("invalid", "unknown action \"" + j["action"].get<std::string>() + "\"");
    AuditEntry e;
    e.seq = j["seq"].get<int64_t>();
    e.timeMs = j["time_ms"].get<int64_t>();
    e.actor = j["actor"].get<std::string>();
    e.action = *action;
    e.model = j["model"].get<std::string>();
    e.version = j["version"].get<std::string>();
    e.alias = j["alias"].get<std::string>();
    e.comment = j["comment"].get<std::string>();
    e.details = j["details"];
    e.prevHash = j["prev_hash"].get<std::string>();
    e.hash = j["hash"].get<std::string>();
    return e;
}

AuditLog::AuditLog(std::string path) : m_path(std::move(path)) {}

Result<std::string> AuditLog::readText() const
{
    QFile file(QString::fromStdString(m_path));
    if (!file.exists())
        return std::string();
    if (!file.open(QIODevice::ReadOnly))
        return makeError("io", "Cannot read the audit log " + m_path + ": "
                                       + file.errorString().toStdString());
    const QByteArray bytes = file.readAll();
    return bytes.toStdString();
}

Result<AuditEntry> AuditLog::append(AuditEntry entry) const
{
    if (!entry.details.is_object())
        return makeError("invalid", "An audit entry's details must be a JSON object.");
    auto text = readText();
    if (!text)
        return text.error();
    entry.seq = 1;
    entry.prevHash = auditGenesisHash();
    if (!text->empty()) {
        if (text->back() != '\n')
            return makeError("io", "The audit log " + m_path
                                           + " ends with an incomplete line; run verify first.");
        const auto lines = splitLines(*text);
        const auto last = parseAuditLine(lines.back());
        if (!last)
            return makeError("io", "The last line of the audit log " + m_path
                                           + " is damaged (" + last.error().message + ").");
        entry.seq = last->seq + 1;
        entry.prevHash = last->hash;
    }
    entry.hash = auditEntryHash(entry);
    const std::string line = auditEntryLine(entry) + "\n";

    QFile file(QString::fromStdString(m_path));
    if (!file.open(QIODevice::WriteOnly | QIODevice::Append))
        return makeError("io", "Cannot write the audit log " + m_path + ": "
                                       + file.errorString().toStdString());
    const qint64 written = file.write(line.data(), static_cast<qint64>(line.size()));
    if (written != static_cast<qint64>(line.size()) || !file.flush())
        return makeError("io", "Cannot write the audit log " + m_path + ": "
                                       + file.errorString().toStdString());
    return entry;
}

Result<AuditVerification> AuditLog::verify() const
{
    auto text = readText();
    if (!text)
        return text.error();
    AuditVerification v;
    const auto bad = [&v](int line, AuditVerification::Problem problem, const std::string &why) {
        v.ok = false;
        v.line = line;
        v.problem = problem;
        v.message = "line " + std::to_string(line) + ": " + std::string(auditProblemText(problem))
                + " (" + why + ")";
        return v;
    };
    const auto lines = splitLines(*text);
    std::string prevHash = auditGenesisHash();
    int64_t prevSeq = 0;
    for (size_t i = 0; i < lines.size(); ++i) {
        const int lineNo = static_cast<int>(i) + 1;
        const std::string_view line = lines[i];
        json j;
        try {
            j = json::parse(line.begin(), line.end());
        } catch (const json::parse_error &) {
            const bool truncated = i + 1 == lines.size() && text->back() != '\n';
            return bad(lineNo, AuditVerification::BadJson,
                       truncated ? "the last line is incomplete" : "the line is not valid JSON");
        }
        const auto entry = parseAuditLine(line);
        if (!entry)
            return bad(lineNo, AuditVerification::BadEntry, entry.error().message);
        if (auditEntryHash(*entry) != entry->hash)
            return bad(lineNo, AuditVerification::Altered, "its hash does not match its content");
        if (entry->prevHash != prevHash)
            return bad(lineNo, AuditVerification::BrokenChain,
                       lineNo == 1 ? "the first entry does not start the chain"
                                   : "prev_hash does not match the entry before");
        if (entry->seq != prevSeq + 1)
            return bad(lineNo, AuditVerification::SequenceGap,
                       "seq " + std::to_string(entry->seq) + " follows "
                               + std::to_string(prevSeq));
        prevHash = entry->hash;
        prevSeq = entry->seq;
        ++v.entries;
    }
    return v;
}

Result<std::vector<AuditEntry>> AuditLog::readAll() const
{
    auto text = readText();
    if (!text)
        return text.error();
    std::vector<AuditEntry> entries;
    const auto lines = splitLines(*text);
    for (size_t i = 0; i < lines.size(); ++i) {
        auto entry = parseAuditLine(lines[i]);
        if (!entry)
            return makeError("parse", "Audit log " + m_path + " line " + std::to_string(i + 1)
                                              + ": " + entry.error().message);
        entries.push_back(std::move(entry.value()));
    }
    return entries;
}

Result<std::string> AuditLog::exportJson() const
{
    auto entries = readAll();
    if (!entries)
        return entries.error();
    json array = json::array();
    for (const AuditEntry &e : *entries) {
        json j = hashedObject(e);
        j["hash"] = e.hash;
        array.push_back(std::move(j));
    }
    return array.dump(2) + "\n";
}

Result<std::string> AuditLog::exportCsv() const
{
    auto entries = readAll();
    if (!entries)
        return entries.error();
    std::string out = "seq,time_ms,time,actor,action,model,version,alias,comment,details,"
                      "prev_hash,hash\n";
    for (const AuditEntry &e : *entries) {
        const std::string time = QDateTime::fromMSecsSinceEpoch(e.timeMs, QTimeZone::utc())
                                         .toString(Qt::ISODateWithMs)
                                         .toStdString();
        const std::string fields[] = {std::to_string(e.seq),
                                      std::to_string(e.timeMs),
                                      time,
                                      e.actor,
                                      std::string(auditActionText(e.action)),
                                      e.model,
                                      e.version,
                                      e.alias,
                                      e.comment,
                                      e.details.dump(),
                                      e.prevHash,
                                      e.hash};
        bool first = true;
        for (const std::string &f : fields) {
            if (!first)
                out += ',';
            out += csvField(f);
            first = false;
        }
        out += '\n';
    }
    return out;
}

} // namespace sightline
