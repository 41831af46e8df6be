// SPDX-License-Identifier: GPL-3.0-or-later
#include "mlflow/parse.h"

#include <nlohmann/json.hpp>
#include <simdjson.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <numeric>
#include <optional>
#include <regex>
#include <utility>

namespace sightline::mlflow {

using nlohmann::json;

namespace {

std::string str(const json &j, const char *key)
{
    auto it = j.find(key);
    if (it == j.end() || it->is_null())
        return {};
    if (it->is_string())
        return it->get<std::string>();
    return it->dump();
}

int64_t i64(const json &j, const char *key)
{
    auto it = j.find(key);
    if (it == j.end())
        return 0;
    if (it->is_number_integer())
        return it->get<int64_t>();
    if (it->is_number_float())
        return static_cast<int64_t>(it->get<double>());
    if (it->is_string()) {
        try {
            return std::stoll(it->get<std::string>());
        } catch (...) {
            return 0;
        }
    }
    return 0;
}

const json &arr(const json &j, const char *key)
{
    static const json empty = json::array();
    auto it = j.find(key);
    return it != j.end() && it->is_array() ? *it : empty;
}

const json &obj(const json &j, const char *key)
{
    static const json empty = json::object();
    auto it = j.find(key);
    return it != j.end() && it->is_object() ? *it : empty;
}

std::vector<KeyValue> keyValues(const json &list)
{
    std::vector<KeyValue> out;
    for (const auto &e : list)
        if (e.is_object())
            out.push_back({str(e, "key"), str(e, "value")});
    return out;
}

// The context a run used a dataset in (training, evaluation, ...): its input tag
// mlflow.data.context, the last one where there are several.
std::string datasetContext(const std::vector<KeyValue> &tags)
{
    std::string context;
    for (const auto &t : tags)
        if (t.key == "mlflow.data.context")
            context = t.value;
    return context;
}

double specialValue(std::string_view s)
{
    if (s == "NaN" || s == "nan")
        return std::numeric_limits<double>::quiet_NaN();
    if (s == "Infinity" || s == "inf")
        return std::numeric_limits<double>::infinity();
    if (s == "-Infinity" || s == "-inf")
        return -std::numeric_limits<double>::infinity();
    try {
        return std::stod(std::string(s));
    } catch (...) {
        return std::numeric_limits<double>::quiet_NaN();
    }
}

void sortByStep(MetricSeries &s)
{
    if (std::is_sorted(s.steps.begin(), s.steps.end()))
        return;
    std::vector<size_t> order(s.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return s.steps[a] < s.steps[b]; });
    MetricSeries sorted;
    sorted.reserve(s.size());
    for (size_t i : order)
        sorted.append(s.steps[i], s.timestamps[i], s.values[i]);
    s = std::move(sorted);
}

std::string htmlTitle(std::string_view body)
{
    std::string text(body.substr(0, 4096));
    std::smatch m;
    static const std::regex title("<title>([^<]*)</title>", std::regex::icase);
    static const std::regex h1("<h1>([^<]*)</h1>", std::regex::icase);
    if (std::regex_search(text, m, title) || std::regex_search(text, m, h1))
        return m[1].str();
    return {};
}

} // namespace

Result<json> parseBody(std::string_view body)
{
    try {
        return json::parse(body.begin(), body.end());
    } catch (const json::parse_error &e) {
        if (!body.empty() && body.front() == '<')
            return makeError("parse", "The server answered with an HTML page where JSON was "
                                      "expected: is this the address of an MLflow tracking server?");
        return makeError("parse", "The server's answer is not valid JSON (damaged or cut off at "
                                  "byte " + std::to_string(e.byte) + " of "
                                      + std::to_string(body.size()) + ").");
    }
}

double metricValueFrom(const json &v)
{
    if (v.is_number())
        return v.get<double>();
    if (v.is_string())
        return specialValue(v.get<std::string>());
    return std::numeric_limits<double>::quiet_NaN();
}

Metric metricFrom(const json &j)
{
    Metric m;
    m.key = str(j, "key");
    auto it = j.find("value");
    m.value = it == j.end() ? std::numeric_limits<double>::quiet_NaN() : metricValueFrom(*it);
    m.timestamp = i64(j, "timestamp");
    m.step = i64(j, "step");
    return m;
}

Experiment experimentFrom(const json &j)
{
    Experiment e;
    e.experimentId = str(j, "experiment_id");
    e.name = str(j, "name");
    e.artifactLocation = str(j, "artifact_location");
    e.lifecycleStage = str(j, "lifecycle_stage");
    e.creationTime = i64(j, "creation_time");
    e.lastUpdateTime = i64(j, "last_update_time");
    e.tags = keyValues(arr(j, "tags"));
    return e;
}

Run runFrom(const json &j)
{
    Run r;
    const json &info = obj(j, "info");
    r.runId = str(info, "run_id");
    if (r.runId.empty())
        r.runId = str(info, "run_uuid");
    r.experimentId = str(info, "experiment_id");
    r.runName = str(info, "run_name");
    r.userId = str(info, "user_id");
    r.status = str(info, "status");
    r.lifecycleStage = str(info, "lifecycle_stage");
    r.artifactUri = str(info, "artifact_uri");
    r.startTime = i64(info, "start_time");
    r.endTime = i64(info, "end_time");
    const json &data = obj(j, "data");
    for (const auto &m : arr(data, "metrics"))
        if (m.is_object())
            r.metrics.push_back(metricFrom(m));
    r.params = keyValues(arr(data, "params"));
    r.tags = keyValues(arr(data, "tags"));
    if (r.runName.empty())
        if (const std::string *n = r.tag("mlflow.runName"))
            r.runName = *n;
    for (const auto &in : arr(obj(j, "inputs"), "dataset_inputs")) {
        const json &d = obj(in, "dataset");
        DatasetInput di;
        di.name = str(d, "name");
        di.digest = str(d, "digest");
        di.sourceType = str(d, "source_type");
        di.source = str(d, "source");
        di.schema = str(d, "schema");
        di.profile = str(d, "profile");
        di.tags = keyValues(arr(in, "tags"));
        di.context = datasetContext(di.tags);
        r.inputs.push_back(std::move(di));
    }
    return r;
}

