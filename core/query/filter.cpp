// SPDX-License-Identifier: GPL-3.0-or-later
#include "query/filter.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <system_error>
#include <unordered_set>
#include <utility>

namespace sightline {
namespace detail {
namespace {

enum class Source : uint8_t { Metric, Param, Tag, TextAttribute, TimeAttribute, Dataset };

enum class Attribute : uint8_t {
    RunId,
    RunName,
    ExperimentId,
    UserId,
    Status,
    LifecycleStage,
    ArtifactUri,
    StartTime,
    EndTime,
};

enum class DatasetField : uint8_t { Name, Digest, Context };

enum class Op : uint8_t { Eq, Ne, Lt, Le, Gt, Ge, Like, ILike, In, NotIn, IsNull, IsNotNull };

struct AttributeName {
    std::string_view name;
    Attribute attribute;
};

// Lower-case spellings; "created" and "run name" are MLflow's alternate names.
constexpr AttributeName kAttributeNames[] = {
    {"run_id", Attribute::RunId},
    {"run_name", Attribute::RunName},
    {"experiment_id", Attribute::ExperimentId},
    {"user_id", Attribute::UserId},
    {"status", Attribute::Status},
    {"lifecycle_stage", Attribute::LifecycleStage},
    {"artifact_uri", Attribute::ArtifactUri},
    {"start_time", Attribute::StartTime},
    {"end_time", Attribute::EndTime},
    {"created", Attribute::StartTime},
    {"run name", Attribute::RunName},
};

std::string_view canonicalName(Attribute attribute)
{
    switch (attribute) {
    case Attribute::RunId: return "run_id";
    case Attribute::RunName: return "run_name";
    case Attribute::ExperimentId: return "experiment_id";
    case Attribute::UserId: return "user_id";
    case Attribute::Status: return "status";
    case Attribute::LifecycleStage: return "lifecycle_stage";
    case Attribute::ArtifactUri: return "artifact_uri";
    case Attribute::StartTime: return "start_time";
    case Attribute::EndTime: return "end_time";
    }
    return {};
}

std::string_view canonicalName(DatasetField field)
{
    switch (field) {
    case DatasetField::Name: return "name";
    case DatasetField::Digest: return "digest";
    case DatasetField::Context: return "context";
    }
    return {};
}

std::string_view opName(Op op)
{
    switch (op) {
    case Op::Eq: return "=";
    case Op::Ne: return "!=";
    case Op::Lt: return "<";
    case Op::Le: return "<=";
    case Op::Gt: return ">";
    case Op::Ge: return ">=";
    case Op::Like: return "LIKE";
    case Op::ILike: return "ILIKE";
    case Op::In: return "IN";
    case Op::NotIn: return "NOT IN";
    case Op::IsNull: return "IS NULL";
    case Op::IsNotNull: return "IS NOT NULL";
    }
    return {};
}

constexpr unsigned char foldAscii(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? static_cast<unsigned char>(c + ('a' - 'A')) : c;
}

bool equalsIgnoringCase(std::string_view a, std::string_view lowerB)
{
    if (a.size() != lowerB.size())
        return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (foldAscii(static_cast<unsigned char>(a[i])) != static_cast<unsigned char>(lowerB[i]))
            return false;
    return true;
}

constexpr bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

constexpr bool isSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

constexpr bool isWordStart(char ch)
{
    const auto c = static_cast<unsigned char>(ch);
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

// Unquoted keys may hold what MLflow allows in names except spaces: letters (UTF-8 too), digits,
// and _ . - / :
constexpr bool isWordChar(char ch)
{
    return isWordStart(ch) || isDigit(ch) || ch == '.' || ch == '-' || ch == '/' || ch == ':';
}

constexpr bool isContinuationByte(char c)
{
    return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

// Steps over one UTF-8 code point; stray or truncated sequences advance by at least one byte.
size_t nextCodePoint(std::string_view s, size_t i)
{
    const auto lead = static_cast<unsigned char>(s[i]);
    ++i;
    if (lead < 0xC0)
        return i;
    for (int n = 0; n < 3 && i < s.size() && isContinuationByte(s[i]); ++n)
        ++i;
    return i;
}

// Decimal numbers only: "nan", "inf" or hex in a param stay text.
std::errc parseDecimal(std::string_view s, double &out)
{
    const size_t n = s.size();
    size_t i = 0;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        ++i;
    size_t digits = 0;
    while (i < n && isDigit(s[i])) {
        ++i;
        ++digits;
    }
    if (i < n && s[i] == '.') {
        ++i;
        while (i < n && isDigit(s[i])) {
            ++i;
            ++digits;
        }
    }
    if (digits == 0)
        return std::errc::invalid_argument;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            ++i;
        size_t exponentDigits = 0;
        while (i < n && isDigit(s[i])) {
            ++i;
            ++exponentDigits;
        }
        if (exponentDigits == 0)
            return std::errc::invalid_argument;
    }
    if (i != n)
        return std::errc::invalid_argument;
    const char *begin = s.data() + (s[0] == '+' ? 1 : 0);
    const char *end = s.data() + n;
    const auto [ptr, ec] = std::from_chars(begin, end, out);
    if (ec != std::errc())
        return ec;
    return ptr == end ? std::errc() : std::errc::invalid_argument;
}

bool readsAsNumber(std::string_view s, double &out)
{
    return parseDecimal(s, out) == std::errc();
}

// A LIKE pattern compiled once. Patterns without _ become anchored segments matched with plain
// searches; patterns with _ use a backtracking matcher that steps by code point.
class LikePattern {
public:
    LikePattern() = default;
    LikePattern(std::string_view pattern, bool caseInsensitive)
        : m_caseInsensitive(caseInsensitive)
    {
        m_pattern.reserve(pattern.size());
        for (char c : pattern) {
            if (c == '%' && !m_pattern.empty() && m_pattern.back() == '%')
                continue;
            m_pattern.push_back(caseInsensitive
                                    ? static_cast<char>(foldAscii(static_cast<unsigned char>(c)))
                                    : c);
        }
        m_hasPercent = m_pattern.find('%') != std::string::npos;
        m_hasUnderscore = m_pattern.find('_') != std::string::npos;
        if (m_hasUnderscore || !m_hasPercent)
            return;
        m_anchorStart = m_pattern.front() != '%';
        m_anchorEnd = m_pattern.back() != '%';
        size_t start = 0;
        while (start <= m_pattern.size()) {
            size_t end = m_pattern.find('%', start);
            if (end == std::string::npos)
                end = m_pattern.size();
            if (end > start)
                m_segments.push_back({start, end - start});
            start = end + 1;
        }
    }

    bool matches(std::string_view s) const
    {
        if (m_hasUnderscore)
            return matchWildcards(s);
        if (!m_hasPercent)
            return s.size() == m_pattern.size() && equal(s.data(), 0, m_pattern.size());
        size_t begin = 0;
        size_t end = s.size();
        size_t first = 0;
        size_t last = m_segments.size();
        if (m_anchorStart) {
            const Segment &seg = m_segments.front();
            if (seg.size > end || !equal(s.data(), seg.offset, seg.size))
                return false;
            begin = seg.size;
            ++first;
        }
        if (m_anchorEnd) {
            const Segment &seg = m_segments.back();
            if (seg.size > end - begin || !equal(s.data() + end - seg.size, seg.offset, seg.size))
                return false;
            end -= seg.size;
            --last;
        }
        // Leftmost placement of each middle segment leaves the most room for the rest.
        for (size_t i = first; i < last; ++i) {
            const Segment &seg = m_segments[i];
            const size_t at = find(s, begin, end, seg);
            if (at == std::string_view::npos)
                return false;
            begin = at + seg.size;
        }
        return true;
    }

private:
    struct Segment {
        size_t offset;
        size_t size;
    };

    bool same(char subject, char pattern) const
    {
        if (!m_caseInsensitive)
            return subject == pattern;
        return foldAscii(static_cast<unsigned char>(subject))
               == static_cast<unsigned char>(pattern);
    }

    bool equal(const char *subject, size_t offset, size_t size) const
    {
        for (size_t i = 0; i < size; ++i)
            if (!same(subject[i], m_pattern[offset + i]))
                return false;
        return true;
    }

    size_t find(std::string_view s, size_t begin, size_t end, const Segment &seg) const
    {
        if (!m_caseInsensitive) {
            const size_t at = s.substr(0, end).find(
                std::string_view(m_pattern).substr(seg.offset, seg.size), begin);
            return at;
        }
        for (size_t at = begin; at + seg.size <= end; ++at)
            if (equal(s.data() + at, seg.offset, seg.size))
                return at;
        return std::string_view::npos;
    }

    bool matchWildcards(std::string_view s) const
    {
        const size_t m = m_pattern.size();
        const size_t n = s.size();
        size_t pi = 0;
        size_t si = 0;
        size_t starP = std::string::npos;
        size_t starS = 0;
        while (si < n) {
            if (pi < m) {
                const char pc = m_pattern[pi];
                if (pc == '%') {
                    starP = ++pi;
                    starS = si;
                    continue;
                }
                if (pc == '_') {
                    si = nextCodePoint(s, si);
                    ++pi;
                    continue;
                }
                if (same(s[si], pc)) {
                    ++si;
                    ++pi;
                    continue;
                }
            }
            if (starP == std::string::npos)
                return false;
            // Let the last % swallow one more character and retry from there.
            pi = starP;
            starS = nextCodePoint(s, starS);
            si = starS;
        }
        while (pi < m && m_pattern[pi] == '%')
            ++pi;
        return pi == m;
    }

    std::string m_pattern; // ASCII-folded when case-insensitive; runs of % collapsed
    std::vector<Segment> m_segments;
    bool m_caseInsensitive = false;
    bool m_hasPercent = false;
    bool m_hasUnderscore = false;
    bool m_anchorStart = true;
    bool m_anchorEnd = true;
};

struct Clause {
    Source source = Source::Metric;
    Op op = Op::Eq;
    Attribute attribute = Attribute::RunId;
    DatasetField datasetField = DatasetField::Name;
    bool bareNumber = false;     // the literal was an unquoted number
    bool numericLiteral = false; // the literal reads as a decimal number, quoted or not
    double number = 0.0;
    std::string key;
    std::string text;
    std::vector<std::string> list;
    LikePattern like;

    bool matchesNumber(double v) const
    {
        switch (op) {
        case Op::Eq: return v == number;
        case Op::Ne: return v != number && !std::isnan(v); // NaN compares false, as in SQL
        case Op::Lt: return v < number;
        case Op::Le: return v <= number;
        case Op::Gt: return v > number;
        case Op::Ge: return v >= number;
        case Op::IsNotNull: return true;
        default: return false;
        }
    }

    bool matchesText(std::string_view v) const
    {
        switch (op) {
        case Op::Eq:
        case Op::Ne: {
            bool equal = false;
            if (bareNumber) {
                double d = 0.0;
                if (!readsAsNumber(v, d))
                    return false;
                equal = d == number;
            } else {
                equal = v == text;
            }
            return (op == Op::Eq) == equal;
        }
        case Op::Lt:
        case Op::Le:
        case Op::Gt:
        case Op::Ge: {
            int cmp = 0;
            double d = 0.0;
            if (numericLiteral && readsAsNumber(v, d))
                cmp = d < number ? -1 : (d > number ? 1 : 0);
            else if (bareNumber)
                return false;
            else
                cmp = v.compare(text); // char_traits compares as unsigned bytes: code point order
            switch (op) {
            case Op::Lt: return cmp < 0;
            case Op::Le: return cmp <= 0;
            case Op::Gt: return cmp > 0;
            default: return cmp >= 0;
            }
        }
        case Op::Like:
        case Op::ILike: return like.matches(v);
        case Op::In:
        case Op::NotIn: {
            bool found = false;
            for (const std::string &item : list) {
                if (v == item) {
                    found = true;
                    break;
                }
            }
            return (op == Op::In) == found;
        }
        case Op::IsNull: return false;
        case Op::IsNotNull: return true;
        }
        return false;
    }

    bool matchesInput(const DatasetInput &input) const
    {
        switch (datasetField) {
        case DatasetField::Name: return matchesText(input.name);
        case DatasetField::Digest: return matchesText(input.digest);
        case DatasetField::Context: return !input.context.empty() && matchesText(input.context);
        }
        return false;
    }

    const std::string &textAttribute(const Run &run) const
    {
        switch (attribute) {
        case Attribute::RunId: return run.runId;
        case Attribute::RunName: return run.runName;
        case Attribute::ExperimentId: return run.experimentId;
        case Attribute::UserId: return run.userId;
        case Attribute::Status: return run.status;
        case Attribute::LifecycleStage: return run.lifecycleStage;
        default: return run.artifactUri;
        }
    }

    bool matches(const Run &run) const
    {
        switch (source) {
        case Source::Metric:
            for (const Metric &m : run.metrics)
                if (m.key == key)
                    return matchesNumber(m.value);
            return op == Op::IsNull;
        case Source::Param:
            for (const KeyValue &p : run.params)
                if (p.key == key)
                    return matchesText(p.value);
            return op == Op::IsNull;
        case Source::Tag:
            for (const KeyValue &t : run.tags)
                if (t.key == key)
                    return matchesText(t.value);
            return op == Op::IsNull;
        case Source::TextAttribute: return matchesText(textAttribute(run));
        case Source::TimeAttribute: {
            const int64_t v = attribute == Attribute::StartTime ? run.startTime : run.endTime;
            if (v == 0)
                return op == Op::IsNull;
            return matchesNumber(static_cast<double>(v));
        }
        case Source::Dataset:
            for (const DatasetInput &input : run.inputs)
                if (matchesInput(input))
                    return true;
            return false;
        }
        return false;
    }
};

} // namespace

struct FilterProgram {
    enum class Kind : uint8_t { Clause, And, Or, Datasets };
    // And/Or: refs[first, first + count) are child nodes; Datasets: they are clauses that one
    // input must satisfy together; Clause: first is the clause.
    struct Node {
        Kind kind;
        size_t first;
        size_t count;
    };

