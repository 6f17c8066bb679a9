#include "core/usage_store.hpp"

#include <sqlite3.h>

#include "common/app_version.hpp"
#include "common/status_payload.hpp"
#include "core/client_cost_rows.hpp"
#include "core/price_table.hpp"
#include "core/response_filter_sql.hpp"
#include "core/sqlite_statement.hpp"
#include "core/status_sample_rows.hpp"
#include "core/store_schema.hpp"
#include "core/tool_call_rows.hpp"
#include "core/turn_rollup_rows.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <functional>
#include <limits>
#include <map>
#include <span>
#include <string_view>
#include <system_error>
#include <tuple>

namespace ccmeter {

namespace {

// The indexes of `responses` that a bulk load builds after its rows (UsageStore::end_bulk_load):
// what queries read by, as migration 1 made them. Each row's insert into them is a B-tree
// descent at a random place (timestamps of many sessions interleave); building them at the end
// is one sort. Run at open() too, where they cost nothing when present.
// responses_by_source stays: the turn rollups read a session's responses by it while writing
// (a prompt read after its responses splits their turn), and without it each such read scans.
// The tools report's index of tool_calls (k_tool_calls_by_session_sql) is built after them the
// same way: a bulk load writes each call's row once, its index entry then.
// responses_by_key too: a random B-tree of about 80 bytes per response, five times the write
// cache at 10 GB, where keeping it took about a third of the writer's time (the pages it
// evicts written to the WAL again and again); the load keeps the keys in memory instead.
constexpr const char* k_responses_by_key_sql =
    "CREATE UNIQUE INDEX IF NOT EXISTS responses_by_key ON responses(request_id, message_id);";
const std::string k_deferred_response_indexes_sql =
    std::string(k_responses_by_key_sql) +
    "CREATE INDEX IF NOT EXISTS responses_by_time ON responses(timestamp_ms);" +
    k_tool_calls_by_session_sql;
constexpr const char* k_drop_deferred_response_indexes_sql =
    "DROP INDEX IF EXISTS responses_by_key; DROP INDEX IF EXISTS responses_by_time; "
    "DROP INDEX IF EXISTS tool_calls_by_session;";
// Every secondary index of `responses` (and tool_calls_by_session) that open() makes sure of (a
// cut-short bulk load, or a hand-edited database, may lack one).
const std::string k_response_indexes_sql =
    std::string(k_responses_by_key_sql) +
    std::string(
        "CREATE INDEX IF NOT EXISTS responses_by_time ON responses(timestamp_ms);"
        "CREATE INDEX IF NOT EXISTS responses_by_source ON responses(source_id, "
        "timestamp_ms);") +
    k_tool_calls_by_session_sql;

// A response not stored yet; when it is (no change), k_merge_response_set_sql applies its line.
constexpr const char* k_insert_response_sql = R"sql(
INSERT OR IGNORE INTO responses(message_id, request_id, timestamp_ms, model_id, source_id,
  is_sidechain, speed, service_tier, inference_geo, input_tokens, output_tokens,
  cache_creation_input_tokens, cache_read_input_tokens, cache_5m, cache_1h, web_search_requests,
  web_fetch_requests, change_seq)
VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)
)sql";

// The merge rule of usage_record.hpp's merge_response() for a stored row, with the parameters
// of k_insert_response_sql (?4, the model, stays the first writer's). The rollups follow by the
// update trigger. k_merge_response_where_key_sql or k_merge_response_where_row_sql ends it.
constexpr const char* k_merge_response_set_sql = R"sql(
UPDATE responses SET
  input_tokens = max(input_tokens, ?10),
  output_tokens = max(output_tokens, ?11),
  cache_creation_input_tokens = max(cache_creation_input_tokens, ?12),
  cache_read_input_tokens = max(cache_read_input_tokens, ?13),
  cache_5m = max(cache_5m, ?14),
  cache_1h = max(cache_1h, ?15),
  web_search_requests = max(web_search_requests, ?16),
  web_fetch_requests = max(web_fetch_requests, ?17),
  speed = CASE WHEN speed = '' THEN ?7 ELSE speed END,
  service_tier = CASE WHEN service_tier = '' THEN ?8 ELSE service_tier END,
  inference_geo = CASE WHEN inference_geo = '' THEN ?9 ELSE inference_geo END,
  timestamp_ms = CASE WHEN is_sidechain AND NOT ?6 THEN ?3 ELSE timestamp_ms END,
  source_id = CASE WHEN is_sidechain AND NOT ?6 THEN ?5 ELSE source_id END,
  is_sidechain = is_sidechain AND ?6,
  change_seq = ?18
)sql";
constexpr const char* k_merge_response_where_key_sql = "WHERE message_id = ?1 AND request_id = ?2";
// The row a bulk load's ResponseKeyIndex names (?19), if it holds the key.
constexpr const char* k_merge_response_where_row_sql =
    "WHERE id = ?19 AND message_id = ?1 AND request_id = ?2";

// Transcript rows claim the rows an OpenTelemetry api_request made for their requests before
// the transcript was read (message_id ''): each token field takes the export row's value where
// it is larger, then the export row goes (the triggers move the rollups). Both walk only the
// export rows (index responses_from_export), so they cost nothing while there are none; both
// are prepared once (compiling them compiles every rollup trigger they may fire).
constexpr const char* k_claim_export_rows_sql = R"sql(
UPDATE responses SET
  input_tokens = max(responses.input_tokens, x.input_tokens),
  output_tokens = max(responses.output_tokens, x.output_tokens),
  cache_creation_input_tokens = max(responses.cache_creation_input_tokens,
                                    x.cache_creation_input_tokens),
  cache_read_input_tokens = max(responses.cache_read_input_tokens, x.cache_read_input_tokens),
  cache_5m = max(responses.cache_5m, x.cache_5m),
  cache_1h = max(responses.cache_1h, x.cache_1h),
  change_seq = ?1
FROM (SELECT request_id, input_tokens, output_tokens, cache_creation_input_tokens,
             cache_read_input_tokens, cache_5m, cache_1h
      FROM responses WHERE message_id = '' AND request_id != '') AS x
WHERE responses.request_id = x.request_id AND responses.message_id != ''
)sql";
constexpr const char* k_drop_claimed_export_rows_sql = R"sql(
DELETE FROM responses WHERE message_id = '' AND request_id != '' AND EXISTS
  (SELECT 1 FROM responses o WHERE o.request_id = responses.request_id AND o.message_id != '')
)sql";

// An OpenTelemetry api_request for a stored response (?1 request id): each token field keeps
// its maximum over both sources.
constexpr const char* k_merge_client_request_sql = R"sql(
UPDATE responses SET
  input_tokens = max(input_tokens, ?2),
  output_tokens = max(output_tokens, ?3),
  cache_creation_input_tokens = max(cache_creation_input_tokens, ?4),
  cache_read_input_tokens = max(cache_read_input_tokens, ?5),
  cache_5m = max(cache_5m, ?6),
  cache_1h = max(cache_1h, ?7),
  change_seq = ?8
WHERE request_id = ?1 AND request_id != ''
)sql";

// Adds the summed new responses of one rollup row.
constexpr const char* k_add_rollup_sql = R"sql(
INSERT INTO rollups VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
ON CONFLICT(bucket_ms, source_id, model_id, speed, long_context) DO UPDATE SET
  responses = responses + excluded.responses,
  input_tokens = input_tokens + excluded.input_tokens,
  output_tokens = output_tokens + excluded.output_tokens,
  cache_creation_input_tokens = cache_creation_input_tokens + excluded.cache_creation_input_tokens,
  cache_read_input_tokens = cache_read_input_tokens + excluded.cache_read_input_tokens,
  cache_5m = cache_5m + excluded.cache_5m,
  cache_1h = cache_1h + excluded.cache_1h,
  web_search_requests = web_search_requests + excluded.web_search_requests,
  web_fetch_requests = web_fetch_requests + excluded.web_fetch_requests,
  first_ms = min(first_ms, excluded.first_ms),
  last_ms = max(last_ms, excluded.last_ms)
)sql";

constexpr const char* k_insert_model_sql = "INSERT OR IGNORE INTO models(name) VALUES(?1)";
constexpr const char* k_select_model_sql = "SELECT id FROM models WHERE name = ?1";
constexpr const char* k_insert_source_sql =
    "INSERT OR IGNORE INTO sources(session_id, cwd, git_branch, version, agent_id, is_sidechain) "
    "VALUES(?1, ?2, ?3, ?4, ?5, ?6)";
constexpr const char* k_select_source_sql =
    "SELECT id FROM sources WHERE session_id = ?1 AND cwd = ?2 AND git_branch = ?3 AND "
    "version = ?4 AND agent_id = ?5 AND is_sidechain = ?6";

constexpr const char* k_insert_turn_sql =
    "INSERT OR IGNORE INTO turns(uuid, session_id, timestamp_ms, is_sidechain, agent_id) "
    "VALUES(?1, ?2, ?3, ?4, ?5)";

constexpr const char* k_upsert_file_sql = R"sql(
INSERT INTO files(path, device, inode, offset, tail, malformed_lines, generation, updated_ms)
VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER))
ON CONFLICT(path) DO UPDATE SET device = excluded.device, inode = excluded.inode,
  offset = excluded.offset, tail = excluded.tail, malformed_lines = excluded.malformed_lines,
  generation = excluded.generation, updated_ms = excluded.updated_ms
)sql";

constexpr const char* k_select_file_sql =
    "SELECT device, inode, offset, tail, malformed_lines, generation FROM files WHERE path = ?1";

constexpr int64_t k_day_ms = 86'400'000;

// `value` rounded down to a multiple of `step` (> 0), for negative values too.
int64_t floor_to(int64_t value, int64_t step) {
    return value >= 0 ? value / step * step : -((-value + step - 1) / step) * step;
}

// The eight token columns, in the order of TokenCounts, starting at column / parameter `first`.
void read_token_columns(sqlite3_stmt* statement, int first, TokenCounts& t) {
    int64_t* fields[] = {&t.input_tokens,
                         &t.output_tokens,
                         &t.cache_creation_input_tokens,
                         &t.cache_read_input_tokens,
                         &t.cache_5m,
                         &t.cache_1h,
                         &t.web_search_requests,
                         &t.web_fetch_requests};
    for (int i = 0; i < 8; ++i)
        *fields[i] = sqlite3_column_int64(statement, first + i);
}

void bind_token_columns(sqlite3_stmt* statement, int first, const TokenCounts& t) {
    const int64_t fields[] = {
        t.input_tokens, t.output_tokens, t.cache_creation_input_tokens, t.cache_read_input_tokens,
        t.cache_5m,     t.cache_1h,      t.web_search_requests,         t.web_fetch_requests};
    for (int i = 0; i < 8; ++i)
        sqlite3_bind_int64(statement, first + i, fields[i]);
}

}  // namespace

UsageStore::UsageStore(sqlite3* db) : m_db(db), m_turn_rollups(new TurnRollupWriter(db)) {}

