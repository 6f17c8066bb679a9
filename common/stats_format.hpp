// `hookctl stats` output: aligned text tables for people and stable JSON for scripts, both pure
// functions of the daemon's replies.
//
// Units: times are epoch milliseconds (UTC) in JSON and local wall-clock time (the process's TZ;
// callers setenv("TZ") + tzset() for --tz) in tables. Money is integer micro-dollars on the wire;
// JSON gives dollars as a double (micro / 1e6, printed exactly by ccmeter::to_json_text), tables
// give "$1,234.56" (see format_usd in number_text.hpp). Token counts are raw.
//
// JSON schema (stable; keys in this order; U stands for a Usage object):
//   U = {"input_tokens", "output_tokens", "cache_creation_input_tokens",
//        "cache_read_input_tokens", "cache_5m", "cache_1h", "web_search_requests",
//        "web_fetch_requests", "unique_responses" (= Usage.responses), "cost_usd" (priced
//        responses only), "unpriced_responses", "unpriced_models" ([names]),
//        "client_priced_responses", "client_priced_usd" (part of cost_usd),
//        "client_priced_models" ([names]): priced by rates learned from the client's own
//        cost records, for models ccmeter's table lacks}
//   "...U" means U's keys written into the enclosing object.
//   summary:   {"today":U, "this_week":U, "this_month":U, "all_time":U, "totals":U (= all_time)}
//   daily / weekly / monthly:
//              {"periods":[{"period":"2026-11-22" | "2026-W47" | "2026-11", "start_ms",
//                           "end_ms", ...U, "by_model":{model:U} (only with breakdown)}],
//               "totals":U (the sum of the periods)}
//              Periods without responses are left out (tables likewise).
//   sessions:  {"sessions":[{"session_id", "project", "first_ms", "last_ms", "models":[...],
//                            ...U, "by_model":{...} (only with breakdown)}], "totals":U}
//   projects:  {"projects":[{"project", ...U, "by_model":{...} (only with breakdown)}],
//               "totals":U}
//   models:    {"models":[{"model", ...U}], "totals":U}
//   blocks:    {"blocks":[{"start_ms", "end_ms", "first_ms", "last_ms", "active", ...U,
//                          "burn_usd_per_hour", "projected_usd"}], "totals":U}
//   session ID:{"session_id", "project", "first_ms", "last_ms" (its first and last response),
//               "totals":U, "main":U, "subagents":U (totals = main + subagents, each priced
//               exactly), "by_model":{model:U}, "activity":{...} or null,
//               "agents":[{"agent_id", "first_ms", "models":[...], ...U}] (by first response),
//               "turns":[{"start_ms", ...U, "main":U, "subagents":U, "models":[...] (sorted),
//                         "responses":[{"message_id", "request_id", "timestamp_ms", "model",
//                                       "is_sidechain", "agent_id", ...U}]}],
//               "listed_responses", "next_before_ms"}
//              Every total and every turn covers the whole session; "responses" list only a
//              page: the newest 100 by default (SessionRequest limit / all / before_ms;
//              `hookctl stats session ID --limit N | --all`, /api/session/ID?limit=N|all&
//              before=MS), never splitting a millisecond. "listed_responses" counts them;
//              "next_before_ms" (null when none is left out) asks for the older ones.
//   check:     {"days":[{"day" (local, of the session's first process), "sessions", ...C}],
//               "sessions":[{"session_id", "project", "first_process_ms", "processes", ...C,
//                            "unique_responses", "unpriced_responses",
//                            "client_only_models":[...]}],
//               "totals":{"sessions", ...C}}
//              C = "transcripts_usd", "side_calls" (count), "side_calls_usd", "client_usd",
//              "difference_usd"; side calls are the requests the client exported that no
//              transcript has (session titles); difference = client - transcripts - side calls.
//   pricing:   {"overrides_file", "rules":[{"model", "effective_from" ("YYYY-MM-DD" UTC, or
//              null for always), "input", "cache_write_5m", "cache_write_1h", "cache_read",
//              "output" (USD per million tokens), "fast_multiplier", "long_context" ({the five
//              rates} or null), "source" ("builtin" | "user_file" | "learned"), and for
//              learned rules "learned": {"equations", "determined", "consistent"}}]}
// Lists keep the reply's order (groups: most recent first; periods, blocks, turns: in time
// order); "by_model" keys and "unpriced_models" are sorted by name. Every "totals" is the sum of
// the listed items, except for session ID, where it is SessionReply.usage.
//
// Tables: a header row, a rule, one row per item, a rule, a "Total" row; columns are two spaces
// apart, as wide as their widest cell (counted in code points), text left-aligned, numbers
// right-aligned with thousands separators. Breakdown rows ("  └ opus-4-8") follow their item,
// most expensive first. Model names in tables drop the "claude-" prefix and a date suffix
// ("claude-sonnet-4-5-20250929" -> "sonnet-4-5"), except in the models table. A cost that
// leaves out unpriced responses ends in "+?" and the table is followed by a line naming them.
// Every table ends with a newline.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ccmeter/v1/ccmeter.pb.h"
#include "common/budget_config.hpp"

