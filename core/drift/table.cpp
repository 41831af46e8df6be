// SPDX-License-Identifier: GPL-3.0-or-later
// The CSV reader behind drift tables.
//
// A plain file is parsed straight from a read-only mapping: no copy of the text is made. The data
// is cut into one chunk per thread at line ends; each thread parses its chunk into its own columns
// and the columns are joined in file order afterwards. A cut could land inside a quoted field
// that holds newlines: the records after each cut are checked to place it, and the result is
// verified exactly (the chunk before a cut must end its last record on it); should a cut still be
// wrong, the rest of the file is parsed again on one thread. Pages already parsed are handed back
// to the kernel as the threads go, so the resident size stays near the size of the columns rather
// than the columns plus the file.
//
// A gzip file is inflated in 4 MiB blocks (on a second thread when there is one) and parsed as
// the blocks arrive, so the text held in memory at any time is about three blocks.
//
// Conventions chosen here:
// - Boolean columns are inferred only from true/false/yes/no spellings; a column of 0 and 1 stays
//   numeric (its statistics are the same and nothing is lost). A column declared boolean also
//   takes 0 and 1.
// - Blank lines are skipped, as pandas does.
// - Numbers beyond the double range become +/-inf or +/-0, as in most tools.
// - Column names have surrounding blanks removed; an empty name becomes "column N".
#include "drift/table.h"

#include "drift/csvvalues.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <exception>
#include <limits>
#include <memory>
#include <mutex>
#include <set>
#include <system_error>
#include <thread>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace sightline::drift {

const char *columnTypeName(ColumnType type)
{
    switch (type) {
    case ColumnType::Numeric:
        return "numeric";
    case ColumnType::Categorical:
        return "categorical";
    case ColumnType::Boolean:
        return "boolean";
    case ColumnType::Timestamp:
        return "timestamp";
    }
    return "numeric";
}

bool parseColumnType(std::string_view text, ColumnType &type)
{
    std::string lower(text);
    for (char &c : lower)
        c = char(std::tolower(static_cast<unsigned char>(c)));
    static const std::pair<const char *, ColumnType> names[] = {
        {"numeric", ColumnType::Numeric},         {"number", ColumnType::Numeric},
        {"num", ColumnType::Numeric},             {"categorical", ColumnType::Categorical},
        {"category", ColumnType::Categorical},    {"cat", ColumnType::Categorical},
        {"string", ColumnType::Categorical},      {"text", ColumnType::Categorical},
        {"boolean", ColumnType::Boolean},         {"bool", ColumnType::Boolean},
        {"timestamp", ColumnType::Timestamp},     {"datetime", ColumnType::Timestamp},
        {"date", ColumnType::Timestamp},          {"time", ColumnType::Timestamp},
    };
    for (const auto &[name, value] : names) {
        if (lower == name) {
            type = value;
            return true;
        }
    }
    return false;
}

const Column *Table::find(std::string_view name) const
{
    for (const Column &column : columns) {
        if (column.name == name)
            return &column;
    }
    return nullptr;
}

namespace {

constexpr size_t kMinChunkBytes = size_t(1) << 18;  // below this a thread costs more than it saves
constexpr size_t kReleaseStep = size_t(32) << 20;   // hand parsed pages back every 32 MiB
constexpr size_t kGzipBlock = size_t(4) << 20;
constexpr size_t kGzipQueue = 2;                    // inflated blocks waiting for the parser
constexpr unsigned kCheckEvery = 1024;              // rows between cancel and progress checks
constexpr size_t kShownValue = 40;                  // characters of a bad value quoted in errors

// --- Values ----------------------------------------------------------------------------------

using csv::isBlank;
using csv::trim;

// A bad value as quoted in a message: at most kShownValue bytes (not cutting a UTF-8
// character), control characters shown as spaces so the message stays on one line.
std::string shown(std::string_view value)
{
    bool cut = false;
    if (value.size() > kShownValue) {
        size_t n = kShownValue;
        while (n > 0 && (static_cast<unsigned char>(value[n]) & 0xC0) == 0x80)
            --n;
        value = value.substr(0, n);
        cut = true;
    }
    std::string out;
    out.reserve(value.size() + 3);
    for (char c : value)
        out += static_cast<unsigned char>(c) < 0x20 ? ' ' : c;
    if (cut)
        out += "...";
    return out;
}

// --- Category dictionary ---------------------------------------------------------------------

uint64_t hashText(std::string_view s)
{
    uint64_t h = 0x9e3779b97f4a7c15ull ^ (s.size() * 0xff51afd7ed558ccdull);
    const char *p = s.data();
    size_t n = s.size();
    while (n >= 8) {
        uint64_t w;
        std::memcpy(&w, p, 8);
        h = (h ^ w) * 0xbf58476d1ce4e5b9ull;
        h ^= h >> 31;
        p += 8;
        n -= 8;
    }
    if (n > 0) {
        // The tail without a variable-length copy: two overlapping loads, or three bytes.
        uint64_t w;
        if (n >= 4) {
            uint32_t a, b;
            std::memcpy(&a, p, 4);
            std::memcpy(&b, p + n - 4, 4);
            w = (uint64_t(a) << 32) | b;
        } else {
            w = (uint64_t(uint8_t(p[0])) << 16) | (uint64_t(uint8_t(p[n / 2])) << 8)
                | uint8_t(p[n - 1]);
        }
        h = (h ^ w) * 0x94d049bb133111ebull;
    }
    h ^= h >> 32;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 29;
    return h;
}

// Equality of short texts without a call to memcmp: categories are mostly a few bytes long.
inline bool sameText(const std::string &a, std::string_view b)
{
    const size_t n = b.size();
    if (a.size() != n)
        return false;
    const char *x = a.data();
    const char *y = b.data();
    if (n >= 8 && n <= 16) {
        uint64_t x0, x1, y0, y1;
        std::memcpy(&x0, x, 8);
        std::memcpy(&y0, y, 8);
        std::memcpy(&x1, x + n - 8, 8);
        std::memcpy(&y1, y + n - 8, 8);
        return ((x0 ^ y0) | (x1 ^ y1)) == 0;
    }
    if (n >= 4 && n < 8) {
        uint32_t x0, x1, y0, y1;
        std::memcpy(&x0, x, 4);
        std::memcpy(&y0, y, 4);
        std::memcpy(&x1, x + n - 4, 4);
        std::memcpy(&y1, y + n - 4, 4);
        return ((x0 ^ y0) | (x1 ^ y1)) == 0;
    }
    return std::memcmp(x, y, n) == 0;
}

// Open addressing over the values in order of first appearance: a few nanoseconds per lookup,
// where std::unordered_map costs several times that on the hot path.
class CategoryDictionary {
public:
    int32_t intern(std::string_view text)
    {
        if (m_slots.empty())
            rehash(64);
        const uint64_t h = hashText(text);
        size_t i = size_t(h) & m_mask;
        while (m_slots[i].code >= 0) {
            const Slot &slot = m_slots[i];
            if (slot.hash == h && sameText(m_values[size_t(slot.code)], text))
                return slot.code;
            i = (i + 1) & m_mask;
        }
        const auto code = int32_t(m_values.size());
        m_values.emplace_back(text);
        m_slots[i] = {h, code};
        if (m_values.size() * 2 > m_slots.size())
            rehash(m_slots.size() * 2);
        return code;
    }

