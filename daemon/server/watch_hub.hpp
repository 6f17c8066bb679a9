// What `hookctl watch` and `hookctl top` follow: the daemon publishes an event per newly stored
// response and a "totals changed" tick after each committed batch (server/watch_feed), and the
// hub hands a copy of each to every subscriber (one per open Watch call). No gRPC here.
//
// Contract:
// - publish() never blocks on a subscriber: each has a queue of at most
//   WatchHubOptions::queue_events events. When it is full, further events are counted instead
//   of queued, and the subscriber's next take() starts with one `dropped` event saying how
//   many it missed (then the newer ones), so ingest never waits for a slow reader and memory
//   stays bounded (16 subscribers x 4096 events of a few hundred bytes: some tens of MB at
//   worst).
// - At most WatchHubOptions::max_subscribers subscriptions live at once; subscribe() returns
//   nullptr beyond that.
// - A subscription ends when its last shared_ptr goes; close() ends them all (take() returns
//   at once, empty, and closed() is true).
// Threads: every member of both classes is safe to call from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

#include "core/usage_queries.hpp"
#include "core/usage_report.hpp"

namespace ccmeter {

struct WatchEvent {
    enum class Kind {
        response,        // `response` was stored; `session_total` is its session's new total
        totals_changed,  // a batch was committed (reports changed), after its responses
        dropped,         // the subscriber's queue was full: `dropped` events were left out
    };
    Kind kind = Kind::totals_changed;
    int64_t time_ms = 0;  // when the daemon published it
    PricedResponse response;
    UsageTotals session_total;
    int64_t dropped = 0;
};

struct WatchHubOptions {
    // Events queued per subscriber at most. Default 4096: a few seconds of a backfill, far
    // more than live use produces between two reads.
    size_t queue_events = 4096;
    // Subscribers (open Watch calls) at most. Default 16: each holds a gRPC thread.
    size_t max_subscribers = 16;
};

class WatchHub;

class WatchSubscription {
  public:
    // Waits up to `timeout` for events and returns every queued one (a `dropped` marker first
    // when some were left out); empty on timeout or once closed.
    std::vector<WatchEvent> take(std::chrono::milliseconds timeout);
    bool closed() const;

  private:
    friend class WatchHub;
    explicit WatchSubscription(size_t capacity) : m_capacity(capacity) {}
    // False when the event did not fit (counted as dropped).
    bool offer(const WatchEvent& event);
    void close();

    const size_t m_capacity;
    mutable std::mutex m_mutex;
    std::condition_variable m_ready;
    std::deque<WatchEvent> m_queue;  // guarded by m_mutex
    int64_t m_dropped = 0;           // guarded by m_mutex; not yet reported
    bool m_closed = false;           // guarded by m_mutex
};

class WatchHub {
  public:
    explicit WatchHub(WatchHubOptions options = {}) : m_options(options) {}

    // A new subscription, or nullptr when max_subscribers are live (or the hub is closed).
    std::shared_ptr<WatchSubscription> subscribe();
    // Hands each event to every live subscriber, in order.
    void publish(const std::vector<WatchEvent>& events);
    // Ends every subscription; later subscribe() calls get nullptr.
    void close();

    bool closed() const;
    size_t subscribers() const;  // live ones
    bool has_subscribers() const { return subscribers() > 0; }
    // Events handed to subscribers, and events left out of full queues, since the start.
    int64_t events_published() const { return m_published; }
    int64_t events_dropped() const { return m_dropped; }
    const WatchHubOptions& options() const { return m_options; }

  private:
    // The live subscriptions, the expired ones dropped; m_mutex held.
    std::vector<std::shared_ptr<WatchSubscription>> live_locked() const;

    const WatchHubOptions m_options;
    mutable std::mutex m_mutex;
    mutable std::vector<std::weak_ptr<WatchSubscription>> m_subscriptions;  // guarded by m_mutex
    bool m_closed = false;                                                  // guarded by m_mutex
    std::atomic<int64_t> m_published{0};
    std::atomic<int64_t> m_dropped{0};
};

}  // namespace ccmeter
