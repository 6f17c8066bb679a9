#include "team/team_report.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

namespace ccmeter {

namespace {

constexpr std::pair<TeamView, std::string_view> k_view_names[] = {
    {TeamView::summary, "summary"},   {TeamView::daily, "daily"},
    {TeamView::members, "members"},   {TeamView::machines, "machines"},
    {TeamView::projects, "projects"}, {TeamView::models, "models"},
};

// The store's key of `row` in `view` (team_view_totals): daily keys are bucket starts.
std::string store_key_of(const TeamTotalsRow& row, TeamView view) {
    switch (view) {
        case TeamView::summary:
            return "";
        case TeamView::daily:
            return std::to_string(row.bucket_start_ms);
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

// The report's key of a store key: the UTC day of a daily bucket start, else as it is.
std::string report_key(const std::string& key, TeamView view) {
    if (view != TeamView::daily)
        return key;
    return utc_day(std::strtoll(key.c_str(), nullptr, 10));
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

std::vector<TeamViewRow> team_view_rows(const std::vector<TeamTotalsRow>& rows, TeamView view) {
    using SumKey = std::tuple<std::string, std::string, int64_t, std::string, bool>;
    std::map<SumKey, TeamViewRow> sums;
    std::set<std::tuple<std::string, std::string, std::string>> presence;
    for (const TeamTotalsRow& row : rows) {
        const std::string key = store_key_of(row, view);
        TeamViewRow& sum = sums[{key, row.model, row.bucket_start_ms, row.speed, row.long_context}];
        sum.key = key;
        sum.model = row.model;
        sum.bucket_start_ms = row.bucket_start_ms;
        sum.speed = row.speed;
        sum.long_context = row.long_context;
        sum.responses += row.responses;
        sum.tokens.add(row.tokens);
        presence.insert({key, row.member, row.machine});
    }
    std::vector<TeamViewRow> out;
    for (auto& [key, sum] : sums)
        out.push_back(std::move(sum));
    for (const auto& [key, member, machine] : presence) {
        TeamViewRow& row = out.emplace_back();
        row.presence = true;
        row.key = key;
        row.member = member;
        row.machine = machine;
    }
    return out;
}

std::vector<TeamReportRow> team_report(const std::vector<TeamViewRow>& rows, TeamView view,
                                       const PriceTable& prices) {
    struct Group {
        TeamReportRow row;
        std::set<std::string> members, machines;
    };
    std::map<std::string, Group> groups;
    if (view == TeamView::summary)
        groups[""];
    for (const TeamViewRow& row : rows) {
        Group& group = groups[report_key(row.key, view)];
        if (row.presence) {
            group.members.insert(row.member);
            group.machines.insert(row.machine);
            continue;
        }
        const PriceRule* rule = prices.find(row.model, row.bucket_start_ms);
        std::optional<int64_t> cost;
        if (rule)
            cost = PriceTable::cost_parts(*rule, row.speed, row.long_context, row.tokens).total();
        group.row.totals.add(row.model, row.responses, row.tokens, cost,
                             rule && rule->source == PriceSource::learned);
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