    const std::string &value(int32_t code) const { return m_values[size_t(code)]; }
    const std::vector<std::string> &values() const { return m_values; }
    std::vector<std::string> take()
    {
        m_slots.clear();
        return std::move(m_values);
    }

private:
    struct Slot {
        uint64_t hash = 0;
        int32_t code = -1;
    };

    void rehash(size_t size)
    {
        m_slots.assign(size, Slot{});
        m_mask = size - 1;
        for (size_t code = 0; code < m_values.size(); ++code) {
            const uint64_t h = hashText(m_values[code]);
            size_t i = size_t(h) & m_mask;
            while (m_slots[i].code >= 0)
                i = (i + 1) & m_mask;
            m_slots[i] = {h, int32_t(code)};
        }
    }

    std::vector<Slot> m_slots;
    size_t m_mask = 0;
    std::vector<std::string> m_values;
};

// --- Fields ----------------------------------------------------------------------------------

enum class Scan { Ok, NeedMore, Unclosed };

constexpr size_t kTerminatorWindow = 32;

// The first delimiter or '\n' in the kTerminatorWindow bytes at `p` (which must be readable),
// or null: two 16-byte compares instead of a branch per character.
inline const char *findTerminator(const char *p, char delimiter)
{
#if defined(__SSE2__)
    const __m128i d = _mm_set1_epi8(delimiter);
    const __m128i n = _mm_set1_epi8('\n');
    const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p));
    const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p + 16));
    const auto ma = unsigned(
        _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(a, d), _mm_cmpeq_epi8(a, n))));
    const auto mb = unsigned(
        _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(b, d), _mm_cmpeq_epi8(b, n))));
    const uint32_t mask = ma | (mb << 16);
    return mask ? p + __builtin_ctz(mask) : nullptr;
#else
    for (size_t i = 0; i < kTerminatorWindow; ++i) {
        if (p[i] == delimiter || p[i] == '\n')
            return p + i;
    }
    return nullptr;
#endif
}

Scan scanQuoted(const char *&p, const char *end, char delimiter, bool final,
                std::string_view &value, std::string &scratch, size_t &lines)
{
    const char *segment = p + 1;
    bool copied = false;
    const char *q;
    for (;;) {
        q = static_cast<const char *>(std::memchr(segment, '"', size_t(end - segment)));
        if (!q)
            return final ? Scan::Unclosed : Scan::NeedMore;
        if (q + 1 == end && !final)
            return Scan::NeedMore;  // it may be the first of a doubled quote
        if (q + 1 < end && q[1] == '"') {
            if (!copied)
                scratch.clear();
            copied = true;
            scratch.append(segment, q + 1);
            segment = q + 2;
            continue;
        }
        break;
    }
    const auto newlines = size_t(std::count(p + 1, q, '\n'));
    if (copied) {
        scratch.append(segment, q);
        value = scratch;
    } else {
        value = std::string_view(segment, size_t(q - segment));
    }
    const char *r = q + 1;
    if (r < end && *r != delimiter && *r != '\n') {
        if (*r == '\r' && r + 1 < end && r[1] == '\n') {
            ++r;
        } else {
            // Text after the closing quote is malformed but common; keep it, as most readers do.
            const char *t = r;
            while (t < end && *t != delimiter && *t != '\n')
                ++t;
            if (t == end && !final)
                return Scan::NeedMore;
            const char *e = t;
            if (e > r && e[-1] == '\r' && (t == end || *t == '\n'))
                --e;
            if (!copied)
                scratch.assign(value);
            scratch.append(r, e);
            value = scratch;
            r = t;
        }
    }
    lines += newlines;
    p = r;
    return Scan::Ok;
}

// Reads the field at `p` and leaves `p` on its terminator: the delimiter, the '\n' ending the
// line (a '\r' before it is not part of the value) or `end`. Quoted fields may hold delimiters,
// doubled quotes and newlines (added to `lines`). Unless `final`, reaching `end` means the field
// may go on in text not read yet.
Scan scanField(const char *&p, const char *end, char delimiter, bool final,
               std::string_view &value, std::string &scratch, size_t &lines)
{
    if (p < end && *p == '"')
        return scanQuoted(p, end, delimiter, final, value, scratch, lines);
    const char *q = size_t(end - p) >= kTerminatorWindow ? findTerminator(p, delimiter) : nullptr;
    if (!q) {
        q = p;
        while (q < end && *q != delimiter && *q != '\n')
            ++q;
    }
    if (q == end && !final)
        return Scan::NeedMore;
    const char *e = q;
    if (e > p && e[-1] == '\r' && (q == end || *q == '\n'))
        --e;
    value = std::string_view(p, size_t(e - p));
    p = q;
    return Scan::Ok;
}

// Fields left in a record from `p`, which is on a delimiter; -1 when the record is cut by the end
// of the text seen so far.
long countRemainingFields(const char *p, const char *end, char delimiter, bool final)
{
    std::string scratch;
    std::string_view value;
    size_t lines = 0;
    long count = 0;
    while (p < end && *p == delimiter) {
        ++p;
        ++count;
        const Scan scan = scanField(p, end, delimiter, final, value, scratch, lines);
        if (scan == Scan::NeedMore)
            return -1;
        if (scan == Scan::Unclosed)
            break;
    }
    if (p == end && !final)
        return -1;
    return count;
}

// --- Layout: delimiter, header, types --------------------------------------------------------

struct Layout {
    char delimiter = ',';
    std::vector<std::string> names;
    std::vector<ColumnType> types;
};

// The candidate whose count outside quotes is the same, and not zero, on the header and the
// next lines; failing that the one most frequent in the header; failing that a comma.
char detectDelimiter(std::string_view text)
{
    static const char candidates[3] = {',', ';', '\t'};
    const size_t sampleSize = std::min<size_t>(text.size(), size_t(1) << 16);
    std::vector<std::array<size_t, 3>> lines;
    std::array<size_t, 3> current{};
    bool quoted = false;
    bool content = false;
    size_t i = 0;
    for (; i < sampleSize && lines.size() < 20; ++i) {
        const char c = text[i];
        if (c == '"') {
            quoted = !quoted;
            content = true;
        } else if (quoted) {
            continue;
        } else if (c == '\n') {
            if (content)
                lines.push_back(current);
            current = {};
            content = false;
        } else if (c != '\r') {
            content = true;
            for (size_t k = 0; k < 3; ++k)
                current[k] += c == candidates[k];
        }
    }
    if (content && (lines.empty() || i == text.size()))
        lines.push_back(current);
    if (lines.empty())
        return ',';
    const auto &header = lines.front();
    int best = -1;
    for (int k = 0; k < 3; ++k) {
        if (header[size_t(k)] == 0)
            continue;
        const bool consistent = std::all_of(lines.begin(), lines.end(), [&](const auto &line) {
            return line[size_t(k)] == header[size_t(k)];
        });
        if (consistent && (best < 0 || header[size_t(k)] > header[size_t(best)]))
            best = k;
    }
    if (best >= 0)
        return candidates[best];
    for (int k = 0; k < 3; ++k) {
        if (header[size_t(k)] > 0 && (best < 0 || header[size_t(k)] > header[size_t(best)]))
            best = k;
    }
    return best >= 0 ? candidates[best] : ',';
}

