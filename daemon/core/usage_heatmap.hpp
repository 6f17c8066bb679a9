// Usage by hour of day and day of the week, in the daemon's local time zone (the process's TZ,
// else /etc/localtime).
//
// Contract: every response counts once, in the cell of its local weekday and hour, taken at a
// quarter-hour resolution (exact for every zone whose offset is a whole number of quarter
// hours, i.e. all of today's). Costs are priced as usage_queries does (exact pico-dollars).
// Whole-hour zones are read from the hourly sums (a quarter of the rows), any other from the
// quarter-hour ones. Only reads; use the store from one thread at a time.
#pragma once

#include <array>

#include "common/error.hpp"
#include "core/price_table.hpp"
#include "core/usage_report.hpp"
#include "core/usage_store.hpp"

namespace ccmeter {

struct UsageHeatmap {
    // cells[weekday][hour]; weekday 0 is Monday (ISO 8601), 6 is Sunday; hour 0..23 local.
    std::array<std::array<UsageTotals, 24>, 7> cells;
};

Result<UsageHeatmap> usage_heatmap(const UsageStore& store, const PriceTable& prices,
                                   const ResponseFilter& filter);

}  // namespace ccmeter
