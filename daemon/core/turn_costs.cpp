#include "core/turn_costs.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/saturating_int.hpp"
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

// One turn while ranking: what the spread needs. The turn's full figures (tokens, unpriced
// parts, project) are read again only for the few most expensive: 100,000s of TurnCost objects
// were most of what the Insights answer cost.
struct RankedTurn {
    int64_t cost_pico_usd = 0;
    int64_t start_ms = 0;
    int64_t turn_ms = 0;  // the rollups' key: -1 for the responses before the first prompt
    size_t session = 0;   // into RankedTurns::sessions (rollups) or the full turns (responses)
};

struct RankedTurns {
    std::vector<std::string> sessions;
    std::vector<RankedTurn> turns;
};

// Adds one turn rollup row of a session, its rows in turn order, to `turns`: to the last
// turn when it is the row's, else as a new one (start_ms the row's turn_ms, -1 before the
// first prompt).
void add_turn_row(std::vector<CachedTurn>& turns, PriceRuleLookup& rules,
                  const TurnRollupRow& row) {
    if (turns.empty() || turns.back().turn_ms != row.turn_ms)
        turns.push_back({0, row.turn_ms, row.turn_ms});
    const RowPrice price =
        rules.price(row.model, row.day_ms, row.speed, row.long_context, row.tokens);
    if (price.cost_pico_usd)
        turns.back().cost_pico_usd =
            saturating_add(turns.back().cost_pico_usd, *price.cost_pico_usd);
}

// The full figures of one ranked turn, from its own turn rollup rows (as add_turn_row priced
// them).
Result<TurnCost> rollup_turn(const UsageStore& store, const PriceTable& prices,
                             const RankedTurns& ranked, const RankedTurn& which) {
    TurnCost turn;
    turn.session_id = ranked.sessions[which.session];
    turn.start_ms = which.start_ms;
    PriceRuleLookup rules(prices);
    CCMETER_TRY(store.for_each_turn_rollup(
        turn.session_id,
        [&](const TurnRollupRow& row) {
            const RowPrice price =
                rules.price(row.model, row.day_ms, row.speed, row.long_context, row.tokens);
            turn.usage.add(row.model, row.responses, row.tokens, price.cost_pico_usd,
                           price.learned);
        },
        which.turn_ms));
    CCMETER_TRY_ASSIGN(auto first, store.first_response_of(turn.session_id, which.start_ms));
    if (first)
        turn.project = first->second;
    return turn;
}

// One session's turns from its turn rollups, priced by `rules`, turn 0 starting at its first
// response (as a full read gives them from first_response_times).
Result<std::vector<CachedTurn>> session_turns(const UsageStore& store, PriceRuleLookup& rules,
                                              const std::string& session_id) {
    std::vector<CachedTurn> turns;
    CCMETER_TRY(store.for_each_turn_rollup(
        session_id, [&](const TurnRollupRow& row) { add_turn_row(turns, rules, row); }));
    if (!turns.empty() && turns.front().start_ms < 0) {
        CCMETER_TRY_ASSIGN(auto first,
                           store.first_response_of(session_id, std::numeric_limits<int64_t>::min()));
        if (first)
            turns.front().start_ms = first->first;
    }
    return turns;
}

bool unfiltered(const ResponseFilter& filter) {
    return !filter.since_ms && !filter.until_ms && !filter.session_id && !filter.cwd &&
           !filter.side_calls_only;
}

}  // namespace

Result<void> TurnCostCache::refresh(const UsageStore& store, const PriceTable& prices) {
    return store.in_snapshot([&]() -> Result<void> {
        CCMETER_TRY_ASSIGN(const int64_t seq, store.change_seq());
        std::vector<std::string> changed;
        bool everything = m_change_seq < 0 || seq < m_change_seq || m_rules != prices.rules();
        if (!everything && seq != m_change_seq) {
            CCMETER_TRY_ASSIGN(changed,
                               store.sessions_changed_after(m_change_seq, k_sessions_read_one_by_one));
            everything = changed.size() > k_sessions_read_one_by_one;
        }
        PriceRuleLookup rules(prices);
        if (everything) {
            // Every turn rollup row, a session's in turn order, sessions in key order. Until
            // it is read whole, the cache reflects nothing (a failure leaves it to read again).
            m_change_seq = -1;
            m_sessions.clear();
            std::vector<CachedTurn>* turns = nullptr;
            const std::string* session = nullptr;
            CCMETER_TRY(store.for_each_turn_rollup([&](const TurnRollupRow& row) {
                if (!session || *session != row.session_id) {
                    auto [at, inserted] = m_sessions.try_emplace(row.session_id);
                    session = &at->first;
                    turns = &at->second;
                }
                add_turn_row(*turns, rules, row);
            }));
            // A turn before a session's first prompt starts at its first response.
            CCMETER_TRY_ASSIGN(auto firsts, store.first_response_times());
            for (auto& [id, mine] : m_sessions) {
                auto first = firsts.find(id);
                if (mine.front().start_ms < 0 && first != firsts.end())
                    mine.front().start_ms = first->second;
            }
            m_rules = prices.rules();
            ++m_full_reads;
        } else {
            for (const std::string& session : changed) {
                CCMETER_TRY_ASSIGN(std::vector<CachedTurn> turns,
                                   session_turns(store, rules, session));
                if (turns.empty())
                    m_sessions.erase(session);
                else
                    m_sessions[session] = std::move(turns);
                ++m_sessions_read;
            }
        }
        m_change_seq = seq;
        return {};
    });
}

