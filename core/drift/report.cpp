// SPDX-License-Identifier: GPL-3.0-or-later
#include "drift/report.h"

#include "drift/statistics.h"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <new>
#include <thread>
#include <unordered_map>
#include <vector>

namespace sightline::drift {

namespace {

static_assert(std::endian::native == std::endian::little,
              "the profile format and the radix sort assume a little-endian machine");

constexpr char kMagic[8] = {'S', 'L', 'D', 'R', 'I', 'F', 'T', 'P'};
constexpr char kEnd[4] = {'E', 'N', 'D', '.'};
constexpr uint32_t kVersion = 1;

Error cancelledError()
{
    return makeError("cancelled", "Cancelled.");
}

bool cancelled(const std::atomic<bool> *flag)
{
    return flag && flag->load(std::memory_order_relaxed);
}

// Runs task(i, worker) for i in [0, n) on up to `threads` threads; the first exception stops the
// remaining tasks and is rethrown on the calling thread.
template<typename F>
void parallelFor(size_t n, int threads, F &&task)
{
    const size_t workers = std::clamp<size_t>(static_cast<size_t>(std::max(threads, 1)), 1,
                                              std::max<size_t>(n, 1));
    std::atomic<size_t> next{0};
    std::exception_ptr error;
    std::mutex errorMutex;
    auto run = [&](size_t worker) {
        for (;;) {
            const size_t i = next.fetch_add(1);
            if (i >= n)
                return;
            try {
                task(i, worker);
            } catch (...) {
                std::lock_guard lock(errorMutex);
                if (!error)
                    error = std::current_exception();
                next.store(n);
                return;
            }
        }
    };
    std::vector<std::thread> pool;
    for (size_t w = 1; w < workers; ++w)
        pool.emplace_back(run, w);
    run(0);
    for (auto &t : pool)
        t.join();
    if (error)
        std::rethrow_exception(error);
}

// Reports progress by work done (rows processed), one callback at a time.
class Progress {
public:
    Progress(const std::function<void(double)> &callback, double total)
        : m_callback(callback), m_total(std::max(total, 1.0))
    {
    }
    void add(double work)
    {
        if (!m_callback)
            return;
        std::lock_guard lock(m_mutex);
        m_done += work;
        m_callback(std::min(1.0, m_done / m_total));
    }

private:
    const std::function<void(double)> &m_callback;
    std::mutex m_mutex;
    double m_total;
    double m_done = 0.0;
};

inline uint64_t loadBits(const double *p)
{
    uint64_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

// Order-preserving map from doubles to unsigned integers: flip every bit of negatives, only the
// sign bit of positives. Without branches, so that the compiler can vectorise the loops.
inline uint64_t sortKey(uint64_t bits)
{
    const auto negative = static_cast<uint64_t>(static_cast<int64_t>(bits) >> 63);
    return bits ^ (negative | 0x8000000000000000ull);
}

inline uint64_t fromSortKey(uint64_t key)
{
    const auto negative = static_cast<uint64_t>(static_cast<int64_t>(~key) >> 63);
    return key ^ (negative | 0x8000000000000000ull);
}

// Columns of few distinct values (counts, ages, ratings, codes) are sorted by counting each
// value and writing the runs out: two passes instead of the radix sort's nine. Gives up, with the
// values untouched, as soon as a 1025th distinct value turns up, which for continuous data is
// within the first thousand or so values.
bool sortFewDistinct(std::span<double> values)
{
    constexpr size_t kMaxDistinct = 1024;
    constexpr int kSlotBits = 11; // twice kMaxDistinct slots: short probe sequences
    constexpr size_t kSlots = size_t(1) << kSlotBits;
    std::vector<uint64_t> keys(kSlots);
    std::vector<uint32_t> counts(kSlots, 0); // 0: empty slot
    size_t distinct = 0;
    for (const double &v : values) {
        const uint64_t bits = loadBits(&v);
        size_t slot = static_cast<size_t>((bits * 0x9E3779B97F4A7C15ull) >> (64 - kSlotBits));
        while (counts[slot] != 0 && keys[slot] != bits)
            slot = (slot + 1) & (kSlots - 1);
        if (counts[slot] == 0) {
            if (++distinct > kMaxDistinct)
                return false;
            keys[slot] = bits;
        }
        ++counts[slot];
    }
    std::vector<std::pair<double, uint32_t>> runs;
    runs.reserve(distinct);
    for (size_t slot = 0; slot < kSlots; ++slot)
        if (counts[slot] != 0) {
            double v;
            std::memcpy(&v, &keys[slot], sizeof v);
            runs.emplace_back(v, counts[slot]);
        }
    std::sort(runs.begin(), runs.end(),
              [](const auto &a, const auto &b) { return a.first < b.first; });
    double *out = values.data();
    for (const auto &[v, count] : runs)
        out = std::fill_n(out, count, v);
    return true;
}

// The radix sort works on keys (see sortKey) in two buffers of the same size. The first passes
// split the keys by their highest differing bits until a bucket fits in the core's own cache;
// each bucket is then finished by least-significant-digit passes that stay in that cache. Main
// memory sees a million values about four times (keys, counts, split, buckets) instead of the
// nine passes of a plain byte-wise sort. The order is that of the keys, whatever the path, so
// the result is the one any sort by key gives.
//
// Keys are written over the doubles they come from: a type allowed to alias them.
using Key [[gnu::may_alias]] = uint64_t;

constexpr size_t kSortInsertion = 48;              // up to this many keys, insertion sort
constexpr size_t kSortInCache = size_t(1) << 15;   // keys and scratch: 512 KiB, the L2 of a core
constexpr size_t kSortLeaf = size_t(1) << 12;      // the bucket size a split aims at
constexpr int kSortMaxDigit = 11;                  // widest digit: 2 x 8 KiB of counters
constexpr size_t kSortWide = size_t(1) << 18;      // from this many keys, split by prefix counts
constexpr int kSortPrefixBits = 16;

// Writes keys back as doubles' bits at `to` (which may be `from`).
inline void keysToBits(const Key *from, Key *to, size_t n)
{
    for (size_t i = 0; i < n; ++i)
        to[i] = fromSortKey(from[i]);
}

// One scatter by the digit (k >> shift) & mask from `from` to `to`, the two halves of the input
// going through their own cursors so that runs of one digit do not wait on a single counter.
template<bool Last>
void scatterHalves(const Key *from, Key *to, size_t n, int shift, uint64_t mask, uint32_t *c0,
                   uint32_t *c1)
{
    const size_t buckets = size_t(mask) + 1;
    const size_t half = n / 2;
    std::memset(c0, 0, buckets * sizeof(uint32_t));
    std::memset(c1, 0, buckets * sizeof(uint32_t));
    for (size_t i = 0; i < half; ++i) {
        ++c0[(from[i] >> shift) & mask];
        ++c1[(from[half + i] >> shift) & mask];
    }
    if (n & 1)
        ++c1[(from[n - 1] >> shift) & mask];
    uint32_t offset = 0;
    for (size_t v = 0; v < buckets; ++v) {
        const uint32_t a = c0[v], b = c1[v];
        c0[v] = offset;
        c1[v] = offset + a;
        offset += a + b;
    }
    for (size_t i = 0; i < half; ++i) {
        const uint64_t x = from[i], y = from[half + i];
        to[c0[(x >> shift) & mask]++] = Last ? fromSortKey(x) : x;
        to[c1[(y >> shift) & mask]++] = Last ? fromSortKey(y) : y;
    }
    if (n & 1) {
        const uint64_t y = from[n - 1];
        to[c1[(y >> shift) & mask]++] = Last ? fromSortKey(y) : y;
    }
}

// Keys that differ only in their lowest `bits` bits, sorted by digits of equal width from the
// lowest; the result, as doubles' bits, ends in `a` when `intoA`, else in `b`.
void sortKeysInCache(Key *a, Key *b, size_t n, int bits, bool intoA)
{
    const int passes = (bits + kSortMaxDigit - 1) / kSortMaxDigit;
    const int width = (bits + passes - 1) / passes;
    const uint64_t mask = (uint64_t(1) << width) - 1;
    uint32_t c0[size_t(1) << kSortMaxDigit], c1[size_t(1) << kSortMaxDigit];
    Key *from = a;
    Key *to = b;
    for (int p = 0; p < passes; ++p) {
        if (p + 1 < passes)
            scatterHalves<false>(from, to, n, width * p, mask, c0, c1);
        else
            scatterHalves<true>(from, to, n, width * p, mask, c0, c1);
        std::swap(from, to);
    }
    Key *const target = intoA ? a : b;
    if (from != target)
        std::memcpy(target, from, n * sizeof(uint64_t));
}

void sortKeys(Key *a, Key *b, size_t n, bool intoA);
void sortDifferingKeys(Key *a, Key *b, size_t n, uint64_t differ, bool intoA);

// The first split of a large sort: the keys' top kSortPrefixBits bits (under those all share)
// are counted, and runs of consecutive prefixes grouped into buckets of about twice kSortLeaf
// keys. One pass then leaves buckets that fit in cache however unevenly the values spread over
// their range, where splitting by a fixed number of bits would take two or three passes
// (doubles crowd into a few exponents).
void splitByPrefix(Key *a, Key *b, size_t n, int bits, bool intoA)
{
    constexpr size_t kPrefixes = size_t(1) << kSortPrefixBits;
    const int shift = bits - kSortPrefixBits;
    const uint64_t mask = kPrefixes - 1;
    // Each half of the input counted apart: see scatterHalves.
    std::vector<uint32_t> h0(kPrefixes, 0), h1(kPrefixes, 0);
    const size_t half = n / 2;
    for (size_t i = 0; i < half; ++i) {
        ++h0[(a[i] >> shift) & mask];
        ++h1[(a[half + i] >> shift) & mask];
    }
    if (n & 1)
        ++h1[(a[n - 1] >> shift) & mask];
    // A bucket is closed before it would pass the target: at most 2 n / target + 1 of them.
    const size_t target = std::max(kSortLeaf * 2, n / 1024);
    std::vector<uint16_t> bucketOf(kPrefixes);
    std::vector<uint32_t> c0(1, 0), c1(1, 0);
    size_t filled = 0;
    for (size_t p = 0; p < kPrefixes; ++p) {
        const size_t add = size_t(h0[p]) + h1[p];
        if (filled > 0 && filled + add > target) {
            c0.push_back(0);
            c1.push_back(0);
            filled = 0;
        }
        filled += add;
        bucketOf[p] = static_cast<uint16_t>(c0.size() - 1);
        c0.back() += h0[p];
        c1.back() += h1[p];
    }
    uint32_t offset = 0;
    for (size_t v = 0; v < c0.size(); ++v) {
        const uint32_t x = c0[v], y = c1[v];
        c0[v] = offset;
        c1[v] = offset + x;
        offset += x + y;
    }
    const uint16_t *map = bucketOf.data();
    uint32_t *next0 = c0.data();
    uint32_t *next1 = c1.data();
    for (size_t i = 0; i < half; ++i) {
        const uint64_t x = a[i], y = a[half + i];
        b[next0[map[(x >> shift) & mask]]++] = x;
        b[next1[map[(y >> shift) & mask]]++] = y;
    }
    if (n & 1) {
        const uint64_t y = a[n - 1];
        b[next1[map[(y >> shift) & mask]]++] = y;
    }
    // c1[v] is now where bucket v ends.
    uint32_t begin = 0;
    for (size_t v = 0; v < c1.size(); ++v) {
        const uint32_t end = c1[v];
        if (end > begin)
            sortKeys(b + begin, a + begin, end - begin, !intoA);
        begin = end;
    }
}

// Sorts the keys in `a`, with `b` as scratch; the result, as doubles' bits, ends in `a` when
// `intoA`, else in `b`.
void sortKeys(Key *a, Key *b, size_t n, bool intoA)
{
    Key *const target = intoA ? a : b;
    if (n <= kSortInsertion) {
        for (size_t i = 1; i < n; ++i) {
            const uint64_t k = a[i];
            size_t j = i;
            for (; j > 0 && a[j - 1] > k; --j)
                a[j] = a[j - 1];
            a[j] = k;
        }
        keysToBits(a, target, n);
        return;
    }
    // Bits every key shares order nothing: only those up to the highest differing one count.
    uint64_t differ = 0;
    const uint64_t first = a[0];
    for (size_t i = 0; i < n; ++i)
        differ |= a[i] ^ first;
    sortDifferingKeys(a, b, n, differ, intoA);
}

// sortKeys for more than kSortInsertion keys, whose bits that differ are known: those set in
// `differ`.
void sortDifferingKeys(Key *a, Key *b, size_t n, uint64_t differ, bool intoA)
{
    if (differ == 0) {
        keysToBits(a, intoA ? a : b, n);
        return;
    }
    const int bits = 64 - std::countl_zero(differ);
    if (n <= kSortInCache) {
        sortKeysInCache(a, b, n, bits, intoA);
        return;
    }
    if (n >= kSortWide && bits > kSortPrefixBits) {
        splitByPrefix(a, b, n, bits, intoA);
        return;
    }
    // Split by the top bits, as many as it takes for buckets of about kSortLeaf keys.
    const int widest = std::min(bits, kSortMaxDigit);
    const int width = std::clamp(static_cast<int>(std::bit_width(n / kSortLeaf)), 1, widest);
    const int shift = bits - width;
    const size_t buckets = size_t(1) << width;
    uint32_t c0[size_t(1) << kSortMaxDigit], c1[size_t(1) << kSortMaxDigit];
    scatterHalves<false>(a, b, n, shift, buckets - 1, c0, c1);
    // c1[v] is now where bucket v ends.
    uint32_t begin = 0;
    for (size_t v = 0; v < buckets; ++v) {
        const uint32_t end = c1[v];
        if (end > begin)
            sortKeys(b + begin, a + begin, end - begin, !intoA);
        begin = end;
    }
}

// numpy's pairwise summation, in numpy's order (blocks of at most 128 values summed in eight
// interleaved accumulators, halves split on multiples of eight), so that the mean and the
// standard deviation, and with them the normed Wasserstein distance, are numpy's to the last bit.
template<typename F>
double pairwiseSum(const double *a, size_t n, const F &f)
{
    if (n < 8) {
        double r = 0.0;
        for (size_t i = 0; i < n; ++i)
            r += f(a[i]);
        return r;
    }
    if (n <= 128) {
        double r[8];
        for (size_t k = 0; k < 8; ++k)
            r[k] = f(a[k]);
        size_t i = 8;
        for (; i < n - (n % 8); i += 8)
            for (size_t k = 0; k < 8; ++k)
                r[k] += f(a[i + k]);
        double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; ++i)
            res += f(a[i]);
        return res;
    }
    size_t half = n / 2;
    half -= half % 8;
    return pairwiseSum(a, half, f) + pairwiseSum(a + half, n - half, f);
}

// np.mean and np.std (ddof 0) of values in file order.
void meanAndStd(std::span<const double> values, double &mean, double &stddev)
{
    mean = 0.0;
    stddev = 0.0;
    if (values.empty())
        return;
    const double n = static_cast<double>(values.size());
    mean = pairwiseSum(values.data(), values.size(), [](double x) { return x; }) / n;
    const double m = mean;
    const double squares = pairwiseSum(values.data(), values.size(), [m](double x) {
        const double d = x - m;
        return d * d;
    });
    stddev = std::sqrt(squares / n);
}

bool isCategoryLike(ColumnType type)
{
    return type == ColumnType::Categorical || type == ColumnType::Boolean;
}

// Booleans are scored as the two categories "0" and "1" (the texts binning.h gives them), fixed
// so that a reference with one value still has a bin for the other.
Binning booleanBinning()
{
    Binning b;
    b.type = ColumnType::Categorical;
    b.categories = {"0", "1"};
    return b;
}

// Counts of sorted finite values in a numeric binning, with the missing ones in the last bin.
std::vector<double> numericCounts(const Binning &binning, std::span<const double> sorted,
                                  size_t missing)
{
    std::vector<double> counts = histogram(binning, sorted);
    counts.back() = static_cast<double>(missing);
    return counts;
}

// Where each value of a current (or reference) column falls in a categorical binning.
struct CategoryMap {
    std::vector<int32_t> binOfCode; // categorical: per dictionary entry
    int32_t unseenBin = 0;
    int32_t missingBin = 0;
    bool boolean = false;

