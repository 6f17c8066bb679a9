// The client's own cost records: parsed without content, stored per process, the last state
// kept, in any reading order.
#include <catch2/catch.hpp>

#include "core/client_check.hpp"
#include "core/client_cost_state.hpp"
#include "core/price_learner.hpp"
#include "core/session_activity.hpp"
#include "core/session_detail.hpp"
#include "core/usage_queries.hpp"
#include "transcript_fixture.hpp"

using namespace ccmeter;
using namespace ccmeter::test;

namespace {

// Shaped like the record client 2.1.332 writes (captured/client-2.1.332).
std::string cost_state_line(const std::string& session, int64_t start_ms, const std::string& cost,
                            const std::string& model = "claude-opus-5-5", int64_t input = 48,
                            int64_t output = 118) {
    return "{\"type\":\"cost-state\",\"sessionId\":\"" + session + "\",\"totalCostUSD\":" + cost +
           ",\"totalAPIDuration\":335,\"totalAPIDurationWithoutRetries\":306,"
           "\"totalToolDuration\":15,\"totalLinesAdded\":3,\"totalLinesRemoved\":1,"
           "\"totalDuration\":911,\"startTime\":" +
           std::to_string(start_ms) + ",\"modelUsage\":{\"" + model +
           "\":{\"inputTokens\":" + std::to_string(input) +
           ",\"outputTokens\":" + std::to_string(output) +
           ",\"thinkingTokens\":0,\"cacheReadInputTokens\":20000,"
           "\"cacheCreationInputTokens\":4000,\"cacheCreationEphemeral5mInputTokens\":2400,"
           "\"cacheCreationEphemeral1hInputTokens\":1600,\"webSearchRequests\":0,\"costUSD\":" +
           cost + "}},\"hasUnknownModelCost\":false}";
}

}  // namespace

