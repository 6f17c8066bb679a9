#include "core/tool_call_rows.hpp"

#include <sqlite3.h>

#include "core/response_filter_sql.hpp"
#include "core/sqlite_statement.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <string_view>
#include <unordered_map>

namespace ccmeter {

namespace {

// A call's run time (tool_call_rows.hpp) from its largest OTel duration, start and finish.
std::string run_ms_sql(const std::string& otel_ms, const std::string& started_ms,
                       const std::string& finished_ms) {
    return "(CASE WHEN " + otel_ms + " >= 0 THEN " + otel_ms + " WHEN " + started_ms + " > 0 AND " +
           finished_ms + " >= " + started_ms + " THEN " + finished_ms + " - " + started_ms +
           " END)";
}

// Whether a call failed (0 or 1) from its transcript result and its OTel events' min(success).
std::string failed_sql(const std::string& is_error, const std::string& otel_success) {
    return "(CASE WHEN " + is_error + " IS NOT NULL THEN " + is_error + " != 0 ELSE coalesce(" +
           otel_success + " = 0, 0) END)";
}

// The ids of a dictionary table's values (schema 14: tool_call_sessions, tool_call_cwds), added
// as they are first asked for, within the caller's transaction. Lives for one batch, so that a
// rolled-back transaction leaves no id behind in memory.
class Dictionary {
  public:
    static Result<Dictionary> open(sqlite3* db, const char* table, const char* column) {
        Dictionary d;
        const std::string insert =
            std::string("INSERT OR IGNORE INTO ") + table + "(" + column + ") VALUES(?1)";
        const std::string select =
            std::string("SELECT id FROM ") + table + " WHERE " + column + " = ?1";
        CCMETER_TRY_ASSIGN(d.m_insert, prepare_statement(db, insert.c_str()));
        CCMETER_TRY_ASSIGN(d.m_select, prepare_statement(db, select.c_str()));
        d.m_db = db;
        return d;
    }

    Result<int64_t> id(std::string_view value) {
        if (auto found = m_ids.find(value); found != m_ids.end())
            return found->second;
        bind_text(m_insert.get(), 1, value);
        if (!step_done(m_insert.get()))
            return sqlite_error(m_db, "cannot store a tool call's session or cwd");
        bind_text(m_select.get(), 1, value);
        const int rc = sqlite3_step(m_select.get());
        const int64_t id = rc == SQLITE_ROW ? sqlite3_column_int64(m_select.get(), 0) : 0;
        sqlite3_reset(m_select.get());
        if (rc != SQLITE_ROW)
            return sqlite_error(m_db, "cannot read a tool call's session or cwd");
        m_ids.emplace(std::string(value), id);
        return id;
    }

