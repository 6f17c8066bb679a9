#include <algorithm>
#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "common/export_format.hpp"
#include "common/iso_time.hpp"
#include "common/number_text.hpp"
#include "common/stats_format.hpp"

using namespace ccmeter;
namespace json = boost::json;
namespace v1 = ccmeter::v1;

namespace {

v1::ExportedResponse sample_response() {
    v1::ExportedResponse r;
    r.set_message_id("msg_01");
    r.set_request_id("req_01");
    r.set_timestamp_ms(1'795'336'402'123);  // 2026-11-22T08:33:22.123Z
    r.set_session_id("5fb77337-f2e8-478b-99f5-81d69dcb3cbb");
    r.set_project("/home/dev/a,b \"c\"\nd");
    r.set_model("claude-opus-4-5");
    r.set_speed("fast");
    r.set_service_tier("standard");
    r.set_long_context(true);
    r.set_is_sidechain(true);
    r.set_agent_id("a01c");
    v1::Usage& u = *r.mutable_usage();
    u.set_input_tokens(10);
    u.set_output_tokens(20);
    u.set_cache_creation_input_tokens(300);
    u.set_cache_read_input_tokens(4000);
    u.set_cache_5m(100);
    u.set_cache_1h(200);
    u.set_web_search_requests(1);
    u.set_web_fetch_requests(2);
    u.set_responses(1);
    u.set_cost_micro_usd(1235);
    r.set_cost_pico_usd(1'234'567'891);
    return r;
}

std::vector<std::string> split_records(const std::string& csv) {
    std::vector<std::string> records;
    size_t start = 0;
    for (size_t at = csv.find("\r\n"); at != std::string::npos; at = csv.find("\r\n", start)) {
        records.push_back(csv.substr(start, at - start));
        start = at + 2;
    }
    return records;
}

}  // namespace

TEST_CASE("a response row carries its metadata, tokens and both costs") {
    const json::object row = response_export_json(sample_response());
    CHECK(row.at("time").as_string() == "2026-11-22T08:33:22.123Z");
    CHECK(row.at("timestamp_ms").as_int64() == 1'795'336'402'123);
    CHECK(row.at("chain").as_string() == "sidechain");
    CHECK(row.at("long_context").as_bool());
    CHECK(row.at("cache_read_input_tokens").as_int64() == 4000);
    CHECK(row.at("cost_micro_usd").as_int64() == 1235);
    CHECK(row.at("cost_usd").as_string() == "0.001234567891");
    CHECK_FALSE(row.at("client_priced").as_bool());
}

TEST_CASE("an unpriced response has null costs, and an empty CSV field for them") {
    v1::ExportedResponse r = sample_response();
    r.clear_cost_pico_usd();
    r.mutable_usage()->set_cost_micro_usd(0);
    r.mutable_usage()->set_unpriced_responses(1);
    const json::object row = response_export_json(r);
    CHECK(row.at("cost_micro_usd").is_null());
    CHECK(row.at("cost_usd").is_null());
    CHECK(csv_cell(row.at("cost_usd")).empty());
}

TEST_CASE("the columns are the row's keys, in order") {
    const std::vector<std::string> columns = export_columns(ExportKind::responses);
    REQUIRE(columns.size() == 23);
    CHECK(columns.front() == "time");
    CHECK(columns[8] == "chain");
    CHECK(columns.back() == "client_priced");
    const std::vector<std::string> sessions = export_columns(ExportKind::sessions);
    CHECK(sessions.front() == "session_id");
    CHECK(std::find(sessions.begin(), sessions.end(), "cost_usd") != sessions.end());
    CHECK(std::find(sessions.begin(), sessions.end(), "by_model") == sessions.end());
    CHECK(export_columns(ExportKind::daily).front() == "period");
}

TEST_CASE("session and day rows are the items of hookctl stats --json") {
    v1::GroupsReply groups;
    v1::Group& group = *groups.add_groups();
    group.set_key("s1");
    group.set_project("/p");
    group.add_models("claude-opus-4-5");
    group.mutable_usage()->set_cost_micro_usd(51'704'418);
    const json::object stats = sessions_json(groups, false);
    CHECK(json::value(session_entry_json(group, false)) == stats.at("sessions").as_array()[0]);
}

TEST_CASE("csv_cell writes numbers as the JSON does, lists joined by ';'") {
    CHECK(csv_cell(json::value(42)) == "42");
    CHECK(csv_cell(json::value(51.704418)) == "51.704418");
    CHECK(csv_cell(json::value(true)) == "true");
    CHECK(csv_cell(json::parse(R"(["claude-opus-4-5","claude-haiku-4-5"])")) ==
          "claude-opus-4-5;claude-haiku-4-5");
    CHECK(csv_cell(json::parse("[]")).empty());
}

TEST_CASE("ExportWriter writes one JSON array, one row per line") {
    std::ostringstream out;
    ExportWriter writer(ExportFormat::json, ExportKind::responses, out);
    writer.add(response_export_json(sample_response()));
    writer.add(response_export_json(sample_response()));
    writer.finish();
    const json::value parsed = json::parse(out.str());
    REQUIRE(parsed.is_array());
    REQUIRE(parsed.as_array().size() == 2);
    CHECK(parsed.as_array()[1].at("project").as_string() == "/home/dev/a,b \"c\"\nd");
    CHECK(writer.rows() == 2);
    const std::string text = out.str();
    CHECK(std::count(text.begin(), text.end(), '\n') == 4);  // after "[", each row and "]"
}

TEST_CASE("ExportWriter without rows writes an empty array, or a CSV header") {
    std::ostringstream json_out, csv_out;
    ExportWriter json_writer(ExportFormat::json, ExportKind::sessions, json_out);
    json_writer.finish();
    CHECK(json_out.str() == "[]\n");
    ExportWriter csv_writer(ExportFormat::csv, ExportKind::daily, csv_out);
    csv_writer.finish();
    CHECK(csv_out.str().rfind("period,start_ms,end_ms,input_tokens,", 0) == 0);
    CHECK(split_records(csv_out.str()).size() == 1);
}

TEST_CASE("ExportWriter's CSV quotes what must be quoted and keeps the columns' order") {
    std::ostringstream out;
    ExportWriter writer(ExportFormat::csv, ExportKind::responses, out);
    writer.add(response_export_json(sample_response()));
    writer.finish();
    const std::string text = out.str();
    CHECK(text.rfind("time,timestamp_ms,session_id,project,model,", 0) == 0);
    CHECK(text.find(",\"/home/dev/a,b \"\"c\"\"\nd\",claude-opus-4-5,fast,standard,true,"
                    "sidechain,a01c,msg_01,req_01,10,20,300,4000,100,200,1,2,1235,"
                    "0.001234567891,false\r\n") != std::string::npos);
}

TEST_CASE("exact_usd_text and format_timestamp_ms") {
    CHECK(exact_usd_text(0) == "0.000000000000");
    CHECK(exact_usd_text(1'234'567) == "0.000001234567");
    CHECK(exact_usd_text(51'704'418'000'001) == "51.704418000001");
    CHECK(exact_usd_text(-5'000'000'000'000) == "-5.000000000000");
    CHECK(format_timestamp_ms(0) == "1970-01-01T00:00:00.000Z");
    CHECK(format_timestamp_ms(951'782'400'999) == "2000-02-29T00:00:00.999Z");
    CHECK(format_timestamp_ms(-1) == "1969-12-31T23:59:59.999Z");
    CHECK(parse_timestamp_ms(format_timestamp_ms(1'795'336'402'123)) == 1'795'336'402'123);
}
