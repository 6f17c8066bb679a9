// Tool calls from transcripts: what the parser takes of tool_use / tool_result blocks, how the
// store joins a call with its result in either order, and the per-tool figures.
#include <catch2/catch.hpp>

#include "core/tool_usage.hpp"
#include "core/usage_parser.hpp"
#include "database_fixture.hpp"
#include "transcript_fixture.hpp"

using namespace ccmeter;

namespace {

constexpr int64_t k_t0 = 1'790'000'000'000;

std::string assistant_with_tools(const std::string& message_id, const std::string& session,
                                 const std::string& timestamp) {
    return R"({"parentUuid":null,"isSidechain":true,"type":"assistant","message":{"id":")" +
           message_id +
           R"(","model":"claude-opus-4-6","role":"assistant","content":[{"type":"text","text":"SECRET-TEXT"},{"type":"tool_use","id":"toolu_1","name":"Bash","input":{"command":"SECRET-INPUT","id":"not-a-call"}},{"type":"tool_use","id":"toolu_2","name":"Read","input":{}}],"usage":{"input_tokens":3,"output_tokens":4}},"requestId":"req_)" +
           message_id + R"(","uuid":"u-)" + message_id + R"(","timestamp":")" + timestamp +
           R"(","cwd":"/home/dev/proj","sessionId":")" + session +
           R"(","agentId":"a7","version":"2.1.332"})";
}

std::string result_line(const std::string& tool_use_id, bool is_error,
                        const std::string& timestamp) {
    return R"({"parentUuid":"p","isSidechain":false,"type":"user","message":{"role":"user","content":[{"tool_use_id":")" +
           tool_use_id +
           R"(","type":"tool_result","content":[{"type":"text","text":"SECRET-OUTPUT"}],"is_error":)" +
           (is_error ? "true" : "false") + R"(}]},"uuid":"r-)" + tool_use_id +
           R"(","timestamp":")" + timestamp +
           R"(","toolUseResult":{"stdout":"SECRET-OUTPUT"},"sessionId":"s1","cwd":"/home/dev/proj"})";
}

ToolUse use(const std::string& id, const std::string& name, int64_t started_ms,
            const std::string& session = "s1", const std::string& cwd = "/p") {
    ToolUse u;
    u.tool_use_id = id;
    u.name = name;
    u.session_id = session;
    u.cwd = cwd;
    u.started_ms = started_ms;
    return u;
}

void commit(UsageStore& store, const std::vector<ToolUse>& uses,
            const std::vector<ToolResult>& results) {
    IngestBatch batch;
    batch.add_tools(uses, results);
    CHECK(batch.tool_calls().size() <= uses.size() + results.size());
    REQUIRE(store.commit(batch).has_value());
}

const ToolStats& stats_of(const std::vector<ToolStats>& tools, const std::string& name) {
    for (const ToolStats& t : tools)
        if (t.name == name)
            return t;
    FAIL("no tool " << name);
    return tools.front();
}

}  // namespace

TEST_CASE("an assistant line yields its tool calls, never their input", "[tools]") {
    UsageParser parser;
    UsageRecord usage;
    TurnStart turn;
    REQUIRE(parser.parse(assistant_with_tools("m1", "s1", "2026-02-10T12:00:00.000Z"), usage,
                         turn) == LineKind::usage);
    const std::vector<ToolUse>& uses = parser.tool_uses();
    REQUIRE(uses.size() == 2);
    CHECK(uses[0].tool_use_id == "toolu_1");
    CHECK(uses[0].name == "Bash");
    CHECK(uses[1].tool_use_id == "toolu_2");
    CHECK(uses[1].name == "Read");
    for (const ToolUse& u : uses) {
        CHECK(u.session_id == "s1");
        CHECK(u.cwd == "/home/dev/proj");
        CHECK(u.is_sidechain);
        CHECK(u.agent_id == "a7");
        CHECK(u.started_ms == *parse_timestamp_ms("2026-02-10T12:00:00.000Z"));
        // Nothing of the content is kept: only ids, names and the record's fields.
        for (const std::string* text : {&u.tool_use_id, &u.name, &u.session_id, &u.cwd})
            CHECK(text->find("SECRET") == std::string::npos);
    }
    CHECK(parser.tool_results().empty());
    // The response itself still counts as before.
    CHECK(usage.tokens.output_tokens == 4);
}

