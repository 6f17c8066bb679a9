#include "web/api_request.hpp"

#include <charconv>
#include <limits>
#include <optional>
#include <utility>

#include "common/local_periods.hpp"
#include "team/team_report.hpp"

namespace ccmeter {

namespace {

constexpr int64_t k_minute_ms = 60'000;
constexpr int64_t k_hour_ms = 3'600'000;
constexpr int64_t k_day_ms = 86'400'000;
constexpr std::string_view k_api_prefix = "/api/";

// The value of `name` in a query string ("days=30&x=1"), if present.
Result<std::optional<std::string>> query_value(std::string_view query, std::string_view name) {
    while (!query.empty()) {
        const size_t amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
        const size_t eq = pair.find('=');
        if (pair.substr(0, eq) != name)
            continue;
        if (eq == std::string_view::npos)
            return std::optional<std::string>(std::string());
        Result<std::string> value = percent_decode(pair.substr(eq + 1));
        if (!value)
            return value.error();
        return std::optional<std::string>(std::move(*value));
    }
    return std::optional<std::string>();
}

// A positive whole number no larger than `max`.
std::optional<int64_t> positive_number(std::string_view text, int64_t max) {
    int64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value < 1 || value > max)
        return std::nullopt;
    return value;
}

}  // namespace

int64_t first_day_start(int64_t today_start_ms, int64_t days) {
    // Days are 23 to 25 hours long and such changes cancel out over a year: noon of the target
    // day is always within (days - 1) * 24 h +- 2 h of today's noon.
    return local_day_start(today_start_ms - (days - 1) * k_day_ms + 12 * k_hour_ms);
}

Result<std::string> percent_decode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '+') {
            out.push_back(' ');
        } else if (c == '%') {
            int value = 0;
            if (i + 2 >= text.size())
                return Error{"malformed percent escape"};
            const auto [end, ec] =
                std::from_chars(text.data() + i + 1, text.data() + i + 3, value, 16);
            if (ec != std::errc() || end != text.data() + i + 3)
                return Error{"malformed percent escape"};
            out.push_back(static_cast<char>(value));
            i += 2;
        } else {
            out.push_back(c);
        }
    }
    return Result<std::string>(boost::system::in_place_value, std::move(out));
}

std::string ApiRequest::key() const {
    std::string key;
    switch (endpoint) {
        case ApiEndpoint::unknown:
            key = "unknown";
            break;
        case ApiEndpoint::meta:
            key = "meta";
            break;
        case ApiEndpoint::summary:
            key = "summary";
            break;
        case ApiEndpoint::daily:
            key = "daily";
            break;
        case ApiEndpoint::sessions:
            key = "sessions";
            break;
        case ApiEndpoint::session:
            key = "session";
            break;
        case ApiEndpoint::projects:
            key = "projects";
            break;
        case ApiEndpoint::models:
            key = "models";
            break;
        case ApiEndpoint::blocks:
            key = "blocks";
            break;
        case ApiEndpoint::active:
            key = "active";
            break;
        case ApiEndpoint::heatmap:
            key = "heatmap";
            break;
        case ApiEndpoint::check:
            key = "check";
            break;
        case ApiEndpoint::limits:
            key = "limits";
            break;
        case ApiEndpoint::responses:
            key = "responses|limit=" + std::to_string(limit);
            break;
        case ApiEndpoint::insights:
            key = "insights";
            break;
        case ApiEndpoint::compare:
            key = "compare";
            break;
        case ApiEndpoint::activity:
            key = "activity";
            break;
        case ApiEndpoint::branches:
            key = "branches";
            break;
        case ApiEndpoint::team:
            key = "team|" + team_view;
            break;
        case ApiEndpoint::tools:
            key = "tools";
            break;
        case ApiEndpoint::events:
            key = "events";
            break;
    }
    for (int64_t boundary : boundaries)
        key += "|" + std::to_string(boundary);
    if (endpoint == ApiEndpoint::daily || endpoint == ApiEndpoint::heatmap ||
        endpoint == ApiEndpoint::activity || endpoint == ApiEndpoint::tools)
        key += "|days=" + std::to_string(days) + "@" + std::to_string(today_start_ms);
    if (since_ms != 0)
        key += "|since=" + std::to_string(since_ms);
    if (!session_id.empty())
        key += "|id=" + session_id + "|limit=" + std::to_string(limit) +
               (before_ms ? "|before=" + std::to_string(*before_ms) : std::string());
    if (!cacheable())
        key += "|now=" + std::to_string(now_ms);
    return key;
}

bool ApiRequest::cacheable() const {
    switch (endpoint) {
        case ApiEndpoint::summary:
        case ApiEndpoint::daily:
        case ApiEndpoint::sessions:
        case ApiEndpoint::session:
        case ApiEndpoint::projects:
        case ApiEndpoint::models:
        case ApiEndpoint::heatmap:
        case ApiEndpoint::check:
        case ApiEndpoint::responses:
        case ApiEndpoint::insights:
        case ApiEndpoint::activity:
        case ApiEndpoint::branches:
            return true;
        default:
            return false;
    }
}