UsageStore::~UsageStore() {
    m_turn_rollups.reset();  // its statements go before the connection
    for (sqlite3_stmt* statement :
         {m_insert_response, m_merge_response, m_merge_response_by_id, m_add_rollup, m_insert_turn,
          m_upsert_file, m_select_file, m_insert_model, m_select_model, m_insert_source,
          m_select_source, m_claim_export_rows, m_drop_claimed_export_rows, m_next_change_seq})
        sqlite3_finalize(statement);
    sqlite3_close(m_db);
}

Result<std::unique_ptr<UsageStore>> UsageStore::open(const std::filesystem::path& path) {
    std::error_code ec;
    if (path.has_parent_path() && !std::filesystem::exists(path.parent_path(), ec)) {
        std::filesystem::create_directories(path.parent_path(), ec);
        if (ec)
            return Error{"cannot create " + path.parent_path().string() + ": " + ec.message()};
        ::chmod(path.parent_path().c_str(), 0700);
    }
    sqlite3* db = nullptr;
    const int rc =
        sqlite3_open_v2(path.c_str(), &db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    std::unique_ptr<UsageStore> store(new UsageStore(db));
    if (rc != SQLITE_OK)
        return sqlite_error(db, "cannot open " + path.string());
    ::chmod(path.c_str(), 0600);
    sqlite3_busy_timeout(db, 5000);
    // WAL: readers never block the writer. synchronous=NORMAL: a commit survives a crash of
    // this process; checkpoint() makes everything durable against power loss too. Temporary
    // data (sorts, statement journals) in files until the migrations, a cut-short bulk load's
    // merge and the index builds below are done, in memory after: a migration that drops a
    // table of a million tool calls journals every page it frees (SQLite's secure delete), and
    // an index build sorts every row: 341 MB of RSS at 10 GB in memory.
    const std::string pragmas =
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA temp_store=FILE;"
        "PRAGMA cache_size=-" +
        std::to_string(k_write_cache_kib) + "; PRAGMA mmap_size=" + std::to_string(k_mmap_bytes) +
        "; PRAGMA foreign_keys=ON;";
    if (sqlite3_exec(db, pragmas.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK)
        return sqlite_error(db, "cannot configure " + path.string());
    if (Result<void> migrated = store->migrate(); !migrated)
        return migrated.error();
    if (Result<void> prepared = store->prepare_statements(); !prepared)
        return prepared.error();
    // A bulk load cut short (end_bulk_load() never ran) left its tool calls staged, the coarser
    // rollup levels behind and these indexes missing.
    if (Result<void> merged = store->merge_staged_tool_calls(); !merged)
        return merged.error();
    if (Result<void> restored = store->restore_rollup_levels(); !restored)
        return restored.error();
    if (sqlite3_exec(db, k_response_indexes_sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK)
        return sqlite_error(db, "cannot index the responses of " + path.string());
    if (sqlite3_exec(db, "PRAGMA temp_store=MEMORY", nullptr, nullptr, nullptr) != SQLITE_OK)
        return sqlite_error(db, "cannot configure " + path.string());
    return store;
}

Result<std::unique_ptr<UsageStore>> UsageStore::open_read_only(const std::filesystem::path& path) {
    sqlite3* db = nullptr;
    const int rc =
        sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
    std::unique_ptr<UsageStore> store(new UsageStore(db));
    if (rc != SQLITE_OK)
        return sqlite_error(db, "cannot open " + path.string());
    sqlite3_busy_timeout(db, 5000);
    const std::string pragmas = "PRAGMA cache_size=-" + std::to_string(k_read_cache_kib) +
                                "; PRAGMA mmap_size=" + std::to_string(k_mmap_bytes) + ";";
    if (sqlite3_exec(db, pragmas.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK)
        return sqlite_error(db, "cannot configure " + path.string());
    CCMETER_TRY_ASSIGN(int version, store->schema_version());
    if (version != k_database_schema_version)
        return Error{path.string() + " has schema " + std::to_string(version) + ", expected " +
                     std::to_string(k_database_schema_version)};
    // Read-only: only the query statements are used; the write statements stay unprepared.
    if (sqlite3_prepare_v3(db, k_select_file_sql, -1, SQLITE_PREPARE_PERSISTENT,
                           &store->m_select_file, nullptr) != SQLITE_OK)
        return sqlite_error(db, "cannot prepare statement");
    return store;
}

Result<void> UsageStore::migrate() {
    CCMETER_TRY_ASSIGN(int version, schema_version());
    return migrate_schema(m_db, version);
}

Result<void> UsageStore::prepare_statements() {
    const std::pair<const char*, sqlite3_stmt**> statements[] = {
        {k_insert_response_sql, &m_insert_response},

        {k_add_rollup_sql, &m_add_rollup},
        {k_insert_turn_sql, &m_insert_turn},
        {k_upsert_file_sql, &m_upsert_file},
        {k_select_file_sql, &m_select_file},
        {k_insert_model_sql, &m_insert_model},
        {k_select_model_sql, &m_select_model},
        {k_insert_source_sql, &m_insert_source},
        {k_select_source_sql, &m_select_source},
        {k_claim_export_rows_sql, &m_claim_export_rows},
        {k_drop_claimed_export_rows_sql, &m_drop_claimed_export_rows},
        {"UPDATE change_clock SET seq = seq + 1 RETURNING seq", &m_next_change_seq},
    };
    for (const auto& [sql, target] : statements) {
        if (sqlite3_prepare_v3(m_db, sql, -1, SQLITE_PREPARE_PERSISTENT, target, nullptr) !=
            SQLITE_OK)
            return sqlite_error(m_db, "cannot prepare statement");
    }
    const std::string merge_by_key =
        std::string(k_merge_response_set_sql) + k_merge_response_where_key_sql;
    const std::string merge_by_row =
        std::string(k_merge_response_set_sql) + k_merge_response_where_row_sql;
    for (const auto& [sql, target] : {std::pair{&merge_by_key, &m_merge_response},
                                      std::pair{&merge_by_row, &m_merge_response_by_id}}) {
        if (sqlite3_prepare_v3(m_db, sql->c_str(), -1, SQLITE_PREPARE_PERSISTENT, target,
                               nullptr) != SQLITE_OK)
            return sqlite_error(m_db, "cannot prepare statement");
    }
    return {};
}

Result<int64_t> UsageStore::scalar(const char* sql) const {
    CCMETER_TRY_ASSIGN(Statement statement, prepare_statement(m_db, sql));
    if (sqlite3_step(statement.get()) != SQLITE_ROW)
        return sqlite_error(m_db, "cannot read the database");
    return sqlite3_column_int64(statement.get(), 0);
}

int UsageStore::current_schema_version() {
    return k_database_schema_version;
}

Result<std::vector<std::string>> UsageStore::schema_tables(int version) {
    if (version < 0 || version > k_database_schema_version)
        return Error{"unknown schema version " + std::to_string(version)};
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_MEMORY, nullptr) !=
        SQLITE_OK) {
        sqlite3_close(db);
        return Error{"cannot open an in-memory database"};
    }
    std::unique_ptr<UsageStore> scratch(new UsageStore(db));
    for (int from = 0; from < version; ++from) {
        if (sqlite3_exec(db, schema_step_sql(from).c_str(), nullptr, nullptr, nullptr) != SQLITE_OK)
            return sqlite_error(db, "schema " + std::to_string(from + 1));
    }
    CCMETER_TRY_ASSIGN(Statement names,
                       prepare_statement(db,
                                         "SELECT name FROM sqlite_master WHERE type = 'table' "
                                         "ORDER BY name"));
    std::vector<std::string> tables;
    while (sqlite3_step(names.get()) == SQLITE_ROW)
        tables.push_back(column_text(names.get(), 0));
    return tables;
}

Result<int> UsageStore::schema_version() const {
    CCMETER_TRY_ASSIGN(int64_t version, scalar("PRAGMA user_version"));
    return static_cast<int>(version);
}

Result<int64_t> UsageStore::response_count() const {
    // The daily totals hold every response (write_responses and the triggers keep them) in a
    // few rows a day, where count(*) walks an index of every response.
    return scalar("SELECT coalesce(sum(responses), 0) FROM totals_daily");
}
Result<int64_t> UsageStore::turn_count() const {
    return scalar("SELECT count(*) FROM turns");
}
Result<int64_t> UsageStore::malformed_lines() const {
    return scalar("SELECT coalesce(sum(malformed_lines), 0) FROM files");
}

namespace {

// Reads columns first..first+5 (device, inode, offset, tail, malformed_lines, generation).
FileState file_state_from_row(sqlite3_stmt* statement, int first, std::string path) {
    FileState state;
    state.path = std::move(path);
    state.device = static_cast<uint64_t>(sqlite3_column_int64(statement, first));
    state.inode = static_cast<uint64_t>(sqlite3_column_int64(statement, first + 1));
    state.offset = static_cast<uint64_t>(sqlite3_column_int64(statement, first + 2));
    const void* tail = sqlite3_column_blob(statement, first + 3);
    state.tail.assign(static_cast<const char*>(tail),
                      static_cast<size_t>(sqlite3_column_bytes(statement, first + 3)));
    state.malformed_lines = sqlite3_column_int64(statement, first + 4);
    state.generation = sqlite3_column_int64(statement, first + 5);
    return state;
}

}  // namespace

Result<std::optional<FileState>> UsageStore::file_state(const std::string& path) const {
    bind_text(m_select_file, 1, path);
    std::optional<FileState> state;
    const int rc = sqlite3_step(m_select_file);
    if (rc == SQLITE_ROW)
        state = file_state_from_row(m_select_file, 0, path);
    sqlite3_reset(m_select_file);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return sqlite_error(m_db, "cannot read the state of " + path);
    return state;
}

Result<std::unordered_map<std::string, FileState>> UsageStore::file_states() const {
    std::unordered_map<std::string, FileState> states;
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(m_db,
                           "SELECT path, device, inode, offset, tail, malformed_lines, generation "
                           "FROM files",
                           -1, &statement, nullptr) != SQLITE_OK) {
        sqlite3_finalize(statement);
        return sqlite_error(m_db, "cannot read the files' states");
    }
    int rc = SQLITE_ROW;
    while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {
        std::string path = column_text(statement, 0);
        states.emplace(path, file_state_from_row(statement, 1, path));
    }
    sqlite3_finalize(statement);
    if (rc != SQLITE_DONE)
        return sqlite_error(m_db, "cannot read the files' states");
    return states;
}

Result<int64_t> UsageStore::intern_model(const std::string& name) {
    if (auto it = m_model_ids.find(name); it != m_model_ids.end())
        return it->second;
    bind_text(m_insert_model, 1, name);
    if (!step_done(m_insert_model))
        return sqlite_error(m_db, "cannot store a model");
    bind_text(m_select_model, 1, name);
    if (sqlite3_step(m_select_model) != SQLITE_ROW) {
        sqlite3_reset(m_select_model);
        return sqlite_error(m_db, "cannot find a model");
    }
    const int64_t id = sqlite3_column_int64(m_select_model, 0);
    sqlite3_reset(m_select_model);
    m_model_ids.emplace(name, id);
    return id;
}

Result<int64_t> UsageStore::intern_source(const UsageRecord& r) {
    std::string key;
    for (const std::string* part : {&r.session_id, &r.cwd, &r.git_branch, &r.version, &r.agent_id})
        key.append(*part).push_back('\0');
    key.push_back(r.is_sidechain ? '1' : '0');
    if (auto it = m_source_ids.find(key); it != m_source_ids.end())
        return it->second;
    for (sqlite3_stmt* statement : {m_insert_source, m_select_source}) {
        bind_text(statement, 1, r.session_id);
        bind_text(statement, 2, r.cwd);
        bind_text(statement, 3, r.git_branch);
        bind_text(statement, 4, r.version);
        bind_text(statement, 5, r.agent_id);
        sqlite3_bind_int(statement, 6, r.is_sidechain ? 1 : 0);
    }
    if (!step_done(m_insert_source))
        return sqlite_error(m_db, "cannot store a source");
    if (sqlite3_step(m_select_source) != SQLITE_ROW) {
        sqlite3_reset(m_select_source);
        return sqlite_error(m_db, "cannot find a source");
    }
    const int64_t id = sqlite3_column_int64(m_select_source, 0);
    sqlite3_reset(m_select_source);
    m_source_ids.emplace(std::move(key), id);
    return id;
}

Result<void> UsageStore::write_responses(const std::vector<UsageRecord>& responses,
                                         bool claim_client_rows, int64_t change_seq) {
    // New responses' sums per rollup row, written once each after the responses.
    struct RollupKey {
        int64_t bucket_ms, source_id, model_id;
        std::string speed;
        bool long_context;
        bool operator<(const RollupKey& o) const {
            return std::tie(bucket_ms, source_id, model_id, speed, long_context) <
                   std::tie(o.bucket_ms, o.source_id, o.model_id, o.speed, o.long_context);
        }
    };
    struct RollupSums {
        int64_t responses = 0;
        TokenCounts tokens;
        int64_t first_ms = 0, last_ms = 0;
    };
    std::map<RollupKey, RollupSums> new_rollups;
    std::vector<NewTurnResponse> new_turn_responses;
    for (const UsageRecord& r : responses) {
        Result<int64_t> model_id = intern_model(r.model);
        if (!model_id)
            return model_id.error();
        Result<int64_t> source_id = intern_source(r);
        if (!source_id)
            return source_id.error();
        auto bind_line = [&](sqlite3_stmt* s) {
            bind_text(s, 1, r.message_id);
            bind_text(s, 2, r.request_id);
            sqlite3_bind_int64(s, 3, r.timestamp_ms);
            sqlite3_bind_int64(s, 4, *model_id);
            sqlite3_bind_int64(s, 5, *source_id);
            sqlite3_bind_int(s, 6, r.is_sidechain ? 1 : 0);
            bind_text(s, 7, r.speed);
            bind_text(s, 8, r.service_tier);
            bind_text(s, 9, r.inference_geo);
            bind_token_columns(s, 10, r.tokens);
            sqlite3_bind_int64(s, 18, change_seq);
        };
        auto count_new = [&] {
            RollupSums& sums =
                new_rollups[{r.timestamp_ms / k_rollup_bucket_ms * k_rollup_bucket_ms, *source_id,
                             *model_id, r.speed, is_long_context(r.tokens)}];
            if (sums.responses++ == 0)
                sums.first_ms = sums.last_ms = r.timestamp_ms;
            sums.tokens.add(r.tokens);
            sums.first_ms = std::min(sums.first_ms, r.timestamp_ms);
            sums.last_ms = std::max(sums.last_ms, r.timestamp_ms);
            new_turn_responses.push_back({&r, *model_id});
        };
        if (m_keys_in_memory) {
            // A stored row of this key is one that m_bulk_keys names and that holds the key.
            const uint64_t key_hash = ResponseKeyIndex::hash(r.message_id, r.request_id);
            bool failed = false;
            bind_line(m_merge_response_by_id);
            const bool merged = m_bulk_keys.find(key_hash, [&](int64_t row) {
                sqlite3_bind_int64(m_merge_response_by_id, 19, row);
                failed = !step_done(m_merge_response_by_id);
                return failed || sqlite3_changes(m_db) == 1;
            });
            if (failed)
                return sqlite_error(m_db, "cannot store a response");
            if (merged)
                continue;
            bind_line(m_insert_response);
            if (!step_done(m_insert_response))
                return sqlite_error(m_db, "cannot store a response");
            const int64_t row = sqlite3_last_insert_rowid(m_db);
            if (ResponseKeyIndex::fits(row) && m_bulk_keys.size() < m_bulk_key_limit) {
                m_bulk_keys.add(key_hash, row);
            } else {  // past what memory holds: the unique key from here on
                if (sqlite3_exec(m_db, k_responses_by_key_sql, nullptr, nullptr, nullptr) !=
                    SQLITE_OK)
                    return sqlite_error(m_db, "cannot index the responses");
                m_keys_in_memory = false;
                m_bulk_keys.clear();
            }
            count_new();
            continue;
        }
        for (sqlite3_stmt* s : {m_insert_response, m_merge_response}) {
            bind_line(s);
            if (!step_done(s))
                return sqlite_error(m_db, "cannot store a response");
            if (s == m_insert_response && sqlite3_changes(m_db) == 1) {
                count_new();
                break;  // inserted: nothing to merge
            }
        }
    }
    for (const auto& [key, sums] : new_rollups) {
        sqlite3_stmt* s = m_add_rollup;
        sqlite3_bind_int64(s, 1, key.bucket_ms);
        sqlite3_bind_int64(s, 2, key.source_id);
        sqlite3_bind_int64(s, 3, key.model_id);
        bind_text(s, 4, key.speed);
        sqlite3_bind_int(s, 5, key.long_context ? 1 : 0);
        sqlite3_bind_int64(s, 6, sums.responses);
        bind_token_columns(s, 7, sums.tokens);
        sqlite3_bind_int64(s, 15, sums.first_ms);
        sqlite3_bind_int64(s, 16, sums.last_ms);
        if (!step_done(s))
            return sqlite_error(m_db, "cannot store a rollup");
    }
    CCMETER_TRY(m_turn_rollups->add(new_turn_responses));
    // Not in a bulk load that keeps its keys in memory: the claim finds rows by
    // responses_by_key, a scan of every response without it; and the load began with no
    // response, export rows included, and ends before the OTel path writes again (both run on
    // the ingest thread), so there is none to claim. The next write claims any there are.
    if (claim_client_rows && !responses.empty() && !m_keys_in_memory) {
        sqlite3_bind_int64(m_claim_export_rows, 1, change_seq);
        for (sqlite3_stmt* claim : {m_claim_export_rows, m_drop_claimed_export_rows}) {
            if (!step_done(claim))
                return sqlite_error(m_db, "cannot merge exported requests into their responses");
        }
    }
    return {};
}

Result<void> UsageStore::commit(const IngestBatch& batch) {
    CCMETER_TRY(write_batch(batch));
    return end_bulk_load();
}

void UsageStore::roll_back_batches() {
    if (m_group_open)
        sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr);
    m_group_open = false;
    // The rollback took the ids interned in the group with it: forget them all, or a retry
    // would store rows pointing at models and sources that do not exist. The same for the
    // keys of the responses it stored.
    m_model_ids.clear();
    m_source_ids.clear();
    if (m_keys_in_memory) {
        m_bulk_keys.clear();
        m_bulk_keys_stale = true;
    }
}