    int32_t bin(const Column &column, size_t row) const
    {
        if (boolean) {
            const double v = column.numbers[row];
            return std::isnan(v) ? missingBin : (v != 0.0 ? 1 : 0);
        }
        const int32_t code = column.codes[row];
        return code < 0 ? missingBin : binOfCode[static_cast<size_t>(code)];
    }
};

CategoryMap mapCategories(const Binning &binning, const Column &column)
{
    CategoryMap map;
    map.unseenBin = static_cast<int32_t>(binning.categories.size());
    map.missingBin = map.unseenBin + 1;
    if (column.type == ColumnType::Boolean) {
        map.boolean = true;
        return map;
    }
    std::unordered_map<std::string_view, int32_t> index;
    index.reserve(binning.categories.size() * 2);
    for (size_t i = 0; i < binning.categories.size(); ++i)
        index.emplace(binning.categories[i], static_cast<int32_t>(i));
    map.binOfCode.reserve(column.dictionary.size());
    for (const auto &text : column.dictionary) {
        auto it = index.find(text);
        map.binOfCode.push_back(it == index.end() ? map.unseenBin : it->second);
    }
    return map;
}

// Rows of a table to look at: all of them, or a list of indices.
struct RowSet {
    const uint32_t *rows = nullptr; // null: every row
    size_t count = 0;