ModelVersion modelVersionFrom(const json &j)
{
    ModelVersion v;
    v.name = str(j, "name");
    v.version = str(j, "version");
    v.creationTimestamp = i64(j, "creation_timestamp");
    v.lastUpdatedTimestamp = i64(j, "last_updated_timestamp");
    v.currentStage = str(j, "current_stage");
    v.description = str(j, "description");
    v.source = str(j, "source");
    v.runId = str(j, "run_id");
    v.status = str(j, "status");
    v.tags = keyValues(arr(j, "tags"));
    for (const auto &a : arr(j, "aliases"))
        if (a.is_string())
            v.aliases.push_back(a.get<std::string>());
    return v;
}

RegisteredModel registeredModelFrom(const json &j)
{
    RegisteredModel m;
    m.name = str(j, "name");
    m.description = str(j, "description");
    m.creationTimestamp = i64(j, "creation_timestamp");
    m.lastUpdatedTimestamp = i64(j, "last_updated_timestamp");
    m.tags = keyValues(arr(j, "tags"));
    for (const auto &a : arr(j, "aliases"))
        if (a.is_object())
            m.aliases.push_back({str(a, "alias"), str(a, "version")});
    for (const auto &v : arr(j, "latest_versions"))
        if (v.is_object())
            m.latestVersions.push_back(modelVersionFrom(v));
    return m;
}

namespace {

// Reads fields the way runFrom does, for the shapes where that is plain; `plain` turns false
// where runFrom would convert (a number where text is expected, a string in a number field).
struct RunsPageReader {
    using Object = simdjson::dom::object;
    bool plain = true;

    std::string text(Object o, std::string_view key)
    {
        simdjson::dom::element e;
        if (o[key].get(e) || e.is_null())
            return {};
        std::string_view v;
        if (e.get_string().get(v)) {
            plain = false;
            return {};
        }
        return std::string(v);
    }
    int64_t integer(Object o, std::string_view key)
    {
        simdjson::dom::element e;
        if (o[key].get(e) || e.is_null())
            return 0;
        if (e.is_int64())
            return e.get_int64().value_unsafe();
        if (e.is_uint64())
            return static_cast<int64_t>(e.get_uint64().value_unsafe());
        if (e.is_double())
            return static_cast<int64_t>(e.get_double().value_unsafe());
        plain = false;
        return 0;
    }
    // Absent or of another type: empty, as runFrom's arr() and obj() have it.
    std::optional<simdjson::dom::array> array(Object o, std::string_view key)
    {
        simdjson::dom::array a;
        if (o[key].get_array().get(a))
            return std::nullopt;
        return a;
    }
    std::optional<Object> object(Object o, std::string_view key)
    {
        Object out;
        if (o[key].get_object().get(out))
            return std::nullopt;
        return out;
    }
    std::vector<KeyValue> keyValues(std::optional<simdjson::dom::array> list)
    {
        std::vector<KeyValue> out;
        if (!list)
            return out;
        for (auto e : *list) {
            Object kv;
            if (!e.get_object().get(kv))
                out.push_back({text(kv, "key"), text(kv, "value")});
        }
        return out;
    }
    Metric metric(Object o)
    {
        Metric m;
        m.key = text(o, "key");
        simdjson::dom::element v;
        if (o["value"].get(v) || v.is_null() || v.is_bool() || v.is_array() || v.is_object())
            m.value = std::numeric_limits<double>::quiet_NaN();
        else if (v.is_string())
            m.value = specialValue(std::string_view(v.get_string().value_unsafe()));
        else
            m.value = v.get_double().value_unsafe();
        m.timestamp = integer(o, "timestamp");
        m.step = integer(o, "step");
        return m;
    }
    Run run(Object j)
    {
        Run r;
        if (auto info = object(j, "info")) {
            r.runId = text(*info, "run_id");
            if (r.runId.empty())
                r.runId = text(*info, "run_uuid");
            r.experimentId = text(*info, "experiment_id");
            r.runName = text(*info, "run_name");
            r.userId = text(*info, "user_id");
            r.status = text(*info, "status");
            r.lifecycleStage = text(*info, "lifecycle_stage");
            r.artifactUri = text(*info, "artifact_uri");
            r.startTime = integer(*info, "start_time");
            r.endTime = integer(*info, "end_time");
        }
        if (auto data = object(j, "data")) {
            if (auto metrics = array(*data, "metrics"))
                for (auto e : *metrics) {
                    Object m;
                    if (!e.get_object().get(m))
                        r.metrics.push_back(metric(m));
                }
            r.params = keyValues(array(*data, "params"));
            r.tags = keyValues(array(*data, "tags"));
        }
        if (r.runName.empty())
            if (const std::string *n = r.tag("mlflow.runName"))
                r.runName = *n;
        if (auto inputs = object(j, "inputs"))
            if (auto list = array(*inputs, "dataset_inputs"))
                for (auto e : *list) {
                    Object in;
                    if (e.get_object().get(in)) {
                        plain = false; // runFrom takes it as an input with nothing in it
                        continue;
                    }
                    DatasetInput di;
                    if (auto d = object(in, "dataset")) {
                        di.name = text(*d, "name");
                        di.digest = text(*d, "digest");
                        di.sourceType = text(*d, "source_type");
                        di.source = text(*d, "source");
                        di.schema = text(*d, "schema");
                        di.profile = text(*d, "profile");
                    }
                    di.tags = keyValues(array(in, "tags"));
                    di.context = datasetContext(di.tags);
                    r.inputs.push_back(std::move(di));
                }
        return r;
    }
};

} // namespace

