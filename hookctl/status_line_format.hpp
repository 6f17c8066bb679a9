// The status line hookctl prints for Claude Code: one line from the daemon's StatusLineReply, or
// a degraded line from Claude Code's own payload when ccmeterd cannot be reached.
//
// Claude Code runs the command on every refresh, trims stdout, renders ANSI SGR colours and cuts
// each line to the terminal width, so the line is short, the most useful fields come first, and
// colours are plain SGR sequences (no cursor movement).
//
// Units: money arrives as integer micro-dollars and is rounded to cents only for display (see
// format_usd in number_text.hpp: "$0.00", "<$0.01", "$1,234.56"); times are epoch milliseconds.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ccmeter/v1/ccmeter.pb.h"
#include "common/budget_config.hpp"

namespace ccmeter::hookctl {

// The default layout, which renders as
//   Opus 4.8 │ session $1.23 │ today $8.40 │ block $3.10 2h13m left $1.20/h │ ctx 43% │ 5h 37%
//
// Template syntax: the template is cut into segments at each '|' (so '|' cannot appear in the
// output except through the separator). In a segment, each {placeholder} below is replaced by
// its value; a {word} that is not a placeholder is kept as written. A segment whose placeholders
// all came out empty is dropped, runs of spaces in a segment shrink to one, the segment is
// trimmed, and the segments left are joined with StatusLineStyle::separator. Placeholders give
// bare values; labels ("session", "left", ...) are the template's text.
//
//   {model}        model display name ("Opus 4.8 (1M context)"), else the model id
//   {session}      this session's cost, from the transcripts: "$1.23"
//   {today}        today's cost (local day, as the client asked for): "$8.40"
//   {block}        cost of the active 5-hour block; empty when no block is active
//   {block_left}   time until the active block ends (end_ms - now_ms): "2h13m"; empty likewise
//   {burn}         the active block's burn rate: "$1.20/h"; empty likewise
//   {ctx}          context window used: "43%"; empty when the payload had no figure
//   {client_cost}  Claude Code's own cost.total_cost_usd (per client process, not per session)
//   {rate_5h}      the plan's five-hour limit used, from rate_limits (subscribers): "37%"
//   {budget}       the budget set (budget_config.hpp) nearest to, or furthest past, its
//                  amount: "day 85%"; yellow at 80 %, red at 100 %; empty with no budget
//   {limit_full}   the plan limit that reaches 100 % first before it resets, at the current
//                  burn (limit_forecast.hpp): "5h"; empty when none does
//   {limit_full_in} the time until then: "1h20m" (red under an hour, else yellow)
//
// With a daily budget set, {today} is coloured by it (yellow at 80 %, red at 100 %) instead of
// the fixed levels below.
//
// Amounts that leave out responses of models without a price get "+?" appended: "$1.23+?".
inline constexpr std::string_view k_default_status_template =
    "{model}|session {session}|today {today}|block {block} {block_left} left {burn}|ctx {ctx}"
    "|5h {rate_5h}|budget {budget}|{limit_full} full in {limit_full_in}";

// The default degraded layout (daemon down), from the payload alone; a dim "ccmeterd down"
// segment is always appended:  Opus 4.8 │ client $0.04 │ ctx 1% │ ccmeterd down
inline constexpr std::string_view k_default_degraded_template =
    "{model}|client {client_cost}|ctx {ctx}|5h {rate_5h}";

inline constexpr std::string_view k_default_separator = " │ ";

// ANSI SGR sequences used when colours are on. Every coloured value is followed by k_sgr_reset.
inline constexpr std::string_view k_sgr_reset = "\x1b[0m";
inline constexpr std::string_view k_sgr_model = "\x1b[1;36m";  // bold cyan
inline constexpr std::string_view k_sgr_low = "\x1b[32m";      // green: below the warn level
inline constexpr std::string_view k_sgr_warn = "\x1b[33m";     // yellow: at or above warn
inline constexpr std::string_view k_sgr_alert = "\x1b[31m";    // red: at or above alert
inline constexpr std::string_view k_sgr_dim = "\x1b[2m";       // separators, "ccmeterd down"

// Colour levels of one amount, in micro-dollars (or micro-dollars per hour for the burn rate).
struct CostThresholds {
    int64_t warn_micro_usd = 0;   // at or above: yellow
    int64_t alert_micro_usd = 0;  // at or above: red
};

struct StatusLineStyle {
    bool color = true;  // see colors_enabled()
    std::string line_template = std::string(k_default_status_template);
    std::string degraded_template = std::string(k_default_degraded_template);
    std::string separator = std::string(k_default_separator);  // dim when colours are on
    int64_t now_ms = 0;                                        // the current time, for {block_left}

    // Default colour levels: session (and {client_cost}) $5 / $20, today $20 / $100,
    // block $10 / $50, burn rate $5/h / $20/h.
    CostThresholds session_cost{5'000'000, 20'000'000};
    CostThresholds today_cost{20'000'000, 100'000'000};
    CostThresholds block_cost{10'000'000, 50'000'000};
    CostThresholds burn_per_hour{5'000'000, 20'000'000};
    // {ctx} and {rate_5h}: yellow at or above 50%, red at or above 80%.
    double percent_warn = 50;
    double percent_alert = 80;
    // The user's budgets (budget_config.hpp); none by default.
    Budgets budgets;
};

// Whether to colour: config "never" -> no, "always" -> yes (a user's explicit setting overrides
// NO_COLOR, as no-color.org asks), anything else ("auto", "", unknown) -> yes unless NO_COLOR is
// set to a non-empty value. `no_color_env` is getenv("NO_COLOR") (may be null). There is no TTY
// check: the status line's stdout is a pipe to Claude Code, which renders the colours.
bool colors_enabled(const char* no_color_env, const std::string& config_value);

// The status line from the daemon's answer. Never throws for any reply.
std::string format_status_line(const v1::StatusLineReply& reply, const StatusLineStyle& style);

// The status line when ccmeterd is down, from Claude Code's payload alone (model.display_name,
// cost.total_cost_usd, context_window.used_percentage, rate_limits.five_hour.used_percentage)
// laid out by style.degraded_template, plus a dim "ccmeterd down". Never throws: for a payload
// that is empty or not a JSON object it returns "ccmeter: daemon down" (dim with colours).
std::string format_degraded_status_line(std::string_view payload_json,
                                        const StatusLineStyle& style) noexcept;

}  // namespace ccmeter::hookctl
