// A request to the web view's JSON API (/api/...), parsed and resolved against a clock.
//
// Contract:
// - parse_api_request() takes the request target (path and query, as sent) and the current
//   time; it resolves every time-dependent input into explicit instants (period boundaries,
//   the start of the "active" window), so that answering an ApiRequest is a pure function of
//   it and the stored history, and key() names that answer (the cache key).
// - Period boundaries are local midnights in the daemon's time zone (the process's TZ, else
//   /etc/localtime), computed as `hookctl stats` does (common/local_periods.hpp).
// - An unknown path gives endpoint == ApiEndpoint::unknown (HTTP 404); a known path with a bad
//   parameter gives an Error (HTTP 400) whose message says what is accepted.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"

namespace ccmeter {

enum class ApiEndpoint {
    unknown,
    meta,       // /api/meta
    summary,    // /api/summary
    daily,      // /api/daily?days=7|30|90|all
    sessions,   // /api/sessions
    session,    // /api/session/<id>
    projects,   // /api/projects
    models,     // /api/models
    blocks,     // /api/blocks[?hours=N|all]
    active,     // /api/active[?minutes=N]
    heatmap,    // /api/heatmap[?days=N|all]
    check,      // /api/check[?days=N|all] (the client check)
    limits,     // /api/limits (plan limits' forecasts and the budgets)
    responses,  // /api/responses[?limit=N] (the most recent responses, newest first)
    insights,   // /api/insights (the most expensive turns and sessions, turn cost spread)
    compare,    // /api/compare (this week / month so far against the last, the plan)
    activity,   // /api/activity[?days=N|all] (the client's processes: time and lines)
    branches,   // /api/branches (cost per git branch of each project)
    team,       // /api/team?view=members|machines|daily|projects|models|summary (the team store)
    tools,      // /api/tools[?days=N|all] (per-tool calls, errors and run times; default all)
    events,     // /api/events (Server-Sent Events; not answered by WebApi)
};

struct ApiRequest {
    ApiEndpoint endpoint = ApiEndpoint::unknown;
    int64_t now_ms = 0;
    // summary: summary_boundaries(now).
    std::vector<int64_t> boundaries;
    int64_t today_start_ms = 0;  // summary, daily, heatmap, limits
    int64_t week_start_ms = 0;   // summary, limits, compare
    int64_t month_start_ms = 0;  // summary, limits, compare
    // daily: the last `days` local days, today included; 0: every day since the first stored
    // response. The day boundaries are computed by WebApi (once per cached answer).
    int64_t days = 0;
    // active, blocks, heatmap: responses at or after it; tools: calls started at or after it;
    // check: sessions whose first client process started at or after it (0: all).
    int64_t since_ms = 0;
    std::string session_id;  // session
    // responses: how many (1 to k_max_latest_responses; default 50); session: how many it lists
    // (1 to k_max_session_responses, default k_default_session_responses; 0: ?limit=all).
    int64_t limit = 0;
    std::optional<int64_t> before_ms;  // session: ?before=, its responses before it
    std::string team_view;             // team: a team_report.hpp view name (default "members")

    // Names the answer: equal keys give equal answers for the same stored history.
    std::string key() const;
    // Whether the answer is worth caching (a full-history aggregation); the cheap, clock-bound
    // ones (meta, active, blocks, limits) and team (another machine may have written) are
    // always computed afresh.
    bool cacheable() const;
};

// /api/responses answers at most this many responses. Default of ?limit=: 50.
constexpr int64_t k_max_latest_responses = 1000;
constexpr int64_t k_default_latest_responses = 50;
// /api/session/ID lists at most this many responses unless ?limit=all. Default of ?limit=: 100
// (session_detail.hpp's k_session_page_default).
constexpr int64_t k_max_session_responses = 100'000;
constexpr int64_t k_default_session_responses = 100;

// Parses a target such as "/api/daily?days=30" at `now_ms`.
// Cheap: at most a handful of local-time conversions, whatever the number of days.
Result<ApiRequest> parse_api_request(std::string_view target, int64_t now_ms);

// The local midnight that starts the day `days` - 1 days before today's (`today_start_ms`), so
// that [result, tomorrow) spans `days` local days.
int64_t first_day_start(int64_t today_start_ms, int64_t days);

// Percent-decodes a URL component ("%2F" -> "/", "+" -> " "); an Error on a malformed escape.
Result<std::string> percent_decode(std::string_view text);

}  // namespace ccmeter
