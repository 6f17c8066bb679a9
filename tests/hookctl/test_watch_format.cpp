#include <catch2/catch.hpp>
#include <string>

#include "../common/scoped_time_zone.hpp"
#include "watch_format.hpp"

using namespace ccmeter;
namespace v1 = ccmeter::v1;

namespace {

v1::WatchEvent event() {
    v1::WatchEvent event;
    event.set_kind(v1::WATCH_EVENT_RESPONSE);
    v1::ExportedResponse* response = event.mutable_response();
    response->set_message_id("msg_01");
    response->set_request_id("req_01");
    response->set_timestamp_ms(1'795'336'402'000);  // 2026-11-22 08:33:22 UTC
    response->set_session_id("83ea4090");
    response->set_project("/home/dev/proj\x1b[31m");
    response->set_model("claude-opus-4-8");
    v1::Usage* usage = response->mutable_usage();
    usage->set_input_tokens(3);
    usage->set_output_tokens(3'333);
    usage->set_cache_creation_input_tokens(15'073);
    usage->set_cache_read_input_tokens(2'348);
    usage->set_responses(1);
    usage->set_cost_micro_usd(141'146);
    response->set_cost_pico_usd(141'146'400'000);
    v1::Usage* total = event.mutable_session_total();
    total->set_responses(9);
    total->set_cost_micro_usd(760'000);
    return event;
}

}  // namespace

TEST_CASE("watch_format: micro-dollars with six decimals", "[watch_format]") {
    CHECK(micro_usd_text(0) == "$0.000000");
    CHECK(micro_usd_text(12'345) == "$0.012345");
    CHECK(micro_usd_text(1'234'567'890) == "$1234.567890");
    CHECK(micro_usd_text(-1'500'000) == "-$1.500000");
}

TEST_CASE("watch_format: one line per response, terminal-safe", "[watch_format]") {
    ScopedTimeZone zone("UTC");
    CHECK(watch_line(event()) ==
          "08:33:22  /home/dev/proj?[31m  opus-4-8  in 3  out 3,333  cache w 15,073 r 2,348  "
          "$0.141146  session $0.76");
    v1::WatchEvent unpriced = event();
    unpriced.mutable_response()->clear_cost_pico_usd();
    unpriced.mutable_session_total()->set_unpriced_responses(1);
    const std::string line = watch_line(unpriced);
    CHECK(line.find("  $?  session $0.76+?") != std::string::npos);
}

TEST_CASE("watch_format: JSON has the export's keys and the session total", "[watch_format]") {
    const boost::json::object json = watch_json(event());
    CHECK(json.at("message_id") == "msg_01");
    CHECK(json.at("cost_usd") == "0.141146400000");  // exact
    CHECK(json.at("cost_micro_usd") == 141'146);
    CHECK(json.at("output_tokens") == 3'333);
    CHECK(json.at("session_total").at("unique_responses") == 9);
    CHECK(json.at("session_total").at("cost_usd") == 0.76);
}