Result<ApiRequest> parse_api_request(std::string_view target, int64_t now_ms) {
    ApiRequest request;
    request.now_ms = now_ms;
    const size_t question = target.find('?');
    const std::string_view path = target.substr(0, question);
    const std::string_view query =
        question == std::string_view::npos ? std::string_view() : target.substr(question + 1);
    if (path.substr(0, k_api_prefix.size()) != k_api_prefix)
        return request;
    const std::string_view name = path.substr(k_api_prefix.size());

    if (name == "meta") {
        request.endpoint = ApiEndpoint::meta;
    } else if (name == "summary") {
        request.endpoint = ApiEndpoint::summary;
        request.boundaries = summary_boundaries(now_ms);
        request.today_start_ms = local_day_start(now_ms);
        request.week_start_ms = local_week_start(now_ms);
        request.month_start_ms = local_month_start(now_ms);
    } else if (name == "daily" || name == "heatmap" || name == "check" || name == "activity" ||
               name == "tools") {
        request.endpoint = name == "daily"      ? ApiEndpoint::daily
                           : name == "heatmap"  ? ApiEndpoint::heatmap
                           : name == "activity" ? ApiEndpoint::activity
                           : name == "tools"    ? ApiEndpoint::tools
                                                : ApiEndpoint::check;
        Result<std::optional<std::string>> days = query_value(query, "days");
        if (!days)
            return days.error();
        const std::string text = days->value_or(request.endpoint == ApiEndpoint::daily ||
                                                        request.endpoint == ApiEndpoint::activity
                                                    ? "30"
                                                    : "all");
        request.today_start_ms = local_day_start(now_ms);
        if (text != "all") {
            std::optional<int64_t> count = positive_number(text, 3660);
            if (!count)
                return Error{"days must be a number of days (1 to 3660) or \"all\""};
            request.days = *count;
            if (request.endpoint == ApiEndpoint::heatmap ||
                request.endpoint == ApiEndpoint::check || request.endpoint == ApiEndpoint::tools)
                request.since_ms = first_day_start(request.today_start_ms, *count);
        }
    } else if (name == "limits") {
        request.endpoint = ApiEndpoint::limits;
        request.today_start_ms = local_day_start(now_ms);
        request.week_start_ms = local_week_start(now_ms);
        request.month_start_ms = local_month_start(now_ms);
    } else if (name == "team") {
        request.endpoint = ApiEndpoint::team;
        Result<std::optional<std::string>> view = query_value(query, "view");
        if (!view)
            return view.error();
        request.team_view = view->value_or("members");
        if (!parse_team_view(request.team_view))
            return Error{"view must be summary, daily, members, machines, projects or models"};
    } else if (name == "sessions") {
        request.endpoint = ApiEndpoint::sessions;
    } else if (name.substr(0, 8) == "session/") {
        request.endpoint = ApiEndpoint::session;
        Result<std::string> id = percent_decode(name.substr(8));
        if (!id)
            return id.error();
        if (id->empty() || id->size() > 200)
            return Error{"expected /api/session/<session id>"};
        request.session_id = std::move(*id);
        Result<std::optional<std::string>> limit = query_value(query, "limit");
        if (!limit)
            return limit.error();
        const std::string text = limit->value_or(std::to_string(k_default_session_responses));
        if (text == "all") {
            request.limit = 0;
        } else {
            std::optional<int64_t> count = positive_number(text, k_max_session_responses);
            if (!count)
                return Error{"limit must be a number of responses (1 to " +
                             std::to_string(k_max_session_responses) + ") or \"all\""};
            request.limit = *count;
        }
        Result<std::optional<std::string>> before = query_value(query, "before");
        if (!before)
            return before.error();
        if (*before) {
            std::optional<int64_t> at =
                positive_number(**before, std::numeric_limits<int64_t>::max());
            if (!at)
                return Error{"before must be a time in epoch milliseconds (next_before_ms)"};
            request.before_ms = *at;
        }
    } else if (name == "projects") {
        request.endpoint = ApiEndpoint::projects;
    } else if (name == "models") {
        request.endpoint = ApiEndpoint::models;
    } else if (name == "blocks") {
        request.endpoint = ApiEndpoint::blocks;
        Result<std::optional<std::string>> hours = query_value(query, "hours");
        if (!hours)
            return hours.error();
        const std::string text = hours->value_or("24");
        if (text != "all") {
            std::optional<int64_t> count = positive_number(text, 24 * 3660);
            if (!count)
                return Error{"hours must be a number of hours or \"all\""};
            request.since_ms = now_ms - *count * k_hour_ms;
        }
    } else if (name == "active") {
        request.endpoint = ApiEndpoint::active;
        Result<std::optional<std::string>> minutes = query_value(query, "minutes");
        if (!minutes)
            return minutes.error();
        std::optional<int64_t> count = positive_number(minutes->value_or("10"), 24 * 60);
        if (!count)
            return Error{"minutes must be a number of minutes (1 to 1440)"};
        request.since_ms = now_ms - *count * k_minute_ms;
    } else if (name == "responses") {
        request.endpoint = ApiEndpoint::responses;
        Result<std::optional<std::string>> limit = query_value(query, "limit");
        if (!limit)
            return limit.error();
        std::optional<int64_t> count = positive_number(
            limit->value_or(std::to_string(k_default_latest_responses)), k_max_latest_responses);
        if (!count)
            return Error{"limit must be a number of responses (1 to " +
                         std::to_string(k_max_latest_responses) + ")"};
        request.limit = *count;
    } else if (name == "branches") {
        request.endpoint = ApiEndpoint::branches;
    } else if (name == "insights") {
        request.endpoint = ApiEndpoint::insights;
    } else if (name == "compare") {
        request.endpoint = ApiEndpoint::compare;
        request.week_start_ms = local_week_start(now_ms);
        request.month_start_ms = local_month_start(now_ms);
    } else if (name == "events") {
        request.endpoint = ApiEndpoint::events;
    }
    return request;
}

}  // namespace ccmeter
