#include "wire/usage_proto.hpp"

namespace ccmeter {

void fill_usage(const UsageTotals& totals, v1::Usage& usage) {
    const TokenCounts& t = totals.tokens;
    usage.Clear();
    usage.set_input_tokens(t.input_tokens);
    usage.set_output_tokens(t.output_tokens);
    usage.set_cache_creation_input_tokens(t.cache_creation_input_tokens);
    usage.set_cache_read_input_tokens(t.cache_read_input_tokens);
    usage.set_cache_5m(t.cache_5m);
    usage.set_cache_1h(t.cache_1h);
    usage.set_web_search_requests(t.web_search_requests);
    usage.set_web_fetch_requests(t.web_fetch_requests);
    usage.set_responses(totals.responses);
    usage.set_cost_micro_usd(micro_usd(totals.cost_pico_usd));
    usage.set_cost_saturated(totals.cost_saturated);
    usage.set_unpriced_responses(totals.unpriced_responses);
    for (const std::string& model : totals.unpriced_models)
        usage.add_unpriced_models(model);
    usage.set_client_priced_responses(totals.client_priced_responses);
    usage.set_client_priced_micro_usd(micro_usd(totals.client_priced_pico_usd));
    for (const std::string& model : totals.client_priced_models)
        usage.add_client_priced_models(model);
}

namespace {

void fill_rates(const TokenPrices& prices, v1::Rates& rates) {
    rates.set_input(prices.input);
    rates.set_cache_write_5m(prices.cache_write_5m);
    rates.set_cache_write_1h(prices.cache_write_1h);
    rates.set_cache_read(prices.cache_read);
    rates.set_output(prices.output);
}

const char* source_name(PriceSource source) {
    switch (source) {
        case PriceSource::builtin:
            return "builtin";
        case PriceSource::user_file:
            return "user_file";
        case PriceSource::learned:
            return "learned";
    }
    return "builtin";
}

}  // namespace

v1::PricingReply pricing_proto(const PriceTable& prices) {
    v1::PricingReply reply;
    for (const PriceRule& rule : prices.rules()) {
        v1::PriceRule& out = *reply.add_rules();
        out.set_model(rule.model);
        out.set_effective_from_ms(rule.effective_from_ms);
        fill_rates(rule.prices, *out.mutable_rates());
        if (rule.long_context)
            fill_rates(*rule.long_context, *out.mutable_long_context());
        out.set_fast_multiplier(rule.fast_multiplier);
        out.set_source(source_name(rule.source));
        if (rule.learned) {
            out.set_learned_equations(rule.learned->equations);
            out.set_learned_determined(rule.learned->determined);
            out.set_learned_consistent(rule.learned->consistent);
        }
    }
    return reply;
}

v1::CheckReply check_proto(const std::vector<SessionCheck>& sessions) {
    v1::CheckReply reply;
    for (const SessionCheck& check : sessions) {
        v1::SessionCheck& out = *reply.add_sessions();
        out.set_session_id(check.session_id);
        out.set_project(check.project);
        out.set_first_process_ms(check.first_process_ms);
        out.set_processes(check.processes);
        out.set_client_micro_usd(micro_usd(check.client_pico_usd));
        out.set_ours_micro_usd(micro_usd(check.ours_pico_usd));
        out.set_responses(check.responses);
        out.set_unpriced_responses(check.unpriced_responses);
        out.set_side_calls(check.side_calls);
        out.set_side_call_micro_usd(micro_usd(check.side_call_pico_usd));
        for (const std::string& model : check.client_only_models)
            out.add_client_only_models(model);
    }
    return reply;
}

std::optional<Grouping> grouping_of(v1::GroupBy group_by) {
    switch (group_by) {
        case v1::GROUP_BY_SESSION:
            return Grouping::session;
        case v1::GROUP_BY_PROJECT:
            return Grouping::project;
        case v1::GROUP_BY_MODEL:
            return Grouping::model;
        case v1::GROUP_BY_BRANCH:
            return Grouping::branch;
        default:
            return std::nullopt;
    }
}

v1::Usage usage_proto(const UsageTotals& totals) {
    v1::Usage usage;
    fill_usage(totals, usage);
    return usage;
}

void fill_block(const BlockTotals& block, v1::Block& out) {
    out.set_start_ms(block.start_ms);
    out.set_end_ms(block.end_ms);
    out.set_first_ms(block.first_ms);
    out.set_last_ms(block.last_ms);
    out.set_active(block.active);
    fill_usage(block.usage, *out.mutable_usage());
    out.set_burn_micro_usd_per_hour(micro_usd(block.burn_pico_usd_per_hour));
    out.set_projected_micro_usd(micro_usd(block.projected_pico_usd));
}

v1::PeriodsReply periods_proto(const std::vector<PeriodTotals>& periods) {
    v1::PeriodsReply reply;
    for (const PeriodTotals& period : periods) {
        v1::Period& out = *reply.add_periods();
        out.set_start_ms(period.start_ms);
        out.set_end_ms(period.end_ms);
        fill_usage(period.usage, *out.mutable_usage());
        for (const auto& [model, usage] : period.by_model)
            fill_usage(usage, (*out.mutable_by_model())[model]);
    }
    return reply;
}

void fill_activity(const Activity& activity, v1::Activity& out) {
    out.set_processes(activity.processes);
    out.set_api_ms(activity.api_ms);
    out.set_tool_ms(activity.tool_ms);
    out.set_idle_ms(activity.idle_ms);
    out.set_wall_ms(activity.wall_ms);
    out.set_lines_added(activity.lines_added);
    out.set_lines_removed(activity.lines_removed);
}

v1::ActivityReply activity_proto(const ActivityReport& report) {
    v1::ActivityReply reply;
    for (const ActivityPeriod& period : report.periods) {
        v1::ActivityPeriod& out = *reply.add_periods();
        out.set_start_ms(period.start_ms);
        out.set_end_ms(period.end_ms);
        fill_activity(period.activity, *out.mutable_activity());
        out.set_sessions(period.sessions);
    }
    for (const ActivityGroup& group : report.projects) {
        v1::ActivityProject& out = *reply.add_projects();
        out.set_project(group.project);
        fill_activity(group.activity, *out.mutable_activity());
        out.set_sessions(group.sessions);
    }
    fill_activity(report.totals, *reply.mutable_totals());
    reply.set_sessions(report.sessions);
    return reply;
}

v1::GroupsReply groups_proto(const std::vector<GroupTotals>& groups) {
    v1::GroupsReply reply;
    for (const GroupTotals& group : groups) {
        v1::Group& out = *reply.add_groups();
        out.set_key(group.key);
        fill_usage(group.usage, *out.mutable_usage());
        out.set_first_ms(group.first_ms);
        out.set_last_ms(group.last_ms);
        out.set_project(group.project);
        for (const std::string& model : group.models)
            out.add_models(model);
        for (const auto& [model, usage] : group.by_model)
            fill_usage(usage, (*out.mutable_by_model())[model]);
    }
    return reply;
}

v1::BlocksReply blocks_proto(const std::vector<BlockTotals>& blocks) {
    v1::BlocksReply reply;
    for (const BlockTotals& block : blocks)
        fill_block(block, *reply.add_blocks());
    return reply;
}

v1::SessionReply session_proto(const SessionDetail& detail) {
    v1::SessionReply reply;
    reply.set_session_id(detail.session_id);
    reply.set_project(detail.project);
    fill_usage(detail.usage, *reply.mutable_usage());
    fill_usage(detail.main, *reply.mutable_main());
    fill_usage(detail.subagents, *reply.mutable_subagents());
    if (detail.activity)
        fill_activity(*detail.activity, *reply.mutable_activity());
    for (const auto& [model, usage] : detail.by_model)
        fill_usage(usage, (*reply.mutable_by_model())[model]);
    reply.set_first_ms(detail.first_ms);
    reply.set_last_ms(detail.last_ms);
    reply.set_listed_responses(detail.listed_responses);
    reply.set_turn_count(detail.turn_count);
    if (detail.next_before_ms)
        reply.set_next_before_ms(*detail.next_before_ms);
    for (const AgentTotals& agent : detail.agents) {
        v1::AgentUsage& out = *reply.add_agents();
        out.set_agent_id(agent.agent_id);
        out.set_first_ms(agent.first_ms);
        fill_usage(agent.usage, *out.mutable_usage());
        for (const std::string& model : agent.models)
            out.add_models(model);
    }
    for (const TurnTotals& turn : detail.turns) {
        v1::Turn& out = *reply.add_turns();
        out.set_number(turn.number);
        out.set_start_ms(turn.start_ms);
        fill_usage(turn.usage, *out.mutable_usage());
        fill_usage(turn.main, *out.mutable_main());
        fill_usage(turn.subagents, *out.mutable_subagents());
        for (const std::string& model : turn.models)
            out.add_models(model);
        for (const ResponseCost& item : turn.responses) {
            v1::Response& response = *out.add_responses();
            response.set_message_id(item.response.message_id);
            response.set_request_id(item.response.request_id);
            response.set_timestamp_ms(item.response.timestamp_ms);
            response.set_model(item.response.model);
            response.set_is_sidechain(item.response.is_sidechain);
            response.set_agent_id(item.response.agent_id);
            UsageTotals one;
            one.add(item.response.model, 1, item.response.tokens, item.cost_pico_usd);
            fill_usage(one, *response.mutable_usage());
        }
    }
    return reply;
}

void fill_exported_response(const PricedResponse& priced, v1::ExportedResponse& out) {
    const UsageRecord& r = priced.response;
    out.Clear();
    out.set_message_id(r.message_id);
    out.set_request_id(r.request_id);
    out.set_timestamp_ms(r.timestamp_ms);
    out.set_session_id(r.session_id);
    out.set_project(r.cwd);
    out.set_model(r.model);
    out.set_speed(r.speed);
    out.set_service_tier(r.service_tier);
    out.set_long_context(is_long_context(r.tokens));
    out.set_is_sidechain(r.is_sidechain);
    out.set_agent_id(r.agent_id);
    UsageTotals totals;
    totals.add(r.model, 1, r.tokens, priced.cost_pico_usd, priced.client_priced);
    fill_usage(totals, *out.mutable_usage());
    if (priced.cost_pico_usd)
        out.set_cost_pico_usd(*priced.cost_pico_usd);
}

void fill_limit_forecast(const LimitForecast& forecast, v1::LimitForecast& out) {
    out.set_bucket(forecast.bucket);
    out.set_used_percentage(forecast.used_percentage);
    out.set_observed_ms(forecast.observed_ms);
    if (forecast.resets_at_ms)
        out.set_resets_at_ms(*forecast.resets_at_ms);
    if (forecast.percent_per_hour)
        out.set_percent_per_hour(*forecast.percent_per_hour);
    if (forecast.full_at_ms)
        out.set_full_at_ms(*forecast.full_at_ms);
    out.set_full_before_reset(forecast.full_before_reset);
    out.set_reset_since_observed(forecast.reset_since_observed);
}

v1::LimitsReply limits_proto(const LimitsFigures& figures, int64_t now_ms) {
    v1::LimitsReply reply;
    for (const LimitForecast& forecast : figures.limits)
        fill_limit_forecast(forecast, *reply.add_limits());
    fill_usage(figures.today, *reply.mutable_today());
    fill_usage(figures.this_week, *reply.mutable_this_week());
    fill_usage(figures.this_month, *reply.mutable_this_month());
    reply.set_now_ms(now_ms);
    return reply;
}

}  // namespace ccmeter