Result<void> UsageStore::write_batch(const IngestBatch& batch) {
    OnFailure roll_back{[this] { roll_back_batches(); }};
    if (!m_group_open) {
        if (sqlite3_exec(m_db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK)
            return sqlite_error(m_db, "cannot begin transaction");
        m_group_open = true;
        CCMETER_TRY_ASSIGN(int64_t nothing_stored,
                           scalar("SELECT NOT EXISTS (SELECT 1 FROM responses) AND NOT "
                                  "EXISTS (SELECT 1 FROM tool_calls)"));
        if (!m_indexes_deferred && nothing_stored == 1) {
            if (sqlite3_exec(m_db, k_drop_deferred_response_indexes_sql, nullptr, nullptr,
                             nullptr) != SQLITE_OK)
                return sqlite_error(m_db, "cannot prepare a bulk load");
            CCMETER_TRY(defer_rollup_levels(m_db));
            m_indexes_deferred = true;
            m_keys_in_memory = true;
            m_bulk_keys.clear();  // nothing stored
            m_bulk_keys_stale = false;
        } else if (m_keys_in_memory && m_bulk_keys_stale) {
            CCMETER_TRY(load_bulk_keys());
        }
    }
    CCMETER_TRY_ASSIGN(const int64_t change_seq, next_change_seq());
    // Prompts before responses, so that the turn rollups place the batch's responses in them.
    for (const TurnStart& turn : batch.turns()) {
        bind_text(m_insert_turn, 1, turn.uuid);
        bind_text(m_insert_turn, 2, turn.session_id);
        sqlite3_bind_int64(m_insert_turn, 3, turn.timestamp_ms);
        sqlite3_bind_int(m_insert_turn, 4, turn.is_sidechain ? 1 : 0);
        bind_text(m_insert_turn, 5, turn.agent_id);
        if (!step_done(m_insert_turn))
            return sqlite_error(m_db, "cannot store a turn");
        if (!turn.is_sidechain && sqlite3_changes(m_db) == 1)
            CCMETER_TRY(m_turn_rollups->split(turn.session_id, turn.timestamp_ms));
    }
    CCMETER_TRY(write_responses(batch.responses(), true, change_seq));
    CCMETER_TRY(store_cost_states(m_db, batch.cost_states()));
    CCMETER_TRY(store_tool_calls(m_db, batch.tool_calls(), m_indexes_deferred));
    for (const FileState& file : batch.files()) {
        bind_text(m_upsert_file, 1, file.path);
        sqlite3_bind_int64(m_upsert_file, 2, static_cast<int64_t>(file.device));
        sqlite3_bind_int64(m_upsert_file, 3, static_cast<int64_t>(file.inode));
        sqlite3_bind_int64(m_upsert_file, 4, static_cast<int64_t>(file.offset));
        sqlite3_bind_blob(m_upsert_file, 5, file.tail.data(), static_cast<int>(file.tail.size()),
                          SQLITE_STATIC);
        sqlite3_bind_int64(m_upsert_file, 6, file.malformed_lines);
        sqlite3_bind_int64(m_upsert_file, 7, file.generation);
        if (!step_done(m_upsert_file))
            return sqlite_error(m_db, "cannot store a file offset");
    }
    roll_back.armed = false;
    return {};
}

Result<void> UsageStore::finish_left_work(const char* any_left_sql,
                                          const std::function<Result<void>()>& work,
                                          const char* commit_error) {
    CCMETER_TRY_ASSIGN(const int64_t any_left, scalar(any_left_sql));
    if (any_left == 0)
        return {};
    Transaction transaction(m_db);
    if (!transaction.begin())
        return sqlite_error(m_db, "cannot begin transaction");
    CCMETER_TRY(work());
    if (!transaction.commit())
        return sqlite_error(m_db, commit_error);
    return {};
}

Result<void> UsageStore::merge_staged_tool_calls() {
    return finish_left_work(
        "SELECT EXISTS (SELECT 1 FROM tool_call_staging)",
        [this]() -> Result<void> {
            CCMETER_TRY(next_change_seq());
            return ccmeter::merge_staged_tool_calls(m_db);
        },
        "cannot commit the staged tool calls");
}

Result<void> UsageStore::load_bulk_keys() {
    m_bulk_keys.clear();
    CCMETER_TRY_ASSIGN(Statement rows,
                       prepare_statement(m_db, "SELECT id, message_id, request_id FROM responses"));
    int rc = SQLITE_ROW;
    while ((rc = sqlite3_step(rows.get())) == SQLITE_ROW) {
        auto text = [&](int column) {
            return std::string_view(
                reinterpret_cast<const char*>(sqlite3_column_text(rows.get(), column)),
                static_cast<size_t>(sqlite3_column_bytes(rows.get(), column)));
        };
        const int64_t row = sqlite3_column_int64(rows.get(), 0);
        if (!ResponseKeyIndex::fits(row))
            return Error{"a stored response's row id is past what a bulk load keeps in memory"};
        m_bulk_keys.add(ResponseKeyIndex::hash(text(1), text(2)), row);
    }
    if (rc != SQLITE_DONE)
        return sqlite_error(m_db, "cannot read the stored responses");
    m_bulk_keys_stale = false;
    return {};
}

Result<void> UsageStore::restore_rollup_levels() {
    return finish_left_work(
        "SELECT EXISTS (SELECT 1 FROM deferred_triggers)",
        [this] { return ccmeter::restore_rollup_levels(m_db); }, "cannot commit the rollup levels");
}

Result<void> UsageStore::end_bulk_load() {
    CCMETER_TRY(commit_batches());
    if (!m_indexes_deferred)
        return {};
    // The staged tool calls first, so that their index is built after them too; each in a
    // transaction of its own. Their sorts (the merge's ORDER BY, CREATE INDEX) keep up to
    // cache_size in memory and spill the rest to temporary files: on disk here
    // (temp_store=FILE), or a million rows would cost tens of MB of RSS; temp_store=MEMORY
    // again after them.
    if (sqlite3_exec(m_db, "PRAGMA temp_store=FILE", nullptr, nullptr, nullptr) != SQLITE_OK)
        return sqlite_error(m_db, "cannot prepare the end of a bulk load");
    Result<void> merged = merge_staged_tool_calls();
    if (merged)
        merged = restore_rollup_levels();
    const bool built = merged && sqlite3_exec(m_db, k_deferred_response_indexes_sql.c_str(),
                                              nullptr, nullptr, nullptr) == SQLITE_OK;
    sqlite3_exec(m_db, "PRAGMA temp_store=MEMORY", nullptr, nullptr, nullptr);
    if (!merged)
        return merged.error();
    if (!built)
        return sqlite_error(m_db, "cannot index the responses");
    m_indexes_deferred = false;
    m_keys_in_memory = false;
    m_bulk_keys.clear();
    return {};
}

Result<void> UsageStore::commit_batches() {
    if (!m_group_open)
        return {};
    if (sqlite3_exec(m_db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
        Error error = sqlite_error(m_db, "cannot commit");
        roll_back_batches();
        return error;
    }
    m_group_open = false;
    return {};
}

namespace {

// Every column of a stored response, read by read_response_columns (and the row id, 21).
constexpr const char* k_select_responses_sql =
    "SELECT r.message_id, r.request_id, r.timestamp_ms, m.name, s.session_id, s.cwd, "
    "s.git_branch, r.is_sidechain, s.agent_id, s.version, r.speed, r.service_tier, "
    "r.inference_geo, r.input_tokens, r.output_tokens, r.cache_creation_input_tokens, "
    "r.cache_read_input_tokens, r.cache_5m, r.cache_1h, r.web_search_requests, "
    "r.web_fetch_requests, r.id FROM responses r JOIN models m ON m.id = r.model_id "
    "JOIN sources s ON s.id = r.source_id";

void read_response_columns(sqlite3_stmt* s, UsageRecord& r) {
    r.message_id = column_text(s, 0);
    r.request_id = column_text(s, 1);
    r.timestamp_ms = sqlite3_column_int64(s, 2);
    r.model = column_text(s, 3);
    r.session_id = column_text(s, 4);
    r.cwd = column_text(s, 5);
    r.git_branch = column_text(s, 6);
    r.is_sidechain = sqlite3_column_int(s, 7) != 0;
    r.agent_id = column_text(s, 8);
    r.version = column_text(s, 9);
    r.speed = column_text(s, 10);
    r.service_tier = column_text(s, 11);
    r.inference_geo = column_text(s, 12);
    read_token_columns(s, 13, r.tokens);
}

// The columns of k_select_responses_sql's rows that a ResponseFilter tests.
constexpr FilterColumns k_response_columns{"r.timestamp_ms", "s.session_id", "s.cwd"};

}  // namespace

Result<void> UsageStore::for_each_response(
    const ResponseFilter& filter, const std::function<void(const UsageRecord&)>& visit) const {
    std::string sql = std::string(k_select_responses_sql) + " WHERE 1";
    sql += response_filter_sql(filter, k_response_columns);
    if (filter.side_calls_only)
        sql += " AND r.message_id = '' AND r.request_id != ''";
    sql += " ORDER BY r.timestamp_ms";
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(m_db, sql.c_str(), -1, &s, nullptr) != SQLITE_OK)
        return sqlite_error(m_db, "cannot query responses");
    bind_response_filter(s, filter);
    UsageRecord r;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        read_response_columns(s, r);
        visit(r);
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE)
        return sqlite_error(m_db, "cannot read responses");
    return {};
}

