#include "web/web_api.hpp"

#include "server/usage_proto.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <ctime>
#include <utility>

#include "core/cost_parts.hpp"
#include "core/json_text.hpp"
#include "core/usage_queries.hpp"
#include "hookctl/local_periods.hpp"
#include "hookctl/stats_format.hpp"
#include "web/usage_heatmap.hpp"

namespace ccmeter {

namespace json = boost::json;

namespace {

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

WebReply from_status(const grpc::Status& status) {
    switch (status.error_code()) {
        case grpc::StatusCode::NOT_FOUND:
            return error_reply(404, status.error_message());
        case grpc::StatusCode::INVALID_ARGUMENT:
            return error_reply(400, status.error_message());
        case grpc::StatusCode::UNAVAILABLE:
            return error_reply(503, status.error_message());
        default:
            return error_reply(500, status.error_message());
    }
}

// UsageTotals as the wire's Usage, exactly as MeterService fills it.
v1::Usage usage_of(const UsageTotals& totals) {
    v1::Usage usage;
    fill_usage(totals, usage);
    return usage;
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

WebApi::WebApi(MeterService& service, PriceTable prices, std::filesystem::path database)
    : m_service(service), m_prices(std::move(prices)), m_database(std::move(database)) {}

Result<UsageStore*> WebApi::reader() {
    if (!m_reader) {
        Result<std::unique_ptr<UsageStore>> opened = UsageStore::open_read_only(m_database);
        if (!opened)
            return opened.error();
        m_reader = std::move(*opened);
    }
    return m_reader.get();
}

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
        case ApiEndpoint::events:
        case ApiEndpoint::unknown:
            break;
    }
    return error_reply(404, "no such API endpoint");
}

WebReply WebApi::meta(const ApiRequest& request) {
    v1::HealthRequest health_request;
    v1::HealthReply health;
    if (grpc::Status status = m_service.Health(nullptr, &health_request, &health); !status.ok())
        return from_status(status);
    json::object object;
    object["version"] = health.version();
    object["now_ms"] = request.now_ms;
    object["time_zone"] = time_zone_json(request.now_ms);
    object["responses"] = health.responses();
    object["files"] = health.files();
    object["first_response_ms"] = health.first_response_ms();
    object["last_response_ms"] = health.last_response_ms();
    object["last_ingest_ms"] = health.last_ingest_ms();
    object["caught_up"] = health.pending_files() == 0;
    object["watch_mode"] = health.watch_mode();
    return json_reply(object);
}

WebReply WebApi::summary(const ApiRequest& request) {
    v1::PeriodsRequest periods_request;
    for (int64_t boundary : request.boundaries)
        periods_request.add_boundaries_ms(boundary);
    v1::PeriodsReply reply;
    if (grpc::Status status = m_service.Periods(nullptr, &periods_request, &reply); !status.ok())
        return from_status(status);
    json::object object = hookctl::summary_json(hookctl::summary_from_periods(
        reply, request.today_start_ms, request.week_start_ms, request.month_start_ms));

    Result<UsageStore*> store = reader();
    if (!store)
        return error_reply(503, store.error().message);
    Result<std::vector<CostParts>> parts =
        cost_parts_by_periods(**store, m_prices, request.boundaries, ResponseFilter{});
    if (!parts)
        return error_reply(500, parts.error().message);
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

WebReply WebApi::daily(const ApiRequest& request) {
    std::vector<int64_t> boundaries;
    if (request.days > 0) {
        boundaries = hookctl::day_boundaries(first_day_start(request.today_start_ms, request.days),
                                             request.now_ms);
    } else {
        Result<UsageStore*> store = reader();
        if (!store)
            return error_reply(503, store.error().message);
        if (std::optional<std::pair<int64_t, int64_t>> range = (*store)->response_time_range())
            boundaries =
                hookctl::day_boundaries(range->first, std::max(range->second, request.now_ms));
    }
    v1::PeriodsReply reply;
    if (!boundaries.empty()) {
        v1::PeriodsRequest periods_request;
        for (int64_t boundary : boundaries)
            periods_request.add_boundaries_ms(boundary);
        periods_request.set_breakdown(true);
        if (grpc::Status status = m_service.Periods(nullptr, &periods_request, &reply);
            !status.ok())
            return from_status(status);
    }
    // Days without responses are left out by periods_json, as in `hookctl stats daily`.
    std::vector<std::string> labels;
    for (const v1::Period& period : reply.periods())
        labels.push_back(hookctl::day_label(period.start_ms()));
    json::object object = hookctl::periods_json(reply, labels, true);
    object["since_ms"] = boundaries.empty() ? 0 : boundaries.front();
    object["until_ms"] = boundaries.empty() ? 0 : boundaries.back();
    return json_reply(object);
}

WebReply WebApi::sessions(const ApiRequest&) {
    v1::GroupsRequest groups_request;
    groups_request.set_group_by(v1::GROUP_BY_SESSION);
    v1::GroupsReply reply;
    if (grpc::Status status = m_service.Groups(nullptr, &groups_request, &reply); !status.ok())
        return from_status(status);
    return json_reply(hookctl::sessions_json(reply, false));
}

WebReply WebApi::session(const ApiRequest& request) {
    v1::SessionRequest session_request;
    session_request.set_session_id(request.session_id);
    v1::SessionReply reply;
    if (grpc::Status status = m_service.Session(nullptr, &session_request, &reply); !status.ok())
        return from_status(status);
    return json_reply(hookctl::session_json(reply));
}

WebReply WebApi::projects(const ApiRequest&) {
    v1::GroupsRequest groups_request;
    groups_request.set_group_by(v1::GROUP_BY_PROJECT);
    v1::GroupsReply reply;
    if (grpc::Status status = m_service.Groups(nullptr, &groups_request, &reply); !status.ok())
        return from_status(status);
    json::object object = hookctl::projects_json(reply, false);
    Result<UsageStore*> store = reader();
    if (!store)
        return error_reply(503, store.error().message);
    Result<std::map<std::string, CostParts>> parts =
        cost_parts_by_group(**store, m_prices, GroupKind::project, ResponseFilter{});
    if (!parts)
        return error_reply(500, parts.error().message);
    add_cache_figures(object, "projects", "project", *parts);
    return json_reply(object);
}

WebReply WebApi::models(const ApiRequest& request) {
    v1::GroupsRequest groups_request;
    groups_request.set_group_by(v1::GROUP_BY_MODEL);
    v1::GroupsReply reply;
    if (grpc::Status status = m_service.Groups(nullptr, &groups_request, &reply); !status.ok())
        return from_status(status);
    json::object object = hookctl::models_json(reply);
    Result<UsageStore*> store = reader();
    if (!store)
        return error_reply(503, store.error().message);
    Result<std::map<std::string, CostParts>> parts =
        cost_parts_by_group(**store, m_prices, GroupKind::model, ResponseFilter{});
    if (!parts)
        return error_reply(500, parts.error().message);
    add_cache_figures(object, "models", "model", *parts);
    // Today's prices, USD per million tokens; null for a model without a price.
    for (json::value& item : object["models"].as_array()) {
        json::object& model = item.as_object();
        const PriceRule* rule = m_prices.find(model.at("model").as_string(), request.now_ms);
        if (rule)
            model["prices"] = prices_json(rule->prices);
        else
            model["prices"] = nullptr;
    }
    return json_reply(object);
}

WebReply WebApi::blocks(const ApiRequest& request) {
    v1::BlocksRequest blocks_request;
    if (request.since_ms > 0)
        blocks_request.mutable_filter()->set_since_ms(request.since_ms);
    blocks_request.set_now_ms(request.now_ms);
    v1::BlocksReply reply;
    if (grpc::Status status = m_service.Blocks(nullptr, &blocks_request, &reply); !status.ok())
        return from_status(status);
    json::object object = hookctl::blocks_json(reply);
    object["since_ms"] = request.since_ms;
    object["now_ms"] = request.now_ms;
    return json_reply(object);
}

WebReply WebApi::active(const ApiRequest& request) {
    v1::GroupsRequest recent_request;
    recent_request.set_group_by(v1::GROUP_BY_SESSION);
    recent_request.mutable_filter()->set_since_ms(request.since_ms);
    v1::GroupsReply recent;
    if (grpc::Status status = m_service.Groups(nullptr, &recent_request, &recent); !status.ok())
        return from_status(status);
    // Each recently active session with its whole-session totals, most recent first.
    v1::GroupsReply whole;
    for (const v1::Group& group : recent.groups()) {
        v1::GroupsRequest one_request;
        one_request.set_group_by(v1::GROUP_BY_SESSION);
        one_request.mutable_filter()->set_session_id(group.key());
        v1::GroupsReply one;
        if (grpc::Status status = m_service.Groups(nullptr, &one_request, &one); !status.ok())
            return from_status(status);
        for (const v1::Group& found : one.groups())
            *whole.add_groups() = found;
    }
    json::object object = hookctl::sessions_json(whole, false);
    object["since_ms"] = request.since_ms;
    object["now_ms"] = request.now_ms;
    return json_reply(object);
}

WebReply WebApi::heatmap(const ApiRequest& request) {
    Result<UsageStore*> store = reader();
    if (!store)
        return error_reply(503, store.error().message);
    ResponseFilter filter;
    if (request.since_ms > 0)
        filter.since_ms = request.since_ms;
    Result<UsageHeatmap> heatmap = usage_heatmap(**store, m_prices, filter);
    if (!heatmap)
        return error_reply(500, heatmap.error().message);
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
            json::object figures = hookctl::usage_json(usage_of(usage));
            for (auto& field : figures)
                cell[field.key()] = field.value();
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

}  // namespace ccmeter
