#include "core/client_check.hpp"

#include <algorithm>
#include <map>

#include "common/saturating_int.hpp"
#include "core/usage_queries.hpp"

namespace ccmeter {

namespace {

bool fits_inside(const TokenCounts& a, const TokenCounts& b) {
    return a.input_tokens <= b.input_tokens && a.output_tokens <= b.output_tokens &&
           a.cache_creation_input_tokens <= b.cache_creation_input_tokens &&
           a.cache_read_input_tokens <= b.cache_read_input_tokens &&
           a.web_search_requests <= b.web_search_requests;
}

// Every model of `parent` is in `child` with at least its tokens.
bool is_contained(const ClientCostState& parent, const ClientCostState& child) {
    for (const ClientModelUsage& p : parent.models) {
        auto it = std::find_if(child.models.begin(), child.models.end(),
                               [&](const ClientModelUsage& c) { return c.model == p.model; });
        if (it == child.models.end() || !fits_inside(p.tokens, it->tokens) ||
            p.cost_pico_usd > it->cost_pico_usd)
            return false;
    }
    return parent.total_cost_pico_usd <= child.total_cost_pico_usd;
}

TokenCounts minus(const TokenCounts& a, const TokenCounts& b) {
    TokenCounts d = a;
    d.input_tokens -= b.input_tokens;
    d.output_tokens -= b.output_tokens;
    d.cache_creation_input_tokens -= b.cache_creation_input_tokens;
    d.cache_read_input_tokens -= b.cache_read_input_tokens;
    d.cache_5m -= std::min(d.cache_5m, b.cache_5m);
    d.cache_1h -= std::min(d.cache_1h, b.cache_1h);
    d.web_search_requests -= b.web_search_requests;
    return d;
}

}  // namespace

std::vector<ClientCostState> own_cost_states(std::vector<ClientCostState> states) {
    std::multimap<int64_t, size_t> by_start;
    for (size_t i = 0; i < states.size(); ++i)
        by_start.emplace(states[i].start_time_ms, i);
    const std::vector<ClientCostState> whole = states;
    for (size_t i = 0; i < states.size(); ++i) {
        const ClientCostState* parent = nullptr;
        auto [from, to] = by_start.equal_range(whole[i].start_time_ms);
        for (auto it = from; it != to; ++it) {
            const ClientCostState& candidate = whole[it->second];
            if (it->second == i || candidate.session_id == whole[i].session_id)
                continue;
            // Strictly smaller, so that two equal states never subtract each other.
            if (candidate.total_cost_pico_usd < whole[i].total_cost_pico_usd &&
                is_contained(candidate, whole[i]) &&
                (!parent || candidate.total_cost_pico_usd > parent->total_cost_pico_usd))
                parent = &candidate;
        }
        if (!parent)
            continue;
        ClientCostState& own = states[i];
        own.total_cost_pico_usd -= parent->total_cost_pico_usd;
        // Its times and lines include the parent's too.
        const auto less = [](int64_t value, int64_t parent_value) {
            return std::max<int64_t>(0, value - parent_value);
        };
        own.api_duration_ms = less(own.api_duration_ms, parent->api_duration_ms);
        own.tool_duration_ms = less(own.tool_duration_ms, parent->tool_duration_ms);
        own.duration_ms = less(own.duration_ms, parent->duration_ms);
        own.lines_added = less(own.lines_added, parent->lines_added);
        own.lines_removed = less(own.lines_removed, parent->lines_removed);
        for (ClientModelUsage& model : own.models) {
            for (const ClientModelUsage& p : parent->models) {
                if (p.model == model.model) {
                    model.tokens = minus(model.tokens, p.tokens);
                    model.cost_pico_usd -= p.cost_pico_usd;
                    model.thinking_tokens -= std::min(model.thinking_tokens, p.thinking_tokens);
                }
            }
        }
        own.models.erase(std::remove_if(own.models.begin(), own.models.end(),
                                        [](const ClientModelUsage& m) {
                                            return m.cost_pico_usd == 0 &&
                                                   m.tokens == TokenCounts{};
                                        }),
                         own.models.end());
    }
    return states;
}

Result<std::vector<SessionCheck>> client_check(const UsageStore& store, const PriceTable& prices,
                                               std::optional<int64_t> since_ms,
                                               std::optional<int64_t> until_ms) {
    CCMETER_TRY_ASSIGN(std::vector<ClientCostState> states, store.cost_states());
    std::map<std::string, SessionCheck> sessions;
    std::map<std::string, std::map<std::string, TokenCounts>> client_models;
    for (const ClientCostState& state : own_cost_states(std::move(states))) {
        SessionCheck& check = sessions[state.session_id];
        if (check.processes == 0 || state.start_time_ms < check.first_process_ms)
            check.first_process_ms = state.start_time_ms;
        check.session_id = state.session_id;
        ++check.processes;
        check.client_pico_usd = saturating_add(check.client_pico_usd, state.total_cost_pico_usd);
        for (const ClientModelUsage& model : state.models)
            client_models[state.session_id][normalise_model(model.model)].add(model.tokens);
    }
    std::vector<SessionCheck> result;
    for (auto& [session_id, check] : sessions) {
        if ((since_ms && check.first_process_ms < *since_ms) ||
            (until_ms && check.first_process_ms >= *until_ms))
            continue;
        ResponseFilter filter;
        filter.session_id = session_id;
        CCMETER_TRY_ASSIGN(std::vector<GroupTotals> groups,
                           usage_by_group(store, prices, Grouping::session, filter, true));
        filter.side_calls_only = true;
        CCMETER_TRY_ASSIGN(std::vector<GroupTotals> side_calls,
                           usage_by_group(store, prices, Grouping::session, filter, false));
        for (const GroupTotals& group : side_calls) {
            check.side_calls += group.usage.responses;
            check.side_call_pico_usd += group.usage.cost_pico_usd;
        }
        std::map<std::string, TokenCounts> ours;
        for (const GroupTotals& group : groups) {
            check.project = group.project;
            check.ours_pico_usd = saturating_add(check.ours_pico_usd, group.usage.cost_pico_usd);
            check.responses += group.usage.responses;
            check.unpriced_responses += group.usage.unpriced_responses;
            for (const auto& [model, usage] : group.by_model)
                ours[normalise_model(model)].add(usage.tokens);
        }
        for (const auto& [model, tokens] : client_models[session_id]) {
            auto it = ours.find(model);
            const TokenCounts mine = it == ours.end() ? TokenCounts{} : it->second;
            if (tokens.input_tokens > mine.input_tokens ||
                tokens.output_tokens > mine.output_tokens)
                check.client_only_models.push_back(model);
        }
        result.push_back(std::move(check));
    }
    std::sort(result.begin(), result.end(), [](const SessionCheck& a, const SessionCheck& b) {
        return a.first_process_ms != b.first_process_ms ? a.first_process_ms > b.first_process_ms
                                                        : a.session_id < b.session_id;
    });
    return result;
}

}  // namespace ccmeter
