#include "web/web_api.hpp"

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <ctime>
#include <utility>

#include "common/app_paths.hpp"
#include "common/budget_config.hpp"
#include "common/export_format.hpp"
#include "common/json_text.hpp"
#include "common/local_periods.hpp"
#include "common/saturating_int.hpp"
#include "common/stats_format.hpp"
#include "common/tools_format.hpp"
#include "core/cost_parts.hpp"
#include "core/period_comparison.hpp"
#include "core/turn_costs.hpp"
#include "core/usage_queries.hpp"
#include "wire/team_proto.hpp"
#include "wire/tools_proto.hpp"
#include "wire/usage_proto.hpp"

namespace ccmeter {

namespace json = boost::json;

namespace {

// Rows in each of the Insights tab's lists (most expensive turns, sessions).
constexpr size_t k_insight_rows = 10;

double usd_of_micro(int64_t micro) {
    return static_cast<double>(micro) / 1e6;
}
double usd_of_pico(int64_t pico) {
    return usd_of_micro(micro_usd(pico));
}

WebReply json_reply(const json::object& object, int status = 200) {
    WebReply reply;
    reply.status = status;
    reply.body = to_json_text(object);
    return reply;
}

WebReply error_reply(int status, const std::string& message) {
    json::object object;
    object["error"] = message;
    return json_reply(object, status);
}

WebReply from_error(const Error& error) {
    switch (error.kind) {
        case ErrorKind::not_found:
            return error_reply(404, error.message);
        case ErrorKind::invalid_argument:
            return error_reply(400, error.message);
        case ErrorKind::unavailable:
            return error_reply(503, error.message);
        case ErrorKind::internal:
            break;
    }
    return error_reply(500, error.message);
}

json::object cost_parts_json(const CostParts& parts) {
    json::object object;
    object["input_usd"] = usd_of_pico(parts.input);
    object["output_usd"] = usd_of_pico(parts.output);
    object["cache_write_usd"] = usd_of_pico(parts.cache_write);
    object["cache_read_usd"] = usd_of_pico(parts.cache_read);
    object["web_search_usd"] = usd_of_pico(parts.web_search);
    object["cache_savings_usd"] = usd_of_pico(parts.cache_savings);
    return object;
}

// Share of the prompt that came from the cache: read / (input + write + read); 0 without input.
double cache_hit_rate(const json::object& usage) {
    const double read = usage.at("cache_read_input_tokens").to_number<double>();
    const double prompt = usage.at("input_tokens").to_number<double>() +
                          usage.at("cache_creation_input_tokens").to_number<double>() + read;
    return prompt > 0 ? read / prompt : 0.0;
}

// Appends cache_hit_rate and cache_savings_usd to each item of `items` (keyed by `key_name`)
// and to `totals`.
void add_cache_figures(json::object& root, const char* list_name, const char* key_name,
                       const std::map<std::string, CostParts>& parts) {
    CostParts all;
    for (json::value& item : root[list_name].as_array()) {
        json::object& object = item.as_object();
        const std::string key(object.at(key_name).as_string());
        auto found = parts.find(key);
        const CostParts mine = found == parts.end() ? CostParts{} : found->second;
        all.add(mine);
        object["cache_hit_rate"] = cache_hit_rate(object);
        object["cache_savings_usd"] = usd_of_pico(mine.cache_savings);
    }
    json::object& totals = root["totals"].as_object();
    totals["cache_hit_rate"] = cache_hit_rate(totals);
    totals["cache_savings_usd"] = usd_of_pico(all.cache_savings);
}

json::object time_zone_json(int64_t at_ms) {
    const time_t seconds = static_cast<time_t>(at_ms / 1000);
    std::tm parts{};
    localtime_r(&seconds, &parts);
    json::object zone;
    zone["name"] = parts.tm_zone ? parts.tm_zone : "";
    zone["utc_offset_minutes"] = parts.tm_gmtoff / 60;
    return zone;
}

// USD per million tokens (PriceRule units are micro-dollars per million).
json::object prices_json(const TokenPrices& prices) {
    json::object object;
    object["input"] = usd_of_micro(prices.input);
    object["cache_write_5m"] = usd_of_micro(prices.cache_write_5m);
    object["cache_write_1h"] = usd_of_micro(prices.cache_write_1h);
    object["cache_read"] = usd_of_micro(prices.cache_read);
    object["output"] = usd_of_micro(prices.output);
    return object;
}

}  // namespace

WebApi::WebApi(MeterQueries& queries, const IngestLoop& loop) : m_queries(queries), m_loop(loop) {}

WebReply WebApi::answer(const ApiRequest& request) {
    switch (request.endpoint) {
        case ApiEndpoint::meta:
            return meta(request);
        case ApiEndpoint::summary:
            return summary(request);
        case ApiEndpoint::daily:
            return daily(request);
        case ApiEndpoint::sessions:
            return sessions(request);
        case ApiEndpoint::session:
            return session(request);
        case ApiEndpoint::projects:
            return projects(request);
        case ApiEndpoint::models:
            return models(request);
        case ApiEndpoint::blocks:
            return blocks(request);
        case ApiEndpoint::active:
            return active(request);
        case ApiEndpoint::heatmap:
            return heatmap(request);
        case ApiEndpoint::check:
            return check(request);
        case ApiEndpoint::limits:
            return limits(request);
        case ApiEndpoint::responses:
            return responses(request);
        case ApiEndpoint::insights:
            return insights(request);
        case ApiEndpoint::compare:
            return compare(request);
        case ApiEndpoint::activity:
            return activity(request);
        case ApiEndpoint::branches:
            return branches(request);
        case ApiEndpoint::team:
            return team(request);
        case ApiEndpoint::tools:
            return tools(request);
        case ApiEndpoint::events:
        case ApiEndpoint::unknown:
            break;
    }
    return error_reply(404, "no such API endpoint");
}

WebReply WebApi::meta(const ApiRequest& request) {
    Result<StoreCounts> counts = m_queries.counts();
    if (!counts)
        return from_error(counts.error());
    json::object object;
    object["version"] = CCMETER_VERSION;
    object["now_ms"] = request.now_ms;
    object["time_zone"] = time_zone_json(request.now_ms);
    object["responses"] = counts->responses;
    object["files"] = counts->files;
    object["first_response_ms"] = counts->time_range ? counts->time_range->first : 0;
    object["last_response_ms"] = counts->time_range ? counts->time_range->second : 0;
    object["last_ingest_ms"] = m_loop.last_ingest_ms();
    object["caught_up"] = m_loop.caught_up();
    object["watch_mode"] = m_loop.watch_mode();
    object["watch_problem"] = m_loop.watch_problem();
    return json_reply(object);
}

WebReply WebApi::summary(const ApiRequest& request) {
    Result<std::vector<PeriodTotals>> periods =
        m_queries.periods(request.boundaries, ResponseFilter{}, false);
    if (!periods)
        return from_error(periods.error());
    json::object object =
        summary_json(summary_from_periods(periods_proto(*periods), request.today_start_ms,
                                          request.week_start_ms, request.month_start_ms));
    Result<std::vector<CostParts>> parts =
        m_queries.cost_parts_by_periods(request.boundaries, ResponseFilter{});
    if (!parts)
        return from_error(parts.error());
    CostParts today, week, month, all;
    for (size_t i = 0; i < parts->size() && i + 1 < request.boundaries.size(); ++i) {
        const int64_t start = request.boundaries[i];
        const CostParts& period = (*parts)[i];
        all.add(period);
        if (start >= request.month_start_ms)
            month.add(period);
        if (start >= request.week_start_ms)
            week.add(period);
        if (start >= request.today_start_ms)
            today.add(period);
    }
    json::object cost_parts;
    cost_parts["today"] = cost_parts_json(today);
    cost_parts["this_week"] = cost_parts_json(week);
    cost_parts["this_month"] = cost_parts_json(month);
    cost_parts["all_time"] = cost_parts_json(all);
    object["cost_parts"] = std::move(cost_parts);
    object["today_start_ms"] = request.today_start_ms;
    object["week_start_ms"] = request.week_start_ms;
    object["month_start_ms"] = request.month_start_ms;
    object["now_ms"] = request.now_ms;
    return json_reply(object);
}

Result<std::vector<int64_t>> WebApi::last_days(const ApiRequest& request) {
    if (request.days > 0)
        return day_boundaries(first_day_start(request.today_start_ms, request.days),
                              request.now_ms);
    CCMETER_TRY_ASSIGN(StoreCounts counts, m_queries.counts());
    if (!counts.time_range)
        return std::vector<int64_t>{};
    return day_boundaries(counts.time_range->first,
                          std::max(counts.time_range->second, request.now_ms));
}

WebReply WebApi::daily(const ApiRequest& request) {
    Result<std::vector<int64_t>> days = last_days(request);
    if (!days)
        return from_error(days.error());
    const std::vector<int64_t>& boundaries = *days;
    v1::PeriodsReply reply;
    if (!boundaries.empty()) {
        Result<std::vector<PeriodTotals>> periods =
            m_queries.periods(boundaries, ResponseFilter{}, true);
        if (!periods)
            return from_error(periods.error());
        reply = periods_proto(*periods);
    }
    // Days without responses are left out by periods_json, as in `hookctl stats daily`.
    std::vector<std::string> labels;
    for (const v1::Period& period : reply.periods())
        labels.push_back(day_label(period.start_ms()));
    json::object object = periods_json(reply, labels, true);
    object["since_ms"] = boundaries.empty() ? 0 : boundaries.front();
    object["until_ms"] = boundaries.empty() ? 0 : boundaries.back();
    return json_reply(object);
}

Result<v1::GroupsReply> WebApi::groups(Grouping kind, const ResponseFilter& filter) {
    Result<std::vector<GroupTotals>> groups = m_queries.groups(kind, filter, false);
    if (!groups)
        return groups.error();
    return groups_proto(*groups);
}

WebReply WebApi::sessions(const ApiRequest&) {
    Result<v1::GroupsReply> reply = groups(Grouping::session, {});
    if (!reply)
        return from_error(reply.error());
    return json_reply(sessions_json(*reply, false));
}

WebReply WebApi::session(const ApiRequest& request) {
    SessionPage page;
    page.limit = static_cast<size_t>(request.limit);
    page.before_ms = request.before_ms;
    Result<SessionDetail> detail = m_queries.session(request.session_id, page);
    if (!detail)
        return from_error(detail.error());
    return json_reply(session_json(session_proto(*detail)));
}

WebReply WebApi::projects(const ApiRequest&) {
    Result<v1::GroupsReply> reply = groups(Grouping::project, {});
    if (!reply)
        return from_error(reply.error());
    json::object object = projects_json(*reply, false);
    Result<std::map<std::string, CostParts>> parts =
        m_queries.cost_parts_by_group(Grouping::project, ResponseFilter{});
    if (!parts)
        return from_error(parts.error());
    add_cache_figures(object, "projects", "project", *parts);
    return json_reply(object);
}

WebReply WebApi::models(const ApiRequest& request) {
    Result<v1::GroupsReply> reply = groups(Grouping::model, {});
    if (!reply)
        return from_error(reply.error());
    json::object object = models_json(*reply);
    Result<std::map<std::string, CostParts>> parts =
        m_queries.cost_parts_by_group(Grouping::model, ResponseFilter{});
    if (!parts)
        return from_error(parts.error());
    add_cache_figures(object, "models", "model", *parts);
    // Today's prices, USD per million tokens; null for a model without a price.
    const std::shared_ptr<const PriceTable> prices = m_queries.prices();
    for (json::value& item : object["models"].as_array()) {
        json::object& model = item.as_object();
        const PriceRule* rule = prices->find(model.at("model").as_string(), request.now_ms);
        if (rule)
            model["prices"] = prices_json(rule->prices);
        else
            model["prices"] = nullptr;
    }
    return json_reply(object);
}

WebReply WebApi::blocks(const ApiRequest& request) {
    ResponseFilter filter;
    if (request.since_ms > 0)
        filter.since_ms = request.since_ms;
    Result<std::vector<BlockTotals>> blocks = m_queries.blocks(filter, request.now_ms);
    if (!blocks)
        return from_error(blocks.error());
    json::object object = blocks_json(blocks_proto(*blocks));
    object["since_ms"] = request.since_ms;
    object["now_ms"] = request.now_ms;
    return json_reply(object);
}

WebReply WebApi::active(const ApiRequest& request) {
    ResponseFilter recent_filter;
    recent_filter.since_ms = request.since_ms;
    Result<v1::GroupsReply> recent = groups(Grouping::session, recent_filter);
    if (!recent)
        return from_error(recent.error());
    // Each recently active session with its whole-session totals, most recent first.
    v1::GroupsReply whole;
    for (const v1::Group& group : recent->groups()) {
        ResponseFilter one_filter;
        one_filter.session_id = group.key();
        Result<v1::GroupsReply> one = groups(Grouping::session, one_filter);
        if (!one)
            return from_error(one.error());
        for (const v1::Group& found : one->groups())
            *whole.add_groups() = found;
    }
    json::object object = sessions_json(whole, false);
    object["since_ms"] = request.since_ms;
    object["now_ms"] = request.now_ms;
    return json_reply(object);
}

WebReply WebApi::tools(const ApiRequest& request) {
    ResponseFilter filter;
    if (request.since_ms > 0)
        filter.since_ms = request.since_ms;
    Result<std::vector<ToolStats>> tools = m_queries.tools(filter);
    if (!tools)
        return from_error(tools.error());
    return json_reply(tools_json(tools_proto(*tools)));
}

WebReply WebApi::heatmap(const ApiRequest& request) {
    ResponseFilter filter;
    if (request.since_ms > 0)
        filter.since_ms = request.since_ms;
    Result<UsageHeatmap> heatmap = m_queries.heatmap(filter);
    if (!heatmap)
        return from_error(heatmap.error());
    json::array cells;
    int64_t max_cost_micro = 0;
    for (size_t weekday = 0; weekday < heatmap->cells.size(); ++weekday) {
        for (size_t hour = 0; hour < heatmap->cells[weekday].size(); ++hour) {
            const UsageTotals& usage = heatmap->cells[weekday][hour];
            if (usage.responses == 0)
                continue;
            json::object cell;
            cell["weekday"] = weekday;
            cell["hour"] = hour;
            append_usage(cell, usage_proto(usage));
            max_cost_micro = std::max(max_cost_micro, micro_usd(usage.cost_pico_usd));
            cells.push_back(std::move(cell));
        }
    }
    json::object object;
    object["cells"] = std::move(cells);
    object["max_cost_usd"] = usd_of_micro(max_cost_micro);
    object["since_ms"] = request.since_ms;
    object["time_zone"] = time_zone_json(request.now_ms);
    return json_reply(object);
}

WebReply WebApi::check(const ApiRequest& request) {
    Result<std::vector<SessionCheck>> sessions = m_queries.client_check(
        request.since_ms != 0 ? std::optional<int64_t>(request.since_ms) : std::nullopt,
        std::nullopt);
    if (!sessions)
        return from_error(sessions.error());
    json::object object = check_json(check_proto(*sessions));
    object["since_ms"] = request.since_ms;
    return json_reply(object);
}

// The most recent responses, newest first, each a row of `hookctl export --what responses
// --format json` (token metadata only: ccmeter stores no content, so none can be shown).
WebReply WebApi::responses(const ApiRequest& request) {
    Result<std::vector<PricedResponse>> latest =
        m_queries.latest_responses(ResponseFilter{}, static_cast<size_t>(request.limit));
    if (!latest)
        return from_error(latest.error());
    json::array rows;
    rows.reserve(latest->size());
    v1::ExportedResponse message;
    for (const PricedResponse& priced : *latest) {
        message.Clear();
        fill_exported_response(priced, message);
        rows.push_back(response_export_json(message));
    }
    json::object object;
    object["responses"] = std::move(rows);
    object["limit"] = request.limit;
    return json_reply(object);
}

// The Insights tab's history-wide figures: turn costs (turn_costs.hpp) and the most expensive
// sessions. Cached like every full-history answer.
// `hookctl stats branches --json`: cost per git branch of each project.
WebReply WebApi::branches(const ApiRequest&) {
    Result<v1::GroupsReply> reply = groups(Grouping::branch, {});
    if (!reply)
        return from_error(reply.error());
    return json_reply(branches_json(*reply));
}

WebReply WebApi::insights(const ApiRequest&) {
    Result<TurnCostSpread> spread = m_queries.turn_costs(ResponseFilter{}, k_insight_rows);
    if (!spread)
        return from_error(spread.error());
    json::object object;
    object["turns"] = spread->turns;
    object["p50_turn_usd"] = usd_of_micro(spread->p50_micro_usd);
    object["p90_turn_usd"] = usd_of_micro(spread->p90_micro_usd);
    object["p99_turn_usd"] = usd_of_micro(spread->p99_micro_usd);
    json::array buckets;
    for (const TurnCostBucket& bucket : spread->buckets) {
        json::object item;
        item["below_usd"] = bucket.below_micro_usd < 0
                                ? json::value(nullptr)
                                : json::value(usd_of_micro(bucket.below_micro_usd));
        item["turns"] = bucket.turns;
        buckets.push_back(std::move(item));
    }
    object["turn_cost_buckets"] = std::move(buckets);
    json::array turns;
    for (const TurnCost& turn : spread->most_expensive) {
        json::object item;
        item["session_id"] = turn.session_id;
        item["project"] = turn.project;
        item["start_ms"] = turn.start_ms;
        append_usage(item, usage_proto(turn.usage));
        turns.push_back(std::move(item));
    }
    object["top_turns"] = std::move(turns);

    Result<std::vector<GroupTotals>> sessions =
        m_queries.groups(Grouping::session, ResponseFilter{}, false);
    if (!sessions)
        return from_error(sessions.error());
    std::stable_sort(sessions->begin(), sessions->end(),
                     [](const GroupTotals& a, const GroupTotals& b) {
                         return a.usage.cost_pico_usd > b.usage.cost_pico_usd;
                     });
    if (sessions->size() > k_insight_rows)
        sessions->resize(k_insight_rows);
    object["top_sessions"] = sessions_json(groups_proto(*sessions), false).at("sessions");
    return json_reply(object);
}

// This week and month so far against the last ones cut at the same point
// (period_comparison.hpp), and the month at API prices against the plan in budgets.json.
WebReply WebApi::compare(const ApiRequest& request) {
    json::object object;
    const auto span_json = [](int64_t start, int64_t end, const UsageTotals& usage) {
        json::object item = usage_json(usage_proto(usage));
        item["start_ms"] = start;
        item["end_ms"] = end;
        return item;
    };
    int64_t month_so_far_micro = 0;
    const PeriodKind kinds[] = {PeriodKind::week, PeriodKind::month};
    std::vector<ComparisonSpans> all_spans;
    for (PeriodKind kind : kinds) {
        const int64_t this_start =
            kind == PeriodKind::week ? request.week_start_ms : request.month_start_ms;
        const int64_t last_start = local_period_start(kind, this_start - 1);
        all_spans.push_back(comparison_spans(last_start, this_start, request.now_ms));
    }
    // Both comparisons from one snapshot of the history.
    Result<std::vector<std::pair<UsageTotals, UsageTotals>>> compared =
        m_queries.compare(all_spans);
    if (!compared)
        return from_error(compared.error());
    for (size_t i = 0; i < std::size(kinds); ++i) {
        const PeriodKind kind = kinds[i];
        const ComparisonSpans& spans = all_spans[i];
        const std::pair<UsageTotals, UsageTotals>* usage = &(*compared)[i];
        const int64_t last_micro = micro_usd(usage->first.cost_pico_usd);
        const int64_t this_micro = micro_usd(usage->second.cost_pico_usd);
        json::object item;
        item["last"] = span_json(spans.last_start_ms, spans.last_cut_ms, usage->first);
        item["this"] = span_json(spans.this_start_ms, spans.now_ms, usage->second);
        const std::optional<int64_t> change = change_per_mille(last_micro, this_micro);
        item["change_per_mille"] = change ? json::value(*change) : json::value(nullptr);
        object[kind == PeriodKind::week ? "week" : "month"] = std::move(item);
        if (kind == PeriodKind::month)
            month_so_far_micro = this_micro;
    }
    const int64_t month_end = local_next_period_start(PeriodKind::month, request.month_start_ms);
    const std::optional<int64_t> projected =
        projected_micro_usd(month_so_far_micro, request.month_start_ms, month_end, request.now_ms);
    // A budgets file the user is editing may be broken for a moment: the rest still shows.
    Result<Budgets> budgets = load_budgets(default_budgets_path());
    json::object plan;
    plan["month_start_ms"] = request.month_start_ms;
    plan["month_end_ms"] = month_end;
    plan["month_so_far_usd"] = usd_of_micro(month_so_far_micro);
    plan["projected_month_usd"] =
        projected ? json::value(usd_of_micro(*projected)) : json::value(nullptr);
    const int64_t plan_micro =
        budgets && budgets->plan_micro_usd_per_month ? *budgets->plan_micro_usd_per_month : 0;
    plan["plan_usd_per_month"] =
        plan_micro > 0 ? json::value(usd_of_micro(plan_micro)) : json::value(nullptr);
    // The projected month as a multiple of the plan, in per-mille (4200: 4.2 times the plan).
    plan["projected_per_mille_of_plan"] =
        plan_micro > 0 && projected
            ? json::value(saturating_multiply_divide(*projected, 1000, plan_micro))
            : json::value(nullptr);
    plan["budgets_error"] = budgets ? std::string() : budgets.error().message;
    object["plan"] = std::move(plan);
    object["now_ms"] = request.now_ms;
    return json_reply(object);
}

// `hookctl stats activity --json` over the last N local days: what the client's processes
// did (session_activity.hpp).
WebReply WebApi::activity(const ApiRequest& request) {
    Result<std::vector<int64_t>> days = last_days(request);
    if (!days)
        return from_error(days.error());
    v1::ActivityReply reply;
    if (days->size() >= 2) {
        Result<ActivityReport> report = m_queries.activity(*days, ResponseFilter{});
        if (!report)
            return from_error(report.error());
        reply = activity_proto(*report);
    }
    std::vector<std::string> labels;
    for (const v1::ActivityPeriod& period : reply.periods())
        labels.push_back(day_label(period.start_ms()));
    json::object object = activity_report_json(reply, labels);
    object["since_ms"] = days->empty() ? 0 : days->front();
    object["until_ms"] = days->empty() ? 0 : days->back();
    return json_reply(object);
}

WebReply WebApi::limits(const ApiRequest& request) {
    Result<LimitsFigures> figures = m_queries.limits(request.now_ms, request.today_start_ms,
                                                     request.week_start_ms, request.month_start_ms);
    if (!figures)
        return from_error(figures.error());
    const v1::LimitsReply reply = limits_proto(*figures, request.now_ms);
    // A budgets file the user is editing may be broken for a moment: the limits still show.
    Result<Budgets> budgets = load_budgets(default_budgets_path());
    json::object object = limits_json(reply, budgets ? *budgets : Budgets{});
    object["budgets_error"] = budgets ? std::string() : budgets.error().message;
    return json_reply(object);
}

WebReply WebApi::team(const ApiRequest& request) {
    const TeamQueries unconfigured(std::nullopt, {});
    const TeamQueries& queries = m_team ? *m_team : unconfigured;
    Result<TeamAnswer> answer =
        queries.report(*parse_team_view(request.team_view), std::nullopt, std::nullopt);
    if (!answer)
        return from_error(answer.error());
    return json_reply(team_json(team_proto(*answer)));
}

}  // namespace ccmeter
