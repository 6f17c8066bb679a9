// The cache of tool calls the daemon keeps between tools reports: after each kind of change
// (a use, a result, an OTel event, a fork's earlier copy that moves a call to another session)
// its answer is the store's, and it read again only the session that changed.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "core/ingest_batch.hpp"
#include "core/tool_call_cache.hpp"
#include "core/tool_usage.hpp"
#include "database_fixture.hpp"

using namespace ccmeter;

namespace {

constexpr int64_t k_t0 = 1'790'000'000'000;

ToolUse use(const std::string& id, const std::string& name, int64_t started_ms,
            const std::string& session, const std::string& cwd = "/p") {
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
    REQUIRE(store.commit(batch).has_value());
}

void commit_run(UsageStore& store, const std::string& id, int64_t duration_ms, bool success) {
    ClientEvents events;
    events.tool_runs.push_back(ToolRun{"a", "Bash", id, duration_ms, success, k_t0});
    REQUIRE(store.commit_client_events(events, k_t0).has_value());
}

// One tool's line of the report, as text: what `hookctl stats tools` shows of it.
std::string line_of(const std::vector<ToolStats>& tools, const std::string& name) {
    for (const ToolStats& t : tools)
        if (t.name == name)
            return std::to_string(t.calls) + " calls, " + std::to_string(t.errors) + " errors, " +
                   std::to_string(t.timed_calls) + " timed, " + std::to_string(t.total_ms) +
                   " ms, p50 " + (t.p50_ms ? std::to_string(*t.p50_ms) : "-") + ", p95 " +
                   (t.p95_ms ? std::to_string(*t.p95_ms) : "-");
    return "none";
}

// The report from the cache, checked against the store's own reading of every call.
std::vector<ToolStats> cached_report(UsageStore& store, ToolCallCache& cache,
                                     const ResponseFilter& filter = {}) {
    Result<std::vector<ToolStats>> cached = tool_usage(store, filter, &cache);
    Result<std::vector<ToolStats>> direct = tool_usage(store, filter);
    REQUIRE(cached.has_value());
    REQUIRE(direct.has_value());
    REQUIRE(cached->size() == direct->size());
    for (size_t i = 0; i < direct->size(); ++i)
        CHECK(line_of(*cached, (*direct)[i].name) == line_of(*direct, (*direct)[i].name));
    return *cached;
}

}  // namespace