  private:
    struct Hash {
        using is_transparent = void;
        size_t operator()(std::string_view v) const { return std::hash<std::string_view>{}(v); }
    };
    sqlite3* m_db = nullptr;
    Statement m_insert, m_select;
    std::unordered_map<std::string, int64_t, Hash, std::equal_to<>> m_ids;
};

// The columns an insert into tool_calls names, in this order (?1 to ?9 of store_tool_calls,
// then the OTel figures and what is derived from them).
constexpr const char* k_tool_call_insert_columns =
    "INSERT INTO tool_calls(tool_use_id, tool_name, session_ref, cwd_ref, started_ms, "
    "is_sidechain, agent_id, finished_ms, is_error, otel_ms, otel_success, run_ms, failed) ";

// How a stored row takes in another copy of its call (the upsert's DO UPDATE). A row made by
// its result first has started_ms NULL and the use fills it in (an earlier copy of the use
// replaces a later one); is_error NULL means no result yet (a result with a time replaces one
// without, an earlier one a later one). In an UPDATE every expression sees the old row. A
// stored row keeps its own OTel figures (the trigger of schema 11 keeps them as events arrive).
// run_ms and failed are derived in the same write.
std::string tool_call_merge_sql() {
    const std::string use_wins =
        "(excluded.started_ms IS NOT NULL AND (started_ms IS NULL OR "
        "excluded.started_ms < started_ms))";
    const std::string result_wins =
        "(excluded.is_error IS NOT NULL AND (is_error IS NULL OR (excluded.finished_ms IS NOT "
        "NULL AND (finished_ms IS NULL OR excluded.finished_ms < finished_ms))))";
    auto winner = [](const std::string& wins, const char* column) {
        return "iif(" + wins + ", excluded." + column + ", " + column + ")";
    };
    std::string sql = " ON CONFLICT(tool_use_id) DO UPDATE SET ";
    const char* use_columns[] = {"tool_name",  "session_ref",  "cwd_ref",
                                 "started_ms", "is_sidechain", "agent_id"};
    for (const char* column : use_columns)
        sql += std::string(column) + " = " + winner(use_wins, column) + ", ";
    sql += "finished_ms = " + winner(result_wins, "finished_ms") + ", ";
    sql += "is_error = " + winner(result_wins, "is_error") + ", ";
    sql +=
        "run_ms = " +
        run_ms_sql("otel_ms", winner(use_wins, "started_ms"), winner(result_wins, "finished_ms")) +
        ", ";
    sql += "failed = " + failed_sql(winner(result_wins, "is_error"), "otel_success");
    return sql;
}

// Marks, at change_clock's number, the sessions that `sessions_sql` (a SELECT of
// tool_call_sessions ids) names.
Result<void> mark_sessions(sqlite3* db, const std::string& sessions_sql) {
    const std::string sql =
        "INSERT INTO tool_call_changes SELECT session_id, (SELECT seq FROM change_clock) FROM "
        "tool_call_sessions WHERE id IN (" +
        sessions_sql + ") ON CONFLICT(session_id) DO UPDATE SET change_seq = excluded.change_seq";
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK)
        return sqlite_error(db, "cannot mark a session's tool calls changed");
    return {};
}

}  // namespace