    template<typename F>
    void forEach(F &&f) const
    {
        if (!rows) {
            for (size_t r = 0; r < count; ++r)
                f(r);
        } else {
            for (size_t i = 0; i < count; ++i)
                f(static_cast<size_t>(rows[i]));
        }
    }
};

// Finite values of a numeric column over some rows, sorted; returns the number of rows missing.
// With `mean` and `stddev`, also their numpy mean and standard deviation (taken in file order,
// before sorting, as numpy sees them).
size_t sortedFinite(const Column &column, const RowSet &rows, std::vector<double> &out,
                    std::vector<uint64_t> &scratch, double *mean = nullptr,
                    double *stddev = nullptr)
{
    out.resize(rows.count);
    double *dst = out.data();
    size_t kept = 0;
    const double *numbers = column.numbers.data();
    rows.forEach([&](size_t r) {
        const double v = numbers[r];
        dst[kept] = v;
        kept += std::isfinite(v) ? 1 : 0;
    });
    out.resize(kept);
    if (mean && stddev)
        meanAndStd(out, *mean, *stddev);
    radixSort(out, scratch);
    return rows.count - kept;
}

std::vector<double> categoryCounts(const Binning &binning, const CategoryMap &map,
                                   const Column &column, const RowSet &rows)
{
    std::vector<double> counts(binning.categories.size() + 2, 0.0);
    std::vector<size_t> tally(counts.size(), 0);
    rows.forEach([&](size_t r) { ++tally[static_cast<size_t>(map.bin(column, r))]; });
    for (size_t i = 0; i < tally.size(); ++i)
        counts[i] = static_cast<double>(tally[i]);
    return counts;
}

void fitColumn(ColumnProfile &profile, const Column &column, const RowSet &rows,
               const Binning *sharedBinning, int bins, std::vector<uint64_t> &scratch)
{
    profile.name = column.name;
    profile.type = column.type;
    profile.rows = rows.count;
    switch (column.type) {
    case ColumnType::Timestamp: {
        size_t missing = 0;
        rows.forEach([&](size_t r) { missing += std::isnan(column.numbers[r]) ? 1 : 0; });
        profile.missing = missing;
        break;
    }
    case ColumnType::Numeric: {
        std::vector<double> values;
        profile.missing = sortedFinite(column, rows, values, scratch, &profile.mean,
                                       &profile.stddev);
        profile.binning = sharedBinning ? *sharedBinning : fitNumericBinning(values, bins);
        profile.histogram = numericCounts(profile.binning, values, profile.missing);
        profile.sorted = std::move(values);
        break;
    }
    case ColumnType::Categorical:
    case ColumnType::Boolean: {
        if (sharedBinning)
            profile.binning = *sharedBinning;
        else if (column.type == ColumnType::Boolean)
            profile.binning = booleanBinning();
        else
            profile.binning = fitCategoricalBinning(column);
        const CategoryMap map = mapCategories(profile.binning, column);
        profile.histogram = categoryCounts(profile.binning, map, column, rows);
        profile.missing = static_cast<size_t>(profile.histogram.back());
        break;
    }
    }
}

// Row lists of each value of a categorical or boolean column, in label order; missing values
// belong to no segment.
std::vector<std::pair<std::string, std::vector<uint32_t>>> segmentRows(const Column &column)
{
    std::map<std::string, std::vector<uint32_t>> byLabel;
    if (column.type == ColumnType::Boolean) {
        for (size_t r = 0; r < column.numbers.size(); ++r) {
            const double v = column.numbers[r];
            if (!std::isnan(v))
                byLabel[v != 0.0 ? "true" : "false"].push_back(static_cast<uint32_t>(r));
        }
    } else {
        std::vector<std::vector<uint32_t>> byCode(column.dictionary.size());
        for (size_t r = 0; r < column.codes.size(); ++r) {
            const int32_t c = column.codes[r];
            if (c >= 0)
                byCode[static_cast<size_t>(c)].push_back(static_cast<uint32_t>(r));
        }
        for (size_t c = 0; c < byCode.size(); ++c) {
            if (byCode[c].empty())
                continue;
            auto &target = byLabel[column.dictionary[c]];
            // A dictionary may hold the same text twice; merged lists stay in row order.
            if (target.empty()) {
                target = std::move(byCode[c]);
            } else {
                std::vector<uint32_t> merged;
                std::merge(target.begin(), target.end(), byCode[c].begin(), byCode[c].end(),
                           std::back_inserter(merged));
                target = std::move(merged);
            }
        }
    }
    std::vector<std::pair<std::string, std::vector<uint32_t>>> out;
    for (auto &[label, rows] : byLabel)
        out.emplace_back(label, std::move(rows));
    return out;
}

Result<void> checkRowCount(const Table &table)
{
    if (table.rows > std::numeric_limits<uint32_t>::max())
        return makeError("invalid", "Tables of more than 4,294,967,295 rows are not supported.");
    return {};
}

// ---- scoring -------------------------------------------------------------------------------

// A column chosen for scoring, with what every window and segment of it shares.
struct Scored {
    size_t profileIndex = 0;
    const ColumnProfile *reference = nullptr;
    const Column *current = nullptr;
    Method method = Method::Wasserstein;
    double threshold = 0.0;
    bool binary = false; // at most two distinct values over reference and current
    CategoryMap map;
    std::vector<std::string> labels;
};

size_t distinctCategories(const ColumnProfile &reference, const Column &current,
                          const CategoryMap &map)
{
    const auto &h = reference.histogram;
    const size_t categories = reference.binning.categories.size();
    std::vector<bool> seen(categories, false);
    size_t distinct = 0;
    for (size_t i = 0; i < categories; ++i)
        if (h[i] > 0) {
            seen[i] = true;
            ++distinct;
        }
    if (map.boolean) {
        for (double v : current.numbers) {
            if (std::isnan(v))
                continue;
            const size_t bin = v != 0.0 ? 1 : 0;
            if (!seen[bin]) {
                seen[bin] = true;
                ++distinct;
            }
        }
        return distinct;
    }
    std::vector<bool> used(current.dictionary.size(), false);
    for (int32_t c : current.codes)
        if (c >= 0)
            used[static_cast<size_t>(c)] = true;
    std::unordered_map<std::string_view, bool> unseen;
    for (size_t c = 0; c < used.size(); ++c) {
        if (!used[c])
            continue;
        const int32_t bin = map.binOfCode[c];
        if (bin == map.unseenBin) {
            unseen.emplace(current.dictionary[c], true);
        } else if (!seen[static_cast<size_t>(bin)]) {
            seen[static_cast<size_t>(bin)] = true;
            ++distinct;
        }
    }
    return distinct + unseen.size();
}

// Evidently's defaults (DataDriftPreset): decided on the reference's non-missing values.
Method defaultMethod(ColumnType type, size_t referenceValues, bool binary)
{
    const bool small = referenceValues <= 1000;
    if (type == ColumnType::Numeric)
        return small ? Method::Ks : Method::Wasserstein;
    if (small)
        return binary ? Method::ZTest : Method::ChiSquare;
    return Method::JensenShannon;
}

std::vector<double> withoutLast(const std::vector<double> &v)
{
    return std::vector<double>(v.begin(), v.end() - (v.empty() ? 0 : 1));
}

std::vector<double> fractions(std::vector<double> counts)
{
    double total = 0.0;
    for (double c : counts)
        total += c;
    if (total > 0)
        for (double &c : counts)
            c /= total;
    return counts;
}

bool wants(Method chosen, Method m, bool all)
{
    return all || chosen == m;
}

void computeStatistics(const Scored &s, const ColumnProfile &ref, std::span<const double> refSorted,
                       std::span<const double> curSorted, ColumnDrift &out, bool all,
                       double logBase)
{
    Statistics &st = out.statistics;
    const Method m = s.method;
    // Distribution scores use the binned values without the missing bin: like Evidently, drift
    // is about the values that are there; missing counts are reported beside.
    const std::vector<double> refBins = withoutLast(out.referenceHistogram);
    const std::vector<double> curBins = withoutLast(out.currentHistogram);
    if (wants(m, Method::Psi, all))
        st.psi = psi(fractions(refBins), fractions(curBins));
    if (wants(m, Method::JensenShannon, all))
        st.jensenShannon = jensenShannon(refBins, curBins, logBase);
    if (wants(m, Method::Hellinger, all))
        st.hellinger = hellinger(refBins, curBins);

    if (ref.type == ColumnType::Numeric) {
        const bool ks = wants(m, Method::Ks, all), w = wants(m, Method::Wasserstein, all);
        KsResult ksResult;
        double distance = 0.0;
        if (ks && w) {
            // One merge of the two sorted samples gives both.
            const KsWassersteinResult both = ksAndWasserstein1(refSorted, curSorted);
            ksResult = both.ks;
            distance = both.wasserstein1;
        } else if (ks) {
            ksResult = ksTwoSample(refSorted, curSorted);
        } else if (w) {
            distance = wasserstein1(refSorted, curSorted);
        }
        if (ks) {
            st.ksStatistic = ksResult.statistic;
            st.ksPValue = ksResult.pValue;
        }
        if (w) {
            st.wasserstein = distance;
            // Evidently's normalisation, with its floor for constant references.
            st.wassersteinNormed = distance / std::max(ref.stddev, 0.001);
        }
        return;
    }
    if (wants(m, Method::Linf, all))
        st.linf = linf(refBins, curBins);
    if (wants(m, Method::ChiSquare, all)) {
        // Bins empty on both sides carry no information (and would divide zero by zero).
        std::vector<double> r, c;
        for (size_t i = 0; i < refBins.size(); ++i)
            if (refBins[i] > 0 || curBins[i] > 0) {
                r.push_back(refBins[i]);
                c.push_back(curBins[i]);
            }
        const Chi2Result chi = chiSquare(r, c);
        st.chi2Statistic = chi.statistic;
        st.chi2PValue = chi.pValue;
    }
    if ((m == Method::ZTest || all) && s.binary) {
        double refTotal = 0.0, curTotal = 0.0;
        for (double v : refBins)
            refTotal += v;
        for (double v : curBins)
            curTotal += v;
        // One value on both sides: nothing can differ (Evidently answers 1 here too).
        int nonEmpty = 0;
        for (size_t i = 0; i < refBins.size(); ++i)
            nonEmpty += (refBins[i] > 0 || curBins[i] > 0) ? 1 : 0;
        st.ztestPValue = nonEmpty <= 1
            ? 1.0
            : proportionsZTestPValue(refBins[0], refTotal, curBins[0], curTotal);
    }
}

double scoreOf(const Statistics &st, Method m)
{
    const double nan = std::numeric_limits<double>::quiet_NaN();
    switch (m) {
    case Method::Psi: return st.psi.value_or(nan);
    case Method::Ks: return st.ksPValue.value_or(nan);
    case Method::Wasserstein: return st.wassersteinNormed.value_or(nan);
    case Method::JensenShannon: return st.jensenShannon.value_or(nan);
    case Method::Hellinger: return st.hellinger.value_or(nan);
    case Method::ChiSquare: return st.chi2PValue.value_or(nan);
    case Method::Linf: return st.linf.value_or(nan);
    case Method::ZTest: return st.ztestPValue.value_or(nan);
    }
    return nan;
}

struct Scratch {
    std::vector<double> values;
    std::vector<uint64_t> radix;
};

ColumnDrift scoreColumn(const Scored &s, const ColumnProfile &ref, const RowSet &rows,
                        const DriftOptions &options, Scratch &scratch)
{
    ColumnDrift out;
    out.name = ref.name;
    out.type = ref.type;
    out.method = s.method;
    out.threshold = s.threshold;
    out.binLabels = s.labels;
    out.referenceHistogram = ref.histogram;
    out.referenceRows = ref.rows;
    out.referenceMissing = ref.missing;
    out.currentRows = rows.count;
    const Column &cur = *s.current;
    if (ref.type == ColumnType::Numeric) {
        out.currentMissing = sortedFinite(cur, rows, scratch.values, scratch.radix);
        out.currentHistogram = numericCounts(ref.binning, scratch.values, out.currentMissing);
    } else {
        out.currentHistogram = categoryCounts(ref.binning, s.map, cur, rows);
        out.currentMissing = static_cast<size_t>(out.currentHistogram.back());
    }
    const size_t refPresent = ref.present();
    const size_t curPresent = out.currentRows - out.currentMissing;
    if (refPresent == 0 || curPresent == 0) {
        // Values on one side only is the largest change there is; none on either side is none.
        out.drifted = (refPresent == 0) != (curPresent == 0);
        out.note = refPresent == 0 && curPresent == 0 ? "no values on either side"
            : refPresent == 0                         ? "no values in the reference"
                                                      : "no values in the current data";
        return out;
    }
    computeStatistics(s, ref, ref.sorted, scratch.values, out, options.allStatistics,
                      options.jsLogBase);
    out.score = scoreOf(out.statistics, s.method);
    if (!std::isnan(out.score))
        out.drifted = isPValueMethod(s.method) ? out.score < s.threshold
                                               : out.score >= s.threshold;
    return out;
}

void summarize(GroupDrift &group, double shareThreshold)
{
    group.driftedColumns = 0;
    for (const auto &c : group.columns)
        group.driftedColumns += c.drifted ? 1 : 0;
    group.driftShare = group.columns.empty()
        ? 0.0
        : static_cast<double>(group.driftedColumns) / static_cast<double>(group.columns.size());
    group.datasetDrift = !group.columns.empty() && group.driftShare >= shareThreshold;
}

int64_t floorDiv(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

std::string windowLabel(int64_t startMs, int64_t durationMs)
{
    std::string full = formatTimestamp(startMs); // 2026-11-03T14:05:00.000Z or without ms
    if (durationMs % 86'400'000 == 0)
        return full.substr(0, 10);
    if (durationMs % 60'000 == 0)
        return full.substr(0, 16) + "Z";
    return full;
}

struct WindowRows {
    GroupDrift group;
    std::vector<uint32_t> rows;
};

Result<std::vector<WindowRows>> splitWindows(const Table &current, const DriftOptions &options,
                                             size_t &rowsWithoutTime)
{
    std::vector<WindowRows> out;
    rowsWithoutTime = 0;
    const Column *time = nullptr;
    if (options.timeColumn) {
        time = current.find(*options.timeColumn);
        if (!time)
            return makeError("invalid", "The current data has no time column '"
                                            + *options.timeColumn + "'.");
        if (time->type != ColumnType::Timestamp)
            return makeError("invalid", "The time column '" + *options.timeColumn
                                            + "' holds " + columnTypeName(time->type)
                                            + " values, not timestamps.");
    }
    const WindowSpec &w = options.window;
    if (w.kind == WindowSpec::Kind::Duration) {
        if (!time)
            return makeError("invalid", "Windows by duration need a time column.");
        std::unordered_map<int64_t, std::vector<uint32_t>> byWindow;
        for (size_t r = 0; r < time->numbers.size(); ++r) {
            const double t = time->numbers[r];
            if (!std::isfinite(t)) {
                ++rowsWithoutTime;
                continue;
            }
            byWindow[floorDiv(static_cast<int64_t>(std::floor(t)), w.durationMs)].push_back(
                static_cast<uint32_t>(r));
        }
        std::vector<int64_t> keys;
        for (const auto &kv : byWindow)
            keys.push_back(kv.first);
        std::sort(keys.begin(), keys.end());
        for (int64_t k : keys) {
            WindowRows wr;
            wr.group.startMs = k * w.durationMs;
            wr.group.endMs = wr.group.startMs + w.durationMs;
            wr.group.label = windowLabel(wr.group.startMs, w.durationMs);
            wr.rows = std::move(byWindow[k]);
            wr.group.rows = wr.rows.size();
            out.push_back(std::move(wr));
        }
        return out;
    }
    if (w.kind == WindowSpec::Kind::Rows) {
        if (w.rows == 0)
            return makeError("invalid", "A window needs at least one row.");
        std::vector<uint32_t> order;
        order.reserve(current.rows);
        for (size_t r = 0; r < current.rows; ++r) {
            if (time && !std::isfinite(time->numbers[r])) {
                ++rowsWithoutTime;
                continue;
            }
            order.push_back(static_cast<uint32_t>(r));
        }
        // With a time column, windows follow time even when the file is not sorted.
        if (time)
            std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
                return time->numbers[a] < time->numbers[b];
            });
        for (size_t start = 0; start < order.size(); start += w.rows) {
            const size_t end = std::min(order.size(), start + w.rows);
            WindowRows wr;
            wr.rows.assign(order.begin() + static_cast<std::ptrdiff_t>(start),
                           order.begin() + static_cast<std::ptrdiff_t>(end));
            wr.group.rows = wr.rows.size();
            wr.group.firstRow = start;
            wr.group.lastRow = end - 1;
            wr.group.label = "rows " + std::to_string(start + 1) + "-" + std::to_string(end);
            if (time) {
                wr.group.startMs = static_cast<int64_t>(time->numbers[wr.rows.front()]);
                wr.group.endMs = static_cast<int64_t>(time->numbers[wr.rows.back()]);
            }
            // Row lists in file order keep the gathering of values cache-friendly.
            std::sort(wr.rows.begin(), wr.rows.end());
            out.push_back(std::move(wr));
        }
    }
    return out;
}

// ---- profile file --------------------------------------------------------------------------

class Writer {
public:
    explicit Writer(std::FILE *f) : m_f(f) {}
    void bytes(const void *p, size_t n)
    {
        if (m_ok && n && std::fwrite(p, 1, n, m_f) != n)
            m_ok = false;
    }
    template<typename T>
    void scalar(T v)
    {
        bytes(&v, sizeof v);
    }
    void string(const std::string &s)
    {
        scalar(static_cast<uint32_t>(s.size()));
        bytes(s.data(), s.size());
    }
    void doubles32(const std::vector<double> &v)
    {
        scalar(static_cast<uint32_t>(v.size()));
        bytes(v.data(), v.size() * sizeof(double));
    }
    bool ok() const { return m_ok; }

private:
    std::FILE *m_f;
    bool m_ok = true;
};

class Reader {
public:
    Reader(std::FILE *f, uint64_t size) : m_f(f), m_left(size) {}
    bool bytes(void *p, size_t n)
    {
        if (!m_ok || n > m_left || (n && std::fread(p, 1, n, m_f) != n))
            return m_ok = false;
        m_left -= n;
        return true;
    }
    template<typename T>
    T scalar()
    {
        T v{};
        bytes(&v, sizeof v);
        return v;
    }
    std::string string()
    {
        const uint32_t n = scalar<uint32_t>();
        if (!m_ok || n > m_left) {
            m_ok = false;
            return {};
        }
        std::string s(n, '\0');
        bytes(s.data(), n);
        return s;
    }
    std::vector<double> doubles(uint64_t n)
    {
        // Counts are checked against the bytes left, so a damaged file cannot ask for terabytes.
        if (!m_ok || n > m_left / sizeof(double)) {
            m_ok = false;
            return {};
        }
        std::vector<double> v(n);
        bytes(v.data(), n * sizeof(double));
        return v;
    }
    bool ok() const { return m_ok; }
    void fail() { m_ok = false; }

private:
    std::FILE *m_f;
    uint64_t m_left;
    bool m_ok = true;
};

void writeColumn(Writer &w, const ColumnProfile &c)
{
    w.string(c.name);
    w.scalar(static_cast<uint8_t>(c.type));
    w.scalar(static_cast<uint64_t>(c.rows));
    w.scalar(static_cast<uint64_t>(c.missing));
    w.scalar(c.mean);
    w.scalar(c.stddev);
    w.scalar(static_cast<uint8_t>(c.binning.type));
    w.doubles32(c.binning.edges);
    w.scalar(static_cast<uint32_t>(c.binning.categories.size()));
    for (const auto &s : c.binning.categories)
        w.string(s);
    w.doubles32(c.histogram);
    w.scalar(static_cast<uint64_t>(c.sorted.size()));
    w.bytes(c.sorted.data(), c.sorted.size() * sizeof(double));
}

bool readType(Reader &r, ColumnType &type)
{
    const uint8_t t = r.scalar<uint8_t>();
    if (t > static_cast<uint8_t>(ColumnType::Timestamp)) {
        r.fail();
        return false;
    }
    type = static_cast<ColumnType>(t);
    return true;
}

bool readColumn(Reader &r, ColumnProfile &c)
{
    c.name = r.string();
    if (!readType(r, c.type))
        return false;
    c.rows = r.scalar<uint64_t>();
    c.missing = r.scalar<uint64_t>();
    c.mean = r.scalar<double>();
    c.stddev = r.scalar<double>();
    if (!readType(r, c.binning.type))
        return false;
    c.binning.edges = r.doubles(r.scalar<uint32_t>());
    const uint32_t categories = r.scalar<uint32_t>();
    for (uint32_t i = 0; i < categories && r.ok(); ++i)
        c.binning.categories.push_back(r.string());
    c.histogram = r.doubles(r.scalar<uint32_t>());
    c.sorted = r.doubles(r.scalar<uint64_t>());
    if (!r.ok())
        return false;
    // The counts must fit together, or scoring would read past the ends of arrays.
    const bool histogramFits = !c.isFeature() || c.histogram.size() == c.binning.binCount();
    const bool sortedFits = c.type != ColumnType::Numeric || c.sorted.size() + c.missing == c.rows;
    if (c.missing > c.rows || !histogramFits || !sortedFits
        || !std::is_sorted(c.sorted.begin(), c.sorted.end())) {
        r.fail();
        return false;
    }
    return true;
}

} // namespace

// ---- public API ----------------------------------------------------------------------------

const char *methodName(Method method)
{
    switch (method) {
    case Method::Psi: return "psi";
    case Method::Ks: return "ks";
    case Method::Wasserstein: return "wasserstein";
    case Method::JensenShannon: return "js";
    case Method::Hellinger: return "hellinger";
    case Method::ChiSquare: return "chi2";
    case Method::Linf: return "linf";
    case Method::ZTest: return "ztest";
    }
    return "?";
}

bool parseMethod(std::string_view text, Method &method)
{
    static const std::pair<std::string_view, Method> names[] = {
        {"psi", Method::Psi},
        {"ks", Method::Ks},
        {"wasserstein", Method::Wasserstein},
        {"js", Method::JensenShannon},
        {"jensenshannon", Method::JensenShannon},
        {"jensen_shannon", Method::JensenShannon},
        {"hellinger", Method::Hellinger},
        {"chi2", Method::ChiSquare},
        {"chisquare", Method::ChiSquare},
        {"linf", Method::Linf},
        {"ztest", Method::ZTest},
        {"z", Method::ZTest},
    };
    for (const auto &[name, m] : names)
        if (text == name) {
            method = m;
            return true;
        }
    return false;
}

bool isPValueMethod(Method method)
{
    return method == Method::Ks || method == Method::ChiSquare || method == Method::ZTest;
}

double defaultThreshold(Method method)
{
    return isPValueMethod(method) ? 0.05 : 0.1;
}

bool methodApplies(Method method, ColumnType type)
{
    switch (method) {
    case Method::Ks:
    case Method::Wasserstein:
        return type == ColumnType::Numeric;
    case Method::ChiSquare:
    case Method::Linf:
    case Method::ZTest:
        return isCategoryLike(type);
    case Method::Psi:
    case Method::JensenShannon:
    case Method::Hellinger:
        return type != ColumnType::Timestamp;
    }
    return false;
}

Result<WindowSpec> parseWindowSpec(std::string_view text)
{
    WindowSpec spec;
    spec.text = std::string(text);
    uint64_t n = 0;
    const char *begin = text.data();
    const char *end = text.data() + text.size();
    auto [p, ec] = std::from_chars(begin, end, n);
    std::string_view unit(p, static_cast<size_t>(end - p));
    while (!unit.empty() && unit.front() == ' ')
        unit.remove_prefix(1);
    const std::string bad = "The window '" + std::string(text)
        + "' is not a duration (30m, 1h, 1d, 7d) or a row count (5000rows).";
    if (ec != std::errc() || p == begin || n == 0)
        return makeError("invalid", bad);
    if (unit == "rows" || unit == "row") {
        spec.kind = WindowSpec::Kind::Rows;
        spec.rows = n;
        return spec;
    }
    static const std::pair<std::string_view, int64_t> units[] = {
        {"ms", 1}, {"s", 1000}, {"m", 60'000}, {"min", 60'000}, {"h", 3'600'000},
        {"d", 86'400'000}, {"w", 604'800'000},
    };
    for (const auto &[name, ms] : units)
        if (unit == name) {
            if (n > static_cast<uint64_t>(std::numeric_limits<int64_t>::max() / ms))
                return makeError("invalid", bad);
            spec.kind = WindowSpec::Kind::Duration;
            spec.durationMs = static_cast<int64_t>(n) * ms;
            return spec;
        }
    return makeError("invalid", bad);
}

void radixSort(std::span<double> values, std::vector<uint64_t> &scratch)
{
    const size_t n = values.size();
    if (n < 512 || n > std::numeric_limits<uint32_t>::max()) {
        std::sort(values.begin(), values.end());
        return;
    }
    if (sortFewDistinct(values))
        return;
    scratch.resize(n);
    // Keys replace the values in place; the same pass finds the bits that differ.
    auto *keys = reinterpret_cast<Key *>(values.data());
    const uint64_t first = sortKey(keys[0]);
    uint64_t differ = 0;
    for (size_t i = 0; i < n; ++i) {
        const uint64_t k = sortKey(keys[i]);
        keys[i] = k;
        differ |= k ^ first;
    }
    sortDifferingKeys(keys, scratch.data(), n, differ, true);
}

std::string formatTimestamp(int64_t ms)
{
    // Howard Hinnant's days-to-civil, valid far beyond any timestamp a CSV holds.
    int64_t days = floorDiv(ms, 86'400'000);
    int64_t rest = ms - days * 86'400'000;
    days += 719468;
    const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    const int64_t doe = days - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    const int64_t d = doy - (153 * mp + 2) / 5 + 1;
    const int64_t mo = mp < 10 ? mp + 3 : mp - 9;
    y += mo <= 2 ? 1 : 0;
    char buf[128];
    const int64_t h = rest / 3'600'000, mi = rest / 60'000 % 60, s = rest / 1000 % 60,
                  msec = rest % 1000;
    if (msec)
        std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld.%03lldZ",
                      static_cast<long long>(y), static_cast<long long>(mo),
                      static_cast<long long>(d), static_cast<long long>(h),
                      static_cast<long long>(mi), static_cast<long long>(s),
                      static_cast<long long>(msec));
    else
        std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lldZ",
                      static_cast<long long>(y), static_cast<long long>(mo),
                      static_cast<long long>(d), static_cast<long long>(h),
                      static_cast<long long>(mi), static_cast<long long>(s));
    return buf;
}

