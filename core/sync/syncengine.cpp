// SPDX-License-Identifier: GPL-3.0-or-later
#include "sync/syncengine.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

namespace sightline {

namespace {

bool sameBits(double a, double b)
{
    return std::memcmp(&a, &b, sizeof a) == 0;
}

std::string nowMillis()
{
    using namespace std::chrono;
    return std::to_string(
        duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count());
}

} // namespace

bool historyIsCurrent(const HistoryInfo &info, const Metric &latest)
{
    return info.hasSeen && info.seenStep == latest.step && info.seenTimestamp == latest.timestamp
        && sameBits(info.seenValue, latest.value);
}

SyncEngine::SyncEngine(Store &store, MlflowClient &client) : m_store(store), m_client(client) {}

void SyncEngine::cancel()
{
    m_cancelled = true;
    m_client.http().cancelAll();
}

Error SyncEngine::cancelledError() const
{
    return makeError("cancelled", "The sync was cancelled; what was fetched so far is kept.");
}

void SyncEngine::report(SyncProgress::Phase phase, int64_t done, int64_t total,
                        std::string message)
{
    if (m_progress)
        m_progress(SyncProgress{phase, done, total, std::move(message)});
}

Result<SyncReport> SyncEngine::run(const SyncOptions &options)
{
    const auto started = std::chrono::steady_clock::now();
    const uint64_t requestsBefore = m_client.requestCount();
    SyncReport rep;
    m_cancelled = false;

    report(SyncProgress::Phase::Experiments, 0, 0, "Listing experiments");
    auto experiments = m_client.searchExperiments(ViewType::All);
    if (!experiments)
        return experiments.error();
    std::vector<Experiment> chosen;
    if (options.experimentNames.empty()) {
        chosen = *experiments;
    } else {
        for (const auto &name : options.experimentNames) {
            auto it = std::find_if(experiments->begin(), experiments->end(),
                                   [&](const Experiment &e) { return e.name == name; });
            if (it == experiments->end())
                return makeError("not_found", "The server has no experiment named '" + name + "'.");
            chosen.push_back(*it);
        }
    }
    {
        Transaction tx(m_store);
        for (const auto &e : chosen)
            if (auto r = m_store.upsertExperiment(e); !r)
                return r.error();
        if (auto r = m_store.setMeta("server_url", m_client.connection().baseUrl); !r)
            return r.error();
        if (auto r = tx.commit(); !r)
            return r.error();
    }
    rep.experiments = static_cast<int>(chosen.size());

    // Runs. Experiments never listed in full (or all of them, when a full sync is due) are
    // listed completely; the others only where something can have changed.
    const std::string startedMs = nowMillis();
    std::set<std::string> listed;
    {
        const std::string known = m_store.meta("fully_listed_experiments").value_or("");
        size_t pos = 0;
        while (pos < known.size()) {
            size_t comma = known.find(',', pos);
            if (comma == std::string::npos)
                comma = known.size();
            listed.insert(known.substr(pos, comma - pos));
            pos = comma + 1;
        }
    }
    const int64_t lastFull = std::atoll(m_store.meta("last_full_sync_ms").value_or("0").c_str());
    const bool fullDue = options.full || lastFull == 0
        || std::atoll(startedMs.c_str()) - lastFull > options.fullEveryMs;
    std::vector<const Experiment *> fullList;
    std::vector<std::string> quickList;
    for (const auto &e : chosen) {
        if (fullDue || !listed.count(e.experimentId))
            fullList.push_back(&e);
        else
            quickList.push_back(e.experimentId);
    }
    rep.fullListing = quickList.empty();
    m_cached = m_store.allHistoryInfo();
    m_jobs.clear();
    if (!quickList.empty()) {
        report(SyncProgress::Phase::Runs, 0, static_cast<int64_t>(chosen.size()),
               "Looking for new and running runs");
        if (auto r = listExperimentsQuickly(quickList, rep); !r)
            return m_cancelled ? cancelledError() : r.error();
    }
    std::vector<HistoryJob> jobs = std::move(m_jobs);
    m_jobs.clear();
    if (!quickList.empty()) {
        // Histories an earlier, interrupted sync listed but never fetched.
        std::set<std::pair<std::string, std::string>> queued;
        for (const auto &j : jobs)
            queued.insert({j.runId, j.latest.key});
        for (auto &[runId, latest] : m_store.latestMetrics(quickList)) {
            if (queued.count({runId, latest.key}))
                continue;
            auto it = m_cached.find({runId, latest.key});
            if (it == m_cached.end() || !historyIsCurrent(it->second, latest))
                jobs.push_back({runId, std::move(latest)});
        }
    }
    if (m_cancelled)
        return cancelledError();
    // The experiments to list in full are listed while the histories of those already listed
    // download: listing is the server's slowest answer, and the downloads need not wait for it.
    if (!fullList.empty())
        report(SyncProgress::Phase::Runs, 0, static_cast<int64_t>(fullList.size()),
               "Listing runs of " + fullList.front()->name);
    if (auto r = syncHistories(std::move(jobs), options, rep, nullptr, fullList, &listed); !r)
        return r.error();
    if (options.registry)
        if (auto r = syncRegistry(rep); !r)
            return r.error();

    if (auto r = m_store.setMeta("last_sync_ms", nowMillis()); !r)
        return r.error();
    if (rep.fullListing && options.experimentNames.empty())
        if (auto r = m_store.setMeta("last_full_sync_ms", startedMs); !r)
            return r.error();
    rep.requests = m_client.requestCount() - requestsBefore;
    rep.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    report(SyncProgress::Phase::Done, 1, 1, "Sync complete");
    return rep;
}

// Called inside the caller's transaction.
Result<void> SyncEngine::writeRuns(std::span<const Run> runs, SyncReport &rep)
{
    for (const auto &r : runs) {
        if (r.runId.empty())
            continue;
        if (auto w = m_store.upsertRun(r); !w)
            return w.error();
        ++rep.runs;
        if (r.lifecycleStage == "deleted")
            continue;
        for (const auto &m : r.metrics) {
            auto it = m_cached.find({r.runId, m.key});
            if (it != m_cached.end() && historyIsCurrent(it->second, m)) {
                ++rep.historiesSkipped;
                continue;
            }
            m_jobs.push_back({r.runId, m});
        }
    }
    return {};
}

Result<void> SyncEngine::finishFullListing(const Experiment &e, const std::vector<std::string> &ids,
                                           std::set<std::string> &listed, SyncReport &rep)
{
    // Deleted runs are listed too, so a deletion is seen; a run missing from the listing was
    // removed for good on the server.
    auto removed = m_store.removeRunsNotIn(e.experimentId, ids);
    if (!removed)
        return removed.error();
    rep.runsRemoved += *removed;
    listed.insert(e.experimentId);
    std::string joined;
    for (const auto &id : listed)
        joined += (joined.empty() ? "" : ",") + id;
    return m_store.setMeta("fully_listed_experiments", joined);
}

Result<void> SyncEngine::listExperimentsQuickly(const std::vector<std::string> &ids,
                                                SyncReport &rep)
{
    const auto briefs = m_store.runBriefs(ids);
    int64_t newest = 0;
    for (const auto &b : briefs)
        newest = std::max(newest, b.startTime);
    // An hour's margin covers runs created late with an earlier start time and clock skew.
    const int64_t since = std::max<int64_t>(0, newest - 3600 * 1000);
    std::map<std::string, Run> found;
    auto add = [&](std::vector<Run> runs) {
        for (auto &r : runs)
            found[r.runId] = std::move(r);
    };
    auto fresh = m_client.searchRuns(ids, "attributes.start_time >= " + std::to_string(since),
                                     ViewType::All);
    if (!fresh)
        return fresh.error();
    add(std::move(*fresh));
    auto running = m_client.searchRuns(ids, "attributes.status = 'RUNNING'", ViewType::ActiveOnly);
    if (!running)
        return running.error();
    add(std::move(*running));
    auto deleted = m_client.searchRuns(ids, {}, ViewType::DeletedOnly);
    if (!deleted)
        return deleted.error();
    std::set<std::string> deletedIds;
    for (const auto &r : *deleted)
        deletedIds.insert(r.runId);
    add(std::move(*deleted));

    // Runs the cache saw running (or deleted) that the queries above did not return: they
    // finished (or were restored) since, or are gone for good.
    std::vector<std::string> gone;
    for (const auto &b : briefs) {
        if (found.count(b.runId))
            continue;
        const bool wasLive = b.lifecycleStage != "deleted"
            && (b.status == "RUNNING" || b.status == "SCHEDULED");
        const bool wasDeleted = b.lifecycleStage == "deleted";
        if (!wasLive && !wasDeleted)
            continue;
        if (m_cancelled)
            return cancelledError();
        auto r = m_client.getRun(b.runId);
        if (r)
            found[b.runId] = std::move(*r);
        else if (r.error().code == "not_found")
            gone.push_back(b.runId);
        else
            return r.error();
    }
    std::vector<Run> runs;
    runs.reserve(found.size());
    for (auto &[id, r] : found)
        runs.push_back(std::move(r));
    Transaction tx(m_store);
    if (auto w = writeRuns(runs, rep); !w)
        return w;
    for (const auto &id : gone)
        if (auto w = m_store.removeRun(id); !w)
            return w;
    rep.runsRemoved += static_cast<int>(gone.size());
    return tx.commit();
}

namespace {

// A history's points as its latest metric suggests (steps usually count from 0), to pack bulk
// requests under the server's cap; anything with unknown or huge counts goes alone.
int64_t estimatedPoints(const Metric &latest)
{
    return latest.step >= 0 ? latest.step + 1 : -1;
}

} // namespace

std::vector<SyncEngine::Task> SyncEngine::planHistoryTasks(const std::vector<HistoryJob> &jobs,
                                                           bool bulk, std::vector<size_t> *heldBack)
{
    std::vector<Task> tasks;
    if (!bulk) {
        for (size_t i = 0; i < jobs.size(); ++i)
            tasks.push_back({{i}, false});
        return tasks;
    }
    // Leave room for histories a little longer than their last step says.
    const int64_t budget = static_cast<int64_t>(MlflowClient::kBulkHistoryMaxPoints) * 9 / 10;
    std::map<std::string, std::vector<size_t>> byKey;
    for (size_t i = 0; i < jobs.size(); ++i) {
        const int64_t n = estimatedPoints(jobs[i].latest);
        if (n < 0 || n > budget / 2)
            tasks.push_back({{i}, false});
        else
            byKey[jobs[i].latest.key].push_back(i);
    }
    for (auto &[key, indices] : byKey) {
        Task batch{{}, true};
        int64_t points = 0;
        for (size_t i : indices) {
            const int64_t n = estimatedPoints(jobs[i].latest);
            if (!batch.jobs.empty()
                && (points + n > budget
                    || batch.jobs.size() >= size_t(MlflowClient::kBulkHistoryMaxRuns))) {
                batch.bulk = batch.jobs.size() > 1;
                tasks.push_back(std::move(batch));
                batch = Task{{}, true};
                points = 0;
            }
            batch.jobs.push_back(i);
            points += n;
        }
        if (batch.jobs.empty())
            continue;
        // Room for another history like its last one: a later one may fill it.
        const bool full = batch.jobs.size() >= size_t(MlflowClient::kBulkHistoryMaxRuns)
                       || points + estimatedPoints(jobs[batch.jobs.back()].latest) > budget;
        if (heldBack && !full) {
            heldBack->insert(heldBack->end(), batch.jobs.begin(), batch.jobs.end());
            continue;
        }
        batch.bulk = batch.jobs.size() > 1;
        tasks.push_back(std::move(batch));
    }
    return tasks;
}

Result<void> SyncEngine::syncHistories(std::vector<HistoryJob> jobs, const SyncOptions &options,
                                       SyncReport &rep,
                                       std::vector<std::pair<std::string, std::string>> *fetched,
                                       const std::vector<const Experiment *> &toList,
                                       std::set<std::string> *listed)
{
    if (jobs.empty() && toList.empty())
        return {};
    // One finished request: a single history, the histories of a bulk request, or a page of
    // the runs of an experiment listed in full.
    struct Done {
        size_t task = 0;
        Result<MetricSeries> series{MetricSeries{}};
        std::optional<Result<MlflowClient::BulkHistories>> bulk;
        std::optional<Result<std::vector<Run>>> listing; // a page of toList[task]'s runs
        bool lastPage = false;
    };
    std::vector<Task> tasks = planHistoryTasks(jobs, options.bulkHistories && m_bulkUsable);
    std::mutex mutex;
    std::condition_variable cv;
    std::deque<Done> finished;
    size_t next = 0;
    int inFlight = 0;
    size_t listings = 0; // listings taken so far
    int64_t completed = 0;
    int64_t reported = 0;
    int sinceCommit = 0;
    std::optional<Error> fatal;
    std::atomic<bool> stopListing{false};
    std::atomic<bool> historiesQueued{false}; // a listing brought histories to fetch

    auto launch = [&]() {
        while (inFlight < std::max(1, options.maxInFlight) && next < tasks.size() && !m_cancelled) {
            const size_t index = next++;
            ++inFlight;
            const Task &task = tasks[index];
            if (task.bulk) {
                std::vector<std::string> runIds;
                for (size_t j : task.jobs)
                    runIds.push_back(jobs[j].runId);
                m_client.getHistoryBulkAsync(runIds, jobs[task.jobs[0]].latest.key,
                                             [&, index](Result<MlflowClient::BulkHistories> r) {
                                                 std::lock_guard lock(mutex);
                                                 Done d{index};
                                                 d.bulk = std::move(r);
                                                 finished.push_back(std::move(d));
                                                 cv.notify_one();
                                             });
                continue;
            }
            const auto &job = jobs[task.jobs[0]];
            m_client.getHistoryAsync(job.runId, job.latest.key,
                                     [&, index](Result<MetricSeries> series) {
                                         std::lock_guard lock(mutex);
                                         finished.push_back({index, std::move(series)});
                                         cv.notify_one();
                                     });
        }
    };
    auto store = [&](size_t j, const MetricSeries &series) {
        const auto &job = jobs[j];
        if (auto w = m_store.putHistory(job.runId, job.latest.key, series, &job.latest); !w)
            fatal = w.error();
        ++rep.historiesFetched;
        rep.points += static_cast<int64_t>(series.size());
        if (fetched)
            fetched->emplace_back(job.runId, job.latest.key);
        ++completed;
        ++sinceCommit;
    };
    // Histories a bulk answer did not bring whole go again, one request each.
    auto retryAlone = [&](size_t j) { tasks.push_back({{j}, false}); };
    // A finished history request: its histories stored, or what failed noted.
    auto handleHistory = [&](Done &d) {
        if (d.bulk) {
            --inFlight;
            const Task task = tasks[d.task];
            auto &answer = *d.bulk;
            if (!answer) {
                const Error &e = answer.error();
                if (e.code == "cancelled" || m_cancelled) {
                    // drain the rest
                } else if (e.code == "network") {
                    if (!fatal)
                        fatal = e;
                } else {
                    // No bulk route here (404, an HTML page, a proxy that refuses it), or an
                    // answer we cannot use: fetch one by one from now on.
                    m_bulkUsable = false;
                    for (size_t j : task.jobs)
                        retryAlone(j);
                }
            } else {
                // The cap cuts the last history it reaches and drops the ones after it; a
                // history is taken only when it reaches the step its run's latest value has.
                const bool cut = answer->points >= MlflowClient::kBulkHistoryMaxPoints;
                std::map<std::string_view, const MetricSeries *> got;
                for (const auto &[id, series] : answer->series)
                    got[id] = &series;
                const std::string lastId = answer->series.empty() ? std::string()
                                                                  : answer->series.back().first;
                for (size_t j : task.jobs) {
                    const auto &job = jobs[j];
                    auto it = got.find(job.runId);
                    const MetricSeries *series = it == got.end() ? nullptr : it->second;
                    const bool whole = series && series->size() > 0
                                    && series->steps.back() >= job.latest.step
                                    && !(cut && job.runId == lastId);
                    if (whole)
                        store(j, *series);
                    else
                        retryAlone(j);
                }
                ++rep.bulkRequests;
            }
        } else {
            --inFlight;
            const size_t j = tasks[d.task].jobs[0];
            const auto &job = jobs[j];
            if (d.series) {
                store(j, *d.series);
            } else {
                ++completed;
                if (d.series.error().code == "cancelled" || m_cancelled) {
                    // drain the rest
                } else if (d.series.error().code == "network") {
                    // The server is gone or unreachable even after retries: stop, keep what we
                    // have.
                    if (!fatal)
                        fatal = d.series.error();
                } else {
                    rep.warnings.push_back("Run " + job.runId + ": " + d.series.error().message);
                }
            }
        }
    };
    // Histories that finished while a page of runs is being written: stored, and more
    // requests launched, so the transfers keep going. (Not with one request at a time, where
    // every listing comes before any history.)
    auto serviceHistories = [&] {
        if (options.maxInFlight <= 1)
            return;
        while (!fatal) {
            std::unique_lock lock(mutex);
            auto it = std::find_if(finished.begin(), finished.end(),
                                   [](const Done &f) { return !f.listing; });
            if (it == finished.end())
                return;
            Done d = std::move(*it);
            finished.erase(it);
            lock.unlock();
            handleHistory(d);
            if (!fatal)
                launch();
        }
    };
    // A page of a listing: its runs are written and their histories join the queue. After the
    // last page, runs the listing did not bring are removed.
    std::vector<std::string> listedIds; // of the experiment being listed
    // The histories the runs written so far need join the queue. Bulk requests are planned per
    // metric, and each planning ends with a request that is not full: until the listing's last
    // page (`all`), the histories of those wait for the runs that come next.
    auto queueJobs = [&](bool all) {
        if (!m_jobs.empty())
            historiesQueued = true;
        std::vector<size_t> held;
        auto planned = planHistoryTasks(m_jobs, options.bulkHistories && m_bulkUsable,
                                        all ? nullptr : &held);
        std::vector<bool> waits(m_jobs.size(), false);
        for (size_t j : held)
            waits[j] = true;
        std::vector<size_t> queuedAt(m_jobs.size());
        std::vector<HistoryJob> waiting;
        for (size_t j = 0; j < m_jobs.size(); ++j) {
            if (waits[j]) {
                waiting.push_back(std::move(m_jobs[j]));
            } else {
                queuedAt[j] = jobs.size();
                jobs.push_back(std::move(m_jobs[j]));
            }
        }
        for (Task &task : planned) {
            for (size_t &j : task.jobs)
                j = queuedAt[j];
            tasks.push_back(std::move(task));
        }
        m_jobs = std::move(waiting);
    };
    auto takePage = [&](const Experiment &e, const std::vector<Run> &runs, bool last) {
        for (const auto &r : runs)
            listedIds.push_back(r.runId);
        // A few dozen runs at a time, with finished histories stored in between: a page of a
        // thousand runs keeps the writer long enough for every request in flight to finish
        // and the transfers to stand still.
        // Their histories are queued a few hundred runs at a time (see queueJobs).
        constexpr size_t kChunk = 50, kQueueAt = 1000;
        for (size_t at = 0; at < runs.size(); at += kChunk) {
            const std::span<const Run> chunk(runs.data() + at, std::min(kChunk, runs.size() - at));
            if (auto w = writeRuns(chunk, rep); !w) {
                fatal = w.error();
                return;
            }
            if (m_jobs.size() >= kQueueAt)
                queueJobs(false);
            serviceHistories();
            if (fatal)
                return;
        }
        queueJobs(last);
        if (last) {
            if (auto w = finishFullListing(e, listedIds, *listed, rep); !w) {
                fatal = w.error();
                return;
            }
            listedIds.clear();
        }
    };

    // A page of a listing that came, or its failure: then the sync stops.
    auto pageArrived = [&](size_t i, const Result<std::vector<Run>> &runs, bool last) {
        if (!runs) {
            if (!fatal && !m_cancelled && runs.error().code != "cancelled")
                fatal = runs.error();
        } else if (!fatal && !m_cancelled) {
            takePage(*toList[i], *runs, last);
        }
        if (!last)
            return;
        ++listings;
        if (listings < toList.size())
            report(SyncProgress::Phase::Runs, static_cast<int64_t>(listings),
                   static_cast<int64_t>(toList.size()),
                   "Listing runs of " + toList[listings]->name);
    };
    // Lists one experiment page by page. Until a listing brings histories to fetch, first pages
    // are small, so that downloads start while the rest of the runs are listed.
    auto list = [&](size_t i, const std::function<void(Result<std::vector<Run>>, bool)> &post) {
        if (stopListing || m_cancelled) {
            post(cancelledError(), true);
            return;
        }
        auto r = m_client.forEachRunsPage({toList[i]->experimentId}, {}, ViewType::All,
                                          historiesQueued ? 1000 : 100, 1000,
                                          [&](std::vector<Run> runs, bool last) {
                                              post(std::move(runs), last);
                                          });
        if (!r)
            post(r.error(), true);
    };

    if (auto r = m_store.begin(); !r)
        return r.error();
    // With one request at a time allowed, experiments are listed before any history is asked
    // for; otherwise on a thread of their own while the histories of those listed download.
    if (options.maxInFlight <= 1) {
        for (size_t i = 0; i < toList.size(); ++i) {
            stopListing = stopListing || fatal.has_value();
            list(i, [&](Result<std::vector<Run>> runs, bool last) { pageArrived(i, runs, last); });
        }
    }
    // Declared after what it posts to, so it is joined before those go.
    std::jthread lister;
    if (listings < toList.size())
        lister = std::jthread([&] {
            for (size_t i = 0; i < toList.size(); ++i)
                list(i, [&](Result<std::vector<Run>> runs, bool last) {
                    Done d{i};
                    d.listing = std::move(runs);
                    d.lastPage = last;
                    std::lock_guard lock(mutex);
                    finished.push_back(std::move(d));
                    cv.notify_one();
                });
        });
    if (!fatal)
        launch();
    while (inFlight > 0 || listings < toList.size()) {
        std::unique_lock lock(mutex);
        cv.wait(lock, [&] { return !finished.empty(); });
        // Histories first while requests wait to be launched: writing a page of runs takes a
        // while, and no request is launched meanwhile. Pages keep their order among themselves.
        auto pick = finished.begin();
        if (next < tasks.size())
            pick = std::find_if(finished.begin(), finished.end(),
                                [](const Done &f) { return !f.listing; });
        if (pick == finished.end())
            pick = finished.begin();
        Done d = std::move(*pick);
        finished.erase(pick);
        lock.unlock();
        if (d.listing)
            pageArrived(d.task, *d.listing, d.lastPage);
        else
            handleHistory(d);
        if (sinceCommit >= options.commitEvery) {
            sinceCommit = 0;
            if (auto c = m_store.commit(); !c)
                fatal = c.error();
            else if (auto b = m_store.begin(); !b)
                fatal = b.error();
        }
        // While experiments are still being listed the number of histories is not known yet.
        const int64_t total = listings < toList.size() ? 0 : static_cast<int64_t>(jobs.size());
        if (completed / 16 != reported / 16 || (total && completed == total)) {
            reported = completed;
            report(SyncProgress::Phase::Histories, completed, total,
                   total ? std::string("Fetching metric histories")
                         : "Listing runs and fetching metric histories ("
                             + std::to_string(completed) + " fetched)");
        }
        if (fatal && !m_cancelled) {
            // Stop launching and listing; let the in-flight requests finish or cancel them.
            stopListing = true;
            m_client.http().cancelAll();
            next = tasks.size();
        }
        if (!fatal)
            launch();
    }
    if (auto c = m_store.commit(); !c)
        return c.error();
    if (m_cancelled)
        return cancelledError();
    if (fatal)
        return *fatal;
    return {};
}

Result<RefreshReport> SyncEngine::refreshRuns(const std::vector<std::string> &runIds,
                                              const SyncOptions &options)
{
    const uint64_t requestsBefore = m_client.requestCount();
    m_cancelled = false;
    (void)m_client.takeRetryAfterMs(); // only this refresh's refusals count
    RefreshReport rep;

    std::vector<std::string> ids;
    {
        std::set<std::string> seen;
        for (const auto &id : runIds)
            if (!id.empty() && seen.insert(id).second)
                ids.push_back(id);
    }
    if (ids.empty())
        return rep;
    // A caller that cancels around the start re-applies it from the progress callback.
    report(SyncProgress::Phase::Runs, 0, static_cast<int64_t>(ids.size()), "Refreshing runs");
    if (m_cancelled)
        return cancelledError();

    // Every run at once: the HTTP client keeps its own limit of transfers on the wire.
    std::mutex mutex;
    std::condition_variable cv;
    std::vector<std::optional<Result<Run>>> answers(ids.size());
    size_t answered = 0;
    for (size_t i = 0; i < ids.size(); ++i)
        m_client.getRunAsync(ids[i], [&, i](Result<Run> run) {
            std::lock_guard lock(mutex);
            answers[i] = std::move(run);
            ++answered;
            cv.notify_one();
        });
    {
        std::unique_lock lock(mutex);
        cv.wait(lock, [&] { return answered == ids.size(); });
    }
    if (m_cancelled)
        return cancelledError();

    std::vector<Run> runs;
    std::vector<std::string> gone;
    for (size_t i = 0; i < ids.size(); ++i) {
        Result<Run> &answer = *answers[i];
        if (answer) {
            if (answer->runId.empty()) // an answer without a run: the server does not know it
                gone.push_back(ids[i]);
            else
                runs.push_back(std::move(*answer));
            continue;
        }
        const Error &error = answer.error();
        if (error.code == "cancelled")
            return cancelledError();
        if (error.code == "not_found")
            gone.push_back(ids[i]);
        else if (error.httpStatus == 429 || error.httpStatus == 503)
            rep.throttled.push_back(ids[i]);
        else
            return error;
    }

    // What the cache knew, to tell what changed and which histories are still current.
    m_cached.clear();
    m_jobs.clear();
    for (const auto &r : runs) {
        if (auto before = m_store.run(r.runId)) {
            if (before->status != r.status)
                rep.statusChanged.push_back(r.runId);
            if (before->lifecycleStage != "deleted" && r.lifecycleStage == "deleted")
                rep.deleted.push_back(r.runId);
        } else if (r.lifecycleStage == "deleted") {
            rep.deleted.push_back(r.runId);
        }
        for (const auto &m : r.metrics)
            if (auto info = m_store.historyInfo(r.runId, m.key))
                m_cached.emplace(std::make_pair(r.runId, m.key), *info);
    }

    SyncReport sync;
    {
        Transaction tx(m_store);
        if (auto w = writeRuns(runs, sync); !w)
            return w.error();
        for (const auto &id : gone) {
            if (auto w = m_store.removeRun(id); !w)
                return w.error();
            rep.notFound.push_back(id);
        }
        if (auto c = tx.commit(); !c)
            return c.error();
    }
    std::vector<HistoryJob> jobs = std::move(m_jobs);
    m_jobs.clear();
    m_cached.clear();
    if (auto r = syncHistories(std::move(jobs), options, sync, &rep.changedHistories); !r)
        return r.error();
    std::sort(rep.changedHistories.begin(), rep.changedHistories.end());

    rep.runs = sync.runs;
    rep.historiesFetched = sync.historiesFetched;
    rep.historiesSkipped = sync.historiesSkipped;
    rep.points = sync.points;
    rep.warnings = std::move(sync.warnings);
    rep.requests = m_client.requestCount() - requestsBefore;
    rep.retryAfterMs = m_client.takeRetryAfterMs();
    return rep;
}

Result<void> SyncEngine::recordAliasMoves(const RegisteredModel &model,
                                          const std::map<std::string, std::string> &before,
                                          int64_t observedMs)
{
    std::map<std::string, std::string> now;
    for (const auto &a : model.aliases)
        now[a.alias] = a.version;
    auto record = [&](const std::string &alias, const std::string &version,
                      const std::string &previous) {
        AliasChange c;
        c.model = model.name;
        c.alias = alias;
        c.version = version;
        c.previous = previous;
        c.timeMs = observedMs;
        c.source = "sync";
        return m_store.recordAliasChange(c);
    };
    for (const auto &[alias, version] : now) {
        auto it = before.find(alias);
        const std::string previous = it == before.end() ? std::string() : it->second;
        if (previous != version)
            if (auto r = record(alias, version, previous); !r)
                return r;
    }
    for (const auto &[alias, version] : before)
        if (!now.count(alias))
            if (auto r = record(alias, std::string(), version); !r)
                return r;
    return {};
}

Result<void> SyncEngine::syncRegistry(SyncReport &rep)
{
    if (m_cancelled)
        return cancelledError();
    report(SyncProgress::Phase::Registry, 0, 1, "Reading the model registry");
    auto models = m_client.searchRegisteredModels();
    if (!models)
        return models.error();
    std::vector<std::pair<std::string, std::vector<ModelVersion>>> versions;
    for (const auto &m : *models) {
        if (m_cancelled)
            return cancelledError();
        auto v = m_client.modelVersionsOf(m.name);
        if (!v)
            return v.error();
        versions.emplace_back(m.name, std::move(*v));
    }
    // Aliases as the cache last saw them, to record the moves this sync observes.
    std::map<std::string, std::map<std::string, std::string>> seenAliases;
    for (const auto &m : m_store.registeredModels())
        for (const auto &a : m.aliases)
            seenAliases[m.name][a.alias] = a.version;
    const int64_t observedMs = std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count();
    Transaction tx(m_store);
    std::vector<std::string> names;
    for (size_t i = 0; i < models->size(); ++i) {
        const auto &m = (*models)[i];
        names.push_back(m.name);
        if (auto r = recordAliasMoves(m, seenAliases[m.name], observedMs); !r)
            return r.error();
        if (auto r = m_store.upsertRegisteredModel(m); !r)
            return r.error();
        std::vector<std::string> keep;
        for (auto v : versions[i].second) {
            // Aliases live on the model; copy them onto the versions they point at.
            v.aliases.clear();
            for (const auto &a : m.aliases)
                if (a.version == v.version)
                    v.aliases.push_back(a.alias);
            keep.push_back(v.version);
            if (auto r = m_store.upsertModelVersion(v); !r)
                return r.error();
        }
        if (auto r = m_store.removeModelVersionsNotIn(m.name, keep); !r)
            return r.error();
        rep.modelVersions += static_cast<int>(keep.size());
    }
    if (auto r = m_store.removeRegisteredModelsNotIn(names); !r)
        return r.error();
    if (auto c = tx.commit(); !c)
        return c.error();
    rep.registeredModels = static_cast<int>(names.size());
    report(SyncProgress::Phase::Registry, 1, 1, "Model registry read");
    return {};
}

} // namespace sightline