struct Head {
    size_t dataOffset = 0;   // where the first record after the header starts
    size_t dataLine = 1;     // its line number
    double bytesPerRow = 0;  // in the rows looked at for inference; 0 when there were none
    bool empty = false;      // nothing but blank lines
};

enum class HeadStatus { Ok, NeedMore, Failed };

std::string located(const std::string &source, size_t line, const std::string &message)
{
    return source + ":" + std::to_string(line) + ": " + message;
}

// Reads the header and infers the column types from the first rows. Without `final`, asks for
// more text when the rows it wants are not all there yet.
HeadStatus readHead(std::string_view text, bool final, const CsvOptions &options,
                    const std::string &source, Layout &layout, Head &head, Error &error)
{
    const char *const begin = text.data();
    const char *const end = begin + text.size();
    const char *p = begin;
    size_t line = 1;
    while (p < end && (*p == '\n' || *p == '\r' || isBlank(*p))) {
        line += *p == '\n';
        ++p;
    }
    if (p == end) {
        if (!final)
            return HeadStatus::NeedMore;
        head.empty = true;
        return HeadStatus::Ok;
    }
    // Back to the start of the line the header is on, so leading blanks stay in the first name.
    while (p > begin && p[-1] != '\n')
        --p;

    layout.delimiter =
        options.delimiter ? options.delimiter : detectDelimiter({p, size_t(end - p)});
    const char delimiter = layout.delimiter;
    if (delimiter == '"' || delimiter == '\n' || delimiter == '\r') {
        error = makeError("invalid", "A quote or a line end cannot be the field delimiter.");
        return HeadStatus::Failed;
    }

    std::string scratch;
    std::string_view value;
    const size_t headerLine = line;
    layout.names.clear();
    for (;;) {
        const Scan scan = scanField(p, end, delimiter, final, value, scratch, line);
        if (scan == Scan::NeedMore)
            return HeadStatus::NeedMore;
        if (scan == Scan::Unclosed) {
            error = makeError("parse",
                              located(source, headerLine,
                                      "a quoted field starting on this line is not closed."));
            return HeadStatus::Failed;
        }
        std::string name(trim(value));
        if (name.empty())
            name = "column " + std::to_string(layout.names.size() + 1);
        layout.names.push_back(std::move(name));
        if (p == end)
            break;
        ++p;
        if (p[-1] == '\n') {
            ++line;
            break;
        }
    }
    std::set<std::string_view> seen;
    for (const std::string &name : layout.names) {
        if (!seen.insert(name).second) {
            error = makeError("parse",
                              located(source, headerLine,
                                      "the column name '" + shown(name) + "' appears twice."));
            return HeadStatus::Failed;
        }
    }
    head.dataOffset = size_t(p - begin);
    head.dataLine = line;

    // Inference: a column keeps every type that all its non-missing values parse as.
    const size_t count = layout.names.size();
    struct Evidence {
        bool boolean = true, numeric = true, timestamp = true;
    };
    std::vector<Evidence> evidence(count);
    std::vector<std::string_view> fields;
    std::vector<std::string> scratches(count + 1);
    size_t rows = 0;
    const char *q = p;
    while (q < end && rows < options.inferenceRows) {
        if (*q == '\n' || (*q == '\r' && q + 1 < end && q[1] == '\n')) {
            q += *q == '\n' ? 1 : 2;
            continue;
        }
        fields.clear();
        size_t unused = 0;
        for (;;) {
            std::string &s = scratches[std::min(fields.size(), count)];
            const Scan scan = scanField(q, end, delimiter, final, value, s, unused);
            if (scan == Scan::NeedMore)
                return HeadStatus::NeedMore;
            if (scan == Scan::Unclosed) {
                q = end;
                break;
            }
            if (fields.size() < count)
                fields.push_back(value);
            else
                fields.push_back({});  // too many fields: the parse reports the row
            if (q == end)
                break;
            ++q;
            if (q[-1] == '\n')
                break;
        }
        ++rows;
        if (fields.size() != count)
            continue;  // a ragged row: the parse reports it with its line
        for (size_t c = 0; c < count; ++c) {
            if (csv::isMissingValue(fields[c]))
                continue;
            Evidence &e = evidence[c];
            double unusedValue;
            if (e.boolean)
                e.boolean = csv::parseBoolean(fields[c], unusedValue, false);
            if (e.numeric)
                e.numeric = csv::parseNumber(fields[c], unusedValue);
            if (e.timestamp)
                e.timestamp = csv::parseTimestamp(fields[c], unusedValue);
        }
    }
    if (rows > 0)
        head.bytesPerRow = double(q - p) / double(rows);

    layout.types.assign(count, ColumnType::Numeric);
    for (size_t c = 0; c < count; ++c) {
        const Evidence &e = evidence[c];
        // A column with no values at all is numeric: all missing either way.
        ColumnType type = ColumnType::Categorical;
        if (e.boolean && !e.numeric)  // both hold only when there was no value at all
            type = ColumnType::Boolean;
        else if (e.numeric)
            type = ColumnType::Numeric;
        else if (e.timestamp)
            type = ColumnType::Timestamp;
        if (const auto it = options.typeOverrides.find(layout.names[c]);
            it != options.typeOverrides.end())
            type = it->second;
        layout.types[c] = type;
    }
    return HeadStatus::Ok;
}

// --- Chunks ----------------------------------------------------------------------------------

// Faults in the pages under [data, data + bytes) in one call where the system can (Linux 5.14
// and later): much cheaper than a fault per page as the values arrive, and new memory is what
// filling large columns mostly waits for. Contents are unchanged; a refusal changes nothing.
void populate(const void *data, size_t bytes)
{
#if defined(MADV_POPULATE_WRITE)
    static const auto page = uintptr_t(std::max(4096L, ::sysconf(_SC_PAGESIZE)));
    const uintptr_t from = reinterpret_cast<uintptr_t>(data) & ~(page - 1);
    const uintptr_t to = (reinterpret_cast<uintptr_t>(data) + bytes + page - 1) & ~(page - 1);
    if (bytes > 0)
        ::madvise(reinterpret_cast<void *>(from), to - from, MADV_POPULATE_WRITE);
#else
    (void)data;
    (void)bytes;
#endif
}

// Appends to a vector through a raw cursor: the vector is grown (within its reserved capacity)
// a block at a time, so each value costs a compare and a store instead of a push_back call.
template<typename T>
struct Sink {
    static constexpr size_t kBlock = 8192;

    std::vector<T> values;
    T *next = nullptr;
    T *limit = nullptr;

    void push(T value)
    {
        if (next == limit)
            grow();
        *next++ = value;
    }
    T pop() { return *--next; }
    size_t size() const { return next ? size_t(next - values.data()) : 0; }
    void grow()
    {
        const size_t used = size();
        if (values.capacity() >= used + kBlock)
            populate(values.data() + used, kBlock * sizeof(T));
        values.resize(used + kBlock);
        next = values.data() + used;
        limit = values.data() + values.size();
    }
    std::vector<T> take()
    {
        values.resize(size());
        next = limit = nullptr;
        return std::move(values);
    }
};

