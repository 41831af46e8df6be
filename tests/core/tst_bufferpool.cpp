// SPDX-License-Identifier: GPL-3.0-or-later
// Buffers handed back keep their capacity for the next taker; the pool stays bounded, and it is
// safe to use from several threads at once.
#include "util/bufferpool.h"

#include <QtTest>

#include <thread>
#include <vector>

using namespace sightline;

class TestBufferPool : public QObject {
    Q_OBJECT

private slots:
    void handedBackBuffersKeepTheirCapacity()
    {
        BufferPool pool(2, 1 << 20);
        QVERIFY(pool.take().capacity() < 64 * 1024); // nothing handed back yet
        std::string a(300 * 1024, 'x');
        const size_t capacity = a.capacity();
        pool.give(std::move(a));
        QCOMPARE(pool.size(), size_t(1));
        std::string b = pool.take();
        QVERIFY(b.empty());
        QCOMPARE(b.capacity(), capacity);
        QCOMPARE(pool.size(), size_t(0));
    }

    void staysBounded()
    {
        BufferPool pool(2, 1 << 20);
        for (int i = 0; i < 5; ++i)
            pool.give(std::string(200 * 1024, 'x'));
        QCOMPARE(pool.size(), size_t(2));
        pool.give(std::string(2 << 20, 'x')); // larger than it holds on to
        pool.give(std::string(100, 'x'));     // too small to be worth keeping
        QCOMPARE(pool.size(), size_t(2));
    }

    void manyThreads()
    {
        BufferPool pool(8, 1 << 20);
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t)
            threads.emplace_back([&pool] {
                for (int i = 0; i < 2000; ++i) {
                    std::string s = pool.take();
                    s.assign(100 * 1024, 'y');
                    pool.give(std::move(s));
                }
            });
        for (auto &t : threads)
            t.join();
        QVERIFY(pool.size() >= 1 && pool.size() <= 8);
    }
};

QTEST_APPLESS_MAIN(TestBufferPool)
#include "tst_bufferpool.moc"
