#include "core/limit_forecast.hpp"

#include <cmath>
#include <cstdlib>

namespace ccmeter {

namespace {

constexpr int64_t k_reset_tolerance_ms = 60'000;
constexpr double k_reset_drop_points = 0.5;

bool same_reset(const std::optional<int64_t>& a, const std::optional<int64_t>& b) {
    if (!a || !b)
        return a.has_value() == b.has_value();
    return std::llabs(*a - *b) <= k_reset_tolerance_ms;
}

LimitForecast forecast_one(const LimitSample* first, const LimitSample* last, int64_t now_ms) {
    const LimitSample& latest = *(last - 1);
    LimitForecast forecast;
    forecast.bucket = latest.bucket;
    forecast.used_percentage = latest.used_percentage;
    forecast.observed_ms = latest.observed_ms;
    forecast.resets_at_ms = latest.resets_at_ms;
    forecast.reset_since_observed = latest.resets_at_ms && *latest.resets_at_ms <= now_ms;
    const int64_t lookback = latest.bucket.rfind("five_hour", 0) == 0 ? k_limit_short_lookback_ms
                                                                      : k_limit_long_lookback_ms;
    // The earliest sample of the current window inside the lookback.
    const LimitSample* base = last - 1;
    while (base != first) {
        const LimitSample& earlier = *(base - 1);
        if (earlier.observed_ms < latest.observed_ms - lookback ||
            !same_reset(earlier.resets_at_ms, latest.resets_at_ms) ||
            earlier.used_percentage > base->used_percentage + k_reset_drop_points)
            break;
        --base;
    }
    const int64_t span_ms = latest.observed_ms - base->observed_ms;
    const double rise = latest.used_percentage - base->used_percentage;
    if (span_ms >= k_limit_min_span_ms)
        forecast.percent_per_hour = rise > 0 ? rise * 3.6e6 / static_cast<double>(span_ms) : 0.0;
    if (latest.used_percentage >= 100) {
        forecast.full_at_ms = latest.observed_ms;
    } else if (forecast.percent_per_hour && *forecast.percent_per_hour > 0) {
        const double hours_left = (100 - latest.used_percentage) / *forecast.percent_per_hour;
        if (std::isfinite(hours_left) && hours_left < 24.0 * 365 * 10)
            forecast.full_at_ms = latest.observed_ms + static_cast<int64_t>(hours_left * 3.6e6);
    }
    if (forecast.full_at_ms && !forecast.reset_since_observed)
        forecast.full_before_reset =
            !latest.resets_at_ms || *forecast.full_at_ms < *latest.resets_at_ms;
    return forecast;
}

}  // namespace

std::vector<LimitForecast> forecast_limits(const std::vector<LimitSample>& samples,
                                           int64_t now_ms) {
    std::vector<LimitForecast> forecasts;
    const LimitSample* begin = samples.data();
    const LimitSample* end = begin + samples.size();
    while (begin != end) {
        const LimitSample* stop = begin;
        while (stop != end && stop->bucket == begin->bucket)
            ++stop;
        forecasts.push_back(forecast_one(begin, stop, now_ms));
        begin = stop;
    }
    return forecasts;
}

}  // namespace ccmeter
