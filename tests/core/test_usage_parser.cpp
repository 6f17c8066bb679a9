// What the parser keeps of a line, and its timestamp parsing.
#include <catch2/catch.hpp>

#include "core/usage_parser.hpp"
#include "transcript_fixture.hpp"

using namespace ccmeter;

TEST_CASE("an assistant line yields its response's fields", "[parser]") {
    UsageParser parser;
    UsageRecord usage;
    TurnStart turn;
    test::Usage u(12, 345, 600, 7000, 400);
    u.speed = "fast";
    u.web_searches = 2;
    REQUIRE(parser.parse(test::assistant_line("msg_a", "req_b", u, "claude-opus-4-6", "sess",
                                              "2026-02-10T12:34:56.789Z", true),
                         usage, turn) == LineKind::usage);
    CHECK(usage.message_id == "msg_a");
    CHECK(usage.request_id == "req_b");
    CHECK(usage.model == "claude-opus-4-6");
    CHECK(usage.session_id == "sess");
    CHECK(usage.cwd == "/home/dev/proj");
    CHECK(usage.git_branch == "main");
    CHECK(usage.is_sidechain);
    CHECK(usage.agent_id == "a1");
    CHECK(usage.version == "2.1.39");
    CHECK(usage.speed == "fast");
    CHECK(usage.service_tier == "standard");
    CHECK(usage.timestamp_ms == *parse_timestamp_ms("2026-02-10T12:34:56.789Z"));
    CHECK(usage.tokens.input_tokens == 12);
    CHECK(usage.tokens.output_tokens == 345);
    CHECK(usage.tokens.cache_creation_input_tokens == 600);
    CHECK(usage.tokens.cache_read_input_tokens == 7000);
    CHECK(usage.tokens.cache_1h == 400);
    CHECK(usage.tokens.cache_5m == 200);
    CHECK(usage.tokens.web_search_requests == 2);
}

TEST_CASE("lines that are not responses are ignored or malformed", "[parser]") {
    UsageParser parser;
    UsageRecord usage;
    TurnStart turn;
    CHECK(parser.parse("", usage, turn) == LineKind::ignored);
    CHECK(parser.parse(R"({"type":"summary","summary":"x"})", usage, turn) == LineKind::ignored);
    CHECK(
        parser.parse(
            R"({"type":"assistant","message":{"model":"<synthetic>","id":"m","usage":{"input_tokens":0}}})",
            usage, turn) == LineKind::ignored);
    CHECK(parser.parse(R"({"type":"assistant","message":{"usage":)", usage, turn) ==
          LineKind::malformed);
    CHECK(parser.parse("garbage", usage, turn) == LineKind::malformed);
    CHECK(
        parser.parse(
            R"({"type":"progress","data":{"message":{"type":"assistant","message":{"id":"m","usage":{"input_tokens":5}}}}})",
            usage, turn) == LineKind::ignored);
}

TEST_CASE("a prompt is a turn start; meta lines and tool results are not", "[parser]") {
    UsageParser parser;
    UsageRecord usage;
    TurnStart turn;
    CHECK(parser.parse(test::user_prompt_line("u1", "s1", "2026-02-10T12:00:00.000Z"), usage,
                       turn) == LineKind::turn_start);
    CHECK(turn.uuid == "u1");
    CHECK(turn.session_id == "s1");
    CHECK(
        parser.parse(
            R"({"type":"user","isMeta":true,"uuid":"u2","timestamp":"2026-02-10T12:00:00.000Z","message":{"content":"x"}})",
            usage, turn) == LineKind::ignored);
}

TEST_CASE("timestamps parse to UTC milliseconds", "[parser]") {
    CHECK(*parse_timestamp_ms("1970-01-01T00:00:00.000Z") == 0);
    CHECK(*parse_timestamp_ms("2026-02-10T12:34:56.789Z") == 1770726896789);
    CHECK(*parse_timestamp_ms("2026-02-10T14:34:56.789+02:00") == 1770726896789);
    CHECK(*parse_timestamp_ms("2026-02-10T12:34:56Z") == 1770726896000);
    CHECK(*parse_timestamp_ms("2026-02-10T12:34:56.7891234Z") == 1770726896789);
    CHECK_FALSE(parse_timestamp_ms("yesterday"));
    CHECK_FALSE(parse_timestamp_ms("2026-13-10T12:34:56Z"));
    CHECK_FALSE(parse_timestamp_ms(""));
}

