#include "core/otlp_parser.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <charconv>
#include <cmath>
#include <unordered_map>

#include "common/iso_time.hpp"
#include "core/price_table.hpp"
#include "core/usage_parser.hpp"

namespace ccmeter {

namespace json = boost::json;

namespace {

// The attributes of one record, by key (values still in their OTLP wrapper).
using Attributes = std::unordered_map<std::string_view, const json::object*>;

Attributes attributes_of(const json::object& record) {
    Attributes attributes;
    const json::value* list = record.if_contains("attributes");
    if (!list || !list->is_array())
        return attributes;
    for (const json::value& item : list->get_array()) {
        const json::object* pair = item.if_object();
        const json::value* key = pair ? pair->if_contains("key") : nullptr;
        const json::value* value = pair ? pair->if_contains("value") : nullptr;
        if (key && key->is_string() && value && value->is_object())
            attributes[std::string_view(key->get_string().data(), key->get_string().size())] =
                &value->get_object();
    }
    return attributes;
}

std::string text_of(const Attributes& attributes, std::string_view key) {
    auto it = attributes.find(key);
    if (it == attributes.end())
        return {};
    const json::value* value = it->second->if_contains("stringValue");
    return value && value->is_string() ? std::string(value->get_string()) : std::string();
}

std::optional<int64_t> parse_digits(std::string_view text) {
    int64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size())
        return std::nullopt;
    return value;
}

// A whole number, whatever wrapper carries it. Absent: `absent`; unusable: nullopt.
std::optional<int64_t> number_of(const Attributes& attributes, std::string_view key,
                                 std::optional<int64_t> absent = 0) {
    auto it = attributes.find(key);
    if (it == attributes.end())
        return absent;
    for (const auto& [kind, value] : *it->second) {
        if (const int64_t* i = value.if_int64())
            return *i;
        if (const uint64_t* u = value.if_uint64())
            return *u <= static_cast<uint64_t>(INT64_MAX) ? std::optional<int64_t>(*u)
                                                          : std::nullopt;
        if (const double* d = value.if_double()) {
            if (!std::isfinite(*d) || std::floor(*d) != *d || std::abs(*d) > 9e15)
                return std::nullopt;
            return static_cast<int64_t>(*d);
        }
        if (value.is_string())
            return parse_digits(
                std::string_view(value.get_string().data(), value.get_string().size()));
        (void)kind;
    }
    return std::nullopt;
}

std::optional<int64_t> count_of(const Attributes& attributes, std::string_view key) {
    std::optional<int64_t> value = number_of(attributes, key);
    if (!value || *value < 0 || *value > k_max_tokens_per_field)
        return std::nullopt;
    return value;
}

// The client's cost: cost_usd_micros when given, else cost_usd (a double, to the pico).
std::optional<int64_t> cost_of(const Attributes& attributes) {
    if (attributes.count("cost_usd_micros")) {
        std::optional<int64_t> micros = number_of(attributes, "cost_usd_micros");
        if (!micros || *micros < 0 || *micros > 1'000'000'000'000)  // $10^6
            return std::nullopt;
        return *micros * 1'000'000;
    }
    auto it = attributes.find("cost_usd");
    if (it == attributes.end())
        return int64_t{0};
    for (const auto& [kind, value] : *it->second) {
        (void)kind;
        double usd = 0;
        if (const double* d = value.if_double())
            usd = *d;
        else if (value.is_int64())
            usd = static_cast<double>(value.get_int64());
        else
            return std::nullopt;
        if (!std::isfinite(usd) || usd < 0 || usd > 1e6)
            return std::nullopt;
        return pico_usd_from_usd(usd);
    }
    return std::nullopt;
}

int64_t time_of(const Attributes& attributes, const json::object& record) {
    if (std::optional<int64_t> at = parse_timestamp_ms(text_of(attributes, "event.timestamp")))
        return *at;
    if (const json::value* nanos = record.if_contains("timeUnixNano")) {
        std::optional<int64_t> value;
        if (nanos->is_string())
            value = parse_digits(
                std::string_view(nanos->get_string().data(), nanos->get_string().size()));
        else if (nanos->is_int64())
            value = nanos->get_int64();
        else if (nanos->is_uint64() && nanos->get_uint64() <= static_cast<uint64_t>(INT64_MAX))
            value = static_cast<int64_t>(nanos->get_uint64());
        if (value && *value > 0)
            return *value / 1'000'000;
    }
    return 0;
}

std::optional<ClientRequest> request_of(const Attributes& a, const json::object& record) {
    ClientRequest request;
    request.request_id = text_of(a, "request_id");
    request.session_id = text_of(a, "session.id");
    if (request.request_id.empty() || request.session_id.empty())
        return std::nullopt;
    request.prompt_id = text_of(a, "prompt.id");
    request.model = text_of(a, "model");
    TokenCounts& t = request.tokens;
    struct Field {
        std::string_view key;
        int64_t* into;
    };
    for (const Field& f :
         {Field{"input_tokens", &t.input_tokens}, Field{"output_tokens", &t.output_tokens},
          Field{"cache_read_tokens", &t.cache_read_input_tokens},
          Field{"cache_creation_tokens", &t.cache_creation_input_tokens},
          Field{"cache_creation_5m_tokens", &t.cache_5m},
          Field{"cache_creation_1h_tokens", &t.cache_1h}}) {
        std::optional<int64_t> value = count_of(a, f.key);
        if (!value)
            return std::nullopt;
        *f.into = *value;
    }
    std::optional<int64_t> cost = cost_of(a);
    std::optional<int64_t> duration = number_of(a, "duration_ms");
    if (!cost || !duration || *duration < 0)
        return std::nullopt;
    request.cost_pico_usd = *cost;
    request.duration_ms = *duration;
    if (a.count("ttft_ms")) {
        std::optional<int64_t> ttft = number_of(a, "ttft_ms");
        if (ttft && *ttft >= 0)
            request.ttft_ms = *ttft;
    }
    request.query_source = text_of(a, "query_source");
    request.agent_name = text_of(a, "agent.name");
    request.speed = text_of(a, "speed");
    if (request.speed == "normal")  // the transcripts' word for it
        request.speed = "standard";
    request.effort = text_of(a, "effort");
    request.timestamp_ms = time_of(a, record);
    return request;
}

std::optional<ToolRun> tool_run_of(const Attributes& a, const json::object& record) {
    ToolRun run;
    run.session_id = text_of(a, "session.id");
    run.tool_name = text_of(a, "tool_name");
    if (run.session_id.empty() || run.tool_name.empty())
        return std::nullopt;
    run.tool_use_id = text_of(a, "tool_use_id");
    std::optional<int64_t> duration = number_of(a, "duration_ms");
    if (!duration || *duration < 0)
        return std::nullopt;
    run.duration_ms = *duration;
    auto success = a.find("success");
    if (success != a.end()) {
        for (const auto& [kind, value] : *success->second) {
            (void)kind;
            run.success = value.is_bool() ? value.get_bool()
                                          : value.is_string() && value.get_string() == "true";
        }
    }
    run.timestamp_ms = time_of(a, record);
    return run;
}

const json::array* array_at(const json::object& object, std::string_view key) {
    const json::value* value = object.if_contains(key);
    return value && value->is_array() ? &value->get_array() : nullptr;
}

Result<json::object> parse_body(std::string_view body, std::string_view top) {
    json::error_code ec;
    json::value root = json::parse(json::string_view(body.data(), body.size()), ec);
    if (ec)
        return Error{"not JSON: " + ec.message(), ErrorKind::invalid_argument};
    if (!root.is_object())
        return Error{"not an OTLP/JSON object", ErrorKind::invalid_argument};
    const json::value* list = root.get_object().if_contains(top);
    if (list && !list->is_array())
        return Error{std::string(top) + " is not an array", ErrorKind::invalid_argument};
    return std::move(root.get_object());
}

}  // namespace

