#include "core/turn_costs.hpp"

#include <algorithm>
#include <unordered_map>
#include <utility>

namespace ccmeter {

Result<TurnCostSpread> turn_cost_spread(const UsageStore& store, const PriceTable& prices,
                                        const ResponseFilter& filter, size_t top) {
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
    spread.most_expensive = std::move(turns);
    return spread;
}

}  // namespace ccmeter
