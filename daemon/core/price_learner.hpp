// Learns a model's per-token prices from the client's own figures, for models our table lacks.
//
// Each `cost-state` record (client_cost_state.hpp) gives, per model, a token vector and the
// client's cost for it: one linear equation in the five rates (input, 5m write, 1h write, cache
// read, output; web searches cost k_web_search_pico_usd each, as the client's formula has it).
// The learned rates satisfy every equation; where the equations do not fix a rate (too few, or
// all alike), the rates closest to a prior (the newest built-in model of the same family,
// relative change per rate) are taken, so every process the client priced is still priced as
// the client priced it (a process's whole cost is exact) while its split over rates is a guess.
// Rates that the equations fix are snapped to 0.001 $/Mtok when that still reproduces every
// equation (prices are published that way); otherwise kept to the pico-dollar per token.
//
// Pure functions: no state, no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/client_cost_state.hpp"
#include "core/client_events.hpp"
#include "core/price_table.hpp"
#include "core/usage_record.hpp"

namespace ccmeter {

// tokens (cache_creation_input_tokens holds 5m + 1h writes, cache_1h the 1h part) -> cost.
struct PriceEquation {
    TokenCounts tokens;
    int64_t cost_pico_usd = 0;
};

struct LearnedPrices {
    TokenPrices prices;
    int equations = 0;    // how many were used
    int fixed_rates = 0;  // rates (of those any equation uses) the equations determine
    int used_rates = 0;   // rates any equation has tokens for
    // Every equation is reproduced within rounding (1e-6 relative or 1 micro-dollar). False:
    // they contradict one linear price (a tier or a price change within the history); the
    // least-squares fit is then kept, and reports say so.
    bool consistent = false;
    bool determined() const { return fixed_rates == used_rates; }
};

// nullopt when no equation has any token or cost.
std::optional<LearnedPrices> learn_prices(const std::vector<PriceEquation>& equations,
                                          const TokenPrices& prior);

// `base` plus a learned rule (PriceSource::learned, in force from the epoch) for each model the
// client priced in `states` that `base` has no rule for. `base` is the prior's source too.
PriceTable with_learned_prices(const PriceTable& base, const std::vector<ClientCostState>& states);

// OpenTelemetry from clients before 2.1.332 gives cache writes without their 5m / 1h split,
// which prices differently. When the request's own cost (the client's) fixes the split exactly
// under `prices` (a whole number of 1h tokens within the writes), sets tokens.cache_5m / cache_1h
// to it and returns true; otherwise leaves the request alone (its writes then price as 5m).
bool infer_cache_split(ClientRequest& request, const PriceTable& prices);

// The prior for `model` (normalised): the newest built-in rule of its family (opus, sonnet,
// haiku, fable, mythos...), else of sonnet.
TokenPrices prior_prices(const PriceTable& builtin, const std::string& model);

}  // namespace ccmeter
