// SPDX-License-Identifier: GPL-3.0-or-later
// Parsing and validation of approval policy files; see policy.h.
#include "approval/policy.h"

#include <QDateTime>
#include <QString>

#include <nlohmann/json.hpp>

#include <cctype>
#include <map>

namespace sightline {

namespace {

using json = nlohmann::json;

// Lines where each value of an already validated JSON text starts, by JSON pointer. An object
// member is recorded at the line of its key, so "/gates/1" is the line of the gate's "{" and
// "/reviewers/allowed" the line of the "allowed" key.
class LineIndex {
public:
    explicit LineIndex(std::string_view text) : m_s(text) { value(""); }

    int lineOf(const std::string &pointer) const
    {
        // Fall back to the nearest enclosing value that was recorded.
        std::string p = pointer;
        for (;;) {
            const auto it = m_lines.find(p);
            if (it != m_lines.end())
                return it->second;
            const auto slash = p.rfind('/');
            if (slash == std::string::npos)
                return 1;
            p.resize(slash);
        }
    }

private:
    void skipSpace()
    {
        while (m_i < m_s.size() && std::isspace(static_cast<unsigned char>(m_s[m_i]))) {
            if (m_s[m_i] == '\n')
                ++m_line;
            ++m_i;
        }
    }

    // At an opening quote; returns the decoded string. Valid JSON strings hold no raw line breaks.
    std::string string()
    {
        const size_t start = m_i++;
        while (m_i < m_s.size() && m_s[m_i] != '"') {
            if (m_s[m_i] == '\\')
                ++m_i;
            ++m_i;
        }
        ++m_i;
        return json::parse(m_s.substr(start, m_i - start)).get<std::string>();
    }

    static std::string escapeToken(const std::string &key)
    {
        std::string out;
        for (char c : key) {
            if (c == '~')
                out += "~0";
            else if (c == '/')
                out += "~1";
            else
                out += c;
        }
        return out;
    }

    void value(const std::string &path)
    {
        skipSpace();
        m_lines.emplace(path, m_line);
        if (m_i >= m_s.size())
            return;
        const char c = m_s[m_i];
        if (c == '{') {
            ++m_i;
            skipSpace();
            while (m_i < m_s.size() && m_s[m_i] != '}') {
                skipSpace();
                const int keyLine = m_line;
                const std::string child = path + "/" + escapeToken(string());
                m_lines[child] = keyLine;
                skipSpace();
                ++m_i; // ':'
                value(child);
                skipSpace();
                if (m_i < m_s.size() && m_s[m_i] == ',')
                    ++m_i;
            }
            ++m_i;
        } else if (c == '[') {
            ++m_i;
            skipSpace();
            for (int index = 0; m_i < m_s.size() && m_s[m_i] != ']'; ++index) {
                value(path + "/" + std::to_string(index));
                skipSpace();
                if (m_i < m_s.size() && m_s[m_i] == ',')
                    ++m_i;
                skipSpace();
            }
            ++m_i;
        } else if (c == '"') {
            string();
        } else {
            constexpr std::string_view ends = ",]} \t\r\n";
            while (m_i < m_s.size() && ends.find(m_s[m_i]) == std::string_view::npos)
                ++m_i;
        }
    }

    std::string_view m_s;
    size_t m_i = 0;
    int m_line = 1;
    std::map<std::string, int> m_lines;
};

struct Invalid {
    Error error;
};

class PolicyReader {
public:
    PolicyReader(std::string_view text, const json &doc) : m_lines(text), m_doc(doc) {}

    Policy read()
    {
        Policy policy;
        if (!m_doc.is_object())
            fail("", "a policy must be a JSON object");
        for (const auto &[key, value] : m_doc.items()) {
            if (key == "gates")
                readGates(value, policy);
            else if (key == "reviewers")
                readReviewers(value, policy.reviewers);
            else if (key == "freeze")
                policy.freeze = readFreeze(value);
            else
                fail("/" + key,
                     "unknown key \"" + key + "\" (expected gates, reviewers or freeze)");
        }
        return policy;
    }

private:
    [[noreturn]] void fail(const std::string &pointer, const std::string &reason) const
    {
        throw Invalid{makeError("invalid",
                                "line " + std::to_string(m_lines.lineOf(pointer)) + ": " + reason)};
    }

    void checkKeys(const json &object, const std::string &pointer, const std::string &what,
                   std::initializer_list<std::string_view> allowed) const
    {
        for (const auto &[key, value] : object.items()) {
            bool known = false;
            for (auto a : allowed)
                known = known || key == a;
            if (!known) {
                std::string list;
                for (auto a : allowed)
                    list += (list.empty() ? "" : ", ") + std::string(a);
                fail(pointer + "/" + key,
                     "unknown key \"" + key + "\" in " + what + " (expected " + list + ")");
            }
        }
    }

