// What each kind of token cost, and what prompt caching saved.
//
// Units: pico-dollars (exact integers), like UsageTotals; round with micro_usd() to print.
// Contract:
// - The parts of one priced response (or one AggregateRow) add up exactly to
//   PriceTable::cost_pico_usd of the same tokens: input + output + cache_write + cache_read +
//   web_search == cost (the fast multiplier and the long-context tier apply to every token
//   part, as in the price table; web searches are never multiplied).
// - cache_savings = cache_read tokens x (input price - cache-read price), at the row's tier and
//   fast multiplier: what the tokens read from the cache would have cost as plain input, minus
//   what they cost. Cache writes' premium over input is not subtracted.
// - Responses of a model without a price are left out (UsageTotals counts them as unpriced).
// - Prices are taken at each aggregate row's bucket start, as usage_queries does, so the sums
//   equal usage_by_periods / usage_by_group costs exactly.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/price_table.hpp"
#include "core/usage_queries.hpp"
#include "core/usage_store.hpp"

namespace ccmeter {

struct CostParts {
    int64_t input = 0;
    int64_t output = 0;
    int64_t cache_write = 0;  // 5m and 1h writes
    int64_t cache_read = 0;
    int64_t web_search = 0;
    int64_t cache_savings = 0;  // not part of total()

    int64_t total() const { return input + output + cache_write + cache_read + web_search; }
    void add(const CostParts& other);
    bool operator==(const CostParts&) const = default;
};

// The parts of the cost of `tokens` (one response, or summed responses that share model, price
// date, speed and tier), or nullopt when the model has no price.
std::optional<CostParts> cost_parts(const PriceTable& prices, std::string_view model,
                                    int64_t timestamp_ms, std::string_view speed, bool long_context,
                                    const TokenCounts& tokens);

// Cost parts in each period [boundaries[i], boundaries[i+1]), like usage_by_periods (since/until
// of `filter` are replaced by the first and last boundary). `boundaries` must ascend.
Result<std::vector<CostParts>> cost_parts_by_periods(const UsageStore& store,
                                                     const PriceTable& prices,
                                                     const std::vector<int64_t>& boundaries,
                                                     ResponseFilter filter);

// Cost parts per group (session id, cwd or model), like usage_by_group.
Result<std::map<std::string, CostParts>> cost_parts_by_group(const UsageStore& store,
                                                             const PriceTable& prices,
                                                             GroupKind kind,
                                                             const ResponseFilter& filter);

}  // namespace ccmeter