struct ColumnData {
    ColumnType type = ColumnType::Numeric;
    Sink<double> numbers;
    Sink<int32_t> codes;
    CategoryDictionary dictionary;
    size_t missing = 0;
    int32_t lastCode = -1;  // the previous value repeats often; compare before hashing

    void pushCategory(std::string_view text)
    {
        if (csv::isMissingValue(text)) {
            codes.push(-1);
            ++missing;
            return;
        }
        if (lastCode < 0 || !sameText(dictionary.value(lastCode), text))
            lastCode = dictionary.intern(text);
        codes.push(lastCode);
    }

    // The same for a value of 1 to 8 bytes at `p`, with 8 bytes readable there. Categories are
    // mostly that short: their bytes, read as one word, find the code in a small direct-mapped
    // table, a load and a compare instead of a hash, a probe and a text comparison.
    void pushShortCategory(const char *p, size_t size)
    {
        uint64_t word;
        std::memcpy(&word, p, 8);
        if (size < 8)
            word &= (uint64_t(1) << (8 * size)) - 1;
        if (shortCodes.empty())
            shortCodes.resize(kShortCodes);
        ShortCode &entry = shortCodes[size_t(((word ^ size) * 0x9e3779b97f4a7c15ull) >> 56)];
        if (entry.word == word && entry.size == size) {
            codes.push(entry.code);
            return;
        }
        pushCategory(std::string_view(p, size));
        // Missing values are counted by pushCategory, so they are never remembered here.
        if (lastCode >= 0 && codes.next[-1] == lastCode)
            entry = {word, lastCode, uint32_t(size)};
    }

    static constexpr size_t kShortCodes = 256;
    struct ShortCode {
        uint64_t word = 0;
        int32_t code = -1;
        uint32_t size = 0;  // 0: empty, as no value looked up here is
    };
    std::vector<ShortCode> shortCodes;
};

// What the threads parsing one text share.
struct Shared {
    const std::atomic<bool> *cancel = nullptr;
    std::atomic<int> failedChunk{INT_MAX};  // chunks after a failed one stop early
    size_t pageSize = 4096;
};

// One run of records parsed by one thread into its own columns. Line numbers are counted from
// the chunk's first byte; the caller adds where the chunk starts.
struct Chunk {
    enum class Status { Done, NeedMore, Failed, Cancelled, Abandoned };

    Chunk(const Layout &layout, int index, Shared &shared)
        : layout(layout), index(index), shared(shared)
    {
        columns.resize(layout.types.size());
        for (size_t c = 0; c < columns.size(); ++c)
            columns[c].type = layout.types[c];
    }

    void reserve(double rowsWanted)
    {
        if (!(rowsWanted > 0))
            return;
        const auto n = size_t(std::min(rowsWanted, 1e12));
        // Capacity that is never written costs address space, not memory; a refusal costs
        // nothing but the reallocations it would have saved.
        try {
            for (ColumnData &column : columns) {
                if (column.type == ColumnType::Categorical)
                    column.codes.values.reserve(n);
                else
                    column.numbers.values.reserve(n);
            }
        } catch (const std::bad_alloc &) {
        }
    }

    Status parse(const char *&pos, const char *end, const char *stopAfter, bool final);

    const Layout &layout;
    int index;
    Shared &shared;
    std::vector<ColumnData> columns;
    size_t rows = 0;
    size_t lines = 0;
    size_t errorLine = 0;
    std::string errorMessage;
    // Progress as bytes parsed from `base`; read by the thread reporting progress.
    const char *base = nullptr;
    std::atomic<size_t> done{0};
    const char *releasedTo = nullptr;  // non-null: pages before the cursor may be handed back
    std::function<void()> onCheckpoint;

private:
    Status checkpoint(const char *p);
    bool store(ColumnData &column, size_t c, std::string_view text, size_t line);
    Status fail(size_t line, std::string message)
    {
        errorLine = line;
        errorMessage = std::move(message);
        int expected = shared.failedChunk.load();
        while (index < expected && !shared.failedChunk.compare_exchange_weak(expected, index)) {
        }
        return Status::Failed;
    }
    void rollback(size_t fieldsStored);

    std::string m_scratch;
    unsigned m_tick = 0;
};

Chunk::Status Chunk::checkpoint(const char *p)
{
    done.store(size_t(p - base), std::memory_order_relaxed);
    if (shared.cancel && shared.cancel->load(std::memory_order_relaxed))
        return Status::Cancelled;
    if (shared.failedChunk.load(std::memory_order_relaxed) < index)
        return Status::Abandoned;
    if (releasedTo && size_t(p - releasedTo) >= kReleaseStep) {
        const auto mask = ~uintptr_t(shared.pageSize - 1);
        const uintptr_t from =
            (reinterpret_cast<uintptr_t>(releasedTo) + shared.pageSize - 1) & mask;
        const uintptr_t to = reinterpret_cast<uintptr_t>(p) & mask;
        // The mapping is read-only and private: dropped pages come back from the file if touched.
        if (to > from)
            ::madvise(reinterpret_cast<void *>(from), to - from, MADV_DONTNEED);
        releasedTo = reinterpret_cast<const char *>(to);
    }
    if (onCheckpoint)
        onCheckpoint();
    return Status::Done;
}

void Chunk::rollback(size_t fieldsStored)
{
    for (size_t c = 0; c < fieldsStored; ++c) {
        ColumnData &column = columns[c];
        if (column.type == ColumnType::Categorical)
            column.missing -= column.codes.pop() < 0;
        else
            column.missing -= std::isnan(column.numbers.pop());
    }
}

bool Chunk::store(ColumnData &column, size_t c, std::string_view text, size_t line)
{
    double value = 0.0;
    const char *expects = nullptr;
    switch (column.type) {
    case ColumnType::Numeric:
        if (csv::parseNumber(text, value)) {
            column.numbers.push(value);
            column.missing += std::isnan(value);
            return true;
        }
        expects = "a number";
        break;
    case ColumnType::Boolean:
        if (csv::parseBoolean(text, value, true)) {
            column.numbers.push(value);
            return true;
        }
        expects = "true or false";
        break;
    case ColumnType::Timestamp:
        if (csv::parseTimestamp(text, value)) {
            column.numbers.push(value);
            return true;
        }
        expects = "a date or time like 2026-11-01T12:30:00Z";
        break;
    case ColumnType::Categorical:
        column.pushCategory(text);
        return true;
    }
    if (csv::isMissingValue(text)) {
        column.numbers.push(std::numeric_limits<double>::quiet_NaN());
        ++column.missing;
        return true;
    }
    fail(line, "column '" + layout.names[c] + "' expects " + expects + ", found '" + shown(text)
                   + "'.");
    return false;
}