Result<void> store_tool_calls(sqlite3* db, const std::vector<ToolCallUpdate>& calls, bool staged) {
    if (calls.empty())
        return {};
    CCMETER_TRY_ASSIGN(Dictionary sessions,
                       Dictionary::open(db, "tool_call_sessions", "session_id"));
    CCMETER_TRY_ASSIGN(Dictionary cwds, Dictionary::open(db, "tool_call_cwds", "cwd"));
    // A call's session and cwd ids ('' for a row made by its result).
    struct Refs {
        int64_t session = 0, cwd = 0;
    };
    const auto refs_of = [&](const ToolCallUpdate& call) -> Result<Refs> {
        Refs refs;
        CCMETER_TRY_ASSIGN(refs.session, sessions.id(call.use ? call.use->session_id : ""));
        CCMETER_TRY_ASSIGN(refs.cwd, cwds.id(call.use ? call.use->cwd : ""));
        return refs;
    };
    const auto bind_call = [](sqlite3_stmt* s, const ToolCallUpdate& call, const Refs& refs) {
        bind_text(s, 1, call.use ? call.use->tool_use_id : call.result->tool_use_id);
        sqlite3_bind_int64(s, 3, refs.session);
        sqlite3_bind_int64(s, 4, refs.cwd);
        if (call.use) {
            const ToolUse& use = *call.use;
            bind_text(s, 2, use.name);
            sqlite3_bind_int64(s, 5, use.started_ms);
            sqlite3_bind_int(s, 6, use.is_sidechain ? 1 : 0);
            bind_text(s, 7, use.agent_id);
        } else {
            for (int column : {2, 7})
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
    };
    // A first backfill's calls wait in tool_call_staging, in arrival order, for
    // merge_staged_tool_calls.
    if (staged) {
        CCMETER_TRY_ASSIGN(Statement stage,
                           prepare_statement(db,
                                             "INSERT INTO tool_call_staging VALUES(?1, ?2, ?3, "
                                             "?4, ?5, ?6, ?7, ?8, ?9)"));
        for (const ToolCallUpdate& call : calls) {
            CCMETER_TRY_ASSIGN(const Refs refs, refs_of(call));
            bind_call(stage.get(), call, refs);
            if (!step_done(stage.get()))
                return sqlite_error(db, "cannot store a tool call");
        }
        return {};
    }
    // One upsert per call (tool_call_merge_sql). A new row takes its OTel figures from the
    // tool_runs already stored (one index probe).
    // No OTel event stored at all (a history without telemetry, a backfill's start): no probe.
    CCMETER_TRY_ASSIGN(Statement any_runs,
                       prepare_statement(db, "SELECT EXISTS (SELECT 1 FROM tool_runs)"));
    if (sqlite3_step(any_runs.get()) != SQLITE_ROW)
        return sqlite_error(db, "cannot read the tool runs");
    const bool probe_runs = sqlite3_column_int(any_runs.get(), 0) != 0;
    const std::string insert_sql =
        k_tool_call_insert_columns +
        (probe_runs ? "SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, o.d, o.s, " +
                          run_ms_sql("o.d", "?5", "?8") + ", " + failed_sql("?9", "o.s") +
                          " FROM (SELECT max(duration_ms) AS d, min(success) AS s FROM "
                          "tool_runs WHERE tool_use_id = ?1) AS o WHERE true"
                    : std::string("VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, NULL, NULL, ") +
                          run_ms_sql("NULL", "?5", "?8") + ", " + failed_sql("?9", "NULL") + ")");
    // A new row is inserted alone; a stored one is merged by the upsert, after its session is
    // read (the one to mark when the merge moves the call to another session's earlier copy).
    // No trigger on tool_calls: one made every insert open a statement journal, +8% of a cold
    // backfill.
    const std::string sql = insert_sql + tool_call_merge_sql();
    CCMETER_TRY_ASSIGN(Statement insert,
                       prepare_statement(db, (insert_sql + " ON CONFLICT DO NOTHING").c_str()));
    CCMETER_TRY_ASSIGN(Statement upsert, prepare_statement(db, sql.c_str()));
    CCMETER_TRY_ASSIGN(Statement session_of,
                       prepare_statement(db,
                                         "SELECT s.session_id FROM tool_calls c JOIN "
                                         "tool_call_sessions s ON s.id = c.session_ref WHERE "
                                         "c.tool_use_id = ?1 AND c.started_ms IS NOT NULL"));
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
    std::vector<std::string_view> changed;  // the sessions of the rows written
    std::vector<std::string> stored;        // the sessions stored rows had before their merge
    stored.reserve(order.size());           // (`changed` views them)
    for (const ToolCallUpdate* next : order) {
        const ToolCallUpdate& call = *next;
        CCMETER_TRY_ASSIGN(const Refs refs, refs_of(call));
        bind_call(insert.get(), call, refs);
        if (!step_done(insert.get()))
            return sqlite_error(db, "cannot store a tool call");
        if (sqlite3_changes(db) == 0) {
            bind_text(session_of.get(), 1, id_of(next));
            const int rc = sqlite3_step(session_of.get());
            if (rc == SQLITE_ROW) {
                stored.push_back(column_text(session_of.get(), 0));
                changed.push_back(stored.back());
            }
            sqlite3_reset(session_of.get());
            if (rc != SQLITE_ROW && rc != SQLITE_DONE)
                return sqlite_error(db, "cannot read a tool call's session");
            bind_call(upsert.get(), call, refs);
            if (!step_done(upsert.get()))
                return sqlite_error(db, "cannot store a tool call");
        }
        if (call.use)
            changed.push_back(call.use->session_id);
    }
    // One mark per session the batch wrote calls of, at this commit's change number.
    std::sort(changed.begin(), changed.end());
    changed.erase(std::unique(changed.begin(), changed.end()), changed.end());
    CCMETER_TRY_ASSIGN(Statement mark,
                       prepare_statement(db,
                                         "INSERT INTO tool_call_changes VALUES(?1, (SELECT seq "
                                         "FROM change_clock)) ON CONFLICT(session_id) DO UPDATE "
                                         "SET change_seq = excluded.change_seq"));
    for (std::string_view session : changed) {
        bind_text(mark.get(), 1, session);
        if (!step_done(mark.get()))
            return sqlite_error(db, "cannot mark a session's tool calls changed");
    }
    return {};
}

namespace {

// The columns of tool_calls that a ResponseFilter tests (session and cwd by name, from their
// dictionaries: the SQL path reads the calls a cache cannot hold, few).
constexpr FilterColumns k_tool_call_columns{
    "started_ms", "(SELECT session_id FROM tool_call_sessions WHERE id = session_ref)",
    "(SELECT cwd FROM tool_call_cwds WHERE id = cwd_ref)"};

// Every value of a dictionary table (id, text), by id: few (sessions and directories).
Result<std::unordered_map<int64_t, std::string>> read_dictionary(sqlite3* db, const char* sql) {
    CCMETER_TRY_ASSIGN(Statement select, prepare_statement(db, sql));
    std::unordered_map<int64_t, std::string> values;
    int rc;
    while ((rc = sqlite3_step(select.get())) == SQLITE_ROW)
        values.emplace(sqlite3_column_int64(select.get(), 0), column_text(select.get(), 1));
    if (rc != SQLITE_DONE)
        return sqlite_error(db, "cannot read the tool calls' sessions and directories");
    return values;
}

}  // namespace

Result<void> read_tool_calls(sqlite3* db, const std::optional<std::string>& session_id,
                             const std::function<void(const ToolCallRow&)>& visit) {
    // The partial index tool_calls_by_session alone: it holds every column read, in this order;
    // the names from the dictionaries, read first (a few entries a session).
    CCMETER_TRY_ASSIGN(const auto sessions,
                       read_dictionary(db, "SELECT id, session_id FROM tool_call_sessions"));
    CCMETER_TRY_ASSIGN(const auto cwds, read_dictionary(db, "SELECT id, cwd FROM tool_call_cwds"));
    std::string sql =
        "SELECT session_ref, started_ms, tool_name, run_ms, failed, cwd_ref FROM tool_calls "
        "INDEXED BY tool_calls_by_session WHERE started_ms IS NOT NULL";
    if (session_id)
        sql += " AND session_ref = (SELECT id FROM tool_call_sessions WHERE session_id = ?1)";
    sql += " ORDER BY session_ref, started_ms";
    CCMETER_TRY_ASSIGN(Statement select, prepare_statement(db, sql.c_str()));
    sqlite3_stmt* s = select.get();
    if (session_id)
        bind_text(s, 1, *session_id);
    const auto name_of = [s](const std::unordered_map<int64_t, std::string>& names,
                             int column) -> const std::string* {
        const auto found = names.find(sqlite3_column_int64(s, column));
        return found == names.end() ? nullptr : &found->second;
    };
    int rc = SQLITE_ROW;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const std::string* session = name_of(sessions, 0);
        const std::string* cwd = name_of(cwds, 5);
        if (!session || !cwd)  // the foreign keys make this impossible in a sound database
            return Error{"a tool call names a session or directory that is not stored"};
        ToolCallRow row;
        row.session_id = *session;
        row.started_ms = sqlite3_column_int64(s, 1);
        row.tool_name = std::string_view(reinterpret_cast<const char*>(sqlite3_column_text(s, 2)),
                                         static_cast<size_t>(sqlite3_column_bytes(s, 2)));
        if (sqlite3_column_type(s, 3) != SQLITE_NULL)
            row.run_ms = sqlite3_column_int64(s, 3);
        row.failed = sqlite3_column_int(s, 4) != 0;
        row.cwd = *cwd;
        visit(row);
    }
    if (rc != SQLITE_DONE)
        return sqlite_error(db, "cannot read the tool calls");
    return {};
}

