// What turns cost across every session: the most expensive turns and how turn costs spread.
//
// A turn is what session_detail (usage_queries.hpp) calls one: a prompt of the main chain and
// every response after it, main chain and subagents, until the session's next prompt; the
// responses before a session's first prompt form a turn of their own that starts at its first
// response. Costs are exact (pico-dollars summed per turn, each turn priced once per response
// at its own rates); a turn with an unpriced response counts its priced part and says so in
// its usage (unpriced_responses).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "core/price_table.hpp"
#include "core/usage_report.hpp"
#include "core/usage_store.hpp"

namespace ccmeter {

struct TurnCost {
    std::string session_id;
    std::string project;  // the cwd of the turn's first response
    int64_t start_ms = 0;
    UsageTotals usage;  // main chain and subagents
};

// Turns whose cost in micro-dollars is below `below_micro_usd` and at or above the previous
// bucket's bound (the last bucket has no bound: below_micro_usd = -1).
struct TurnCostBucket {
    int64_t below_micro_usd = -1;
    int64_t turns = 0;
};

// The buckets' bounds: 1 cent, 5, 10 and 50 cents, $1, $5, $10, then everything above.
inline constexpr int64_t k_turn_cost_bounds_micro_usd[] = {10'000,    50'000,    100'000,   500'000,
                                                           1'000'000, 5'000'000, 10'000'000};

struct TurnCostSpread {
    int64_t turns = 0;
    std::vector<TurnCost> most_expensive;  // at most `top`, most expensive first
    std::vector<TurnCostBucket> buckets;   // one per bound, then the unbounded one
    // Turn cost at the 50th, 90th and 99th percentile (nearest rank), micro-dollars; 0 when
    // there is no turn.
    int64_t p50_micro_usd = 0;
    int64_t p90_micro_usd = 0;
    int64_t p99_micro_usd = 0;
};

// Every turn with a response matching `filter` (its time range; a turn is cut by it, never
// moved), and the `top` most expensive of them (ties: the later first).
Result<TurnCostSpread> turn_cost_spread(const UsageStore& store, const PriceTable& prices,
                                        const ResponseFilter& filter, size_t top);

}  // namespace ccmeter
