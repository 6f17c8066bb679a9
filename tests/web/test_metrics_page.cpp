#include <catch2/catch.hpp>
#include <sstream>
#include <string>

#include "web/metrics_page.hpp"

using namespace ccmeter;

namespace {

bool has_line(const std::string& text, const std::string& line) {
    std::istringstream lines(text);
    for (std::string each; std::getline(lines, each);)
        if (each == line)
            return true;
    return false;
}

MetricsSnapshot sample_snapshot() {
    MetricsSnapshot snapshot;
    snapshot.machine = "box";
    snapshot.user = "dev";
    snapshot.version = "1.2.3";
    snapshot.schema_version = 6;
    UsageTotals opus;
    opus.responses = 3;
    opus.tokens.input_tokens = 10;
    opus.tokens.output_tokens = 2000;
    opus.tokens.cache_read_input_tokens = 300000;
    opus.tokens.cache_creation_input_tokens = 4000;
    opus.tokens.web_search_requests = 2;
    opus.cost_pico_usd = 1'234'567'890'123;  // $1.234567890123 -> $1.234568
    snapshot.by_model["claude-opus-5-5"] = opus;
    snapshot.files = 7;
    snapshot.malformed_lines = 5;
    snapshot.now_ms = 1'000'000;
    snapshot.started_ms = 400'000;
    snapshot.last_ingest_ms = 900'500;
    snapshot.last_ingest_micros = 1'500'250;
    snapshot.caught_up = true;
    return snapshot;
}

}  // namespace

TEST_CASE("every token kind, the exact cost and the counts per model", "[metrics_page]") {
    const std::string text = prometheus_text(sample_snapshot());
    const std::string labels = R"(machine="box",user="dev",model="claude-opus-5-5")";
    CHECK(has_line(text, "# TYPE ccmeter_tokens_total counter"));
    CHECK(has_line(text, "ccmeter_tokens_total{" + labels + R"(,type="input"} 10)"));
    CHECK(has_line(text, "ccmeter_tokens_total{" + labels + R"(,type="output"} 2000)"));
    CHECK(has_line(text, "ccmeter_tokens_total{" + labels + R"(,type="cacheRead"} 300000)"));
    CHECK(has_line(text, "ccmeter_tokens_total{" + labels + R"(,type="cacheCreation"} 4000)"));
    CHECK(has_line(text, "ccmeter_cost_usd_total{" + labels + "} 1.234568"));
    CHECK(has_line(text, "ccmeter_responses_total{" + labels + "} 3"));
    CHECK(has_line(text, "ccmeter_web_search_requests_total{" + labels + "} 2"));
    CHECK(has_line(text, R"(ccmeter_malformed_lines_total{machine="box",user="dev"} 5)"));
    CHECK(has_line(text, R"(ccmeter_transcript_files{machine="box",user="dev"} 7)"));
    CHECK(has_line(text,
                   R"(ccmeter_last_ingest_duration_seconds{machine="box",user="dev"} 1.500250)"));
    CHECK(has_line(text,
                   R"(ccmeter_last_ingest_timestamp_seconds{machine="box",user="dev"} 900.500)"));
    CHECK(has_line(
        text,
        R"(ccmeter_build_info{machine="box",user="dev",version="1.2.3",schema_version="6"} 1)"));
}

TEST_CASE("ingest lag is 0 while caught up, else the time since the last good ingest",
          "[metrics_page]") {
    MetricsSnapshot snapshot = sample_snapshot();
    const std::string lag = R"(ccmeter_ingest_lag_seconds{machine="box",user="dev"} )";
    CHECK(has_line(prometheus_text(snapshot), lag + "0.000"));
    snapshot.ingest_failure_streak = 2;
    CHECK(has_line(prometheus_text(snapshot), lag + "99.500"));
    snapshot.ingest_failure_streak = 0;
    snapshot.caught_up = false;
    snapshot.last_ingest_ms = 0;  // none yet: since start
    CHECK(has_line(prometheus_text(snapshot), lag + "600.000"));
}

TEST_CASE("label values from transcripts are escaped and made valid UTF-8", "[metrics_page]") {
    MetricsSnapshot snapshot = sample_snapshot();
    snapshot.machine = "a\"b\\c\nd";
    snapshot.by_model.clear();
    UsageTotals usage;
    usage.responses = 1;
    snapshot.by_model[std::string("m\"\n\xff", 4)] = usage;
    const std::string text = prometheus_text(snapshot);
    CHECK(text.find(R"(machine="a\"b\\c\nd")") != std::string::npos);
    CHECK(text.find(R"(model="m\"\n)") != std::string::npos);
    CHECK(text.find('\xff') == std::string::npos);
    // No raw newline inside a sample line: every line is a comment or ends in a value.
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);)
        CHECK((line.rfind("# ", 0) == 0 || line.rfind("ccmeter_", 0) == 0));
}

TEST_CASE("an empty history still gives every family and no model series", "[metrics_page]") {
    MetricsSnapshot snapshot = sample_snapshot();
    snapshot.by_model.clear();
    const std::string text = prometheus_text(snapshot);
    CHECK(has_line(text, "# TYPE ccmeter_cost_usd_total counter"));
    CHECK(text.find("ccmeter_tokens_total{") == std::string::npos);
    CHECK(has_line(text, R"(ccmeter_otel_listening{machine="box",user="dev"} 0)"));
}
