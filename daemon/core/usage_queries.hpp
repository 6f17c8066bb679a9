// The questions people ask of their history, answered from a UsageStore and a PriceTable.
//
// Times are UTC milliseconds. Time zones are the caller's business: periods come as boundaries
// the caller computed in the user's zone. Costs are exact pico-dollars (UsageTotals).
// Functions here only read; use them on a read connection from any one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "core/price_table.hpp"
#include "core/session_activity.hpp"
#include "core/usage_report.hpp"
#include "core/usage_store.hpp"

namespace ccmeter {

struct PeriodTotals {
    int64_t start_ms = 0;
    int64_t end_ms = 0;  // exclusive
    UsageTotals usage;
    std::map<std::string, UsageTotals> by_model;  // filled when asked for a breakdown
};

// The one walk over periods [boundaries[i], boundaries[i+1]): calls `visit(i, row)` for every
// aggregate row of `filter` in [boundaries.front(), boundaries.back()), each row wholly inside
// period i. `boundaries` must ascend; since/until of `filter` are replaced by the first and last
// boundary. Rows come from the coarsest rollups each stretch between boundaries allows
// (UsageStore::aggregate_periods), and the first and last boundary may fall anywhere.
Result<void> for_each_period_row(const UsageStore& store, const std::vector<int64_t>& boundaries,
                                 ResponseFilter filter,
                                 const std::function<void(size_t, const AggregateRow&)>& visit);

// Usage in each period [boundaries[i], boundaries[i+1]). `boundaries` must ascend; since/until
// of `filter` are replaced by the first and last boundary.
Result<std::vector<PeriodTotals>> usage_by_periods(const UsageStore& store,
                                                   const PriceTable& prices,
                                                   const std::vector<int64_t>& boundaries,
                                                   ResponseFilter filter, bool breakdown);

// branch: per (project, git branch); GroupTotals.key is the branch ("" when not in a git
// repository), .project its cwd. day_utc: GroupTotals.key is the UTC day (rows per day).

struct GroupTotals {
    std::string key;  // session id, cwd or model
    UsageTotals usage;
    int64_t first_ms = 0;
    int64_t last_ms = 0;
    std::string project;  // sessions: their cwd
    std::set<std::string> models;
    std::map<std::string, UsageTotals> by_model;  // filled when asked for a breakdown
};

// Groups, most recent activity first.
Result<std::vector<GroupTotals>> usage_by_group(const UsageStore& store, const PriceTable& prices,
                                                Grouping kind, const ResponseFilter& filter,
                                                bool breakdown);

// 5-hour billing windows, as Claude's plans count them: a block starts at the hour (UTC) of
// the first response after the previous block ended, or after a gap of 5 hours.
constexpr int64_t k_block_ms = 5 * 3'600'000;

struct BlockTotals {
    int64_t start_ms = 0;
    int64_t end_ms = 0;  // start + 5 h
    int64_t first_ms = 0;
    int64_t last_ms = 0;
    bool active = false;  // now is inside the block
    UsageTotals usage;
    int64_t burn_pico_usd_per_hour = 0;  // cost / elapsed time since the block started
    int64_t projected_pico_usd = 0;      // at that rate until the block ends (active only)
};

// Blocks in time order, exact: computed from hourly sums with each hour's first and last
// response time (a block starts and ends on an hour, and a 5-hour gap cannot fall inside one).
Result<std::vector<BlockTotals>> usage_by_block(const UsageStore& store, const PriceTable& prices,
                                                const ResponseFilter& filter, int64_t now_ms);

struct ResponseCost {
    UsageRecord response;
    std::optional<int64_t> cost_pico_usd;
};

// One stored response priced at its own time and tier (exports).
struct PricedResponse {
    UsageRecord response;
    std::optional<int64_t> cost_pico_usd;  // nullopt: its model has no price
    bool client_priced = false;            // by rates learned from the client
};

// `response` priced by `prices`.
PricedResponse priced_response(const PriceTable& prices, UsageRecord response);

}  // namespace ccmeter
