// learn_prices on small arbitrary equation sets (1-8 equations) and an arbitrary prior, with
// every figure in the range parse_cost_state lets through (tokens <= k_max_client_tokens, cost
// <= k_max_client_cost_usd); half of the inputs are made from rates, so that they are solvable.
// Invariants (price_learner.hpp): no crash or sanitizer report; no negative rate (no NaN
// turned into a price); used_rates and fixed_rates within the five rates and fixed <= used;
// `consistent` implies that every equation with tokens is reproduced within 1 micro-dollar or
// 1e-6 of its figure.
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/price_learner.hpp"
#include "fuzz_check.hpp"

namespace {

using ccmeter::fuzz::check;

constexpr int64_t k_max_cost_pico = ccmeter::k_max_client_cost_usd * 1'000'000'000'000;
constexpr int64_t k_max_rate = 1'000'000'000;  // pico-dollars per token: $1000 per Mtok

ccmeter::TokenCounts consume_tokens(FuzzedDataProvider& input) {
    // Mostly realistic sizes, sometimes anything up to the limit.
    const int64_t limit = input.ConsumeBool() ? 10'000'000 : ccmeter::k_max_client_tokens;
    ccmeter::TokenCounts t;
    t.input_tokens = input.ConsumeIntegralInRange<int64_t>(0, limit);
    t.output_tokens = input.ConsumeIntegralInRange<int64_t>(0, limit);
    t.cache_read_input_tokens = input.ConsumeIntegralInRange<int64_t>(0, limit);
    t.cache_creation_input_tokens = input.ConsumeIntegralInRange<int64_t>(0, limit);
    t.cache_1h = input.ConsumeIntegralInRange<int64_t>(0, t.cache_creation_input_tokens);
    t.cache_5m = t.cache_creation_input_tokens - t.cache_1h;
    t.web_search_requests = input.ConsumeIntegralInRange<int64_t>(0, 100);
    return t;
}

ccmeter::TokenPrices consume_prices(FuzzedDataProvider& input) {
    ccmeter::TokenPrices p;
    p.input = input.ConsumeIntegralInRange<int64_t>(0, k_max_rate);
    p.cache_write_5m = input.ConsumeIntegralInRange<int64_t>(0, k_max_rate);
    p.cache_write_1h = input.ConsumeIntegralInRange<int64_t>(0, k_max_rate);
    p.cache_read = input.ConsumeIntegralInRange<int64_t>(0, k_max_rate);
    p.output = input.ConsumeIntegralInRange<int64_t>(0, k_max_rate);
    return p;
}

// The cost of `t` at `p`, as the client's formula has it, in long double.
long double cost_at(const ccmeter::TokenCounts& t, const ccmeter::TokenPrices& p) {
    const int64_t write_1h = std::min(t.cache_1h, t.cache_creation_input_tokens);
    return static_cast<long double>(t.input_tokens) * p.input +
           static_cast<long double>(t.cache_creation_input_tokens - write_1h) * p.cache_write_5m +
           static_cast<long double>(write_1h) * p.cache_write_1h +
           static_cast<long double>(t.cache_read_input_tokens) * p.cache_read +
           static_cast<long double>(t.output_tokens) * p.output +
           static_cast<long double>(t.web_search_requests) * ccmeter::k_web_search_pico_usd;
}

bool has_tokens(const ccmeter::TokenCounts& t) {
    return t.input_tokens > 0 || t.output_tokens > 0 || t.cache_creation_input_tokens > 0 ||
           t.cache_read_input_tokens > 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    FuzzedDataProvider input(data, size);
    const ccmeter::TokenPrices prior = consume_prices(input);
    const bool from_rates = input.ConsumeBool();
    const ccmeter::TokenPrices truth = consume_prices(input);
    const int count = input.ConsumeIntegralInRange<int>(1, 8);
    std::vector<ccmeter::PriceEquation> equations;
    for (int i = 0; i < count && input.remaining_bytes() > 0; ++i) {
        ccmeter::PriceEquation e;
        e.tokens = consume_tokens(input);
        if (from_rates) {
            const long double cost = std::round(cost_at(e.tokens, truth));
            if (cost > static_cast<long double>(k_max_cost_pico))
                continue;  // parse_cost_state refuses such a record
            e.cost_pico_usd = static_cast<int64_t>(cost);
        } else {
            e.cost_pico_usd = input.ConsumeIntegralInRange<int64_t>(0, k_max_cost_pico);
        }
        equations.push_back(e);
    }

    const auto learned = ccmeter::learn_prices(equations, prior);
    if (!learned)
        return 0;
    const ccmeter::TokenPrices& p = learned->prices;
    check(p.input >= 0 && p.cache_write_5m >= 0 && p.cache_write_1h >= 0 && p.cache_read >= 0 &&
              p.output >= 0,
          "no learned rate is negative");
    check(learned->used_rates >= 0 && learned->used_rates <= 5, "used_rates within 0..5");
    check(learned->fixed_rates >= 0 && learned->fixed_rates <= learned->used_rates,
          "fixed_rates within 0..used_rates");
    if (learned->consistent) {
        for (const ccmeter::PriceEquation& e : equations) {
            if (!has_tokens(e.tokens))
                continue;  // learn_prices leaves these out
            // The token part's figure, in double as learn_prices takes it.
            const double target = static_cast<double>(e.cost_pico_usd) -
                                  static_cast<double>(e.tokens.web_search_requests) *
                                      static_cast<double>(ccmeter::k_web_search_pico_usd);
            const long double web = static_cast<long double>(e.tokens.web_search_requests) *
                                    ccmeter::k_web_search_pico_usd;
            const long double error = std::abs(cost_at(e.tokens, p) - web - target);
            check(error <= std::max<long double>(1e6L, 1e-6L * std::abs(target)),
                  "consistent: every equation is reproduced within its tolerance");
        }
    }
    return 0;
}
