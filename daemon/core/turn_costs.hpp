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
#include <map>
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

// One turn's cost as TurnCostCache keeps it.
struct CachedTurn {
    int64_t cost_pico_usd = 0;
    int64_t start_ms = 0;  // the prompt's time, or the session's first response for turn 0
    int64_t turn_ms = 0;   // the turn rollups' key: -1 for the responses before the first prompt
};

// Every session's turn costs over the whole history, kept between answers so that the first
// answer after new usage reads only the sessions whose turn rollups changed since
// (UsageStore::sessions_changed_after), not every turn: everything again when the prices
// changed, the store's change number went back (another database), or more than
// k_sessions_read_one_by_one sessions changed. About 24 bytes a turn (3 MB for 126,000).
// Threads: none of its own; use from one thread at a time (MeterQueries holds a lock).
class TurnCostCache {
  public:
    static constexpr size_t k_sessions_read_one_by_one = 256;

    // Brings the cache up to date with `store` (inside one read snapshot of it), priced by
    // `prices`.
    Result<void> refresh(const UsageStore& store, const PriceTable& prices);
    // Per session, its turns in time order.
    const std::map<std::string, std::vector<CachedTurn>>& sessions() const { return m_sessions; }
    int64_t full_reads() const { return m_full_reads; }        // refreshes that read every turn
    int64_t sessions_read() const { return m_sessions_read; }  // sessions read one by one

  private:
    std::map<std::string, std::vector<CachedTurn>> m_sessions;
    std::vector<PriceRule> m_rules;  // what the costs were priced with
    int64_t m_change_seq = -1;       // the store's change number they reflect; -1: none yet
    int64_t m_full_reads = 0;
    int64_t m_sessions_read = 0;
};

// Every turn with a response matching `filter` (its time range; a turn is cut by it, never
// moved), and the `top` most expensive of them (ties: the later first). With `cache`, an
// unfiltered spread over the turn rollups reads it (refreshed first) instead of every turn;
// the answer is the same.
Result<TurnCostSpread> turn_cost_spread(const UsageStore& store, const PriceTable& prices,
                                        const ResponseFilter& filter, size_t top,
                                        TurnCostCache* cache = nullptr);

}  // namespace ccmeter
