// Copies the local history's responses to the team store (team_store.hpp), on its own thread.
//
// Reads the history's change feed (UsageStore::changed_responses) after this store's cursor
// (consumer "team:<store_id>:<role>" in the local database), sends up to `batch_rows` responses in
// one PostgreSQL transaction, and only after PostgreSQL committed moves the cursor past them. A
// crash or SIGKILL between the two sends those rows again, which the store's merge (each field
// its maximum) absorbs: an outage, a crash or a restart loses and doubles nothing.
// Ingest never waits for it: it has its own SQLite connection (WAL) and its own PostgreSQL
// connection. On failure it retries after 1 s, doubling up to k_max_replication_backoff_ms;
// when caught up it looks again every `interval_seconds` or at once when notify() is called.
//
// Threads: start/stop/notify/status from any thread; the work runs on the replicator's thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/error.hpp"
#include "core/usage_store.hpp"
#include "team/replication_status.hpp"
#include "team/team_config.hpp"

namespace ccmeter {

class TeamStore;

// The longest wait between two failed attempts. Default 60 s.
constexpr int64_t k_max_replication_backoff_ms = 60'000;

struct TeamReplicatorOptions {
    TeamConfig config;
    std::filesystem::path database;  // the local history (created and migrated already)
    std::function<void(const std::string&)> log;  // may be empty
};

class TeamReplicator {
  public:
    explicit TeamReplicator(TeamReplicatorOptions options);
    ~TeamReplicator();  // stops
    TeamReplicator(const TeamReplicator&) = delete;
    TeamReplicator& operator=(const TeamReplicator&) = delete;

    void start();
    void stop();
    // New usage was committed locally: look now rather than at the next interval.
    void notify();
    ReplicationStatus status() const;

    // On the calling thread (the replicator not started): sends batches until the store holds
    // everything the feed holds now; returns how many responses were sent.
    Result<int64_t> replicate_until_caught_up();

  private:
    void run();
    // One batch: true when more may be waiting.
    Result<bool> step();
    void failed(const Error& error);

    TeamReplicatorOptions m_options;
    std::unique_ptr<UsageStore> m_local;
    std::unique_ptr<TeamStore> m_remote;
    std::string m_consumer;  // "team:<store_id>:<role>"
    int64_t m_started_ms;

    mutable std::mutex m_mutex;  // guards everything below
    std::condition_variable m_wake;
    bool m_stopping = false;
    bool m_notified = false;
    ReplicationStatus m_status;
    int64_t m_last_caught_up_ms;
    std::thread m_thread;
};

}  // namespace ccmeter
