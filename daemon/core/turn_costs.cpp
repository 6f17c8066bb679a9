#include "core/turn_costs.hpp"

#include <algorithm>
#include <limits>
#include <unordered_map>
#include <utility>

#include "core/price_rule_lookup.hpp"

namespace ccmeter {

namespace {

// Every turn with a response matching `filter`, from the responses themselves.
Result<std::vector<TurnCost>> turns_from_responses(const UsageStore& store,
                                                   const PriceTable& prices,
                                                   const ResponseFilter& filter) {
    CCMETER_TRY_ASSIGN(auto starts, store.main_turn_starts());
    // Per session, the turn its latest response fell in (responses come in time order, so a
    // session's turns are met one after the other).
    std::unordered_map<std::string, std::pair<int64_t, size_t>> current;  // start, index
    std::vector<TurnCost> turns;
    const std::vector<int64_t> none;
    CCMETER_TRY(store.for_each_response(filter, [&](const UsageRecord& response) {
        auto found = starts.find(response.session_id);
        const std::vector<int64_t>& mine = found == starts.end() ? none : found->second;
        auto next = std::upper_bound(mine.begin(), mine.end(), response.timestamp_ms);
        const int64_t turn_start = next == mine.begin() ? -1 : *(next - 1);
        auto [it, inserted] = current.try_emplace(response.session_id, turn_start, turns.size());
        if (inserted || it->second.first != turn_start) {
            it->second = {turn_start, turns.size()};
            TurnCost turn;
            turn.session_id = response.session_id;
            turn.project = response.cwd;
            turn.start_ms = turn_start < 0 ? response.timestamp_ms : turn_start;
            turns.push_back(std::move(turn));
        }
        const std::optional<int64_t> cost = prices.cost_pico_usd(
            response.model, response.timestamp_ms, response.speed, response.tokens);
        turns[it->second.second].usage.add(
            response.model, 1, response.tokens, cost,
            cost && prices.is_learned(response.model, response.timestamp_ms));
    }));
    return turns;
}

// Every turn, from the turn rollups (one row per turn, day, model, speed and tier, a session's
// turns in order): the same figures, with start_ms -1 for a session's turn before its first
// prompt and no project (the caller fills in both where it needs them).
Result<std::vector<TurnCost>> turns_from_rollups(const UsageStore& store,
                                                 const PriceTable& prices) {
    std::vector<TurnCost> turns;
    PriceRuleLookup rules(prices);
    CCMETER_TRY(store.for_each_turn_rollup([&](const TurnRollupRow& row) {
        if (turns.empty() || turns.back().start_ms != row.turn_ms ||
            turns.back().session_id != row.session_id) {
            TurnCost turn;
            turn.session_id = row.session_id;
            turn.start_ms = row.turn_ms;
            turns.push_back(std::move(turn));
        }
        const RowPrice price =
            rules.price(row.model, row.day_ms, row.speed, row.long_context, row.tokens);
        turns.back().usage.add(row.model, row.responses, row.tokens, price.cost_pico_usd,
                               price.learned);
    }));
    return turns;
}

bool unfiltered(const ResponseFilter& filter) {
    return !filter.since_ms && !filter.until_ms && !filter.session_id && !filter.cwd &&
           !filter.side_calls_only;
}

}  // namespace

Result<TurnCostSpread> turn_cost_spread(const UsageStore& store, const PriceTable& prices,
                                        const ResponseFilter& filter, size_t top) {
    // Over the whole history the turn rollups answer; a time range cuts turns, which only the
    // responses can do.
    const bool from_rollups = unfiltered(filter) && store.row_source() == RowSource::rollups;
    std::vector<TurnCost> turns;
    if (from_rollups) {
        CCMETER_TRY_ASSIGN(turns, turns_from_rollups(store, prices));
        // A turn before a session's first prompt starts at its first response.
        CCMETER_TRY_ASSIGN(auto firsts, store.first_response_times());
        for (TurnCost& turn : turns) {
            if (turn.start_ms >= 0)
                continue;
            auto first = firsts.find(turn.session_id);
            if (first != firsts.end())
                turn.start_ms = first->second;
        }
    } else {
        CCMETER_TRY_ASSIGN(turns, turns_from_responses(store, prices, filter));
    }

    TurnCostSpread spread;
    spread.turns = static_cast<int64_t>(turns.size());
    for (int64_t bound : k_turn_cost_bounds_micro_usd)
        spread.buckets.push_back({bound, 0});
    spread.buckets.push_back({-1, 0});
    std::vector<int64_t> costs;
    costs.reserve(turns.size());
    for (const TurnCost& turn : turns) {
        const int64_t micro = micro_usd(turn.usage.cost_pico_usd);
        costs.push_back(micro);
        size_t bucket = 0;
        while (bucket + 1 < spread.buckets.size() &&
               micro >= spread.buckets[bucket].below_micro_usd)
            ++bucket;
        ++spread.buckets[bucket].turns;
    }
    if (!costs.empty()) {
        std::sort(costs.begin(), costs.end());
        // Nearest rank: the smallest cost with at least p % of the turns at or below it.
        const auto rank = [&](int64_t percent) {
            const size_t n = costs.size();
            const size_t index = (static_cast<size_t>(percent) * n + 99) / 100;
            return costs[std::max<size_t>(index, 1) - 1];
        };
        spread.p50_micro_usd = rank(50);
        spread.p90_micro_usd = rank(90);
        spread.p99_micro_usd = rank(99);
    }
    const auto more_expensive = [](const TurnCost& a, const TurnCost& b) {
        if (a.usage.cost_pico_usd != b.usage.cost_pico_usd)
            return a.usage.cost_pico_usd > b.usage.cost_pico_usd;
        return a.start_ms > b.start_ms;
    };
    const size_t kept = std::min(top, turns.size());
    std::partial_sort(turns.begin(), turns.begin() + static_cast<std::ptrdiff_t>(kept), turns.end(),
                      more_expensive);
    turns.resize(kept);
    if (from_rollups) {
        // The project of a turn: the cwd of its first response.
        for (TurnCost& turn : turns) {
            CCMETER_TRY_ASSIGN(auto first, store.first_response_of(turn.session_id, turn.start_ms));
            if (first)
                turn.project = first->second;
        }
    }
    spread.most_expensive = std::move(turns);
    return spread;
}

}  // namespace ccmeter
