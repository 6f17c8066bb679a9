#include <catch2/catch.hpp>
#include <string>

#include "common/number_text.hpp"
#include "hookctl/status_line_format.hpp"

using namespace ccmeter;
using namespace ccmeter::hookctl;
namespace v1 = ccmeter::v1;

namespace {

constexpr int64_t k_now_ms = 1'795'336'402'000;
constexpr int64_t k_minute_ms = 60'000;

// The last status-line payload of captured/interactive_tmux/statusline_stdin.jsonl.
constexpr const char* k_captured_payload =
    R"json({"session_id":"83ea4090-91e1-462f-8f38-2b2bd4d09199","transcript_path":"/home/dev/.claude/projects/-home-dev-proj/83ea4090-91e1-462f-8f38-2b2bd4d09199.jsonl","cwd":"/home/dev/proj","prompt_id":"ed7f9de8-1866-4df7-b3b7-f41880df3250","effort":{"level":"high"},"model":{"id":"claude-opus-4-8[1m]","display_name":"Opus 4.8 (1M context)"},"workspace":{"current_dir":"/home/dev/proj","project_dir":"/home/dev/proj","added_dirs":[]},"version":"2.1.197","output_style":{"name":"default"},"cost":{"total_cost_usd":0.04419,"total_duration_ms":50213,"total_api_duration_ms":481,"total_lines_added":0,"total_lines_removed":0},"context_window":{"total_input_tokens":6012,"total_output_tokens":27,"context_window_size":1000000,"current_usage":{"input_tokens":12,"output_tokens":27,"cache_creation_input_tokens":1000,"cache_read_input_tokens":5000},"used_percentage":1,"remaining_percentage":99},"exceeds_200k_tokens":false,"fast_mode":false,"thinking":{"enabled":true}})json";

// The first one: before any response, used_percentage is null.
constexpr const char* k_captured_first_payload =
    R"json({"session_id":"83ea4090-91e1-462f-8f38-2b2bd4d09199","cwd":"/home/dev/proj","model":{"id":"claude-opus-4-8[1m]","display_name":"Opus 4.8 (1M context)"},"cost":{"total_cost_usd":0,"total_duration_ms":1005},"context_window":{"total_input_tokens":0,"total_output_tokens":0,"context_window_size":1000000,"current_usage":null,"used_percentage":null,"remaining_percentage":null}})json";

v1::StatusLineReply full_reply() {
    v1::StatusLineReply reply;
    reply.set_model_id("claude-opus-4-8");
    reply.set_model_display_name("Opus 4.8");
    reply.mutable_session()->set_cost_micro_usd(1'230'000);
    reply.mutable_today()->set_cost_micro_usd(8'400'000);
    v1::Block* block = reply.mutable_block();
    block->set_active(true);
    block->set_start_ms(k_now_ms - 2 * 3'600'000);
    block->set_end_ms(k_now_ms + 133 * k_minute_ms + 30'000);  // 2h13m30s left
    block->mutable_usage()->set_cost_micro_usd(3'100'000);
    block->set_burn_micro_usd_per_hour(1'200'000);
    reply.set_context_used_percentage(43.4);
    reply.set_client_cost_usd(0.04419);
    return reply;
}

StatusLineStyle plain_style() {
    StatusLineStyle style;
    style.color = false;
    style.now_ms = k_now_ms;
    return style;
}

}  // namespace

TEST_CASE("status_line: the default line", "[status_line]") {
    CHECK(format_status_line(full_reply(), plain_style()) ==
          "Opus 4.8 │ session $1.23 │ today $8.40 │ block $3.10 2h13m left $1.20/h │ ctx 43%");
}

TEST_CASE("status_line: parts without data are left out", "[status_line]") {
    v1::StatusLineReply reply = full_reply();
    reply.clear_context_used_percentage();
    reply.mutable_block()->set_active(false);
    CHECK(format_status_line(reply, plain_style()) == "Opus 4.8 │ session $1.23 │ today $8.40");
    reply.clear_block();
    CHECK(format_status_line(reply, plain_style()) == "Opus 4.8 │ session $1.23 │ today $8.40");

    // A reply with nothing in it still says something useful.
    CHECK(format_status_line(v1::StatusLineReply(), plain_style()) ==
          "session $0.00 │ today $0.00");
}

TEST_CASE("status_line: model id when there is no display name", "[status_line]") {
    v1::StatusLineReply reply = full_reply();
    reply.clear_model_display_name();
    reply.clear_block();
    CHECK(format_status_line(reply, plain_style()) ==
          "claude-opus-4-8 │ session $1.23 │ today $8.40 │ ctx 43%");
}

TEST_CASE("status_line: unpriced responses mark the amount with +?", "[status_line]") {
    v1::StatusLineReply reply = full_reply();
    reply.mutable_session()->set_unpriced_responses(2);
    reply.mutable_session()->add_unpriced_models("claude-future-9");
    reply.mutable_today()->set_unpriced_responses(2);
    reply.clear_block();
    reply.clear_context_used_percentage();
    CHECK(format_status_line(reply, plain_style()) == "Opus 4.8 │ session $1.23+? │ today $8.40+?");
}

TEST_CASE("status_line: five-hour rate limit of subscribers", "[status_line]") {
    v1::StatusLineReply reply = full_reply();
    reply.clear_block();
    reply.mutable_rate_limits()->set_five_hour_used_percentage(37.2);
    CHECK(format_status_line(reply, plain_style()) ==
          "Opus 4.8 │ session $1.23 │ today $8.40 │ ctx 43% │ 5h 37%");
}

TEST_CASE("status_line: block time left", "[status_line]") {
    v1::StatusLineReply reply = full_reply();
    StatusLineStyle style = plain_style();
    style.line_template = "left {block_left}";
    reply.mutable_block()->set_end_ms(k_now_ms + 45 * k_minute_ms + 59'999);
    CHECK(format_status_line(reply, style) == "left 45m");
    reply.mutable_block()->set_end_ms(k_now_ms + 4 * 60 * k_minute_ms + 5 * k_minute_ms);
    CHECK(format_status_line(reply, style) == "left 4h05m");
    reply.mutable_block()->set_end_ms(k_now_ms - k_minute_ms);  // the clock ran past the end
    CHECK(format_status_line(reply, style) == "left 0m");
}

TEST_CASE("status_line: money formats", "[status_line]") {
    v1::StatusLineReply reply;
    StatusLineStyle style = plain_style();
    style.line_template = "{session}";
    const auto session_text = [&](int64_t micro_usd) {
        reply.mutable_session()->set_cost_micro_usd(micro_usd);
        return format_status_line(reply, style);
    };
    CHECK(session_text(0) == "$0.00");
    CHECK(session_text(1) == "<$0.01");
    CHECK(session_text(4'999) == "<$0.01");
    CHECK(session_text(5'000) == "$0.01");
    CHECK(session_text(994'999) == "$0.99");
    CHECK(session_text(995'000) == "$1.00");
    CHECK(session_text(1'234'564'999) == "$1,234.56");
    CHECK(session_text(1'234'565'000) == "$1,234.57");
    CHECK(session_text(1'000'000'000'000) == "$1,000,000.00");
    CHECK(format_usd(-1'500'000) == "-$1.50");
    CHECK(format_count(0) == "0");
    CHECK(format_count(999) == "999");
    CHECK(format_count(1'000) == "1,000");
    CHECK(format_count(-1'234'567) == "-1,234,567");
    CHECK(micro_usd_of_dollars(0.04419) == 44'190);
    CHECK(format_percentage(99.5) == "100%");
}

TEST_CASE("status_line: custom template and separator", "[status_line]") {
    v1::StatusLineReply reply = full_reply();
    reply.clear_context_used_percentage();
    StatusLineStyle style = plain_style();
    style.line_template = "{model}|S:{session}  T:{today}|{nope}|ctx {ctx}|cc {client_cost}||";
    style.separator = " · ";
    CHECK(format_status_line(reply, style) == "Opus 4.8 · S:$1.23 T:$8.40 · {nope} · cc $0.04");
    style.line_template = "{burn} burn";
    CHECK(format_status_line(reply, style) == "$1.20/h burn");
    style.line_template = "";
    CHECK(format_status_line(reply, style).empty());
}

TEST_CASE("status_line: ANSI colours", "[status_line]") {
    v1::StatusLineReply reply = full_reply();
    reply.mutable_today()->set_cost_micro_usd(25'000'000);                   // >= $20: yellow
    reply.mutable_block()->mutable_usage()->set_cost_micro_usd(60'000'000);  // >= $50: red
    reply.set_context_used_percentage(85);                                   // >= 80%: red
    StatusLineStyle style;
    style.now_ms = k_now_ms;
    CHECK(format_status_line(reply, style) ==
          "\x1b[1;36mOpus 4.8\x1b[0m"
          "\x1b[2m │ \x1b[0m"
          "session \x1b[32m$1.23\x1b[0m"
          "\x1b[2m │ \x1b[0m"
          "today \x1b[33m$25.00\x1b[0m"
          "\x1b[2m │ \x1b[0m"
          "block \x1b[31m$60.00\x1b[0m 2h13m left \x1b[32m$1.20/h\x1b[0m"
          "\x1b[2m │ \x1b[0m"
          "ctx \x1b[31m85%\x1b[0m");

    reply.clear_block();
    reply.set_context_used_percentage(50);
    reply.mutable_session()->set_cost_micro_usd(20'000'000);
    style.line_template = "{session}|{ctx}";
    CHECK(format_status_line(reply, style) ==
          "\x1b[31m$20.00\x1b[0m\x1b[2m │ \x1b[0m\x1b[33m50%\x1b[0m");
}

TEST_CASE("status_line: colour thresholds are configurable", "[status_line]") {
    v1::StatusLineReply reply = full_reply();
    StatusLineStyle style;
    style.line_template = "{session}";
    style.session_cost = CostThresholds{1'000'000, 1'230'000};
    CHECK(format_status_line(reply, style) == "\x1b[31m$1.23\x1b[0m");
    style.session_cost = CostThresholds{1'000'000, 2'000'000};
    CHECK(format_status_line(reply, style) == "\x1b[33m$1.23\x1b[0m");
}

TEST_CASE("status_line: colors_enabled", "[status_line]") {
    CHECK(colors_enabled(nullptr, "auto"));
    CHECK(colors_enabled(nullptr, ""));
    CHECK(colors_enabled("", "auto"));
    CHECK_FALSE(colors_enabled("1", "auto"));
    CHECK_FALSE(colors_enabled("1", ""));
    CHECK_FALSE(colors_enabled(nullptr, "never"));
    CHECK_FALSE(colors_enabled("", "never"));
    CHECK(colors_enabled("1", "always"));
    CHECK(colors_enabled(nullptr, "always"));
    CHECK_FALSE(colors_enabled("yes", "something else"));
}

TEST_CASE("status_line: degraded line from Claude Code's payload", "[status_line]") {
    const StatusLineStyle style = plain_style();
    CHECK(format_degraded_status_line(k_captured_payload, style) ==
          "Opus 4.8 (1M context) │ client $0.04 │ ctx 1% │ ccmeterd down");
    CHECK(format_degraded_status_line(k_captured_first_payload, style) ==
          "Opus 4.8 (1M context) │ client $0.00 │ ccmeterd down");
    CHECK(
        format_degraded_status_line(
            R"json({"model":{"id":"claude-sonnet-4-6"},"rate_limits":{"five_hour":{"used_percentage":37.2,"resets_at":1795340000}}})json",
            style) == "claude-sonnet-4-6 │ 5h 37% │ ccmeterd down");

    StatusLineStyle coloured = style;
    coloured.color = true;
    CHECK(format_degraded_status_line(k_captured_payload, coloured) ==
          "\x1b[1;36mOpus 4.8 (1M context)\x1b[0m"
          "\x1b[2m │ \x1b[0m"
          "client \x1b[32m$0.04\x1b[0m"
          "\x1b[2m │ \x1b[0m"
          "ctx \x1b[32m1%\x1b[0m"
          "\x1b[2m │ \x1b[0m"
          "\x1b[2mccmeterd down\x1b[0m");
}

TEST_CASE("status_line: degraded line never fails", "[status_line]") {
    const StatusLineStyle style = plain_style();
    for (const char* payload :
         {"", " ", "not json", "{", "[]", "null", "42", "\"text\"", "{\"model\":", "\xff\xfe"}) {
        INFO(payload);
        CHECK(format_degraded_status_line(payload, style) == "ccmeter: daemon down");
    }
    StatusLineStyle coloured = style;
    coloured.color = true;
    CHECK(format_degraded_status_line("", coloured) == "\x1b[2mccmeter: daemon down\x1b[0m");

    // Wrong types everywhere: only the marker is left.
    CHECK(
        format_degraded_status_line(
            R"json({"model":"opus","cost":{"total_cost_usd":"1.5"},"context_window":[],"rate_limits":7})json",
            style) == "ccmeterd down");
    CHECK(format_degraded_status_line("{}", style) == "ccmeterd down");
    // Absurd numbers do not overflow.
    CHECK(
        format_degraded_status_line(
            R"json({"cost":{"total_cost_usd":1e300},"context_window":{"used_percentage":-1e300}})json",
            style) == "client $0.00 │ ctx ?% │ ccmeterd down");
    // Far too deep for the parser.
    CHECK(format_degraded_status_line(std::string(100'000, '['), style) == "ccmeter: daemon down");
}

TEST_CASE("status_line: escape sequences in names are not printed raw", "[status_line]") {
    v1::StatusLineReply reply = full_reply();
    reply.set_model_display_name("Opus\x1b]0;pwned\x07\x1b[2J");
    const std::string plain = format_status_line(reply, plain_style());
    CHECK(plain.find('\x1b') == std::string::npos);
    CHECK(plain.find('\x07') == std::string::npos);
    CHECK(plain.rfind("Opus?]0;pwned??[2J", 0) == 0);
    StatusLineStyle coloured = plain_style();
    coloured.color = true;
    const std::string with_colour = format_status_line(reply, coloured);
    CHECK(with_colour.find("\x1b]") == std::string::npos);
    CHECK(with_colour.find("\x1b[2J") == std::string::npos);
}

TEST_CASE("status_line: budgets colour today and show the one nearest its amount",
          "[status_line]") {
    v1::StatusLineReply reply = full_reply();  // today $8.40
    StatusLineStyle style;
    style.now_ms = k_now_ms;
    style.color = false;
    CHECK(format_status_line(reply, style).find("budget") == std::string::npos);
    style.budgets.daily_micro_usd = 10'000'000;  // 84 %
    style.budgets.weekly_micro_usd = 100'000'000;
    reply.mutable_this_week()->set_cost_micro_usd(30'000'000);  // 30 %
    CHECK(format_status_line(reply, style).find(" │ budget day 84%") != std::string::npos);
    style.color = true;
    const std::string warn = format_status_line(reply, style);
    CHECK(warn.find("today \x1b[33m$8.40\x1b[0m") != std::string::npos);
    CHECK(warn.find("budget \x1b[33mday 84%\x1b[0m") != std::string::npos);
    reply.mutable_today()->set_cost_micro_usd(10'000'000);
    const std::string over = format_status_line(reply, style);
    CHECK(over.find("today \x1b[31m$10.00\x1b[0m") != std::string::npos);
    CHECK(over.find("budget \x1b[31mday 100%\x1b[0m") != std::string::npos);
    reply.mutable_today()->set_cost_micro_usd(1'000'000);
    reply.mutable_this_week()->set_cost_micro_usd(95'000'000);
    CHECK(format_status_line(reply, style).find("today \x1b[32m$1.00") != std::string::npos);
    CHECK(format_status_line(reply, style).find("budget \x1b[33mweek 95%") != std::string::npos);
}

TEST_CASE("status_line: the limit that fills before its reset", "[status_line]") {
    v1::StatusLineReply reply = full_reply();
    StatusLineStyle style;
    style.now_ms = k_now_ms;
    style.color = false;
    v1::LimitForecast* later = reply.add_limits();
    later->set_bucket("seven_day_opus");
    later->set_full_at_ms(k_now_ms + 30 * 3'600'000);
    later->set_full_before_reset(true);
    v1::LimitForecast* after_reset = reply.add_limits();
    after_reset->set_bucket("seven_day");
    after_reset->set_full_at_ms(k_now_ms + 10 * k_minute_ms);
    after_reset->set_full_before_reset(false);
    CHECK(format_status_line(reply, style).find("7d opus full in 30h00m") != std::string::npos);
    v1::LimitForecast* soon = reply.add_limits();
    soon->set_bucket("five_hour");
    soon->set_full_at_ms(k_now_ms + 80 * k_minute_ms);
    soon->set_full_before_reset(true);
    const std::string line = format_status_line(reply, style);
    CHECK(line.find("5h full in 1h20m") != std::string::npos);
    CHECK(line.find("7d opus") == std::string::npos);
    soon->set_reset_since_observed(true);
    CHECK(format_status_line(reply, style).find("7d opus full in") != std::string::npos);
}