    std::vector<Clause> clauses;
    std::vector<Node> nodes;
    std::vector<size_t> refs;
    size_t root = 0;
    std::vector<std::string> keys;

    // Recursion is bounded by the parser's depth limit.
    bool eval(size_t index, const Run &run) const
    {
        const Node &node = nodes[index];
        switch (node.kind) {
        case Kind::Clause: return clauses[node.first].matches(run);
        case Kind::And:
            for (size_t i = node.first; i < node.first + node.count; ++i)
                if (!eval(refs[i], run))
                    return false;
            return true;
        case Kind::Or:
            for (size_t i = node.first; i < node.first + node.count; ++i)
                if (eval(refs[i], run))
                    return true;
            return false;
        case Kind::Datasets:
            for (const DatasetInput &input : run.inputs) {
                bool all = true;
                for (size_t i = node.first; i < node.first + node.count && all; ++i)
                    all = clauses[refs[i]].matchesInput(input);
                if (all)
                    return true;
            }
            return false;
        }
        return false;
    }
};

namespace {

enum class TokenKind : uint8_t {
    End,
    Word,
    String,
    Number,
    Comparator,
    LeftParen,
    RightParen,
    Comma,
    Invalid,
};

struct Token {
    TokenKind kind = TokenKind::End;
    size_t position = 0;
    size_t length = 0;
    std::string text; // Word: the raw word before any quoted key; String: decoded; Invalid: message
    std::string quotedKey;
    double number = 0.0;
    Op op = Op::Eq;
};

// Columns count characters, not bytes, so they agree with what the user sees.
size_t columnOf(std::string_view text, size_t position)
{
    size_t column = 1;
    for (size_t i = 0; i < position && i < text.size(); ++i)
        if (!isContinuationByte(text[i]))
            ++column;
    return column;
}

std::string atColumn(std::string_view text, size_t position)
{
    return " at column " + std::to_string(columnOf(text, position));
}

// Length of the well-formed UTF-8 sequence at s[i], or 0 when the bytes there are not one.
size_t sequenceLength(std::string_view s, size_t i)
{
    const auto lead = static_cast<unsigned char>(s[i]);
    if (lead < 0x80)
        return 1;
    size_t n = 0;
    unsigned char low = 0x80;
    unsigned char high = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
        n = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        n = 3;
        low = lead == 0xE0 ? 0xA0 : low;  // overlong
        high = lead == 0xED ? 0x9F : high; // surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        n = 4;
        low = lead == 0xF0 ? 0x90 : low;  // overlong
        high = lead == 0xF4 ? 0x8F : high; // beyond U+10FFFF
    } else {
        return 0;
    }
    if (i + n > s.size())
        return 0;
    const auto second = static_cast<unsigned char>(s[i + 1]);
    if (second < low || second > high)
        return 0;
    for (size_t k = 2; k < n; ++k)
        if (!isContinuationByte(s[i + k]))
            return 0;
    return n;
}

// A piece of the user's text fit to quote in a message: short, on one line, valid UTF-8 even
// when the text is not.
std::string excerpt(std::string_view raw)
{
    constexpr size_t kMaxCharacters = 32;
    std::string out;
    size_t characters = 0;
    for (size_t i = 0; i < raw.size();) {
        if (++characters > kMaxCharacters) {
            out += "\u2026";
            break;
        }
        const size_t n = sequenceLength(raw, i);
        if (n == 0) {
            out += "\uFFFD";
            ++i;
            continue;
        }
        const auto c = static_cast<unsigned char>(raw[i]);
        if (c < 0x20 || c == 0x7F)
            out.push_back(' ');
        else
            out.append(raw.substr(i, n));
        i += n;
    }
    return out;
}

class Lexer {
public:
    explicit Lexer(std::string_view text) : m_text(text) {}

