#include "common/budget_config.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <tuple>

namespace ccmeter {

namespace json = boost::json;

namespace {

constexpr double k_max_budget_usd = 1e9;

Result<std::optional<int64_t>> amount(const json::object& root, std::string_view key) {
    const json::value* value = root.if_contains(key);
    if (!value || value->is_null())
        return std::optional<int64_t>();
    if (!value->is_number())
        return Error{"budgets: \"" + std::string(key) + "\" must be a number of dollars"};
    const double dollars = value->to_number<double>();
    if (!std::isfinite(dollars) || dollars < 0 || dollars > k_max_budget_usd)
        return Error{"budgets: \"" + std::string(key) + "\" must be between 0 and 1e9 dollars"};
    const int64_t micros = std::llround(dollars * 1e6);
    if (micros == 0)
        return std::optional<int64_t>();
    return std::optional<int64_t>(micros);
}

}  // namespace

Result<Budgets> parse_budgets(std::string_view json_text) {
    json::error_code ec;
    const json::value root = json::parse(json_text, ec);
    if (ec || !root.is_object())
        return Error{"budgets: not a JSON object"};
    Budgets budgets;
    const std::pair<std::string_view, std::optional<int64_t> Budgets::*> keys[] = {
        {"daily_usd", &Budgets::daily_micro_usd},
        {"weekly_usd", &Budgets::weekly_micro_usd},
        {"monthly_usd", &Budgets::monthly_micro_usd},
        {"plan_usd_per_month", &Budgets::plan_micro_usd_per_month},
    };
    for (const auto& [key, field] : keys) {
        Result<std::optional<int64_t>> value = amount(root.as_object(), key);
        if (!value)
            return value.error();
        budgets.*field = *value;
    }
    return budgets;
}

Result<Budgets> load_budgets(const std::filesystem::path& path) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec))
        return Budgets{};
    if (!std::filesystem::is_regular_file(path, ec))
        return Error{"budgets: " + path.string() + " is not a regular file"};
    std::ifstream file(path, std::ios::binary);
    if (!file)
        return Error{"budgets: cannot read " + path.string()};
    std::ostringstream text;
    char buffer[4096];
    size_t total = 0;
    while (file.read(buffer, sizeof buffer) || file.gcount() > 0) {
        total += static_cast<size_t>(file.gcount());
        if (total > 64 * 1024)
            return Error{"budgets: " + path.string() + " is larger than 64 KB"};
        text.write(buffer, file.gcount());
    }
    Result<Budgets> budgets = parse_budgets(text.str());
    if (!budgets)
        return Error{budgets.error().message + " (" + path.string() + ")"};
    return budgets;
}

BudgetLevel budget_level(int64_t spent_micro_usd, int64_t budget_micro_usd) {
    if (budget_micro_usd <= 0)
        return BudgetLevel::ok;
    // As long double, whose 64-bit mantissa holds every int64 exactly: no overflow.
    const long double spent = static_cast<long double>(spent_micro_usd);
    const long double budget = static_cast<long double>(budget_micro_usd);
    if (spent >= budget)
        return BudgetLevel::over;
    if (spent * 100 >= budget * k_budget_warn_percent)
        return BudgetLevel::warn;
    return BudgetLevel::ok;
}

std::string_view budget_level_name(BudgetLevel level) {
    switch (level) {
        case BudgetLevel::warn:
            return "warn";
        case BudgetLevel::over:
            return "over";
        case BudgetLevel::ok:
            break;
    }
    return "ok";
}

double budget_used_percentage(int64_t spent_micro_usd, int64_t budget_micro_usd) {
    if (budget_micro_usd <= 0)
        return 0;
    return static_cast<double>(spent_micro_usd) * 100.0 / static_cast<double>(budget_micro_usd);
}

std::vector<BudgetStatus> budget_statuses(const Budgets& budgets, int64_t day_micro_usd,
                                          int64_t week_micro_usd, int64_t month_micro_usd) {
    std::vector<BudgetStatus> statuses;
    const std::tuple<std::string_view, const std::optional<int64_t>&, int64_t> periods[] = {
        {"day", budgets.daily_micro_usd, day_micro_usd},
        {"week", budgets.weekly_micro_usd, week_micro_usd},
        {"month", budgets.monthly_micro_usd, month_micro_usd}};
    for (const auto& [period, budget, spent] : periods)
        if (budget)
            statuses.push_back({period, *budget, spent, budget_level(spent, *budget)});
    return statuses;
}

}  // namespace ccmeter