Result<void> UsageStore::for_each_response_page(
    const ResponseFilter& filter, size_t page_rows,
    const std::function<bool(const std::vector<UsageRecord>&)>& page) const {
    if (page_rows == 0)
        page_rows = 1;
    // One read transaction: every page comes from the same snapshot of the database, whatever
    // the writer commits meanwhile (WAL). Each page starts after the last row of the one before
    // in (timestamp, row id) order, which the time index walks without sorting.
    struct ReadTransaction {
        sqlite3* db;
        bool open;
        ~ReadTransaction() {
            if (open)
                sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
        }
    } transaction{m_db, sqlite3_exec(m_db, "BEGIN", nullptr, nullptr, nullptr) == SQLITE_OK};
    if (!transaction.open)
        return sqlite_error(m_db, "cannot begin a read transaction");
    std::string sql =
        std::string(k_select_responses_sql) + " WHERE (r.timestamp_ms, r.id) > (?5, ?6)";
    sql += response_filter_sql(filter, k_response_columns);
    sql += " ORDER BY r.timestamp_ms, r.id LIMIT ?7";
    CCMETER_TRY_ASSIGN(Statement statement, prepare_statement(m_db, sql.c_str()));
    sqlite3_stmt* s = statement.get();
    bind_response_filter(s, filter);
    sqlite3_bind_int64(s, 7, static_cast<int64_t>(page_rows));
    std::vector<UsageRecord> rows;
    int64_t last_time = std::numeric_limits<int64_t>::min();
    int64_t last_id = std::numeric_limits<int64_t>::min();
    for (;;) {
        sqlite3_bind_int64(s, 5, last_time);
        sqlite3_bind_int64(s, 6, last_id);
        rows.resize(page_rows);
        size_t count = 0;
        int rc;
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
            read_response_columns(s, rows[count]);
            last_time = rows[count].timestamp_ms;
            last_id = sqlite3_column_int64(s, 21);
            ++count;
        }
        sqlite3_reset(s);
        if (rc != SQLITE_DONE)
            return sqlite_error(m_db, "cannot read responses");
        rows.resize(count);
        if (count > 0 && !page(rows))
            return {};
        if (count < page_rows)
            return {};
    }
}

Result<std::vector<UsageRecord>> UsageStore::latest_responses(const ResponseFilter& filter,
                                                              size_t limit) const {
    std::string sql = std::string(k_select_responses_sql) + " WHERE 1";
    sql += response_filter_sql(filter, k_response_columns);
    sql += " ORDER BY r.timestamp_ms DESC, r.id DESC LIMIT ?5";
    CCMETER_TRY_ASSIGN(Statement statement, prepare_statement(m_db, sql.c_str()));
    sqlite3_stmt* s = statement.get();
    bind_response_filter(s, filter);
    sqlite3_bind_int64(s, 5, static_cast<int64_t>(std::min<size_t>(limit, INT64_MAX)));
    std::vector<UsageRecord> rows;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        rows.emplace_back();
        read_response_columns(s, rows.back());
    }
    if (rc != SQLITE_DONE)
        return sqlite_error(m_db, "cannot read the latest responses");
    return rows;
}

Result<void> UsageStore::for_each_response_after(
    int64_t after_id, size_t limit,
    const std::function<void(int64_t id, const UsageRecord&)>& visit) const {
    const std::string sql =
        std::string(k_select_responses_sql) + " WHERE r.id > ?1 ORDER BY r.id LIMIT ?2";
    CCMETER_TRY_ASSIGN(Statement statement, prepare_statement(m_db, sql.c_str()));
    sqlite3_stmt* s = statement.get();
    sqlite3_bind_int64(s, 1, after_id);
    sqlite3_bind_int64(s, 2, static_cast<int64_t>(limit));
    UsageRecord row;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        row = UsageRecord{};
        read_response_columns(s, row);
        visit(sqlite3_column_int64(s, 21), row);
    }
    if (rc != SQLITE_DONE)
        return sqlite_error(m_db, "cannot read responses");
    return {};
}

Result<int64_t> UsageStore::last_response_id() const {
    return scalar("SELECT coalesce(max(id), 0) FROM responses");
}

Result<int64_t> UsageStore::responses_after_count(int64_t after_id) const {
    CCMETER_TRY_ASSIGN(Statement statement,
                       prepare_statement(m_db, "SELECT count(*) FROM responses WHERE id > ?1"));
    sqlite3_bind_int64(statement.get(), 1, after_id);
    if (sqlite3_step(statement.get()) != SQLITE_ROW)
        return sqlite_error(m_db, "cannot count responses");
    return sqlite3_column_int64(statement.get(), 0);
}

namespace {

// The rows aggregate() sums, in the rollups' shape: the rollups themselves, or every stored
// response as a rollup of one (bucket_ms is then the response's own time).
struct RollupLevel {
    const char* table;        // per source
    const char* total_table;  // over all sources (k_total_rollups), or nullptr
    int64_t step_ms;
};
// Coarsest first.
constexpr RollupLevel k_rollup_levels[] = {{"rollups_daily", "totals_daily", 86'400'000},
                                           {"rollups_hourly", "totals_hourly", 3'600'000},
                                           {"rollups", nullptr, k_rollup_bucket_ms}};
constexpr const char* k_response_rows =
    "(SELECT timestamp_ms AS bucket_ms, source_id, model_id, speed, "
    "(input_tokens + cache_creation_input_tokens + cache_read_input_tokens > 200000) AS "
    "long_context, 1 AS responses, input_tokens, output_tokens, cache_creation_input_tokens, "
    "cache_read_input_tokens, cache_5m, cache_1h, web_search_requests, web_fetch_requests, "
    "timestamp_ms AS first_ms, timestamp_ms AS last_ms FROM responses)";
// The same for side calls only (export rows no transcript line claimed; partial index).
constexpr const char* k_side_call_rows =
    "(SELECT timestamp_ms AS bucket_ms, source_id, model_id, speed, "
    "(input_tokens + cache_creation_input_tokens + cache_read_input_tokens > 200000) AS "
    "long_context, 1 AS responses, input_tokens, output_tokens, cache_creation_input_tokens, "
    "cache_read_input_tokens, cache_5m, cache_1h, web_search_requests, web_fetch_requests, "
    "timestamp_ms AS first_ms, timestamp_ms AS last_ms FROM responses "
    "WHERE message_id = '' AND request_id != '')";

// Whether a query may read the rollups over all sources: it neither groups nor filters by
// session or project.
bool over_all_sources(const ResponseFilter& filter, Grouping group) {
    return !groups_by_source(group) && !filter.session_id && !filter.cwd;
}

// `value` rounded up to a multiple of `step` (> 0).
int64_t ceil_to(int64_t value, int64_t step) {
    return -floor_to(-value, step);
}

}  // namespace

