// SPDX-License-Identifier: GPL-3.0-or-later
#include "compare/seriesloader.h"

#include "store/store.h"

#include <algorithm>
#include <thread>

namespace sightline {

Result<std::vector<LoadedSeries>> loadSeries(const std::string &workspacePath,
                                             const std::vector<std::string> &runIds,
                                             const std::string &key, int threads,
                                             const std::atomic<bool> *cancel)
{
    std::vector<LoadedSeries> out(runIds.size());
    threads = std::max(1, std::min<int>(threads, static_cast<int>(runIds.size())));
    std::vector<Error> openErrors(static_cast<size_t>(threads));
    std::vector<bool> opened(static_cast<size_t>(threads), false);
    std::atomic<size_t> next{0};
    auto work = [&](int t) {
        auto store = Store::open(workspacePath, Store::Mode::ReadOnly);
        if (!store) {
            openErrors[static_cast<size_t>(t)] = store.error();
            return;
        }
        opened[static_cast<size_t>(t)] = true;
        // Runs are taken one at a time, so a thread that draws long histories does not hold
        // up the other.
        for (size_t i = next++; i < runIds.size(); i = next++) {
            if (cancel && cancel->load())
                return;
            out[i].runId = runIds[i];
            auto reader = (*store)->openHistory(runIds[i], key);
            if (!reader) {
                if (reader.error().code != "not_found")
                    out[i].error = reader.error().message;
                continue;
            }
            auto lod = SeriesLod::load(**reader);
            if (!lod) {
                out[i].error = lod.error().message;
                continue;
            }
            out[i].series = std::make_shared<const SeriesLod>(std::move(*lod));
        }
    };
    std::vector<std::thread> pool;
    for (int t = 1; t < threads; ++t)
        pool.emplace_back(work, t);
    work(0);
    for (auto &th : pool)
        th.join();
    if (cancel && cancel->load())
        return makeError("cancelled", "Loading was cancelled.");
    if (!opened[0] && std::none_of(opened.begin(), opened.end(), [](bool b) { return b; }))
        return openErrors[0];
    for (size_t i = 0; i < out.size(); ++i)
        out[i].runId = runIds[i];
    return out;
}

} // namespace sightline