TEST_CASE("a cost-state record gives the client's figures for one process", "[client_cost]") {
    const std::optional<ClientCostState> state =
        parse_cost_state(cost_state_line("s1", 1796148272877, "0.023563999999999998"));
    REQUIRE(state);
    CHECK(state->session_id == "s1");
    CHECK(state->start_time_ms == 1796148272877);
    CHECK(state->total_cost_pico_usd == 23'564'000'000);  // the client's float, to the pico
    CHECK(state->api_duration_ms == 335);
    CHECK(state->tool_duration_ms == 15);
    CHECK(state->lines_added == 3);
    CHECK(state->lines_removed == 1);
    REQUIRE(state->models.size() == 1);
    CHECK(state->models[0].model == "claude-opus-5-5");
    CHECK(state->models[0].tokens.cache_read_input_tokens == 20000);
    CHECK(state->models[0].tokens.cache_1h == 1600);
    CHECK(state->models[0].tokens.cache_creation_input_tokens == 4000);
}

TEST_CASE("a cost-state with impossible numbers is refused, not clamped", "[client_cost]") {
    CHECK_FALSE(parse_cost_state(cost_state_line("s1", 1, "-0.5")));
    CHECK_FALSE(parse_cost_state(cost_state_line("s1", 1, "1e300")));
    CHECK_FALSE(parse_cost_state(cost_state_line("s1", 1, "0.1", "m", -1)));
    CHECK_FALSE(parse_cost_state(cost_state_line("s1", 1, "0.1", "m", 1, 10'000'000'000'000'000)));
    CHECK_FALSE(parse_cost_state("{\"type\":\"cost-state\",\"totalCostUSD\":1}"));   // no session
    CHECK_FALSE(parse_cost_state("{\"type\":\"cost-state\",\"sessionId\":\"s\"}"));  // no start
}

TEST_CASE("cost states are stored per process; of two, the larger (later) one stays",
          "[client_cost]") {
    TempHistory history;
    history.append_line(
        "s1.jsonl", assistant_line("m1", "r1", {12, 37, 1000, 5000, 400}, "claude-opus-5-5", "s1"));
    // Written twice by one process, then a later process (a resume) of the same session.
    history.append_line("s1.jsonl", cost_state_line("s1", 1000, "0.01"));
    history.append_line("s1.jsonl", cost_state_line("s1", 1000, "0.02"));
    history.append_line("s1.jsonl", cost_state_line("s1", 5000, "0.03"));
    history.append("s1.jsonl",
                   "{\"type\":\"cost-state\",\"sessionId\":\"s1\",\"startTime\":9,"
                   "\"totalCostUSD\":\"free\"}\n");
    history.ingest();
    CHECK(history.last_stats().cost_states == 3);
    CHECK(history.last_stats().malformed_lines == 1);  // the bad record, counted
    Result<std::vector<ClientCostState>> states = history.store().cost_states();
    REQUIRE(states.has_value());
    REQUIRE(states->size() == 2);
    CHECK((*states)[0].start_time_ms == 1000);
    CHECK((*states)[0].total_cost_pico_usd == 20'000'000'000);
    CHECK((*states)[1].total_cost_pico_usd == 30'000'000'000);

    // The file read again from its start (rewritten): the earlier record does not win back.
    std::filesystem::path path = history.transcript("s1.jsonl");
    std::string text;
    {
        std::ifstream in(path, std::ios::binary);
        text.assign(std::istreambuf_iterator<char>(in), {});
    }
    std::filesystem::remove(path);
    history.append("s1.jsonl", text);
    history.ingest();
    states = history.store().cost_states("s1");
    REQUIRE(states.has_value());
    CHECK((*states)[0].total_cost_pico_usd == 20'000'000'000);
}

TEST_CASE("a model missing from the table is priced from the client's cost records",
          "[client_cost]") {
    TempHistory history;
    // claude-opus-9 is unknown: 4 $/Mtok in, 5 (5m), 8 (1h), 0.2 read, 20 out (opus-5-5's
    // rates); the client priced one process of it at exactly those.
    history.append_line("s1.jsonl", assistant_line("m1", "r1", {48, 118, 4000, 20000, 1600},
                                                   "claude-opus-9", "s1"));
    UsageReport report = history.ingest();
    CHECK(report.totals.unpriced_responses == 1);
    // 48*4 + 118*20 + 2400*5 + 1600*8 + 20000*0.2 = 31352 micro-dollars
    history.append_line("s1.jsonl", cost_state_line("s1", 1000, "0.031352", "claude-opus-9"));
    history.ingest();
    Result<std::vector<ClientCostState>> states = history.store().cost_states();
    REQUIRE(states.has_value());
    const PriceTable prices = with_learned_prices(PriceTable::builtin(), *states);
    const PriceRule* rule = prices.find("claude-opus-9", 0);
    REQUIRE(rule);
    CHECK(rule->source == PriceSource::learned);
    REQUIRE(rule->learned);
    CHECK(rule->learned->equations == 1);
    CHECK_FALSE(rule->learned->determined);  // one equation cannot fix five rates
    CHECK(rule->learned->consistent);
    Result<UsageReport> priced = build_report(history.store(), prices, {}, Grouping::none);
    REQUIRE(priced.has_value());
    CHECK(priced->totals.unpriced_responses == 0);
    // The session costs what the client said, to the micro-dollar.
    CHECK((priced->totals.cost_pico_usd + 500'000) / 1'000'000 == 31'352);
    // A model the table knows is never re-learned.
    CHECK(prices.find("claude-opus-5-5", 0)->source == PriceSource::builtin);
}

TEST_CASE("a forked session's copies belong to the session that made them, in any order",
          "[client_cost][ingest]") {
    for (const bool fork_first : {true, false}) {
        TempHistory history;
        const std::string original =
            assistant_line("m1", "r1", {12, 37}, "claude-opus-5-5", "orig");
        std::string copy = assistant_line("m1", "r1", {12, 37}, "claude-opus-5-5", "fork");
        copy.insert(1, "\"requestSessionId\":\"orig\",");
        const std::string own = assistant_line("m2", "r2", {1, 7}, "claude-opus-5-5", "fork");
        // Files are read in path order: name them so that either one comes first.
        const std::string fork_file = fork_first ? "a-fork.jsonl" : "z-fork.jsonl";
        history.append_line("m-orig.jsonl", original);
        history.append_line(fork_file, copy);
        history.append_line(fork_file, own);
        const UsageReport report = history.ingest(Grouping::session);
        CHECK(report.totals.responses == 2);
        CHECK(report.groups.at("orig").responses == 1);
        CHECK(report.groups.at("orig").tokens.output_tokens == 37);
        CHECK(report.groups.at("fork").responses == 1);
        CHECK(report.groups.at("fork").tokens.output_tokens == 7);
    }
}

TEST_CASE("client 2.1.332's own sessions: ccmeter's cost equals the client's, fork included",
          "[client_cost][client_check]") {
    // tests/fixtures/client-2.1.332: a tool session with a subagent, a plain session and a
    // fork of it, written by the real client (README there).
    const std::filesystem::path fixture = CCMETER_CLIENT_FIXTURE_DIR;
    TempHistory history;
    std::filesystem::copy(fixture / "projects", history.config_dir() / "projects",
                          std::filesystem::copy_options::recursive |
                              std::filesystem::copy_options::overwrite_existing);
    const UsageReport report = history.ingest(Grouping::session);
    CHECK(history.last_stats().cost_states == 3);
    Result<std::vector<SessionCheck>> checks =
        client_check(history.store(), history.prices(), std::nullopt, std::nullopt);
    REQUIRE(checks.has_value());
    REQUIRE(checks->size() == 3);
    int64_t client_total = 0;
    for (const SessionCheck& check : *checks) {
        INFO(check.session_id);
        CHECK(check.processes == 1);
        CHECK(check.unpriced_responses == 0);
        CHECK(micro_usd(check.ours_pico_usd) == micro_usd(check.client_pico_usd));
        CHECK(check.client_only_models.empty());
        client_total += check.client_pico_usd;
    }
    // The fork's record repeats its parent's $0.015776; the client billed it once.
    CHECK(micro_usd(client_total) == 31'352 + 15'776 + 7'788);
    CHECK(micro_usd(report.totals.cost_pico_usd) == micro_usd(client_total));
    CHECK(report.groups.at("4e1adef4-4a2f-4d61-8363-5d6a44e75938").responses == 1);
}

TEST_CASE("client 2.1.332's own sessions: each process's time, the fork's parent taken off",
          "[client_cost][activity]") {
    const std::filesystem::path fixture = CCMETER_CLIENT_FIXTURE_DIR;
    TempHistory history;
    std::filesystem::copy(fixture / "projects", history.config_dir() / "projects",
                          std::filesystem::copy_options::recursive |
                              std::filesystem::copy_options::overwrite_existing);
    history.ingest(Grouping::session);
    Result<std::vector<ProcessActivity>> processes = process_activity(history.store(), {});
    REQUIRE(processes.has_value());
    REQUIRE(processes->size() == 3);
    // The records: 4a5dc93f (API 176 ms, tools 20, wall 603), its fork 4e1adef4 (244, 20, 804,
    // the parent's included) and 24632d1f (335, 15, 911); no lines changed.
    for (const ProcessActivity& process : *processes) {
        INFO(process.session_id);
        CHECK(process.activity.lines_added == 0);
        if (process.session_id.rfind("4e1adef4", 0) == 0) {
            CHECK(process.activity.api_ms == 68);
            CHECK(process.activity.tool_ms == 0);
            CHECK(process.activity.wall_ms == 201);
            CHECK(process.activity.idle_ms == 133);
        } else if (process.session_id.rfind("24632d1f", 0) == 0) {
            CHECK(process.activity.api_ms == 335);
            CHECK(process.activity.idle_ms == 911 - 335 - 15);
        } else {
            CHECK(process.activity.api_ms == 176);
            CHECK(process.activity.wall_ms == 603);
        }
    }
    Result<SessionDetail> fork =
        session_detail(history.store(), history.prices(), "4e1adef4-4a2f-4d61-8363-5d6a44e75938");
    REQUIRE(fork.has_value());
    REQUIRE(fork->activity.has_value());
    CHECK(fork->activity->processes == 1);
    CHECK(fork->activity->wall_ms == 201);
}
