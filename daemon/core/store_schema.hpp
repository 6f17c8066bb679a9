// The usage database's schema (internal to core/: the store's connection and thread): version
// k_database_schema_version (common/app_version.hpp), reached from any earlier version in steps
// of one migration each: the tables, indexes, rollups and their triggers. A shipped step is
// never edited; a change appends one (and raises k_database_schema_version).
#pragma once

#include <string>

#include "common/error.hpp"

struct sqlite3;

namespace ccmeter {

// The tools report's index of tool_calls since schema 13 (IF NOT EXISTS; by the interned
// session and cwd since 14), for a bulk load that builds it after its rows
// (UsageStore::end_bulk_load) and for open(): the calls whose use was read, by session and
// start, with every column the report reads and filters on, so that a session's calls (what a
// cache of them reads again) are one range of it.
constexpr const char* k_tool_calls_by_session_sql =
    "CREATE INDEX IF NOT EXISTS tool_calls_by_session ON tool_calls(session_ref, started_ms, "
    "tool_name, run_ms, failed, cwd_ref) WHERE started_ms IS NOT NULL;";

// A bulk load's coarser rollup levels (rollups_daily, rollups_hourly, totals_hourly,
// totals_daily), inside the caller's transaction. defer_rollup_levels() drops the triggers
// that keep them from `rollups`, saving their SQL in deferred_triggers: until
// restore_rollup_levels(), those levels lag behind `rollups` (a report that reads them shows
// less than is stored). restore_rollup_levels() fills each level again from `rollups` and
// creates the saved triggers again; without saved triggers it does nothing, so that open() may
// call it after a load cut short.
Result<void> defer_rollup_levels(sqlite3* db);
Result<void> restore_rollup_levels(sqlite3* db);

// The SQL of the step from schema `from` to `from + 1` (0 <= from < k_database_schema_version):
// the migration and the rollup levels it adds or changes. It does not set user_version.
std::string schema_step_sql(int from);

// Brings `db` from schema `version` (its PRAGMA user_version) to the current one, each step in
// a transaction of its own that also sets user_version (a failed step leaves the schema it
// started from). A schema newer than this build knows is an error that says to upgrade.
Result<void> migrate_schema(sqlite3* db, int version);

}  // namespace ccmeter
