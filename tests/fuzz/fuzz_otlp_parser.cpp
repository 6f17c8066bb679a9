// parse_otlp_logs and parse_otlp_metrics on arbitrary bytes as one OTLP/JSON body (what the
// receiver hands them after the bearer check).
// Invariants (otlp_parser.hpp): no crash or sanitizer report; every accepted request has a
// request id and a session id, token counts within [0, k_max_tokens_per_field], money and
// durations not negative; parsing the same body again gives the same events.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/otlp_parser.hpp"
#include "core/usage_parser.hpp"
#include "fuzz_check.hpp"

namespace {

using ccmeter::fuzz::check;

bool in_range(int64_t value) { return value >= 0 && value <= ccmeter::k_max_tokens_per_field; }

void check_events(const ccmeter::ClientEvents& events) {
    for (const ccmeter::ClientRequest& request : events.requests) {
        check(!request.request_id.empty(), "an accepted request has a request id");
        check(!request.session_id.empty(), "an accepted request has a session id");
        const ccmeter::TokenCounts& t = request.tokens;
        check(in_range(t.input_tokens) && in_range(t.output_tokens) &&
                  in_range(t.cache_creation_input_tokens) && in_range(t.cache_read_input_tokens) &&
                  in_range(t.cache_5m) && in_range(t.cache_1h),
              "token counts in [0, k_max_tokens_per_field]");
        check(request.cost_pico_usd >= 0, "a request's cost is not negative");
        check(request.duration_ms >= 0, "a request's duration is not negative");
        check(request.speed != "normal",
              "OpenTelemetry's speed \"normal\" is the transcripts' \"standard\"");
    }
    for (const ccmeter::ToolRun& run : events.tool_runs)
        check(run.duration_ms >= 0, "a tool run's duration is not negative");
}

void check_same(const ccmeter::Result<ccmeter::ClientEvents>& a,
                const ccmeter::Result<ccmeter::ClientEvents>& b) {
    check(a.has_value() == b.has_value(), "parsing a body twice gives the same answer");
    if (!a.has_value())
        return;
    check(a->requests.size() == b->requests.size() && a->tool_runs.size() == b->tool_runs.size() &&
              a->other_events == b->other_events,
          "parsing a body twice gives the same events");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view body(reinterpret_cast<const char*>(data), size);
    const ccmeter::Result<ccmeter::ClientEvents> logs = ccmeter::parse_otlp_logs(body);
    if (logs.has_value())
        check_events(*logs);
    check_same(logs, ccmeter::parse_otlp_logs(body));
    const ccmeter::Result<ccmeter::ClientEvents> metrics = ccmeter::parse_otlp_metrics(body);
    if (metrics.has_value())
        check_events(*metrics);
    check_same(metrics, ccmeter::parse_otlp_metrics(body));
    return 0;
}
