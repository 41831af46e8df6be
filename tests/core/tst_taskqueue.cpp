// SPDX-License-Identifier: GPL-3.0-or-later
// The background queue that metric histories are read on: tasks run in order, on one thread
// other than the caller's, from any number of posting threads, and none is lost when the queue
// goes away with tasks still waiting.
#include "util/taskqueue.h"

#include <QtTest>

#include <atomic>
#include <chrono>
#include <set>
#include <thread>
#include <vector>

using namespace sightline;

class TestTaskQueue : public QObject {
    Q_OBJECT

private slots:
    void runsInOrderOnItsOwnThread()
    {
        std::vector<int> done;
        std::set<std::thread::id> threads;
        {
            TaskQueue queue;
            for (int i = 0; i < 1000; ++i)
                queue.post([&, i] {
                    done.push_back(i);
                    threads.insert(std::this_thread::get_id());
                });
        }
        QCOMPARE(done.size(), size_t(1000));
        for (int i = 0; i < 1000; ++i)
            QCOMPARE(done[static_cast<size_t>(i)], i);
        QCOMPARE(threads.size(), size_t(1));
        QVERIFY(*threads.begin() != std::this_thread::get_id());
    }

    void finishesWaitingTasksBeforeItGoes()
    {
        std::atomic<int> ran{0};
        {
            TaskQueue queue;
            queue.post([&] {
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
                ++ran;
            });
            for (int i = 0; i < 10; ++i)
                queue.post([&] { ++ran; });
        }
        QCOMPARE(ran.load(), 11);
    }

    void takesTasksFromManyThreads()
    {
        std::atomic<int> ran{0};
        {
            TaskQueue queue;
            std::vector<std::thread> posters;
            for (int t = 0; t < 4; ++t)
                posters.emplace_back([&] {
                    for (int i = 0; i < 500; ++i)
                        queue.post([&] { ++ran; });
                });
            for (auto &p : posters)
                p.join();
        }
        QCOMPARE(ran.load(), 2000);
    }

    void anEmptyQueueStopsAtOnce()
    {
        QElapsedTimer timer;
        timer.start();
        { TaskQueue queue; }
        QVERIFY(timer.elapsed() < 1000);
    }
};

QTEST_GUILESS_MAIN(TestTaskQueue)
#include "tst_taskqueue.moc"
