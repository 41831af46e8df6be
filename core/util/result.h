// SPDX-License-Identifier: GPL-3.0-or-later
// Result<T>: the typed success-or-error value returned across core APIs.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace sightline {

// One clear sentence for the user; `code` is a short machine-readable tag
// ("network", "http", "parse", "not_found", "invalid", "cancelled", "io", "sql").
struct Error {
    std::string code;
    std::string message;
    int httpStatus = 0;
};

template<typename T>
class [[nodiscard]] Result {
public:
    Result(T value) : m_v(std::move(value)) {}
    Result(Error error) : m_v(std::move(error)) {}

    bool ok() const { return m_v.index() == 0; }
    explicit operator bool() const { return ok(); }

    T &value() & { return std::get<0>(m_v); }
    const T &value() const & { return std::get<0>(m_v); }
    T &&value() && { return std::get<0>(std::move(m_v)); }
    T *operator->() { return &std::get<0>(m_v); }
    const T *operator->() const { return &std::get<0>(m_v); }
    T &operator*() & { return std::get<0>(m_v); }
    const T &operator*() const & { return std::get<0>(m_v); }

    const Error &error() const { return std::get<1>(m_v); }

private:
    std::variant<T, Error> m_v;
};

template<>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error error) : m_error(std::move(error)), m_ok(false) {}
    bool ok() const { return m_ok; }
    explicit operator bool() const { return m_ok; }
    const Error &error() const { return m_error; }

private:
    Error m_error;
    bool m_ok = true;
};

inline Error makeError(std::string code, std::string message, int httpStatus = 0)
{
    return Error{std::move(code), std::move(message), httpStatus};
}

} // namespace sightline