    Token next()
    {
        while (m_pos < m_text.size() && isSpace(m_text[m_pos]))
            ++m_pos;
        Token t;
        t.position = m_pos;
        if (m_pos >= m_text.size())
            return t;
        const char c = m_text[m_pos];
        switch (c) {
        case '(': return single(t, TokenKind::LeftParen);
        case ')': return single(t, TokenKind::RightParen);
        case ',': return single(t, TokenKind::Comma);
        case '<':
        case '>':
        case '=':
        case '!': return comparator(t);
        case '\'':
        case '"': return string(t, c);
        case '`':
            return invalid(t, 1,
                           "Unexpected '`'" + atColumn(m_text, t.position)
                               + "; backticks quote a key after its prefix, as in "
                                 "metrics.`val loss`.");
        default: break;
        }
        if (startsNumber())
            return number(t);
        if (isWordStart(c))
            return word(t);
        const auto u = static_cast<unsigned char>(c);
        if (u > 0x20 && u < 0x7F)
            return invalid(t, 1,
                           std::string("Unexpected character '") + c + "'"
                               + atColumn(m_text, t.position) + ".");
        return invalid(t, 1, "Unexpected control character" + atColumn(m_text, t.position) + ".");
    }

private:
    Token single(Token &t, TokenKind kind)
    {
        t.kind = kind;
        t.length = 1;
        ++m_pos;
        return t;
    }