bool readRunsPage(std::string_view body, std::vector<Run> &runs, std::string &nextPageToken)
{
    thread_local simdjson::dom::parser parser;
    simdjson::dom::element root;
    simdjson::dom::object page;
    if (parser.parse(body.data(), body.size()).get(root) || root.get_object().get(page))
        return false;
    RunsPageReader reader;
    std::vector<Run> out;
    simdjson::dom::array list;
    if (!page["runs"].get_array().get(list)) {
        out.reserve(list.size());
        for (auto e : list) {
            simdjson::dom::object r;
            if (e.get_object().get(r))
                return false; // runFrom makes an empty run of it
            out.push_back(reader.run(r));
        }
    }
    std::string token;
    simdjson::dom::element t;
    if (!page["next_page_token"].get(t) && t.is_string())
        token = std::string(std::string_view(t.get_string().value_unsafe()));
    if (!reader.plain)
        return false;
    runs = std::move(out);
    nextPageToken = std::move(token);
    return true;
}

namespace {

// One point of a history as the readers below hand it on.
struct Point {
    int64_t step = 0;
    int64_t timestamp = 0;
    double value = std::numeric_limits<double>::quiet_NaN();
    std::string_view runId;
};

// Reads the shape every MLflow server writes for a metric history, {"metrics": [{...}, ...]} with
// flat point objects of key, run_id, step, timestamp and value, compact or pretty-printed, keys
// in any order, straight into points without a DOM. It gives up at anything else (escapes,
// non-ASCII, other keys, numbers that are not plain integers where integers belong, damage) and
// the caller parses the body again with simdjson, which then also words the error. So this
// reader never accepts a body simdjson would refuse, nor reads one differently.
//
// Consecutive points of a history differ only in their numbers: the same key, run and layout.
// So each point read in full leaves a layout behind (the text between its numbers, and which
// field each number fills), and the next point is first read against it: equal bytes between
// the numbers are equal tokens, and only the numbers are parsed.
//
// Each step takes the position to read from and returns the one after what it read, or nullptr
// where the body is not of that shape. Positions are passed by value, not kept in a member: a
// char read may alias a member, which would make the compiler store and reload it every byte.
// The reads of one point, inlined into the unrolled repeat path below.
#if defined(__GNUC__)
#define SIGHTLINE_INLINE [[gnu::always_inline]] inline
#define SIGHTLINE_LAMBDA_INLINE __attribute__((always_inline))
#else
#define SIGHTLINE_INLINE inline
#define SIGHTLINE_LAMBDA_INLINE
#endif

class HistoryScanner {
public:
    explicit HistoryScanner(std::string_view body)
        : m_begin(body.data()), m_end(body.data() + body.size())
    {
    }

    // Hands each point to fn: fn(point), or fn(step, timestamp, value) where it is of the same
    // run as the point before. False when the body is not of that shape; points already handed
    // on are then to be dropped.
    template<typename Fn>
    bool run(Fn &&fn)
    {
        const char *p = skip(m_begin);
        if (!(p = expect(p, '{')) || !(p = skip(p)) || !(p = expect(p, "\"metrics\""))
            || !(p = skip(p)) || !(p = expect(p, ':')) || !(p = skip(p)) || !(p = expect(p, '['))
            || !(p = skip(p)))
            return false;
        if (p < m_end && *p == ']') {
            ++p;
        } else {
            Point point;
            for (;;) {
                const char *next = roomyRun(p, point, fn);
                if (!next) {
                    next = m_layout.repeat ? (this->*m_layout.repeat)(p, point) : nullptr;
                    if (!next && !(next = readPoint(p, point)))
                        return false;
                    fn(point);
                }
                // Compact bodies put the next point right after a comma.
                if (m_end - next >= 2 && next[0] == ',' && next[1] == '{') {
                    m_separator = std::string_view(next, 1);
                    p = next + 1;
                    continue;
                }
                if (!(p = skip(next)) || p == m_end)
                    return false;
                if (*p == ']') {
                    ++p;
                    break;
                }
                if (*p != ',')
                    return false;
                p = skip(p + 1);
                m_separator = std::string_view(next, static_cast<size_t>(p - next));
            }
        }
        p = skip(p);
        if (!(p = expect(p, '}')))
            return false;
        return skip(p) == m_end;
    }

private:
    enum class Field : uint8_t { Step, Timestamp, Value };
    static constexpr int kMaxFields = 8;
    // The text of the last point read in full, cut at its numbers: literal[i] comes before
    // the number that fills field[i], literal[fields] closes the point.
    using Repeat = const char *(HistoryScanner::*)(const char *, Point &) const;
    struct Layout {
        int fields = 0;
        std::array<std::string_view, kMaxFields + 1> literal;
        std::array<Field, kMaxFields> field;
        std::string_view runId;
        Repeat repeat = nullptr; // nullptr: no layout to read against
        // For step, timestamp and value once each: which of kOrders they come in, and the
        // bytes a point's unchecked read may look at.
        int order = -1;
        size_t room = 0;
    };
    // What a number's read may look at in the roomy path: a sign, two runs of digits that
    // each read at most 16 + kRoomyBlocks * 8 bytes, a point, an exponent's letter and sign,
    // up to eight digits and the byte after: 1 + 40 + 1 + 40 + 2 + 9 bytes. Longer numbers
    // take the checked path.
    static constexpr int kRoomyBlocks = 3;
    static constexpr size_t kNumberRoom = 128;

    static bool isSpace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }
    static unsigned digit(char c) { return static_cast<unsigned>(c) - '0'; }

