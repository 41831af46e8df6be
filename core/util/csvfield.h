// SPDX-License-Identifier: GPL-3.0-or-later
// Quoting one field for CSV output (RFC 4180): quoted only when it holds a comma, a quote or a
// line break, with quotes doubled.
#pragma once

#include <string>

namespace sightline {

inline std::string csvField(const std::string &s)
{
    if (s.find_first_of(",\"\r\n") == std::string::npos)
        return s;
    std::string out = "\"";
    for (char c : s) {
        if (c == '"')
            out += '"';
        out += c;
    }
    return out + "\"";
}

} // namespace sightline