// Parses records from `pos` while they start before `stopAfter`; a record that starts before it
// is finished even past it. On return `pos` is where parsing stopped: after the last record
// (Done), at the start of a record cut by `end` (NeedMore, only without `final`), or near a
// failure.
Chunk::Status Chunk::parse(const char *&pos, const char *end, const char *stopAfter, bool final)
{
    const char *p = pos;
    const size_t count = columns.size();
    const char delimiter = layout.delimiter;
    while (p < stopAfter) {
        if (++m_tick == kCheckEvery) {
            m_tick = 0;
            if (const Status s = checkpoint(p); s != Status::Done) {
                pos = p;
                return s;
            }
        }
        if (*p == '\n') {  // blank line
            ++lines;
            ++p;
            continue;
        }
        if (*p == '\r' && (p + 1 == end || p[1] == '\n')) {
            if (p + 1 == end && !final) {
                pos = p;
                return Status::NeedMore;
            }
            lines += p + 1 < end;
            p += p + 1 < end ? 2 : 1;
            continue;
        }
        const char *const recordStart = p;
        const size_t recordLine = lines;
        for (size_t c = 0; c < count; ++c) {
            ColumnData &column = columns[c];
            const bool last = c + 1 == count;
            // Fast paths: an unquoted field whose end is within reach. Finding the end apart from
            // reading the value lets the next field start without waiting for this one's digits.
            const char *t = size_t(end - p) >= csv::kNumberLookahead && *p != '"'
                                ? findTerminator(p, delimiter)
                                : nullptr;
            if (t && (*t == '\n') == last) {
                const char *valueEnd = t - (t > p && *t == '\n' && t[-1] == '\r');
                bool stored = false;
                if (column.type == ColumnType::Numeric) {
                    double value;
                    const char *q = p;
                    if (csv::scanNumberFast(q, value) && q == valueEnd) {
                        column.numbers.push(value);  // never NaN
                        stored = true;
                    }
                } else if (column.type == ColumnType::Categorical) {
                    const auto size = size_t(valueEnd - p);
                    if (size >= 1 && size <= 8)
                        column.pushShortCategory(p, size);
                    else
                        column.pushCategory(std::string_view(p, size));
                    stored = true;
                }
                if (stored) {
                    p = t + 1;
                    lines += last;
                    continue;
                }
            }
            bool stored = false;
            if (column.type == ColumnType::Numeric && !t) {
                double value;
                const auto [q, ec] = std::from_chars(p, end, value);
                const char *u = q;
                if (last && u + 1 < end && *u == '\r' && u[1] == '\n')
                    ++u;
                if (ec == std::errc() && (u < end ? *u == (last ? '\n' : delimiter) : final)) {
                    column.numbers.push(value);
                    column.missing += std::isnan(value);
                    p = u;
                    stored = true;
                }
            }
            if (!stored) {
                const size_t fieldLine = lines;
                std::string_view text;
                const Scan scan = scanField(p, end, delimiter, final, text, m_scratch, lines);
                if (scan == Scan::NeedMore) {
                    rollback(c);
                    lines = recordLine;
                    pos = recordStart;
                    return Status::NeedMore;
                }
                if (scan == Scan::Unclosed) {
                    pos = p;
                    return fail(fieldLine, "a quoted field starting on this line is not closed.");
                }
                if (!store(column, c, text, fieldLine)) {
                    pos = p;
                    return Status::Failed;
                }
            }
            if (p == end || *p == '\n') {
                if (!last) {
                    pos = p;
                    return fail(recordLine, "expected " + std::to_string(count) + " fields, found "
                                                + std::to_string(c + 1) + ".");
                }
                if (p < end) {
                    ++lines;
                    ++p;
                }
            } else {  // on a delimiter
                if (last) {
                    const long extra = countRemainingFields(p, end, delimiter, final);
                    if (extra < 0) {
                        rollback(c + 1);
                        lines = recordLine;
                        pos = recordStart;
                        return Status::NeedMore;
                    }
                    pos = p;
                    return fail(recordLine, "expected " + std::to_string(count) + " fields, found "
                                                + std::to_string(count + size_t(extra)) + ".");
                }
                ++p;
            }
        }
        ++rows;
    }
    pos = p;
    done.store(size_t(p - base), std::memory_order_relaxed);
    return Status::Done;
}

// --- Results ---------------------------------------------------------------------------------

Error cancelledError(const std::string &source)
{
    return makeError("cancelled", "Reading " + source + " was cancelled.");
}

Error chunkError(const std::string &source, const Chunk &chunk, size_t lineBase)
{
    return makeError("parse", located(source, lineBase + chunk.errorLine, chunk.errorMessage));
}

// Joins the chunks' columns in file order, a share of the columns on each thread. Category
// codes are renumbered so the dictionary lists values in order of first appearance in the file,
// whatever the number of threads.
Table assemble(const Layout &layout, const std::vector<Chunk *> &parts, int threads)
{
    Table table;
    for (const Chunk *part : parts)
        table.rows += part->rows;
    table.columns.resize(layout.names.size());
    auto join = [&](size_t c) {
        Column &column = table.columns[c];
        column.name = layout.names[c];
        column.type = layout.types[c];
        ColumnData &first = parts.front()->columns[c];
        column.missing = first.missing;
        if (column.type == ColumnType::Categorical) {
            column.codes = first.codes.take();
            column.codes.reserve(table.rows);
            populate(column.codes.data() + column.codes.size(),
                     (table.rows - column.codes.size()) * sizeof(int32_t));
            std::vector<int32_t> remap;
            for (size_t k = 1; k < parts.size(); ++k) {
                ColumnData &part = parts[k]->columns[c];
                const auto &values = part.dictionary.values();
                remap.resize(values.size());
                for (size_t i = 0; i < values.size(); ++i)
                    remap[i] = first.dictionary.intern(values[i]);
                const std::vector<int32_t> codes = part.codes.take();
                for (int32_t code : codes)
                    column.codes.push_back(code < 0 ? -1 : remap[size_t(code)]);
                column.missing += part.missing;
                part.dictionary.take();
            }
            column.dictionary = first.dictionary.take();
        } else {
            column.numbers = first.numbers.take();
            column.numbers.reserve(table.rows);
            populate(column.numbers.data() + column.numbers.size(),
                     (table.rows - column.numbers.size()) * sizeof(double));
            for (size_t k = 1; k < parts.size(); ++k) {
                ColumnData &part = parts[k]->columns[c];
                // Taken into a local, so it is freed right after the copy: the peak stays low.
                const std::vector<double> numbers = part.numbers.take();
                column.numbers.insert(column.numbers.end(), numbers.begin(), numbers.end());
                column.missing += part.missing;
            }
        }
    };
    const size_t count = table.columns.size();
    const auto others = parts.size() > 1 ? size_t(std::clamp(threads, 1, 64)) - 1 : 0;
    std::vector<std::thread> workers;
    workers.reserve(others);
    std::vector<std::exception_ptr> failures(others + 1);
    auto share = [&](size_t t) {
        try {
            for (size_t c = t; c < count; c += others + 1)
                join(c);
        } catch (...) {
            failures[t] = std::current_exception();  // out of memory: rethrown below
        }
    };
    for (size_t t = 1; t <= others; ++t) {
        try {
            workers.emplace_back(share, t);
        } catch (const std::system_error &) {
            share(t);
        }
    }
    share(0);
    for (std::thread &worker : workers)
        worker.join();
    for (const std::exception_ptr &failure : failures) {
        if (failure)
            std::rethrow_exception(failure);
    }
    return table;
}

// Calls the progress callback from the calling thread, at most every half percent.
class ProgressReporter {
public:
    explicit ProgressReporter(const CsvOptions &options) : m_callback(options.progress) {}

