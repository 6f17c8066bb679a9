// The hook payload: the fields Claude Code sends on each hook event, as the daemon is told
// them; other fields and types ignored; what is not a JSON object (or not UTF-8) refused.
#include <catch2/catch.hpp>

#include "hookctl/hook_payload.hpp"

using ccmeter::parse_hook_payload;

TEST_CASE("a SubagentStop payload gives the transcripts that grew") {
    const auto payload = parse_hook_payload(
        R"({"session_id":"5e1f","transcript_path":"/h/.claude/projects/p/5e1f.jsonl",)"
        R"("cwd":"/work/x","hook_event_name":"SubagentStop","agent_id":"a1","agent_type":"x",)"
        R"("agent_transcript_path":"/h/.claude/projects/p/5e1f/subagents/agent-a1.jsonl",)"
        R"("stop_hook_active":false})");
    REQUIRE(payload);
    CHECK(payload->hook_event_name == "SubagentStop");
    CHECK(payload->session_id == "5e1f");
    CHECK(payload->transcript_path == "/h/.claude/projects/p/5e1f.jsonl");
    CHECK(payload->cwd == "/work/x");
    CHECK(payload->agent_transcript_path == "/h/.claude/projects/p/5e1f/subagents/agent-a1.jsonl");
}

TEST_CASE("fields of another type stay empty") {
    const auto payload = parse_hook_payload(
        R"({"session_id":42,"transcript_path":["x"],"cwd":"/a/b","hook_event_name":"Stop"})");
    REQUIRE(payload);
    CHECK(payload->session_id.empty());
    CHECK(payload->transcript_path.empty());
    CHECK(payload->cwd == "/a/b");
    CHECK(payload->hook_event_name == "Stop");
    CHECK(payload->agent_transcript_path.empty());
}

TEST_CASE("what is not a JSON object is refused") {
    CHECK_FALSE(parse_hook_payload(""));
    CHECK_FALSE(parse_hook_payload("[1,2]"));
    CHECK_FALSE(parse_hook_payload(R"({"session_id":"x")"));
    // Text that is not UTF-8, raw or as a lone surrogate escape, is not JSON either.
    CHECK_FALSE(parse_hook_payload("{\"cwd\":\"/a\xff\"}"));
    CHECK_FALSE(parse_hook_payload(R"({"cwd":"/a\ud800b"})"));
    CHECK(parse_hook_payload("{}"));
}
