// Tool calls from transcripts: what the parser takes of tool_use / tool_result blocks, how the
// store joins a call with its result in either order, and the per-tool figures.
#include <sqlite3.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <random>

#include "core/tool_call_cache.hpp"
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

// The reference: the tools report as it was computed before schema 11, row by row from the
// stored calls and their OTel events (tool_runs), read here on a connection of its own.
struct ReferenceCall {
    std::string name;
    std::string session_id;
    int64_t started_ms = 0;
    std::optional<int64_t> finished_ms;
    std::optional<bool> is_error;
    std::optional<int64_t> otel_duration_ms;
    std::optional<bool> otel_success;
};

std::vector<ReferenceCall> reference_calls(const std::filesystem::path& database,
                                           const ResponseFilter& filter) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open_v2(database.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
    std::string sql =
        "SELECT c.tool_name, s.session_id, c.started_ms, c.finished_ms, c.is_error, "
        "(SELECT max(duration_ms) FROM tool_runs r WHERE r.tool_use_id = c.tool_use_id), "
        "(SELECT min(success) FROM tool_runs r WHERE r.tool_use_id = c.tool_use_id) "
        "FROM tool_calls c JOIN tool_call_sessions s ON s.id = c.session_ref "
        "JOIN tool_call_cwds w ON w.id = c.cwd_ref WHERE c.started_ms IS NOT NULL";
    if (filter.since_ms)
        sql += " AND c.started_ms >= " + std::to_string(*filter.since_ms);
    if (filter.until_ms)
        sql += " AND c.started_ms < " + std::to_string(*filter.until_ms);
    if (filter.session_id)
        sql += " AND s.session_id = ?1";
    if (filter.cwd)
        sql += " AND w.cwd = ?2";
    sql += " ORDER BY c.started_ms, c.tool_use_id";
    sqlite3_stmt* s = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) == SQLITE_OK);
    if (filter.session_id)
        sqlite3_bind_text(s, 1, filter.session_id->c_str(), -1, SQLITE_TRANSIENT);
    if (filter.cwd)
        sqlite3_bind_text(s, 2, filter.cwd->c_str(), -1, SQLITE_TRANSIENT);
    std::vector<ReferenceCall> calls;
    auto optional_int = [&](int column) -> std::optional<int64_t> {
        if (sqlite3_column_type(s, column) == SQLITE_NULL)
            return std::nullopt;
        return sqlite3_column_int64(s, column);
    };
    while (sqlite3_step(s) == SQLITE_ROW) {
        ReferenceCall& call = calls.emplace_back();
        call.name = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
        call.session_id = reinterpret_cast<const char*>(sqlite3_column_text(s, 1));
        call.started_ms = sqlite3_column_int64(s, 2);
        call.finished_ms = optional_int(3);
        if (auto e = optional_int(4))
            call.is_error = *e != 0;
        call.otel_duration_ms = optional_int(5);
        if (auto ok = optional_int(6))
            call.otel_success = *ok != 0;
    }
    sqlite3_finalize(s);
    sqlite3_close(db);
    return calls;
}

std::optional<int64_t> reference_run_ms(const ReferenceCall& call) {
    if (call.otel_duration_ms && *call.otel_duration_ms >= 0)
        return call.otel_duration_ms;
    if (call.finished_ms && call.started_ms > 0 && *call.finished_ms >= call.started_ms)
        return *call.finished_ms - call.started_ms;
    return std::nullopt;
}

std::vector<ToolStats> reference_tool_usage(const std::filesystem::path& database,
                                            const ResponseFilter& filter) {
    struct Tool {
        ToolStats stats;
        std::vector<int64_t> times;
    };
    std::map<std::string, Tool> tools;
    for (const ReferenceCall& call : reference_calls(database, filter)) {
        Tool& tool = tools[call.name];
        ++tool.stats.calls;
        const bool failed = call.is_error ? *call.is_error : call.otel_success == false;
        if (failed)
            ++tool.stats.errors;
        if (const std::optional<int64_t> ms = reference_run_ms(call)) {
            ++tool.stats.timed_calls;
            tool.stats.total_ms += *ms;
            tool.times.push_back(*ms);
        }
    }
    std::vector<ToolStats> out;
    for (auto& [name, tool] : tools) {
        std::sort(tool.times.begin(), tool.times.end());
        tool.stats.name = name;
        tool.stats.p50_ms = nearest_rank(tool.times, 50);
        tool.stats.p95_ms = nearest_rank(tool.times, 95);
        out.push_back(std::move(tool.stats));
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const ToolStats& a, const ToolStats& b) { return a.calls > b.calls; });
    return out;
}

