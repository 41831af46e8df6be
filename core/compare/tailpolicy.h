// SPDX-License-Identifier: GPL-3.0-or-later
// TailPolicy: when the live tail of RUNNING runs asks the server again. It starts fast, slows down
// while nothing changes, comes back to the fastest pace when something does, backs off harder
// after failures, never asks sooner than the server's Retry-After, and stops once no run of the
// set is running. Pure: no clock, no timer; the caller feeds it each poll's outcome.
#pragma once

#include <cstdint>

namespace sightline {

struct TailPolicyOptions {
    int64_t minIntervalMs = 2000;       // first poll, and after every poll that saw a change
    int64_t maxIntervalMs = 60000;      // cap while nothing changes
    double growth = 1.5;                // per poll that saw no change
    int64_t maxErrorIntervalMs = 120000; // cap after failed polls
    double errorGrowth = 2.0;           // per failed poll
};

// The outcome of one poll.
struct TailPoll {
    bool ok = true;            // false: the refresh failed (network, server error)
    bool changed = false;      // a history or a run's status changed
    bool anyRunning = true;    // some run of the set is still running (ignored when !ok)
    int64_t retryAfterMs = -1; // the server's Retry-After, -1 when it sent none
};

class TailPolicy {
public:
    explicit TailPolicy(TailPolicyOptions options = {});

    // The options as used: intervals at least 1 ms, caps no lower than the minimum, growth >= 1.
    const TailPolicyOptions &options() const { return m_options; }

    // Starts (or restarts) at the minimum interval.
    void start();
    void stop();
    bool isActive() const { return m_active; }

    // Delay before the next poll (the interval, or the server's Retry-After when longer);
    // -1 while stopped.
    int64_t nextDelayMs() const { return m_active ? m_delayMs : -1; }
    // The backoff interval alone, without any Retry-After.
    int64_t intervalMs() const { return m_intervalMs; }
    int consecutiveErrors() const { return m_errors; }

    // Feeds one poll's outcome; returns the delay before the next poll, or -1 when the tail
    // stops (nothing is running anymore, or it was not active).
    int64_t record(const TailPoll &poll);

private:
    TailPolicyOptions m_options;
    int64_t m_intervalMs = 0;
    int64_t m_delayMs = 0;
    int m_errors = 0;
    bool m_active = false;
};

} // namespace sightline
