#include "web/event_hub.hpp"

#include <algorithm>

namespace ccmeter {

void EventHub::subscribe(const std::shared_ptr<EventSubscriber>& subscriber) {
    m_subscribers.push_back(subscriber);
}

void EventHub::broadcast(const std::string& message) {
    // Copies first: a send may close a subscriber and so change the list.
    std::vector<std::shared_ptr<EventSubscriber>> live;
    for (const std::weak_ptr<EventSubscriber>& weak : m_subscribers)
        if (std::shared_ptr<EventSubscriber> subscriber = weak.lock())
            live.push_back(subscriber);
    for (const std::shared_ptr<EventSubscriber>& subscriber : live)
        subscriber->send_event(message);
    subscribers();
}

size_t EventHub::subscribers() {
    m_subscribers.erase(
        std::remove_if(m_subscribers.begin(), m_subscribers.end(),
                       [](const std::weak_ptr<EventSubscriber>& weak) { return weak.expired(); }),
        m_subscribers.end());
    return m_subscribers.size();
}

}  // namespace ccmeter