namespace ccmeter {

// Adds `more` into `into`: every count and the cost; unpriced_models becomes the sorted union.
void add_usage(v1::Usage& into, const v1::Usage& more);

// The usage of `hookctl stats` (summary).
struct SummaryUsage {
    v1::Usage today;
    v1::Usage this_week;
    v1::Usage this_month;
    v1::Usage all_time;
};

// From a PeriodsReply for summary_boundaries() (local_periods.hpp): today / this week / this month
// sum the periods starting at or after their start; all_time sums every period.
SummaryUsage summary_from_periods(const v1::PeriodsReply& reply, int64_t today_start_ms,
                                  int64_t week_start_ms, int64_t month_start_ms);

// Width on a terminal, counted in code points (every UTF-8 lead byte); enough for paths, model
// names and the box-drawing characters used here.
size_t display_width(std::string_view text);
// `text` cut to at most `width` code points: the start and "…", or with `keep_end` "…" and the
// end ("…/src/ccmeter"); unchanged when it fits.
std::string fit_text(std::string_view text, size_t width, bool keep_end);

// "claude-sonnet-4-5-20250929" -> "sonnet-4-5"; "claude-opus-4-8[1m]" -> "opus-4-8[1m]".
std::string short_model_name(std::string_view model);

// JSON (schema above). `labels[i]` names reply.periods(i) (period_label() of its start).
boost::json::object usage_json(const v1::Usage& usage);
// Adds usage_json(usage)'s keys to `into` (an object that carries more than the usage).
void append_usage(boost::json::object& into, const v1::Usage& usage);
boost::json::object summary_json(const SummaryUsage& summary);
boost::json::object periods_json(const v1::PeriodsReply& reply,
                                 const std::vector<std::string>& labels, bool breakdown);
boost::json::object sessions_json(const v1::GroupsReply& reply, bool breakdown);
// One item of "periods" (daily / weekly / monthly) and of "sessions", as in the reports above
// (`hookctl export` writes the same objects).
boost::json::object period_entry_json(const v1::Period& period, const std::string& label,
                                      bool breakdown);
boost::json::object session_entry_json(const v1::Group& group, bool breakdown);
boost::json::object projects_json(const v1::GroupsReply& reply, bool breakdown);
boost::json::object models_json(const v1::GroupsReply& reply);
boost::json::object blocks_json(const v1::BlocksReply& reply);
boost::json::object session_json(const v1::SessionReply& reply);

// Tables. Token columns are Input, Output, Cache write, Cache read, Total tokens, Cost.
//   summary:  Period (Today, This week, This month; All time as the total row) + token columns
//   periods:  `period_header` ("Date", "Week", "Month") + token columns
//   sessions: Session, Project, Last activity, Models, Tokens, Cost
//   projects: Project + token columns
//   models:   Model, Responses + token columns
//   blocks:   Block start, Status ("active, 2h13m left" from now_ms), Tokens, Cost, Burn rate,
//             Projected (active block only)
//   session:  "Session <id>" and "Project <cwd>" lines, a blank line, then Turn (1, 2, ...),
//             Started, Models + token columns; with breakdown each response follows its turn
//             ("  └ 14:03:22", its model, "agent <id>" or "sidechain"), and a line saying how
//             many of the session's responses are listed when some are left out.
//
// Width: `width` 0 lets a table be as wide as its cells; else it fits in `width` columns (the
// terminal's, see hookctl stats): first the low-value columns go (Cache write, Input, Cache
// read, Output; Last activity and Models of sessions; Responses of models; Burn rate and Tokens
// of blocks), then long cells are cut with "…" (projects keep their end, "…/src/ccmeter";
// sessions, models and status their start), a line that still does not fit is cut, and the
// notes under a table are wrapped.
std::string summary_table(const SummaryUsage& summary, size_t width = 0);
//   pricing:  Model, From, Input, 5m write, 1h write, Cache read, Output ($/Mtok), Fast, Source
boost::json::object pricing_json(const v1::PricingReply& reply);
//   check:    Day, Sessions, From transcripts, Side calls ("$ (count)", "-" for none),
//             Reported by client, Difference; then each session that differs by a micro-dollar or
//             more, with the reason when known.
boost::json::object check_json(const v1::CheckReply& reply);
std::string check_table(const v1::CheckReply& reply);
std::string pricing_table(const v1::PricingReply& reply);

// `hookctl stats limits`: the plan limits with their forecasts (core/limit_forecast.hpp's
// rules) and the budgets set (budget_config.hpp) against the reply's day, week and month.
//   {"limits":[{"bucket", "used_percentage", "observed_ms", "resets_at_ms", "percent_per_hour",
//               "full_at_ms" (each null when unknown), "full_before_reset",
//               "reset_since_observed"}],
//    "budgets":[{"period" ("day"|"week"|"month"), "budget_usd", "spent_usd",
//                "used_percentage", "level" ("ok"|"warn"|"over")}],
//    "plan_usd_per_month" (null when not set), "now_ms"}
boost::json::object limits_json(const v1::LimitsReply& reply, const Budgets& budgets);
// A plan limit bucket as people say it: "five_hour" -> "5h", "seven_day" -> "7d",
// "seven_day_opus" -> "7d opus"; other names with '_' as spaces. Terminal-safe.
std::string limit_label(std::string_view bucket);
std::string limits_table(const v1::LimitsReply& reply, const Budgets& budgets);
std::string periods_table(const v1::PeriodsReply& reply, const std::vector<std::string>& labels,
                          std::string_view period_header, bool breakdown, size_t width = 0);
std::string sessions_table(const v1::GroupsReply& reply, bool breakdown, size_t width = 0);
std::string projects_table(const v1::GroupsReply& reply, bool breakdown, size_t width = 0);
std::string models_table(const v1::GroupsReply& reply, size_t width = 0);
std::string blocks_table(const v1::BlocksReply& reply, int64_t now_ms, size_t width = 0);
std::string session_table(const v1::SessionReply& reply, bool breakdown, size_t width = 0);

// `hookctl stats --team VIEW --json`: {"view", "member", "machine", "rows": [{"key", "members",
//  "machines", <usage keys>}], "totals": <usage>}; "key" is the member, machine, project, model
//  or UTC day ("" for summary).
boost::json::object team_json(const v1::TeamReply& reply);
std::string team_table(const v1::TeamReply& reply);

// What the client's processes did (README "Active time"): A = {"processes", "api_ms",
// "tool_ms", "idle_ms", "wall_ms", "lines_added", "lines_removed"}.
boost::json::object activity_json(const v1::Activity& activity);
// `hookctl stats branches --json`: {"branches": [{"branch" ("" outside git), "project", "first_ms",
// "last_ms", "models", ...U}], "totals": U}: cost per git branch of each project.
boost::json::object branches_json(const v1::GroupsReply& reply);
std::string branches_table(const v1::GroupsReply& reply, size_t width = 0);
// `hookctl stats activity --json`: {"days": [{"period", "start_ms", "end_ms", "sessions", ...A}],
// "projects": [{"project", "sessions", ...A}], "totals": {"sessions", ...A}}; `labels` name
// reply.periods in order.
boost::json::object activity_report_json(const v1::ActivityReply& reply,
                                         const std::vector<std::string>& labels);
std::string activity_table(const v1::ActivityReply& reply, const std::vector<std::string>& labels);

}  // namespace ccmeter