    const char *skip(const char *p) const
    {
        while (p < m_end && static_cast<unsigned char>(*p) <= ' ' && isSpace(*p))
            ++p;
        return p;
    }
    SIGHTLINE_INLINE const char *expect(const char *p, char c) const
    {
        return p < m_end && *p == c ? p + 1 : nullptr;
    }
    template<bool Roomy = false>
    SIGHTLINE_INLINE const char *expect(const char *p, std::string_view text) const
    {
        return (Roomy || static_cast<size_t>(m_end - p) >= text.size())
                && same(p, text.data(), text.size())
            ? p + text.size()
            : nullptr;
    }
    // memcmp(a, b, n) == 0 for the short runs of text between numbers, eight bytes at a time
    // (the last eight overlapping) instead of a call per run.
    SIGHTLINE_INLINE static bool same(const char *a, const char *b, size_t n)
    {
        if (n < 8) {
            if (n >= 4) { // two four-byte words, overlapping
                uint32_t x0, y0, x1, y1;
                std::memcpy(&x0, a, 4);
                std::memcpy(&y0, b, 4);
                std::memcpy(&x1, a + n - 4, 4);
                std::memcpy(&y1, b + n - 4, 4);
                return ((x0 ^ y0) | (x1 ^ y1)) == 0;
            }
            for (size_t i = 0; i < n; ++i)
                if (a[i] != b[i])
                    return false;
            return true;
        }
#if defined(__SSE2__)
        if (n >= 16) { // sixteen bytes at a time, the last sixteen overlapping
            // The bits where a and b differ in the sixteen bytes at i.
            const auto diff = [&](size_t i) {
                return _mm_xor_si128(_mm_loadu_si128(reinterpret_cast<const __m128i *>(a + i)),
                                     _mm_loadu_si128(reinterpret_cast<const __m128i *>(b + i)));
            };
            __m128i differ = diff(n - 16);
            for (size_t i = 0; i + 16 < n; i += 16)
                differ = _mm_or_si128(differ, diff(i));
            return _mm_movemask_epi8(_mm_cmpeq_epi8(differ, _mm_setzero_si128())) == 0xFFFF;
        }
#endif
        uint64_t x, y, differ = 0;
        for (size_t i = 0; i + 8 < n; i += 8) {
            std::memcpy(&x, a + i, 8);
            std::memcpy(&y, b + i, 8);
            differ |= x ^ y;
        }
        std::memcpy(&x, a + n - 8, 8);
        std::memcpy(&y, b + n - 8, 8);
        return (differ | (x ^ y)) == 0;
    }

    // Eight digits, bytes of 0 to 9 with the first in the lowest byte, as a number: folded
    // pairwise, 1 -> 2 -> 4 -> 8 digits, with three multiplications.
    SIGHTLINE_INLINE static uint64_t fold8(uint64_t d)
    {
        d = d * 10 + (d >> 8); // two-digit numbers in bytes 0, 2, 4, 6
        return (((d & 0x000000FF000000FF) * (100 + (1000000ULL << 32)))
                + (((d >> 16) & 0x000000FF000000FF) * (1 + (10000ULL << 32))))
            >> 32;
    }
    // A run of digits added to v; returns its end. Where eight bytes can be read they are
    // taken at once (SWAR). Subtracting '0' from every byte leaves a digit as 0 to 9; any
    // other byte then has its top bit set, or sets it when 0x76 is added. Borrows and carries
    // only move up, so the lowest flagged byte ends the run. The run's n digits are shifted to
    // the top, with zeros below them: the same number, written in eight digits.
    //
    // Roomy, it reads without looking for the end. The first sixteen bytes are classified at
    // once (SSE2: a byte is a digit where min(b - '0', 9) == b - '0'), which covers every
    // number a server writes for a step or a timestamp in one pass. Longer runs go on eight
    // bytes at a time, and runs of more than 16 + kRoomyBlocks * 8 digits give up (nullptr).
    template<bool Roomy = false>
    SIGHTLINE_INLINE const char *digits(const char *p, uint64_t &v) const
    {
        static constexpr uint64_t kScale[] = {1,      10,      100,      1000,     10000,
                                              100000, 1000000, 10000000, 100000000};
#if defined(__SSE2__) && defined(__x86_64__)
        if constexpr (Roomy) {
            const __m128i d = _mm_sub_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i *>(p)),
                                           _mm_set1_epi8('0'));
            const auto isDigit = static_cast<unsigned>(
                _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(9)), d)));
            const int n = std::countr_one(isDigit); // 0 to 16
            const auto low = static_cast<uint64_t>(_mm_cvtsi128_si64(d));
            if (n <= 8) {
                if (n == 1) // a value's whole part, mostly
                    v = v * 10 + (low & 0xFF);
                else if (n)
                    v = v * kScale[n] + fold8(low << (64 - 8 * n));
                return p + n;
            }
            const auto high = static_cast<uint64_t>(_mm_cvtsi128_si64(_mm_unpackhi_epi64(d, d)));
            v = v * 100000000 + fold8(low);
            if (n < 16) {
                v = v * kScale[n - 8] + fold8(high << (128 - 8 * n));
                return p + n;
            }
            v = v * 100000000 + fold8(high);
            p += 16;
        }
