// SPDX-License-Identifier: GPL-3.0-or-later
// Cell values for the CSV reader (see csvvalues.h).
#include "drift/csvvalues.h"

#include <charconv>
#include <climits>
#include <limits>

namespace sightline::drift::csv {

namespace {

// from_chars refuses numbers beyond the double range; like most tools we read them as +/-inf
// (too large) or +/-0 (too small). `s` has already been matched as a number.
double outOfRange(std::string_view s)
{
    const bool negative = s.front() == '-';
    size_t i = negative ? 1 : 0;
    long intDigits = 0;
    long leadingZeros = 0;
    bool significant = false;
    bool fraction = false;
    for (; i < s.size() && s[i] != 'e' && s[i] != 'E'; ++i) {
        if (s[i] == '.') {
            fraction = true;
        } else if (!fraction) {
            if (significant || s[i] != '0') {
                significant = true;
                ++intDigits;
            }
        } else if (!significant) {
            if (s[i] == '0')
                ++leadingZeros;
            else
                significant = true;
        }
    }
    long exponent = 0;
    if (i + 1 < s.size()) {
        size_t j = i + 1;
        const bool negativeExponent = s[j] == '-';
        if (s[j] == '-' || s[j] == '+')
            ++j;
        const auto r = std::from_chars(s.data() + j, s.data() + s.size(), exponent);
        if (r.ec == std::errc::result_out_of_range)
            exponent = LONG_MAX / 4;
        if (negativeExponent)
            exponent = -exponent;
    }
    const long magnitude = (intDigits > 0 ? intDigits : -leadingZeros) + exponent;
    const double value = magnitude > 0 ? std::numeric_limits<double>::infinity() : 0.0;
    return negative ? -value : value;
}

// Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's days_from_civil).
long long daysFromCivil(int y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const long long era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = unsigned(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<long long>(doe) - 719468;
}

bool digitsAt(std::string_view s, size_t at, size_t count, int &value)
{
    if (at + count > s.size())
        return false;
    value = 0;
    for (size_t i = at; i < at + count; ++i) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        value = value * 10 + (s[i] - '0');
    }
    return true;
}

} // namespace

bool isMissingSpelling(std::string_view s)
{
    if (!s.empty() && (isBlank(s.front()) || isBlank(s.back())))
        s = trim(s);
    switch (s.size()) {
    case 0:
        return true;
    case 2:
        return s == "NA";
    case 3:
        return s == "N/A" || s == "NaN" || s == "nan";
    case 4:
        return s == "null" || s == "NULL" || s == "None";
    default:
        return false;
    }
}

bool parseNumber(std::string_view s, double &value)
{
    s = trim(s);
    if (!s.empty() && s.front() == '+') {
        s.remove_prefix(1);
        if (!s.empty() && (s.front() == '+' || s.front() == '-'))
            return false;
    }
    if (s.empty())
        return false;
    const char *end = s.data() + s.size();
    const auto [ptr, ec] = std::from_chars(s.data(), end, value);
    if (ptr != end)
        return false;
    if (ec == std::errc::result_out_of_range) {
        value = outOfRange(s);
        return true;
    }
    return ec == std::errc();
}

bool parseBoolean(std::string_view s, double &value, bool acceptDigits)
{
    s = trim(s);
    static const std::string_view yes[] = {"true", "True", "TRUE", "yes", "Yes", "YES"};
    static const std::string_view no[] = {"false", "False", "FALSE", "no", "No", "NO"};
    for (std::string_view t : yes) {
        if (s == t) {
            value = 1.0;
            return true;
        }
    }
    for (std::string_view t : no) {
        if (s == t) {
            value = 0.0;
            return true;
        }
    }
    if (acceptDigits && (s == "0" || s == "1")) {
        value = s == "1" ? 1.0 : 0.0;
        return true;
    }
    return false;
}

bool parseTimestamp(std::string_view s, double &ms)
{
    s = trim(s);
    int year, month, day;
    if (s.size() < 10 || !digitsAt(s, 0, 4, year) || s[4] != '-' || !digitsAt(s, 5, 2, month)
        || s[7] != '-' || !digitsAt(s, 8, 2, day))
        return false;
    static const int monthDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12 || day < 1)
        return false;
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if (day > monthDays[month - 1] + (month == 2 && leap ? 1 : 0))
        return false;
    double dayMs = 0.0;
    int offsetMinutes = 0;
    size_t i = 10;
    if (i < s.size()) {
        if (s[i] != 'T' && s[i] != 't' && s[i] != ' ')
            return false;
        int hour, minute, second = 0;
        if (!digitsAt(s, i + 1, 2, hour) || i + 3 >= s.size() || s[i + 3] != ':'
            || !digitsAt(s, i + 4, 2, minute))
            return false;
        i += 6;
        double fraction = 0.0;
        if (i < s.size() && s[i] == ':') {
            if (!digitsAt(s, i + 1, 2, second))
                return false;
            i += 3;
            if (i < s.size() && (s[i] == '.' || s[i] == ',')) {
                ++i;
                double scale = 0.1;
                const size_t first = i;
                for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
                    fraction += (s[i] - '0') * scale;
                    scale *= 0.1;
                }
                if (i == first)
                    return false;
            }
        }
        if (hour > 23 || minute > 59 || second > 60)
            return false;
        dayMs = (hour * 3600.0 + minute * 60.0 + second + fraction) * 1000.0;
        if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
            ++i;
        } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
            const int sign = s[i] == '-' ? -1 : 1;
            int oh, om = 0;
            if (!digitsAt(s, i + 1, 2, oh))
                return false;
            i += 3;
            if (i < s.size() && s[i] == ':') {
                if (!digitsAt(s, i + 1, 2, om))
                    return false;
                i += 3;
            } else if (digitsAt(s, i, 2, om)) {
                i += 2;
            }
            if (oh > 23 || om > 59)
                return false;
            offsetMinutes = sign * (oh * 60 + om);
        }
    }
    if (i != s.size())
        return false;
    ms = double(daysFromCivil(year, unsigned(month), unsigned(day))) * 86400000.0 + dayMs
         - offsetMinutes * 60000.0;
    return true;
}

} // namespace sightline::drift::csv