Result<const std::string*> UsageStore::model_name(int64_t id) const {
    if (id < 0 || static_cast<size_t>(id) >= m_model_names.size() ||
        m_model_names[static_cast<size_t>(id)].empty()) {
        // Models are never deleted and rarely added: read them all again.
        sqlite3_stmt* s = nullptr;
        if (sqlite3_prepare_v2(m_db, "SELECT id, name FROM models", -1, &s, nullptr) != SQLITE_OK)
            return sqlite_error(m_db, "cannot read models");
        int rc;
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
            const int64_t row_id = sqlite3_column_int64(s, 0);
            if (row_id < 0 || row_id > 1'000'000)
                continue;
            if (static_cast<size_t>(row_id) >= m_model_names.size())
                m_model_names.resize(static_cast<size_t>(row_id) + 1);
            m_model_names[static_cast<size_t>(row_id)] = column_text(s, 1);
        }
        sqlite3_finalize(s);
        if (rc != SQLITE_DONE)
            return sqlite_error(m_db, "cannot read models");
        if (id < 0 || static_cast<size_t>(id) >= m_model_names.size())
            return Error{"unknown model id " + std::to_string(id)};
    }
    return &m_model_names[static_cast<size_t>(id)];
}

Result<void> UsageStore::aggregate(const ResponseFilter& filter, Grouping group, int64_t bucket_ms,
                                   const std::function<void(const AggregateRow&)>& visit) const {
    if (bucket_ms <= 0)
        bucket_ms = 1;
    if (filter.side_calls_only)
        return aggregate_rows(k_side_call_rows, false, filter.since_ms, filter.until_ms, filter,
                              group, bucket_ms, visit);
    const size_t first_level =
        m_row_source == RowSource::responses ? std::size(k_rollup_levels) : 0;
    const ReadSnapshot snapshot(m_db);
    return aggregate_range(first_level, filter.since_ms, filter.until_ms, filter, group, bucket_ms,
                           visit);
}

Result<void> UsageStore::aggregate_range(
    size_t level, std::optional<int64_t> since_ms, std::optional<int64_t> until_ms,
    const ResponseFilter& filter, Grouping group, int64_t bucket_ms,
    const std::function<void(const AggregateRow&)>& visit) const {
    // The coarsest rollups whose buckets the asked bucket size is a multiple of answer for the
    // whole buckets inside [since, until); what lies outside them comes from the next finer
    // level, and in the end from the responses themselves.
    while (level < std::size(k_rollup_levels) && bucket_ms % k_rollup_levels[level].step_ms != 0)
        ++level;
    if (level == std::size(k_rollup_levels))
        return aggregate_rows(k_response_rows, false, since_ms, until_ms, filter, group, bucket_ms,
                              visit);
    const int64_t step = k_rollup_levels[level].step_ms;
    std::optional<int64_t> low, high;
    if (since_ms)
        low = ceil_to(*since_ms, step);
    if (until_ms)
        high = floor_to(*until_ms, step);
    if (low && high && *low >= *high)
        return aggregate_range(level + 1, since_ms, until_ms, filter, group, bucket_ms, visit);
    // Over all sources, a total row of the asked bucket size is one answer row already.
    const bool totals = over_all_sources(filter, group) && k_rollup_levels[level].total_table;
    CCMETER_TRY(
        aggregate_rows(totals ? k_rollup_levels[level].total_table : k_rollup_levels[level].table,
                       totals && bucket_ms == step, low, high, filter, group, bucket_ms, visit));
    if (since_ms && *since_ms < *low)
        CCMETER_TRY(aggregate_range(level + 1, since_ms, low, filter, group, bucket_ms, visit));
    if (until_ms && *high < *until_ms)
        return aggregate_range(level + 1, high, until_ms, filter, group, bucket_ms, visit);
    return {};
}

Result<void> UsageStore::aggregate_rows(
    const char* rows, bool whole_rows, std::optional<int64_t> since_ms,
    std::optional<int64_t> until_ms, const ResponseFilter& filter, Grouping group,
    int64_t bucket_ms, const std::function<void(const AggregateRow&)>& visit) const {
    const std::string bucket =
        since_ms ? "max((r.bucket_ms / ?5) * ?5, ?1)" : "(r.bucket_ms / ?5) * ?5";
    std::string sql;
    if (groups_by_source(group)) {
        // Rows per source, as stored (a source has one session and one cwd): the caller adds
        // up a group's rows, and nothing is sorted here.
        sql = "SELECT r.source_id, r.model_id, " + bucket +
              ", r.speed, r.long_context, r.responses, r.input_tokens, r.output_tokens, "
              "r.cache_creation_input_tokens, r.cache_read_input_tokens, r.cache_5m, r.cache_1h, "
              "r.web_search_requests, r.web_fetch_requests, r.first_ms, r.last_ms FROM " +
              std::string(rows) + " r";
    } else if (whole_rows) {
        // One row per answer row: read as stored, in key order, with no sorting.
        sql =
            "SELECT '', r.model_id, r.bucket_ms, r.speed, r.long_context, r.responses, "
            "r.input_tokens, r.output_tokens, r.cache_creation_input_tokens, "
            "r.cache_read_input_tokens, r.cache_5m, r.cache_1h, r.web_search_requests, "
            "r.web_fetch_requests, r.first_ms, r.last_ms, '' FROM " +
            std::string(rows) + " r";
    } else {
        sql = "SELECT '', r.model_id, " + bucket +
              " AS bucket, r.speed, r.long_context, "
              "sum(r.responses), sum(r.input_tokens), sum(r.output_tokens), "
              "sum(r.cache_creation_input_tokens), sum(r.cache_read_input_tokens), "
              "sum(r.cache_5m), sum(r.cache_1h), sum(r.web_search_requests), "
              "sum(r.web_fetch_requests), min(r.first_ms), max(r.last_ms), '' FROM " +
              std::string(rows) + " r";
    }
    sql += " WHERE 1";
    if (since_ms)
        sql += " AND r.bucket_ms >= ?1";
    if (until_ms)
        sql += " AND r.bucket_ms < ?2";
    if (filter.session_id)
        sql += " AND r.source_id IN (SELECT id FROM sources WHERE session_id = ?3)";
    if (filter.cwd)
        sql += " AND r.source_id IN (SELECT id FROM sources WHERE cwd = ?4)";
    if (!whole_rows && !groups_by_source(group))
        sql += " GROUP BY r.model_id, bucket, r.speed, r.long_context";
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(m_db, sql.c_str(), -1, &s, nullptr) != SQLITE_OK)
        return sqlite_error(m_db, "cannot aggregate responses");
    if (since_ms)
        sqlite3_bind_int64(s, 1, *since_ms);
    if (until_ms)
        sqlite3_bind_int64(s, 2, *until_ms);
    if (filter.session_id)
        bind_text(s, 3, *filter.session_id);
    if (filter.cwd)
        bind_text(s, 4, *filter.cwd);
    if (!whole_rows)
        sqlite3_bind_int64(s, 5, bucket_ms);
    Result<void> read = !groups_by_source(group) ? read_aggregate_rows(s, visit)
                                                 : read_source_rows(s, group, visit);
    sqlite3_finalize(s);
    return read;
}

Result<void> UsageStore::read_source_rows(
    sqlite3_stmt* s, Grouping group, const std::function<void(const AggregateRow&)>& visit) const {
    AggregateRow row;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        CCMETER_TRY_ASSIGN(const SourceNames* source, source_names(sqlite3_column_int64(s, 0)));
        row.group = group == Grouping::session  ? source->session_id
                    : group == Grouping::branch ? source->git_branch
                                                : source->cwd;
        row.detail =
            group == Grouping::session || group == Grouping::branch ? source->cwd : std::string();
        CCMETER_TRY_ASSIGN(const std::string* model, model_name(sqlite3_column_int64(s, 1)));
        row.model = *model;
        row.bucket_start_ms = sqlite3_column_int64(s, 2);
        row.speed = column_text(s, 3);
        row.long_context = sqlite3_column_int(s, 4) != 0;
        row.responses = sqlite3_column_int64(s, 5);
        read_token_columns(s, 6, row.tokens);
        row.first_ms = sqlite3_column_int64(s, 14);
        row.last_ms = sqlite3_column_int64(s, 15);
        visit(row);
    }
    if (rc != SQLITE_DONE)
        return sqlite_error(m_db, "cannot aggregate responses");
    return {};
}

Result<const UsageStore::SourceNames*> UsageStore::source_names(int64_t id) const {
    if (id < 0 || static_cast<size_t>(id) >= m_source_names.size() ||
        !m_source_names[static_cast<size_t>(id)].known) {
        // Sources are never deleted and get ascending ids: read those not read yet.
        sqlite3_stmt* s = nullptr;
        if (sqlite3_prepare_v2(m_db,
                               "SELECT id, session_id, cwd, git_branch FROM sources WHERE id >= ?1",
                               -1, &s, nullptr) != SQLITE_OK)
            return sqlite_error(m_db, "cannot read sources");
        sqlite3_bind_int64(s, 1, std::min(id, static_cast<int64_t>(m_source_names.size())));
        int rc;
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
            const int64_t row_id = sqlite3_column_int64(s, 0);
            if (row_id < 0 || row_id > 100'000'000)
                continue;
            if (static_cast<size_t>(row_id) >= m_source_names.size())
                m_source_names.resize(static_cast<size_t>(row_id) + 1);
            m_source_names[static_cast<size_t>(row_id)] = {column_text(s, 1), column_text(s, 2),
                                                           column_text(s, 3), true};
        }
        sqlite3_finalize(s);
        if (rc != SQLITE_DONE)
            return sqlite_error(m_db, "cannot read sources");
        if (id < 0 || static_cast<size_t>(id) >= m_source_names.size() ||
            !m_source_names[static_cast<size_t>(id)].known)
            return Error{"unknown source id " + std::to_string(id)};
    }
    return &m_source_names[static_cast<size_t>(id)];
}