#endif
        if constexpr (std::endian::native == std::endian::little) {
            for (int block = 0; Roomy ? block < kRoomyBlocks : m_end - p >= 8; ++block) {
                uint64_t w;
                std::memcpy(&w, p, 8);
                const uint64_t d = w - 0x3030303030303030;
                const uint64_t other = (d | (d + 0x7676767676767676)) & 0x8080808080808080;
                if (!other) {
                    v = v * 100000000 + fold8(d);
                    p += 8;
                    continue;
                }
                const int n = std::countr_zero(other) / 8;
                if (n == 0)
                    return p;
                v = v * kScale[n] + fold8(d << (64 - 8 * n));
                return p + n;
            }
            if constexpr (Roomy)
                return nullptr;
        }
        while (p < m_end && digit(*p) < 10)
            v = v * 10 + digit(*p++);
        return p;
    }

    // A string of printable ASCII without escapes; `last` is the previous one read into this
    // field, whose bytes were checked then.
    const char *string(const char *p, std::string_view &out, std::string_view &last) const
    {
        if (!(p = expect(p, '"')))
            return nullptr;
        const size_t n = last.size();
        if (n && static_cast<size_t>(m_end - p) > n && p[n] == '"'
            && std::memcmp(p, last.data(), n) == 0) {
            out = last;
            return p + n + 1;
        }
        for (const char *q = p; q < m_end; ++q) {
            const auto c = static_cast<unsigned char>(*q);
            if (c == '"') {
                out = last = std::string_view(p, static_cast<size_t>(q - p));
                return q + 1;
            }
            if (c < 0x20 || c >= 0x80 || c == '\\')
                return nullptr;
        }
        return nullptr;
    }

    // -?(0|[1-9][0-9]*) with at most 18 digits, so it cannot overflow. Not followed by a
    // fraction or an exponent: the repeat path leaves that to the text it compares next, which
    // starts with what followed the number at the same place in the point read in full.
    template<bool CheckEnd = true, bool Roomy = false>
    SIGHTLINE_INLINE const char *integer(const char *p, int64_t &out) const
    {
        const bool negative = (Roomy || p < m_end) && *p == '-';
        p += negative;
        const char *first = p;
        uint64_t v = 0;
        if (!(p = digits<Roomy>(p, v)))
            return nullptr;
        const ptrdiff_t n = p - first;
        if (n == 0 || n > 18 || (n > 1 && *first == '0'))
            return nullptr;
        if (CheckEnd && (Roomy || p < m_end) && (*p == '.' || *p == 'e' || *p == 'E'))
            return nullptr;
        out = negative ? -static_cast<int64_t>(v) : static_cast<int64_t>(v);
        return p;
    }

    // A JSON number (its grammar checked here), or one of the strings MLflow writes for NaN and
    // infinities. Up to 19 digits with a small exponent take Clinger's exact path: a mantissa
    // below 2^53 scaled by a power of ten up to 10^22 is one correctly rounded IEEE operation.
    // The rest go to from_chars, which rounds correctly too.
    template<bool Roomy = false>
    SIGHTLINE_INLINE const char *number(const char *p, double &out) const
    {
        if ((Roomy || p < m_end) && *p == '"') {
            std::string_view s, last;
            if (!(p = string(p, s, last)))
                return nullptr;
            out = specialValue(s);
            return p;
        }
        const char *begin = p;
        const bool negative = (Roomy || p < m_end) && *p == '-';
        p += negative;
        uint64_t mantissa = 0;
        const char *whole = p;
        if (!(p = digits<Roomy>(p, mantissa)))
            return nullptr;
        ptrdiff_t count = p - whole;
        if (count == 0 || (count > 1 && *whole == '0'))
            return nullptr;
        int exponent = 0;
        if ((Roomy || p < m_end) && *p == '.') {
            const char *fraction = ++p;
            if (!(p = digits<Roomy>(p, mantissa)))
                return nullptr;
            if (p == fraction)
                return nullptr;
            count += p - fraction;
            exponent = -static_cast<int>(p - fraction);
        }
        bool small = count <= 19; // the mantissa did not overflow
        if ((Roomy || p < m_end) && (*p == 'e' || *p == 'E')) {
            ++p;
            const bool minus = (Roomy || p < m_end) && *p == '-';
            p += (Roomy || p < m_end) && (*p == '-' || *p == '+');
            const char *first = p;
            int written = 0;
            for (; (Roomy || p < m_end) && digit(*p) < 10; ++p)
                if (Roomy && p - first == 8)
                    return nullptr;
                else if (p - first < 6)
                    written = written * 10 + static_cast<int>(digit(*p));
                else
                    small = false;
            if (p == first)
                return nullptr;
            exponent += minus ? -written : written;
        }
        // Integers past 64 bits are an error to simdjson: leave those near the edge to it.
        const bool integral = p - begin == negative + count;
        if (integral && count > 18)
            return nullptr;
        static constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                            1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                            1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
        if (small && mantissa <= (uint64_t(1) << 53) && exponent >= -22 && exponent <= 22) {
            if (integral && mantissa == 0) {
                out = 0.0; // "-0" is the integer 0, as simdjson reads it
                return p;
            }
            double v = static_cast<double>(mantissa);
            v = exponent < 0 ? v / kPow10[-exponent] : v * kPow10[exponent];
            out = negative ? -v : v;
            return p;
        }
        const auto [end, ec] = std::from_chars(begin, p, out);
        return ec == std::errc() && end == p ? p : nullptr;
    }

    const char *readField(const char *p, Field field, Point &point) const
    {
        switch (field) {
        case Field::Step:
            return integer(p, point.step);
        case Field::Timestamp:
            return integer(p, point.timestamp);
        case Field::Value:
            return number(p, point.value);
        }
        return nullptr;
    }

    static void clear(Point &point)
    {
        point.step = 0;
        point.timestamp = 0;
        point.value = std::numeric_limits<double>::quiet_NaN();
        point.runId = {};
    }

    // A point laid out as the last one read in full; nullptr if it is not.
    const char *repeatPoint(const char *p, Point &point) const
    {
        clear(point);
        point.runId = m_layout.runId;
        for (int i = 0; i < m_layout.fields; ++i)
            if (!(p = expect(p, m_layout.literal[i])) || !(p = readField(p, m_layout.field[i], point)))
                return nullptr;
        return expect(p, m_layout.literal[m_layout.fields]);
    }

    template<bool Roomy, Field F>
    SIGHTLINE_INLINE const char *readField(const char *p, Point &point) const
    {
        if constexpr (F == Field::Step)
            return integer<false, Roomy>(p, point.step);
        else if constexpr (F == Field::Timestamp)
            return integer<false, Roomy>(p, point.timestamp);
        else
            return number<Roomy>(p, point.value);
    }

    // The numbers of a point laid out as the last one read in full, from its first number to
    // just after its last, with literal[1] and literal[2] between them, in the order A, B, C.
    // Roomy: nothing it reads can pass the end (see roomyRun).
    template<bool Roomy, Field A, Field B, Field C>
    SIGHTLINE_INLINE const char *repeatNumbers(const char *p, Point &point) const
    {
        if (!(p = readField<Roomy, A>(p, point)) || !(p = expect<Roomy>(p, m_layout.literal[1]))
            || !(p = readField<Roomy, B>(p, point)) || !(p = expect<Roomy>(p, m_layout.literal[2])))
            return nullptr;
        return readField<Roomy, C>(p, point);
    }

    // repeatPoint for the layout every server writes: step, timestamp and value once each, in
    // the order A, B, C, with the reads unrolled and inlined for that order.
    // Roomy: at least m_layout.room bytes are left, so nothing it reads can pass the end.
    template<bool Roomy, Field A, Field B, Field C>
    SIGHTLINE_INLINE const char *repeatThree(const char *p, Point &point) const
    {
        point.runId = m_layout.runId;
        if (!(p = expect<Roomy>(p, m_layout.literal[0]))
            || !(p = repeatNumbers<Roomy, A, B, C>(p, point)))
            return nullptr;
        return expect<Roomy>(p, m_layout.literal[3]);
    }

    // The orders step, timestamp and value can come in; roomyRun reads each with its own
    // inlined loop.
    static constexpr std::array<std::array<Field, 3>, 6> kOrders = {{
        {Field::Step, Field::Timestamp, Field::Value},
        {Field::Step, Field::Value, Field::Timestamp},
        {Field::Timestamp, Field::Step, Field::Value},
        {Field::Timestamp, Field::Value, Field::Step},
        {Field::Value, Field::Step, Field::Timestamp},
        {Field::Value, Field::Timestamp, Field::Step},
    }};

    // The repeat paths for a layout: repeatThree and roomyRun where its fields are step,
    // timestamp and value once each, in any order, else repeatPoint.
    static void chooseRepeat(Layout &layout)
    {
        layout.repeat = layout.fields ? &HistoryScanner::repeatPoint : nullptr;
        layout.order = -1;
        if (layout.fields != 3)
            return;
        const auto orderIs = [&]<size_t I>() {
            if (layout.field[0] != kOrders[I][0] || layout.field[1] != kOrders[I][1]
                || layout.field[2] != kOrders[I][2])
                return false;
            layout.repeat = &HistoryScanner::repeatThree<false, kOrders[I][0], kOrders[I][1],
                                                         kOrders[I][2]>;
            layout.order = I;
            return true;
        };
        [&]<size_t... I>(std::index_sequence<I...>) {
            (orderIs.template operator()<I>() || ...);
        }(std::make_index_sequence<kOrders.size()>());
        layout.room = 3 * kNumberRoom;
        for (int i = 0; i <= 3; ++i)
            layout.room += layout.literal[i].size();
    }

    // Reads points laid out as the last one read in full (step, timestamp and value once
    // each), starting at p, without bounds checks: for as long as there is room for the
    // unchecked read and each point is followed by the separator seen last. The first point
    // read goes to fn(point); the ones after it, of the same run (its id is part of the text
    // compared), to fn(step, timestamp, value). Returns the end of the last one read, nullptr
    // if none was.
    template<typename Fn>
    const char *roomyRun(const char *p, Point &point, Fn &fn) const
    {
        const char *next = nullptr;
        [&]<size_t... I>(std::index_sequence<I...>) {
            ((m_layout.order == static_cast<int>(I)
              && (next = roomyRun<kOrders[I][0], kOrders[I][1], kOrders[I][2]>(p, point, fn),
                  true))
             || ...);
        }(std::make_index_sequence<kOrders.size()>());
        return next;
    }
    template<Field A, Field B, Field C, typename Fn>
    const char *roomyRun(const char *p, Point &point, Fn &fn) const
    {
        if (static_cast<size_t>(m_end - p) < m_layout.room)
            return nullptr;
        const char *last = repeatThree<true, A, B, C>(p, point); // the end of the last point
        if (!last)
            return nullptr;
        fn(point);
        if (m_separator.empty())
            return last;
        // From one point's last number to the next one's first the text is the same every
        // time, the point's closing text, the separator and the next point's opening text, and
        // is compared at once.
        const std::string_view close = m_layout.literal[3];
        m_between.assign(close);
        m_between.append(m_separator).append(m_layout.literal[0]);
        const char *between = m_between.data();
        const size_t n = m_between.size();
        // The text between and the next point's numbers, and what their reads may look at.
        const size_t room = m_layout.room + m_separator.size();
        const char *q = last - close.size(); // just after the last number read
        if (static_cast<size_t>(m_end - q) < room || !same(q, between, n))
            return last;
        for (;;) {
            if (!(q = repeatNumbers<true, A, B, C>(q + n, point)))
                return last;
            const bool more = static_cast<size_t>(m_end - q) >= room && same(q, between, n);
            if (!more && !expect(q, close))
                return last; // this point is left to the checked read
            last = q + close.size();
            fn(point.step, point.timestamp, point.value);
            if (!more)
                return last;
        }
    }

    // A point read field by field; leaves its layout for the next one.
    const char *readPoint(const char *p, Point &point)
    {
        const char *start = p;
        if (!(p = expect(p, '{')) || !(p = skip(p)))
            return nullptr;
        clear(point);
        Layout layout;
        const char *literal = start;
        bool repeatable = true;
        if (p < m_end && *p == '}')
            return p + 1;
        for (;;) {
            if (m_end - p < 2 || *p != '"')
                return nullptr;
            ++p;
            std::optional<Field> field;
            switch (*p) {
            case 'k':
                p = (p = name(p, "key\"")) ? string(p, m_key, m_lastKey) : nullptr;
                break;
            case 'r':
                p = (p = name(p, "run_id\"")) ? string(p, point.runId, m_lastRunId) : nullptr;
                break;
            case 's':
                field = Field::Step;
                p = name(p, "step\"");
                break;
            case 't':
                field = Field::Timestamp;
                p = name(p, "timestamp\"");
                break;
            case 'v':
                field = Field::Value;
                p = name(p, "value\"");
                break;
            default:
                return nullptr;
            }
            if (p && field) {
                if (layout.fields == kMaxFields || *p == '"')
                    repeatable = false; // many fields, or a value written as a string
                else {
                    layout.literal[layout.fields] =
                        std::string_view(literal, static_cast<size_t>(p - literal));
                    layout.field[layout.fields++] = *field;
                }
                p = readField(p, *field, point);
                literal = p;
            }
            if (!p || (p = skip(p)) == m_end)
                return nullptr;
            if (*p == '}') {
                ++p;
                layout.literal[layout.fields] =
                    std::string_view(literal, static_cast<size_t>(p - literal));
                layout.runId = point.runId;
                if (!repeatable)
                    layout.fields = 0;
                chooseRepeat(layout);
                m_layout = layout;
                return p;
            }
            if (*p != ',')
                return nullptr;
            p = skip(p + 1);
        }
    }
    // A field's name (its opening quote read), the colon and the space around it.
    const char *name(const char *p, std::string_view text) const
    {
        if (!(p = expect(p, text)) || !(p = expect(skip(p), ':')))
            return nullptr;
        return skip(p);
    }

    const char *m_begin;
    const char *m_end;
    Layout m_layout;
    std::string_view m_separator; // between the last two points: "," or "," and white space
    mutable std::string m_between; // roomyRun's text from one point's numbers to the next one's
    std::string_view m_key, m_lastKey, m_lastRunId;
};

