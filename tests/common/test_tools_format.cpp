// `hookctl stats tools`: its table and JSON from a ToolsReply.
#include <catch2/catch.hpp>

#include "common/json_text.hpp"
#include "common/tools_format.hpp"

using namespace ccmeter;

namespace {

v1::ToolsReply reply() {
    v1::ToolsReply reply;
    v1::ToolStats& bash = *reply.add_tools();
    bash.set_name("Bash");
    bash.set_calls(1200);
    bash.set_errors(3);
    bash.set_timed_calls(1100);
    bash.set_total_ms(187'000);
    bash.set_p50_ms(850);
    bash.set_p95_ms(12'440);
    v1::ToolStats& read = *reply.add_tools();
    read.set_name("Read\x1b[31m");  // transcript text: never drives the terminal
    read.set_calls(7);
    return reply;
}

}  // namespace

TEST_CASE("run times read as people say them", "[tools_format]") {
    CHECK(format_run_time(-1) == "-");
    CHECK(format_run_time(0) == "0 ms");
    CHECK(format_run_time(999) == "999 ms");
    CHECK(format_run_time(1000) == "1.0 s");
    CHECK(format_run_time(12'449) == "12.4 s");
    CHECK(format_run_time(59'949) == "59.9 s");
    CHECK(format_run_time(59'950) == "1m00s");
    CHECK(format_run_time(187'000) == "3m07s");
    CHECK(format_run_time(3'720'000) == "1h02m");
}

TEST_CASE("the tools table: one row per tool, a total, unknown times as dashes", "[tools_format]") {
    const std::string table = tools_table(reply());
    CHECK(table.find("Tool       Calls  Errors  Timed  Total     p50     p95\n") == 0);
    CHECK(table.find("Bash       1,200       3  1,100  3m07s  850 ms  12.4 s\n") !=
          std::string::npos);
    CHECK(table.find("Read?[31m      7       0      0      -       -       -\n") !=
          std::string::npos);
    CHECK(table.find("\x1b") == std::string::npos);
    CHECK(table.find("Total      1,207       3  1,100  3m07s") != std::string::npos);
    CHECK(tools_table(v1::ToolsReply()).find("No tool calls") == 0);
}

TEST_CASE("the tools JSON: integers in ms, null for unknown percentiles, totals",
          "[tools_format]") {
    CHECK(
        to_json_text(tools_json(reply())) ==
        R"({"tools":[{"name":"Bash","calls":1200,"errors":3,"timed_calls":1100,"total_ms":187000,)"
        R"("p50_ms":850,"p95_ms":12440},{"name":"Read\u001b[31m","calls":7,"errors":0,)"
        R"("timed_calls":0,"total_ms":0,"p50_ms":null,"p95_ms":null}],)"
        R"("totals":{"calls":1207,"errors":3,"timed_calls":1100,"total_ms":187000}})");
}
