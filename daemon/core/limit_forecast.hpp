// When each plan limit (the status line's rate_limits: five_hour, seven_day, any per-model
// bucket) reaches 100 % at the current burn, and whether that is before it resets.
//
// Rules (README, "Limits and budgets"):
// - A bucket's current window is its latest sample and the samples before it with the same
//   resets_at (within a minute) and no drop of more than half a point (a reset).
// - The burn is the rise in used % from the earliest sample of that window inside the
//   lookback (1 hour for five_hour*, 24 hours for every other bucket) to the latest, per hour;
//   unknown (nullopt) when those samples span less than 5 minutes, 0 when used % did not rise.
// - full_at = latest + (100 - used) / burn; the latest sample's time when used is already at
//   100 % or more; none when the burn is unknown or 0. full_before_reset: full_at comes before
//   resets_at (or no reset time is known).
// - reset_since_observed: resets_at has passed since the latest sample (its used % is history).
// Pure functions; percentages are the client's (doubles), times UTC milliseconds.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/usage_report.hpp"
#include "core/usage_store.hpp"

namespace ccmeter {

constexpr int64_t k_limit_short_lookback_ms = 3'600'000;      // five_hour* buckets
constexpr int64_t k_limit_long_lookback_ms = 24 * 3'600'000;  // the others
constexpr int64_t k_limit_min_span_ms = 5 * 60'000;

struct LimitForecast {
    std::string bucket;
    double used_percentage = 0;  // of the latest sample
    int64_t observed_ms = 0;
    std::optional<int64_t> resets_at_ms;
    std::optional<double> percent_per_hour;
    std::optional<int64_t> full_at_ms;
    bool full_before_reset = false;
    bool reset_since_observed = false;
};

// The plan limits and the spend of the caller's local day, week and month (for budgets).
struct LimitsFigures {
    std::vector<LimitForecast> limits;
    UsageTotals today;
    UsageTotals this_week;
    UsageTotals this_month;
};

// One forecast per bucket of `samples` (ordered by bucket, then time, as
// UsageStore::rate_limit_history gives them), in that order.
std::vector<LimitForecast> forecast_limits(const std::vector<LimitSample>& samples, int64_t now_ms);

}  // namespace ccmeter
