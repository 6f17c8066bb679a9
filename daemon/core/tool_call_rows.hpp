// The SQLite rows of tool calls read from transcripts (table tool_calls, schema 9): one row per
// tool_use_id, filled in by its tool_use block and its tool_result block, which may arrive in
// either order and in different batches. Internal to the store: UsageStore calls these inside
// its own transactions, on its own connection and thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "core/usage_record.hpp"

// SQLite's handles, declared here so that sqlite3.h stays out of this header.
struct sqlite3;
struct sqlite3_stmt;

namespace ccmeter {

// Stores a batch's calls and results (one row write per tool_use_id). Of several tool_use
// blocks with one id (forks and resumes copy lines) the earliest one's fields stay; of several
// results, the earliest with a time. A result whose line had no timestamp (finished_ms 0) is
// stored with an unknown finish time. Runs inside the caller's transaction.
Result<void> store_tool_calls(sqlite3* db, const std::vector<ToolCallUpdate>& calls);

// One stored call whose tool_use has been seen, with what the client's OpenTelemetry
// tool_result events say of it (table tool_runs, by tool_use_id).
struct ToolCallRow {
    std::string tool_use_id;
    std::string name;
    std::string session_id;
    std::string cwd;
    int64_t started_ms = 0;
    std::optional<int64_t> finished_ms;       // unset until a result with a timestamp is seen
    std::optional<bool> is_error;             // unset until a result is seen
    std::optional<int64_t> otel_duration_ms;  // the largest OTel duration_ms of the call
    std::optional<bool> otel_success;         // false when any OTel event says it failed
};

// Which calls read_tool_calls visits: started in [since_ms, until_ms), of one session or cwd.
struct ToolCallFilter {
    std::optional<int64_t> since_ms;
    std::optional<int64_t> until_ms;
    std::optional<std::string> session_id;
    std::optional<std::string> cwd;
};

// The calls `filter` selects, in start time then id order.
Result<std::vector<ToolCallRow>> read_tool_calls(sqlite3* db, const ToolCallFilter& filter);

}  // namespace ccmeter
