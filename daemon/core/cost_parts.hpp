// What each kind of token cost, and what prompt caching saved, by period and by group
// (CostParts and the formula are PriceTable's: price_table.hpp).
//
// Units: pico-dollars (exact integers), like UsageTotals; round with micro_usd() to print.
// Contract:
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

#include "common/error.hpp"
#include "core/price_table.hpp"
#include "core/usage_queries.hpp"
#include "core/usage_store.hpp"

namespace ccmeter {

// Cost parts in each period [boundaries[i], boundaries[i+1]), like usage_by_periods (since/until
// of `filter` are replaced by the first and last boundary). `boundaries` must ascend.
Result<std::vector<CostParts>> cost_parts_by_periods(const UsageStore& store,
                                                     const PriceTable& prices,
                                                     const std::vector<int64_t>& boundaries,
                                                     ResponseFilter filter);

// Cost parts per group (session id, cwd or model), like usage_by_group.
Result<std::map<std::string, CostParts>> cost_parts_by_group(const UsageStore& store,
                                                             const PriceTable& prices,
                                                             Grouping kind,
                                                             const ResponseFilter& filter);

}  // namespace ccmeter
