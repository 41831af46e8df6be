// SPDX-License-Identifier: GPL-3.0-or-later
#include "net/url.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace sightline {

namespace {

std::string toLower(std::string_view text)
{
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

// Where the authority ("user@host:port") starts and ends; npos start when there is none.
std::pair<size_t, size_t> authorityRange(std::string_view url)
{
    size_t start = std::string_view::npos;
    const size_t sep = url.find("://");
    if (sep != std::string_view::npos && url.find_first_of("/?#") > sep) {
        start = sep + 3;
    } else if (url.substr(0, 2) == "//") {
        start = 2;
    } else {
        // Scheme-less "user:pw@host/path" still gets its credentials removed.
        const size_t at = url.find('@');
        if (at != std::string_view::npos && at < url.find_first_of("/?#"))
            start = 0;
    }
    if (start == std::string_view::npos)
        return {start, start};
    size_t end = url.find_first_of("/?#", start);
    if (end == std::string_view::npos)
        end = url.size();
    return {start, end};
}

bool isSecretKey(std::string_view rawKey)
{
    const std::string key = toLower(rawKey);
    static constexpr std::array<std::string_view, 9> kParts = {
        "token", "password", "passwd", "secret", "signature", "credential",
        "apikey", "api_key", "api-key"};
    for (std::string_view part : kParts) {
        if (key.find(part) != std::string::npos)
            return true;
    }
    return key == "sig" || key == "pwd" || key == "auth";
}

// Masks secret values in "a=1&b=2" style text.
std::string redactParams(std::string_view params)
{
    std::string out;
    size_t pos = 0;
    while (pos <= params.size()) {
        size_t end = params.find('&', pos);
        if (end == std::string_view::npos)
            end = params.size();
        const std::string_view pair = params.substr(pos, end - pos);
        const size_t eq = pair.find('=');
        const bool secret = eq != std::string_view::npos && eq + 1 < pair.size()
                            && isSecretKey(pair.substr(0, eq));
        if (secret) {
            out.append(pair.substr(0, eq + 1));
            out.append("***");
        } else {
            out.append(pair);
        }
        if (end == params.size())
            break;
        out.push_back('&');
        pos = end + 1;
    }
    return out;
}

} // namespace

std::string urlEncode(std::string_view text)
{
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size() * 3);
    for (unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 0x0F]);
        }
    }
    return out;
}

std::string stripUserInfo(std::string_view url)
{
    const auto [start, end] = authorityRange(url);
    if (start == std::string_view::npos)
        return std::string(url);
    const size_t at = url.substr(start, end - start).rfind('@');
    if (at == std::string_view::npos)
        return std::string(url);
    std::string out(url.substr(0, start));
    out.append(url.substr(start + at + 1));
    return out;
}

std::string redactUrl(std::string_view url)
{
    const std::string clean = stripUserInfo(url);
    const size_t query = clean.find('?');
    const size_t fragment = clean.find('#');
    std::string out;
    if (query != std::string::npos && (fragment == std::string::npos || query < fragment)) {
        const size_t queryEnd = fragment == std::string::npos ? clean.size() : fragment;
        out = clean.substr(0, query + 1);
        out += redactParams(std::string_view(clean).substr(query + 1, queryEnd - query - 1));
    } else {
        out = clean.substr(0, fragment == std::string::npos ? clean.size() : fragment);
    }
    // Fragments can carry tokens too (OAuth implicit flow).
    if (fragment != std::string::npos) {
        out.push_back('#');
        out += redactParams(std::string_view(clean).substr(fragment + 1));
    }
    return out;
}

std::string UrlOrigin::hostPort() const
{
    return host + ':' + std::to_string(port);
}

std::optional<UrlOrigin> urlOrigin(std::string_view url)
{
    const size_t sep = url.find("://");
    if (sep == std::string_view::npos || sep == 0)
        return std::nullopt;
    UrlOrigin origin;
    origin.scheme = toLower(url.substr(0, sep));
    if (origin.scheme == "http")
        origin.port = 80;
    else if (origin.scheme == "https")
        origin.port = 443;
    else
        return std::nullopt;

    const auto [start, end] = authorityRange(url);
    if (start == std::string_view::npos)
        return std::nullopt;
    std::string_view authority = url.substr(start, end - start);
    const size_t at = authority.rfind('@');
    if (at != std::string_view::npos)
        authority.remove_prefix(at + 1);

    std::string_view host = authority;
    std::string_view port;
    if (!authority.empty() && authority.front() == '[') {
        const size_t close = authority.find(']');
        if (close == std::string_view::npos)
            return std::nullopt;
        host = authority.substr(0, close + 1);
        const std::string_view rest = authority.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':')
                return std::nullopt;
            port = rest.substr(1);
        }
    } else if (const size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
        host = authority.substr(0, colon);
        port = authority.substr(colon + 1);
    }
    if (host.empty())
        return std::nullopt;
    origin.host = toLower(host);
    // A trailing dot names the same host ("example.com." == "example.com").
    if (origin.host.size() > 1 && origin.host.back() == '.')
        origin.host.pop_back();
    if (!port.empty()) {
        if (port.size() > 5 || !std::all_of(port.begin(), port.end(),
                                            [](unsigned char c) { return std::isdigit(c); }))
            return std::nullopt;
        origin.port = std::stoi(std::string(port));
        if (origin.port <= 0 || origin.port > 65535)
            return std::nullopt;
    }
    return origin;
}

} // namespace sightline