Result<TurnCostSpread> turn_cost_spread(const UsageStore& store, const PriceTable& prices,
                                        const ResponseFilter& filter, size_t top,
                                        TurnCostCache* cache) {
    // Over the whole history the turn rollups answer; a time range cuts turns, which only the
    // responses can do.
    const bool from_rollups = unfiltered(filter) && store.row_source() == RowSource::rollups;
    RankedTurns ranked;
    std::vector<TurnCost> full;  // from the responses: every turn's figures at once
    if (from_rollups) {
        // Without a cache of the caller's, one for this answer alone (it reads every turn).
        TurnCostCache once;
        TurnCostCache& turn_costs = cache ? *cache : once;
        CCMETER_TRY(turn_costs.refresh(store, prices));
        for (const auto& [session, turns] : turn_costs.sessions()) {
            ranked.sessions.push_back(session);
            for (const CachedTurn& turn : turns)
                ranked.turns.push_back(
                    {turn.cost_pico_usd, turn.start_ms, turn.turn_ms, ranked.sessions.size() - 1});
        }
    } else {
        CCMETER_TRY_ASSIGN(full, turns_from_responses(store, prices, filter));
        ranked.turns.reserve(full.size());
        for (size_t i = 0; i < full.size(); ++i) {
            RankedTurn turn;
            turn.cost_pico_usd = full[i].usage.cost_pico_usd;
            turn.start_ms = full[i].start_ms;
            turn.session = i;
            ranked.turns.push_back(turn);
        }
    }

    TurnCostSpread spread;
    spread.turns = static_cast<int64_t>(ranked.turns.size());
    for (int64_t bound : k_turn_cost_bounds_micro_usd)
        spread.buckets.push_back({bound, 0});
    spread.buckets.push_back({-1, 0});
    std::vector<int64_t> costs;
    costs.reserve(ranked.turns.size());
    for (const RankedTurn& turn : ranked.turns) {
        const int64_t micro = micro_usd(turn.cost_pico_usd);
        costs.push_back(micro);
        size_t bucket = 0;
        while (bucket + 1 < spread.buckets.size() &&
               micro >= spread.buckets[bucket].below_micro_usd)
            ++bucket;
        ++spread.buckets[bucket].turns;
    }
    if (!costs.empty()) {
        // Nearest rank: the smallest cost with at least p % of the turns at or below it.
        const auto rank = [&](int64_t percent) {
            const size_t n = costs.size();
            const size_t index = (static_cast<size_t>(percent) * n + 99) / 100;
            const auto at =
                costs.begin() + static_cast<std::ptrdiff_t>(std::max<size_t>(index, 1) - 1);
            std::nth_element(costs.begin(), at, costs.end());
            return *at;
        };
        spread.p50_micro_usd = rank(50);
        spread.p90_micro_usd = rank(90);
        spread.p99_micro_usd = rank(99);
    }
    const auto more_expensive = [](const RankedTurn& a, const RankedTurn& b) {
        if (a.cost_pico_usd != b.cost_pico_usd)
            return a.cost_pico_usd > b.cost_pico_usd;
        return a.start_ms > b.start_ms;
    };
    const size_t kept = std::min(top, ranked.turns.size());
    std::partial_sort(ranked.turns.begin(),
                      ranked.turns.begin() + static_cast<std::ptrdiff_t>(kept), ranked.turns.end(),
                      more_expensive);
    for (size_t i = 0; i < kept; ++i) {
        const RankedTurn& turn = ranked.turns[i];
        if (from_rollups) {
            CCMETER_TRY_ASSIGN(TurnCost cost, rollup_turn(store, prices, ranked, turn));
            spread.most_expensive.push_back(std::move(cost));
        } else {
            spread.most_expensive.push_back(std::move(full[turn.session]));
        }
    }
    return spread;
}

}  // namespace ccmeter
