// The SQLite rows of tool calls read from transcripts (table tool_calls, schema 9): one row per
// tool_use_id, filled in by its tool_use block and its tool_result block, which may arrive in
// either order and in different batches; since schema 11 each row also holds its OTel figures,
// run time and failure (kept by store_tool_calls and a trigger on tool_runs), and since schema
// 14 its session and cwd as ids of tool_call_sessions and tool_call_cwds. Internal to the
// store: UsageStore calls these inside its own transactions, on its own connection and thread.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "core/response_filter.hpp"
#include "core/usage_record.hpp"

// SQLite's handles, declared here so that sqlite3.h stays out of this header.
struct sqlite3;
struct sqlite3_stmt;

namespace ccmeter {

// Stores a batch's calls and results (one row write per tool_use_id). Of several tool_use
// blocks with one id (forks and resumes copy lines) the earliest one's fields stay; of several
// results, the earliest with a time. A result whose line had no timestamp (finished_ms 0) is
// stored with an unknown finish time. Marks the session of every row written whose use has
// been read (tool_call_changes, at change_clock's number, which the caller's commit has taken).
// Runs inside the caller's transaction. `staged` (a first backfill, UsageStore's bulk load):
// the calls are only appended to tool_call_staging, unmerged and unmarked, invisible to every
// reader until merge_staged_tool_calls.
Result<void> store_tool_calls(sqlite3* db, const std::vector<ToolCallUpdate>& calls,
                              bool staged = false);

// Merges every staged call into tool_calls as store_tool_calls would have (the same rows,
// whatever the order the copies arrived in), marks the sessions of the rows written and left
// (at change_clock's number, which the caller's transaction has taken), and empties the
// staging table. Nothing to do when it is empty. Runs inside the caller's transaction.
Result<void> merge_staged_tool_calls(sqlite3* db);

// The calls of one tool name that a filter selects: how many, how many failed, and the run
// time of each timed one (ms, in no particular order). By the contract of tool_usage.hpp:
// - failed: the transcript's tool_result says is_error, or, while none has been read, an OTel
//   tool_result event of the call says it did not succeed;
// - run time: the largest OTel duration_ms of the call when it is >= 0, else its result line's
//   time minus its tool_use line's when that is >= 0; else the call is untimed.
struct ToolCallTimes {
    std::string name;
    int64_t calls = 0;
    int64_t errors = 0;
    std::vector<int64_t> run_ms;  // one per timed call
};

// Per tool name (in name order), the calls whose tool_use has been read and that `filter`
// selects (time range on the call's start; side_calls_only is ignored). Reads the columns
// schema 11 derives (run_ms, failed) through the covering index tool_calls_by_session, a few
// integers per call: no per-call string copies and no per-call look-up of tool_runs.
Result<std::vector<ToolCallTimes>> read_tool_call_times(sqlite3* db, const ResponseFilter& filter);

// One call whose tool_use has been read, as the tools report counts it. The views live until
// the visit returns.
struct ToolCallRow {
    std::string_view session_id;
    std::string_view tool_name;
    std::string_view cwd;
    int64_t started_ms = 0;
    std::optional<int64_t> run_ms;  // unset: untimed
    bool failed = false;
};

// Every such call (of one session when `session_id` is set): a session's calls together, by
// start time (the sessions in no particular order).
Result<void> read_tool_calls(sqlite3* db, const std::optional<std::string>& session_id,
                             const std::function<void(const ToolCallRow&)>& visit);

// The sessions whose tool calls changed in a commit after change number `after_seq` (schema
// 13's marks), at most `limit` + 1 of them (more than `limit`: too many to read one by one).
Result<std::vector<std::string>> read_tool_sessions_changed_after(sqlite3* db, int64_t after_seq,
                                                                  size_t limit);

}  // namespace ccmeter
