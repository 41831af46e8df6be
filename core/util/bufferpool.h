// SPDX-License-Identifier: GPL-3.0-or-later
// Buffers kept for reuse. A sync receives a gigabyte of metric histories in answers of a few
// megabytes each; freeing each answer once it is read hands its pages back to the system, and
// the next answer faults fresh ones in 4 KB at a time (a third of the transfer thread's time).
// Handed back here instead, a buffer keeps its pages for the next answer.
#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <vector>

namespace sightline {

class BufferPool {
public:
    explicit BufferPool(size_t maxBuffers = 16, size_t maxCapacity = size_t(64) << 20)
        : m_maxBuffers(maxBuffers), m_maxCapacity(maxCapacity)
    {
    }
    BufferPool(const BufferPool &) = delete;
    BufferPool &operator=(const BufferPool &) = delete;

    // An empty string, with the capacity of one handed back when there is one. Any thread.
    std::string take()
    {
        std::lock_guard lock(m_mutex);
        if (m_spare.empty())
            return {};
        std::string out = std::move(m_spare.back());
        m_spare.pop_back();
        return out;
    }

    // Keeps `buffer` for a later take() unless the pool is full or it is too large to hold on
    // to. Any thread.
    void give(std::string buffer)
    {
        if (buffer.capacity() < kWorthKeeping || buffer.capacity() > m_maxCapacity)
            return;
        buffer.clear();
        std::lock_guard lock(m_mutex);
        if (m_spare.size() < m_maxBuffers)
            m_spare.push_back(std::move(buffer));
    }

    size_t size() const
    {
        std::lock_guard lock(m_mutex);
        return m_spare.size();
    }

private:
    // Smaller buffers come from the allocator's free lists anyway.
    static constexpr size_t kWorthKeeping = 64 * 1024;

    const size_t m_maxBuffers;
    const size_t m_maxCapacity;
    mutable std::mutex m_mutex;
    std::vector<std::string> m_spare;
};

} // namespace sightline
