// session_activity: what the client's processes did (cost-state), each its own part (a fork's
// parent taken off), per period, per project and in all.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "core/session_activity.hpp"
#include "database_fixture.hpp"

using namespace ccmeter;

namespace {

constexpr int64_t k_day_ms = 86'400'000;
constexpr int64_t k_base_ms = 1'790'000'000'000 - 1'790'000'000'000 % k_day_ms;  // a UTC midnight

ClientCostState process(const std::string& session, int64_t start_ms, int64_t api_s, int64_t tool_s,
                        int64_t wall_s, int64_t added, int64_t removed, int64_t output_tokens) {
    ClientCostState state;
    state.session_id = session;
    state.start_time_ms = start_ms;
    state.api_duration_ms = api_s * 1000;
    state.tool_duration_ms = tool_s * 1000;
    state.duration_ms = wall_s * 1000;
    state.lines_added = added;
    state.lines_removed = removed;
    ClientModelUsage model;
    model.model = "claude-opus-5-5";
    model.tokens.output_tokens = output_tokens;
    model.cost_pico_usd = output_tokens * 25'000'000;
    state.models.push_back(model);
    state.total_cost_pico_usd = model.cost_pico_usd;
    return state;
}

void response_in(IngestBatch& batch, const std::string& session, const std::string& cwd,
                 int64_t at_ms) {
    UsageRecord r;
    r.message_id = "msg_" + session;
    r.request_id = "req_" + session;
    r.model = "claude-opus-5-5";
    r.session_id = session;
    r.cwd = cwd;
    r.timestamp_ms = at_ms;
    batch.add_response(r);
}

// A: one process on day 0. B: forked from A (same start, A's totals inside its own). C: day 1,
// its API time longer than its wall time (parallel subagents).
void fill(test::TempDatabase& db) {
    IngestBatch batch;
    batch.add_cost_state(process("A", k_base_ms + 1000, 60, 20, 300, 10, 2, 100));
    batch.add_cost_state(process("B", k_base_ms + 1000, 90, 30, 400, 15, 3, 150));
    batch.add_cost_state(process("C", k_base_ms + k_day_ms + 5000, 100, 0, 50, 7, 0, 40));
    response_in(batch, "A", "/p/a", k_base_ms + 2000);
    response_in(batch, "B", "/p/a", k_base_ms + 3000);
    response_in(batch, "C", "/p/c", k_base_ms + k_day_ms + 6000);
    REQUIRE(db.store().commit(batch).has_value());
}

}  // namespace

TEST_CASE("each process counts its own part: a fork's parent is taken off", "[activity]") {
    test::TempDatabase db;
    fill(db);
    Result<std::vector<ProcessActivity>> processes = process_activity(db.store(), {});
    REQUIRE(processes.has_value());
    REQUIRE(processes->size() == 3);
    const ProcessActivity& fork =
        (*processes)[0].session_id == "B" ? (*processes)[0] : (*processes)[1];
    CHECK(fork.session_id == "B");
    CHECK(fork.activity.api_ms == 30'000);
    CHECK(fork.activity.tool_ms == 10'000);
    CHECK(fork.activity.wall_ms == 100'000);
    CHECK(fork.activity.idle_ms == 60'000);
    CHECK(fork.activity.lines_added == 5);
    CHECK(fork.activity.lines_removed == 1);
    const ProcessActivity& busy = (*processes)[2];
    CHECK(busy.session_id == "C");
    CHECK(busy.activity.idle_ms == 0);  // API time past the wall time: never below 0

    ResponseFilter only_c;
    only_c.session_id = "C";
    Result<std::vector<ProcessActivity>> one = process_activity(db.store(), only_c);
    REQUIRE(one.has_value());
    REQUIRE(one->size() == 1);
    CHECK(one->front().activity.lines_added == 7);
}

TEST_CASE("activity per day, per project and in all", "[activity]") {
    test::TempDatabase db;
    fill(db);
    const std::vector<int64_t> days = {k_base_ms, k_base_ms + k_day_ms, k_base_ms + 2 * k_day_ms,
                                       k_base_ms + 3 * k_day_ms};
    Result<ActivityReport> report = activity_report(db.store(), days, {});
    REQUIRE(report.has_value());
    REQUIRE(report->periods.size() == 2);  // day 2 has no process
    CHECK(report->periods[0].start_ms == k_base_ms);
    CHECK(report->periods[0].sessions == 2);
    CHECK(report->periods[0].activity.api_ms == 90'000);    // A 60 s + B's own 30 s
    CHECK(report->periods[0].activity.wall_ms == 400'000);  // 300 + 100
    CHECK(report->periods[0].activity.lines_added == 15);   // 10 + 5
    CHECK(report->periods[0].activity.idle_ms == 280'000);
    CHECK(report->periods[1].end_ms == k_base_ms + 2 * k_day_ms);
    CHECK(report->periods[1].activity.lines_added == 7);
    REQUIRE(report->projects.size() == 2);
    CHECK(report->projects[0].project == "/p/a");  // longest wall time first
    CHECK(report->projects[0].sessions == 2);
    CHECK(report->projects[1].activity.api_ms == 100'000);
    CHECK(report->totals.processes == 3);
    CHECK(report->totals.idle_ms == 280'000);  // A 220 s + B 60 s + C 0 s (not 450 - 190 - 30)
    CHECK(report->sessions == 3);

    ResponseFilter project;
    project.cwd = "/p/c";
    Result<ActivityReport> c = activity_report(db.store(), days, project);
    REQUIRE(c.has_value());
    CHECK(c->totals.processes == 1);
    CHECK(c->periods.size() == 1);

    // A span that ends before day 1: C is left out.
    Result<ActivityReport> first =
        activity_report(db.store(), {k_base_ms, k_base_ms + k_day_ms}, {});
    REQUIRE(first.has_value());
    CHECK(first->totals.processes == 2);
    CHECK(first->sessions == 2);
}
