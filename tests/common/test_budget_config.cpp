#include <catch2/catch.hpp>
#include <string>

#include "common/budget_config.hpp"
#include "common/status_payload.hpp"

using namespace ccmeter;

TEST_CASE("budget_config: every key optional, dollars held as micro-dollars", "[budget_config]") {
    Result<Budgets> all = parse_budgets(
        R"({"daily_usd": 20, "weekly_usd": 100.5, "monthly_usd": 0.000001, "plan_usd_per_month": 200})");
    REQUIRE(all.has_value());
    CHECK(all->daily_micro_usd == 20'000'000);
    CHECK(all->weekly_micro_usd == 100'500'000);
    CHECK(all->monthly_micro_usd == 1);
    CHECK(all->plan_micro_usd_per_month == 200'000'000);
    Result<Budgets> none = parse_budgets(R"({"daily_usd": 0})");
    REQUIRE(none.has_value());
    CHECK_FALSE(none->any());
    CHECK_FALSE(load_budgets("/nonexistent/budgets.json")->any());
}

TEST_CASE("budget_config: bad values name their key", "[budget_config]") {
    CHECK(parse_budgets("[1]").error().message.find("not a JSON object") != std::string::npos);
    CHECK(parse_budgets(R"({"daily_usd": "20"})").error().message.find("daily_usd") !=
          std::string::npos);
    CHECK(parse_budgets(R"({"weekly_usd": -1})").error().message.find("weekly_usd") !=
          std::string::npos);
    CHECK_FALSE(parse_budgets(R"({"monthly_usd": 1e300})").has_value());
}

TEST_CASE("budget_config: yellow at 80 %, red at 100 %", "[budget_config]") {
    CHECK(budget_level(15'999'999, 20'000'000) == BudgetLevel::ok);
    CHECK(budget_level(16'000'000, 20'000'000) == BudgetLevel::warn);
    CHECK(budget_level(19'999'999, 20'000'000) == BudgetLevel::warn);
    CHECK(budget_level(20'000'000, 20'000'000) == BudgetLevel::over);
    CHECK(budget_level(INT64_MAX, INT64_MAX - 1) == BudgetLevel::over);
    CHECK(budget_level(5, 0) == BudgetLevel::ok);
    CHECK(budget_used_percentage(17'000'000, 20'000'000) == Approx(85));
    Budgets budgets;
    budgets.daily_micro_usd = 20'000'000;
    budgets.monthly_micro_usd = 300'000'000;
    const std::vector<BudgetStatus> statuses = budget_statuses(budgets, 17'000'000, 1, 310'000'000);
    REQUIRE(statuses.size() == 2);
    CHECK(statuses[0].period == "day");
    CHECK(statuses[0].level == BudgetLevel::warn);
    CHECK(statuses[1].period == "month");
    CHECK(statuses[1].level == BudgetLevel::over);
}

TEST_CASE("status_payload: every rate_limits bucket and the lines changed", "[status_payload]") {
    Result<StatusPayload> payload = parse_status_payload(
        R"({"rate_limits":{"five_hour":{"used_percentage":37,"resets_at":1795340000},)"
        R"("seven_day":{"used_percentage":12.5,"resets_at":"2026-12-07T10:00:00Z"},)"
        R"("seven_day_opus":{"used_percentage":55},"bad key!":{"used_percentage":1},)"
        R"("junk":{"used_percentage":"x"}},)"
        R"("cost":{"total_lines_added":120,"total_lines_removed":-3}})");
    REQUIRE(payload.has_value());
    REQUIRE(payload->rate_limits.size() == 3);
    CHECK(payload->rate_limits[0].name == "five_hour");
    CHECK(payload->rate_limits[0].resets_at_ms == 1'795'340'000'000);
    CHECK(payload->rate_limits[1].used_percentage == 12.5);
    CHECK(payload->rate_limits[1].resets_at_ms.has_value());
    CHECK(payload->rate_limits[2].name == "seven_day_opus");
    CHECK_FALSE(payload->rate_limits[2].resets_at_ms.has_value());
    CHECK(payload->five_hour_used_percentage == 37);
    CHECK(payload->lines_added == 120);
    CHECK_FALSE(payload->lines_removed.has_value());
}

TEST_CASE("status_payload: a reset time out of range is no reset time", "[status_payload]") {
    // Found by fuzz_status_payload (its corpus keeps the input): 3.3e121 was cast to int64.
    Result<StatusPayload> payload = parse_status_payload(
        R"({"rate_limits":{"five_hour":{"used_percentage":24.5,"resets_at":3.3e121},)"
        R"("seven_day":{"used_percentage":1,"resets_at":-5},)"
        R"("other":{"used_percentage":2,"resets_at":253402300799999}}})");
    REQUIRE(payload.has_value());
    CHECK(payload->five_hour_used_percentage == 24.5);
    CHECK_FALSE(payload->five_hour_resets_at_ms.has_value());
    CHECK_FALSE(payload->seven_day_resets_at_ms.has_value());
    REQUIRE(payload->rate_limits.size() == 3);
    CHECK(payload->rate_limits[2].resets_at_ms == 253'402'300'799'999);
}

TEST_CASE("status_payload: a context window size out of range is no size", "[status_payload]") {
    // Found by fuzz_status_payload (its corpus keeps the input): an infinite size was cast to
    // int64.
    for (const char* size : {"1e400", "-3", "1e300"}) {
        INFO(size);
        Result<StatusPayload> payload = parse_status_payload(
            std::string(R"({"context_window":{"used_percentage":7,"context_window_size":)") + size +
            "}}");
        REQUIRE(payload.has_value());
        CHECK(payload->context_window_size == 0);
        CHECK(payload->context_used_percentage == 7);
    }
    Result<StatusPayload> normal =
        parse_status_payload(R"({"context_window":{"context_window_size":200000}})");
    REQUIRE(normal.has_value());
    CHECK(normal->context_window_size == 200'000);
}