void check_same(const std::vector<ToolStats>& got, const std::vector<ToolStats>& want) {
    REQUIRE(got.size() == want.size());
    for (size_t i = 0; i < got.size(); ++i) {
        INFO("tool " << want[i].name);
        CHECK(got[i].name == want[i].name);
        CHECK(got[i].calls == want[i].calls);
        CHECK(got[i].errors == want[i].errors);
        CHECK(got[i].timed_calls == want[i].timed_calls);
        CHECK(got[i].total_ms == want[i].total_ms);
        CHECK(got[i].p50_ms == want[i].p50_ms);
        CHECK(got[i].p95_ms == want[i].p95_ms);
    }
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
    REQUIRE(tool_usage(db.store(), {}).has_value());
    CHECK(tool_usage(db.store(), {})->empty());
    commit(db.store(), {use("t1", "Bash", k_t0)}, {});
    commit(db.store(), {use("t2", "Read", k_t0 + 10)}, {ToolResult{"t2", false, k_t0 + 60}});
    Result<std::vector<ToolStats>> tools = tool_usage(db.store(), {});
    REQUIRE(tools.has_value());
    REQUIRE(tools->size() == 2);
    CHECK(stats_of(*tools, "Bash").errors == 1);
    CHECK(stats_of(*tools, "Bash").total_ms == 900);
    CHECK(stats_of(*tools, "Read").errors == 0);
    CHECK(stats_of(*tools, "Read").total_ms == 50);
    // The same call again (a fork copied its line, later) changes nothing.
    commit(db.store(), {use("t1", "Bash", k_t0 + 5000, "fork")},
           {ToolResult{"t1", true, k_t0 + 7000}});
    ResponseFilter fork;
    fork.session_id = "fork";
    CHECK(tool_usage(db.store(), fork)->empty());
    tools = tool_usage(db.store(), {});
    REQUIRE(tools->size() == 2);
    CHECK(stats_of(*tools, "Bash").calls == 1);
    CHECK(stats_of(*tools, "Bash").total_ms == 900);
    check_same(*tools, reference_tool_usage(db.database(), {}));
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
    std::vector<int64_t> none;
    CHECK_FALSE(nearest_rank_unsorted(none, 50).has_value());
    std::vector<int64_t> shuffled{4, 1, 3, 2};
    CHECK(nearest_rank_unsorted(shuffled, 50) == 2);
    CHECK(nearest_rank_unsorted(shuffled, 95) == 4);
    CHECK(nearest_rank_unsorted(shuffled, 1) == 1);
    CHECK(nearest_rank({7}, 95) == 7);
    CHECK(nearest_rank({1, 2}, 50) == 1);
    CHECK(nearest_rank({1, 2, 3, 4}, 95) == 4);
    CHECK(nearest_rank({1, 2, 3, 4}, 50) == 2);
}

namespace {

// A random history of tool calls as ingestion and the OTel receiver store it: uses, results
// and OTel events in random order and batches, copies of a use (forks), results before their
// call, results and events with odd times (none, before the call, negative durations).
struct RandomToolHistory {
    explicit RandomToolHistory(uint32_t seed) : rng(seed) {}

    std::mt19937 rng;
    int next_event_ms = 0;

    int64_t pick(int64_t low, int64_t high) {
        return std::uniform_int_distribution<int64_t>(low, high)(rng);
    }

