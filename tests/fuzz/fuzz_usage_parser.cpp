// UsageParser::parse and is_complete_object on arbitrary bytes as one transcript line.
// Invariants: no crash or sanitizer report; a `usage` line has every token field in
// [0, k_max_tokens_per_field] and request counts in [0, k_max_requests_per_field]; parsing
// the same line again (with the parser reused) gives the same kind and the same record.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/usage_parser.hpp"
#include "fuzz_check.hpp"

namespace {

using ccmeter::fuzz::check;

bool in_range(int64_t value, int64_t limit) { return value >= 0 && value <= limit; }

bool same_record(const ccmeter::UsageRecord& a, const ccmeter::UsageRecord& b) {
    return a.message_id == b.message_id && a.request_id == b.request_id && a.model == b.model &&
           a.timestamp_ms == b.timestamp_ms && a.session_id == b.session_id && a.cwd == b.cwd &&
           a.git_branch == b.git_branch && a.is_sidechain == b.is_sidechain &&
           a.agent_id == b.agent_id && a.version == b.version && a.speed == b.speed &&
           a.service_tier == b.service_tier && a.inference_geo == b.inference_geo &&
           a.is_fork_copy == b.is_fork_copy && a.tokens == b.tokens;
}

bool same_turn(const ccmeter::TurnStart& a, const ccmeter::TurnStart& b) {
    return a.uuid == b.uuid && a.session_id == b.session_id && a.timestamp_ms == b.timestamp_ms &&
           a.is_sidechain == b.is_sidechain && a.agent_id == b.agent_id;
}

void check_usage(const ccmeter::UsageRecord& usage) {
    const ccmeter::TokenCounts& t = usage.tokens;
    const int64_t limit = ccmeter::k_max_tokens_per_field;
    check(in_range(t.input_tokens, limit), "input_tokens in [0, k_max_tokens_per_field]");
    check(in_range(t.output_tokens, limit), "output_tokens in [0, k_max_tokens_per_field]");
    check(in_range(t.cache_creation_input_tokens, limit),
          "cache_creation_input_tokens in [0, k_max_tokens_per_field]");
    check(in_range(t.cache_read_input_tokens, limit),
          "cache_read_input_tokens in [0, k_max_tokens_per_field]");
    check(in_range(t.cache_5m, limit), "cache_5m in [0, k_max_tokens_per_field]");
    check(in_range(t.cache_1h, limit), "cache_1h in [0, k_max_tokens_per_field]");
    check(in_range(t.web_search_requests, ccmeter::k_max_requests_per_field),
          "web_search_requests in [0, k_max_requests_per_field]");
    check(in_range(t.web_fetch_requests, ccmeter::k_max_requests_per_field),
          "web_fetch_requests in [0, k_max_requests_per_field]");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view line(reinterpret_cast<const char*>(data), size);
    ccmeter::UsageParser parser;
    ccmeter::UsageRecord usage, usage_again;
    ccmeter::TurnStart turn, turn_again;
    const ccmeter::LineKind kind = parser.parse(line, usage, turn);
    if (kind == ccmeter::LineKind::usage)
        check_usage(usage);
    const ccmeter::ClientCostState state = parser.cost_state();
    const ccmeter::LineKind again = parser.parse(line, usage_again, turn_again);
    check(kind == again, "parsing a line twice gives the same kind");
    if (kind == ccmeter::LineKind::usage)
        check(same_record(usage, usage_again), "parsing a line twice gives the same usage");
    if (kind == ccmeter::LineKind::turn_start)
        check(same_turn(turn, turn_again), "parsing a line twice gives the same turn");
    if (kind == ccmeter::LineKind::cost_state)
        check(state == parser.cost_state(), "parsing a line twice gives the same cost state");
    const bool complete = parser.is_complete_object(line);
    check(complete == parser.is_complete_object(line), "is_complete_object is repeatable");
    return 0;
}