    void report(double fraction)
    {
        if (!m_callback)
            return;
        fraction = std::clamp(fraction, 0.0, 1.0);
        if (fraction - m_last >= 0.005 || (fraction == 1.0 && m_last < 1.0)) {
            m_last = fraction;
            m_callback(fraction);
        }
    }

private:
    const std::function<void(double)> &m_callback;
    double m_last = -1.0;
};

// --- Text in memory (or mapped) --------------------------------------------------------------

bool isGzip(std::string_view bytes)
{
    return bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f
           && static_cast<unsigned char>(bytes[1]) == 0x8b;
}

std::string_view skipBom(std::string_view text)
{
    if (text.size() >= 3 && text.compare(0, 3, "\xEF\xBB\xBF") == 0)
        text.remove_prefix(3);
    return text;
}

// Whether the records from `p` look right: each of the next 16 (within 256 KiB, at least 4) has
// `fields` fields, counting delimiters outside quotes. With `inQuotes`, `p` is taken to be inside
// a quoted field and the record it belongs to is skipped first. Returns where the first record
// checked starts, or null.
const char *checkRecords(const char *p, const char *end, char delimiter, size_t fields,
                         bool inQuotes)
{
    const char *const limit = size_t(end - p) > (size_t(1) << 18) ? p + (size_t(1) << 18) : end;
    bool quoted = inQuotes;
    bool skipping = inQuotes;
    const char *first = inQuotes ? nullptr : p;
    size_t count = 1;
    size_t records = 0;
    bool empty = true;
    for (const char *q = p; q < limit; ++q) {
        const char c = *q;
        if (c == '"') {
            quoted = !quoted;
            empty = false;
        } else if (quoted) {
            continue;
        } else if (c == delimiter) {
            ++count;
            empty = false;
        } else if (c == '\n') {
            if (skipping) {
                skipping = false;
                first = q + 1;
            } else if (!empty) {  // blank lines are skipped by the parser too
                if (count != fields)
                    return nullptr;
                if (++records == 16)
                    return first;
            }
            count = 1;
            empty = true;
        } else if (c != '\r') {
            empty = false;
        }
    }
    if (limit == end && !skipping && !quoted)
        return empty || count == fields ? first : nullptr;
    return records >= 4 ? first : nullptr;
}

Result<Table> parseWhole(std::string_view text, const CsvOptions &options,
                         const std::string &source, bool releasable)
{
    text = skipBom(text);
    Layout layout;
    Head head;
    Error error;
    if (readHead(text, true, options, source, layout, head, error) == HeadStatus::Failed)
        return error;
    if (head.empty)
        return makeError("parse", source + " is empty.");

    Shared shared;
    shared.cancel = options.cancel;
    shared.pageSize = size_t(std::max(4096L, ::sysconf(_SC_PAGESIZE)));
    const char *const begin = text.data() + head.dataOffset;
    const char *const end = text.data() + text.size();
    const size_t bytes = size_t(end - begin);

    int threads = std::clamp(options.threads, 1, 256);
    threads = int(std::min<size_t>(size_t(threads), std::max<size_t>(1, bytes / kMinChunkBytes)));
    std::vector<const char *> starts(size_t(threads) + 1, end);
    starts[0] = begin;
    for (int k = 1; k < threads; ++k) {
        const char *nominal = begin + bytes / size_t(threads) * size_t(k);
        nominal = std::max(nominal, starts[size_t(k) - 1]);
        const auto *nl =
            static_cast<const char *>(std::memchr(nominal, '\n', size_t(end - nominal)));
        starts[size_t(k)] = nl ? nl + 1 : end;
        // A cut right after a line break inside a quoted field would cost a second pass over
        // the rest of the file; the records that follow usually show which case it is.
        const char *cut = starts[size_t(k)];
        const size_t fields = layout.names.size();
        if (cut < end && !checkRecords(cut, end, layout.delimiter, fields, false)) {
            if (const char *next = checkRecords(cut, end, layout.delimiter, fields, true))
                starts[size_t(k)] = next;
        }
    }

    std::vector<std::unique_ptr<Chunk>> chunks;
    std::vector<const char *> positions(starts.begin(), starts.end() - 1);
    std::vector<Chunk::Status> statuses(size_t(threads), Chunk::Status::Done);
    for (int k = 0; k < threads; ++k) {
        auto chunk = std::make_unique<Chunk>(layout, k, shared);
        chunk->base = starts[size_t(k)];
        if (releasable)
            chunk->releasedTo = starts[size_t(k)];
        if (head.bytesPerRow > 0) {
            // The first chunk's columns become the table's: room for every row saves a copy.
            const size_t span = k == 0 ? bytes : size_t(starts[size_t(k) + 1] - starts[size_t(k)]);
            chunk->reserve(double(span) / head.bytesPerRow * 1.05 + 64);
        }
        chunks.push_back(std::move(chunk));
    }

    ProgressReporter progress(options);
    auto reportProgress = [&] {
        size_t sum = 0;
        for (const auto &chunk : chunks)
            sum += chunk->done.load(std::memory_order_relaxed);
        progress.report(bytes ? double(sum) / double(bytes) : 1.0);
    };
    chunks[0]->onCheckpoint = reportProgress;

    std::mutex mutex;
    std::condition_variable finishedChanged;
    int finished = 0;
    std::vector<std::thread> workers;
    workers.reserve(size_t(threads));  // no reallocation, so no throw, once threads run
    auto run = [&](size_t k) {
        Chunk &chunk = *chunks[k];
        try {
            statuses[k] = chunk.parse(positions[k], end, starts[k + 1], true);
        } catch (const std::exception &) {
            chunk.errorMessage = "not enough memory.";  // what a vector can throw
            statuses[k] = Chunk::Status::Failed;
        }
    };
    for (size_t k = 1; k < size_t(threads); ++k) {
        auto work = [&, k] {
            run(k);
            std::lock_guard lock(mutex);
            ++finished;
            finishedChanged.notify_one();
        };
        try {
            workers.emplace_back(work);
        } catch (const std::system_error &) {
            work();  // no thread to be had: parse that chunk here, after the others started
        }
    }
    run(0);
    {
        std::unique_lock lock(mutex);
        while (finished < threads - 1) {
            finishedChanged.wait_for(lock, std::chrono::milliseconds(50));
            lock.unlock();
            reportProgress();
            lock.lock();
        }
    }
    for (std::thread &worker : workers)
        worker.join();

    // Chunk k + 1 started on a record boundary only if chunk k ended exactly there; otherwise
    // the cut was inside a quoted field and the rest is parsed again, on this thread.
    std::vector<Chunk *> parts;
    size_t lineBase = head.dataLine;
    for (size_t k = 0; k < size_t(threads); ++k) {
        Chunk &chunk = *chunks[k];
        if (statuses[k] == Chunk::Status::Cancelled)
            return cancelledError(source);
        if (statuses[k] == Chunk::Status::Failed)
            return chunkError(source, chunk, lineBase);
        if (statuses[k] != Chunk::Status::Done) {
            // Abandoned, which only follows a failure in an earlier chunk, reported above. Never
            // return part of a table should that ever not hold.
            return makeError("parse", source + " could not be read completely.");
        }
        parts.push_back(&chunk);
        lineBase += chunk.lines;
        if (k + 1 == size_t(threads) || positions[k] == starts[k + 1])
            continue;
        const char *from = positions[k];
        for (size_t j = k + 1; j < chunks.size(); ++j)
            chunks[j]->columns.clear();  // their results are void; free them first
        auto rest = std::make_unique<Chunk>(layout, -1, shared);
        rest->base = begin;
        rest->done.store(size_t(from - begin));
        if (releasable)
            rest->releasedTo = from;
        rest->onCheckpoint = [&] {
            progress.report(bytes ? double(rest->done.load()) / double(bytes) : 1.0);
        };
        Chunk::Status status;
        try {
            status = rest->parse(from, end, end, true);
        } catch (const std::bad_alloc &) {
            rest->errorMessage = "not enough memory.";
            status = Chunk::Status::Failed;
        }
        if (status == Chunk::Status::Cancelled)
            return cancelledError(source);
        if (status == Chunk::Status::Failed)
            return chunkError(source, *rest, lineBase);
        parts.push_back(rest.get());
        chunks.push_back(std::move(rest));
        break;
    }
    Table table = assemble(layout, parts, threads);
    progress.report(1.0);
    return table;
}

