// The team views of `hookctl stats --team` and /api/team, from the store's team_view_totals rows
// (team_store.hpp: grouped per view by the store, from its rollups), priced with this daemon's
// price table. Pure: no PostgreSQL, no clock.
//
// Views: summary (one row, key ""), daily (key: the UTC day "YYYY-MM-DD"; the store sums per UTC
// day, k_team_day_ms), members, machines, projects (the cwd) and models. Each row also counts
// the distinct members and machines it holds. Rows come ordered by key (daily: oldest first;
// the others: by cost, largest first, then key). Each (key, model, day, speed, tier) is priced
// once, at the day's prices.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/price_table.hpp"
#include "core/usage_report.hpp"
#include "team/team_store.hpp"

namespace ccmeter {

enum class TeamView { summary, daily, members, machines, projects, models };

// The bucket the store sums in: one UTC day.
constexpr int64_t k_team_day_ms = 86'400'000;

// "summary", "daily", ... ; nullopt for anything else.
std::optional<TeamView> parse_team_view(std::string_view name);

struct TeamReportRow {
    std::string key;
    UsageTotals totals;
    int64_t members = 0;
    int64_t machines = 0;
};

// The view's name as team_view_totals() takes it ("summary", "daily", ...).
std::string_view team_view_name(TeamView view);

// What team_view_totals(view) answers for a store whose team_totals() are `rows` (the store's
// grouping, done here: for tests and to hold the store's to it).
std::vector<TeamViewRow> team_view_rows(const std::vector<TeamTotalsRow>& rows, TeamView view);

std::vector<TeamReportRow> team_report(const std::vector<TeamViewRow>& rows, TeamView view,
                                       const PriceTable& prices);

}  // namespace ccmeter
