#include "core/turn_rollup_rows.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <string_view>
#include <tuple>
#include <unordered_map>

#include "core/price_table.hpp"
#include "core/sqlite_statement.hpp"

namespace ccmeter {

namespace {

// The token columns, in the order of TokenCounts.
constexpr const char* k_token_columns[] = {
    "input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens",
    "cache_5m",     "cache_1h",      "web_search_requests",         "web_fetch_requests"};

// SQL expressions of response row `x` (OLD, NEW or an alias).
std::string session_of(const std::string& x) {
    return "(SELECT session_id FROM sources WHERE id = " + x + ".source_id)";
}
std::string turn_of(const std::string& x, const std::string& session) {
    return "coalesce((SELECT max(t.timestamp_ms) FROM turns t WHERE t.session_id = " + session +
           " AND t.is_sidechain = 0 AND t.timestamp_ms <= " + x + ".timestamp_ms), -1)";
}
std::string day_of(const std::string& x) {
    return "(" + x + ".timestamp_ms / 86400000) * 86400000";
}
std::string long_context_of(const std::string& x) {
    return "(" + x + ".input_tokens + " + x + ".cache_creation_input_tokens + " + x +
           ".cache_read_input_tokens > 200000)";
}

// The upsert that adds (sign 1) or takes away (sign -1) response `x` from its turn's row.
std::string add_response_sql(const std::string& x, int sign) {
    const std::string s = sign < 0 ? "-" : "";
    std::string sql = "INSERT INTO turn_rollups VALUES(" + session_of(x) + ", " +
                      turn_of(x, session_of(x)) + ", " + day_of(x) + ", " + x + ".model_id, " + x +
                      ".speed, " + long_context_of(x) + ", " + x + ".is_sidechain, " +
                      (sign < 0 ? "-1" : "1");
    for (const char* column : k_token_columns)
        sql += ", " + s + x + "." + column;
    sql += ", " + x +
           ".timestamp_ms) ON CONFLICT DO UPDATE SET responses = responses + "
           "excluded.responses";
    for (const char* column : k_token_columns)
        sql += std::string(", ") + column + " = " + column + " + excluded." + column;
    sql += ", last_ms = max(last_ms, excluded.last_ms);\n";
    return sql;
}

// Drops the row response `x` was summed in once it holds no response.
std::string drop_empty_sql(const std::string& x) {
    return "DELETE FROM turn_rollups WHERE responses = 0 AND session_id = " + session_of(x) +
           " AND turn_ms = " + turn_of(x, session_of(x)) + " AND day_ms = " + day_of(x) +
           " AND model_id = " + x + ".model_id AND speed = " + x +
           ".speed AND long_context = " + long_context_of(x) + " AND is_sidechain = " + x +
           ".is_sidechain;\n";
}

// The sums of a turn row over responses `r` (after the key columns).
std::string sums_sql() {
    std::string sql = "count(*)";
    for (const char* column : k_token_columns)
        sql += std::string(", sum(r.") + column + ")";
    return sql + ", max(r.timestamp_ms)";
}

constexpr const char* k_create_sql = R"sql(
CREATE TABLE turn_rollups(
  session_id TEXT NOT NULL,
  turn_ms INTEGER NOT NULL,       -- the turn's prompt (main chain); -1: before the first prompt
  day_ms INTEGER NOT NULL,        -- the UTC day of the responses
  model_id INTEGER NOT NULL REFERENCES models(id),
  speed TEXT NOT NULL,
  long_context INTEGER NOT NULL,  -- input + cache write + cache read > 200000 tokens
  is_sidechain INTEGER NOT NULL,  -- 1: the responses of subagents (schema 12)
  responses INTEGER NOT NULL,
  input_tokens INTEGER NOT NULL,
  output_tokens INTEGER NOT NULL,
  cache_creation_input_tokens INTEGER NOT NULL,
  cache_read_input_tokens INTEGER NOT NULL,
  cache_5m INTEGER NOT NULL,
  cache_1h INTEGER NOT NULL,
  web_search_requests INTEGER NOT NULL,
  web_fetch_requests INTEGER NOT NULL,
  last_ms INTEGER NOT NULL,       -- at least the latest response's time
  PRIMARY KEY(session_id, turn_ms, day_ms, model_id, speed, long_context, is_sidechain)
) WITHOUT ROWID;
)sql";

// What changes a response's row or sums (the rollups' update trigger's condition).
constexpr const char* k_changed_sql =
    "OLD.timestamp_ms IS NOT NEW.timestamp_ms OR OLD.source_id IS NOT NEW.source_id OR "
    "OLD.model_id IS NOT NEW.model_id OR OLD.speed IS NOT NEW.speed OR "
    "OLD.input_tokens IS NOT NEW.input_tokens OR OLD.output_tokens IS NOT NEW.output_tokens OR "
    "OLD.cache_creation_input_tokens IS NOT NEW.cache_creation_input_tokens OR "
    "OLD.cache_read_input_tokens IS NOT NEW.cache_read_input_tokens OR "
    "OLD.cache_5m IS NOT NEW.cache_5m OR OLD.cache_1h IS NOT NEW.cache_1h OR "
    "OLD.web_search_requests IS NOT NEW.web_search_requests OR "
    "OLD.web_fetch_requests IS NOT NEW.web_fetch_requests OR "
    "OLD.is_sidechain IS NOT NEW.is_sidechain";

constexpr const char* k_upsert_sql =
    "INSERT INTO turn_rollups VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
    "?15, ?16, ?17) ON CONFLICT(session_id, turn_ms, day_ms, model_id, speed, long_context, "
    "is_sidechain) DO UPDATE "
    "SET responses = responses + excluded.responses, "
    "input_tokens = input_tokens + excluded.input_tokens, "
    "output_tokens = output_tokens + excluded.output_tokens, "
    "cache_creation_input_tokens = cache_creation_input_tokens + "
    "excluded.cache_creation_input_tokens, "
    "cache_read_input_tokens = cache_read_input_tokens + excluded.cache_read_input_tokens, "
    "cache_5m = cache_5m + excluded.cache_5m, cache_1h = cache_1h + excluded.cache_1h, "
    "web_search_requests = web_search_requests + excluded.web_search_requests, "
    "web_fetch_requests = web_fetch_requests + excluded.web_fetch_requests, "
    "last_ms = max(last_ms, excluded.last_ms)";

}  // namespace