// --- gzip ------------------------------------------------------------------------------------

// Inflates a gzip file (several concatenated members too) held in memory.
class Inflater {
public:
    Inflater(const unsigned char *data, size_t size, bool releasable)
        : m_data(data), m_size(size), m_releasable(releasable)
    {
        m_ok = inflateInit2(&m_stream, 16 + MAX_WBITS) == Z_OK;
        m_pageSize = size_t(std::max(4096L, ::sysconf(_SC_PAGESIZE)));
    }
    ~Inflater() { inflateEnd(&m_stream); }
    Inflater(const Inflater &) = delete;
    Inflater &operator=(const Inflater &) = delete;

    enum class Step { More, End, Failed };

    // Appends up to `max` bytes of text to `out`.
    Step read(std::string &out, size_t max, std::string &error)
    {
        if (!m_ok) {
            error = "zlib could not start";
            return Step::Failed;
        }
        if (m_end)
            return Step::End;
        const size_t old = out.size();
        out.resize(old + max);
        m_stream.next_out = reinterpret_cast<Bytef *>(out.data() + old);
        m_stream.avail_out = uInt(max);
        Step step = Step::More;
        while (m_stream.avail_out > 0) {
            if (m_stream.avail_in == 0) {
                if (m_offset >= m_size) {
                    if (m_inMember) {
                        error = "the compressed data ends early";
                        step = Step::Failed;
                    } else {
                        m_end = true;
                    }
                    break;
                }
                release();
                const size_t n = std::min<size_t>(m_size - m_offset, size_t(1) << 20);
                m_stream.next_in = const_cast<Bytef *>(m_data + m_offset);
                m_stream.avail_in = uInt(n);
                m_offset += n;
            }
            const int rc = inflate(&m_stream, Z_NO_FLUSH);
            if (rc == Z_STREAM_END) {
                m_inMember = false;
                // Another member may follow; anything else after the end is ignored, as gzip does
                // with trailing zeros.
                const size_t at = m_offset - m_stream.avail_in;
                if (at + 2 <= m_size && m_data[at] == 0x1f && m_data[at + 1] == 0x8b) {
                    inflateReset(&m_stream);
                    m_inMember = true;
                    continue;
                }
                m_end = true;
                break;
            }
            if (rc == Z_BUF_ERROR && m_stream.avail_in == 0)
                continue;
            if (rc != Z_OK) {
                error = m_stream.msg ? m_stream.msg : "the compressed data is damaged";
                step = Step::Failed;
                break;
            }
        }
        out.resize(old + (max - m_stream.avail_out));
        if (step == Step::More && m_end && out.size() == old)
            step = Step::End;
        return step;
    }

    double fraction() const
    {
        return m_size ? double(m_offset - m_stream.avail_in) / double(m_size) : 1.0;
    }

private:
    void release()
    {
        if (!m_releasable || m_offset - m_released < kReleaseStep)
            return;
        const auto mask = ~uintptr_t(m_pageSize - 1);
        const uintptr_t from = (reinterpret_cast<uintptr_t>(m_data + m_released) + m_pageSize - 1)
                               & mask;
        const uintptr_t to = reinterpret_cast<uintptr_t>(m_data + m_offset) & mask;
        if (to > from)
            ::madvise(reinterpret_cast<void *>(from), to - from, MADV_DONTNEED);
        m_released = m_offset;
    }

    z_stream m_stream{};
    const unsigned char *m_data;
    size_t m_size;
    size_t m_offset = 0;
    size_t m_released = 0;
    size_t m_pageSize = 4096;
    bool m_releasable;
    bool m_ok = false;
    bool m_inMember = true;
    bool m_end = false;
};

// Hands out inflated blocks; with `threaded`, a second thread inflates ahead of the parser.
class BlockReader {
public:
    BlockReader(const unsigned char *data, size_t size, bool releasable, bool threaded)
        : m_inflater(data, size, releasable), m_threaded(threaded)
    {
        if (m_threaded) {
            try {
                m_thread = std::thread([this] { produce(); });
            } catch (const std::system_error &) {
                m_threaded = false;  // inflate on the parsing thread instead
            }
        }
    }
    ~BlockReader()
    {
        if (m_threaded) {
            {
                std::lock_guard lock(m_mutex);
                m_stop = true;
            }
            m_changed.notify_all();
            m_thread.join();
        }
    }
    BlockReader(const BlockReader &) = delete;
    BlockReader &operator=(const BlockReader &) = delete;

    // Appends the next block to `out`; false at the end or on an error (then error() says which).
    bool next(std::string &out)
    {
        if (!m_threaded) {
            for (;;) {
                const size_t old = out.size();
                const Inflater::Step step = m_inflater.read(out, kGzipBlock, m_error);
                m_fraction = m_inflater.fraction();
                if (step != Inflater::Step::More)
                    return false;
                if (out.size() > old)
                    return true;
            }
        }
        std::unique_lock lock(m_mutex);
        m_changed.wait(lock, [this] { return !m_queue.empty() || m_finished; });
        if (m_queue.empty())
            return false;
        std::string block = std::move(m_queue.front().text);
        m_fraction = m_queue.front().fraction;
        m_queue.pop_front();
        lock.unlock();
        m_changed.notify_all();
        if (out.empty())
            out.swap(block);
        else
            out.append(block);
        return true;
    }

    const std::string &error() const { return m_error; }
    // How much of the compressed data the blocks handed out so far came from.
    double fraction() const { return m_fraction; }

private:
    void produce()
    {
        for (;;) {
            std::string block;
            std::string error;
            Inflater::Step step;
            try {
                step = m_inflater.read(block, kGzipBlock, error);
            } catch (const std::exception &) {
                error = "not enough memory";
                step = Inflater::Step::Failed;
            }
            const double fraction = m_inflater.fraction();
            std::unique_lock lock(m_mutex);
            if (!block.empty())
                m_queue.push_back({std::move(block), fraction});
            if (step != Inflater::Step::More) {
                m_error = error;
                m_finished = true;
                m_changed.notify_all();
                return;
            }
            m_changed.notify_all();
            m_changed.wait(lock, [this] { return m_queue.size() < kGzipQueue || m_stop; });
            if (m_stop)
                return;
        }
    }

