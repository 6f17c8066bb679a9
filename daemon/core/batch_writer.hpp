// Commits ingest batches to a UsageStore on a thread of its own, in the order they were
// submitted, so that reading and parsing overlap with SQLite.
//
// While a BatchWriter exists, only its thread touches the store. At most one batch waits while
// another is being written, which bounds memory; submit() blocks until there is room. A
// committed batch is freed by the next submit(), on the caller's thread, so the writer's thread
// spends its time in SQLite.
//
// Group commit: consecutive batches share one transaction (UsageStore::write_batch), up to
// k_batches_per_commit of them; the group is committed when it is full, when finish() is
// called, or when the writer is destroyed. Each commit rewrites every page its rows touched
// (the random keys of responses and tool calls touch most of their tables), so a backfill of
// many batches writes a fraction of the bytes. A single batch (a hook's new lines) is committed
// by the finish() that follows it, as before. finish() also ends the store's bulk load
// (UsageStore::end_bulk_load: the indexes a first backfill builds after its rows).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <optional>
#include <thread>

#include "common/error.hpp"
#include "core/usage_store.hpp"

namespace ccmeter {

// The most batches one transaction holds: 32 (with IngestOptions::batch_lines 5,000, about
// 160,000 lines, a second or less of a backfill). More batches per commit write fewer bytes;
// fewer keep what a crash makes the next run read again, and how long other connections wait
// for the rows, small.
constexpr size_t k_batches_per_commit = 32;

class BatchWriter {
  public:
    explicit BatchWriter(UsageStore& store, size_t batches_per_commit = k_batches_per_commit);
    ~BatchWriter();  // writes and commits the pending batches
    BatchWriter(const BatchWriter&) = delete;
    BatchWriter& operator=(const BatchWriter&) = delete;

    // Queues `batch` for commit. Returns the first commit error so far (then nothing more is
    // written, so no file offset ever passes rows that were not stored).
    Result<void> submit(IngestBatch&& batch);

    // Waits until every submitted batch is committed; returns the first error, if any.
    Result<void> finish();

    // Transactions committed so far.
    int64_t commits() const;

  private:
    void run();

    UsageStore& m_store;
    const size_t m_batches_per_commit;
    mutable std::mutex m_mutex;
    std::condition_variable m_changed;
    std::optional<IngestBatch> m_waiting;
    std::optional<IngestBatch> m_spent;  // committed, to be freed by the submitting thread
    bool m_writing = false;
    size_t m_uncommitted = 0;   // batches written in the open transaction
    bool m_unfinished = false;  // batches written since the last end_bulk_load()
    size_t m_finishing = 0;     // finish() calls waiting
    bool m_stopping = false;
    std::optional<Error> m_error;
    int64_t m_commits = 0;
    std::thread m_thread;  // last: starts after the members above exist
};

}  // namespace ccmeter
