// The spending budgets a user sets, and how close a period's cost is to its budget.
//
// File (default_budgets_path(): ~/.config/ccmeter/budgets.json), every key optional:
//   {"daily_usd": 20, "weekly_usd": 100, "monthly_usd": 300, "plan_usd_per_month": 200}
// daily / weekly / monthly: budgets for the local day, week (Monday first) and calendar month;
// plan_usd_per_month: what the user pays for their plan (the web view compares the month's
// API-price cost with it). Defaults: no budget at all (a missing file, or a key left out or 0).
// Amounts are dollars with at most 6 decimals, held as micro-dollars; negative, non-numeric or
// larger than $1 billion values are an error naming the key.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string_view>
#include <vector>

#include "common/error.hpp"

namespace ccmeter {

struct Budgets {
    std::optional<int64_t> daily_micro_usd;
    std::optional<int64_t> weekly_micro_usd;
    std::optional<int64_t> monthly_micro_usd;
    std::optional<int64_t> plan_micro_usd_per_month;

    bool any() const { return daily_micro_usd || weekly_micro_usd || monthly_micro_usd; }
};

// Parses the file's text.
Result<Budgets> parse_budgets(std::string_view json_text);
// Reads `path`; a missing file gives no budgets; an unreadable or bad one an error.
Result<Budgets> load_budgets(const std::filesystem::path& path);

// Colour levels of a period's cost against its budget: warn at 80 %, over at 100 %.
constexpr int k_budget_warn_percent = 80;
enum class BudgetLevel { ok, warn, over };
BudgetLevel budget_level(int64_t spent_micro_usd, int64_t budget_micro_usd);
std::string_view budget_level_name(BudgetLevel level);  // "ok", "warn", "over"
// spent / budget in percent (0 for a zero budget).
double budget_used_percentage(int64_t spent_micro_usd, int64_t budget_micro_usd);

// One budget set, against what its period cost so far.
struct BudgetStatus {
    std::string_view period;  // "day", "week", "month"
    int64_t budget_micro_usd = 0;
    int64_t spent_micro_usd = 0;
    BudgetLevel level = BudgetLevel::ok;
};
// The budgets set, day first, with the spend of the local day, week and month.
std::vector<BudgetStatus> budget_statuses(const Budgets& budgets, int64_t day_micro_usd,
                                          int64_t week_micro_usd, int64_t month_micro_usd);

}  // namespace ccmeter
