// SPDX-License-Identifier: GPL-3.0-or-later
// Tests of TailPolicy: the live tail's polling pace, backoff on quiet and on failure, the
// server's Retry-After and the stop once nothing runs.
#include "compare/tailpolicy.h"

#include <QtTest>

#include <limits>

using namespace sightline;

namespace {

TailPoll quiet()
{
    return {};
}

TailPoll changed()
{
    TailPoll p;
    p.changed = true;
    return p;
}

TailPoll failed(int64_t retryAfterMs = -1)
{
    TailPoll p;
    p.ok = false;
    p.retryAfterMs = retryAfterMs;
    return p;
}

} // namespace

class TestTailPolicy : public QObject {
    Q_OBJECT

private slots:
    void startsAtTheMinimum()
    {
        TailPolicy policy;
        QVERIFY(!policy.isActive());
        QCOMPARE(policy.nextDelayMs(), int64_t(-1));
        QCOMPARE(policy.record(quiet()), int64_t(-1)); // not started: nothing to schedule
        policy.start();
        QVERIFY(policy.isActive());
        QCOMPARE(policy.nextDelayMs(), int64_t(2000));
    }

    void slowsDownWhileNothingChanges()
    {
        TailPolicy policy;
        policy.start();
        QCOMPARE(policy.record(quiet()), int64_t(3000));
        QCOMPARE(policy.record(quiet()), int64_t(4500));
        QCOMPARE(policy.record(quiet()), int64_t(6750));
        int64_t last = policy.nextDelayMs();
        for (int i = 0; i < 30; ++i) {
            const int64_t next = policy.record(quiet());
            QVERIFY(next >= last);
            last = next;
        }
        QCOMPARE(last, int64_t(60000));
        QCOMPARE(policy.intervalMs(), int64_t(60000));
    }

    void aChangeBringsBackTheFastestPace()
    {
        TailPolicy policy;
        policy.start();
        for (int i = 0; i < 10; ++i)
            (void)policy.record(quiet());
        QVERIFY(policy.nextDelayMs() > 20000);
        QCOMPARE(policy.record(changed()), int64_t(2000));
        QCOMPARE(policy.record(changed()), int64_t(2000));
        QCOMPARE(policy.record(quiet()), int64_t(3000));
    }

    void failuresBackOffHarder()
    {
        TailPolicy policy;
        policy.start();
        QCOMPARE(policy.record(failed()), int64_t(4000));
        QCOMPARE(policy.record(failed()), int64_t(8000));
        QCOMPARE(policy.consecutiveErrors(), 2);
        for (int i = 0; i < 10; ++i)
            (void)policy.record(failed());
        QCOMPARE(policy.nextDelayMs(), int64_t(120000)); // above the calm cap
        QVERIFY(policy.isActive());
        // The first good poll comes back under the calm cap, and resets the error count.
        QCOMPARE(policy.record(quiet()), int64_t(60000));
        QCOMPARE(policy.consecutiveErrors(), 0);
        QCOMPARE(policy.record(changed()), int64_t(2000));
    }

    void aFailedPollDoesNotStopTheTail()
    {
        TailPolicy policy;
        policy.start();
        TailPoll p = failed();
        p.anyRunning = false; // unknown after a failure
        QVERIFY(policy.record(p) > 0);
        QVERIFY(policy.isActive());
    }

    void neverSoonerThanRetryAfter()
    {
        TailPolicy policy;
        policy.start();
        TailPoll p = changed();
        p.retryAfterMs = 30000;
        QCOMPARE(policy.record(p), int64_t(30000));
        // The Retry-After holds for one poll; the backoff itself was not inflated by it.
        QCOMPARE(policy.intervalMs(), int64_t(2000));
        QCOMPARE(policy.record(changed()), int64_t(2000));
        // Longer than every cap: still honoured.
        QCOMPARE(policy.record(failed(600000)), int64_t(600000));
        // Shorter than the backoff: the backoff wins.
        QCOMPARE(policy.record(failed(10)), int64_t(8000));
    }

    void stopsWhenNothingRuns()
    {
        TailPolicy policy;
        policy.start();
        (void)policy.record(quiet());
        TailPoll done = changed();
        done.anyRunning = false;
        QCOMPARE(policy.record(done), int64_t(-1));
        QVERIFY(!policy.isActive());
        QCOMPARE(policy.nextDelayMs(), int64_t(-1));
        QCOMPARE(policy.record(changed()), int64_t(-1));
        // A restart begins afresh.
        policy.start();
        QCOMPARE(policy.nextDelayMs(), int64_t(2000));
        policy.stop();
        QVERIFY(!policy.isActive());
    }

    void optionsAreConfigurableAndSane()
    {
        TailPolicyOptions o;
        o.minIntervalMs = 50;
        o.maxIntervalMs = 200;
        o.growth = 2.0;
        o.maxErrorIntervalMs = 400;
        TailPolicy fast(o);
        fast.start();
        QCOMPARE(fast.nextDelayMs(), int64_t(50));
        QCOMPARE(fast.record(quiet()), int64_t(100));
        QCOMPARE(fast.record(quiet()), int64_t(200));
        QCOMPARE(fast.record(quiet()), int64_t(200));
        QCOMPARE(fast.record(failed()), int64_t(400));
        QCOMPARE(fast.record(failed()), int64_t(400));

        TailPolicyOptions bad;
        bad.minIntervalMs = -5;
        bad.maxIntervalMs = 0;
        bad.maxErrorIntervalMs = 0;
        bad.growth = 0.5;
        bad.errorGrowth = std::numeric_limits<double>::quiet_NaN();
        TailPolicy sane(bad);
        QCOMPARE(sane.options().minIntervalMs, int64_t(1));
        QVERIFY(sane.options().maxIntervalMs >= sane.options().minIntervalMs);
        QVERIFY(sane.options().maxErrorIntervalMs >= sane.options().maxIntervalMs);
        QCOMPARE(sane.options().growth, 1.0);
        QCOMPARE(sane.options().errorGrowth, 2.0);
    }
};

QTEST_APPLESS_MAIN(TestTailPolicy)
#include "tst_tailpolicy.moc"