// Appends points to one series at a time through plain pointers into its three columns. The
// columns are grown ahead of what is written (resize, so the room is zeroed once) and cut back
// to the points written by flush(): a point costs three stores, not three push_backs.
class SeriesWriter {
public:
    SeriesWriter() = default;
    SeriesWriter(const SeriesWriter &) = delete;
    SeriesWriter &operator=(const SeriesWriter &) = delete;
    ~SeriesWriter() { close(); }

    // Writes to `series` from now on, with room for `expected` points more than it holds.
    void open(MetricSeries *series, size_t expected)
    {
        close();
        m_series = series;
        m_size = series->size();
        grow(m_size + std::max<size_t>(expected, 64));
    }
    SIGHTLINE_INLINE void append(int64_t step, int64_t timestamp, double value)
    {
        if (m_size == m_capacity) [[unlikely]]
            grow(2 * m_capacity);
        m_steps[m_size] = step;
        m_timestamps[m_size] = timestamp;
        m_values[m_size] = value;
        ++m_size;
    }
    // Cuts the open series back to the points written; it stays open.
    void flush()
    {
        if (m_series)
            resize(m_size);
        m_capacity = m_size;
    }
    // Flushes and lets go of the series, which may then move or go.
    void close()
    {
        flush();
        m_series = nullptr;
        m_size = m_capacity = 0;
    }

private:
    void grow(size_t capacity)
    {
        resize(capacity);
        m_capacity = capacity;
    }
    void resize(size_t n)
    {
        m_series->steps.resize(n);
        m_series->timestamps.resize(n);
        m_series->values.resize(n);
        m_steps = m_series->steps.data();
        m_timestamps = m_series->timestamps.data();
        m_values = m_series->values.data();
    }