Result<void> UsageStore::read_aggregate_rows(
    sqlite3_stmt* s, const std::function<void(const AggregateRow&)>& visit) const {
    AggregateRow row;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        row.group = column_text(s, 0);
        CCMETER_TRY_ASSIGN(const std::string* model, model_name(sqlite3_column_int64(s, 1)));
        row.model = *model;
        row.bucket_start_ms = sqlite3_column_int64(s, 2);
        row.speed = column_text(s, 3);
        row.long_context = sqlite3_column_int(s, 4) != 0;
        row.responses = sqlite3_column_int64(s, 5);
        read_token_columns(s, 6, row.tokens);
        row.first_ms = sqlite3_column_int64(s, 14);
        row.last_ms = sqlite3_column_int64(s, 15);
        row.detail = column_text(s, 16);
        visit(row);
    }
    if (rc != SQLITE_DONE)
        return sqlite_error(m_db, "cannot aggregate responses");
    return {};
}

Result<void> UsageStore::aggregate_periods(
    const std::vector<int64_t>& boundaries, const ResponseFilter& filter,
    const std::function<void(const AggregateRow&)>& visit) const {
    if (boundaries.size() < 2 || boundaries.front() >= boundaries.back())
        return {};
    const int64_t first = boundaries.front();
    const int64_t last = boundaries.back();
    if (filter.side_calls_only)
        return aggregate_rows(k_side_call_rows, false, first, last, filter, Grouping::none, 1,
                              visit);
    const ReadSnapshot snapshot(m_db);
    // [low, high) ranges still to read, ascending and disjoint.
    std::vector<std::pair<int64_t, int64_t>> ranges{{first, last}};
    if (m_row_source == RowSource::rollups) {
        for (const RollupLevel& level : k_rollup_levels) {
            const bool totals = over_all_sources(filter, Grouping::none) && level.total_table;
            const int64_t step = level.step_ms;
            // The buckets of this level that an inner boundary cuts: read at a finer level.
            std::vector<int64_t> cut;
            for (size_t i = 1; i + 1 < boundaries.size(); ++i)
                if (boundaries[i] % step != 0 &&
                    (cut.empty() || cut.back() != floor_to(boundaries[i], step)))
                    cut.push_back(floor_to(boundaries[i], step));
            std::string sql =
                std::string(
                    "SELECT '', model_id, bucket_ms, speed, long_context, responses, "
                    "input_tokens, output_tokens, cache_creation_input_tokens, "
                    "cache_read_input_tokens, cache_5m, cache_1h, web_search_requests, "
                    "web_fetch_requests, first_ms, last_ms, '' FROM ") +
                (totals ? level.total_table : level.table) +
                " WHERE bucket_ms >= ?1 AND bucket_ms < ?2";
            if (filter.session_id)
                sql += " AND source_id IN (SELECT id FROM sources WHERE session_id = ?3)";
            if (filter.cwd)
                sql += " AND source_id IN (SELECT id FROM sources WHERE cwd = ?4)";
            sqlite3_stmt* s = nullptr;
            std::vector<std::pair<int64_t, int64_t>> finer;
            auto add_finer = [&](int64_t low, int64_t high) {
                if (low >= high)
                    return;
                if (!finer.empty() && finer.back().second == low)
                    finer.back().second = high;
                else
                    finer.emplace_back(low, high);
            };
            Result<void> read;
            for (const auto& [low, high] : ranges) {
                const int64_t whole_low = ceil_to(low, step);
                const int64_t whole_high = floor_to(high, step);
                const auto cut_low = std::lower_bound(cut.begin(), cut.end(), whole_low);
                const auto cut_high = std::lower_bound(cut_low, cut.end(), whole_high);
                // Nothing whole to read here (or every bucket cut): all of it goes finer.
                if (whole_low >= whole_high ||
                    (whole_high - whole_low) / step <= cut_high - cut_low) {
                    add_finer(low, high);
                    continue;
                }
                if (!s) {
                    if (sqlite3_prepare_v2(m_db, sql.c_str(), -1, &s, nullptr) != SQLITE_OK)
                        return sqlite_error(m_db, "cannot aggregate responses");
                    if (filter.session_id)
                        bind_text(s, 3, *filter.session_id);
                    if (filter.cwd)
                        bind_text(s, 4, *filter.cwd);
                }
                add_finer(low, whole_low);
                // One read of the whole buckets; the cut ones are skipped (a few rows each) and
                // read at the next level.
                sqlite3_reset(s);
                sqlite3_bind_int64(s, 1, whole_low);
                sqlite3_bind_int64(s, 2, whole_high);
                read = read_aggregate_rows(s, [&](const AggregateRow& row) {
                    if (!std::binary_search(cut_low, cut_high, row.bucket_start_ms))
                        visit(row);
                });
                if (!read)
                    break;
                for (auto at = cut_low; at != cut_high; ++at)
                    add_finer(*at, *at + step);
                add_finer(whole_high, high);
            }
            sqlite3_finalize(s);
            if (!read)
                return read;
            ranges = std::move(finer);
            if (ranges.empty())
                return {};
        }
    }
    for (const auto& [low, high] : ranges)
        CCMETER_TRY(
            aggregate_rows(k_response_rows, false, low, high, filter, Grouping::none, 1, visit));
    return {};
}

Result<std::vector<TurnStart>> UsageStore::turn_starts(const std::string& session_id) const {
    std::vector<TurnStart> turns;
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(m_db,
                           "SELECT uuid, timestamp_ms, is_sidechain, agent_id FROM turns "
                           "WHERE session_id = ?1 ORDER BY timestamp_ms",
                           -1, &statement, nullptr) != SQLITE_OK)
        return sqlite_error(m_db, "cannot read turns");
    bind_text(statement, 1, session_id);
    int rc;
    while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {
        TurnStart turn;
        turn.uuid = column_text(statement, 0);
        turn.session_id = session_id;
        turn.timestamp_ms = sqlite3_column_int64(statement, 1);
        turn.is_sidechain = sqlite3_column_int(statement, 2) != 0;
        turn.agent_id = column_text(statement, 3);
        turns.push_back(std::move(turn));
    }
    sqlite3_finalize(statement);
    if (rc != SQLITE_DONE)
        return sqlite_error(m_db, "cannot read turns");
    return turns;
}

Result<std::unordered_map<std::string, std::string>> UsageStore::session_projects() const {
    CCMETER_TRY_ASSIGN(Statement statement,
                       prepare_statement(m_db,
                                         "SELECT session_id, min(cwd) FROM sources WHERE cwd != '' "
                                         "GROUP BY session_id"));
    std::unordered_map<std::string, std::string> projects;
    int rc;
    while ((rc = sqlite3_step(statement.get())) == SQLITE_ROW)
        projects.emplace(column_text(statement.get(), 0), column_text(statement.get(), 1));
    if (rc != SQLITE_DONE)
        return sqlite_error(m_db, "cannot read sources");
    return projects;
}

Result<void> UsageStore::in_snapshot(const std::function<Result<void>()>& work) const {
    const ReadSnapshot snapshot(m_db);
    return work();
}

Result<void> UsageStore::for_each_turn_rollup(
    const std::function<void(const TurnRollupRow&)>& visit) const {
    CCMETER_TRY_ASSIGN(
        Statement statement,
        prepare_statement(m_db,
                          "SELECT session_id, turn_ms, day_ms, model_id, speed, long_context, "
                          "responses, input_tokens, output_tokens, cache_creation_input_tokens, "
                          "cache_read_input_tokens, cache_5m, cache_1h, web_search_requests, "
                          "web_fetch_requests, is_sidechain FROM turn_rollups"));
    sqlite3_stmt* s = statement.get();
    TurnRollupRow row;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        // Rows come in key order: a session's id is read once, not once per row.
        const auto* session = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
        const size_t session_bytes = static_cast<size_t>(sqlite3_column_bytes(s, 0));
        if (std::string_view(session ? session : "", session ? session_bytes : 0) != row.session_id)
            row.session_id.assign(session ? session : "", session ? session_bytes : 0);
        row.turn_ms = sqlite3_column_int64(s, 1);
        row.day_ms = sqlite3_column_int64(s, 2);
        CCMETER_TRY_ASSIGN(const std::string* model, model_name(sqlite3_column_int64(s, 3)));
        row.model = *model;
        row.speed = column_text(s, 4);
        row.long_context = sqlite3_column_int(s, 5) != 0;
        row.responses = sqlite3_column_int64(s, 6);
        read_token_columns(s, 7, row.tokens);
        row.is_sidechain = sqlite3_column_int(s, 15) != 0;
        visit(row);
    }
    if (rc != SQLITE_DONE)
        return sqlite_error(m_db, "cannot read turn rollups");
    return {};
}

Result<void> UsageStore::for_each_turn_rollup(
    const std::string& session_id, const std::function<void(const TurnRollupRow&)>& visit,
    std::optional<int64_t> turn_ms) const {
    const std::string sql =
        std::string(
            "SELECT turn_ms, day_ms, model_id, speed, long_context, responses, "
            "input_tokens, output_tokens, cache_creation_input_tokens, "
            "cache_read_input_tokens, cache_5m, cache_1h, web_search_requests, "
            "web_fetch_requests, is_sidechain FROM turn_rollups WHERE session_id = ?1") +
        (turn_ms ? " AND turn_ms = ?2" : " ORDER BY turn_ms");
    CCMETER_TRY_ASSIGN(Statement statement, prepare_statement(m_db, sql.c_str()));
    sqlite3_stmt* s = statement.get();
    bind_text(s, 1, session_id);
    if (turn_ms)
        sqlite3_bind_int64(s, 2, *turn_ms);
    TurnRollupRow row;
    row.session_id = session_id;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        row.turn_ms = sqlite3_column_int64(s, 0);
        row.day_ms = sqlite3_column_int64(s, 1);
        CCMETER_TRY_ASSIGN(const std::string* model, model_name(sqlite3_column_int64(s, 2)));
        row.model = *model;
        row.speed = column_text(s, 3);
        row.long_context = sqlite3_column_int(s, 4) != 0;
        row.responses = sqlite3_column_int64(s, 5);
        read_token_columns(s, 6, row.tokens);
        row.is_sidechain = sqlite3_column_int(s, 14) != 0;
        visit(row);
    }
    if (rc != SQLITE_DONE)
        return sqlite_error(m_db, "cannot read turn rollups");
    return {};
}

Result<void> UsageStore::for_each_agent_rollup(
    const std::string& session_id, const std::function<void(const AgentRollupRow&)>& visit) const {
    CCMETER_TRY_ASSIGN(
        Statement statement,
        prepare_statement(
            m_db,
            "SELECT s.agent_id, r.bucket_ms, r.model_id, r.speed, r.long_context, r.responses, "
            "r.input_tokens, r.output_tokens, r.cache_creation_input_tokens, "
            "r.cache_read_input_tokens, r.cache_5m, r.cache_1h, r.web_search_requests, "
            "r.web_fetch_requests, r.first_ms FROM sources s JOIN rollups r ON r.source_id = s.id "
            "WHERE s.session_id = ?1 AND s.is_sidechain = 1"));
    sqlite3_stmt* s = statement.get();
    bind_text(s, 1, session_id);
    AgentRollupRow row;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const auto* agent = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
        const size_t agent_bytes = static_cast<size_t>(sqlite3_column_bytes(s, 0));
        if (std::string_view(agent ? agent : "", agent ? agent_bytes : 0) != row.agent_id)
            row.agent_id.assign(agent ? agent : "", agent ? agent_bytes : 0);
        row.day_ms = floor_to(sqlite3_column_int64(s, 1), k_day_ms);
        CCMETER_TRY_ASSIGN(const std::string* model, model_name(sqlite3_column_int64(s, 2)));
        if (row.model != *model)
            row.model = *model;
        row.speed = column_text(s, 3);
        row.long_context = sqlite3_column_int(s, 4) != 0;
        row.responses = sqlite3_column_int64(s, 5);
        read_token_columns(s, 6, row.tokens);
        row.first_ms = sqlite3_column_int64(s, 14);
        visit(row);
    }
    if (rc != SQLITE_DONE)
        return sqlite_error(m_db, "cannot read rollups");
    return {};
}

