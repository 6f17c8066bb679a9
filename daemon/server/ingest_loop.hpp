// The writing side of the daemon: one thread runs every ingest and every write to the store,
// in order. Other threads hand it work through thread-safe calls.
//
// At start() it catches up on everything that changed while the daemon was down, then follows
// changes: hook notifications, inotify (FileWatcher), or a poll every `poll_interval` where
// inotify is unavailable or exhausted. When the watch limit is reached, at start or later (a
// new directory), the daemon logs why once, releases its watches (they are the user's, shared
// with every other program) and polls from then on; watch_mode() says "poll",
// watch_problem() why, and watch_fallbacks() counts it.
//
// A failed ingest (a commit refused: disk full, database locked or read-only) is retried by
// itself with a backoff from k_ingest_retry_first up to k_ingest_retry_max: a full scan plus
// the transcripts of the failed attempts, read again from their last committed offsets, so
// nothing is lost or counted twice. The first failure of a streak is logged; later ones are only
// counted, and the recovery is logged with their number.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/error.hpp"
#include "common/status_payload.hpp"
#include "core/ingest_engine.hpp"
#include "core/usage_store.hpp"
#include "server/file_watcher.hpp"

namespace ccmeter {

// The first retry of a failed ingest waits 500 ms; each further failure doubles the wait, up to
// 30 s.
constexpr std::chrono::milliseconds k_ingest_retry_first{500};
constexpr std::chrono::milliseconds k_ingest_retry_max{30'000};
// OpenTelemetry batches waiting for the loop thread at most (each one export body, a few KiB):
// 1024, about 17 minutes of one client's exports, or a burst of many.
constexpr int64_t k_max_queued_client_events = 1024;
// And requests plus tool runs waiting at most, so that memory stays bounded whatever the bodies
// hold (each a few hundred bytes): 100,000, some tens of MB.
constexpr int64_t k_max_queued_client_records = 100'000;

// After an ingest that read at least this much (a backfill, a catch-up after downtime), the
// writer's page cache is emptied (UsageStore::release_cache_memory): 64 MiB, some 30,000
// lines; the few pages a new response touches fill it again. Smaller ingests keep it warm.
constexpr int64_t k_release_cache_after_bytes = 64 << 20;

// ingest_now remembers at most this many transcripts' sizes and sessions' figures (each map;
// one per Claude Code session, so some hundreds in practice) before starting over.
constexpr size_t k_max_ingest_now_entries = 10'000;

struct IngestLoopOptions {
    std::vector<std::filesystem::path> config_dirs;
    std::filesystem::path database;
    // How often to rescan everything when inotify cannot be used; also how often new config
    // roots are looked for. Default 2 s.
    std::chrono::milliseconds poll_interval{2000};
    bool use_inotify = true;  // false: always poll (CCMETER_POLL=1)
    std::function<void(const std::string&)> log;
};

class IngestLoop {
  public:
    static Result<std::unique_ptr<IngestLoop>> create(IngestLoopOptions options);
    ~IngestLoop();  // stops the thread

    // Starts the thread: a full catch-up scan first, then following changes.
    void start();
    void stop();

    // Queues these transcripts for ingestion as soon as possible. Thread-safe.
    void notify(std::vector<std::filesystem::path> files);

    // Ingests `transcript` now (after any earlier work), then records `status` if given.
    // Waits at most `deadline`; false when the work did not finish in time (it still runs).
    // Returns true at once, queuing nothing, when there is nothing to wait for: the transcript
    // has the size it had when ingest_now last read it (or is no regular file, as then), and
    // `status` carries the figures last recorded for its session. So many status lines at once
    // never queue behind the loop thread's ingest of other files (bench/statusline_load).
    // Thread-safe.
    bool ingest_now(const std::filesystem::path& transcript, std::optional<StatusPayload> status,
                    std::chrono::milliseconds deadline);

    // Queues what the client's OpenTelemetry export reported, stored on the loop thread after
    // any earlier work, everything queued meanwhile in one commit
    // (UsageStore::commit_client_events; a failure is logged). False, and nothing queued, when
    // k_max_queued_client_events batches or k_max_queued_client_records records already wait.
    // Thread-safe.
    bool record_client_events(ClientEvents events);

    // Adds a listener fired on the loop thread after each ingest that stored something new.
    // Call before start().
    void on_new_usage(std::function<void()> callback);

    bool caught_up() const { return m_caught_up; }
    int64_t last_ingest_ms() const { return m_last_ingest_ms; }
    // The latest ingest that read new bytes: its duration until committed, and its bytes.
    int64_t last_ingest_micros() const { return m_last_ingest_micros; }
    int64_t last_ingest_bytes() const { return m_last_ingest_bytes; }
    std::string watch_mode() const;
    // Why the daemon polls instead of using inotify ("" when it does not, or polls by choice).
    std::string watch_problem() const;
    // How many times inotify had to be given up (0 or 1 per run); inotify watches held now.
    int64_t watch_fallbacks() const { return m_watch_fallbacks; }
    int64_t watches() const { return m_watches; }
    // Ingests that failed since the last one that succeeded (0: all is well).
    int64_t failure_streak() const { return m_failure_streak; }

  private:
    IngestLoopOptions m_options;
    explicit IngestLoop(IngestLoopOptions options, std::unique_ptr<UsageStore> store);
    void run_full_scan();
    void drain_pending();
    void schedule_poll();
    // Gives up inotify (m_watcher->problem() says why) and polls; loop thread or before start.
    void fall_back_to_polling();
    // False when the ingest failed (a retry is then scheduled).
    bool ingest(const std::vector<std::filesystem::path>& files, bool full_scan);
    void schedule_retry();
    void retry();
    void log(const std::string& message) const;

    std::unique_ptr<UsageStore> m_store;
    IngestEngine m_engine;
    boost::asio::io_context m_io;
    boost::asio::steady_timer m_poll_timer;
    boost::asio::steady_timer m_retry_timer;
    // Loop thread only: what failed and waits for its retry.
    std::set<std::filesystem::path> m_retry_files;
    bool m_retry_scheduled = false;
    std::chrono::milliseconds m_retry_delay = k_ingest_retry_first;
    std::unique_ptr<FileWatcher> m_watcher;
    std::atomic<bool> m_inotify{false};
    std::atomic<int64_t> m_watches{0};
    std::atomic<int64_t> m_watch_fallbacks{0};
    mutable std::mutex m_watch_mutex;
    std::string m_watch_problem;  // guarded by m_watch_mutex
    std::mutex m_pending_mutex;
    std::set<std::filesystem::path> m_pending;
    bool m_drain_posted = false;
    std::vector<std::function<void()>> m_on_new_usage;
    // What ingest_now has seen, so that it waits only for news (guarded by m_now_mutex):
    // each transcript's size when last read (-1: no regular file), each session's figures last
    // recorded. Cleared past k_max_ingest_now_entries, a memory bound for any caller.
    std::mutex m_now_mutex;
    std::unordered_map<std::string, int64_t> m_read_sizes;
    std::unordered_map<std::string, StatusPayload> m_last_status;
    std::atomic<bool> m_caught_up{false};
    std::atomic<int64_t> m_last_ingest_ms{0};
    std::atomic<int64_t> m_last_ingest_micros{0};
    std::atomic<int64_t> m_last_ingest_bytes{0};
    std::atomic<int64_t> m_failure_streak{0};
    std::mutex m_client_mutex;
    std::vector<ClientEvents> m_client_pending;  // guarded by m_client_mutex
    bool m_client_drain_posted = false;          // guarded by m_client_mutex
    int64_t m_client_pending_records = 0;        // guarded by m_client_mutex
    std::thread m_thread;
};

}  // namespace ccmeter