    // Writes `calls` calls in random batches, calling `after_batch` after each commit. `bulk`:
    // as a first backfill writes them (UsageStore::write_batch, the group committed before
    // each OTel commit, as BatchWriter commits its groups), the bulk load left for the caller
    // to end.
    template <class AfterBatch>
    void write(UsageStore& store, int calls, AfterBatch after_batch, bool bulk = false) {
        const char* names[] = {"Bash", "Read", "Edit", "Task", "mcp__srv__tool"};
        enum class Kind { use, result, run };
        struct Step {
            Kind kind;
            ToolUse use;
            ToolResult result;
            ToolRun run;
        };
        std::vector<Step> steps;
        for (int i = 0; i < calls; ++i) {
            const std::string id = "toolu_" + std::to_string(rng()) + "_" + std::to_string(i);
            const int64_t started = pick(0, 9) == 0 ? 0 : k_t0 + pick(0, 4 * 86'400'000);
            ToolUse u = use(id, names[pick(0, 4)], started, "s" + std::to_string(pick(0, 4)),
                            "/p" + std::to_string(pick(0, 2)));
            steps.push_back({Kind::use, u, {}, {}});
            if (pick(0, 3) == 0) {  // a fork's later copy
                ToolUse copy = u;
                copy.session_id = "fork";
                copy.started_ms = started + pick(-5000, 60'000);
                steps.push_back({Kind::use, copy, {}, {}});
            }
            const int64_t results = pick(0, 2);  // none, one or two (a copy)
            for (int64_t r = 0; r < results; ++r) {
                const int64_t finished =
                    pick(0, 9) == 0 ? 0 : std::max<int64_t>(1, started + pick(-800, 120'000));
                steps.push_back({Kind::result, {}, ToolResult{id, pick(0, 5) == 0, finished}, {}});
            }
            const int64_t runs = pick(0, 5) < 3 ? 0 : pick(1, 3);
            for (int64_t r = 0; r < runs; ++r)
                steps.push_back({Kind::run,
                                 {},
                                 {},
                                 ToolRun{u.session_id, u.name, id, pick(-20, 90'000),
                                         pick(0, 3) != 0, k_t0 + ++next_event_ms}});
        }
        // A few OTel events of calls no transcript holds.
        for (int i = 0; i < 5; ++i)
            steps.push_back({Kind::run,
                             {},
                             {},
                             ToolRun{"s0", "Bash", "toolu_unknown" + std::to_string(i), 10, false,
                                     k_t0 + ++next_event_ms}});
        std::shuffle(steps.begin(), steps.end(), rng);
        size_t at = 0;
        while (at < steps.size()) {
            const size_t end = std::min(steps.size(), at + static_cast<size_t>(pick(1, 40)));
            std::vector<ToolUse> uses;
            std::vector<ToolResult> results;
            ClientEvents events;
            for (; at < end; ++at) {
                Step& step = steps[at];
                if (step.kind == Kind::use)
                    uses.push_back(step.use);
                else if (step.kind == Kind::result)
                    results.push_back(step.result);
                else
                    events.tool_runs.push_back(step.run);
            }
            if (bulk && (!uses.empty() || !results.empty())) {
                IngestBatch batch;
                batch.add_tools(uses, results);
                REQUIRE(store.write_batch(batch).has_value());
            } else if (!uses.empty() || !results.empty()) {
                commit(store, uses, results);
            }
            if (bulk && !events.tool_runs.empty())
                REQUIRE(store.commit_batches().has_value());
            if (!events.tool_runs.empty())
                REQUIRE(store.commit_client_events(events, k_t0).has_value());
            after_batch();
        }
    }

    // A filter of every kind the report takes: none, a time range, a session, a project.
    ResponseFilter filter() {
        ResponseFilter f;
        if (pick(0, 1))
            f.since_ms = k_t0 + pick(-1000, 3 * 86'400'000);
        if (pick(0, 1))
            f.until_ms = k_t0 + pick(0, 4 * 86'400'000);
        if (pick(0, 3) == 0)
            f.session_id = pick(0, 4) == 0 ? "fork" : "s" + std::to_string(pick(0, 4));
        if (pick(0, 3) == 0)
            f.cwd = "/p" + std::to_string(pick(0, 2));
        return f;
    }
};

// Every stored call, a line each, with its session and cwd by name, in tool_use_id order.
std::vector<std::string> tool_call_lines(const std::filesystem::path& database) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open_v2(database.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
    sqlite3_stmt* s = nullptr;
    REQUIRE(sqlite3_prepare_v2(db,
                               "SELECT c.tool_use_id || '|' || c.tool_name || '|' || s.session_id "
                               "|| '|' || w.cwd || '|' || quote(c.started_ms) || '|' || "
                               "quote(c.finished_ms) || '|' || quote(c.is_error) || '|' || "
                               "c.is_sidechain || '|' || c.agent_id || '|' || quote(c.otel_ms) || "
                               "'|' || quote(c.otel_success) || '|' || quote(c.run_ms) || '|' || "
                               "c.failed FROM tool_calls c JOIN tool_call_sessions s ON s.id = "
                               "c.session_ref JOIN tool_call_cwds w ON w.id = c.cwd_ref ORDER BY "
                               "c.tool_use_id",
                               -1, &s, nullptr) == SQLITE_OK);
    std::vector<std::string> lines;
    while (sqlite3_step(s) == SQLITE_ROW)
        lines.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(s, 0)));
    sqlite3_finalize(s);
    sqlite3_close(db);
    return lines;
}

void check_filters_match_reference(UsageStore& store, const std::filesystem::path& database,
                                   RandomToolHistory& history, int filters,
                                   ToolCallCache* cache = nullptr) {
    for (int i = 0; i < filters; ++i) {
        const ResponseFilter filter = i == 0 ? ResponseFilter{} : history.filter();
        INFO("filter since " << filter.since_ms.value_or(-1) << " until "
                             << filter.until_ms.value_or(-1) << " session "
                             << filter.session_id.value_or("-") << " cwd "
                             << filter.cwd.value_or("-"));
        Result<std::vector<ToolStats>> tools = tool_usage(store, filter);
        REQUIRE(tools.has_value());
        const std::vector<ToolStats> want = reference_tool_usage(database, filter);
        check_same(*tools, want);
        if (cache) {
            Result<std::vector<ToolStats>> cached = tool_usage(store, filter, cache);
            REQUIRE(cached.has_value());
            REQUIRE(cache->exact());
            check_same(*cached, want);
        }
    }
}

}  // namespace

TEST_CASE("the per-tool figures equal the row-by-row computation on random histories", "[tools]") {
    for (uint32_t seed = 1; seed <= 6; ++seed) {
        INFO("seed " << seed);
        test::TempDatabase db;
        RandomToolHistory history(seed);
        // Kept across the whole history, as the daemon keeps it: each answer reads again only
        // the sessions whose calls changed (a use, a result, an OTel event, a fork's earlier
        // copy moving a call to another session).
        ToolCallCache cache;
        int batches = 0;
        history.write(db.store(), 150, [&] {
            // Every few batches, while calls, results and events are still arriving.
            if (++batches % 7 == 0)
                check_filters_match_reference(db.store(), db.database(), history, 3, &cache);
        });
        check_filters_match_reference(db.store(), db.database(), history, 25, &cache);
        CHECK(cache.full_reads() == 1);
        CHECK(cache.sessions_read() > 0);
        CHECK(cache.calls() > 100);
    }
}

TEST_CASE("a first backfill's staged tool calls end as the same rows as batch by batch",
          "[tools]") {
    for (uint32_t seed = 11; seed <= 14; ++seed) {
        INFO("seed " << seed);
        test::TempDatabase by_batch;
        RandomToolHistory(seed).write(by_batch.store(), 150, [] {});
        const std::vector<std::string> want = tool_call_lines(by_batch.database());
        REQUIRE(want.size() > 100);

        // Ended: the calls appear, and a cache of them kept through the load sees them.
        test::TempDatabase bulk;
        ToolCallCache cache;
        REQUIRE(tool_usage(bulk.store(), {}, &cache).has_value());
        RandomToolHistory history(seed);
        history.write(bulk.store(), 150, [] {}, true);
        CHECK(tool_call_lines(bulk.database()).empty());  // staged: not counted yet
        REQUIRE(bulk.store().end_bulk_load().has_value());
        CHECK(tool_call_lines(bulk.database()) == want);
        check_filters_match_reference(bulk.store(), bulk.database(), history, 10, &cache);
        CHECK(cache.full_reads() == 1);

        // Cut short before its end: the next open merges what was staged.
        test::TempDatabase cut;
        RandomToolHistory(seed).write(cut.store(), 150, [] {}, true);
        REQUIRE(cut.store().commit_batches().has_value());
        Result<std::unique_ptr<UsageStore>> reopened = UsageStore::open(cut.database());
        REQUIRE(reopened.has_value());
        CHECK(tool_call_lines(cut.database()) == want);
    }
}

TEST_CASE("a database of schema 10 gets its tool call times when it is opened", "[tools]") {
    test::TempDatabase db;
    RandomToolHistory history(99);
    history.write(db.store(), 200, [] {});
    const std::vector<ToolStats> before = *tool_usage(db.store(), {});
    // The index as a bulk load builds it (k_tool_calls_by_session_sql), to hold the migrated
    // database's to.
    auto index_of = [](const std::filesystem::path& database) {
        sqlite3* raw = nullptr;
        REQUIRE(sqlite3_open(database.c_str(), &raw) == SQLITE_OK);
        sqlite3_stmt* s = nullptr;
        REQUIRE(sqlite3_prepare_v2(raw,
                                   "SELECT (SELECT group_concat(name) FROM "
                                   "pragma_index_info('tool_calls_by_session')), (SELECT partial "
                                   "FROM pragma_index_list('tool_calls') WHERE name = "
                                   "'tool_calls_by_session')",
                                   -1, &s, nullptr) == SQLITE_OK);
        REQUIRE(sqlite3_step(s) == SQLITE_ROW);
        const std::string columns = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
        const int partial = sqlite3_column_int(s, 1);
        sqlite3_finalize(s);
        sqlite3_close(raw);
        return columns + (partial ? " partial" : "");
    };
    const std::string bulk_index = index_of(db.database());
    CHECK(bulk_index == "session_ref,started_ms,tool_name,run_ms,failed,cwd_ref partial");
    // Back to schema 10, as the release that wrote it left it.
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open(db.database().c_str(), &raw) == SQLITE_OK);
    REQUIRE(sqlite3_exec(raw, test::k_tool_calls_of_schema_13_sql, nullptr, nullptr, nullptr) ==
            SQLITE_OK);
    REQUIRE(sqlite3_exec(raw,
                         "DROP TRIGGER tool_runs_time_calls; "
                         "DROP INDEX tool_calls_by_session; DROP TABLE tool_call_changes; "
                         "ALTER TABLE tool_calls DROP COLUMN otel_ms; "
                         "ALTER TABLE tool_calls DROP COLUMN otel_success; "
                         "ALTER TABLE tool_calls DROP COLUMN run_ms; "
                         "ALTER TABLE tool_calls DROP COLUMN failed; PRAGMA user_version=10;",
                         nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(raw);
    Result<std::unique_ptr<UsageStore>> opened = UsageStore::open(db.database());
    REQUIRE(opened.has_value());
    UsageStore& reopened = **opened;
    CHECK(reopened.schema_version().value() == UsageStore::current_schema_version());
    CHECK(index_of(db.database()) == bulk_index);
    Result<std::vector<ToolStats>> after = tool_usage(reopened, {});
    REQUIRE(after.has_value());
    check_same(*after, before);
    REQUIRE(before.size() == 5);
    check_filters_match_reference(reopened, db.database(), history, 20);
    // And it keeps them from then on: new calls, results and events after the migration, seen
    // by a cache of the calls too (the OTel trigger as migrated marks what it times).
    ToolCallCache cache;
    check_filters_match_reference(reopened, db.database(), history, 1, &cache);
    history.write(reopened, 100, [] {});
    check_filters_match_reference(reopened, db.database(), history, 20, &cache);
    CHECK(cache.full_reads() == 1);
}