std::string turn_rollups_migration_sql() {
    std::string sql = k_create_sql;
    sql += "INSERT INTO turn_rollups SELECT s.session_id, " + turn_of("r", "s.session_id") + ", " +
           day_of("r") + ", r.model_id, r.speed, " + long_context_of("r") + ", r.is_sidechain, " +
           sums_sql() +
           " FROM responses r JOIN sources s ON s.id = r.source_id GROUP BY 1, 2, 3, 4, 5, 6, 7;\n";
    // A merge moves exactly the difference: the new values in, the old ones out (the same row
    // when neither the turn, day, model, speed nor tier changed).
    sql +=
        std::string("CREATE TRIGGER responses_turn_rollup_update AFTER UPDATE ON responses WHEN ") +
        k_changed_sql + " BEGIN\n" + add_response_sql("NEW", 1) + add_response_sql("OLD", -1) +
        drop_empty_sql("OLD") + "END;\n";
    sql += "CREATE TRIGGER responses_turn_rollup_delete AFTER DELETE ON responses BEGIN\n" +
           add_response_sql("OLD", -1) + drop_empty_sql("OLD") + "END;\n";
    // Which sessions' turn rollups changed, and by which change number (schema 12): what a
    // cache of turn costs asks to know what to read again. After the fill above, which needs
    // no marks (a cache starts from every row).
    sql += "CREATE TABLE IF NOT EXISTS session_changes(session_id TEXT PRIMARY KEY, "
           "change_seq INTEGER NOT NULL) WITHOUT ROWID;\n"
           "CREATE INDEX IF NOT EXISTS session_changes_by_seq ON session_changes(change_seq);\n";
    for (const auto& [event, row] : {std::pair<const char*, const char*>{"INSERT", "NEW"},
                                     {"UPDATE", "NEW"},
                                     {"DELETE", "OLD"}}) {
        sql += std::string("CREATE TRIGGER turn_rollups_mark_") + event + " AFTER " + event +
               " ON turn_rollups BEGIN INSERT INTO session_changes VALUES(" + row +
               ".session_id, (SELECT seq FROM change_clock)) ON CONFLICT(session_id) DO UPDATE "
               "SET change_seq = excluded.change_seq; END;\n";
    }
    return sql;
}

