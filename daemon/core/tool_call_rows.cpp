#include "core/tool_call_rows.hpp"

#include "core/sqlite_statement.hpp"

namespace ccmeter {

Result<void> store_tool_calls(sqlite3* db, const std::vector<ToolUse>& uses,
                              const std::vector<ToolResult>& results) {
    if (!uses.empty()) {
        // A row made by its result first has started_ms NULL: the use fills it in.
        CCMETER_TRY_ASSIGN(
            Statement upsert,
            prepare_statement(
                db,
                "INSERT INTO tool_calls(tool_use_id, tool_name, session_id, cwd, started_ms, "
                "is_sidechain, agent_id) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7) "
                "ON CONFLICT(tool_use_id) DO UPDATE SET tool_name = excluded.tool_name, "
                "session_id = excluded.session_id, cwd = excluded.cwd, "
                "started_ms = excluded.started_ms, is_sidechain = excluded.is_sidechain, "
                "agent_id = excluded.agent_id "
                "WHERE started_ms IS NULL OR excluded.started_ms < started_ms"));
        sqlite3_stmt* s = upsert.get();
        for (const ToolUse& use : uses) {
            bind_text(s, 1, use.tool_use_id);
            bind_text(s, 2, use.name);
            bind_text(s, 3, use.session_id);
            bind_text(s, 4, use.cwd);
            sqlite3_bind_int64(s, 5, use.started_ms);
            sqlite3_bind_int(s, 6, use.is_sidechain ? 1 : 0);
            bind_text(s, 7, use.agent_id);
            if (!step_done(s))
                return sqlite_error(db, "cannot store a tool call");
        }
    }
    if (!results.empty()) {
        // is_error NULL: no result yet. A result with a time replaces one without, an earlier
        // one a later one.
        CCMETER_TRY_ASSIGN(
            Statement upsert,
            prepare_statement(
                db,
                "INSERT INTO tool_calls(tool_use_id, finished_ms, is_error) VALUES(?1, ?2, ?3) "
                "ON CONFLICT(tool_use_id) DO UPDATE SET finished_ms = excluded.finished_ms, "
                "is_error = excluded.is_error WHERE is_error IS NULL OR (excluded.finished_ms "
                "IS NOT NULL AND (finished_ms IS NULL OR excluded.finished_ms < finished_ms))"));
        sqlite3_stmt* s = upsert.get();
        for (const ToolResult& result : results) {
            bind_text(s, 1, result.tool_use_id);
            if (result.finished_ms > 0)
                sqlite3_bind_int64(s, 2, result.finished_ms);
            else
                sqlite3_bind_null(s, 2);
            sqlite3_bind_int(s, 3, result.is_error ? 1 : 0);
            if (!step_done(s))
                return sqlite_error(db, "cannot store a tool result");
        }
    }
    return {};
}

Result<std::vector<ToolCallRow>> read_tool_calls(sqlite3* db, const ToolCallFilter& filter) {
    std::string sql =
        "SELECT c.tool_use_id, c.tool_name, c.session_id, c.cwd, c.started_ms, c.finished_ms, "
        "c.is_error, (SELECT max(duration_ms) FROM tool_runs r WHERE r.tool_use_id = "
        "c.tool_use_id), (SELECT min(success) FROM tool_runs r WHERE r.tool_use_id = "
        "c.tool_use_id) FROM tool_calls c WHERE c.started_ms IS NOT NULL";
    if (filter.since_ms)
        sql += " AND c.started_ms >= ?1";
    if (filter.until_ms)
        sql += " AND c.started_ms < ?2";
    if (filter.session_id)
        sql += " AND c.session_id = ?3";
    if (filter.cwd)
        sql += " AND c.cwd = ?4";
    sql += " ORDER BY c.started_ms, c.tool_use_id";
    CCMETER_TRY_ASSIGN(Statement select, prepare_statement(db, sql.c_str()));
    sqlite3_stmt* s = select.get();
    if (filter.since_ms)
        sqlite3_bind_int64(s, 1, *filter.since_ms);
    if (filter.until_ms)
        sqlite3_bind_int64(s, 2, *filter.until_ms);
    if (filter.session_id)
        bind_text(s, 3, *filter.session_id);
    if (filter.cwd)
        bind_text(s, 4, *filter.cwd);
    std::vector<ToolCallRow> rows;
    int rc = SQLITE_ROW;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        ToolCallRow& row = rows.emplace_back();
        row.tool_use_id = column_text(s, 0);
        row.name = column_text(s, 1);
        row.session_id = column_text(s, 2);
        row.cwd = column_text(s, 3);
        row.started_ms = sqlite3_column_int64(s, 4);
        if (sqlite3_column_type(s, 5) != SQLITE_NULL)
            row.finished_ms = sqlite3_column_int64(s, 5);
        if (sqlite3_column_type(s, 6) != SQLITE_NULL)
            row.is_error = sqlite3_column_int(s, 6) != 0;
        if (sqlite3_column_type(s, 7) != SQLITE_NULL)
            row.otel_duration_ms = sqlite3_column_int64(s, 7);
        if (sqlite3_column_type(s, 8) != SQLITE_NULL)
            row.otel_success = sqlite3_column_int(s, 8) != 0;
    }
    if (rc != SQLITE_DONE)
        return sqlite_error(db, "cannot read the tool calls");
    return rows;
}

}  // namespace ccmeter
