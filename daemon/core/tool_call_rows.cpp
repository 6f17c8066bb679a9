#include "core/tool_call_rows.hpp"

#include <sqlite3.h>

#include "core/sqlite_statement.hpp"

#include <algorithm>

namespace ccmeter {

Result<void> store_tool_calls(sqlite3* db, const std::vector<ToolCallUpdate>& calls) {
    if (calls.empty())
        return {};
    // One upsert per call. A row made by its result first has started_ms NULL and the use fills
    // it in (an earlier copy of the use replaces a later one); is_error NULL means no result yet
    // (a result with a time replaces one without, an earlier one a later one). In an UPDATE
    // every expression sees the old row.
    const std::string use_wins =
        "(excluded.started_ms IS NOT NULL AND (started_ms IS NULL OR "
        "excluded.started_ms < started_ms))";
    const std::string result_wins =
        "(excluded.is_error IS NOT NULL AND (is_error IS NULL OR (excluded.finished_ms IS NOT "
        "NULL AND (finished_ms IS NULL OR excluded.finished_ms < finished_ms))))";
    std::string sql =
        "INSERT INTO tool_calls(tool_use_id, tool_name, session_id, cwd, started_ms, "
        "is_sidechain, agent_id, finished_ms, is_error) "
        "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT(tool_use_id) DO UPDATE SET ";
    const char* use_columns[] = {"tool_name",  "session_id",   "cwd",
                                 "started_ms", "is_sidechain", "agent_id"};
    for (const char* column : use_columns)
        sql += std::string(column) + " = iif(" + use_wins + ", excluded." + column + ", " + column +
               "), ";
    sql += "finished_ms = iif(" + result_wins + ", excluded.finished_ms, finished_ms), ";
    sql += "is_error = iif(" + result_wins + ", excluded.is_error, is_error)";
    CCMETER_TRY_ASSIGN(Statement upsert, prepare_statement(db, sql.c_str()));
    sqlite3_stmt* s = upsert.get();
    // In key order: consecutive upserts descend the same B-tree pages (tool_use ids are
    // random), so each page is read and dirtied once per batch instead of once per call.
    auto id_of = [](const ToolCallUpdate* call) -> const std::string& {
        return call->use ? call->use->tool_use_id : call->result->tool_use_id;
    };
    std::vector<const ToolCallUpdate*> order;
    order.reserve(calls.size());
    for (const ToolCallUpdate& call : calls)
        order.push_back(&call);
    std::sort(order.begin(), order.end(), [&](const ToolCallUpdate* a, const ToolCallUpdate* b) {
        return id_of(a) < id_of(b);
    });
    for (const ToolCallUpdate* next : order) {
        const ToolCallUpdate& call = *next;
        const std::string& id = call.use ? call.use->tool_use_id : call.result->tool_use_id;
        bind_text(s, 1, id);
        if (call.use) {
            const ToolUse& use = *call.use;
            bind_text(s, 2, use.name);
            bind_text(s, 3, use.session_id);
            bind_text(s, 4, use.cwd);
            sqlite3_bind_int64(s, 5, use.started_ms);
            sqlite3_bind_int(s, 6, use.is_sidechain ? 1 : 0);
            bind_text(s, 7, use.agent_id);
        } else {
            for (int column : {2, 3, 4, 7})
                bind_text(s, column, "");
            sqlite3_bind_null(s, 5);
            sqlite3_bind_int(s, 6, 0);
        }
        if (call.result && call.result->finished_ms > 0)
            sqlite3_bind_int64(s, 8, call.result->finished_ms);
        else
            sqlite3_bind_null(s, 8);
        if (call.result)
            sqlite3_bind_int(s, 9, call.result->is_error ? 1 : 0);
        else
            sqlite3_bind_null(s, 9);
        if (!step_done(s))
            return sqlite_error(db, "cannot store a tool call");
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
