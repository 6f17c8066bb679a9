#include "core/session_activity.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "common/saturating_int.hpp"
#include "core/client_check.hpp"

namespace ccmeter {

void Activity::add(const Activity& other) {
    processes = saturating_add(processes, other.processes);
    api_ms = saturating_add(api_ms, other.api_ms);
    tool_ms = saturating_add(tool_ms, other.tool_ms);
    wall_ms = saturating_add(wall_ms, other.wall_ms);
    lines_added = saturating_add(lines_added, other.lines_added);
    lines_removed = saturating_add(lines_removed, other.lines_removed);
    idle_ms = saturating_add(idle_ms, other.idle_ms);
}

Result<std::vector<ProcessActivity>> process_activity(const UsageStore& store,
                                                      const ResponseFilter& filter) {
    // Every state, so that a fork's parent (another session) is found and taken off.
    CCMETER_TRY_ASSIGN(std::vector<ClientCostState> states, store.cost_states());
    std::vector<ProcessActivity> processes;
    for (const ClientCostState& own : own_cost_states(std::move(states))) {
        if (filter.since_ms && own.start_time_ms < *filter.since_ms)
            continue;
        if (filter.until_ms && own.start_time_ms >= *filter.until_ms)
            continue;
        if (filter.session_id && own.session_id != *filter.session_id)
            continue;
        ProcessActivity process;
        process.session_id = own.session_id;
        process.start_ms = own.start_time_ms;
        process.activity.processes = 1;
        process.activity.api_ms = own.api_duration_ms;
        process.activity.tool_ms = own.tool_duration_ms;
        process.activity.wall_ms = own.duration_ms;
        process.activity.lines_added = own.lines_added;
        process.activity.lines_removed = own.lines_removed;
        process.activity.idle_ms = std::max<int64_t>(
            0, saturating_add(own.duration_ms,
                              -saturating_add(own.api_duration_ms, own.tool_duration_ms)));
        processes.push_back(std::move(process));
    }
    std::stable_sort(
        processes.begin(), processes.end(),
        [](const ProcessActivity& a, const ProcessActivity& b) { return a.start_ms < b.start_ms; });
    return processes;
}

Result<ActivityReport> activity_report(const UsageStore& store,
                                       const std::vector<int64_t>& boundaries,
                                       const ResponseFilter& filter) {
    ActivityReport report;
    if (boundaries.size() < 2)
        return report;
    ResponseFilter span;
    span.since_ms = boundaries.front();
    span.until_ms = boundaries.back();
    span.session_id = filter.session_id;
    CCMETER_TRY_ASSIGN(std::vector<ProcessActivity> processes, process_activity(store, span));
    CCMETER_TRY_ASSIGN(auto projects, store.session_projects());
    std::vector<std::set<std::string>> period_sessions(boundaries.size() - 1);
    std::map<std::string, std::pair<ActivityGroup, std::set<std::string>>> by_project;
    std::vector<ActivityPeriod> periods(boundaries.size() - 1);
    std::set<std::string> sessions;
    for (const ProcessActivity& process : processes) {
        auto found = projects.find(process.session_id);
        const std::string project = found == projects.end() ? std::string() : found->second;
        if (filter.cwd && project != *filter.cwd)
            continue;
        const size_t period = static_cast<size_t>(
            std::upper_bound(boundaries.begin(), boundaries.end(), process.start_ms) -
            boundaries.begin() - 1);
        periods[period].activity.add(process.activity);
        period_sessions[period].insert(process.session_id);
        auto& [group, group_sessions] = by_project[project];
        group.project = project;
        group.activity.add(process.activity);
        group_sessions.insert(process.session_id);
        report.totals.add(process.activity);
        sessions.insert(process.session_id);
    }
    for (size_t i = 0; i < periods.size(); ++i) {
        if (periods[i].activity.processes == 0)
            continue;
        periods[i].start_ms = boundaries[i];
        periods[i].end_ms = boundaries[i + 1];
        periods[i].sessions = static_cast<int64_t>(period_sessions[i].size());
        report.periods.push_back(periods[i]);
    }
    for (auto& [project, entry] : by_project) {
        entry.first.sessions = static_cast<int64_t>(entry.second.size());
        report.projects.push_back(std::move(entry.first));
    }
    std::stable_sort(report.projects.begin(), report.projects.end(),
                     [](const ActivityGroup& a, const ActivityGroup& b) {
                         return a.activity.wall_ms > b.activity.wall_ms;
                     });
    report.sessions = static_cast<int64_t>(sessions.size());
    return report;
}

}  // namespace ccmeter
