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