const ColumnProfile *ReferenceProfile::find(std::string_view name) const
{
    for (const auto &c : columns)
        if (c.name == name)
            return &c;
    return nullptr;
}

std::map<std::string, ColumnType> ReferenceProfile::columnTypes() const
{
    std::map<std::string, ColumnType> types;
    for (const auto &c : columns)
        types[c.name] = c.type;
    return types;
}

Result<void> ReferenceProfile::save(const std::string &path) const
{
    // Written beside the target and renamed, so a failed write never leaves half a profile.
    const std::string temp = path + ".part";
    std::FILE *f = std::fopen(temp.c_str(), "wb");
    if (!f)
        return makeError("io", "Could not write the profile " + path + ": "
                                   + std::strerror(errno) + ".");
    std::unique_ptr<char[]> buffer(new char[1 << 20]);
    std::setvbuf(f, buffer.get(), _IOFBF, 1 << 20);
    Writer w(f);
    w.bytes(kMagic, sizeof kMagic);
    w.scalar(kVersion);
    w.scalar(static_cast<uint64_t>(rows));
    w.scalar(static_cast<int32_t>(bins));
    w.string(source);
    w.scalar(static_cast<uint32_t>(columns.size()));
    for (const auto &c : columns)
        writeColumn(w, c);
    w.string(segmentColumn);
    w.scalar(static_cast<uint32_t>(segments.size()));
    for (const auto &s : segments) {
        w.string(s.value);
        w.scalar(static_cast<uint64_t>(s.rows));
        for (const auto &c : s.columns)
            writeColumn(w, c);
    }
    w.bytes(kEnd, sizeof kEnd);
    const bool ok = w.ok() && std::fflush(f) == 0;
    const int error = errno;
    std::fclose(f);
    if (!ok || std::rename(temp.c_str(), path.c_str()) != 0) {
        std::remove(temp.c_str());
        return makeError("io", "Could not write the profile " + path + ": "
                                   + std::strerror(ok ? errno : error) + ".");
    }
    return {};
}