Result<std::vector<std::string>> read_tool_sessions_changed_after(sqlite3* db, int64_t after_seq,
                                                                  size_t limit) {
    CCMETER_TRY_ASSIGN(Statement select,
                       prepare_statement(db,
                                         "SELECT session_id FROM tool_call_changes WHERE "
                                         "change_seq > ?1 LIMIT ?2"));
    sqlite3_bind_int64(select.get(), 1, after_seq);
    sqlite3_bind_int64(select.get(), 2, static_cast<int64_t>(limit) + 1);
    std::vector<std::string> sessions;
    int rc;
    while ((rc = sqlite3_step(select.get())) == SQLITE_ROW)
        sessions.push_back(column_text(select.get(), 0));
    if (rc != SQLITE_DONE)
        return sqlite_error(db, "cannot read the sessions whose tool calls changed");
    return sessions;
}

Result<std::vector<ToolCallTimes>> read_tool_call_times(sqlite3* db, const ResponseFilter& filter) {
    // Every filter reads the partial index tool_calls_by_session: it holds every column read
    // and tested, in (session, start) order; a session or cwd filter looks each row's name up
    // in its dictionary (a primary-key probe).
    const std::string sql =
        "SELECT tool_name, run_ms, failed FROM tool_calls WHERE started_ms IS NOT NULL" +
        response_filter_sql(filter, k_tool_call_columns);
    CCMETER_TRY_ASSIGN(Statement select, prepare_statement(db, sql.c_str()));
    sqlite3_stmt* s = select.get();
    bind_response_filter(s, filter);
    std::map<std::string, ToolCallTimes, std::less<>> tools;
    ToolCallTimes* tool = nullptr;  // the previous row's (rows of one tool mostly come together)
    int rc = SQLITE_ROW;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const std::string_view name(reinterpret_cast<const char*>(sqlite3_column_text(s, 0)),
                                    static_cast<size_t>(sqlite3_column_bytes(s, 0)));
        if (!tool || tool->name != name) {
            auto found = tools.find(name);
            if (found == tools.end()) {
                found = tools.emplace(std::string(name), ToolCallTimes{}).first;
                found->second.name = std::string(name);
            }
            tool = &found->second;
        }
        ++tool->calls;
        if (sqlite3_column_int(s, 2) != 0)
            ++tool->errors;
        if (sqlite3_column_type(s, 1) != SQLITE_NULL)
            tool->run_ms.push_back(sqlite3_column_int64(s, 1));
    }
    if (rc != SQLITE_DONE)
        return sqlite_error(db, "cannot read the tool calls");
    std::vector<ToolCallTimes> out;
    out.reserve(tools.size());
    for (auto& [name, times] : tools)
        out.push_back(std::move(times));
    return out;
}