Result<std::unordered_map<std::string, int64_t>> UsageStore::first_response_times() const {
    CCMETER_TRY_ASSIGN(
        Statement statement,
        prepare_statement(m_db,
                          "SELECT session_id, (SELECT min(timestamp_ms) FROM responses WHERE "
                          "source_id = s.id) FROM sources s"));
    sqlite3_stmt* s = statement.get();
    std::unordered_map<std::string, int64_t> firsts;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (sqlite3_column_type(s, 1) == SQLITE_NULL)
            continue;
        const int64_t at = sqlite3_column_int64(s, 1);
        auto [found, inserted] = firsts.try_emplace(column_text(s, 0), at);
        if (!inserted)
            found->second = std::min(found->second, at);
    }
    if (rc != SQLITE_DONE)
        return sqlite_error(m_db, "cannot read sources");
    return firsts;
}

Result<std::vector<UsageStore::SessionSource>> UsageStore::session_sources(
    const std::string& session_id) const {
    // Each min and max is one seek of responses_by_source.
    CCMETER_TRY_ASSIGN(
        Statement statement,
        prepare_statement(m_db,
                          "SELECT id, cwd, (SELECT min(timestamp_ms) FROM responses WHERE "
                          "source_id = s.id), (SELECT max(timestamp_ms) FROM responses WHERE "
                          "source_id = s.id) FROM sources s WHERE session_id = ?1 ORDER BY id"));
    sqlite3_stmt* s = statement.get();
    bind_text(s, 1, session_id);
    std::vector<SessionSource> sources;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (sqlite3_column_type(s, 2) == SQLITE_NULL)
            continue;
        sources.push_back({sqlite3_column_int64(s, 0), column_text(s, 1),
                           sqlite3_column_int64(s, 2), sqlite3_column_int64(s, 3)});
    }
    if (rc != SQLITE_DONE)
        return sqlite_error(m_db, "cannot read sources");
    return sources;
}

Result<UsageStore::ResponsePage> UsageStore::session_response_page(const std::string& session_id,
                                                                   std::optional<int64_t> before_ms,
                                                                   size_t limit) const {
    const int64_t before = before_ms.value_or(std::numeric_limits<int64_t>::max());
    ResponsePage page;
    // The oldest time the page reaches: the limit-th newest time before `before`, merged from
    // each source's newest (an index walk of at most `limit` entries per source).
    int64_t from = std::numeric_limits<int64_t>::min();
    if (limit > 0) {
        CCMETER_TRY_ASSIGN(Statement sources,
                           prepare_statement(m_db, "SELECT id FROM sources WHERE session_id = ?1"));
        bind_text(sources.get(), 1, session_id);
        std::vector<int64_t> ids;
        int rc;
        while ((rc = sqlite3_step(sources.get())) == SQLITE_ROW)
            ids.push_back(sqlite3_column_int64(sources.get(), 0));
        if (rc != SQLITE_DONE)
            return sqlite_error(m_db, "cannot read sources");
        CCMETER_TRY_ASSIGN(Statement newest,
                           prepare_statement(m_db,
                                             "SELECT timestamp_ms FROM responses WHERE source_id "
                                             "= ?1 AND timestamp_ms < ?2 ORDER BY timestamp_ms "
                                             "DESC LIMIT ?3"));
        std::vector<int64_t> times;
        for (int64_t id : ids) {
            sqlite3_reset(newest.get());
            sqlite3_bind_int64(newest.get(), 1, id);
            sqlite3_bind_int64(newest.get(), 2, before);
            sqlite3_bind_int64(newest.get(), 3,
                               static_cast<int64_t>(std::min<size_t>(limit, INT64_MAX)));
            while ((rc = sqlite3_step(newest.get())) == SQLITE_ROW)
                times.push_back(sqlite3_column_int64(newest.get(), 0));
            if (rc != SQLITE_DONE)
                return sqlite_error(m_db, "cannot read responses");
        }
        // Fewer than `limit` in all: every one fits. Else a source may hold more than it gave.
        if (times.size() >= limit) {
            std::nth_element(times.begin(), times.begin() + static_cast<std::ptrdiff_t>(limit - 1),
                             times.end(), std::greater<>());
            from = times[limit - 1];
            CCMETER_TRY_ASSIGN(
                Statement older,
                prepare_statement(m_db,
                                  "SELECT 1 FROM responses WHERE source_id IN (SELECT id FROM "
                                  "sources WHERE session_id = ?1) AND timestamp_ms < ?2 LIMIT 1"));
            bind_text(older.get(), 1, session_id);
            sqlite3_bind_int64(older.get(), 2, from);
            rc = sqlite3_step(older.get());
            if (rc != SQLITE_ROW && rc != SQLITE_DONE)
                return sqlite_error(m_db, "cannot read responses");
            page.more = rc == SQLITE_ROW;
        }
    }
    const std::string sql = std::string(k_select_responses_sql) +
                            " WHERE r.source_id IN (SELECT id FROM sources WHERE session_id = ?1)"
                            " AND r.timestamp_ms >= ?2 AND r.timestamp_ms < ?3"
                            " ORDER BY r.timestamp_ms, r.id";
    CCMETER_TRY_ASSIGN(Statement statement, prepare_statement(m_db, sql.c_str()));
    sqlite3_stmt* s = statement.get();
    bind_text(s, 1, session_id);
    sqlite3_bind_int64(s, 2, from);
    sqlite3_bind_int64(s, 3, before);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        page.responses.emplace_back();
        read_response_columns(s, page.responses.back());
    }
    if (rc != SQLITE_DONE)
        return sqlite_error(m_db, "cannot read responses");
    return page;
}

Result<std::optional<std::pair<int64_t, std::string>>> UsageStore::first_response_of(
    const std::string& session_id, int64_t since_ms) const {
    CCMETER_TRY_ASSIGN(
        Statement statement,
        prepare_statement(m_db,
                          "SELECT r.timestamp_ms, s.cwd FROM responses r JOIN sources s ON "
                          "s.id = r.source_id WHERE r.source_id IN (SELECT id FROM sources "
                          "WHERE session_id = ?1) AND r.timestamp_ms >= ?2 "
                          "ORDER BY r.timestamp_ms, r.id LIMIT 1"));
    sqlite3_stmt* s = statement.get();
    bind_text(s, 1, session_id);
    sqlite3_bind_int64(s, 2, since_ms);
    const int rc = sqlite3_step(s);
    if (rc == SQLITE_DONE)
        return std::optional<std::pair<int64_t, std::string>>();
    if (rc != SQLITE_ROW)
        return sqlite_error(m_db, "cannot read responses");
    return std::optional<std::pair<int64_t, std::string>>(
        std::pair{sqlite3_column_int64(s, 0), column_text(s, 1)});
}

Result<int64_t> UsageStore::change_seq() const {
    return scalar("SELECT coalesce((SELECT seq FROM change_clock), 0)");
}

Result<std::vector<std::string>> UsageStore::sessions_changed_after(int64_t after_seq,
                                                                    size_t limit) const {
    CCMETER_TRY_ASSIGN(Statement statement,
                       prepare_statement(m_db,
                                         "SELECT session_id FROM session_changes WHERE "
                                         "change_seq > ?1 LIMIT ?2"));
    sqlite3_bind_int64(statement.get(), 1, after_seq);
    sqlite3_bind_int64(statement.get(), 2, static_cast<int64_t>(limit) + 1);
    std::vector<std::string> sessions;
    int rc;
    while ((rc = sqlite3_step(statement.get())) == SQLITE_ROW)
        sessions.push_back(column_text(statement.get(), 0));
    if (rc != SQLITE_DONE)
        return sqlite_error(m_db, "cannot read changed sessions");
    return sessions;
}

Result<std::vector<int64_t>> UsageStore::main_turn_starts(const std::string& session_id) const {
    CCMETER_TRY_ASSIGN(Statement statement,
                       prepare_statement(m_db,
                                         "SELECT timestamp_ms FROM turns WHERE session_id = ?1 "
                                         "AND is_sidechain = 0 ORDER BY timestamp_ms"));
    bind_text(statement.get(), 1, session_id);
    std::vector<int64_t> starts;
    int rc;
    while ((rc = sqlite3_step(statement.get())) == SQLITE_ROW)
        starts.push_back(sqlite3_column_int64(statement.get(), 0));
    if (rc != SQLITE_DONE)
        return sqlite_error(m_db, "cannot read turns");
    return starts;
}

Result<std::unordered_map<std::string, std::vector<int64_t>>> UsageStore::main_turn_starts() const {
    CCMETER_TRY_ASSIGN(
        Statement statement,
        prepare_statement(m_db,
                          "SELECT session_id, timestamp_ms FROM turns "
                          "WHERE is_sidechain = 0 ORDER BY session_id, timestamp_ms"));
    std::unordered_map<std::string, std::vector<int64_t>> starts;
    std::vector<int64_t>* mine = nullptr;
    std::string session;
    int rc;
    while ((rc = sqlite3_step(statement.get())) == SQLITE_ROW) {
        const std::string id = column_text(statement.get(), 0);
        if (!mine || id != session) {
            session = id;
            mine = &starts[session];
        }
        mine->push_back(sqlite3_column_int64(statement.get(), 1));
    }
    if (rc != SQLITE_DONE)
        return sqlite_error(m_db, "cannot read turns");
    return starts;
}

Result<void> UsageStore::record_status(const StatusPayload& payload, int64_t observed_ms) {
    return store_status_sample(m_db, payload, observed_ms);
}

Result<std::vector<LimitSample>> UsageStore::rate_limit_history(int64_t since_ms) const {
    return read_rate_limit_history(m_db, since_ms);
}

Result<std::optional<RateLimitSample>> UsageStore::latest_rate_limits() const {
    return read_latest_rate_limits(m_db);
}

Result<std::optional<std::pair<int64_t, int64_t>>> UsageStore::response_time_range() const {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(m_db,
                           "SELECT (SELECT min(timestamp_ms) FROM responses), (SELECT "
                           "max(timestamp_ms) FROM responses)",
                           -1, &s, nullptr) != SQLITE_OK)
        return sqlite_error(m_db, "cannot read the time range");
    std::optional<std::pair<int64_t, int64_t>> range;
    const int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
        range.emplace(sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1));
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW)
        return sqlite_error(m_db, "cannot read the time range");
    return range;
}

Result<int64_t> UsageStore::file_count() const {
    return scalar("SELECT count(*) FROM files");
}

Result<void> UsageStore::checkpoint() {
    if (sqlite3_wal_checkpoint_v2(m_db, nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr) !=
        SQLITE_OK)
        return sqlite_error(m_db, "cannot checkpoint");
    return {};
}

