// SPDX-License-Identifier: GPL-3.0-or-later
// Cell values as the CSV reader reads them: the missing-value spellings, numbers, booleans and
// ISO 8601 timestamps, and the fast number scan on the reader's hot path.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace sightline::drift::csv {

inline bool isBlank(char c)
{
    return c == ' ' || c == '\t';
}

// Without the spaces and tabs around it.
inline std::string_view trim(std::string_view s)
{
    while (!s.empty() && isBlank(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && isBlank(s.back()))
        s.remove_suffix(1);
    return s;
}

// Empty or blank, NA, N/A, NaN, nan, null, NULL, None (blanks around are ignored).
bool isMissingSpelling(std::string_view text);
inline bool isMissingValue(std::string_view text)
{
    // Most values rule themselves out by their first and last characters.
    if (text.empty())
        return true;
    const char first = text.front();
    const char last = text.back();
    if (first != 'N' && first != 'n' && first != ' ' && first != '\t' && last != ' '
        && last != '\t')
        return false;
    return isMissingSpelling(text);
}

// A decimal number as std::from_chars reads it, also with blanks around, a leading '+', or
// beyond the double range (then +/-inf or +/-0). "inf", "-inf" and "nan" are numbers too.
bool parseNumber(std::string_view text, double &value);

// true/false/yes/no in lower, capitalised or upper case; with `acceptDigits` also 1 and 0.
bool parseBoolean(std::string_view text, double &value, bool acceptDigits);

// 2026-11-01, 2026-11-01T12:30, 2026-11-01 12:30:00.250, 2026-11-01T12:30:00Z,
// 2026-11-01T12:30:00+05:30 (+0530, +05): milliseconds since the Unix epoch, UTC when no offset
// is given.
bool parseTimestamp(std::string_view text, double &milliseconds);

// Bytes that must be readable after the start of a number for scanNumberFast.
inline constexpr size_t kNumberLookahead = 64;

namespace detail {

inline uint64_t load8(const char *s)
{
    uint64_t v;
    std::memcpy(&v, s, 8);
    return v;
}

// How many of the 8 bytes (in memory order, little-endian) are digits before the first that is
// not: one mask and a count instead of a branch per character.
inline unsigned digitRun(uint64_t v)
{
    const uint64_t x = ((v & 0xF0F0F0F0F0F0F0F0ull)
                        | (((v + 0x0606060606060606ull) & 0xF0F0F0F0F0F0F0F0ull) >> 4))
                       ^ 0x3333333333333333ull;
    return x ? unsigned(__builtin_ctzll(x)) / 8 : 8;
}

// The value of the first n (1..8) digits of v: shifted so the digits end the word, padded
// with '0' in front, then the usual SWAR reduction.
inline uint64_t digitsValue(uint64_t v, unsigned n)
{
    const uint64_t fill = n == 8 ? 0 : 0x3030303030303030ull >> (8 * n);
    v = (v << (8 * (8 - n))) | fill;
    v -= 0x3030303030303030ull;
    v = v * 10 + (v >> 8);
    return (((v & 0x000000FF000000FFull) * 0x000F424000000064ull)
            + (((v >> 16) & 0x000000FF000000FFull) * 0x0000271000000001ull))
           >> 32;
}

inline constexpr uint64_t kPow10Int[] = {1ull,      10ull,      100ull,      1000ull,     10000ull,
                                         100000ull, 1000000ull, 10000000ull, 100000000ull};
inline constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                    1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                    1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

// The sign set without a branch: signs in data are random, and a mispredicted branch costs as
// much as the rest of the number.
inline double withSign(double v, bool negative)
{
    uint64_t bits;
    std::memcpy(&bits, &v, 8);
    bits |= uint64_t(negative) << 63;
    std::memcpy(&v, &bits, 8);
    return v;
}

// Digits in 8-byte steps; false when there are more than the 19 a uint64_t holds.
[[gnu::always_inline]] inline bool scanDigits(const char *&s, uint64_t &mantissa,
                                              unsigned &digits)
{
    for (;;) {
        const uint64_t v = load8(s);
        const unsigned n = digitRun(v);
        if (n > 0)
            mantissa = mantissa * kPow10Int[n] + digitsValue(v, n);
        s += n;
        digits += n;
        if (n < 8)
            return digits <= 19;
        if (digits > 16)
            return false;
    }
}

} // namespace detail

// Reads a plain decimal number at `p` ([-]digits[.digits][e[+-]digits]) exactly as
// std::from_chars would, about twice as fast on typical data, and advances `p` past it. Returns
// false, leaving `p`, whenever it cannot be sure (more than 19 digits, large exponents, inf, nan,
// no digits): the caller then asks std::from_chars. Needs kNumberLookahead readable bytes.
[[gnu::always_inline]] inline bool scanNumberFast(const char *&p, double &value)
{
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__ || !defined(__FLT_EVAL_METHOD__)                     \
    || __FLT_EVAL_METHOD__ != 0
    // The digit tricks assume little-endian words, the exact path plain double arithmetic.
    (void)p;
    (void)value;
    return false;
#else
    using namespace detail;
    const char *s = p;
    const bool negative = *s == '-';
    s += negative;
    uint64_t mantissa = 0;
    unsigned digits = 0;
    if (!scanDigits(s, mantissa, digits))
        return false;
    int exponent = 0;
    if (*s == '.') {
        ++s;
        const unsigned before = digits;
        if (!scanDigits(s, mantissa, digits))
            return false;
        exponent = -int(digits - before);
    }
    if (digits == 0)
        return false;
    if ((*s | 0x20) == 'e') {
        const char *e = s + 1;
        const bool negativeExponent = *e == '-';
        e += *e == '-' || *e == '+';
        const uint64_t v = load8(e);
        const unsigned n = digitRun(v);
        if (n == 0 || n > 3)
            return false;  // "1e" ends before the 'e' for from_chars; let it say so
        const int x = int(digitsValue(v, n));
        exponent += negativeExponent ? -x : x;
        s = e + n;
    }
    // Clinger's fast path: both operands exact, so the one rounding is the correct one.
    if (mantissa <= (uint64_t(1) << 53) && exponent >= -22 && exponent <= 22) {
        const double m = double(mantissa);
        value = withSign(exponent < 0 ? m / kPow10[-exponent] : m * kPow10[exponent], negative);
        p = s;
        return true;
    }
#if defined(__x86_64__) && defined(__LDBL_MANT_DIG__) && __LDBL_MANT_DIG__ == 64
    // Up to 19 digits (17 is what most writers emit): x87's 64-bit significand holds the
    // mantissa and 10^27 exactly, so the quotient is rounded once to 64 bits. Rounding that to
    // 53 bits is then correct unless it sits exactly on a midpoint between two doubles (the 11
    // extra bits are 10000000000); that rare case goes to from_chars.
    if (exponent >= -27 && exponent <= 27) {
        static constexpr long double pow10[] = {
            1e0L,  1e1L,  1e2L,  1e3L,  1e4L,  1e5L,  1e6L,  1e7L,  1e8L,  1e9L,
            1e10L, 1e11L, 1e12L, 1e13L, 1e14L, 1e15L, 1e16L, 1e17L, 1e18L, 1e19L,
            1e20L, 1e21L, 1e22L, 1e23L, 1e24L, 1e25L, 1e26L, 1e27L};
        const long double m = static_cast<long double>(mantissa);
        const long double r = exponent < 0 ? m / pow10[-exponent] : m * pow10[exponent];
        uint64_t significand;
        std::memcpy(&significand, &r, sizeof significand);
        if (mantissa != 0 && (significand & 0x7FF) == 0x400)
            return false;
        value = withSign(static_cast<double>(r), negative);
        p = s;
        return true;
    }
#endif
    return false;
#endif
}

} // namespace sightline::drift::csv
