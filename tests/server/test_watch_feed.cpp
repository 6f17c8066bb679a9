// WatchFeed on a real history: what a commit publishes, and what it does without watchers.
#include <catch2/catch.hpp>
#include <chrono>

#include "../core/database_fixture.hpp"
#include "core/price_table.hpp"
#include "query/meter_queries.hpp"
#include "server/watch_feed.hpp"
#include "server/watch_hub.hpp"

using namespace ccmeter;
using namespace std::chrono_literals;

namespace {

MeterQueriesOptions options_for(const test::TempDatabase& db) {
    MeterQueriesOptions options;
    options.database = db.database();
    return options;
}

}  // namespace

TEST_CASE("watch_feed: each new response once, priced, with its session's total, then a tick",
          "[watch_feed]") {
    test::TempDatabase db;
    db.add_responses(0, 5);  // before the feed: never published
    MeterQueries queries(options_for(db), PriceTable::builtin());
    WatchHub hub;
    WatchFeed feed(queries, hub);
    std::shared_ptr<WatchSubscription> watcher = hub.subscribe();

    db.add_responses(5, 2);  // msg_5 (session s2), msg_6 (session s0)
    queries.usage_changed();
    feed.publish_new();
    std::vector<WatchEvent> events = watcher->take(0ms);
    REQUIRE(events.size() == 3);
    CHECK(events[0].kind == WatchEvent::Kind::response);
    CHECK(events[0].response.response.message_id == "msg_5");
    CHECK(events[0].response.response.tokens.output_tokens == 1005);
    REQUIRE(events[0].response.cost_pico_usd);
    CHECK(*events[0].response.cost_pico_usd > 0);
    // s2 holds msg_2 and msg_5; s0 holds msg_0, msg_3 and msg_6.
    CHECK(events[0].session_total.responses == 2);
    CHECK(events[0].session_total.tokens.output_tokens == 1002 + 1005);
    CHECK(events[1].response.response.message_id == "msg_6");
    CHECK(events[1].session_total.responses == 3);
    CHECK(events[2].kind == WatchEvent::Kind::totals_changed);

    // Nothing new: only the tick.
    feed.publish_new();
    events = watcher->take(0ms);
    REQUIRE(events.size() == 1);
    CHECK(events[0].kind == WatchEvent::Kind::totals_changed);
}

TEST_CASE("watch_feed: without watchers it moves on; a backfill is counted, not queued",
          "[watch_feed]") {
    test::TempDatabase db;
    MeterQueries queries(options_for(db), PriceTable::builtin());
    WatchHubOptions options;
    options.queue_events = 10;
    WatchHub hub(options);
    WatchFeed feed(queries, hub);
    db.add_responses(0, 3);
    feed.publish_new();  // nobody watches: nothing kept for later
    std::shared_ptr<WatchSubscription> watcher = hub.subscribe();
    db.add_responses(3, 1);
    feed.publish_new();
    std::vector<WatchEvent> events = watcher->take(0ms);
    REQUIRE(events.size() == 2);
    CHECK(events[0].response.response.message_id == "msg_3");

    db.add_responses(100, 25);  // more than the queue holds
    feed.publish_new();
    events = watcher->take(0ms);
    // The first 8 rows, then "17 left out", then the tick: all of it fits the 10 places.
    REQUIRE(events.size() == 10);
    CHECK(events[0].response.response.message_id == "msg_100");
    CHECK(events[7].response.response.message_id == "msg_107");
    CHECK(events[8].kind == WatchEvent::Kind::dropped);
    CHECK(events[8].dropped == 17);
    CHECK(events[9].kind == WatchEvent::Kind::totals_changed);
    // The mark is past the whole backfill: the next response comes next.
    db.add_responses(200, 1);
    feed.publish_new();
    events = watcher->take(0ms);
    REQUIRE(events.size() == 2);
    CHECK(events[0].response.response.message_id == "msg_200");
}
