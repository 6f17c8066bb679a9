#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "server/watch_hub.hpp"

using namespace ccmeter;
using namespace std::chrono_literals;

namespace {

WatchEvent response_event(const std::string& message_id) {
    WatchEvent event;
    event.kind = WatchEvent::Kind::response;
    event.response.response.message_id = message_id;
    event.response.cost_pico_usd = 1'234'567;
    event.session_total.responses = 7;
    return event;
}

}  // namespace

TEST_CASE("watch_hub: every subscriber gets every event, in order", "[watch_hub]") {
    WatchHub hub;
    std::shared_ptr<WatchSubscription> a = hub.subscribe();
    std::shared_ptr<WatchSubscription> b = hub.subscribe();
    REQUIRE(a);
    REQUIRE(b);
    CHECK(hub.subscribers() == 2);
    hub.publish({response_event("m1"), response_event("m2")});
    WatchEvent tick;
    hub.publish({tick});
    for (const std::shared_ptr<WatchSubscription>& subscription : {a, b}) {
        const std::vector<WatchEvent> events = subscription->take(0ms);
        REQUIRE(events.size() == 3);
        CHECK(events[0].response.response.message_id == "m1");
        CHECK(events[0].response.cost_pico_usd == 1'234'567);
        CHECK(events[0].session_total.responses == 7);
        CHECK(events[1].response.response.message_id == "m2");
        CHECK(events[2].kind == WatchEvent::Kind::totals_changed);
        CHECK(subscription->take(0ms).empty());
    }
    CHECK(hub.events_published() == 6);
    CHECK(hub.events_dropped() == 0);
}

TEST_CASE("watch_hub: take() wakes on publish from another thread", "[watch_hub]") {
    WatchHub hub;
    std::shared_ptr<WatchSubscription> subscription = hub.subscribe();
    std::thread publisher([&] {
        std::this_thread::sleep_for(20ms);
        hub.publish({response_event("late")});
    });
    const auto started = std::chrono::steady_clock::now();
    const std::vector<WatchEvent> events = subscription->take(5s);
    publisher.join();
    REQUIRE(events.size() == 1);
    CHECK(events[0].response.response.message_id == "late");
    CHECK(std::chrono::steady_clock::now() - started < 2s);
}

TEST_CASE("watch_hub: a full queue drops and says how many, without blocking", "[watch_hub]") {
    WatchHubOptions options;
    options.queue_events = 3;
    WatchHub hub(options);
    std::shared_ptr<WatchSubscription> slow = hub.subscribe();
    std::shared_ptr<WatchSubscription> fast = hub.subscribe();
    for (int i = 0; i < 5; ++i) {
        hub.publish({response_event("m" + std::to_string(i))});
        if (i < 3)
            CHECK(fast->take(0ms).size() == 1);
    }
    CHECK(fast->take(0ms).size() == 2);
    const std::vector<WatchEvent> events = slow->take(0ms);
    REQUIRE(events.size() == 4);
    CHECK(events[0].kind == WatchEvent::Kind::dropped);
    CHECK(events[0].dropped == 2);
    CHECK(events[1].response.response.message_id == "m0");
    CHECK(events[3].response.response.message_id == "m2");
    CHECK(hub.events_dropped() == 2);
    CHECK(hub.events_published() == 8);
    // Drained: new events queue again, without a marker.
    hub.publish({response_event("m5")});
    const std::vector<WatchEvent> after = slow->take(0ms);
    REQUIRE(after.size() == 1);
    CHECK(after[0].response.response.message_id == "m5");
}

TEST_CASE("watch_hub: at most max_subscribers, and a gone one frees its place", "[watch_hub]") {
    WatchHubOptions options;
    options.max_subscribers = 2;
    WatchHub hub(options);
    std::shared_ptr<WatchSubscription> a = hub.subscribe();
    std::shared_ptr<WatchSubscription> b = hub.subscribe();
    CHECK(a);
    CHECK(b);
    CHECK_FALSE(hub.subscribe());
    a.reset();
    CHECK(hub.subscribers() == 1);
    std::shared_ptr<WatchSubscription> c = hub.subscribe();
    CHECK(c);
    hub.publish({response_event("only live ones")});
    CHECK(hub.events_published() == 2);
}

TEST_CASE("watch_hub: close() ends every subscription at once", "[watch_hub]") {
    WatchHub hub;
    std::shared_ptr<WatchSubscription> subscription = hub.subscribe();
    hub.publish({response_event("m1")});
    std::thread closer([&] {
        std::this_thread::sleep_for(20ms);
        hub.close();
    });
    // The queued event may or may not be taken first; then take() returns at once, empty.
    std::vector<WatchEvent> events = subscription->take(5s);
    const auto started = std::chrono::steady_clock::now();
    while (!subscription->closed())
        events = subscription->take(5s);
    closer.join();
    CHECK(std::chrono::steady_clock::now() - started < 2s);
    CHECK(subscription->take(5s).empty());
    CHECK(hub.closed());
    CHECK_FALSE(hub.subscribe());
}