TEST_CASE("an unterminated line is complete only when it is one whole JSON object", "[parser]") {
    UsageParser parser;
    CHECK(parser.is_complete_object(R"({"a":{"b":1}})"));
    CHECK_FALSE(parser.is_complete_object(R"({"a":{"b":1})"));
    CHECK_FALSE(parser.is_complete_object(R"({"a":"b)"));
}

namespace {

// An assistant line whose output_tokens is `output` written as is (any JSON number text).
std::string line_with_output(const std::string& output) {
    std::string line = test::assistant_line("msg_r", "req_r", test::Usage(10, 77));
    const std::string field = "\"output_tokens\":77";
    line.replace(line.find(field), field.size(), "\"output_tokens\":" + output);
    return line;
}

std::string nested_arrays(size_t depth) {
    return std::string(depth, '[') + "1" + std::string(depth, ']');
}

}  // namespace

TEST_CASE("a token count past its limit, negative or fractional is out of range, never clamped",
          "[parser]") {
    UsageParser parser;
    UsageRecord usage;
    TurnStart turn;
    for (const char* bad : {"9223372036854775808", "18446744073709551616", "9223372036854775807",
                            "1000000000001", "-5", "1.5", "1e300", "-0.5", "1e10"}) {
        INFO(bad);
        CHECK(parser.parse(line_with_output(bad), usage, turn) == LineKind::out_of_range);
    }
    // At the limit, and a whole number written as a double, are that number.
    REQUIRE(parser.parse(line_with_output(std::to_string(k_max_tokens_per_field)), usage, turn) ==
            LineKind::usage);
    CHECK(usage.tokens.output_tokens == k_max_tokens_per_field);
    REQUIRE(parser.parse(line_with_output("2.5e2"), usage, turn) == LineKind::usage);
    CHECK(usage.tokens.output_tokens == 250);
    // Server tool requests have their own, smaller limit.
    test::Usage searches(1, 2);
    searches.web_searches = k_max_requests_per_field + 1;
    CHECK(parser.parse(test::assistant_line("m", "r", searches), usage, turn) ==
          LineKind::out_of_range);
    // The same number elsewhere in the line is nobody's business.
    std::string line = test::assistant_line("msg_s", "req_s", test::Usage(1, 2), "claude-opus-4-5",
                                            "s1", "2026-02-10T12:00:00.000Z", false);
    line.insert(1, "\"odd\":-1e300,\"big\":18446744073709551616,");
    CHECK(parser.parse(line, usage, turn) == LineKind::usage);
}

TEST_CASE("an out-of-range response is skipped and counted, the rest still count", "[parser]") {
    test::TempHistory history;
    history.append_line("s1.jsonl", line_with_output("9223372036854775808"));
    history.append_line("s1.jsonl", test::assistant_line("msg_ok", "req_ok", test::Usage(3, 4)));
    const UsageReport report = history.ingest();
    CHECK(report.totals.responses == 1);
    CHECK(report.totals.tokens.output_tokens == 4);
    CHECK(history.last_stats().out_of_range_lines == 1);
    CHECK(history.store().malformed_lines().value() == 1);
}

TEST_CASE("a usage line is found however deep an unrelated part of it nests", "[parser]") {
    UsageParser parser;
    UsageRecord usage;
    TurnStart turn;
    std::string line = test::assistant_line("msg_d", "req_d", test::Usage(5, 6));
    const std::string content = "\"content\":[";
    line.insert(line.find(content) + content.size(),
                "{\"type\":\"tool_use\",\"input\":" + nested_arrays(1000) + "},");
    REQUIRE(parser.parse(line, usage, turn) == LineKind::usage);
    CHECK(usage.message_id == "msg_d");
    CHECK(usage.tokens.output_tokens == 6);
    // Past k_max_json_depth the line is malformed, not a crash (the parser's stack is bounded).
    std::string too_deep = test::assistant_line("msg_e", "req_e", test::Usage(5, 6));
    too_deep.insert(too_deep.find(content) + content.size(),
                    nested_arrays(k_max_json_depth + 10) + ",");
    CHECK(parser.parse(too_deep, usage, turn) == LineKind::malformed);
}

TEST_CASE("escaped keys and values are read as what they unescape to", "[parser]") {
    UsageParser parser;
    UsageRecord usage;
    TurnStart turn;
    std::string line = test::assistant_line("msg_u", "req_u", test::Usage(7, 8));
    auto replace = [&line](const std::string& from, const std::string& to) {
        line.replace(line.find(from), from.size(), to);
    };
    replace("\"type\":\"assistant\"", "\"\\u0074ype\":\"\\u0061ssistant\"");
    replace("\"usage\":", "\"\\u0075sage\":");
    replace("\"output_tokens\"", "\"output\\u005ftokens\"");
    REQUIRE(parser.parse(line, usage, turn) == LineKind::usage);
    CHECK(usage.message_id == "msg_u");
    CHECK(usage.tokens.output_tokens == 8);

    std::string prompt = test::user_prompt_line("u9", "s9", "2026-02-10T12:00:00.000Z");
    prompt.replace(prompt.find("\"user\""), 6, "\"\\u0075ser\"");
    CHECK(parser.parse(prompt, usage, turn) == LineKind::turn_start);
    CHECK(turn.uuid == "u9");
}

TEST_CASE("lines without message.id share their requestId's key and count once", "[parser]") {
    UsageParser parser;
    UsageRecord usage;
    TurnStart turn;
    auto without_id = [](const std::string& request_id, int64_t output) {
        std::string line = test::assistant_line("msg_x", request_id, test::Usage(10, output));
        const std::string id = "\"id\":\"msg_x\",";
        return line.erase(line.find(id), id.size());
    };
    REQUIRE(parser.parse(without_id("req_1", 3), usage, turn) == LineKind::usage);
    CHECK(usage.message_id.empty());
    CHECK(usage.request_id == "req_1");

    test::TempHistory history;
    history.append_line("s1.jsonl", without_id("req_1", 3));   // streaming placeholder
    history.append_line("s1.jsonl", without_id("req_1", 90));  // another uuid, same response
    history.append_line("s1.jsonl", without_id("req_2", 5));
    const UsageReport report = history.ingest();
    CHECK(report.totals.responses == 2);
    CHECK(report.totals.tokens.output_tokens == 95);
    CHECK(report.totals.tokens.input_tokens == 20);
}

TEST_CASE("the walk stops early only on lines that cannot count", "[parser]") {
    UsageParser parser;
    UsageRecord usage;
    TurnStart turn;
    // A big record type is ignored, and a cut one is still malformed.
    const std::string shape =
        "{\"type\":\"api-request-shape\",\"system\":\"" + std::string(50000, 'x') + "\",\"n\":1}";
    CHECK(parser.parse(shape, usage, turn) == LineKind::ignored);
    CHECK(parser.parse(shape.substr(0, 1000), usage, turn) == LineKind::malformed);
    // A tool result is not a turn start; a user prompt whose text mentions one still is.
    CHECK(
        parser.parse(
            R"({"type":"user","message":{"role":"user","content":[{"tool_use_id":"t","type":"tool_result","content":"x"}]},"uuid":"u1","timestamp":"2026-02-10T12:00:00.000Z"})",
            usage, turn) == LineKind::ignored);
    CHECK(
        parser.parse(
            R"({"type":"user","message":{"role":"user","content":[{"type":"text","text":"\"type\":\"tool_result\""}]},"uuid":"u2","timestamp":"2026-02-10T12:00:00.000Z"})",
            usage, turn) == LineKind::turn_start);
    CHECK(turn.uuid == "u2");
    // Trailing bytes after the object, or an array, are not one JSON object.
    CHECK(parser.parse(test::assistant_line("m", "r", test::Usage(1, 1)) + " x", usage, turn) ==
          LineKind::malformed);
    CHECK(parser.parse("[1,2]", usage, turn) == LineKind::malformed);
    // A duplicate usage key: the last one wins (as in truth.py).
    std::string twice = test::assistant_line("m2", "r2", test::Usage(1, 1));
    twice.insert(twice.find("\"usage\":"),
                 "\"usage\":{\"input_tokens\":999,\"output_tokens\":-1},");
    REQUIRE(parser.parse(twice, usage, turn) == LineKind::usage);
    CHECK(usage.tokens.input_tokens == 1);
}
