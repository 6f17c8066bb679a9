#include "core/batch_writer.hpp"

#include <algorithm>

namespace ccmeter {

BatchWriter::BatchWriter(UsageStore& store, size_t batches_per_commit)
    : m_store(store),
      m_batches_per_commit(std::max<size_t>(batches_per_commit, 1)),
      m_thread([this] { run(); }) {}

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
    ++m_finishing;
    m_changed.notify_all();
    m_changed.wait(lock, [this] { return (!m_waiting && !m_writing && !m_unfinished) || m_error; });
    --m_finishing;
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
        m_changed.wait(
            lock, [this] { return m_waiting || m_stopping || (m_finishing > 0 && m_unfinished); });
        std::optional<IngestBatch> batch;
        if (m_waiting) {
            batch.emplace(std::move(*m_waiting));
            m_waiting.reset();
        } else if (!m_unfinished) {
            return;  // stopping with nothing left
        }
        // A batch is written into the open group, committed with it when the group is full;
        // without one (finish(), the destructor: after the last submit()) the group is
        // committed and the bulk load ended.
        const bool full = batch && m_uncommitted + 1 >= m_batches_per_commit;
        m_writing = true;
        lock.unlock();
        m_changed.notify_all();
        const bool failed_before = m_error.has_value();  // only this thread sets m_error
        Result<void> done;
        if (!failed_before) {
            if (batch)
                done = m_store.write_batch(*batch);
            if (done && full)
                done = m_store.commit_batches();
            else if (done && !batch)
                done = m_store.end_bulk_load();
        }
        lock.lock();
        // Freed by the next submit() (or by the destructor): freeing the rows of a batch costs
        // as much as a good part of its commit, and is cheaper on the thread that made them.
        if (batch)
            m_spent.emplace(std::move(*batch));
        m_writing = false;
        if (!done)
            m_error = done.error();
        if (!done || failed_before) {
            m_uncommitted = 0;  // rolled back
            m_unfinished = false;
        } else if (batch && !full) {
            ++m_uncommitted;
            m_unfinished = true;
        } else {
            if (m_uncommitted > 0 || full)
                ++m_commits;
            m_uncommitted = 0;
            m_unfinished = batch.has_value();  // a full group still leaves the bulk load open
        }
        m_changed.notify_all();
    }
}

}  // namespace ccmeter