Result<ReferenceProfile> ReferenceProfile::load(const std::string &path)
{
    std::FILE *f = std::fopen(path.c_str(), "rb");
    if (!f)
        return makeError("io", "Could not open the profile " + path + ": " + std::strerror(errno)
                                   + ".");
    std::unique_ptr<std::FILE, int (*)(std::FILE *)> closer(f, &std::fclose);
    std::fseek(f, 0, SEEK_END);
    const long size = std::ftell(f);
    std::fseek(f, 0, SEEK_SET);
    Reader r(f, size < 0 ? 0 : static_cast<uint64_t>(size));
    char magic[sizeof kMagic] = {};
    if (!r.bytes(magic, sizeof magic) || std::memcmp(magic, kMagic, sizeof kMagic) != 0)
        return makeError("invalid", path + " is not a Sightline drift profile.");
    const uint32_t version = r.scalar<uint32_t>();
    if (version != kVersion)
        return makeError("invalid", path + " is a drift profile of version "
                                        + std::to_string(version) + "; this Sightline reads "
                                        + "version " + std::to_string(kVersion) + ".");
    const auto damaged = [&] {
        return makeError("invalid", "The drift profile " + path + " is damaged or cut off.");
    };
    ReferenceProfile p;
    p.rows = r.scalar<uint64_t>();
    p.bins = r.scalar<int32_t>();
    p.source = r.string();
    const uint32_t columnCount = r.scalar<uint32_t>();
    for (uint32_t i = 0; i < columnCount && r.ok(); ++i) {
        ColumnProfile c;
        if (!readColumn(r, c))
            return damaged();
        p.columns.push_back(std::move(c));
    }
    p.segmentColumn = r.string();
    const uint32_t segmentCount = r.scalar<uint32_t>();
    for (uint32_t s = 0; s < segmentCount && r.ok(); ++s) {
        SegmentProfile seg;
        seg.value = r.string();
        seg.rows = r.scalar<uint64_t>();
        for (uint32_t i = 0; i < columnCount && r.ok(); ++i) {
            ColumnProfile c;
            if (!readColumn(r, c) || c.name != p.columns[i].name)
                return damaged();
            seg.columns.push_back(std::move(c));
        }
        p.segments.push_back(std::move(seg));
    }
    char end[sizeof kEnd] = {};
    if (!r.bytes(end, sizeof end) || std::memcmp(end, kEnd, sizeof kEnd) != 0 || !r.ok())
        return damaged();
    return p;
}