TEST_CASE("a user line yields its tool results, never their output", "[tools]") {
    UsageParser parser;
    UsageRecord usage;
    TurnStart turn;
    CHECK(parser.parse(result_line("toolu_1", true, "2026-02-10T12:00:02.500Z"), usage, turn) ==
          LineKind::ignored);
    REQUIRE(parser.tool_results().size() == 1);
    CHECK(parser.tool_results()[0].tool_use_id == "toolu_1");
    CHECK(parser.tool_results()[0].is_error);
    CHECK(parser.tool_results()[0].finished_ms == *parse_timestamp_ms("2026-02-10T12:00:02.500Z"));
    CHECK(parser.tool_uses().empty());
    // The next line replaces them; a line of another type has none.
    CHECK(parser.parse(result_line("toolu_2", false, "2026-02-10T12:00:03.000Z"), usage, turn) ==
          LineKind::ignored);
    REQUIRE(parser.tool_results().size() == 1);
    CHECK_FALSE(parser.tool_results()[0].is_error);
    CHECK(parser.parse(R"({"type":"summary","summary":"x"})", usage, turn) == LineKind::ignored);
    CHECK(parser.tool_results().empty());
    // A cut line keeps nothing.
    const std::string cut = result_line("toolu_3", false, "2026-02-10T12:00:03.000Z");
    CHECK(parser.parse(cut.substr(0, cut.size() - 40), usage, turn) == LineKind::malformed);
    CHECK(parser.tool_results().empty());
    // Progress records' embedded copies are not calls.
    CHECK(
        parser.parse(
            R"({"type":"progress","data":{"message":{"type":"assistant","message":{"content":[{"type":"tool_use","id":"toolu_9","name":"Bash"}]}}}})",
            usage, turn) == LineKind::ignored);
    CHECK(parser.tool_uses().empty());
}

TEST_CASE("a result read before its call still joins it, in any batch order", "[tools]") {
    test::TempDatabase db;
    commit(db.store(), {}, {ToolResult{"t1", true, k_t0 + 900}});
    // A result alone is not a call: its tool is unknown.
    REQUIRE(db.store().tool_calls({}).has_value());
    CHECK(db.store().tool_calls({})->empty());
    commit(db.store(), {use("t1", "Bash", k_t0)}, {});
    commit(db.store(), {use("t2", "Read", k_t0 + 10)}, {ToolResult{"t2", false, k_t0 + 60}});
    Result<std::vector<ToolCallRow>> calls = db.store().tool_calls({});
    REQUIRE(calls.has_value());
    REQUIRE(calls->size() == 2);
    CHECK((*calls)[0].name == "Bash");
    CHECK((*calls)[0].finished_ms == k_t0 + 900);
    CHECK((*calls)[0].is_error == true);
    CHECK((*calls)[1].finished_ms == k_t0 + 60);
    CHECK((*calls)[1].is_error == false);
    // The same call again (a fork copied its line, later) changes nothing.
    commit(db.store(), {use("t1", "Bash", k_t0 + 5000, "fork")},
           {ToolResult{"t1", true, k_t0 + 7000}});
    calls = db.store().tool_calls({});
    REQUIRE(calls->size() == 2);
    CHECK((*calls)[0].session_id == "s1");
    CHECK((*calls)[0].started_ms == k_t0);
    CHECK((*calls)[0].finished_ms == k_t0 + 900);
}

TEST_CASE("a call repeated across transcript files counts once", "[tools]") {
    test::TempHistory history;
    const std::string line = assistant_with_tools("m1", "s1", "2026-02-10T12:00:00.000Z");
    history.append_line("s1.jsonl", line);
    history.append_line("s1.jsonl", result_line("toolu_1", false, "2026-02-10T12:00:01.250Z"));
    history.append_line("s2.jsonl", line);  // --fork-session / resume copies
    history.append_line("s2.jsonl", result_line("toolu_1", false, "2026-02-10T12:00:09.000Z"));
    history.ingest();
    Result<std::vector<ToolStats>> tools = tool_usage(history.store(), {});
    REQUIRE(tools.has_value());
    REQUIRE(tools->size() == 2);
    const ToolStats& bash = stats_of(*tools, "Bash");
    CHECK(bash.calls == 1);
    CHECK(bash.errors == 0);
    CHECK(bash.timed_calls == 1);
    CHECK(bash.total_ms == 1250);
    const ToolStats& read = stats_of(*tools, "Read");
    CHECK(read.calls == 1);
    CHECK(read.timed_calls == 0);  // no result: its time is unknown
    CHECK_FALSE(read.p50_ms.has_value());
}