    Token invalid(Token &t, size_t length, std::string message)
    {
        t.kind = TokenKind::Invalid;
        t.length = length;
        t.text = std::move(message);
        m_pos = std::max(m_pos, t.position + length);
        return t;
    }

    Token comparator(Token &t)
    {
        size_t end = m_pos;
        while (end < m_text.size()
               && (m_text[end] == '<' || m_text[end] == '>' || m_text[end] == '='
                   || m_text[end] == '!'))
            ++end;
        const std::string_view op = m_text.substr(m_pos, end - m_pos);
        t.length = op.size();
        m_pos = end;
        t.kind = TokenKind::Comparator;
        if (op == "=" || op == "==")
            t.op = Op::Eq;
        else if (op == "!=" || op == "<>")
            t.op = Op::Ne;
        else if (op == "<")
            t.op = Op::Lt;
        else if (op == "<=")
            t.op = Op::Le;
        else if (op == ">")
            t.op = Op::Gt;
        else if (op == ">=")
            t.op = Op::Ge;
        else
            return invalid(t, op.size(),
                           "Unknown comparator '" + excerpt(op) + "'" + atColumn(m_text, t.position)
                               + "; use =, !=, <, <=, >, >=, LIKE, ILIKE, IN, NOT IN or IS NULL.");
        return t;
    }

