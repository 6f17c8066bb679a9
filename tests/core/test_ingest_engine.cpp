// The counting rules, end to end through IngestEngine and the store: what a user's totals show.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>

#include "transcript_fixture.hpp"

using namespace ccmeter;
using namespace ccmeter::test;

TEST_CASE("streaming placeholder lines count once, with the largest output", "[ingest]") {
    TempHistory history;
    history.append_line("s1.jsonl", assistant_line("msg_1", "req_1", {10, 3, 0, 0, 0}));
    history.append_line("s1.jsonl", assistant_line("msg_1", "req_1", {10, 250, 0, 0, 0}));
    history.append_line("s1.jsonl", assistant_line("msg_2", "req_2", {5, 40, 0, 0, 0}));
    history.append_line("s1.jsonl", assistant_line("msg_2", "req_2", {5, 2, 0, 0, 0}));
    const UsageReport report = history.ingest();
    CHECK(report.totals.responses == 2);
    CHECK(report.totals.tokens.output_tokens == 290);
    CHECK(report.totals.tokens.input_tokens == 15);
}

TEST_CASE("a forked session's copied lines are not counted again", "[ingest]") {
    TempHistory history;
    history.append_line("original.jsonl", assistant_line("msg_1", "req_1", {10, 100, 0, 0, 0},
                                                         "claude-opus-4-5", "original"));
    history.append_line("fork.jsonl", assistant_line("msg_1", "req_1", {10, 100, 0, 0, 0},
                                                     "claude-opus-4-5", "fork"));
    history.append_line(
        "fork.jsonl", assistant_line("msg_2", "req_2", {1, 7, 0, 0, 0}, "claude-opus-4-5", "fork"));
    const UsageReport report = history.ingest(Grouping::session);
    CHECK(report.totals.responses == 2);
    CHECK(report.totals.tokens.output_tokens == 107);
    // Both copies are main-chain lines with the same time: the response stays with the session
    // whose line was read first (files are read in path order: "fork.jsonl" first here).
    REQUIRE(report.groups.size() == 1);
    CHECK(report.groups.at("fork").responses == 2);
}

TEST_CASE("subagent transcripts count, and a main-chain line's metadata beats a sidechain replay",
          "[ingest]") {
    TempHistory history;
    history.append_line("s1/subagents/agent-a1.jsonl",
                        assistant_line("msg_sub", "req_sub", {3, 30, 0, 0, 0}, "claude-haiku-4-5",
                                       "s1", "2026-02-10T12:00:00.000Z", true));
    history.append_line("s1.jsonl", assistant_line("msg_main", "req_main", {1, 10, 0, 0, 0}));
    UsageReport report = history.ingest(Grouping::model);
    CHECK(report.totals.responses == 2);
    CHECK(report.groups.at("claude-haiku-4-5").tokens.output_tokens == 30);

    // The same response later seen on the main chain of another session: counted once, and
    // attributed to the main chain.
    history.append_line("s2.jsonl", assistant_line("msg_sub", "req_sub", {3, 30, 0, 0, 0},
                                                   "claude-haiku-4-5", "s2"));
    report = history.ingest(Grouping::session);
    CHECK(report.totals.responses == 2);
    CHECK(report.groups.at("s2").responses == 1);
    CHECK(report.groups.at("s1").responses == 1);
}

TEST_CASE("usage copies inside progress records and synthetic lines do not count", "[ingest]") {
    TempHistory history;
    const std::string embedded = assistant_line("msg_p", "req_p", {9, 999, 0, 0, 0});
    history.append_line(
        "s1.jsonl",
        "{\"type\":\"progress\",\"sessionId\":\"s1\",\"data\":{\"type\":\"agent_progress\","
        "\"message\":" +
            embedded + "},\"timestamp\":\"2026-02-10T12:00:00.000Z\"}");
    history.append_line("s1.jsonl",
                        assistant_line("msg_err", "req_err", {0, 0, 0, 0, 0}, "<synthetic>"));
    history.append_line("s1.jsonl", assistant_line("msg_1", "req_1", {1, 2, 0, 0, 0}));
    const UsageReport report = history.ingest();
    CHECK(report.totals.responses == 1);
    CHECK(report.totals.tokens.output_tokens == 2);
    CHECK(history.store().malformed_lines().value() == 0);
}