Result<ReferenceProfile> fitProfile(const Table &reference, const DriftOptions &options)
{
    if (options.bins < 1 || options.bins > 10000)
        return makeError("invalid", "The number of bins must be from 1 to 10000.");
    if (auto ok = checkRowCount(reference); !ok)
        return ok.error();
    if (reference.columns.empty())
        return makeError("invalid", "The reference has no columns.");
    const Column *segment = nullptr;
    if (options.segmentColumn) {
        segment = reference.find(*options.segmentColumn);
        if (!segment)
            return makeError("invalid", "The reference has no segment column '"
                                            + *options.segmentColumn + "'.");
        if (!isCategoryLike(segment->type))
            return makeError("invalid", "The segment column '" + *options.segmentColumn
                                            + "' must be categorical or boolean, not "
                                            + columnTypeName(segment->type) + ".");
    }
    ReferenceProfile profile;
    profile.rows = reference.rows;
    profile.bins = options.bins;
    profile.columns.resize(reference.columns.size());

    std::vector<std::pair<std::string, std::vector<uint32_t>>> segmentLists;
    if (segment)
        segmentLists = segmentRows(*segment);
    const size_t columnCount = reference.columns.size();
    double work = static_cast<double>(columnCount * reference.rows);
    for (const auto &s : segmentLists)
        work += static_cast<double>(columnCount * s.second.size());
    Progress progress(options.progress, work);
    std::vector<std::vector<uint64_t>> scratch(static_cast<size_t>(std::max(options.threads, 1)));
    try {
        parallelFor(columnCount, options.threads, [&](size_t i, size_t worker) {
            if (cancelled(options.cancel))
                return;
            fitColumn(profile.columns[i], reference.columns[i], RowSet{nullptr, reference.rows},
                      nullptr, options.bins, scratch[worker]);
            progress.add(static_cast<double>(reference.rows));
        });
        if (segment) {
            profile.segmentColumn = segment->name;
            profile.segments.resize(segmentLists.size());
            for (size_t s = 0; s < segmentLists.size(); ++s) {
                profile.segments[s].value = segmentLists[s].first;
                profile.segments[s].rows = segmentLists[s].second.size();
                profile.segments[s].columns.resize(columnCount);
            }
            parallelFor(segmentLists.size() * columnCount, options.threads,
                        [&](size_t task, size_t worker) {
                            if (cancelled(options.cancel))
                                return;
                            const size_t s = task / columnCount, c = task % columnCount;
                            const auto &rows = segmentLists[s].second;
                            const ColumnProfile &whole = profile.columns[c];
                            fitColumn(profile.segments[s].columns[c], reference.columns[c],
                                      RowSet{rows.data(), rows.size()},
                                      whole.isFeature() ? &whole.binning : nullptr, options.bins,
                                      scratch[worker]);
                            progress.add(static_cast<double>(rows.size()));
                        });
        }
    } catch (const std::bad_alloc &) {
        return makeError("memory", "Not enough memory to fit the reference profile.");
    }
    if (cancelled(options.cancel))
        return cancelledError();
    return profile;
}

