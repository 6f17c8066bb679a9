#include "core/session_detail.hpp"

#include <algorithm>
#include <limits>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "core/price_rule_lookup.hpp"

namespace ccmeter {

namespace {

// What prices a sum of responses: they share model, UTC day, speed and tier (prices are linear,
// so pricing the sum equals summing their single costs).
struct PriceKey {
    std::string model;
    int64_t day_ms = 0;
    std::string speed;
    bool long_context = false;
    bool operator<(const PriceKey& other) const {
        return std::tie(model, day_ms, speed, long_context) <
               std::tie(other.model, other.day_ms, other.speed, other.long_context);
    }
};

struct Sums {
    int64_t responses = 0;
    TokenCounts tokens;
};

using KeyedSums = std::map<PriceKey, Sums>;

void add_sums(KeyedSums& into, const PriceKey& key, int64_t responses, const TokenCounts& tokens) {
    Sums& sums = into[key];
    sums.responses += responses;
    sums.tokens.add(tokens);
}

// `from` less `less`, field by field; false if any field would go below zero.
bool subtract(Sums& from, const Sums& less) {
    TokenCounts& a = from.tokens;
    const TokenCounts& b = less.tokens;
    if (from.responses < less.responses || a.input_tokens < b.input_tokens ||
        a.output_tokens < b.output_tokens ||
        a.cache_creation_input_tokens < b.cache_creation_input_tokens ||
        a.cache_read_input_tokens < b.cache_read_input_tokens || a.cache_5m < b.cache_5m ||
        a.cache_1h < b.cache_1h || a.web_search_requests < b.web_search_requests ||
        a.web_fetch_requests < b.web_fetch_requests)
        return false;
    from.responses -= less.responses;
    a.input_tokens -= b.input_tokens;
    a.output_tokens -= b.output_tokens;
    a.cache_creation_input_tokens -= b.cache_creation_input_tokens;
    a.cache_read_input_tokens -= b.cache_read_input_tokens;
    a.cache_5m -= b.cache_5m;
    a.cache_1h -= b.cache_1h;
    a.web_search_requests -= b.web_search_requests;
    a.web_fetch_requests -= b.web_fetch_requests;
    return true;
}

RowPrice price_of(PriceRuleLookup& rules, const PriceKey& key, const Sums& sums) {
    return rules.price(key.model, key.day_ms, key.speed, key.long_context, sums.tokens);
}

void add_priced(UsageTotals& totals, const PriceKey& key, const Sums& sums, const RowPrice& price) {
    totals.add(key.model, sums.responses, sums.tokens, price.cost_pico_usd, price.learned);
}

// The main-chain prompt a response at `at_ms` belongs to: the last at or before it, -1 before
// the first (`starts` ascending).
int64_t turn_of(const std::vector<int64_t>& starts, int64_t at_ms) {
    auto next = std::upper_bound(starts.begin(), starts.end(), at_ms);
    return next == starts.begin() ? -1 : *(next - 1);
}

void sort_agents(std::vector<AgentTotals>& agents) {
    std::stable_sort(agents.begin(), agents.end(), [](const AgentTotals& a, const AgentTotals& b) {
        return std::tie(a.first_ms, a.agent_id) < std::tie(b.first_ms, b.agent_id);
    });
}

// Numbers every turn of `detail` (all of the session's, in time order) and, for a page, keeps
// only those holding a listed response.
void number_and_page_turns(SessionDetail& detail, const SessionPage& page) {
    detail.turn_count = static_cast<int64_t>(detail.turns.size());
    for (size_t i = 0; i < detail.turns.size(); ++i)
        detail.turns[i].number = static_cast<int64_t>(i) + 1;
    if (page.limit == 0)
        return;
    detail.turns.erase(
        std::remove_if(detail.turns.begin(), detail.turns.end(),
                       [](const TurnTotals& turn) { return turn.responses.empty(); }),
        detail.turns.end());
}

// The page of `page` out of every response (time order), into its turns (keyed by prompt).
void list_page(SessionDetail& detail, std::vector<ResponseCost> all, const SessionPage& page,
               const std::vector<int64_t>& starts,
               const std::unordered_map<int64_t, size_t>& turn_index) {
    if (page.before_ms)
        all.erase(std::remove_if(all.begin(), all.end(),
                                 [&](const ResponseCost& r) {
                                     return r.response.timestamp_ms >= *page.before_ms;
                                 }),
                  all.end());
    auto first = all.begin();
    if (page.limit > 0 && all.size() > page.limit) {
        const int64_t from = all[all.size() - page.limit].response.timestamp_ms;
        first = std::lower_bound(
            all.begin(), all.end(), from,
            [](const ResponseCost& r, int64_t at) { return r.response.timestamp_ms < at; });
        if (first != all.begin())
            detail.next_before_ms = from;
    }
    for (auto it = first; it != all.end(); ++it) {
        auto turn = turn_index.find(turn_of(starts, it->response.timestamp_ms));
        if (turn == turn_index.end())
            continue;  // cannot happen: every response is in a turn
        detail.turns[turn->second].responses.push_back(std::move(*it));
        ++detail.listed_responses;
    }
}

// Every figure from every response of the session (RowSource::responses, and the fallback).
Result<SessionDetail> detail_from_responses(const UsageStore& store, const PriceTable& prices,
                                            const std::string& session_id,
                                            const SessionPage& page) {
    SessionDetail detail;
    detail.session_id = session_id;
    CCMETER_TRY_ASSIGN(std::vector<int64_t> starts, store.main_turn_starts(session_id));
    std::unordered_map<int64_t, size_t> turn_index;  // prompt (-1: none yet) -> index
    std::vector<ResponseCost> all;
    ResponseFilter filter;
    filter.session_id = session_id;
    CCMETER_TRY(store.for_each_response(filter, [&](const UsageRecord& response) {
        if (all.empty()) {
            detail.project = response.cwd;
            detail.first_ms = response.timestamp_ms;
        }
        detail.last_ms = std::max(detail.last_ms, response.timestamp_ms);
        const std::optional<int64_t> cost = prices.cost_pico_usd(
            response.model, response.timestamp_ms, response.speed, response.tokens);
        const bool learned = cost && prices.is_learned(response.model, response.timestamp_ms);
        const int64_t turn_start = turn_of(starts, response.timestamp_ms);
        auto [found, inserted] = turn_index.try_emplace(turn_start, detail.turns.size());
        if (inserted) {
            detail.turns.emplace_back();
            detail.turns.back().start_ms = turn_start;
        }
        TurnTotals& turn = detail.turns[found->second];
        turn.usage.add(response.model, 1, response.tokens, cost, learned);
        (response.is_sidechain ? turn.subagents : turn.main)
            .add(response.model, 1, response.tokens, cost, learned);
        turn.models.insert(response.model);
        detail.usage.add(response.model, 1, response.tokens, cost, learned);
        (response.is_sidechain ? detail.subagents : detail.main)
            .add(response.model, 1, response.tokens, cost, learned);
        detail.by_model[response.model].add(response.model, 1, response.tokens, cost, learned);
        if (response.is_sidechain) {
            auto agent =
                std::find_if(detail.agents.begin(), detail.agents.end(),
                             [&](const AgentTotals& a) { return a.agent_id == response.agent_id; });
            if (agent == detail.agents.end()) {
                agent = detail.agents.insert(detail.agents.end(), AgentTotals{});
                agent->agent_id = response.agent_id;
                agent->first_ms = response.timestamp_ms;
            }
            agent->usage.add(response.model, 1, response.tokens, cost, learned);
            agent->models.insert(response.model);
        }
        all.push_back({response, cost});
    }));
    sort_agents(detail.agents);
    list_page(detail, std::move(all), page, starts, turn_index);
    for (TurnTotals& turn : detail.turns)
        if (turn.start_ms < 0)
            turn.start_ms = detail.first_ms;
    number_and_page_turns(detail, page);
    return detail;
}

// The same from the turn rollups, the subagents' rollups and one page; nullopt when the
// rollups and the responses disagree (then the caller reads the responses).
Result<std::optional<SessionDetail>> detail_from_rollups(const UsageStore& store,
                                                         const PriceTable& prices,
                                                         const std::string& session_id,
                                                         const SessionPage& page) {
    SessionDetail detail;
    detail.session_id = session_id;
    CCMETER_TRY_ASSIGN(std::vector<int64_t> starts, store.main_turn_starts(session_id));
    std::map<int64_t, KeyedSums> turns;       // prompt (-1: before the first) -> sums
    std::map<int64_t, KeyedSums> sidechains;  // the same for the subagents' responses only
    CCMETER_TRY(store.for_each_turn_rollup(session_id, [&](const TurnRollupRow& row) {
        const PriceKey key{row.model, row.day_ms, row.speed, row.long_context};
        add_sums(turns[row.turn_ms], key, row.responses, row.tokens);
        if (row.is_sidechain)
            add_sums(sidechains[row.turn_ms], key, row.responses, row.tokens);
    }));
    if (turns.empty())
        return std::optional<SessionDetail>(std::move(detail));

    std::map<std::string, std::pair<int64_t, KeyedSums>> agents;  // id -> first time, sums
    CCMETER_TRY(store.for_each_agent_rollup(session_id, [&](const AgentRollupRow& row) {
        auto [agent, inserted] = agents.try_emplace(row.agent_id, row.first_ms, KeyedSums{});
        agent->second.first = std::min(agent->second.first, row.first_ms);
        add_sums(agent->second.second, {row.model, row.day_ms, row.speed, row.long_context},
                 row.responses, row.tokens);
    }));

    // The page first: only the turns holding its responses are priced one by one.
    CCMETER_TRY_ASSIGN(UsageStore::ResponsePage listed,
                       store.session_response_page(session_id, page.before_ms, page.limit));
    std::set<int64_t> listed_turns;
    for (const UsageRecord& response : listed.responses)
        listed_turns.insert(turn_of(starts, response.timestamp_ms));

    PriceRuleLookup rules(prices);
    std::unordered_map<int64_t, size_t> turn_index;  // listed turns' prompt -> index
    int64_t number = 0;
    for (const auto& [turn_ms, rows] : turns) {
        ++number;
        TurnTotals* turn = nullptr;
        if (page.limit == 0 || listed_turns.count(turn_ms) > 0) {
            turn_index.emplace(turn_ms, detail.turns.size());
            turn = &detail.turns.emplace_back();
            turn->number = number;
            turn->start_ms = turn_ms;
        }
        const auto side = sidechains.find(turn_ms);
        for (const auto& [key, sums] : rows) {
            const RowPrice price = price_of(rules, key, sums);
            add_priced(detail.usage, key, sums, price);
            add_priced(detail.by_model[key.model], key, sums, price);
            Sums main = sums;
            if (side != sidechains.end()) {
                auto found = side->second.find(key);
                if (found != side->second.end() && !subtract(main, found->second))
                    return std::optional<SessionDetail>();
            }
            if (main.responses > 0) {
                const RowPrice main_price = price_of(rules, key, main);
                add_priced(detail.main, key, main, main_price);
                if (turn != nullptr)
                    add_priced(turn->main, key, main, main_price);
            }
            if (turn != nullptr) {
                add_priced(turn->usage, key, sums, price);
                turn->models.insert(key.model);
            }
        }
        if (side == sidechains.end())
            continue;
        for (const auto& [key, sums] : side->second) {
            if (rows.find(key) == rows.end())
                return std::optional<SessionDetail>();
            const RowPrice price = price_of(rules, key, sums);
            add_priced(detail.subagents, key, sums, price);
            if (turn != nullptr)
                add_priced(turn->subagents, key, sums, price);
        }
    }
    detail.turn_count = number;
    for (const auto& [turn_ms, rows] : sidechains)
        if (turns.find(turn_ms) == turns.end())
            return std::optional<SessionDetail>();
    for (const auto& [id, agent] : agents) {
        AgentTotals& totals = detail.agents.emplace_back();
        totals.agent_id = id;
        totals.first_ms = agent.first;
        for (const auto& [key, sums] : agent.second) {
            add_priced(totals.usage, key, sums, price_of(rules, key, sums));
            totals.models.insert(key.model);
        }
    }
    sort_agents(detail.agents);

    CCMETER_TRY_ASSIGN(std::vector<UsageStore::SessionSource> sources,
                       store.session_sources(session_id));
    for (size_t i = 0; i < sources.size(); ++i) {
        if (i == 0 || sources[i].first_ms < detail.first_ms) {
            detail.first_ms = sources[i].first_ms;
            detail.project = sources[i].cwd;
        }
        detail.last_ms = i == 0 ? sources[i].last_ms : std::max(detail.last_ms, sources[i].last_ms);
    }

    if (listed.more && !listed.responses.empty())
        detail.next_before_ms = listed.responses.front().timestamp_ms;
    for (UsageRecord& response : listed.responses) {
        auto turn = turn_index.find(turn_of(starts, response.timestamp_ms));
        if (turn == turn_index.end())
            return std::optional<SessionDetail>();
        const std::optional<int64_t> cost =
            rules
                .price(response.model, response.timestamp_ms, response.speed,
                       is_long_context(response.tokens), response.tokens)
                .cost_pico_usd;
        detail.turns[turn->second].responses.push_back({std::move(response), cost});
        ++detail.listed_responses;
    }
    for (TurnTotals& turn : detail.turns)
        if (turn.start_ms < 0)
            turn.start_ms = detail.first_ms;
    return std::optional<SessionDetail>(std::move(detail));
}

}  // namespace

Result<SessionDetail> session_detail(const UsageStore& store, const PriceTable& prices,
                                     const std::string& session_id, const SessionPage& page) {
    SessionDetail detail;
    CCMETER_TRY(store.in_snapshot([&]() -> Result<void> {
        std::optional<SessionDetail> fast;
        if (store.row_source() == RowSource::rollups) {
            CCMETER_TRY_ASSIGN(fast, detail_from_rollups(store, prices, session_id, page));
        }
        if (fast) {
            detail = std::move(*fast);
        } else {
            CCMETER_TRY_ASSIGN(detail, detail_from_responses(store, prices, session_id, page));
        }
        ResponseFilter mine;
        mine.session_id = session_id;
        CCMETER_TRY_ASSIGN(std::vector<ProcessActivity> processes, process_activity(store, mine));
        for (const ProcessActivity& process : processes) {
            if (!detail.activity)
                detail.activity.emplace();
            detail.activity->add(process.activity);
        }
        return {};
    }));
    return detail;
}

}  // namespace ccmeter
