// What the client itself says a process of it cost: the `cost-state` record that Claude Code
// (2.1.332 and later) writes into the transcript when a client process ends.
//
// Contract:
// - One process is keyed by (session_id, start_time_ms). The client may write its record twice
//   (the later one a little later); its totals only grow, so of two records with the same key
//   the one with the larger total cost is kept (the later one on a tie): re-reading a file in
//   any order keeps the last state.
// - A forked or resumed session carries the state of the process it continued: the same
//   start_time_ms under another session id, and totals that include the parent's. Reports
//   subtract the parent (client_cost_chain.hpp) to get what each session itself cost.
// - Money is in pico-dollars (1e-12 USD), rounded from the client's decimal figure; tokens are
//   raw counts. No content is read or kept (the record holds none).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/usage_record.hpp"

namespace ccmeter {

// One model's usage within one client process, as the client counted and priced it.
struct ClientModelUsage {
    std::string model;   // as the client names it, e.g. "claude-opus-5-5"
    TokenCounts tokens;  // input, output, cache read, cache creation (+ 5m / 1h), web searches
    int64_t thinking_tokens = 0;  // part of output, kept for reference only
    int64_t cost_pico_usd = 0;    // the client's costUSD
    bool operator==(const ClientModelUsage&) const = default;
};

struct ClientCostState {
    std::string session_id;
    int64_t start_time_ms = 0;  // the process's start, UTC ms (part of the key)
    int64_t total_cost_pico_usd = 0;
    int64_t api_duration_ms = 0;
    int64_t tool_duration_ms = 0;
    int64_t duration_ms = 0;  // wall time of the process
    int64_t lines_added = 0;
    int64_t lines_removed = 0;
    bool has_unknown_model_cost = false;  // the client itself lacked a price for some model
    std::vector<ClientModelUsage> models;
    bool operator==(const ClientCostState&) const = default;
};

// True when `candidate` should replace `stored` (same key): see the contract above.
inline bool replaces_cost_state(const ClientCostState& candidate, const ClientCostState& stored) {
    return candidate.total_cost_pico_usd >= stored.total_cost_pico_usd;
}

// Parses one `"type":"cost-state"` line (the whole JSON object). nullopt when the line is not
// such a record, lacks sessionId / startTime, or holds a number that is negative, not finite, a
// token count that is fractional or over k_max_client_tokens, or a cost above
// k_max_client_cost_usd.
std::optional<ClientCostState> parse_cost_state(std::string_view line);

// No client process costs $10^6 (10^18 pico-dollars, within int64); larger figures are refused.
// A process sums many responses, so its token totals may pass the per-response limit; they are
// refused past k_max_client_tokens.
constexpr int64_t k_max_client_cost_usd = 1'000'000;
constexpr int64_t k_max_client_tokens = 1'000'000'000'000'000;  // 10^15

}  // namespace ccmeter
