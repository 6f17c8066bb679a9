// period_comparison: the spans compared, a month's projection, the change in per-mille.
#include <catch2/catch.hpp>
#include <cstdint>

#include "common/saturating_int.hpp"
#include "core/period_comparison.hpp"

using namespace ccmeter;

namespace {
constexpr int64_t k_day_ms = 86'400'000;
}

TEST_CASE("the last period is cut as far in as this one has run", "[period_comparison]") {
    // This month began on day 30, last month on day 0; 1.5 days in.
    ComparisonSpans spans = comparison_spans(0, 30 * k_day_ms, 31 * k_day_ms + k_day_ms / 2);
    CHECK(spans.this_start_ms == 30 * k_day_ms);
    CHECK(spans.now_ms == 31 * k_day_ms + k_day_ms / 2);
    CHECK(spans.last_start_ms == 0);
    CHECK(spans.last_cut_ms == k_day_ms + k_day_ms / 2);

    // The 31st of a month against a 28-day February: February whole, never into this month.
    spans = comparison_spans(0, 28 * k_day_ms, 28 * k_day_ms + 30 * k_day_ms + 5);
    CHECK(spans.last_cut_ms == 28 * k_day_ms);

    // A clock before the period's start compares nothing with nothing.
    spans = comparison_spans(0, 7 * k_day_ms, 6 * k_day_ms);
    CHECK(spans.now_ms == 7 * k_day_ms);
    CHECK(spans.last_cut_ms == 0);
}

TEST_CASE("a month projected at its pace so far", "[period_comparison]") {
    // $10 in the first 3 of 30 days: $100.
    CHECK(projected_micro_usd(10'000'000, 0, 30 * k_day_ms, 3 * k_day_ms) == 100'000'000);
    // Rounded down to the micro-dollar: $1 in 7 of 30 days is $4.285714...
    CHECK(projected_micro_usd(1'000'000, 0, 30 * k_day_ms, 7 * k_day_ms) == 4'285'714);
    CHECK(projected_micro_usd(5, 0, 30 * k_day_ms, 30 * k_day_ms) == 5);  // over: as it is
    CHECK_FALSE(projected_micro_usd(5, 10, 30, 10).has_value());          // no time yet
    // A huge figure saturates instead of wrapping.
    CHECK(projected_micro_usd(k_int64_max / 2, 0, 30 * k_day_ms, 1) == k_int64_max);
}

TEST_CASE("the change from the last period in per-mille", "[period_comparison]") {
    CHECK(change_per_mille(8'000'000, 9'000'000) == 125);  // +12.5 %
    CHECK(change_per_mille(8'000'000, 7'000'000) == -125);
    CHECK(change_per_mille(3, 4) == 333);      // 333.33...
    CHECK(change_per_mille(3, 5) == 667);      // 666.66...
    CHECK(change_per_mille(2000, 2001) == 1);  // 0.5 rounds away from zero
    CHECK(change_per_mille(2000, 1999) == -1);
    CHECK(change_per_mille(1, 0) == -1000);
    CHECK_FALSE(change_per_mille(0, 5).has_value());
    CHECK(change_per_mille(1, k_int64_max) == k_int64_max / 2 + 1);  // saturated, halved
}