TurnRollupWriter::~TurnRollupWriter() {
    for (sqlite3_stmt* s : m_statements)
        sqlite3_finalize(s);
}

Result<sqlite3_stmt*> TurnRollupWriter::statement(Which which) {
    if (m_statements[which])
        return m_statements[which];
    static_assert(k_count == 8);
    const std::string rebuild =
        "INSERT INTO turn_rollups SELECT ?1, CASE WHEN r.timestamp_ms >= ?2 THEN ?2 ELSE ?3 END, " +
        day_of("r") + ", r.model_id, r.speed, " + long_context_of("r") + ", r.is_sidechain, " +
        sums_sql() +
        " FROM responses r WHERE r.source_id IN (SELECT id FROM sources WHERE session_id = ?1) "
        "AND r.timestamp_ms >= ?4 AND r.timestamp_ms < ?5 GROUP BY 2, 3, 4, 5, 6, 7";
    const std::string sql[k_count] = {
        "SELECT count(*) FROM turns WHERE session_id = ?1 AND is_sidechain = 0 AND "
        "timestamp_ms = ?2",
        "SELECT coalesce(max(timestamp_ms), -1) FROM turns WHERE session_id = ?1 AND "
        "is_sidechain = 0 AND timestamp_ms < ?2",
        "SELECT min(timestamp_ms) FROM turns WHERE session_id = ?1 AND is_sidechain = 0 AND "
        "timestamp_ms > ?2",
        "SELECT 1 FROM turn_rollups WHERE session_id = ?1 AND turn_ms = ?2 AND last_ms >= ?3 "
        "LIMIT 1",
        "DELETE FROM turn_rollups WHERE session_id = ?1 AND turn_ms = ?2",
        rebuild,
        "SELECT timestamp_ms FROM turns WHERE session_id = ?1 AND is_sidechain = 0 "
        "ORDER BY timestamp_ms",
        k_upsert_sql,
    };
    if (sqlite3_prepare_v3(m_db, sql[which].c_str(), -1, SQLITE_PREPARE_PERSISTENT,
                           &m_statements[which], nullptr) != SQLITE_OK)
        return sqlite_error(m_db, "cannot prepare a turn rollup statement");
    return m_statements[which];
}