    std::string requireString(const json &object, const std::string &pointer,
                              const std::string &key, const std::string &what) const
    {
        if (!object.contains(key))
            fail(pointer, what + " has no \"" + key + "\"");
        const json &v = object.at(key);
        if (!v.is_string() || v.get<std::string>().empty())
            fail(pointer + "/" + key, "\"" + key + "\" in " + what + " must be a non-empty string");
        return v.get<std::string>();
    }

    double requireNumber(const json &object, const std::string &pointer, const std::string &key,
                         const std::string &what) const
    {
        if (!object.contains(key))
            fail(pointer, what + " has no \"" + key + "\"");
        const json &v = object.at(key);
        if (!v.is_number())
            fail(pointer + "/" + key, "\"" + key + "\" in " + what + " must be a number");
        return v.get<double>();
    }

    bool optionalBool(const json &object, const std::string &pointer, const std::string &key,
                      const std::string &what, bool fallback) const
    {
        if (!object.contains(key))
            return fallback;
        const json &v = object.at(key);
        if (!v.is_boolean())
            fail(pointer + "/" + key, "\"" + key + "\" in " + what + " must be true or false");
        return v.get<bool>();
    }

    std::string optionalName(const json &object, const std::string &pointer,
                             const std::string &what) const
    {
        if (!object.contains("name"))
            return {};
        return requireString(object, pointer, "name", what);
    }

    void readGates(const json &gates, Policy &policy) const
    {
        if (!gates.is_array())
            fail("/gates", "\"gates\" must be an array of gate objects");
        for (size_t i = 0; i < gates.size(); ++i) {
            const std::string pointer = "/gates/" + std::to_string(i);
            const std::string what = "gate " + std::to_string(i + 1);
            const json &g = gates[i];
            const int line = m_lines.lineOf(pointer);
            if (!g.is_object())
                fail(pointer, what + " must be an object");
            if (g.contains("tag")) {
                checkKeys(g, pointer, what, {"name", "tag", "equals"});
                TagGate gate;
                gate.name = optionalName(g, pointer, what);
                gate.tag = requireString(g, pointer, "tag", what);
                if (!g.contains("equals"))
                    fail(pointer, what + " has no \"equals\"");
                if (!g.at("equals").is_string())
                    fail(pointer + "/equals", "\"equals\" in " + what + " must be a string");
                gate.equals = g.at("equals").get<std::string>();
                gate.line = line;
                policy.gates.emplace_back(std::move(gate));
            } else if (g.contains("max_drop_percent")) {
                checkKeys(g, pointer, what, {"name", "metric", "max_drop_percent",
                                             "lower_is_better"});
                RegressionGate gate;
                gate.name = optionalName(g, pointer, what);
                gate.metric = requireString(g, pointer, "metric", what);
                gate.maxDropPercent = requireNumber(g, pointer, "max_drop_percent", what);
                if (!(gate.maxDropPercent >= 0.0))
                    fail(pointer + "/max_drop_percent",
                         "\"max_drop_percent\" in " + what + " must not be negative");
                gate.lowerIsBetter = optionalBool(g, pointer, "lower_is_better", what, false);
                gate.line = line;
                policy.gates.emplace_back(std::move(gate));
            } else {
                checkKeys(g, pointer, what, {"name", "metric", "op", "value"});
                ThresholdGate gate;
                gate.name = optionalName(g, pointer, what);
                gate.metric = requireString(g, pointer, "metric", what);
                if (!g.contains("op"))
                    fail(pointer, what + " has no \"op\" (or \"max_drop_percent\", or \"tag\")");
                const json &op = g.at("op");
                const auto parsed = op.is_string() ? compareOpFromText(op.get<std::string>())
                                                   : std::nullopt;
                if (!parsed)
                    fail(pointer + "/op", "unknown op " + op.dump() + " in " + what
                                              + " (expected <, <=, >, >=, == or !=)");
                gate.op = *parsed;
                gate.value = requireNumber(g, pointer, "value", what);
                gate.line = line;
                policy.gates.emplace_back(std::move(gate));
            }
        }
    }

    void readReviewers(const json &r, ReviewerRules &rules) const
    {
        const std::string pointer = "/reviewers";
        const std::string what = "\"reviewers\"";
        if (!r.is_object())
            fail(pointer, what + " must be an object");
        checkKeys(r, pointer, what, {"required_approvals", "allowed", "allow_self_approval"});
        if (r.contains("required_approvals")) {
            const json &n = r.at("required_approvals");
            if (!n.is_number_integer() || n.get<int64_t>() < 0 || n.get<int64_t>() > 1000)
                fail(pointer + "/required_approvals",
                     "\"required_approvals\" must be a whole number from 0 to 1000");
            rules.requiredApprovals = n.get<int>();
        }
        if (r.contains("allowed")) {
            const json &a = r.at("allowed");
            if (!a.is_array())
                fail(pointer + "/allowed", "\"allowed\" must be an array of user names");
            for (size_t i = 0; i < a.size(); ++i) {
                if (!a[i].is_string() || a[i].get<std::string>().empty())
                    fail(pointer + "/allowed/" + std::to_string(i),
                         "\"allowed\" must hold only non-empty user names");
                rules.allowed.push_back(a[i].get<std::string>());
            }
        }
        rules.allowSelfApproval = optionalBool(r, pointer, "allow_self_approval", what, false);
    }

