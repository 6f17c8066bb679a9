// The open Server-Sent Events streams of the web view, and what is sent to all of them.
//
// Contract: subscribers are held weakly (a closed connection simply drops out); broadcast()
// hands the same message to every live subscriber, which queues it behind what it is already
// writing. Messages are complete SSE events ("event: usage\ndata: {...}\n\n").
// Threads: one thread (the web server's).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ccmeter {

class EventSubscriber {
  public:
    virtual ~EventSubscriber() = default;
    virtual void send_event(const std::string& message) = 0;
};

class EventHub {
  public:
    void subscribe(const std::shared_ptr<EventSubscriber>& subscriber);
    void broadcast(const std::string& message);
    size_t subscribers();  // live ones (drops the closed)

  private:
    std::vector<std::weak_ptr<EventSubscriber>> m_subscribers;
};

}  // namespace ccmeter
