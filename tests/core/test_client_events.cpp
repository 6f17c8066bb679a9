// The client's OpenTelemetry export: parsed without content, and one response per API call
// whatever arrives first, side calls included.
#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <fstream>

#include "core/otlp_parser.hpp"
#include "core/price_learner.hpp"
#include "core/usage_queries.hpp"
#include "transcript_fixture.hpp"

using namespace ccmeter;
using namespace ccmeter::test;

namespace {

// The bodies a capture file holds (one request per line: path, headers, body), for `path`.
std::vector<std::string> captured_bodies(const std::string& file, const std::string& path) {
    std::ifstream in(std::string(CCMETER_OTEL_FIXTURE_DIR) + "/" + file);
    REQUIRE(in);
    std::vector<std::string> bodies;
    for (std::string line; std::getline(in, line);) {
        const boost::json::object request = boost::json::parse(line).as_object();
        if (request.at("path").as_string() == path)
            bodies.emplace_back(request.at("body").as_string());
    }
    return bodies;
}

ClientEvents captured_logs(const std::string& file) {
    ClientEvents all;
    for (const std::string& body : captured_bodies(file, "/v1/logs")) {
        Result<ClientEvents> events = parse_otlp_logs(body);
        REQUIRE(events.has_value());
        all.requests.insert(all.requests.end(), events->requests.begin(), events->requests.end());
        all.tool_runs.insert(all.tool_runs.end(), events->tool_runs.begin(),
                             events->tool_runs.end());
        all.other_events += events->other_events;
    }
    return all;
}

void ingest_transcript(TempHistory& history) {
    std::ifstream in(std::string(CCMETER_OTEL_FIXTURE_DIR) + "/interactive_tmux.transcript.jsonl");
    std::string text((std::istreambuf_iterator<char>(in)), {});
    history.append("e9645618-a868-4235-b697-9de0d1f17ade.jsonl", text);
    history.ingest();
}

}  // namespace

TEST_CASE("the client's api_request and tool_result events, and nothing of their content",
          "[client_events]") {
    const ClientEvents events = captured_logs("interactive_tmux.otlp.jsonl");
    REQUIRE(events.requests.size() == 5);
    const ClientRequest& title = events.requests[0];
    CHECK(title.request_id == "req_mock_0001_6920fc63");
    CHECK(title.session_id == "e9645618-a868-4235-b697-9de0d1f17ade");
    CHECK(title.query_source == "generate_session_title");
    CHECK(title.model == "claude-opus-4-8");
    CHECK(title.tokens.input_tokens == 12);
    CHECK(title.tokens.cache_read_input_tokens == 5000);
    CHECK(title.tokens.cache_creation_input_tokens == 1000);
    CHECK(title.cost_pico_usd == 10'985'000'000);  // cost_usd_micros 10985
    CHECK(title.duration_ms == 164);
    CHECK(title.speed == "standard");  // OTel says "normal"
    REQUIRE(events.tool_runs.size() == 1);
    CHECK(events.tool_runs[0].tool_name == "Bash");
    CHECK(events.tool_runs[0].duration_ms == 208);  // sent as a string
    CHECK(events.tool_runs[0].success);
    CHECK(events.other_events > 0);  // user_prompt, tool_decision, ...: counted, not kept

    const ClientEvents latest = captured_logs("client-2.1.332.tool_print_mode.otlp.jsonl");
    REQUIRE_FALSE(latest.requests.empty());
    CHECK(latest.requests[0].tokens.cache_5m == 600);
    CHECK(latest.requests[0].tokens.cache_1h == 400);
    CHECK(latest.requests[0].ttft_ms == 16);
}

TEST_CASE("bad OTLP bodies are refused, bad records counted", "[client_events]") {
    CHECK_FALSE(parse_otlp_logs("not json").has_value());
    CHECK_FALSE(parse_otlp_logs("[1,2]").has_value());
    CHECK_FALSE(parse_otlp_logs(R"({"resourceLogs": 5})").has_value());
    CHECK(parse_otlp_logs("{}").has_value());  // an empty export
    const std::string negative = R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[{"attributes":[)"
                                 R"({"key":"event.name","value":{"stringValue":"api_request"}},)"
                                 R"({"key":"session.id","value":{"stringValue":"s"}},)"
                                 R"({"key":"request_id","value":{"stringValue":"r"}},)"
                                 R"({"key":"input_tokens","value":{"intValue":"-5"}}]}]}]}]})";
    Result<ClientEvents> events = parse_otlp_logs(negative);
    REQUIRE(events.has_value());
    CHECK(events->requests.empty());
    CHECK(events->refused_records == 1);
    Result<ClientEvents> metrics =
        parse_otlp_metrics(captured_bodies("interactive_tmux.otlp.jsonl", "/v1/metrics")[0]);
    REQUIRE(metrics.has_value());
    CHECK(metrics->metric_points > 0);
}

TEST_CASE("one response per API call, whichever source comes first; side calls count",
          "[client_events]") {
    ClientEvents events = captured_logs("interactive_tmux.otlp.jsonl");
    // 2.1.197 sends cache writes without their 5m / 1h split: the client's own cost fixes it.
    const PriceTable prices = PriceTable::builtin();
    for (ClientRequest& request : events.requests) {
        CHECK(infer_cache_split(request, prices));
        CHECK(request.tokens.cache_1h == 400);
        CHECK(request.tokens.cache_5m == 600);
    }
    int64_t client_cost = 0, title_cost = 0;
    for (const ClientRequest& request : events.requests) {
        client_cost += request.cost_pico_usd;
        if (request.query_source == "generate_session_title")
            title_cost += request.cost_pico_usd;
    }
    int64_t transcript_cost = 0;
    {
        TempHistory transcript_only;
        ingest_transcript(transcript_only);
        transcript_cost = transcript_only.ingest().totals.cost_pico_usd;
        CHECK(transcript_only.ingest().totals.responses == 3);
    }
    for (const bool export_first : {true, false}) {
        INFO((export_first ? "export first" : "transcript first"));
        TempHistory history;
        if (export_first) {
            history.ingest();
            REQUIRE(history.store().commit_client_events(events, 1).has_value());
            CHECK(history.store().side_call_count().value() == 5);  // nothing claimed yet
            ingest_transcript(history);
        } else {
            ingest_transcript(history);
            REQUIRE(history.store().commit_client_events(events, 1).has_value());
        }
        // Sent again (an exporter retry): nothing changes.
        REQUIRE(history.store().commit_client_events(events, 2).has_value());
        const UsageReport report = history.ingest(Grouping::session);
        CHECK(report.totals.responses == 5);  // 3 in the transcript + 2 title calls
        CHECK(history.store().side_call_count().value() == 2);
        CHECK(report.totals.cost_pico_usd == transcript_cost + title_cost);
        // The client's own figures equal ours: opus-4-8 is priced like the client prices it.
        CHECK(micro_usd(report.totals.cost_pico_usd) == micro_usd(client_cost));
        CHECK(report.groups.size() == 1);  // the side calls belong to their session
        // Shown apart (the client check's "Side calls"): the two title calls and their cost.
        ResponseFilter side_calls;
        side_calls.side_calls_only = true;
        Result<std::vector<GroupTotals>> sides =
            usage_by_group(history.store(), history.prices(), Grouping::session, side_calls, false);
        REQUIRE(sides.has_value());
        REQUIRE(sides->size() == 1);
        CHECK(sides->front().usage.responses == 2);
        CHECK(micro_usd(sides->front().usage.cost_pico_usd) == micro_usd(title_cost));
    }
}
