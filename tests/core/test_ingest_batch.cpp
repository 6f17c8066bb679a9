// IngestBatch: what a run of lines adds, each response, tool call, cost record and file once.
#include <catch2/catch.hpp>

#include "core/ingest_batch.hpp"

using namespace ccmeter;

namespace {

UsageRecord line_of(const std::string& message_id, const std::string& request_id,
                    int64_t output_tokens) {
    UsageRecord r;
    r.message_id = message_id;
    r.request_id = request_id;
    r.model = "claude-opus-4-5";
    r.tokens.output_tokens = output_tokens;
    return r;
}

}  // namespace

TEST_CASE("the lines of one response make one row with each field's maximum") {
    IngestBatch batch;
    batch.add_response(line_of("msg_1", "req_1", 10));
    batch.add_response(line_of("msg_1", "req_1", 250));
    batch.add_response(line_of("msg_1", "req_1", 40));
    batch.add_response(line_of("msg_1", "req_2", 5));  // another request: another response
    REQUIRE(batch.responses().size() == 2);
    CHECK(batch.responses()[0].tokens.output_tokens == 250);
    CHECK(batch.responses()[1].tokens.output_tokens == 5);
    CHECK(batch.lines() == 4);
}

TEST_CASE("the key of a response cannot be confused by ids that run into each other") {
    IngestBatch batch;
    batch.add_response(line_of("ab", "c", 1));
    batch.add_response(line_of("a", "bc", 2));
    CHECK(batch.responses().size() == 2);
}

TEST_CASE("a tool call and its result make one update; the earliest call stays") {
    IngestBatch batch;
    ToolUse late{"toolu_1", "Bash", "s1", "/p", false, "", 2000};
    ToolUse early{"toolu_1", "Bash", "s1", "/p", false, "", 1000};
    ToolResult result{"toolu_1", true, 3000};
    batch.add_tools({late}, {});
    batch.add_tools({early}, {result});
    REQUIRE(batch.tool_calls().size() == 1);
    REQUIRE(batch.tool_calls()[0].use);
    CHECK(batch.tool_calls()[0].use->started_ms == 1000);
    REQUIRE(batch.tool_calls()[0].result);
    CHECK(batch.tool_calls()[0].result->is_error);
}

TEST_CASE("a file's later state replaces its earlier one; cost records keep the larger") {
    IngestBatch batch;
    FileState first;
    first.path = "/t/a.jsonl";
    first.offset = 10;
    FileState later = first;
    later.offset = 99;
    batch.set_file(first);
    batch.set_file(later);
    REQUIRE(batch.files().size() == 1);
    CHECK(batch.files()[0].offset == 99);

    ClientCostState small;
    small.session_id = "s1";
    small.start_time_ms = 5;
    small.total_cost_pico_usd = 100;
    ClientCostState large = small;
    large.total_cost_pico_usd = 900;
    batch.add_cost_state(large);
    batch.add_cost_state(small);  // older figures of the same process do not replace
    REQUIRE(batch.cost_states().size() == 1);
    CHECK(batch.cost_states()[0].total_cost_pico_usd == 900);

    batch.clear();
    CHECK(batch.empty());
    CHECK(batch.lines() == 0);
}