namespace {

// Steps `s` (bound) for one integer; `fallback` when it gives none or NULL. Resets it.
Result<int64_t> single_integer(sqlite3* db, sqlite3_stmt* s, int64_t fallback) {
    const int rc = sqlite3_step(s);
    int64_t value = fallback;
    if (rc == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
        value = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return sqlite_error(db, "cannot read turns");
    return value;
}

}  // namespace

Result<void> TurnRollupWriter::split(const std::string& session_id, int64_t start_ms) {
    CCMETER_TRY_ASSIGN(sqlite3_stmt * at, statement(k_turns_at));
    bind_text(at, 1, session_id);
    sqlite3_bind_int64(at, 2, start_ms);
    CCMETER_TRY_ASSIGN(const int64_t same, single_integer(m_db, at, 0));
    if (same != 1)
        return {};  // a prompt at that millisecond was stored before: the turn exists already
    CCMETER_TRY_ASSIGN(sqlite3_stmt * before, statement(k_turn_before));
    bind_text(before, 1, session_id);
    sqlite3_bind_int64(before, 2, start_ms);
    CCMETER_TRY_ASSIGN(const int64_t previous, single_integer(m_db, before, -1));
    CCMETER_TRY_ASSIGN(sqlite3_stmt * reaches, statement(k_reaches));
    bind_text(reaches, 1, session_id);
    sqlite3_bind_int64(reaches, 2, previous);
    sqlite3_bind_int64(reaches, 3, start_ms);
    CCMETER_TRY_ASSIGN(const int64_t cut, single_integer(m_db, reaches, 0));
    if (!cut)
        return {};  // nothing summed in the previous turn at or after the prompt: nothing moves
    CCMETER_TRY_ASSIGN(sqlite3_stmt * after, statement(k_turn_after));
    bind_text(after, 1, session_id);
    sqlite3_bind_int64(after, 2, start_ms);
    CCMETER_TRY_ASSIGN(const int64_t next,
                       single_integer(m_db, after, std::numeric_limits<int64_t>::max()));
    // The previous turn again from its responses, split at the prompt.
    CCMETER_TRY_ASSIGN(sqlite3_stmt * drop, statement(k_drop_turn));
    bind_text(drop, 1, session_id);
    sqlite3_bind_int64(drop, 2, previous);
    if (!step_done(drop))
        return sqlite_error(m_db, "cannot split a turn");
    CCMETER_TRY_ASSIGN(sqlite3_stmt * rebuild, statement(k_rebuild_turns));
    bind_text(rebuild, 1, session_id);
    sqlite3_bind_int64(rebuild, 2, start_ms);
    sqlite3_bind_int64(rebuild, 3, previous);
    sqlite3_bind_int64(rebuild, 4, previous < 0 ? std::numeric_limits<int64_t>::min() : previous);
    sqlite3_bind_int64(rebuild, 5, next);
    if (!step_done(rebuild))
        return sqlite_error(m_db, "cannot split a turn");
    return {};
}

Result<void> TurnRollupWriter::add(const std::vector<NewTurnResponse>& responses) {
    if (responses.empty())
        return {};
    struct Key {
        std::string_view session_id;
        int64_t turn_ms, day_ms, model_id;
        std::string_view speed;
        bool long_context, is_sidechain;
        bool operator<(const Key& o) const {
            return std::tie(session_id, turn_ms, day_ms, model_id, speed, long_context,
                            is_sidechain) < std::tie(o.session_id, o.turn_ms, o.day_ms, o.model_id,
                                                     o.speed, o.long_context, o.is_sidechain);
        }
    };
    struct Sums {
        int64_t responses = 0;
        TokenCounts tokens;
        int64_t last_ms = std::numeric_limits<int64_t>::min();
    };
    // Each session's prompts, read once per call.
    std::unordered_map<std::string_view, std::vector<int64_t>> starts;
    CCMETER_TRY_ASSIGN(sqlite3_stmt * read_starts, statement(k_session_starts));
    std::map<Key, Sums> sums;
    for (const NewTurnResponse& response : responses) {
        const UsageRecord& r = *response.record;
        auto [found, inserted] = starts.try_emplace(r.session_id);
        if (inserted) {
            bind_text(read_starts, 1, r.session_id);
            int rc;
            while ((rc = sqlite3_step(read_starts)) == SQLITE_ROW)
                found->second.push_back(sqlite3_column_int64(read_starts, 0));
            sqlite3_reset(read_starts);
            if (rc != SQLITE_DONE)
                return sqlite_error(m_db, "cannot read turns");
        }
        const std::vector<int64_t>& mine = found->second;
        const auto next = std::upper_bound(mine.begin(), mine.end(), r.timestamp_ms);
        const int64_t turn = next == mine.begin() ? -1 : *(next - 1);
        Sums& row = sums[{r.session_id, turn, r.timestamp_ms / 86'400'000 * 86'400'000,
                          response.model_id, r.speed, is_long_context(r.tokens),
                          r.is_sidechain}];
        ++row.responses;
        row.tokens.add(r.tokens);
        row.last_ms = std::max(row.last_ms, r.timestamp_ms);
    }
    CCMETER_TRY_ASSIGN(sqlite3_stmt * upsert, statement(k_upsert));
    for (const auto& [key, row] : sums) {
        bind_text(upsert, 1, key.session_id);
        sqlite3_bind_int64(upsert, 2, key.turn_ms);
        sqlite3_bind_int64(upsert, 3, key.day_ms);
        sqlite3_bind_int64(upsert, 4, key.model_id);
        bind_text(upsert, 5, key.speed);
        sqlite3_bind_int(upsert, 6, key.long_context ? 1 : 0);
        sqlite3_bind_int(upsert, 7, key.is_sidechain ? 1 : 0);
        sqlite3_bind_int64(upsert, 8, row.responses);
        const int64_t tokens[] = {row.tokens.input_tokens,
                                  row.tokens.output_tokens,
                                  row.tokens.cache_creation_input_tokens,
                                  row.tokens.cache_read_input_tokens,
                                  row.tokens.cache_5m,
                                  row.tokens.cache_1h,
                                  row.tokens.web_search_requests,
                                  row.tokens.web_fetch_requests};
        for (int i = 0; i < 8; ++i)
            sqlite3_bind_int64(upsert, 9 + i, tokens[i]);
        sqlite3_bind_int64(upsert, 17, row.last_ms);
        if (!step_done(upsert))
            return sqlite_error(m_db, "cannot store a turn rollup");
    }
    return {};
}

}  // namespace ccmeter
