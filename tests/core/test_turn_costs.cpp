// turn_cost_spread: every turn's exact cost across sessions, the most expensive ones and the
// spread. Built-in prices: claude-opus-4-5 output $25 per million tokens, so 1000 output tokens
// cost 25,000 micro-dollars.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "core/price_table.hpp"
#include "core/turn_costs.hpp"
#include "database_fixture.hpp"

using namespace ccmeter;

namespace {

constexpr int64_t k_base_ms = 1'790'000'000'000;

UsageRecord response(const std::string& id, const std::string& session, int64_t at_s,
                     int64_t output_tokens, bool sidechain = false,
                     const std::string& model = "claude-opus-4-5") {
    UsageRecord r;
    r.message_id = "msg_" + id;
    r.request_id = "req_" + id;
    r.model = model;
    r.session_id = session;
    r.cwd = "/home/dev/" + session;
    r.timestamp_ms = k_base_ms + at_s * 1000;
    r.is_sidechain = sidechain;
    r.tokens.output_tokens = output_tokens;
    return r;
}

TurnStart prompt(const std::string& uuid, const std::string& session, int64_t at_s,
                 bool sidechain = false) {
    TurnStart turn;
    turn.uuid = uuid;
    turn.session_id = session;
    turn.timestamp_ms = k_base_ms + at_s * 1000;
    turn.is_sidechain = sidechain;
    return turn;
}

// s1: a response before its first prompt (turn 0, $0.0025), a turn with a subagent ($0.075;
// the subagent's own prompt starts no turn), a turn with an unpriced response ($0.01).
// s2: no prompt at all: one turn from its first response ($1.0001).
void fill(test::TempDatabase& db) {
    IngestBatch batch;
    batch.add_response(response("0", "s1", 500, 100));
    batch.add_turn(prompt("p1", "s1", 1000));
    batch.add_response(response("1", "s1", 1001, 1000));
    batch.add_turn(prompt("agent-prompt", "s1", 1002, true));
    batch.add_response(response("2", "s1", 1002, 2000, true));
    batch.add_response(response("s2a", "s2", 1500, 40000));
    batch.add_response(response("s2b", "s2", 1600, 4));
    batch.add_turn(prompt("p2", "s1", 2000));
    batch.add_response(response("3", "s1", 2001, 400));
    batch.add_response(response("4", "s1", 2002, 999, false, "claude-no-such-model"));
    REQUIRE(db.store().commit(batch).has_value());
}

}  // namespace

TEST_CASE("turns across sessions: exact costs, the most expensive, the spread", "[turn_costs]") {
    test::TempDatabase db;
    fill(db);
    const PriceTable prices = PriceTable::builtin();
    Result<TurnCostSpread> spread = turn_cost_spread(db.store(), prices, {}, 2);
    REQUIRE(spread.has_value());
    CHECK(spread->turns == 4);
    REQUIRE(spread->most_expensive.size() == 2);
    const TurnCost& first = spread->most_expensive[0];
    CHECK(first.session_id == "s2");
    CHECK(first.start_ms == k_base_ms + 1500 * 1000);  // no prompt: its first response
    CHECK(first.usage.cost_pico_usd == 1'000'100'000'000);
    CHECK(first.usage.responses == 2);
    const TurnCost& second = spread->most_expensive[1];
    CHECK(second.session_id == "s1");
    CHECK(second.project == "/home/dev/s1");
    CHECK(second.start_ms == k_base_ms + 1000 * 1000);
    CHECK(second.usage.cost_pico_usd == 75'000'000'000);  // main chain and its subagent
    CHECK(second.usage.responses == 2);

    // Sorted: 2,500 / 10,000 / 75,000 / 1,000,100 micro-dollars.
    CHECK(spread->p50_micro_usd == 10'000);
    CHECK(spread->p90_micro_usd == 1'000'100);
    CHECK(spread->p99_micro_usd == 1'000'100);
    std::vector<int64_t> counts;
    for (const TurnCostBucket& bucket : spread->buckets)
        counts.push_back(bucket.turns);
    // Below 1 c, 5 c, 10 c, 50 c, $1, $5, $10, and above.
    CHECK(counts == std::vector<int64_t>{1, 1, 1, 0, 0, 1, 0, 0});
    CHECK(spread->buckets.back().below_micro_usd == -1);

    // Every turn, the unpriced part said.
    Result<TurnCostSpread> all = turn_cost_spread(db.store(), prices, {}, 100);
    REQUIRE(all.has_value());
    REQUIRE(all->most_expensive.size() == 4);
    const TurnCost& last_turn = all->most_expensive[2];
    CHECK(last_turn.start_ms == k_base_ms + 2000 * 1000);
    CHECK(last_turn.usage.cost_pico_usd == 10'000'000'000);
    CHECK(last_turn.usage.unpriced_responses == 1);
    CHECK(all->most_expensive[3].start_ms == k_base_ms + 500 * 1000);  // turn 0 of s1
}

TEST_CASE("a time range cuts turns but never moves them", "[turn_costs]") {
    test::TempDatabase db;
    fill(db);
    ResponseFilter filter;
    filter.since_ms = k_base_ms + 1002 * 1000;  // after turn p1's first response
    filter.until_ms = k_base_ms + 1501 * 1000;
    Result<TurnCostSpread> spread = turn_cost_spread(db.store(), PriceTable::builtin(), filter, 5);
    REQUIRE(spread.has_value());
    REQUIRE(spread->turns == 2);
    CHECK(spread->most_expensive[0].usage.cost_pico_usd == 1'000'000'000'000);  // s2's first
    CHECK(spread->most_expensive[1].start_ms == k_base_ms + 1000 * 1000);
    CHECK(spread->most_expensive[1].usage.cost_pico_usd == 50'000'000'000);  // the subagent

    ResponseFilter empty;  // a range without a response
    empty.since_ms = k_base_ms;
    empty.until_ms = k_base_ms + 1;
    Result<TurnCostSpread> none = turn_cost_spread(db.store(), PriceTable::builtin(), empty, 5);
    REQUIRE(none.has_value());
    CHECK(none->turns == 0);
    CHECK(none->most_expensive.empty());
    CHECK(none->p50_micro_usd == 0);
}