    // Reads a run quoted with `quote` (doubled to embed it) starting at m_pos; false if unclosed.
    bool quoted(char quote, std::string &out)
    {
        size_t pos = m_pos + 1;
        for (;;) {
            const size_t close = m_text.find(quote, pos);
            if (close == std::string_view::npos)
                return false;
            out.append(m_text.substr(pos, close - pos));
            if (close + 1 < m_text.size() && m_text[close + 1] == quote) {
                out.push_back(quote);
                pos = close + 2;
                continue;
            }
            m_pos = close + 1;
            return true;
        }
    }

    Token string(Token &t, char quote)
    {
        if (!quoted(quote, t.text))
            return invalid(t, m_text.size() - t.position,
                           "Unterminated string starting" + atColumn(m_text, t.position) + ".");
        t.kind = TokenKind::String;
        t.length = m_pos - t.position;
        return t;
    }

    bool startsNumber() const
    {
        auto digitAt = [this](size_t i) { return i < m_text.size() && isDigit(m_text[i]); };
        size_t i = m_pos;
        if (m_text[i] == '+' || m_text[i] == '-')
            ++i;
        return digitAt(i) || (i < m_text.size() && m_text[i] == '.' && digitAt(i + 1));
    }

    Token number(Token &t)
    {
        auto digitAt = [this](size_t i) { return i < m_text.size() && isDigit(m_text[i]); };
        size_t end = m_pos;
        if (m_text[end] == '+' || m_text[end] == '-')
            ++end;
        while (digitAt(end))
            ++end;
        if (end < m_text.size() && m_text[end] == '.') {
            ++end;
            while (digitAt(end))
                ++end;
        }
        if (end < m_text.size() && (m_text[end] == 'e' || m_text[end] == 'E')) {
            size_t exponent = end + 1;
            if (exponent < m_text.size() && (m_text[exponent] == '+' || m_text[exponent] == '-'))
                ++exponent;
            if (digitAt(exponent)) {
                end = exponent;
                while (digitAt(end))
                    ++end;
            }
        }
        if (end < m_text.size() && isWordChar(m_text[end])) {
            while (end < m_text.size() && isWordChar(m_text[end]))
                ++end;
            const std::string_view raw = m_text.substr(t.position, end - t.position);
            return invalid(t, raw.size(),
                           "Malformed number '" + excerpt(raw) + "'" + atColumn(m_text, t.position)
                               + ".");
        }
        const std::string_view raw = m_text.substr(t.position, end - t.position);
        m_pos = end;
        const std::errc ec = parseDecimal(raw, t.number);
        if (ec == std::errc::result_out_of_range)
            return invalid(t, raw.size(),
                           "The number '" + excerpt(raw) + "'" + atColumn(m_text, t.position)
                               + " is out of range.");
        if (ec != std::errc())
            return invalid(t, raw.size(),
                           "Malformed number '" + excerpt(raw) + "'" + atColumn(m_text, t.position)
                               + ".");
        t.kind = TokenKind::Number;
        t.length = raw.size();
        t.text = std::string(raw);
        return t;
    }

    Token word(Token &t)
    {
        size_t end = m_pos;
        while (end < m_text.size() && isWordChar(m_text[end]))
            ++end;
        t.text = std::string(m_text.substr(m_pos, end - m_pos));
        m_pos = end;
        // metrics.`val loss` and params."a-b": the quoted part is the key.
        if (t.text.back() == '.' && m_pos < m_text.size()
            && (m_text[m_pos] == '`' || m_text[m_pos] == '"')) {
            if (!quoted(m_text[m_pos], t.quotedKey)) {
                t.position = m_pos;
                return invalid(t, m_text.size() - t.position,
                               "Unterminated quoted name starting" + atColumn(m_text, m_pos)
                                   + ".");
            }
        }
        t.kind = TokenKind::Word;
        t.length = m_pos - t.position;
        return t;
    }

    std::string_view m_text;
    size_t m_pos = 0;
};

bool isKeyword(const Token &t, std::string_view lower)
{
    return t.kind == TokenKind::Word && t.quotedKey.empty() && equalsIgnoringCase(t.text, lower);
}

bool isAnyKeyword(const Token &t)
{
    for (std::string_view k : {"and", "or", "like", "ilike", "in", "not", "is", "null"})
        if (isKeyword(t, k))
            return true;
    return false;
}

class Parser {
public:
    explicit Parser(std::string_view text) : m_text(text), m_lexer(text) {}

    // False on error (see error()); an empty program means the text held nothing.
    bool parse(FilterProgram &program, bool &empty)
    {
        m_program = &program;
        empty = peek().kind == TokenKind::End;
        if (empty)
            return true;
        size_t root = 0;
        if (!parseOr(root, 0))
            return false;
        const Token &t = peek();
        if (t.kind == TokenKind::End) {
            program.root = root;
            return true;
        }
        if (t.kind == TokenKind::RightParen)
            return reject(t, "Unmatched ')'");
        return reject(t, "Expected AND or OR before '" + excerpt(raw(t)) + "'");
    }

