#include "server/ingest_loop.hpp"
#include "common/clock.hpp"

#include <iterator>

#include <boost/asio/post.hpp>
#include <future>

#include "common/config_dirs.hpp"

namespace ccmeter {

namespace fs = std::filesystem;

namespace {

// Whether two payloads carry the same figures worth keeping (so unchanged ones are not stored
// again on every refresh).
bool same_figures(const StatusPayload& a, const StatusPayload& b) {
    return a.model_id == b.model_id && a.client_cost_usd == b.client_cost_usd &&
           a.context_used_percentage == b.context_used_percentage &&
           a.context_window_size == b.context_window_size &&
           a.five_hour_used_percentage == b.five_hour_used_percentage &&
           a.five_hour_resets_at_ms == b.five_hour_resets_at_ms &&
           a.seven_day_used_percentage == b.seven_day_used_percentage &&
           a.seven_day_resets_at_ms == b.seven_day_resets_at_ms;
}

IngestOptions engine_options(const IngestLoopOptions& loop) {
    IngestOptions options;
    options.log = loop.log;
    return options;
}

}  // namespace

Result<std::unique_ptr<IngestLoop>> IngestLoop::create(IngestLoopOptions options) {
    Result<std::unique_ptr<UsageStore>> store = UsageStore::open(options.database);
    if (!store)
        return store.error();
    return std::unique_ptr<IngestLoop>(new IngestLoop(std::move(options), std::move(*store)));
}

IngestLoop::IngestLoop(IngestLoopOptions options, std::unique_ptr<UsageStore> store)
    : m_options(std::move(options)),
      m_store(std::move(store)),
      m_engine(*m_store, engine_options(m_options)),
      m_poll_timer(m_io),
      m_retry_timer(m_io) {}

IngestLoop::~IngestLoop() {
    stop();
}

void IngestLoop::log(const std::string& message) const {
    if (m_options.log)
        m_options.log(message);
}

std::string IngestLoop::watch_mode() const {
    return m_inotify ? "inotify" : "poll";
}

std::string IngestLoop::watch_problem() const {
    std::lock_guard lock(m_watch_mutex);
    return m_watch_problem;
}

void IngestLoop::on_new_usage(std::function<void()> callback) {
    m_on_new_usage.push_back(std::move(callback));
}

void IngestLoop::start() {
    if (m_options.use_inotify) {
        m_watcher = std::make_unique<FileWatcher>(
            m_io, m_options.config_dirs, [this](const fs::path& file) { notify({file}); },
            [this] {
                if (m_inotify && m_watcher->exhausted())
                    fall_back_to_polling();
                run_full_scan();
            });
        if (m_watcher->start()) {
            m_inotify = true;
            m_watches = static_cast<int64_t>(m_watcher->watch_count());
        } else {
            fall_back_to_polling();
        }
    }
    boost::asio::post(m_io, [this] {
        run_full_scan();
        m_caught_up = true;
        schedule_poll();
    });
    m_thread = std::thread([this] {
        auto guard = boost::asio::make_work_guard(m_io);
        m_io.run();
    });
}

void IngestLoop::stop() {
    if (!m_thread.joinable())
        return;
    m_io.stop();
    m_thread.join();
}

void IngestLoop::schedule_poll() {
    m_poll_timer.expires_after(m_options.poll_interval);
    m_poll_timer.async_wait([this](boost::system::error_code ec) {
        if (ec)
            return;
        if (m_inotify) {
            m_watcher->refresh_roots();
            m_watches = static_cast<int64_t>(m_watcher->watch_count());
            if (m_watcher->exhausted()) {
                fall_back_to_polling();
                run_full_scan();
            }
        } else {
            run_full_scan();
        }
        schedule_poll();
    });
}

void IngestLoop::fall_back_to_polling() {
    const std::string problem = m_watcher->problem();
    {
        std::lock_guard lock(m_watch_mutex);
        m_watch_problem = problem;
    }
    m_inotify = false;
    m_watches = 0;
    ++m_watch_fallbacks;
    log("inotify cannot be used: " + problem + "; polling every " +
        std::to_string(m_options.poll_interval.count()) +
        " ms instead (inotify is tried again when ccmeterd restarts)");
    // The watches are the user's, shared with every program: released rather than kept
    // half-used. In a task of its own, as this may run inside one of the watcher's callbacks.
    boost::asio::post(m_io, [this] { m_watcher.reset(); });
}

void IngestLoop::run_full_scan() {
    std::vector<fs::path> files;
    for (const fs::path& dir : m_options.config_dirs) {
        std::vector<fs::path> found = find_transcripts(dir);
        files.insert(files.end(), found.begin(), found.end());
    }
    ingest(files, true);
}

bool IngestLoop::ingest(const std::vector<fs::path>& files, bool full_scan) {
    const auto started = std::chrono::steady_clock::now();
    Result<IngestStats> stats = m_engine.ingest_files(files);
    if (!stats) {
        if (m_failure_streak++ == 0)
            log("ingest failed: " + stats.error().message + "; retrying from the last committed " +
                "offsets, every " + std::to_string(k_ingest_retry_first.count()) + " ms up to " +
                std::to_string(k_ingest_retry_max.count()) +
                " ms (further failures are only counted)");
        m_retry_files.insert(files.begin(), files.end());
        schedule_retry();
        return false;
    }
    // The streak ends when what failed is stored; until then the retry timer is pending.
    if (m_failure_streak > 0 && m_retry_files.empty()) {
        log("ingest recovered after " + std::to_string(m_failure_streak.load()) +
            " failed attempts");
        m_failure_streak = 0;
        m_retry_delay = k_ingest_retry_first;
    }
    m_last_ingest_ms = now_ms();
    if (stats->bytes_read >= k_release_cache_after_bytes)
        m_store->release_cache_memory();
    if (stats->bytes_read > 0) {
        m_last_ingest_micros = std::chrono::duration_cast<std::chrono::microseconds>(
                                   std::chrono::steady_clock::now() - started)
                                   .count();
        m_last_ingest_bytes = stats->bytes_read;
    }
    if (full_scan && stats->files_read > 0)
        log("caught up: " + std::to_string(stats->bytes_read) + " new bytes from " +
            std::to_string(stats->files_read) + " transcripts");
    // Responses, prompts (turns) and the client's process records all change answers: the
    // reports, the session's turns, the client check, learned prices, the activity.
    if (stats->usage_lines > 0 || stats->turn_starts > 0 || stats->cost_states > 0)
        for (const std::function<void()>& listener : m_on_new_usage)
            listener();
    return true;
}

void IngestLoop::schedule_retry() {
    if (m_retry_scheduled)
        return;
    m_retry_scheduled = true;
    m_retry_timer.expires_after(m_retry_delay);
    m_retry_delay = std::min(m_retry_delay * 2, k_ingest_retry_max);
    m_retry_timer.async_wait([this](boost::system::error_code ec) {
        m_retry_scheduled = false;
        if (!ec)
            retry();
    });
}

void IngestLoop::retry() {
    // Everything under the config dirs (what changed meanwhile) and what failed before.
    std::set<fs::path> files;
    files.swap(m_retry_files);
    for (const fs::path& dir : m_options.config_dirs)
        for (fs::path& found : find_transcripts(dir))
            files.insert(std::move(found));
    ingest(std::vector<fs::path>(files.begin(), files.end()), true);
}

void IngestLoop::notify(std::vector<fs::path> files) {
    {
        std::lock_guard lock(m_pending_mutex);
        for (fs::path& file : files)
            if (!file.empty())
                m_pending.insert(std::move(file));
        if (m_drain_posted || m_pending.empty())
            return;
        m_drain_posted = true;
    }
    boost::asio::post(m_io, [this] { drain_pending(); });
}

void IngestLoop::drain_pending() {
    std::vector<fs::path> files;
    {
        std::lock_guard lock(m_pending_mutex);
        files.assign(m_pending.begin(), m_pending.end());
        m_pending.clear();
        m_drain_posted = false;
    }
    ingest(files, false);
}

namespace {

// A transcript's size now, -1 when it is no regular file (missing, a FIFO, a directory).
int64_t regular_file_size(const fs::path& path) {
    std::error_code ec;
    if (!fs::is_regular_file(fs::symlink_status(path, ec)))
        return -1;
    const uintmax_t size = fs::file_size(path, ec);
    return ec ? -1 : static_cast<int64_t>(size);
}

}  // namespace

bool IngestLoop::ingest_now(const fs::path& transcript, std::optional<StatusPayload> status,
                            std::chrono::milliseconds deadline) {
    const int64_t size = transcript.empty() ? -1 : regular_file_size(transcript);
    bool read_transcript = false;
    bool record = false;
    {
        std::lock_guard lock(m_now_mutex);
        if (!transcript.empty()) {
            const auto known = m_read_sizes.find(transcript.string());
            read_transcript = known == m_read_sizes.end() || known->second != size;
        }
        if (status) {
            const auto last = m_last_status.find(status->session_id);
            record = last == m_last_status.end() || !same_figures(last->second, *status);
        }
    }
    if (!read_transcript && !record)
        return true;
    auto done = std::make_shared<std::promise<void>>();
    std::future<void> finished = done->get_future();
    boost::asio::post(
        m_io, [this, transcript, size, read_transcript, record, status = std::move(status), done] {
            // The size is the one seen before reading: bytes appended meanwhile are read by the
            // next status line, which sees a larger size.
            const bool ingested = read_transcript && ingest({transcript}, false);
            bool recorded = false;
            if (record) {
                // Another status line of the session may have recorded the same figures meanwhile.
                bool known = false;
                {
                    std::lock_guard lock(m_now_mutex);
                    const auto last = m_last_status.find(status->session_id);
                    known = last != m_last_status.end() && same_figures(last->second, *status);
                }
                if (!known) {
                    if (Result<void> stored = m_store->record_status(*status, now_ms()); stored)
                        recorded = true;
                    else
                        log(stored.error().message);
                }
            }
            {
                std::lock_guard lock(m_now_mutex);
                if (m_read_sizes.size() >= k_max_ingest_now_entries)
                    m_read_sizes.clear();
                if (m_last_status.size() >= k_max_ingest_now_entries)
                    m_last_status.clear();
                if (ingested)
                    m_read_sizes[transcript.string()] = size;
                if (recorded)
                    m_last_status[status->session_id] = *status;
            }
            done->set_value();
        });
    return finished.wait_for(deadline) == std::future_status::ready;
}

bool IngestLoop::record_client_events(ClientEvents events) {
    {
        std::lock_guard lock(m_client_mutex);
        const int64_t records =
            static_cast<int64_t>(events.requests.size() + events.tool_runs.size());
        if (static_cast<int64_t>(m_client_pending.size()) >= k_max_queued_client_events ||
            m_client_pending_records + records > k_max_queued_client_records)
            return false;
        m_client_pending_records += records;
        m_client_pending.push_back(std::move(events));
        if (m_client_drain_posted)
            return true;
        m_client_drain_posted = true;
    }
    // One task stores everything queued by the time it runs, in one transaction: a burst of
    // exports costs one commit, and a status line waits behind at most one such task.
    boost::asio::post(m_io, [this] {
        std::vector<ClientEvents> pending;
        {
            std::lock_guard lock(m_client_mutex);
            pending.swap(m_client_pending);
            m_client_pending_records = 0;
            m_client_drain_posted = false;
        }
        ClientEvents all;
        for (ClientEvents& batch : pending) {
            std::move(batch.requests.begin(), batch.requests.end(),
                      std::back_inserter(all.requests));
            std::move(batch.tool_runs.begin(), batch.tool_runs.end(),
                      std::back_inserter(all.tool_runs));
        }
        if (Result<void> stored = m_store->commit_client_events(all, now_ms()); !stored) {
            log("OpenTelemetry events not stored: " + stored.error().message);
            return;
        }
        if (!all.requests.empty())
            for (const std::function<void()>& listener : m_on_new_usage)
                listener();
    });
    return true;
}

}  // namespace ccmeter
