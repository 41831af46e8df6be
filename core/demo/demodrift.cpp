// SPDX-License-Identifier: GPL-3.0-or-later
#include "demo/demodrift.h"
#include "util/rng.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <random>

namespace sightline {

namespace {

constexpr int64_t kDayMs = 86'400'000;
constexpr int64_t kReferenceStartMs = 1791072000000; // 2026-10-04 00:00 UTC, 14 days
constexpr int64_t kCurrentStartMs = 1793491200000;   // 2026-11-01 00:00 UTC, 7 days
constexpr int kReferenceDays = 14;
constexpr int kCurrentDays = 7;
constexpr int kLateDriftDay = 4; // from 2026-11-05 on, latency rises

std::string formatTime(int64_t ms)
{
    const int64_t days = ms / kDayMs; // positive epochs only
    const int64_t rest = ms % kDayMs;
    // Days to civil date (Howard Hinnant's algorithm).
    const int64_t z = days + 719468;
    const int64_t era = z / 146097;
    const int64_t doe = z - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    const int64_t d = doy - (153 * mp + 2) / 5 + 1;
    const int64_t m = mp < 10 ? mp + 3 : mp - 9;
    const int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", int(y), int(m), int(d),
                  int(rest / 3'600'000), int(rest / 60'000 % 60), int(rest / 1000 % 60));
    return buf;
}

std::string fixed(double v, int decimals)
{
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

const char *const kHeader =
    "timestamp,region,customer_age,income,basket_value,latency_ms,session_minutes,"
    "discount_rate,credit_score,device,plan,channel,is_returning,has_coupon";

Result<void> writeFile(const std::string &path, bool current, const DemoDriftOptions &options)
{
    std::FILE *f = std::fopen(path.c_str(), "wb");
    if (!f)
        return makeError("io", "Could not write " + path + ": " + std::strerror(errno) + ".");
    std::unique_ptr<std::FILE, int (*)(std::FILE *)> closer(f, &std::fclose);
    // Different streams for the two files, both fixed by the seed.
    Rng rng(options.seed * 2 + (current ? 1 : 0));
    const int days = current ? kCurrentDays : kReferenceDays;
    const int64_t start = current ? kCurrentStartMs : kReferenceStartMs;
    const double spacing = double(days) * double(kDayMs) / double(options.rows);
    static const char *regions[] = {"north", "south", "east", "west"};
    static const char *devices[] = {"mobile", "desktop", "tablet"};
    static const char *plans[] = {"free", "basic", "pro", "enterprise", "trial"};
    static const char *channels[] = {"web", "app", "store", "partner"};

    std::string line = std::string(kHeader) + "\n";
    for (size_t i = 0; i < options.rows; ++i) {
        const int64_t t = start + int64_t(double(i) * spacing + rng.uniform() * spacing * 0.9);
        const int day = int((t - start) / kDayMs);
        const size_t region = rng.pick({0.30, 0.25, 0.25, 0.20});
        const bool west = region == 3;

        const double age = std::clamp(std::round(41.0 + 12.0 * rng.normal()), 18.0, 90.0);
        // Income: everyone earns a quarter more in the current data.
        double income = std::exp(std::log(52000.0) + 0.45 * rng.normal());
        if (current)
            income *= 1.25;
        const bool incomeMissing = rng.chance(0.015);
        // Basket value: only the west region spends more (0.35 standard deviations), too little
        // to show over all regions, plain within the region.
        double basket = std::max(1.0, 60.0 + 20.0 * rng.normal());
        if (current && west)
            basket += 7.0;
        // Latency: a slow release from the fifth day of the current data on.
        double latency = std::exp(std::log(120.0) + 0.4 * rng.normal());
        if (current && day >= kLateDriftDay)
            latency *= 1.6;
        const double session = -12.0 * std::log(1.0 - rng.uniform());
        const double discount = 0.3 * rng.uniform();
        const double credit = std::clamp(std::round(680.0 + 60.0 * rng.normal()), 300.0, 850.0);
        // Device: mobile takes over in the current data.
        const size_t device = current ? rng.pick({0.75, 0.17, 0.08}) : rng.pick({0.55, 0.35, 0.10});
        // Plan: unchanged, except a new "trial" plan the reference never saw.
        const size_t plan = current ? rng.pick({0.495, 0.297, 0.149, 0.049, 0.01})
                                    : rng.pick({0.50, 0.30, 0.15, 0.05});
        const size_t channel = rng.pick({0.45, 0.35, 0.12, 0.08});
        const bool channelMissing = rng.chance(0.03);
        const bool returning = rng.chance(0.62);
        // Coupons: a campaign in the west region only.
        const bool coupon = rng.chance(current && west ? 0.45 : 0.20);

        line += formatTime(t);
        line += ',';
        line += regions[region];
        line += ',' + fixed(age, 0);
        line += ',' + (incomeMissing ? std::string("NA") : fixed(income, 2));
        line += ',' + fixed(basket, 2);
        line += ',' + fixed(latency, 1);
        line += ',' + fixed(session, 2);
        line += ',' + fixed(discount, 3);
        line += ',' + fixed(credit, 0);
        line += ',';
        line += devices[device];
        line += ',';
        line += plans[plan];
        line += ',';
        line += channelMissing ? "" : channels[channel];
        line += returning ? ",true" : ",false";
        line += coupon ? ",true\n" : ",false\n";
        if (line.size() > (1 << 16)) {
            if (std::fwrite(line.data(), 1, line.size(), f) != line.size())
                return makeError("io", "Could not write " + path + ": " + std::strerror(errno)
                                           + ".");
            line.clear();
        }
    }
    if (std::fwrite(line.data(), 1, line.size(), f) != line.size() || std::fflush(f) != 0)
        return makeError("io", "Could not write " + path + ": " + std::strerror(errno) + ".");
    return {};
}

} // namespace

Result<DemoDriftSummary> writeDemoDriftData(const std::string &referencePath,
                                            const std::string &currentPath,
                                            const DemoDriftOptions &options)
{
    if (options.rows < 1)
        return makeError("invalid", "The demo data needs at least one row.");
    if (auto ok = writeFile(referencePath, false, options); !ok)
        return ok.error();
    if (auto ok = writeFile(currentPath, true, options); !ok)
        return ok.error();
    DemoDriftSummary s;
    s.referencePath = referencePath;
    s.currentPath = currentPath;
    s.rows = options.rows;
    std::string header = kHeader;
    for (size_t from = 0;;) {
        const size_t comma = header.find(',', from);
        s.columns.push_back(header.substr(from, comma - from));
        if (comma == std::string::npos)
            break;
        from = comma + 1;
    }
    s.driftedColumns = {"income", "latency_ms", "device"};
    s.lateDriftColumns = {"latency_ms"};
    s.segmentColumn = "region";
    s.driftedSegment = "west";
    s.segmentDriftColumns = {"basket_value", "has_coupon"};
    return s;
}

Result<DemoDriftSummary> writeDemoDriftData(const std::string &directory)
{
    return writeDemoDriftData(directory + "/reference.csv", directory + "/current.csv");
}

} // namespace sightline