Result<DriftReport> scoreTable(const ReferenceProfile &profile, const Table &current,
                               const DriftOptions &options)
{
    if (auto ok = checkRowCount(current); !ok)
        return ok.error();
    if (!(options.datasetDriftShare > 0.0 && options.datasetDriftShare <= 1.0))
        return makeError("invalid", "The dataset drift share must be above 0 and at most 1.");
    if (!(options.jsLogBase > 0.0 && options.jsLogBase != 1.0))
        return makeError("invalid", "The Jensen-Shannon log base must be positive and not 1.");
    for (const auto &[name, config] : options.columns) {
        const ColumnProfile *c = profile.find(name);
        if (!c)
            return makeError("invalid", "There is no column '" + name + "' in the reference.");
        if (config.method && !methodApplies(*config.method, c->type))
            return makeError("invalid", std::string("The method ") + methodName(*config.method)
                                            + " does not apply to the "
                                            + columnTypeName(c->type) + " column '" + name + "'.");
        if (config.threshold && !std::isfinite(*config.threshold))
            return makeError("invalid", "The threshold of column '" + name + "' is not a number.");
    }

    DriftReport report;
    report.driftShareThreshold = options.datasetDriftShare;
    report.referenceRows = profile.rows;
    report.currentRows = current.rows;
    report.bins = profile.bins;
    report.jsLogBase = options.jsLogBase;
    report.referenceSource = profile.source;

    // Columns to score, in reference order; a feature missing from the current data, or of
    // another type there, is an error rather than a silently smaller report.
    std::vector<Scored> scored;
    for (size_t i = 0; i < profile.columns.size(); ++i) {
        const ColumnProfile &ref = profile.columns[i];
        const Column *cur = current.find(ref.name);
        if (!ref.isFeature())
            continue;
        if (!cur)
            return makeError("invalid", "The current data has no column '" + ref.name
                                            + "', which the reference has.");
        if (cur->type != ref.type)
            return makeError("invalid", "The column '" + ref.name + "' is "
                                            + columnTypeName(ref.type) + " in the reference but "
                                            + columnTypeName(cur->type)
                                            + " in the current data.");
        if (options.timeColumn && ref.name == *options.timeColumn)
            continue;
        Scored s;
        s.profileIndex = i;
        s.reference = &ref;
        s.current = cur;
        if (isCategoryLike(ref.type)) {
            s.map = mapCategories(ref.binning, *cur);
            s.binary = distinctCategories(ref, *cur, s.map) <= 2;
        }
        s.labels = ref.binning.labels();
        if (ref.type == ColumnType::Boolean && s.labels.size() == 4) {
            s.labels[0] = "false";
            s.labels[1] = "true";
        }
        auto config = options.columns.find(ref.name);
        const ColumnConfig none;
        const ColumnConfig &cfg = config == options.columns.end() ? none : config->second;
        s.method = cfg.method.value_or(defaultMethod(ref.type, ref.present(), s.binary));
        if (s.method == Method::ZTest && !s.binary)
            return makeError("invalid", "The z-test needs two categories; the column '" + ref.name
                                            + "' has more.");
        s.threshold = cfg.threshold.value_or(defaultThreshold(s.method));
        scored.push_back(std::move(s));
    }

    size_t rowsWithoutTime = 0;
    auto windows = splitWindows(current, options, rowsWithoutTime);
    if (!windows)
        return windows.error();
    report.rowsWithoutTime = rowsWithoutTime;
    if (options.timeColumn)
        report.timeColumn = *options.timeColumn;
    report.window = options.window;

    // Segments: against the same segment of the reference when the profile was fitted with this
    // segment column, otherwise against the whole reference.
    std::vector<std::pair<std::string, std::vector<uint32_t>>> segmentLists;
    std::vector<const SegmentProfile *> segmentReference;
    size_t segmentScoredIndex = scored.size(); // index in `scored` of the segment column
    if (options.segmentColumn) {
        const Column *seg = current.find(*options.segmentColumn);
        if (!seg)
            return makeError("invalid", "The current data has no segment column '"
                                            + *options.segmentColumn + "'.");
        if (!isCategoryLike(seg->type))
            return makeError("invalid", "The segment column '" + *options.segmentColumn
                                            + "' must be categorical or boolean, not "
                                            + columnTypeName(seg->type) + ".");
        report.segmentColumn = seg->name;
        report.segmentsAgainstSegments = profile.segmentColumn == seg->name;
        segmentLists = segmentRows(*seg);
        for (const auto &[value, rows] : segmentLists) {
            const SegmentProfile *match = nullptr;
            if (report.segmentsAgainstSegments)
                for (const auto &sp : profile.segments)
                    if (sp.value == value)
                        match = &sp;
            segmentReference.push_back(match);
        }
        for (size_t i = 0; i < scored.size(); ++i)
            if (scored[i].reference->name == seg->name)
                segmentScoredIndex = i;
    }

    // One task per column and scope (whole, each window, each segment); biggest first so both
    // threads finish together.
    struct Task {
        size_t column;
        int scope; // 0 whole, 1 window, 2 segment
        size_t group;
        size_t slot;
        size_t rows;
    };
    std::vector<Task> tasks;
    report.columns.resize(scored.size());
    for (size_t c = 0; c < scored.size(); ++c)
        tasks.push_back({c, 0, 0, c, current.rows});
    auto &wins = windows.value();
    report.windows.resize(wins.size());
    for (size_t w = 0; w < wins.size(); ++w) {
        report.windows[w] = wins[w].group;
        report.windows[w].columns.resize(scored.size());
        for (size_t c = 0; c < scored.size(); ++c)
            tasks.push_back({c, 1, w, c, wins[w].rows.size()});
    }
    report.segments.resize(segmentLists.size());
    for (size_t s = 0; s < segmentLists.size(); ++s) {
        GroupDrift &g = report.segments[s];
        g.label = segmentLists[s].first;
        g.rows = segmentLists[s].second.size();
        g.referenceRows = segmentReference[s] ? segmentReference[s]->rows : profile.rows;
        size_t slot = 0;
        for (size_t c = 0; c < scored.size(); ++c) {
            if (c == segmentScoredIndex)
                continue; // constant within a segment
            tasks.push_back({c, 2, s, slot++, g.rows});
        }
        g.columns.resize(slot);
    }
    std::stable_sort(tasks.begin(), tasks.end(),
                     [](const Task &a, const Task &b) { return a.rows > b.rows; });

    double work = 0.0;
    for (const auto &t : tasks)
        work += static_cast<double>(t.rows);
    Progress progress(options.progress, work);
    std::vector<Scratch> scratch(static_cast<size_t>(std::max(options.threads, 1)));
    try {
        parallelFor(tasks.size(), options.threads, [&](size_t i, size_t worker) {
            if (cancelled(options.cancel))
                return;
            const Task &t = tasks[i];
            const Scored &s = scored[t.column];
            switch (t.scope) {
            case 0:
                report.columns[t.slot] = scoreColumn(s, *s.reference, RowSet{nullptr, current.rows},
                                                     options, scratch[worker]);
                break;
            case 1: {
                const auto &rows = wins[t.group].rows;
                report.windows[t.group].columns[t.slot] = scoreColumn(
                    s, *s.reference, RowSet{rows.data(), rows.size()}, options, scratch[worker]);
                break;
            }
            default: {
                const auto &rows = segmentLists[t.group].second;
                const SegmentProfile *sp = segmentReference[t.group];
                const ColumnProfile &ref = sp ? sp->columns[s.profileIndex] : *s.reference;
                report.segments[t.group].columns[t.slot] = scoreColumn(
                    s, ref, RowSet{rows.data(), rows.size()}, options, scratch[worker]);
                break;
            }
            }
            progress.add(static_cast<double>(t.rows));
        });
    } catch (const std::bad_alloc &) {
        return makeError("memory", "Not enough memory to score the current data.");
    }
    if (cancelled(options.cancel))
        return cancelledError();

    GroupDrift whole;
    whole.columns = std::move(report.columns);
    summarize(whole, options.datasetDriftShare);
    report.columns = std::move(whole.columns);
    report.columnCount = report.columns.size();
    report.driftedColumns = whole.driftedColumns;
    report.driftShare = whole.driftShare;
    report.datasetDrift = whole.datasetDrift;
    for (auto &w : report.windows)
        summarize(w, options.datasetDriftShare);
    for (auto &s : report.segments)
        summarize(s, options.datasetDriftShare);
    return report;
}

} // namespace sightline::drift
