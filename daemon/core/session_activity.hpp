// What Claude Code's processes did, as the client itself reports in its cost-state records
// (2.1.332 and later; none for older clients or a process still running): time the model
// worked, time tools ran, wall time, lines of code added and removed. Each process counts its
// own part only (own_cost_states in client_check.hpp: a fork's parent is taken off).
//
// Definitions (README "Active time"), all in milliseconds:
//   api_ms   the model working: the client's totalAPIDuration, every API call of the process
//            (subagents' included; calls running at once each count their own time);
//   tool_ms  tools running: totalToolDuration;
//   wall_ms  the process's wall time: totalDuration;
//   idle_ms  waiting for the user (and anything else): per process wall - api - tools, never
//            below 0 (parallel subagents can make api + tools exceed wall); sums add each
//            process's own.
// A process belongs to the period its start falls in, and to its session's project.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "core/usage_store.hpp"

namespace ccmeter {

struct Activity {
    int64_t processes = 0;
    int64_t api_ms = 0;
    int64_t tool_ms = 0;
    int64_t wall_ms = 0;
    int64_t lines_added = 0;
    int64_t lines_removed = 0;
    int64_t idle_ms = 0;

    // Adds `other` (saturating: never wraps).
    void add(const Activity& other);
    bool operator==(const Activity&) const = default;
};

struct ProcessActivity {
    std::string session_id;
    int64_t start_ms = 0;
    Activity activity;  // processes = 1
};

struct ActivityPeriod {
    int64_t start_ms = 0;
    int64_t end_ms = 0;
    Activity activity;
    int64_t sessions = 0;  // sessions with a process starting in it
};
struct ActivityGroup {
    std::string project;
    Activity activity;
    int64_t sessions = 0;
};
struct ActivityReport {
    std::vector<ActivityPeriod> periods;  // the periods with a process, ascending
    std::vector<ActivityGroup> projects;  // by wall time, longest first
    Activity totals;
    int64_t sessions = 0;
};

// The processes starting in [boundaries.front(), boundaries.back()) (ascending boundaries;
// period i is [boundaries[i], boundaries[i+1])), of filter.session_id and of the sessions whose
// project is filter.cwd when set, summed per period, per project ("" for a session without a
// response yet) and in all.
Result<ActivityReport> activity_report(const UsageStore& store,
                                       const std::vector<int64_t>& boundaries,
                                       const ResponseFilter& filter);

// Every process with a cost-state record whose start is in [filter.since, filter.until) and
// of filter.session_id when set (filter.cwd is not applied here: processes carry no cwd),
// each its own part, by start time.
Result<std::vector<ProcessActivity>> process_activity(const UsageStore& store,
                                                      const ResponseFilter& filter);

}  // namespace ccmeter
