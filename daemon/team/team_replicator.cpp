#include "team/team_replicator.hpp"

#include <algorithm>
#include <chrono>
#include <optional>

#include "common/clock.hpp"
#include "team/team_store.hpp"

namespace ccmeter {

TeamReplicator::TeamReplicator(TeamReplicatorOptions options)
    : m_options(std::move(options)), m_started_ms(now_ms()), m_last_caught_up_ms(m_started_ms) {
    m_status.configured = true;
    m_status.machine = m_options.config.machine;
}

TeamReplicator::~TeamReplicator() {
    stop();
}

void TeamReplicator::start() {
    if (m_thread.joinable())
        return;
    m_thread = std::thread([this] { run(); });
}

void TeamReplicator::stop() {
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    if (m_thread.joinable())
        m_thread.join();
}

void TeamReplicator::notify() {
    {
        std::lock_guard lock(m_mutex);
        m_notified = true;
    }
    m_wake.notify_all();
}

ReplicationStatus TeamReplicator::status() const {
    std::lock_guard lock(m_mutex);
    ReplicationStatus status = m_status;
    status.lag_ms = status.caught_up ? 0 : std::max<int64_t>(0, now_ms() - m_last_caught_up_ms);
    return status;
}

void TeamReplicator::failed(const Error& error) {
    m_remote.reset();  // reconnect next time
    // What waits meanwhile, from the local feed (the store is not needed to count it).
    std::optional<int64_t> pending;
    if (m_local && !m_consumer.empty()) {
        if (Result<ChangeCursor> cursor = m_local->change_cursor(m_consumer)) {
            if (Result<int64_t> count = m_local->changes_after(*cursor))
                pending = *count;
        }
    }
    std::lock_guard lock(m_mutex);
    if (pending)
        m_status.pending = *pending;
    m_status.caught_up = false;
    ++m_status.failures;
    if (m_status.last_error != error.message && m_options.log)
        m_options.log("team replication: " + error.message);
    m_status.last_error = error.message;
}

Result<bool> TeamReplicator::step() {
    if (!m_local) {
        CCMETER_TRY_ASSIGN(std::unique_ptr<UsageStore> local, UsageStore::open(m_options.database));
        CCMETER_TRY(local->enable_change_feed());
        m_local = std::move(local);
    }
    if (!m_remote) {
        CCMETER_TRY_ASSIGN(std::unique_ptr<TeamStore> remote,
                           TeamStore::connect(m_options.config.dsn));
        CCMETER_TRY_ASSIGN(const std::string id, remote->store_id());
        // Per store and role: another member replicating this history has a cursor of its own.
        m_consumer = "team:" + id + ":" + remote->role();
        m_remote = std::move(remote);
        if (m_options.log)
            m_options.log("team replication to store " + id + " as " + m_remote->role() +
                          " from machine " + m_options.config.machine);
    }
    CCMETER_TRY_ASSIGN(const ChangeCursor cursor, m_local->change_cursor(m_consumer));
    CCMETER_TRY_ASSIGN(const std::vector<ChangedResponse> changed,
                       m_local->changed_responses(cursor, m_options.config.batch_rows));
    int64_t pending = 0;
    if (!changed.empty()) {
        std::vector<UsageRecord> records;
        records.reserve(changed.size());
        for (const ChangedResponse& row : changed)
            records.push_back(row.record);
        CCMETER_TRY(m_remote->merge_responses(records, m_options.config.machine));
        // PostgreSQL committed: only now may the cursor pass these rows.
        CCMETER_TRY(m_local->set_change_cursor(m_consumer, changed.back().position));
        CCMETER_TRY_ASSIGN(pending, m_local->changes_after(changed.back().position));
    }
    std::lock_guard lock(m_mutex);
    const int64_t now = now_ms();
    m_status.replicated += static_cast<int64_t>(changed.size());
    m_status.pending = pending;
    m_status.caught_up = pending == 0;
    m_status.last_success_ms = now;
    m_status.last_error.clear();
    if (pending == 0)
        m_last_caught_up_ms = now;
    return pending > 0;
}

Result<int64_t> TeamReplicator::replicate_until_caught_up() {
    const int64_t before = status().replicated;
    for (;;) {
        Result<bool> more = step();
        if (!more) {
            failed(more.error());
            return more.error();
        }
        if (!*more)
            break;
    }
    return status().replicated - before;
}

void TeamReplicator::run() {
    int64_t backoff_ms = 1000;
    for (;;) {
        {
            std::lock_guard lock(m_mutex);
            if (m_stopping)
                break;
            m_notified = false;
        }
        Result<bool> more = step();
        std::chrono::milliseconds wait{0};
        if (!more) {
            failed(more.error());
            wait = std::chrono::milliseconds(backoff_ms);
            backoff_ms = std::min(backoff_ms * 2, k_max_replication_backoff_ms);
        } else {
            backoff_ms = 1000;
            if (*more)
                continue;
            wait = std::chrono::seconds(m_options.config.interval_seconds);
        }
        std::unique_lock lock(m_mutex);
        // After a failure only stop() cuts the backoff short; when caught up new usage does.
        const bool ok = more.has_value();
        m_wake.wait_for(lock, wait, [&] { return m_stopping || (ok && m_notified); });
    }
    m_remote.reset();
    m_local.reset();
}

}  // namespace ccmeter