    Inflater m_inflater;
    bool m_threaded;
    std::thread m_thread;
    std::mutex m_mutex;
    std::condition_variable m_changed;
    struct Block {
        std::string text;
        double fraction;
    };
    std::deque<Block> m_queue;
    bool m_finished = false;
    bool m_stop = false;
    std::string m_error;
    double m_fraction = 0.0;  // the parsing thread's
};

// The text is parsed block by block on this thread; a record cut by the end of a block is kept
// and parsed again with the next one. Memory: the columns, plus about three 4 MiB blocks.
Result<Table> parseGzip(std::string_view bytes, const CsvOptions &options,
                        const std::string &source, bool releasable)
{
    std::string buffer;
    bool eof = false;
    BlockReader reader(reinterpret_cast<const unsigned char *>(bytes.data()), bytes.size(),
                       releasable, options.threads > 1);
    auto readError = [&] {
        return makeError("parse", source + " is not readable gzip data (" + reader.error() + ").");
    };
    // The reader's error is settled once it has said there is no more.
    auto failed = [&] { return eof && !reader.error().empty(); };
    auto more = [&]() -> bool {
        if (eof)
            return false;
        if (!reader.next(buffer))
            eof = true;
        return !eof;
    };

    // Enough text for the header and the inference rows (quoted newlines may ask for more).
    const size_t wanted =
        options.inferenceRows < SIZE_MAX - 2 ? options.inferenceRows + 2 : SIZE_MAX;
    size_t newlines = 0;
    while (newlines < wanted) {
        const size_t old = buffer.size();
        if (!more())
            break;
        newlines += size_t(std::count(buffer.begin() + long(old), buffer.end(), '\n'));
    }
    if (failed())
        return readError();
    Layout layout;
    Head head;
    Error error;
    size_t bom = 0;
    for (;;) {
        bom = skipBom(buffer).data() - buffer.data();
        const std::string_view text(buffer.data() + bom, buffer.size() - bom);
        const HeadStatus status = readHead(text, eof, options, source, layout, head, error);
        if (status == HeadStatus::Failed)
            return error;
        if (status == HeadStatus::Ok)
            break;
        more();
        if (failed())
            return readError();
    }
    if (head.empty)
        return makeError("parse", source + " is empty.");

    Shared shared;
    shared.cancel = options.cancel;
    Chunk chunk(layout, 0, shared);
    // The text's size from the compression ratio so far: reserving for it avoids growing the
    // columns by copies, which would briefly hold them twice.
    if (const double fraction = reader.fraction(); head.bytesPerRow > 0 && fraction > 0)
        chunk.reserve(double(buffer.size()) / fraction / head.bytesPerRow * 1.1 + 64);
    ProgressReporter progress(options);
    chunk.onCheckpoint = [&] { progress.report(reader.fraction()); };
    size_t offset = bom + head.dataOffset;
    for (;;) {
        const char *p = buffer.data() + offset;
        const char *const end = buffer.data() + buffer.size();
        chunk.base = p;
        Chunk::Status status;
        try {
            status = chunk.parse(p, end, end, eof);
        } catch (const std::bad_alloc &) {
            chunk.errorMessage = "not enough memory.";
            status = Chunk::Status::Failed;
        }
        if (status == Chunk::Status::Cancelled)
            return cancelledError(source);
        if (status == Chunk::Status::Failed)
            return chunkError(source, chunk, head.dataLine);
        if (eof)
            break;
        // Keep the cut record; if no record could be finished at all, read until the text held
        // doubles, so one long quoted field costs linear time.
        const bool stuck = p == buffer.data() + offset;
        const size_t target = stuck ? 2 * (buffer.size() - size_t(p - buffer.data())) : 0;
        buffer.erase(0, size_t(p - buffer.data()));
        offset = 0;
        do {
            more();
        } while (!eof && buffer.size() < target);
        if (failed())
            return readError();
        progress.report(reader.fraction());
    }
    Table table = assemble(layout, {&chunk}, 1);
    progress.report(1.0);
    return table;
}

Result<Table> parseBytes(std::string_view bytes, const CsvOptions &options,
                         const std::string &source, bool releasable)
{
    if (bytes.empty())
        return makeError("parse", source + " is empty.");
    if (options.cancel && options.cancel->load())
        return cancelledError(source);
    try {
        if (isGzip(bytes))
            return parseGzip(bytes, options, source, releasable);
        return parseWhole(bytes, options, source, releasable);
    } catch (const std::exception &) {  // what vectors and strings throw: out of memory
        return makeError("io", "Not enough memory to read " + source + ".");
    }
}

// --- Files -----------------------------------------------------------------------------------

// A file's bytes: mapped when it is a regular file, read otherwise (pipes, devices).
class FileBytes {
public:
    FileBytes() = default;
    ~FileBytes()
    {
        if (m_map)
            ::munmap(m_map, m_size);
        if (m_fd >= 0)
            ::close(m_fd);
    }
    FileBytes(const FileBytes &) = delete;
    FileBytes &operator=(const FileBytes &) = delete;

    Result<void> open(const std::string &path)
    {
        m_fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (m_fd < 0)
            return makeError("io", "Cannot open " + path + ": " + std::strerror(errno) + ".");
        struct stat info {};
        if (::fstat(m_fd, &info) != 0)
            return makeError("io", "Cannot read " + path + ": " + std::strerror(errno) + ".");
        if (S_ISDIR(info.st_mode))
            return makeError("io", path + " is a folder, not a file.");
        if (S_ISREG(info.st_mode) && info.st_size > 0) {
            void *map = ::mmap(nullptr, size_t(info.st_size), PROT_READ, MAP_PRIVATE, m_fd, 0);
            if (map != MAP_FAILED) {
                m_map = map;
                m_size = size_t(info.st_size);
                ::madvise(m_map, m_size, MADV_SEQUENTIAL);
                return {};
            }
        }
        char block[1 << 16];
        for (;;) {
            const ssize_t n = ::read(m_fd, block, sizeof block);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0)
                return makeError("io", "Cannot read " + path + ": " + std::strerror(errno) + ".");
            if (n == 0)
                break;
            m_buffer.append(block, size_t(n));
        }
        return {};
    }

    std::string_view bytes() const
    {
        return m_map ? std::string_view(static_cast<const char *>(m_map), m_size)
                     : std::string_view(m_buffer);
    }
    bool mapped() const { return m_map != nullptr; }

private:
    int m_fd = -1;
    void *m_map = nullptr;
    size_t m_size = 0;
    std::string m_buffer;
};

} // namespace

Result<Table> readCsv(const std::string &path, const CsvOptions &options)
{
    FileBytes file;
    if (auto opened = file.open(path); !opened)
        return opened.error();
    return parseBytes(file.bytes(), options, path, file.mapped());
}

Result<Table> parseCsv(std::string_view text, const CsvOptions &options,
                       const std::string &sourceName)
{
    return parseBytes(text, options, sourceName, false);
}

} // namespace sightline::drift