Result<void> merge_staged_tool_calls(sqlite3* db) {
    CCMETER_TRY_ASSIGN(Statement any_staged,
                       prepare_statement(db, "SELECT EXISTS (SELECT 1 FROM tool_call_staging)"));
    if (sqlite3_step(any_staged.get()) != SQLITE_ROW)
        return sqlite_error(db, "cannot read the staged tool calls");
    if (sqlite3_column_int(any_staged.get(), 0) == 0)
        return {};
    // The sessions stored rows leave (none after a first backfill, which began with no call).
    CCMETER_TRY(mark_sessions(db,
                              "SELECT c.session_ref FROM tool_calls c JOIN tool_call_staging st "
                              "ON st.tool_use_id = c.tool_use_id WHERE c.started_ms IS NOT NULL"));
    // Each call's copies in key order, then as they arrived: the rows of tool_calls written in
    // the order of its B-tree, each once, its later copies merged as store_tool_calls merges
    // them. A new row takes the OTel figures of the tool_runs stored.
    const std::string sql =
        "WITH staged AS (SELECT st.*, st.rowid AS arrival, (SELECT max(duration_ms) FROM "
        "tool_runs r WHERE r.tool_use_id = st.tool_use_id) AS d, (SELECT min(success) FROM "
        "tool_runs r WHERE r.tool_use_id = st.tool_use_id) AS s FROM tool_call_staging st) " +
        std::string(k_tool_call_insert_columns) +
        "SELECT tool_use_id, tool_name, session_ref, cwd_ref, started_ms, is_sidechain, agent_id, "
        "finished_ms, is_error, d, s, " +
        run_ms_sql("d", "started_ms", "finished_ms") + ", " + failed_sql("is_error", "s") +
        " FROM staged WHERE true ORDER BY tool_use_id, arrival" + tool_call_merge_sql();
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK)
        return sqlite_error(db, "cannot merge the staged tool calls");
    CCMETER_TRY(mark_sessions(
        db, "SELECT session_ref FROM tool_call_staging WHERE started_ms IS NOT NULL"));
    if (sqlite3_exec(db, "DELETE FROM tool_call_staging", nullptr, nullptr, nullptr) != SQLITE_OK)
        return sqlite_error(db, "cannot empty the staged tool calls");
    return {};
}

}  // namespace ccmeter
