// Commits ingest batches to a UsageStore on a thread of its own, in the order they were
// submitted, so that reading and parsing overlap with SQLite.
//
// While a BatchWriter exists, only its thread touches the store. At most one batch waits while
// another is being written, which bounds memory; submit() blocks until there is room. A
// committed batch is freed by the next submit(), on the caller's thread, so the writer's thread
// spends its time in SQLite.
#pragma once

#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "common/error.hpp"
#include "core/usage_store.hpp"

namespace ccmeter {

class BatchWriter {
  public:
    explicit BatchWriter(UsageStore& store);
    ~BatchWriter();  // waits for the pending batches
    BatchWriter(const BatchWriter&) = delete;
    BatchWriter& operator=(const BatchWriter&) = delete;

    // Queues `batch` for commit. Returns the first commit error so far (then nothing more is
    // written, so no file offset ever passes rows that were not stored).
    Result<void> submit(IngestBatch&& batch);

    // Waits until every submitted batch is committed; returns the first error, if any.
    Result<void> finish();

    int64_t commits() const;

  private:
    void run();

    UsageStore& m_store;
    mutable std::mutex m_mutex;
    std::condition_variable m_changed;
    std::optional<IngestBatch> m_waiting;
    std::optional<IngestBatch> m_spent;  // committed, to be freed by the submitting thread
    bool m_writing = false;
    bool m_stopping = false;
    std::optional<Error> m_error;
    int64_t m_commits = 0;
    std::thread m_thread;  // last: starts after the members above exist
};

}  // namespace ccmeter
