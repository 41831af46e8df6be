// SPDX-License-Identifier: GPL-3.0-or-later
#include "compare/tailpolicy.h"

#include <algorithm>
#include <cmath>

namespace sightline {

namespace {

int64_t grown(int64_t interval, double factor, int64_t cap)
{
    const double next = std::ceil(static_cast<double>(interval) * factor);
    return next >= static_cast<double>(cap) ? cap : static_cast<int64_t>(next);
}

} // namespace

TailPolicy::TailPolicy(TailPolicyOptions options) : m_options(options)
{
    TailPolicyOptions &o = m_options;
    o.minIntervalMs = std::max<int64_t>(1, o.minIntervalMs);
    o.maxIntervalMs = std::max(o.minIntervalMs, o.maxIntervalMs);
    o.maxErrorIntervalMs = std::max(o.maxIntervalMs, o.maxErrorIntervalMs);
    // NaN or shrinking factors would poll ever faster.
    o.growth = std::isfinite(o.growth) ? std::max(1.0, o.growth) : 1.5;
    o.errorGrowth = std::isfinite(o.errorGrowth) ? std::max(1.0, o.errorGrowth) : 2.0;
    m_intervalMs = m_delayMs = o.minIntervalMs;
}

void TailPolicy::start()
{
    m_active = true;
    m_errors = 0;
    m_intervalMs = m_delayMs = m_options.minIntervalMs;
}

void TailPolicy::stop()
{
    m_active = false;
}

int64_t TailPolicy::record(const TailPoll &poll)
{
    if (!m_active)
        return -1;
    if (!poll.ok) {
        ++m_errors;
        m_intervalMs = grown(m_intervalMs, m_options.errorGrowth, m_options.maxErrorIntervalMs);
    } else {
        m_errors = 0;
        if (!poll.anyRunning) {
            m_active = false;
            return -1;
        }
        // After failures the interval may stand above the calm cap; grown() brings it back.
        m_intervalMs = poll.changed
            ? m_options.minIntervalMs
            : grown(m_intervalMs, m_options.growth, m_options.maxIntervalMs);
    }
    m_delayMs = std::max(m_intervalMs, poll.retryAfterMs);
    return m_delayMs;
}

} // namespace sightline