void UsageStore::release_cache_memory() {
    sqlite3_db_release_memory(m_db);
}

int64_t UsageStore::cache_used_bytes() const {
    int current = 0;
    int highwater = 0;
    sqlite3_db_status(m_db, SQLITE_DBSTATUS_CACHE_USED, &current, &highwater, 0);
    return current;
}

}  // namespace ccmeter

namespace ccmeter {

Result<std::vector<ToolCallTimes>> UsageStore::tool_call_times(const ResponseFilter& filter) const {
    return read_tool_call_times(m_db, filter);
}

Result<void> UsageStore::for_each_tool_call(
    const std::optional<std::string>& session_id,
    const std::function<void(const ToolCallRow&)>& visit) const {
    return read_tool_calls(m_db, session_id, visit);
}

Result<std::vector<std::string>> UsageStore::tool_sessions_changed_after(int64_t after_seq,
                                                                         size_t limit) const {
    return read_tool_sessions_changed_after(m_db, after_seq, limit);
}

Result<std::vector<ClientCostState>> UsageStore::cost_states(
    const std::optional<std::string>& session_id) const {
    return load_cost_states(m_db, session_id);
}

}  // namespace ccmeter

namespace ccmeter {

Result<void> UsageStore::commit_client_events(const ClientEvents& events, int64_t received_ms) {
    // A failure anywhere rolls the transaction back, and with it the ids interned in it: forget
    // them all, or a retry would store rows pointing at models and sources that do not exist.
    OnFailure forget{[this] {
        m_model_ids.clear();
        m_source_ids.clear();
    }};
    Transaction transaction(m_db);
    if (!transaction.begin())
        return sqlite_error(m_db, "cannot begin transaction");
    CCMETER_TRY_ASSIGN(const int64_t change_seq, next_change_seq());
    auto prepare = [&](const char* sql) { return prepare_statement(m_db, sql); };
    CCMETER_TRY_ASSIGN(
        Statement upsert_request,
        prepare("INSERT INTO client_requests VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
                "?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19) ON CONFLICT(request_id) DO UPDATE "
                "SET input_tokens = max(input_tokens, excluded.input_tokens), "
                "output_tokens = max(output_tokens, excluded.output_tokens), "
                "cache_read_input_tokens = max(cache_read_input_tokens, "
                "excluded.cache_read_input_tokens), "
                "cache_creation_input_tokens = max(cache_creation_input_tokens, "
                "excluded.cache_creation_input_tokens), "
                "cache_5m = max(cache_5m, excluded.cache_5m), "
                "cache_1h = max(cache_1h, excluded.cache_1h), "
                "cost_pico = max(cost_pico, excluded.cost_pico), "
                "duration_ms = max(duration_ms, excluded.duration_ms)"));
    CCMETER_TRY_ASSIGN(Statement merge, prepare(k_merge_client_request_sql));
    CCMETER_TRY_ASSIGN(Statement session_source,
                       prepare("SELECT cwd, git_branch, version FROM sources WHERE session_id = ?1 "
                               "AND is_sidechain = 0 ORDER BY id LIMIT 1"));
    CCMETER_TRY_ASSIGN(Statement insert_tool,
                       prepare("INSERT OR IGNORE INTO tool_runs VALUES(?1, ?2, ?3, ?4, ?5, ?6)"));
    std::vector<UsageRecord> unmatched;
    for (const ClientRequest& request : events.requests) {
        sqlite3_stmt* u = upsert_request.get();
        const std::string* texts[] = {&request.request_id, &request.session_id, &request.prompt_id,
                                      &request.model};
        for (int i = 0; i < 4; ++i)
            bind_text(u, 1 + i, *texts[i]);
        const TokenCounts& t = request.tokens;
        const int64_t numbers[] = {t.input_tokens,
                                   t.output_tokens,
                                   t.cache_read_input_tokens,
                                   t.cache_creation_input_tokens,
                                   t.cache_5m,
                                   t.cache_1h,
                                   request.cost_pico_usd,
                                   request.duration_ms};
        for (int i = 0; i < 8; ++i)
            sqlite3_bind_int64(u, 5 + i, numbers[i]);
        if (request.ttft_ms)
            sqlite3_bind_int64(u, 13, *request.ttft_ms);
        else
            sqlite3_bind_null(u, 13);
        bind_text(u, 14, request.query_source);
        bind_text(u, 15, request.agent_name);
        bind_text(u, 16, request.speed);
        bind_text(u, 17, request.effort);
        sqlite3_bind_int64(u, 18, request.timestamp_ms);
        sqlite3_bind_int64(u, 19, received_ms);
        if (!step_done(u))
            return sqlite_error(m_db, "cannot store a client request");

        sqlite3_stmt* m = merge.get();
        bind_text(m, 1, request.request_id);
        const int64_t fields[] = {t.input_tokens,
                                  t.output_tokens,
                                  t.cache_creation_input_tokens,
                                  t.cache_read_input_tokens,
                                  t.cache_5m,
                                  t.cache_1h};
        for (int i = 0; i < 6; ++i)
            sqlite3_bind_int64(m, 2 + i, fields[i]);
        sqlite3_bind_int64(m, 8, change_seq);
        if (!step_done(m))
            return sqlite_error(m_db, "cannot merge a client request");
        if (sqlite3_changes(m_db) > 0)
            continue;
        // No transcript row yet (or never: a side call): a row of its own, claimed later.
        UsageRecord record;
        record.request_id = request.request_id;
        record.model = request.model;
        record.timestamp_ms = request.timestamp_ms;
        record.session_id = request.session_id;
        record.is_sidechain = request.query_source.rfind("agent:", 0) == 0;
        record.speed = request.speed;
        record.tokens = t;
        sqlite3_stmt* q = session_source.get();
        bind_text(q, 1, request.session_id);
        if (sqlite3_step(q) == SQLITE_ROW) {
            record.cwd = column_text(q, 0);
            record.git_branch = column_text(q, 1);
            record.version = column_text(q, 2);
        }
        sqlite3_reset(q);
        unmatched.push_back(std::move(record));
    }
    CCMETER_TRY(write_responses(unmatched, false, change_seq));
    for (const ToolRun& run : events.tool_runs) {
        sqlite3_stmt* t = insert_tool.get();
        bind_text(t, 1, run.session_id);
        bind_text(t, 2, run.tool_name);
        bind_text(t, 3, run.tool_use_id);
        sqlite3_bind_int64(t, 4, run.duration_ms);
        sqlite3_bind_int(t, 5, run.success ? 1 : 0);
        sqlite3_bind_int64(t, 6, run.timestamp_ms);
        if (!step_done(t))
            return sqlite_error(m_db, "cannot store a tool run");
    }
    if (!transaction.commit())
        return sqlite_error(m_db, "cannot commit");
    forget.armed = false;
    return {};
}

Result<int64_t> UsageStore::side_call_count() const {
    return scalar("SELECT count(*) FROM responses WHERE message_id = '' AND request_id != ''");
}

Result<int64_t> UsageStore::next_change_seq() {
    if (sqlite3_step(m_next_change_seq) != SQLITE_ROW) {
        sqlite3_reset(m_next_change_seq);
        return sqlite_error(m_db, "cannot number a change");
    }
    const int64_t seq = sqlite3_column_int64(m_next_change_seq, 0);
    sqlite3_reset(m_next_change_seq);
    return seq;
}

Result<void> UsageStore::enable_change_feed() {
    if (sqlite3_exec(m_db,
                     "CREATE INDEX IF NOT EXISTS responses_by_change ON responses(change_seq)",
                     nullptr, nullptr, nullptr) != SQLITE_OK)
        return sqlite_error(m_db, "cannot index the change feed");
    return {};
}

Result<std::vector<ChangedResponse>> UsageStore::changed_responses(const ChangeCursor& after,
                                                                   size_t limit) const {
    // Every column of k_select_responses_sql, then the change number (22).
    std::string query = k_select_responses_sql;
    query.insert(query.find(" FROM responses r"), ", r.change_seq");
    query +=
        " WHERE (r.change_seq, r.id) > (?1, ?2) AND r.message_id != '' "
        "ORDER BY r.change_seq, r.id LIMIT ?3";
    CCMETER_TRY_ASSIGN(Statement s, prepare_statement(m_db, query.c_str()));
    sqlite3_bind_int64(s.get(), 1, after.change_seq);
    sqlite3_bind_int64(s.get(), 2, after.row_id);
    sqlite3_bind_int64(s.get(), 3, static_cast<int64_t>(limit));
    std::vector<ChangedResponse> rows;
    int rc;
    while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
        ChangedResponse& row = rows.emplace_back();
        read_response_columns(s.get(), row.record);
        row.position.row_id = sqlite3_column_int64(s.get(), 21);
        row.position.change_seq = sqlite3_column_int64(s.get(), 22);
    }
    if (rc != SQLITE_DONE)
        return sqlite_error(m_db, "cannot read changed responses");
    return rows;
}

Result<int64_t> UsageStore::changes_after(const ChangeCursor& after) const {
    CCMETER_TRY_ASSIGN(Statement s, prepare_statement(m_db,
                                                      "SELECT count(*) FROM responses WHERE "
                                                      "(change_seq, id) > (?1, ?2) AND "
                                                      "message_id != ''"));
    sqlite3_bind_int64(s.get(), 1, after.change_seq);
    sqlite3_bind_int64(s.get(), 2, after.row_id);
    if (sqlite3_step(s.get()) != SQLITE_ROW)
        return sqlite_error(m_db, "cannot count changed responses");
    return sqlite3_column_int64(s.get(), 0);
}

Result<ChangeCursor> UsageStore::change_cursor(const std::string& consumer) const {
    CCMETER_TRY_ASSIGN(
        Statement s,
        prepare_statement(m_db,
                          "SELECT change_seq, row_id FROM change_cursors WHERE consumer = ?1"));
    bind_text(s.get(), 1, consumer);
    ChangeCursor cursor;
    const int rc = sqlite3_step(s.get());
    if (rc == SQLITE_ROW) {
        cursor.change_seq = sqlite3_column_int64(s.get(), 0);
        cursor.row_id = sqlite3_column_int64(s.get(), 1);
    } else if (rc != SQLITE_DONE) {
        return sqlite_error(m_db, "cannot read a change cursor");
    }
    return cursor;
}

Result<void> UsageStore::set_change_cursor(const std::string& consumer,
                                           const ChangeCursor& cursor) {
    CCMETER_TRY_ASSIGN(
        Statement s,
        prepare_statement(m_db,
                          "INSERT INTO change_cursors VALUES(?1, ?2, ?3, CAST((julianday('now') - "
                          "2440587.5) * 86400000 AS INTEGER)) ON CONFLICT(consumer) DO UPDATE SET "
                          "change_seq = excluded.change_seq, row_id = excluded.row_id, "
                          "updated_ms = excluded.updated_ms"));
    bind_text(s.get(), 1, consumer);
    sqlite3_bind_int64(s.get(), 2, cursor.change_seq);
    sqlite3_bind_int64(s.get(), 3, cursor.row_id);
    if (!step_done(s.get()))
        return sqlite_error(m_db, "cannot store a change cursor");
    return {};
}

}  // namespace ccmeter
