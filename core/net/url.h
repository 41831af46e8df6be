// SPDX-License-Identifier: GPL-3.0-or-later
// Small URL functions for the HTTP layer: percent-encoding for building MLflow query strings,
// redaction so URLs can appear in messages without leaking credentials, and the origin
// (scheme, host, port) used to decide whether credentials may follow a redirect.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sightline {

// Percent-encodes everything outside the RFC 3986 unreserved set (A-Z a-z 0-9 - . _ ~), so
// the result is safe as a query value or a path segment.
std::string urlEncode(std::string_view text);

// Removes "user:password@" from the authority. Nothing else changes, so the result still
// addresses the same resource.
std::string stripUserInfo(std::string_view url);

// For messages and logs: strips the user info and replaces the values of query parameters
// that commonly carry secrets (token, password, signatures of pre-signed URLs...) with "***".
std::string redactUrl(std::string_view url);

struct UrlOrigin {
    std::string scheme; // lower case
    std::string host;   // lower case; IPv6 literals keep their brackets
    int port = 0;       // explicit, or the scheme's default

    // "host:port", the form used in error messages.
    std::string hostPort() const;
    bool operator==(const UrlOrigin &) const = default;
};

// The origin of an absolute http(s) URL; nullopt when the URL is not absolute or the scheme
// has no known default port.
std::optional<UrlOrigin> urlOrigin(std::string_view url);

} // namespace sightline