TEST_CASE("a partial last line is read once it is finished, and never twice", "[ingest]") {
    TempHistory history;
    const std::string line = assistant_line("msg_1", "req_1", {10, 100, 0, 0, 0});
    history.append("s1.jsonl", line.substr(0, 40));
    CHECK(history.ingest().totals.responses == 0);
    history.append("s1.jsonl", line.substr(40) + "\n");
    CHECK(history.ingest().totals.responses == 1);
    CHECK(history.ingest().totals.tokens.output_tokens == 100);
    CHECK(history.store().malformed_lines().value() == 0);
}

TEST_CASE("a complete last line without its newline counts, and its newline later changes nothing",
          "[ingest]") {
    TempHistory history;
    history.append("s1.jsonl", assistant_line("msg_1", "req_1", {10, 100, 0, 0, 0}));
    CHECK(history.ingest().totals.responses == 1);
    history.append("s1.jsonl", "\n" + assistant_line("msg_2", "req_2", {1, 1, 0, 0, 0}) + "\n");
    const UsageReport report = history.ingest();
    CHECK(report.totals.responses == 2);
    CHECK(report.totals.tokens.output_tokens == 101);
}

TEST_CASE("a truncated, replaced or rewritten file is read again without double counting",
          "[ingest]") {
    TempHistory history;
    history.append_line("s1.jsonl", assistant_line("msg_1", "req_1", {10, 100, 0, 0, 0}));
    history.append_line("s1.jsonl", assistant_line("msg_2", "req_2", {10, 200, 0, 0, 0}));
    CHECK(history.ingest().totals.responses == 2);

    SECTION("truncated and rewritten shorter") {
        std::filesystem::resize_file(history.transcript("s1.jsonl"), 0);
        history.append_line("s1.jsonl", assistant_line("msg_3", "req_3", {1, 1, 0, 0, 0}));
        const UsageReport report = history.ingest();
        CHECK(report.totals.responses == 3);  // history is kept
        CHECK(report.totals.tokens.output_tokens == 301);
        CHECK(history.last_stats().files_reset == 1);
    }
    SECTION("replaced by rename with the old lines plus a new one") {
        const auto path = history.transcript("s1.jsonl");
        std::filesystem::copy_file(path, path.string() + ".new");
        std::ofstream(path.string() + ".new", std::ios::app)
            << assistant_line("msg_3", "req_3", {1, 1, 0, 0, 0}) << "\n";
        std::filesystem::rename(path.string() + ".new", path);
        const UsageReport report = history.ingest();
        CHECK(report.totals.responses == 3);
        CHECK(report.totals.tokens.output_tokens == 301);
    }
    SECTION("rewritten in place with different bytes before the offset") {
        const auto path = history.transcript("s1.jsonl");
        std::ofstream(path, std::ios::trunc)
            << assistant_line("msg_9", "req_9", {10, 900, 0, 0, 0}) << "\n"
            << assistant_line("msg_2", "req_2", {10, 201, 0, 0, 0}) << "\n"
            << assistant_line("msg_4", "req_4", {1, 4, 0, 0, 0}) << "\n";
        const UsageReport report = history.ingest();
        CHECK(history.last_stats().files_reset == 1);
        CHECK(report.totals.responses == 4);  // msg_1 is kept, msg_2 takes its larger output
        CHECK(report.totals.tokens.output_tokens == 100 + 900 + 201 + 4);
    }
    SECTION("deleted: its responses stay") {
        std::filesystem::remove(history.transcript("s1.jsonl"));
        const UsageReport report = history.ingest();
        CHECK(report.totals.responses == 2);
        CHECK(report.totals.tokens.output_tokens == 300);
    }
}