    const FilterError &error() const { return m_error; }

private:
    using Kind = FilterProgram::Kind;

    const Token &peek()
    {
        if (!m_peeked) {
            m_next = m_lexer.next();
            m_peeked = true;
        }
        return m_next;
    }

    Token take()
    {
        peek();
        m_peeked = false;
        m_previous = {m_next.position, m_next.length};
        return std::move(m_next);
    }

    std::string_view raw(const Token &t) const { return m_text.substr(t.position, t.length); }

    std::string previousText() const
    {
        return excerpt(m_text.substr(m_previous.first, m_previous.second));
    }

    bool fail(size_t position, size_t length, std::string message)
    {
        m_error = FilterError{position, length, std::move(message)};
        return false;
    }

    // Fails at `t` with "<before> at column N<after>.", unless the lexer already explained `t`.
    bool reject(const Token &t, const std::string &before, const std::string &after = {})
    {
        if (t.kind == TokenKind::Invalid)
            return fail(t.position, t.length, t.text);
        std::string message = before + atColumn(m_text, t.position) + after;
        if (message.back() != '.')
            message.push_back('.');
        return fail(t.position, t.length, std::move(message));
    }

    size_t addNode(Kind kind, const std::vector<size_t> &items)
    {
        const size_t first = m_program->refs.size();
        m_program->refs.insert(m_program->refs.end(), items.begin(), items.end());
        m_program->nodes.push_back({kind, first, items.size()});
        return m_program->nodes.size() - 1;
    }

    bool parseOr(size_t &node, int depth)
    {
        std::vector<size_t> children(1);
        if (!parseAnd(children[0], depth))
            return false;
        while (isKeyword(peek(), "or")) {
            take();
            children.emplace_back();
            if (!parseAnd(children.back(), depth))
                return false;
        }
        node = children.size() == 1 ? children[0] : addNode(Kind::Or, children);
        return true;
    }

    bool parseAnd(size_t &node, int depth)
    {
        std::vector<size_t> children(1);
        if (!parsePrimary(children[0], depth))
            return false;
        while (isKeyword(peek(), "and")) {
            take();
            children.emplace_back();
            if (!parsePrimary(children.back(), depth))
                return false;
        }
        if (children.size() == 1) {
            node = children[0];
            return true;
        }
        // MLflow applies all dataset conditions of a conjunction to the same dataset row.
        std::vector<size_t> rest;
        std::vector<size_t> datasetClauses;
        size_t datasetSlot = 0;
        for (size_t child : children) {
            const FilterProgram::Node &n = m_program->nodes[child];
            if (n.kind != Kind::Datasets) {
                rest.push_back(child);
                continue;
            }
            if (datasetClauses.empty()) {
                datasetSlot = rest.size();
                rest.push_back(child);
            }
            for (size_t i = n.first; i < n.first + n.count; ++i)
                datasetClauses.push_back(m_program->refs[i]);
        }
        if (datasetClauses.size() > 1)
            rest[datasetSlot] = addNode(Kind::Datasets, datasetClauses);
        node = rest.size() == 1 ? rest[0] : addNode(Kind::And, rest);
        return true;
    }

    bool parsePrimary(size_t &node, int depth)
    {
        if (peek().kind != TokenKind::LeftParen)
            return parseComparison(node);
        if (depth >= RunFilter::kMaxDepth)
            return reject(peek(), "Parentheses are nested more than "
                                      + std::to_string(RunFilter::kMaxDepth) + " deep");
        const Token open = take();
        if (!parseOr(node, depth + 1))
            return false;
        const Token &close = peek();
        if (close.kind == TokenKind::RightParen) {
            take();
            return true;
        }
        if (close.kind == TokenKind::End)
            return reject(open, "Missing ')' to close the '('");
        return reject(close, "Expected AND, OR or ')' before '" + excerpt(raw(close)) + "'");
    }

    bool parseComparison(size_t &node)
    {
        const bool atStart = m_previous.second == 0;
        const std::string before = previousText();
        const Token field = take();
        if (field.kind != TokenKind::Word || isAnyKeyword(field)) {
            if (atStart)
                return reject(field, "Expected a condition such as metrics.accuracy > 0.9");
            return reject(field, "Expected a condition after '" + before + "'");
        }
        Clause clause;
        std::string canonicalKey;
        if (!resolveField(field, clause, canonicalKey))
            return false;
        size_t opStart = 0;
        if (!parseComparator(field, clause, opStart))
            return false;
        const std::string opText = excerpt(m_text.substr(opStart, m_previous.first
                                                                      + m_previous.second
                                                                      - opStart));
        if (!checkComparator(field, clause, opStart))
            return false;
        if (!parseValue(clause, opText))
            return false;

        if (m_seenKeys.insert(canonicalKey).second)
            m_program->keys.push_back(std::move(canonicalKey));
        const size_t index = m_program->clauses.size();
        const bool dataset = clause.source == Source::Dataset;
        m_program->clauses.push_back(std::move(clause));
        if (dataset) {
            node = addNode(Kind::Datasets, {index});
        } else {
            m_program->nodes.push_back({Kind::Clause, index, 1});
            node = m_program->nodes.size() - 1;
        }
        return true;
    }

