#include "team/team_report.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace ccmeter {

namespace {

constexpr std::pair<TeamView, std::string_view> k_view_names[] = {
    {TeamView::summary, "summary"},   {TeamView::daily, "daily"},
    {TeamView::members, "members"},   {TeamView::machines, "machines"},
    {TeamView::projects, "projects"}, {TeamView::models, "models"},
};

std::string key_of(const TeamTotalsRow& row, TeamView view) {
    switch (view) {
        case TeamView::summary:
            return "";
        case TeamView::daily:
            return utc_day(row.bucket_start_ms);
        case TeamView::members:
            return row.member;
        case TeamView::machines:
            return row.machine;
        case TeamView::projects:
            return row.project;
        case TeamView::models:
            return row.model;
    }
    return "";
}

}  // namespace

std::optional<TeamView> parse_team_view(std::string_view name) {
    for (const auto& [view, view_name] : k_view_names) {
        if (name == view_name)
            return view;
    }
    return std::nullopt;
}

std::string_view team_view_name(TeamView view) {
    for (const auto& [each, name] : k_view_names) {
        if (each == view)
            return name;
    }
    return "";
}

std::vector<TeamReportRow> team_report(const std::vector<TeamTotalsRow>& rows, TeamView view,
                                       const PriceTable& prices) {
    struct Group {
        TeamReportRow row;
        std::set<std::string> members, machines;
    };
    std::map<std::string, Group> groups;
    if (view == TeamView::summary)
        groups[""];
    for (const TeamTotalsRow& row : rows) {
        Group& group = groups[key_of(row, view)];
        const PriceRule* rule = prices.find(row.model, row.bucket_start_ms);
        std::optional<int64_t> cost;
        if (rule)
            cost = PriceTable::cost_parts(*rule, row.speed, row.long_context, row.tokens).total();
        group.row.totals.add(row.model, row.responses, row.tokens, cost,
                             rule && rule->source == PriceSource::learned);
        group.members.insert(row.member);
        group.machines.insert(row.machine);
    }
    std::vector<TeamReportRow> report;
    report.reserve(groups.size());
    for (auto& [key, group] : groups) {
        group.row.key = key;
        group.row.members = static_cast<int64_t>(group.members.size());
        group.row.machines = static_cast<int64_t>(group.machines.size());
        report.push_back(std::move(group.row));
    }
    if (view != TeamView::daily && view != TeamView::summary) {
        std::stable_sort(report.begin(), report.end(),
                         [](const TeamReportRow& a, const TeamReportRow& b) {
                             return a.totals.cost_pico_usd > b.totals.cost_pico_usd;
                         });
    }
    return report;
}

}  // namespace ccmeter