    MetricSeries *m_series = nullptr;
    int64_t *m_steps = nullptr;
    int64_t *m_timestamps = nullptr;
    double *m_values = nullptr;
    size_t m_size = 0, m_capacity = 0;
};

// simdjson's DOM API picks the best kernel for the CPU at run time (its on-demand API would be
// fixed to the compile-time target, which for a portable build is the slow fallback).
simdjson::error_code readPoint(simdjson::dom::element element, Point &p)
{
    simdjson::dom::object object;
    if (auto e = element.get_object().get(object); e)
        return e;
    p = Point{};
    for (auto [name, v] : object) {
        if (name == "value") {
            if (v.is_string())
                p.value = specialValue(std::string_view(v.get_string().value_unsafe()));
            else if (auto e = v.get_double().get(p.value); e)
                return e;
        } else if (name == "step") {
            if (v.is_int64())
                p.step = v.get_int64().value_unsafe();
            else if (v.is_uint64())
                p.step = static_cast<int64_t>(v.get_uint64().value_unsafe());
            else if (v.is_double())
                p.step = static_cast<int64_t>(v.get_double().value_unsafe());
        } else if (name == "timestamp") {
            if (v.is_int64())
                p.timestamp = v.get_int64().value_unsafe();
            else if (v.is_uint64())
                p.timestamp = static_cast<int64_t>(v.get_uint64().value_unsafe());
            else if (v.is_double())
                p.timestamp = static_cast<int64_t>(v.get_double().value_unsafe());
        } else if (name == "run_id") {
            if (auto e = v.get_string().get(p.runId); e)
                return e;
        }
    }
    return simdjson::SUCCESS;
}

Error historyError(std::string_view body, simdjson::error_code e)
{
    if (!body.empty() && body.front() == '<')
        return makeError("parse", "The server answered with an HTML page where a metric history "
                                  "was expected.");
    return makeError("parse", std::string("The server sent a metric history that is not valid "
                                          "JSON (damaged or cut off): ")
                                  + simdjson::error_message(e) + ".");
}

// Parses {"metrics": [...]} with simdjson and hands each point to `fn`.
template<typename Fn>
std::optional<Error> forEachPoint(std::string_view body, Fn &&fn)
{
    thread_local simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (auto e = parser.parse(body.data(), body.size()).get(root); e)
        return historyError(body, e);
    simdjson::dom::object object;
    if (auto e = root.get_object().get(object); e)
        return historyError(body, e);
    simdjson::dom::element metrics;
    if (object["metrics"].get(metrics) != simdjson::SUCCESS)
        return std::nullopt; // {} is an empty history
    simdjson::dom::array points;
    if (auto e = metrics.get_array().get(points); e)
        return historyError(body, e);
    Point p;
    for (auto element : points) {
        if (auto e = readPoint(element, p); e)
            return historyError(body, e);
        fn(p);
    }
    return std::nullopt;
}