    bool resolveField(const Token &field, Clause &clause, std::string &canonicalKey)
    {
        const std::string_view word = field.text;
        const size_t dot = word.find('.');
        if (dot == std::string_view::npos) {
            if (!resolveAttribute(word, clause))
                return reject(field, "Unknown field '" + excerpt(word) + "'",
                              "; use a prefix such as metrics., params., tags., attributes. or "
                              "datasets.");
            canonicalKey = "attributes." + std::string(canonicalName(clause.attribute));
            return true;
        }
        const std::string_view prefix = word.substr(0, dot);
        std::string key = std::string(word.substr(dot + 1)) + field.quotedKey;
        std::string_view kind;
        if (equalsIgnoringCase(prefix, "metric") || equalsIgnoringCase(prefix, "metrics")) {
            clause.source = Source::Metric;
            kind = "metrics";
        } else if (equalsIgnoringCase(prefix, "param") || equalsIgnoringCase(prefix, "params")
                   || equalsIgnoringCase(prefix, "parameter")
                   || equalsIgnoringCase(prefix, "parameters")) {
            clause.source = Source::Param;
            kind = "params";
        } else if (equalsIgnoringCase(prefix, "tag") || equalsIgnoringCase(prefix, "tags")) {
            clause.source = Source::Tag;
            kind = "tags";
        } else if (equalsIgnoringCase(prefix, "attribute")
                   || equalsIgnoringCase(prefix, "attributes")
                   || equalsIgnoringCase(prefix, "attr") || equalsIgnoringCase(prefix, "run")) {
            kind = "attributes";
        } else if (equalsIgnoringCase(prefix, "dataset")
                   || equalsIgnoringCase(prefix, "datasets")) {
            clause.source = Source::Dataset;
            kind = "datasets";
        } else {
            return fail(field.position, dot + 1,
                        "Unknown prefix '" + excerpt(prefix) + ".'"
                            + atColumn(m_text, field.position)
                            + "; use metrics., params., tags., attributes. or datasets.");
        }
        const size_t keyAt = field.position + dot + 1;
        if (key.empty())
            return fail(keyAt, field.length - dot - 1,
                        "Expected a name after '" + excerpt(word.substr(0, dot + 1)) + "'"
                            + atColumn(m_text, keyAt) + ".");
        if (kind == "attributes") {
            if (!resolveAttribute(key, clause))
                return fail(keyAt, field.length - dot - 1,
                            "Unknown attribute '" + excerpt(key) + "'" + atColumn(m_text, keyAt)
                                + "; use run_id, run_name, experiment_id, user_id, status, "
                                  "lifecycle_stage, artifact_uri, start_time or end_time.");
            canonicalKey = "attributes." + std::string(canonicalName(clause.attribute));
            return true;
        }
        if (kind == "datasets") {
            if (equalsIgnoringCase(key, "name"))
                clause.datasetField = DatasetField::Name;
            else if (equalsIgnoringCase(key, "digest"))
                clause.datasetField = DatasetField::Digest;
            else if (equalsIgnoringCase(key, "context"))
                clause.datasetField = DatasetField::Context;
            else
                return fail(keyAt, field.length - dot - 1,
                            "Unknown dataset field '" + excerpt(key) + "'"
                                + atColumn(m_text, keyAt) + "; use name, digest or context.");
            canonicalKey = "datasets." + std::string(canonicalName(clause.datasetField));
            return true;
        }
        canonicalKey = std::string(kind) + "." + key;
        clause.key = std::move(key);
        return true;
    }

    static bool resolveAttribute(std::string_view name, Clause &clause)
    {
        for (const AttributeName &a : kAttributeNames) {
            if (equalsIgnoringCase(name, a.name)) {
                clause.attribute = a.attribute;
                clause.source = (a.attribute == Attribute::StartTime
                                 || a.attribute == Attribute::EndTime)
                                    ? Source::TimeAttribute
                                    : Source::TextAttribute;
                return true;
            }
        }
        return false;
    }

    bool parseComparator(const Token &field, Clause &clause, size_t &opStart)
    {
        const Token t = take();
        opStart = t.position;
        if (t.kind == TokenKind::Comparator) {
            clause.op = t.op;
            return true;
        }
        if (isKeyword(t, "like")) {
            clause.op = Op::Like;
        } else if (isKeyword(t, "ilike")) {
            clause.op = Op::ILike;
        } else if (isKeyword(t, "in")) {
            clause.op = Op::In;
        } else if (isKeyword(t, "not")) {
            const Token in = take();
            if (!isKeyword(in, "in"))
                return reject(in, "Expected IN after NOT");
            clause.op = Op::NotIn;
        } else if (isKeyword(t, "is")) {
            Token next = take();
            clause.op = Op::IsNull;
            if (isKeyword(next, "not")) {
                clause.op = Op::IsNotNull;
                next = take();
            }
            if (!isKeyword(next, "null"))
                return reject(next, "Expected NULL or NOT NULL after IS");
        } else {
            return reject(t, "Expected a comparator such as =, >, LIKE or IN after '"
                                 + excerpt(raw(field)) + "'");
        }
        return true;
    }

