#include "server/watch_hub.hpp"

#include "common/clock.hpp"

namespace ccmeter {

bool WatchSubscription::offer(const WatchEvent& event) {
    {
        std::lock_guard lock(m_mutex);
        if (m_closed)
            return true;
        if (m_queue.size() >= m_capacity) {
            ++m_dropped;
            return false;
        }
        m_queue.push_back(event);
    }
    m_ready.notify_one();
    return true;
}

std::vector<WatchEvent> WatchSubscription::take(std::chrono::milliseconds timeout) {
    std::unique_lock lock(m_mutex);
    m_ready.wait_for(lock, timeout,
                     [this] { return m_closed || !m_queue.empty() || m_dropped > 0; });
    std::vector<WatchEvent> events;
    if (m_closed)
        return events;
    if (m_dropped > 0) {
        WatchEvent marker;
        marker.kind = WatchEvent::Kind::dropped;
        marker.time_ms = now_ms();
        marker.dropped = m_dropped;
        m_dropped = 0;
        events.push_back(std::move(marker));
    }
    events.reserve(events.size() + m_queue.size());
    for (WatchEvent& event : m_queue)
        events.push_back(std::move(event));
    m_queue.clear();
    return events;
}

bool WatchSubscription::closed() const {
    std::lock_guard lock(m_mutex);
    return m_closed;
}

void WatchSubscription::close() {
    {
        std::lock_guard lock(m_mutex);
        m_closed = true;
        m_queue.clear();
    }
    m_ready.notify_all();
}

std::vector<std::shared_ptr<WatchSubscription>> WatchHub::live_locked() const {
    std::vector<std::shared_ptr<WatchSubscription>> live;
    std::vector<std::weak_ptr<WatchSubscription>> kept;
    for (const std::weak_ptr<WatchSubscription>& weak : m_subscriptions)
        if (std::shared_ptr<WatchSubscription> subscription = weak.lock()) {
            live.push_back(subscription);
            kept.push_back(weak);
        }
    m_subscriptions.swap(kept);
    return live;
}

std::shared_ptr<WatchSubscription> WatchHub::subscribe() {
    std::lock_guard lock(m_mutex);
    if (m_closed || live_locked().size() >= m_options.max_subscribers)
        return nullptr;
    std::shared_ptr<WatchSubscription> subscription(new WatchSubscription(m_options.queue_events));
    m_subscriptions.push_back(subscription);
    return subscription;
}

void WatchHub::publish(const std::vector<WatchEvent>& events) {
    if (events.empty())
        return;
    std::vector<std::shared_ptr<WatchSubscription>> live;
    {
        std::lock_guard lock(m_mutex);
        live = live_locked();
    }
    for (const std::shared_ptr<WatchSubscription>& subscription : live)
        for (const WatchEvent& event : events) {
            if (subscription->offer(event))
                ++m_published;
            else
                ++m_dropped;
        }
}

void WatchHub::close() {
    std::vector<std::shared_ptr<WatchSubscription>> live;
    {
        std::lock_guard lock(m_mutex);
        m_closed = true;
        live = live_locked();
    }
    for (const std::shared_ptr<WatchSubscription>& subscription : live)
        subscription->close();
}

bool WatchHub::closed() const {
    std::lock_guard lock(m_mutex);
    return m_closed;
}

size_t WatchHub::subscribers() const {
    std::lock_guard lock(m_mutex);
    return live_locked().size();
}

}  // namespace ccmeter
