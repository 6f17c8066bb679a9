#include "common/status_payload.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "common/iso_time.hpp"

namespace ccmeter {

namespace json = boost::json;

namespace {

const json::value* member(const json::value* value, std::string_view key) {
    const json::object* object = value ? value->if_object() : nullptr;
    return object ? object->if_contains(key) : nullptr;
}

std::string text_of(const json::value* value) {
    return value && value->is_string() ? std::string(value->get_string()) : std::string();
}

std::optional<double> number_of(const json::value* value) {
    if (!value || !value->is_number())
        return std::nullopt;
    return value->to_number<double>();
}

// A reset time given as epoch seconds, epoch milliseconds or an ISO 8601 string.
std::optional<int64_t> time_of(const json::value* value) {
    if (!value)
        return std::nullopt;
    if (value->is_string())
        return parse_timestamp_ms(value->get_string());
    std::optional<double> number = number_of(value);
    if (!number)
        return std::nullopt;
    const double ms = *number < 1e11 ? *number * 1000 : *number;
    // Before 1970 or from the year 10000 on it is no reset time (and past 2^63 no int64 holds
    // it: the cast would be undefined; fuzz_status_payload found one).
    constexpr double k_year_10000_ms = 253'402'300'800'000.0;
    if (!(ms >= 0 && ms < k_year_10000_ms))
        return std::nullopt;
    return static_cast<int64_t>(ms);
}

}  // namespace

Result<StatusPayload> parse_status_payload(std::string_view json_text) {
    json::error_code ec;
    json::value root = json::parse(json_text, ec);
    if (ec || !root.is_object())
        return Error{"the status-line payload is not a JSON object"};
    StatusPayload payload;
    payload.session_id = text_of(member(&root, "session_id"));
    payload.transcript_path = text_of(member(&root, "transcript_path"));
    payload.cwd = text_of(member(&root, "cwd"));
    const json::value* model = member(&root, "model");
    payload.model_id = text_of(member(model, "id"));
    payload.model_display_name = text_of(member(model, "display_name"));
    payload.client_cost_usd = number_of(member(member(&root, "cost"), "total_cost_usd"));
    const json::value* context = member(&root, "context_window");
    payload.context_used_percentage = number_of(member(context, "used_percentage"));
    // A size no int64 holds (or negative, infinite, NaN) is no size: the cast would be
    // undefined (fuzz_status_payload found an infinite one).
    if (const std::optional<double> size = number_of(member(context, "context_window_size"));
        size && *size >= 0 && *size < 9e15)
        payload.context_window_size = static_cast<int64_t>(*size);
    const json::value* limits = member(&root, "rate_limits");
    const json::value* five_hour = member(limits, "five_hour");
    const json::value* seven_day = member(limits, "seven_day");
    payload.five_hour_used_percentage = number_of(member(five_hour, "used_percentage"));
    payload.five_hour_resets_at_ms = time_of(member(five_hour, "resets_at"));
    payload.seven_day_used_percentage = number_of(member(seven_day, "used_percentage"));
    payload.seven_day_resets_at_ms = time_of(member(seven_day, "resets_at"));
    if (limits && limits->is_object()) {
        for (const auto& bucket : limits->as_object()) {
            if (payload.rate_limits.size() >= k_max_rate_limit_buckets)
                break;
            const std::string_view name(bucket.key().data(), bucket.key().size());
            const bool plain =
                !name.empty() && name.size() <= 64 &&
                std::all_of(name.begin(), name.end(), [](char c) {
                    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
                });
            const std::optional<double> used =
                number_of(member(&bucket.value(), "used_percentage"));
            if (!plain || !used || !std::isfinite(*used))
                continue;
            payload.rate_limits.push_back(
                {std::string(name), *used, time_of(member(&bucket.value(), "resets_at"))});
        }
    }
    const json::value* cost = member(&root, "cost");
    if (const std::optional<double> added = number_of(member(cost, "total_lines_added"));
        added && *added >= 0 && *added < 9e15)
        payload.lines_added = static_cast<int64_t>(*added);
    if (const std::optional<double> removed = number_of(member(cost, "total_lines_removed"));
        removed && *removed >= 0 && *removed < 9e15)
        payload.lines_removed = static_cast<int64_t>(*removed);
    return payload;
}

}  // namespace ccmeter