    int64_t readTime(const json &object, const std::string &pointer, const std::string &key) const
    {
        if (!object.contains(key))
            fail(pointer, "\"freeze\" has no \"" + key + "\"");
        const json &v = object.at(key);
        const std::string where = pointer + "/" + key;
        if (!v.is_string())
            fail(where, "\"" + key + "\" in \"freeze\" must be an ISO 8601 time string");
        const QString text = QString::fromStdString(v.get<std::string>());
        const QDateTime t = QDateTime::fromString(text, Qt::ISODateWithMs);
        if (!t.isValid())
            fail(where, "\"" + key + "\" in \"freeze\" is not an ISO 8601 time: " + v.dump());
        if (t.timeSpec() == Qt::LocalTime)
            fail(where, "\"" + key + "\" in \"freeze\" must give a time zone, e.g. "
                                     "2026-12-20T00:00:00Z");
        return t.toMSecsSinceEpoch();
    }

    FreezeWindow readFreeze(const json &f) const
    {
        const std::string pointer = "/freeze";
        if (!f.is_object())
            fail(pointer, "\"freeze\" must be an object with \"from\" and \"to\"");
        checkKeys(f, pointer, "\"freeze\"", {"from", "to"});
        FreezeWindow w;
        w.fromMs = readTime(f, pointer, "from");
        w.toMs = readTime(f, pointer, "to");
        if (w.toMs <= w.fromMs)
            fail(pointer, "the freeze window ends before it starts");
        return w;
    }

    LineIndex m_lines;
    const json &m_doc;
};

// nlohmann's message without its "[json.exception...] parse error at line L, column C: " prefix,
// whose position is replaced by the one computed here.
std::string parseReason(const std::string &what)
{
    std::string reason = what;
    const auto bracket = reason.find("] ");
    if (bracket != std::string::npos)
        reason = reason.substr(bracket + 2);
    const auto colon = reason.find(": ");
    if (reason.rfind("parse error", 0) == 0 && colon != std::string::npos)
        reason = reason.substr(colon + 2);
    return reason;
}

} // namespace

std::string_view compareOpText(CompareOp op)
{
    switch (op) {
    case CompareOp::Less: return "<";
    case CompareOp::LessEqual: return "<=";
    case CompareOp::Greater: return ">";
    case CompareOp::GreaterEqual: return ">=";
    case CompareOp::Equal: return "==";
    case CompareOp::NotEqual: return "!=";
    }
    return "?";
}

std::string_view compareOpSymbol(CompareOp op)
{
    switch (op) {
    case CompareOp::Less: return "<";
    case CompareOp::LessEqual: return "≤";
    case CompareOp::Greater: return ">";
    case CompareOp::GreaterEqual: return "≥";
    case CompareOp::Equal: return "=";
    case CompareOp::NotEqual: return "≠";
    }
    return "?";
}

std::optional<CompareOp> compareOpFromText(std::string_view text)
{
    for (auto op : {CompareOp::Less, CompareOp::LessEqual, CompareOp::Greater,
                    CompareOp::GreaterEqual, CompareOp::Equal, CompareOp::NotEqual}) {
        if (compareOpText(op) == text)
            return op;
    }
    return std::nullopt;
}

TextPosition textPositionAt(std::string_view text, size_t offset)
{
    TextPosition pos;
    offset = std::min(offset, text.size());
    for (size_t i = 0; i < offset; ++i) {
        if (text[i] == '\n') {
            ++pos.line;
            pos.column = 1;
        } else {
            ++pos.column;
        }
    }
    return pos;
}

Result<Policy> parsePolicy(std::string_view text)
{
    json doc;
    try {
        doc = json::parse(text.begin(), text.end());
    } catch (const json::parse_error &e) {
        // e.byte counts the characters read, the offending one included.
        const TextPosition pos = textPositionAt(text, e.byte > 0 ? e.byte - 1 : 0);
        return makeError("invalid", "line " + std::to_string(pos.line) + ", column "
                                        + std::to_string(pos.column)
                                        + ": invalid JSON: " + parseReason(e.what()));
    }
    try {
        return PolicyReader(text, doc).read();
    } catch (const Invalid &invalid) {
        return invalid.error;
    } catch (const json::exception &e) {
        return makeError("invalid", std::string("invalid policy: ") + e.what());
    }
}

} // namespace sightline
