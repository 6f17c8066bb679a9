// parse_cost_state on arbitrary bytes as one `cost-state` line.
// Invariants (client_cost_state.hpp): no crash or sanitizer report; an accepted record holds
// no negative number, costs within [0, k_max_client_cost_usd * 10^12] pico-dollars and token
// counts within [0, k_max_client_tokens]; parsing again gives the same record.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/client_cost_state.hpp"
#include "fuzz_check.hpp"

namespace {

using ccmeter::fuzz::check;

constexpr int64_t k_max_cost_pico = ccmeter::k_max_client_cost_usd * 1'000'000'000'000;

bool in_range(int64_t value, int64_t limit) { return value >= 0 && value <= limit; }

void check_tokens(const ccmeter::TokenCounts& t) {
    const int64_t limit = ccmeter::k_max_client_tokens;
    check(in_range(t.input_tokens, limit), "input_tokens in [0, k_max_client_tokens]");
    check(in_range(t.output_tokens, limit), "output_tokens in [0, k_max_client_tokens]");
    check(in_range(t.cache_creation_input_tokens, limit),
          "cache_creation_input_tokens in [0, k_max_client_tokens]");
    check(in_range(t.cache_read_input_tokens, limit),
          "cache_read_input_tokens in [0, k_max_client_tokens]");
    check(in_range(t.cache_5m, limit), "cache_5m in [0, k_max_client_tokens]");
    check(in_range(t.cache_1h, limit), "cache_1h in [0, k_max_client_tokens]");
    check(in_range(t.web_search_requests, limit), "web_search_requests in [0, k_max_client_tokens]");
    check(in_range(t.web_fetch_requests, limit), "web_fetch_requests in [0, k_max_client_tokens]");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view line(reinterpret_cast<const char*>(data), size);
    const std::optional<ccmeter::ClientCostState> state = ccmeter::parse_cost_state(line);
    if (!state)
        return 0;
    check(!state->session_id.empty(), "an accepted record has a session id");
    check(in_range(state->total_cost_pico_usd, k_max_cost_pico),
          "total cost in [0, k_max_client_cost_usd] dollars");
    check(state->api_duration_ms >= 0 && state->tool_duration_ms >= 0 && state->duration_ms >= 0,
          "durations are not negative");
    check(state->lines_added >= 0 && state->lines_removed >= 0, "line counts are not negative");
    for (const ccmeter::ClientModelUsage& model : state->models) {
        check(in_range(model.cost_pico_usd, k_max_cost_pico),
              "a model's cost in [0, k_max_client_cost_usd] dollars");
        check(in_range(model.thinking_tokens, ccmeter::k_max_client_tokens),
              "thinking_tokens in [0, k_max_client_tokens]");
        check_tokens(model.tokens);
    }
    check(ccmeter::parse_cost_state(line) == state, "parsing a record twice gives the same record");
    return 0;
}