    bool checkComparator(const Token &field, const Clause &clause, size_t opStart)
    {
        const size_t opLength = m_previous.first + m_previous.second - opStart;
        const bool numeric =
            clause.source == Source::Metric || clause.source == Source::TimeAttribute;
        const Op op = clause.op;
        if (numeric && (op == Op::Like || op == Op::ILike || op == Op::In || op == Op::NotIn))
            return fail(opStart, opLength,
                        std::string(opName(op)) + atColumn(m_text, opStart)
                            + " does not apply to " + excerpt(raw(field))
                            + ", which holds numbers.");
        const bool nullable = clause.source != Source::TextAttribute
                              && clause.source != Source::Dataset;
        if (!nullable && (op == Op::IsNull || op == Op::IsNotNull))
            return fail(opStart, opLength,
                        std::string(opName(op)) + atColumn(m_text, opStart)
                            + " applies only to metrics, params, tags, start_time and end_time, "
                              "not to "
                            + excerpt(raw(field)) + ".");
        return true;
    }

    bool parseValue(Clause &clause, const std::string &opText)
    {
        switch (clause.op) {
        case Op::IsNull:
        case Op::IsNotNull: return true;
        case Op::In:
        case Op::NotIn: return parseList(clause, opText);
        case Op::Like:
        case Op::ILike: {
            const Token v = take();
            if (v.kind != TokenKind::String)
                return reject(v, "Expected a quoted pattern after '" + opText + "'");
            clause.text = v.text;
            clause.like = LikePattern(v.text, clause.op == Op::ILike);
            return true;
        }
        default: break;
        }
        const Token v = take();
        const bool numeric =
            clause.source == Source::Metric || clause.source == Source::TimeAttribute;
        if (v.kind == TokenKind::Number) {
            clause.bareNumber = true;
            clause.numericLiteral = true;
            clause.number = v.number;
            clause.text = v.text;
            return true;
        }
        if (numeric && (v.kind == TokenKind::String || v.kind == TokenKind::Word))
            return reject(v, "Expected a number after '" + opText + "'",
                          ", as this field holds numbers");
        if (v.kind == TokenKind::String) {
            clause.text = v.text;
            clause.numericLiteral = readsAsNumber(clause.text, clause.number);
            return true;
        }
        if (v.kind == TokenKind::Word && !isAnyKeyword(v))
            return reject(v, "Expected a quoted value",
                          "; text is written in quotes, as in '" + excerpt(raw(v)) + "'");
        return reject(v, "Expected a value after '" + opText + "'");
    }

    bool parseList(Clause &clause, const std::string &opText)
    {
        const Token open = take();
        if (open.kind != TokenKind::LeftParen)
            return reject(open, "Expected '(' after '" + opText + "'");
        for (;;) {
            const Token v = take();
            if (v.kind == TokenKind::RightParen && clause.list.empty())
                return fail(open.position, v.position + v.length - open.position,
                            "The list after '" + opText + "'" + atColumn(m_text, open.position)
                                + " is empty.");
            if (v.kind != TokenKind::String)
                return reject(v, "Expected a quoted string in the list after '" + opText + "'");
            clause.list.push_back(v.text);
            const Token separator = take();
            if (separator.kind == TokenKind::Comma)
                continue;
            if (separator.kind == TokenKind::RightParen)
                return true;
            if (separator.kind == TokenKind::End)
                return reject(open, "Missing ')' to close the list opened");
            return reject(separator, "Expected ',' or ')' in the list after '" + opText + "'");
        }
    }

    std::string_view m_text;
    Lexer m_lexer;
    Token m_next;
    bool m_peeked = false;
    std::pair<size_t, size_t> m_previous{0, 0}; // position and length of the last token taken
    FilterProgram *m_program = nullptr;
    std::unordered_set<std::string> m_seenKeys;
    FilterError m_error;
};

} // namespace
} // namespace detail

RunFilter::RunFilter(std::shared_ptr<const detail::FilterProgram> program)
    : m_program(std::move(program))
{
}

Result<RunFilter> RunFilter::parse(std::string_view text)
{
    auto program = std::make_shared<detail::FilterProgram>();
    detail::Parser parser(text);
    bool empty = false;
    if (!parser.parse(*program, empty))
        return makeError("invalid", parser.error().message);
    if (empty)
        return RunFilter();
    return RunFilter(std::move(program));
}

std::optional<FilterError> RunFilter::validate(std::string_view text)
{
    detail::FilterProgram program;
    detail::Parser parser(text);
    bool empty = false;
    if (parser.parse(program, empty))
        return std::nullopt;
    return parser.error();
}

bool RunFilter::matches(const Run &run) const
{
    return !m_program || m_program->eval(m_program->root, run);
}

bool RunFilter::isEmpty() const
{
    return !m_program;
}

std::vector<std::string> RunFilter::referencedKeys() const
{
    return m_program ? m_program->keys : std::vector<std::string>();
}

} // namespace sightline