TEST_CASE("a cache of tool calls answers as the store after every kind of change",
          "[tools][tool_call_cache]") {
    test::TempDatabase db;
    UsageStore& store = db.store();
    ToolCallCache cache;
    commit(store,
           {use("t1", "Bash", k_t0, "a"), use("t2", "Bash", k_t0 + 1000, "a", "/q"),
            use("t3", "Read", k_t0 + 2000, "b")},
           {ToolResult{"t3", false, k_t0 + 2500}});
    std::vector<ToolStats> tools = cached_report(store, cache);
    CHECK(line_of(tools, "Bash") == "2 calls, 0 errors, 0 timed, 0 ms, p50 -, p95 -");
    CHECK(line_of(tools, "Read") == "1 calls, 0 errors, 1 timed, 500 ms, p50 500, p95 500");
    CHECK(cache.full_reads() == 1);
    CHECK(cache.calls() == 3);

    SECTION("a result read later times its call and reads its session alone") {
        commit(store, {}, {ToolResult{"t1", true, k_t0 + 4000}});
        tools = cached_report(store, cache);
        CHECK(line_of(tools, "Bash") == "2 calls, 1 errors, 1 timed, 4000 ms, p50 4000, p95 4000");
        CHECK(cache.full_reads() == 1);
        CHECK(cache.sessions_read() == 1);
        // A repeated answer reads nothing.
        cached_report(store, cache);
        CHECK(cache.sessions_read() == 1);
    }
    SECTION("an OTel event received later gives its call the client's own time") {
        commit_run(store, "t2", 321, false);
        tools = cached_report(store, cache);
        CHECK(line_of(tools, "Bash") == "2 calls, 1 errors, 1 timed, 321 ms, p50 321, p95 321");
        CHECK(cache.full_reads() == 1);
        CHECK(cache.sessions_read() == 1);
    }
    SECTION("a fork's earlier copy moves a call to the fork's session") {
        commit(store, {use("t1", "Bash", k_t0 - 5000, "fork")}, {});
        ResponseFilter in_a;
        in_a.session_id = "a";
        CHECK(line_of(cached_report(store, cache, in_a), "Bash") ==
              "1 calls, 0 errors, 0 timed, 0 ms, p50 -, p95 -");
        ResponseFilter in_fork;
        in_fork.session_id = "fork";
        CHECK(line_of(cached_report(store, cache, in_fork), "Bash") ==
              "1 calls, 0 errors, 0 timed, 0 ms, p50 -, p95 -");
        CHECK(line_of(cached_report(store, cache), "Bash") ==
              "2 calls, 0 errors, 0 timed, 0 ms, p50 -, p95 -");
        CHECK(cache.sessions_read() == 2);  // the fork and the session the call left
    }
    SECTION("filters by time, session and project select as the store does") {
        commit(store, {use("t4", "Bash", k_t0 + 86'400'000, "b", "/q")},
               {ToolResult{"t4", false, k_t0 + 86'400'000 + 70}});
        ResponseFilter since;
        since.since_ms = k_t0 + 1000;
        CHECK(line_of(cached_report(store, cache, since), "Bash") ==
              "2 calls, 0 errors, 1 timed, 70 ms, p50 70, p95 70");
        ResponseFilter until;
        until.until_ms = k_t0 + 1000;
        CHECK(line_of(cached_report(store, cache, until), "Bash") ==
              "1 calls, 0 errors, 0 timed, 0 ms, p50 -, p95 -");
        ResponseFilter project;
        project.cwd = "/q";
        CHECK(line_of(cached_report(store, cache, project), "Bash") ==
              "2 calls, 0 errors, 1 timed, 70 ms, p50 70, p95 70");
        CHECK(line_of(cached_report(store, cache, project), "Read") == "none");
    }
    SECTION("calls of one session 60 days apart keep their times") {
        const int64_t later = k_t0 + 60 * 86'400'000LL;  // past 2^32 ms after the first
        commit(store, {use("t6", "Bash", later, "a"), use("t7", "Bash", later + 10, "a")},
               {ToolResult{"t6", false, later + 30}});
        ResponseFilter since;
        since.since_ms = later;
        CHECK(line_of(cached_report(store, cache, since), "Bash") ==
              "2 calls, 0 errors, 1 timed, 30 ms, p50 30, p95 30");
        ResponseFilter until;
        until.until_ms = later + 10;
        CHECK(line_of(cached_report(store, cache, until), "Bash") ==
              "3 calls, 0 errors, 1 timed, 30 ms, p50 30, p95 30");
    }
    SECTION("a run time the cache cannot hold sends the report to the store, still exact") {
        commit_run(store, "t1", 5'000'000'000, true);
        tools = cached_report(store, cache);
        CHECK_FALSE(cache.exact());
        CHECK(line_of(tools, "Bash") ==
              "2 calls, 0 errors, 1 timed, 5000000000 ms, p50 5000000000, p95 5000000000");
    }
    SECTION("another database, whose change number is behind, is read whole") {
        commit(store, {use("t5", "Bash", k_t0, "a")}, {});
        cached_report(store, cache);  // at change number 2
        test::TempDatabase other;
        commit(other.store(), {use("x1", "Grep", k_t0, "c")}, {});  // at 1
        tools = cached_report(other.store(), cache);
        CHECK(line_of(tools, "Grep") == "1 calls, 0 errors, 0 timed, 0 ms, p50 -, p95 -");
        CHECK(line_of(tools, "Bash") == "none");
        CHECK(cache.full_reads() == 2);
    }
}
