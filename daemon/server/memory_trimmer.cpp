#include "server/memory_trimmer.hpp"

#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>

namespace ccmeter {

int64_t resident_bytes() {
    std::ifstream statm("/proc/self/statm");
    int64_t size_pages = 0;
    int64_t resident_pages = 0;
    if (!(statm >> size_pages >> resident_pages))
        return 0;
    return resident_pages * static_cast<int64_t>(::sysconf(_SC_PAGESIZE));
}

MemoryTrimmer::MemoryTrimmer(MemoryTrimmerOptions options) : m_options(options) {}

MemoryTrimmer::~MemoryTrimmer() {
    stop();
}

void MemoryTrimmer::start() {
    if (m_thread.joinable())
        return;
    {
        std::lock_guard lock(m_mutex);
        m_stopping = false;
    }
    m_thread = std::thread([this] { run(); });
}

void MemoryTrimmer::stop() {
    if (!m_thread.joinable())
        return;
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_changed.notify_all();
    m_thread.join();
}

void MemoryTrimmer::note_activity() {
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(m_mutex);
    m_last_note = now;
    if (!m_pending) {
        m_pending = true;
        m_first_note = now;
        m_changed.notify_all();
    }
}

int64_t MemoryTrimmer::trims() const {
    std::lock_guard lock(m_mutex);
    return m_trims;
}

int64_t MemoryTrimmer::released_bytes() const {
    std::lock_guard lock(m_mutex);
    return m_released;
}

void MemoryTrimmer::run() {
    std::unique_lock lock(m_mutex);
    while (true) {
        m_changed.wait(lock, [this] { return m_stopping || m_pending; });
        // Quiet since the last note, or waited long enough since the first.
        while (!m_stopping) {
            const auto due =
                std::min(m_last_note + m_options.quiet, m_first_note + m_options.max_wait);
            if (std::chrono::steady_clock::now() >= due)
                break;
            m_changed.wait_until(lock, due);
        }
        if (m_stopping)
            return;
        m_pending = false;
        lock.unlock();
        const int64_t before = resident_bytes();
        ::malloc_trim(0);
        const int64_t released = std::max<int64_t>(0, before - resident_bytes());
        lock.lock();
        ++m_trims;
        m_released += released;
        // What was freed after this trim (an answer still being sent) goes in one more round.
        if (released >= k_retrim_bytes && !m_pending) {
            m_pending = true;
            m_first_note = m_last_note = std::chrono::steady_clock::now();
        }
    }
}

}  // namespace ccmeter