// A point reader's callables in one: read(point) for any point, and read(step, timestamp,
// value) for the scanner's points of the same run as the point before.
template<typename... F>
struct Overloaded : F... {
    using F::operator()...;
};

// Runs `read` over the body's points with the scanner, unless `parser` says otherwise; where the
// scanner gives up, `reset` drops what it handed on and simdjson reads the body again.
template<typename Read, typename Reset>
std::optional<Error> readHistory(std::string_view body, HistoryParser parser, Read &&read,
                                 Reset &&reset)
{
    if (parser != HistoryParser::Generic && HistoryScanner(body).run(read))
        return std::nullopt;
    reset();
    if (parser == HistoryParser::Scanner)
        return makeError("parse", "The history scanner does not read this body.");
    return forEachPoint(body, read);
}

} // namespace

Result<MetricSeries> parseHistory(std::string_view body, HistoryParser parser)
{
    MetricSeries series;
    SeriesWriter writer;
    // Rough pre-size from the body length (about 70 bytes per compact point).
    writer.open(&series, body.size() / 70 + 1);
    auto read = Overloaded{[&](const Point &p) { writer.append(p.step, p.timestamp, p.value); },
                           [&](int64_t step, int64_t timestamp, double value)
                               SIGHTLINE_LAMBDA_INLINE { writer.append(step, timestamp, value); }};
    auto reset = [&] {
        writer.close();
        series.clear();
        writer.open(&series, 0);
    };
    auto error = readHistory(body, parser, read, reset);
    writer.flush();
    if (error)
        return *error;
    sortByStep(series);
    return series;
}

Result<std::vector<std::pair<std::string, MetricSeries>>> parseBulkHistory(std::string_view body,
                                                                           HistoryParser parser)
{
    std::vector<std::pair<std::string, MetricSeries>> out;
    std::map<std::string, size_t, std::less<>> index;
    // Points of one run arrive together: the lookup is skipped while the id stays the same,
    // and its comparison too while it is the very bytes the last point pointed at. The series
    // live in `out`, which may move as it grows, so the writer is reopened after each new run.
    SeriesWriter writer;
    // lastSeen starts as text no point can point at, so that the first point opens a series.
    static constexpr char kNothingSeen[] = "";
    std::string_view currentId, lastSeen(kNothingSeen, 1);
    // Opens the series of another run (the cold path, kept out of the read loop).
    auto change = [&](std::string_view runId) {
        if (currentId.data() == nullptr || runId != currentId) {
            auto it = index.find(runId);
            size_t expected = 0;
            if (it == index.end()) {
                writer.close(); // out may move
                it = index.emplace(std::string(runId), out.size()).first;
                // The runs of one answer mostly have as many points as each other.
                expected = out.empty() ? 0 : out.back().second.size();
                out.emplace_back(std::string(runId), MetricSeries{});
            }
            writer.open(&out[it->second].second, expected);
            currentId = it->first;
        }
        lastSeen = runId;
    };
    auto read = Overloaded{[&](const Point &p) {
                               if (p.runId.data() != lastSeen.data()
                                   || p.runId.size() != lastSeen.size()) [[unlikely]]
                                   change(p.runId);
                               writer.append(p.step, p.timestamp, p.value);
                           },
                           // A point of the same run as the one before: no lookup.
                           [&](int64_t step, int64_t timestamp, double value)
                               SIGHTLINE_LAMBDA_INLINE { writer.append(step, timestamp, value); }};
    auto reset = [&] {
        writer.close();
        out.clear();
        index.clear();
        currentId = {};
        lastSeen = std::string_view(kNothingSeen, 1);
    };
    auto error = readHistory(body, parser, read, reset);
    writer.flush();
    if (error)
        return *error;
    for (auto &[id, s] : out)
        sortByStep(s);
    return out;
}

namespace {

// Server messages can carry whole SQL statements and tracebacks: keep the first line's worth.
std::string oneLine(std::string text, size_t limit = 240)
{
    std::string out;
    bool space = false;
    for (char c : text) {
        if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
            space = !out.empty();
            continue;
        }
        if (space)
            out += ' ';
        space = false;
        out += c;
    }
    if (out.size() > limit) {
        size_t cut = limit;
        while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80)
            --cut;
        out = out.substr(0, cut) + "…";
    }
    return out;
}

} // namespace

std::string describeServerError(int status, std::string_view contentType, std::string_view body)
{
    const bool html = contentType.find("html") != std::string_view::npos
        || (!body.empty() && body.front() == '<');
    if (!html) {
        auto j = json::parse(body.begin(), body.end(), nullptr, false);
        if (j.is_object() && (j.contains("message") || j.contains("error_code"))) {
            std::string code = str(j, "error_code");
            std::string msg = oneLine(str(j, "message"));
            std::string out = "The server refused the request";
            if (!code.empty())
                out += " (" + code + ", HTTP " + std::to_string(status) + ")";
            else
                out += " (HTTP " + std::to_string(status) + ")";
            if (!msg.empty())
                out += ": " + msg;
            if (out.back() != '.')
                out += '.';
            return out;
        }
    }
    std::string what = html ? oneLine(htmlTitle(body), 120) : std::string();
    std::string out = "The server answered HTTP " + std::to_string(status);
    if (!what.empty())
        out += " (" + what + ")";
    if (status == 404 || status == 405)
        out += html ? " with an HTML page: the address may not be an MLflow tracking server, or "
                      "the server is too old for this request."
                    : ".";
    else if (status >= 500)
        out += ": the server failed while handling the request.";
    else
        out += ".";
    return out;
}

} // namespace sightline::mlflow