Result<ClientEvents> parse_otlp_logs(std::string_view body) {
    CCMETER_TRY_ASSIGN(json::object root, parse_body(body, "resourceLogs"));
    ClientEvents events;
    const json::array* resources = array_at(root, "resourceLogs");
    if (!resources)
        return events;
    for (const json::value& resource : *resources) {
        const json::array* scopes =
            resource.is_object() ? array_at(resource.get_object(), "scopeLogs") : nullptr;
        if (!resource.is_object())
            return Error{"a resourceLogs entry is not an object", ErrorKind::invalid_argument};
        for (const json::value& scope : scopes ? *scopes : json::array()) {
            const json::array* records =
                scope.is_object() ? array_at(scope.get_object(), "logRecords") : nullptr;
            for (const json::value& item : records ? *records : json::array()) {
                const json::object* record = item.if_object();
                if (!record) {
                    ++events.refused_records;
                    continue;
                }
                const Attributes attributes = attributes_of(*record);
                const std::string name = text_of(attributes, "event.name");
                if (name == "api_request") {
                    if (std::optional<ClientRequest> request = request_of(attributes, *record))
                        events.requests.push_back(std::move(*request));
                    else
                        ++events.refused_records;
                } else if (name == "tool_result") {
                    if (std::optional<ToolRun> run = tool_run_of(attributes, *record))
                        events.tool_runs.push_back(std::move(*run));
                    else
                        ++events.refused_records;
                } else {
                    ++events.other_events;
                }
            }
        }
    }
    return events;
}

Result<ClientEvents> parse_otlp_metrics(std::string_view body) {
    CCMETER_TRY_ASSIGN(json::object root, parse_body(body, "resourceMetrics"));
    ClientEvents events;
    const json::array* resources = array_at(root, "resourceMetrics");
    for (const json::value& resource : resources ? *resources : json::array()) {
        if (!resource.is_object())
            return Error{"a resourceMetrics entry is not an object", ErrorKind::invalid_argument};
        const json::array* scopes = array_at(resource.get_object(), "scopeMetrics");
        for (const json::value& scope : scopes ? *scopes : json::array()) {
            const json::array* metrics =
                scope.is_object() ? array_at(scope.get_object(), "metrics") : nullptr;
            for (const json::value& metric : metrics ? *metrics : json::array()) {
                if (!metric.is_object())
                    continue;
                for (std::string_view kind : {"sum", "gauge", "histogram"}) {
                    const json::value* data = metric.get_object().if_contains(kind);
                    const json::array* points = data && data->is_object()
                                                    ? array_at(data->get_object(), "dataPoints")
                                                    : nullptr;
                    if (points)
                        events.metric_points += static_cast<int64_t>(points->size());
                }
            }
        }
    }
    return events;
}

}  // namespace ccmeter