TEST_CASE("bad lines are skipped and counted once per file; the rest still count", "[ingest]") {
    TempHistory history;
    history.append_line("s1.jsonl", assistant_line("msg_1", "req_1", {10, 100, 0, 0, 0}));
    history.append_line("s1.jsonl", "this is not json");
    history.append_line("s1.jsonl",
                        assistant_line("msg_2", "req_2", {1, 5, 0, 0, 0}).substr(0, 60));
    history.append_line("s1.jsonl", assistant_line("msg_3", "req_3", {1, 7, 0, 0, 0}));
    UsageReport report = history.ingest();
    CHECK(report.totals.responses == 2);
    CHECK(report.totals.tokens.output_tokens == 107);
    CHECK(history.store().malformed_lines().value() == 2);
    history.append_line("s1.jsonl", assistant_line("msg_4", "req_4", {1, 1, 0, 0, 0}));
    report = history.ingest();
    CHECK(report.totals.responses == 3);
    CHECK(history.store().malformed_lines().value() == 2);  // not counted again
}

TEST_CASE("invalid UTF-8 inside a line does not lose the response", "[ingest]") {
    TempHistory history;
    history.append_line(
        "s1.jsonl", assistant_line("msg_1", "req_1", {10, 100, 0, 0, 0}, "claude-opus-4-5", "s1",
                                   "2026-02-10T12:00:00.000Z", false, "bad \xff\xfe byte"));
    const UsageReport report = history.ingest();
    CHECK(report.totals.responses == 1);
    CHECK(report.totals.tokens.output_tokens == 100);
}

TEST_CASE("ingesting again with nothing new changes nothing", "[ingest]") {
    TempHistory history;
    history.append_line("s1.jsonl", assistant_line("msg_1", "req_1", {10, 100, 5, 7, 0}));
    const UsageReport first = history.ingest();
    const UsageReport second = history.ingest();
    CHECK(second.totals.tokens == first.totals.tokens);
    CHECK(second.totals.cost_pico_usd == first.totals.cost_pico_usd);
    CHECK(history.last_stats().files_read == 0);
    CHECK(history.last_stats().bytes_read == 0);
}

TEST_CASE("an unknown model is reported unpriced, never as $0", "[ingest][prices]") {
    TempHistory history;
    history.append_line("s1.jsonl",
                        assistant_line("msg_1", "req_1", {1000, 1000, 0, 0, 0}, "claude-future-9"));
    history.append_line(
        "s1.jsonl", assistant_line("msg_2", "req_2", {1'000'000, 0, 0, 0, 0}, "claude-opus-4-5"));
    const UsageReport report = history.ingest();
    CHECK(report.totals.responses == 2);
    CHECK(report.totals.unpriced_responses == 1);
    CHECK(report.totals.unpriced_tokens.input_tokens == 1000);
    CHECK(report.totals.unpriced_models == std::set<std::string>{"claude-future-9"});
    CHECK(micro_usd(report.totals.cost_pico_usd) == 5'000'000);  // only the priced one: $5
}

TEST_CASE("user prompts are kept as turn starts, tool results are not", "[ingest]") {
    TempHistory history;
    history.append_line("s1.jsonl", user_prompt_line("u1", "s1", "2026-02-10T12:00:00.000Z"));
    history.append_line("s1.jsonl",
                        "{\"type\":\"user\",\"uuid\":\"u2\",\"sessionId\":\"s1\",\"timestamp\":"
                        "\"2026-02-10T12:00:05.000Z\",\"message\":{\"role\":\"user\",\"content\":"
                        "[{\"tool_use_id\":\"t1\",\"type\":\"tool_result\",\"content\":\"x\"}]}}");
    history.ingest();
    Result<int64_t> turn_count = history.store().turn_count();
    REQUIRE(turn_count.has_value());
    CHECK(*turn_count == 1);
    Result<std::vector<TurnStart>> read = history.store().turn_starts("s1");
    REQUIRE(read.has_value());
    const std::vector<TurnStart>& turns = *read;
    REQUIRE(turns.size() == 1);
    CHECK(turns[0].uuid == "u1");
}