TEST_CASE("per-tool figures: nearest-rank p50 and p95, OTel durations preferred", "[tools]") {
    test::TempDatabase db;
    // 20 Bash calls taking 100, 200, ..., 2000 ms by their transcript times; the first one's
    // OTel event says 5000 ms (the client's own measure wins).
    std::vector<ToolUse> uses;
    std::vector<ToolResult> results;
    for (int i = 1; i <= 20; ++i) {
        const std::string id = "b" + std::to_string(i);
        uses.push_back(use(id, "Bash", k_t0 + i * 10'000));
        results.push_back(ToolResult{id, i % 4 == 0, k_t0 + i * 10'000 + i * 100});
    }
    uses.push_back(use("e1", "Edit", k_t0 + 1, "s2", "/q"));  // no result, no OTel: untimed
    uses.push_back(use("w1", "Write", k_t0 + 2, "s2", "/q"));
    commit(db.store(), uses, results);
    ClientEvents events;
    events.tool_runs.push_back(ToolRun{"s1", "Bash", "b1", 5000, true, k_t0});
    events.tool_runs.push_back(ToolRun{"s2", "Write", "w1", 42, false, k_t0});  // failed
    REQUIRE(db.store().commit_client_events(events, k_t0).has_value());

    Result<std::vector<ToolStats>> tools = tool_usage(db.store(), {});
    REQUIRE(tools.has_value());
    REQUIRE(tools->size() == 3);
    CHECK((*tools)[0].name == "Bash");  // most calls first
    const ToolStats& bash = (*tools)[0];
    CHECK(bash.calls == 20);
    CHECK(bash.errors == 5);
    CHECK(bash.timed_calls == 20);
    // Times: 200..2000 and 5000. Sorted, rank ceil(0.5 * 20) = 10 is 1100; rank 19 is 2000.
    CHECK(bash.total_ms == (200 + 2000) * 19 / 2 + 5000);
    CHECK(bash.p50_ms == 1100);
    CHECK(bash.p95_ms == 2000);
    const ToolStats& write = stats_of(*tools, "Write");
    CHECK(write.errors == 1);  // no transcript result: the OTel event's failure counts
    CHECK(write.p50_ms == 42);
    CHECK(write.p95_ms == 42);
    const ToolStats& edit = stats_of(*tools, "Edit");
    CHECK(edit.calls == 1);
    CHECK(edit.timed_calls == 0);
    CHECK_FALSE(edit.p95_ms.has_value());

    // Filters: by project, session and start time.
    ResponseFilter project;
    project.cwd = "/q";
    tools = tool_usage(db.store(), project);
    REQUIRE(tools->size() == 2);
    ResponseFilter late;
    late.since_ms = k_t0 + 110'000;  // calls 11..20
    tools = tool_usage(db.store(), late);
    REQUIRE(tools->size() == 1);
    CHECK((*tools)[0].calls == 10);
    CHECK((*tools)[0].p50_ms == 1500);
    ResponseFilter session;
    session.session_id = "s2";
    session.until_ms = k_t0 + 2;
    tools = tool_usage(db.store(), session);
    REQUIRE(tools->size() == 1);
    CHECK((*tools)[0].name == "Edit");
}

TEST_CASE("nearest rank on small samples", "[tools]") {
    CHECK_FALSE(nearest_rank({}, 50).has_value());
    CHECK(nearest_rank({7}, 95) == 7);
    CHECK(nearest_rank({1, 2}, 50) == 1);
    CHECK(nearest_rank({1, 2, 3, 4}, 95) == 4);
    CHECK(nearest_rank({1, 2, 3, 4}, 50) == 2);
}
