#include "core/batch_writer.hpp"

namespace ccmeter {

BatchWriter::BatchWriter(UsageStore& store) : m_store(store), m_thread([this] { run(); }) {}

BatchWriter::~BatchWriter() {
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_changed.notify_all();
    m_thread.join();
}

Result<void> BatchWriter::submit(IngestBatch&& batch) {
    std::unique_lock lock(m_mutex);
    m_changed.wait(lock, [this] { return !m_waiting || m_error; });
    if (m_error)
        return *m_error;
    m_waiting.emplace(std::move(batch));
    std::optional<IngestBatch> spent = std::move(m_spent);
    m_spent.reset();
    lock.unlock();
    m_changed.notify_all();
    return {};  // `spent` is freed here, on the thread that allocated its rows
}

Result<void> BatchWriter::finish() {
    std::unique_lock lock(m_mutex);
    m_changed.wait(lock, [this] { return (!m_waiting && !m_writing) || m_error; });
    if (m_error)
        return *m_error;
    return {};
}

int64_t BatchWriter::commits() const {
    std::lock_guard lock(m_mutex);
    return m_commits;
}

void BatchWriter::run() {
    std::unique_lock lock(m_mutex);
    for (;;) {
        m_changed.wait(lock, [this] { return m_waiting || m_stopping; });
        if (!m_waiting)
            return;  // stopping with nothing left
        IngestBatch batch = std::move(*m_waiting);
        m_waiting.reset();
        m_writing = true;
        lock.unlock();
        m_changed.notify_all();
        const bool failed_before = m_error.has_value();  // only this thread sets m_error
        Result<void> committed = failed_before ? Result<void>() : m_store.commit(batch);
        lock.lock();
        // Freed by the next submit() (or by the destructor): freeing the rows of a batch costs
        // as much as a good part of its commit, and is cheaper on the thread that made them.
        m_spent.emplace(std::move(batch));
        m_writing = false;
        if (!committed)
            m_error = committed.error();
        if (committed && !failed_before)
            ++m_commits;
        m_changed.notify_all();
    }
}

}  // namespace ccmeter
