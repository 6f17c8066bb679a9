#include <catch2/catch.hpp>
#include <vector>

#include "core/limit_forecast.hpp"

using namespace ccmeter;

namespace {

constexpr int64_t k_minute = 60'000;
constexpr int64_t k_hour = 60 * k_minute;
constexpr int64_t k_t0 = 1'795'336'400'000;

LimitSample sample(const char* bucket, int64_t at, double used, std::optional<int64_t> resets) {
    return LimitSample{bucket, at, used, resets};
}

}  // namespace

TEST_CASE("limit_forecast: a steady burn reaches 100 % before the reset", "[limit_forecast]") {
    const int64_t reset = k_t0 + 4 * k_hour;
    // 20 % -> 50 % over the last 30 minutes: 60 %/h, 50 points left: 50 minutes.
    const std::vector<LimitSample> samples = {sample("five_hour", k_t0, 20, reset),
                                              sample("five_hour", k_t0 + 15 * k_minute, 35, reset),
                                              sample("five_hour", k_t0 + 30 * k_minute, 50, reset)};
    const std::vector<LimitForecast> forecasts = forecast_limits(samples, k_t0 + 31 * k_minute);
    REQUIRE(forecasts.size() == 1);
    const LimitForecast& f = forecasts[0];
    CHECK(f.bucket == "five_hour");
    CHECK(f.used_percentage == 50);
    REQUIRE(f.percent_per_hour.has_value());
    CHECK(*f.percent_per_hour == Approx(60));
    REQUIRE(f.full_at_ms.has_value());
    CHECK(*f.full_at_ms == k_t0 + 80 * k_minute);
    CHECK(f.full_before_reset);
    CHECK_FALSE(f.reset_since_observed);
}

TEST_CASE("limit_forecast: a slow burn ends after the reset", "[limit_forecast]") {
    const int64_t reset = k_t0 + 2 * k_hour;
    const std::vector<LimitSample> samples = {sample("five_hour", k_t0, 10, reset),
                                              sample("five_hour", k_t0 + 30 * k_minute, 15, reset)};
    const LimitForecast f = forecast_limits(samples, k_t0 + 30 * k_minute).at(0);
    CHECK(*f.percent_per_hour == Approx(10));
    CHECK(*f.full_at_ms == k_t0 + 30 * k_minute + static_cast<int64_t>(8.5 * k_hour));
    CHECK_FALSE(f.full_before_reset);
}

TEST_CASE("limit_forecast: only the current window and the lookback count", "[limit_forecast]") {
    const int64_t old_reset = k_t0;
    const int64_t reset = k_t0 + 5 * k_hour;
    // A sample of the previous window (90 %) and one older than the 1 h lookback are ignored:
    // the burn is 5 -> 25 over 40 minutes = 30 %/h.
    const std::vector<LimitSample> samples = {
        sample("five_hour", k_t0 - 10 * k_minute, 90, old_reset),
        sample("five_hour", k_t0 + 10 * k_minute, 1, reset),
        sample("five_hour", k_t0 + 80 * k_minute, 5, reset),
        sample("five_hour", k_t0 + 120 * k_minute, 25, reset)};
    const LimitForecast f = forecast_limits(samples, k_t0 + 120 * k_minute).at(0);
    CHECK(*f.percent_per_hour == Approx(30));
    // A drop (a reset the payload did not date) also starts a new window.
    const std::vector<LimitSample> dropped = {
        sample("seven_day", k_t0, 70, std::nullopt),
        sample("seven_day", k_t0 + k_hour, 2, std::nullopt),
        sample("seven_day", k_t0 + 3 * k_hour, 8, std::nullopt)};
    const LimitForecast d = forecast_limits(dropped, k_t0 + 3 * k_hour).at(0);
    CHECK(*d.percent_per_hour == Approx(3));
    CHECK(d.full_before_reset);  // no reset time known: 100 % comes first
}

TEST_CASE("limit_forecast: too few samples, no rise, full already, reset since",
          "[limit_forecast]") {
    const int64_t reset = k_t0 + k_hour;
    const auto one = [&](std::vector<LimitSample> samples, int64_t now) {
        return forecast_limits(samples, now).at(0);
    };
    const LimitForecast short_span = one(
        {sample("five_hour", k_t0, 10, reset), sample("five_hour", k_t0 + 4 * k_minute, 20, reset)},
        k_t0 + 4 * k_minute);
    CHECK_FALSE(short_span.percent_per_hour.has_value());
    CHECK_FALSE(short_span.full_at_ms.has_value());
    const LimitForecast flat = one({sample("five_hour", k_t0, 10, reset),
                                    sample("five_hour", k_t0 + 20 * k_minute, 10, reset)},
                                   k_t0 + 20 * k_minute);
    CHECK(*flat.percent_per_hour == 0);
    CHECK_FALSE(flat.full_at_ms.has_value());
    CHECK_FALSE(flat.full_before_reset);
    const LimitForecast full = one({sample("five_hour", k_t0, 100, reset)}, k_t0 + k_minute);
    CHECK(*full.full_at_ms == k_t0);
    CHECK(full.full_before_reset);
    const LimitForecast stale = one({sample("five_hour", k_t0, 100, reset)}, reset + 1);
    CHECK(stale.reset_since_observed);
    CHECK_FALSE(stale.full_before_reset);
}

TEST_CASE("limit_forecast: one forecast per bucket, per-model buckets included",
          "[limit_forecast]") {
    const std::vector<LimitSample> samples = {sample("five_hour", k_t0, 10, std::nullopt),
                                              sample("seven_day", k_t0, 30, std::nullopt),
                                              sample("seven_day_opus", k_t0, 55, std::nullopt)};
    const std::vector<LimitForecast> forecasts = forecast_limits(samples, k_t0);
    REQUIRE(forecasts.size() == 3);
    CHECK(forecasts[2].bucket == "seven_day_opus");
    CHECK(forecasts[2].used_percentage == 55);
}
