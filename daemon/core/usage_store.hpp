// ccmeter's history: SQLite (WAL) holding one row per API response, the turn starts, and how far
// each transcript file has been read.
//
// Contract:
// - One row per (message_id, request_id) across all files and restarts. Writing a response
//   that is already stored keeps each token field's maximum; the metadata of a main-chain line
//   replaces that of a sidechain replay; otherwise the first writer's metadata stays.
//   Writing the same lines twice therefore changes nothing, which is what makes re-reading a
//   file from byte 0 safe.
// - A file's offset is committed in the same transaction as the rows read below it, so a crash
//   at any point neither loses nor doubles a response.
// - Rows are never deleted when a transcript disappears: history outlives Claude Code's cleanup.
// - Only token metadata is stored, never message content.
//
// Threads: a UsageStore owns one SQLite connection; use it from one thread at a time. Other
// processes may read the same database concurrently (WAL).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/error.hpp"
#include "core/client_cost_state.hpp"
#include "core/client_events.hpp"
#include "core/grouping.hpp"
#include "core/ingest_batch.hpp"
#include "core/response_filter.hpp"
#include "core/response_key_index.hpp"
#include "core/status_sample_rows.hpp"
#include "core/tool_call_rows.hpp"
#include "core/usage_record.hpp"

// SQLite's handles, declared here so that sqlite3.h stays out of this header.
struct sqlite3;
struct sqlite3_stmt;

namespace ccmeter {

// SQLite's page cache per connection, in KiB (PRAGMA cache_size=-N). Heap memory, so it counts
// in the daemon's RSS, once per connection (the writer, and up to
// MeterQueriesOptions::max_readers readers).
// The writer's (open()): 8 MiB. A first backfill writes no random-key index any more (its keys
// are in memory, ResponseKeyIndex), and 8 MiB backfills 10 GB as fast as 16 did (15.6 s) with
// a peak RSS of 83 MB instead of 107 (64 MiB, before that change, was 10% less CPU but raised
// a 1 GB backfill's peak RSS to 131 MB, bench/README.md). Once a backfill is done,
// release_cache_memory() gives it back.
constexpr int64_t k_write_cache_kib = 8 * 1024;
// The most response keys a first backfill keeps in memory (set_bulk_key_limit): 1,572,864, what
// ResponseKeyIndex holds in 2^21 slots (16 MB) before it would double; about 14 GB of history
// (10 GB: 1.1 million). A larger history's load writes its remaining responses through
// responses_by_key, slower but within the same memory.
constexpr size_t k_bulk_key_limit = (size_t{1} << 21) / 4 * 3;
// A reader's (open_read_only()): 2 MiB, SQLite's usual default made explicit. The reports read
// the rollups (a few MB in all at 10 GB) and the raw rows in key order, which the system's file
// cache serves as well: a larger cache changes no report's time (bench/queries).
constexpr int64_t k_read_cache_kib = 2 * 1024;
// No connection maps the database file (PRAGMA mmap_size=0, whatever SQLite's build default):
// mapped pages would count in RSS by the size of the file, a GB or more.
constexpr int64_t k_mmap_bytes = 0;

// aggregate() groups by a source column (groups_by_source: session, project, branch, the
// latter with the cwd as the row's detail) besides model, time bucket, speed and tier; any
// other Grouping reads rows over all sources (each still per model and bucket).

// Where aggregate() takes its sums from. `rollups` (what every report uses) and `responses` (the
// stored rows themselves, for tests that hold the rollups to them) give the same answers.
enum class RowSource { rollups, responses };

// The rollups' time resolution: sums per 15-minute UTC bucket (every time zone's offset is a
// multiple of it, so local days, weeks and hours are whole buckets), and again per UTC hour and
// day; each level both per source and over all sources (for the reports that neither group nor
// filter by session or project).
constexpr int64_t k_rollup_bucket_ms = 900'000;

// The summed responses of one (group, model, time bucket, speed, tier).
struct AggregateRow {
    std::string group;  // session id or cwd; empty for Grouping::none
    std::string model;
    int64_t bucket_start_ms = 0;
    std::string speed;
    bool long_context = false;  // every response was over k_long_context_threshold_tokens
    int64_t first_ms = 0;       // the earliest and latest response in the row
    int64_t last_ms = 0;
    std::string detail;  // for Grouping::session: the session's (smallest) cwd
    int64_t responses = 0;
    TokenCounts tokens;
};

struct StatusPayload;
class TurnRollupWriter;

// One row of the turn rollups (turn_rollup_rows.hpp): a turn's responses of one UTC day, model,
// speed and tier.
struct TurnRollupRow {
    std::string session_id;
    int64_t turn_ms = -1;  // the turn's prompt; -1: the responses before the session's first
    int64_t day_ms = 0;
    std::string model;
    std::string speed;
    bool long_context = false;
    bool is_sidechain = false;  // subagents' responses; a turn has a row for each chain
    int64_t responses = 0;
    TokenCounts tokens;
};

// One rollup row (15-minute UTC bucket, model, speed, tier) of one subagent of a session.
struct AgentRollupRow {
    std::string agent_id;  // "" for sidechain lines without one
    int64_t day_ms = 0;    // the bucket's UTC day
    std::string model;
    std::string speed;
    bool long_context = false;
    int64_t responses = 0;
    TokenCounts tokens;
    int64_t first_ms = 0;  // the row's earliest response
};

// A position in the change feed: every response whose (change_seq, row id) is larger changed
// after it. {0, 0} is before everything.
struct ChangeCursor {
    int64_t change_seq = 0;
    int64_t row_id = 0;
};

// A response as stored now, and where it stands in the change feed.
struct ChangedResponse {
    UsageRecord record;
    ChangeCursor position;
};

class UsageStore {
  public:
    // Opens (creating and migrating as needed) the database at `path`; its parent directory is
    // created with mode 0700.
    static Result<std::unique_ptr<UsageStore>> open(const std::filesystem::path& path);
    // Opens an existing database for queries only (another connection writes).
    static Result<std::unique_ptr<UsageStore>> open_read_only(const std::filesystem::path& path);
    ~UsageStore();
    UsageStore(const UsageStore&) = delete;
    UsageStore& operator=(const UsageStore&) = delete;

    Result<int> schema_version() const;
    // The schema this build creates and migrates to (k_database_schema_version).
    static int current_schema_version();
    // The tables a database of schema `version` (0..current) holds, sorted by name: what
    // its migrations create (run on an in-memory database, so the list cannot drift from them).
    static Result<std::vector<std::string>> schema_tables(int version);

    // The stored state of one file; nullopt when the file was never read.
    Result<std::optional<FileState>> file_state(const std::string& path) const;
    // The turn starts of one session, main chain and sidechains, in time order.
    Result<std::vector<TurnStart>> turn_starts(const std::string& session_id) const;
    // Every session's project: the smallest non-empty cwd of its responses (as the session
    // reports give it).
    Result<std::unordered_map<std::string, std::string>> session_projects() const;
    // The main chain's turn starts (prompts) of every session, ascending per session.
    Result<std::unordered_map<std::string, std::vector<int64_t>>> main_turn_starts() const;
    // The change number of the last commit (change_clock; 0 before any).
    Result<int64_t> change_seq() const;
    // The sessions whose turn rollups changed in a commit numbered after `after_seq`, at most
    // `limit` + 1 of them (more than `limit`: too many to be worth reading one by one).
    Result<std::vector<std::string>> sessions_changed_after(int64_t after_seq, size_t limit) const;
    // The main-chain prompt times of one session, ascending (index turns_by_session alone).
    Result<std::vector<int64_t>> main_turn_starts(const std::string& session_id) const;
    // Every file's state, by path.
    Result<std::unordered_map<std::string, FileState>> file_states() const;

    // Stores `batch` in one transaction: write_batch(batch) then end_bulk_load().
    Result<void> commit(const IngestBatch& batch);

    // Group commit (a backfill's batches, BatchWriter): write_batch() stores a batch inside the
    // write transaction it begins, or that an earlier write_batch() left open; commit_batches()
    // commits every batch written since (nothing to do when none is open). Until then other
    // connections see none of them, and a crash loses them all, offsets included, so the files
    // are read again from the offsets committed before: the same guarantee as one batch per
    // transaction, for fewer commits (each rewrites every page its rows touched). A failure in
    // either rolls back every batch of the open group; the error says so.
    Result<void> write_batch(const IngestBatch& batch);
    Result<void> commit_batches();
    // Whether write_batch() left a transaction open.
    bool has_open_batches() const { return m_group_open; }

    // Bulk load (a first backfill: BatchWriter calls these). While no response is stored, the
    // write_batch() that begins a group drops, in that transaction, the indexes queries read
    // responses by (k_deferred_response_indexes: by time) and the unique key that merges a
    // response's lines (responses_by_key: the load finds its stored keys in memory,
    // ResponseKeyIndex, about 16 MB at 10 GB); the coarser rollup levels lose their triggers
    // (defer_rollup_levels: `rollups` alone is kept); and its tool calls are staged
    // (store_tool_calls), not merged into tool_calls. end_bulk_load() commits any open group,
    // merges the staged calls in key order (merge_staged_tool_calls), fills the coarser levels
    // from `rollups` and gives them their triggers back (restore_rollup_levels), each in a
    // transaction of its own, and builds the indexes again, in one sorted pass over all rows
    // instead of one random B-tree insert per row; it does nothing when none was dropped.
    // Queries in between are answered, only without those indexes, with coarser levels that
    // lag behind (reports that read them show less until the load ends) and without the staged
    // tool calls (the tools report counts them once the load ends). open() merges, fills and
    // builds whatever a crash in between left staged, behind or missing.
    Result<void> end_bulk_load();

    // Stores what the client's OpenTelemetry export reported (client_events.hpp), received at
    // `received_ms`, in one transaction. One response per request, whatever the sources: an
    // api_request whose request id a stored response has merges into it (each token field its
    // maximum); one without becomes a response row of its own (message id empty: a side call
    // such as a session title, or a call whose transcript line is not read yet, which claims
    // the row when it comes). Repeated exports change nothing.
    Result<void> commit_client_events(const ClientEvents& events, int64_t received_ms);

    // Responses only the client's export knows (no transcript line has claimed them).
    Result<int64_t> side_call_count() const;

    // Calls `visit` for every stored response matching `filter`, in timestamp order.
    Result<void> for_each_response(const ResponseFilter& filter,
                                   const std::function<void(const UsageRecord&)>& visit) const;

    // Calls `page` with the responses matching `filter` in (timestamp, row id) order, at most
    // `page_rows` at a time, every page read from one read transaction: one consistent snapshot
    // while another connection goes on writing (WAL), and memory for one page whatever the
    // history holds. `page` returns false to stop. Holds the snapshot until it returns, so the
    // WAL cannot be checkpointed past it meanwhile.
    Result<void> for_each_response_page(
        const ResponseFilter& filter, size_t page_rows,
        const std::function<bool(const std::vector<UsageRecord>&)>& page) const;

    // The `limit` most recent responses matching `filter` (its time range, session and cwd),
    // newest first (by timestamp, then by when they were stored).
    Result<std::vector<UsageRecord>> latest_responses(const ResponseFilter& filter,
                                                      size_t limit) const;
    // The stored responses whose row id is above `after_id`, in row id order (the order they
    // were first stored: ids only grow, rows are never deleted except an export-only row that a
    // transcript line claims, which is never the newest), at most `limit` of them; `visit` gets
    // each row's id and record.
    Result<void> for_each_response_after(
        int64_t after_id, size_t limit,
        const std::function<void(int64_t id, const UsageRecord&)>& visit) const;
    // The highest response row id (0: none stored).
    Result<int64_t> last_response_id() const;
    // How many responses have a row id above `after_id` (walks them: for small tails).
    Result<int64_t> responses_after_count(int64_t after_id) const;

    // Sums responses matching `filter`. Responses fall into buckets of `bucket_ms` (aligned to
    // the epoch, UTC); rows come in no particular order, and one (group, model, bucket, speed,
    // tier) may come in more than one row (callers add them up). Bucket sizes that are multiples
    // of k_rollup_bucket_ms read the rollups, finer ones the responses; the answer is the same.
    Result<void> aggregate(const ResponseFilter& filter, Grouping group, int64_t bucket_ms,
                           const std::function<void(const AggregateRow&)>& visit) const;

    // Sums responses matching `filter` in [boundaries.front(), boundaries.back()) (ascending;
    // since/until of `filter` are ignored) in rows that each lie wholly inside one period
    // [boundaries[i], boundaries[i + 1]): a row's bucket_start_ms is in its period and its
    // buckets are whatever the period edges allow (a UTC day, an hour, a quarter hour, down to
    // single responses at edges off the quarter hours). Rows come in no particular order, and
    // one (model, bucket, speed, tier) may come in more than one row. A bucket is read at a
    // finer level only where a boundary cuts it, so periods in any time zone read about as many
    // rows as in UTC.
    Result<void> aggregate_periods(const std::vector<int64_t>& boundaries,
                                   const ResponseFilter& filter,
                                   const std::function<void(const AggregateRow&)>& visit) const;

    // Runs `work` (queries on this store) in one read transaction: every query it makes sees
    // the same snapshot (none is begun if the caller has one open already).
    Result<void> in_snapshot(const std::function<Result<void>()>& work) const;

    // Every row of the turn rollups, by session and turn (ascending), in one snapshot.
    Result<void> for_each_turn_rollup(const std::function<void(const TurnRollupRow&)>& visit) const;
    // Every session's earliest response time (one index seek per source).
    Result<std::unordered_map<std::string, int64_t>> first_response_times() const;
    // The turn rollups of one session, by turn (ascending), as for_each_turn_rollup; with
    // `turn_ms`, only that turn's (-1: the responses before its first prompt).
    Result<void> for_each_turn_rollup(const std::string& session_id,
                                      const std::function<void(const TurnRollupRow&)>& visit,
                                      std::optional<int64_t> turn_ms = std::nullopt) const;
    // The rollup rows of every subagent of `session_id`, in no particular order: a few per
    // subagent and 15 minutes, however many responses it made.
    Result<void> for_each_agent_rollup(
        const std::string& session_id,
        const std::function<void(const AgentRollupRow&)>& visit) const;
    // Where the responses of one session come from: per source, its cwd and its earliest and
    // latest response (sources without responses left out), by source id.
    struct SessionSource {
        int64_t id = 0;
        std::string cwd;
        int64_t first_ms = 0;
        int64_t last_ms = 0;
    };
    Result<std::vector<SessionSource>> session_sources(const std::string& session_id) const;
    // A page of one session's responses, newest first: those before `before_ms` (none: all)
    // whose time is at or after the `limit`-th newest one's (so a page never splits a
    // millisecond; limit 0: every one), in (timestamp, row id) order; `more` says whether older
    // ones are left out. Reads about `limit` rows per source of the session.
    struct ResponsePage {
        std::vector<UsageRecord> responses;
        bool more = false;
    };
    Result<ResponsePage> session_response_page(const std::string& session_id,
                                               std::optional<int64_t> before_ms,
                                               size_t limit) const;
    // The earliest response of `session_id` at or after `since_ms` (by time, then as stored):
    // its time and cwd; empty when there is none.
    Result<std::optional<std::pair<int64_t, std::string>>> first_response_of(
        const std::string& session_id, int64_t since_ms) const;

    // The most response keys a bulk load keeps in memory (ResponseKeyIndex); past them it
    // builds responses_by_key and writes the rest of the load through it. Default
    // k_bulk_key_limit; tests lower it to write both ways.
    void set_bulk_key_limit(size_t keys) { m_bulk_key_limit = keys; }

    // Where aggregate() reads; RowSource::rollups unless changed (tests compare the two).
    void set_row_source(RowSource source) { m_row_source = source; }
    RowSource row_source() const { return m_row_source; }

    // The client's own records of its processes (of one session if given), by start time.
    Result<std::vector<ClientCostState>> cost_states(
        const std::optional<std::string>& session_id = std::nullopt) const;

    // Per tool name, the calls read from transcripts that `filter` selects (time range on
    // their start; side_calls_only is ignored) with their run times (tool_call_rows.hpp).
    Result<std::vector<ToolCallTimes>> tool_call_times(const ResponseFilter& filter) const;
    // Every call whose tool_use has been read (of one session when given), by session and
    // start time; what a cache of them keeps (tool_call_rows.hpp).
    Result<void> for_each_tool_call(const std::optional<std::string>& session_id,
                                    const std::function<void(const ToolCallRow&)>& visit) const;
    // The sessions whose tool calls changed after change number `after_seq` (change_seq()), at
    // most `limit` + 1 of them.
    Result<std::vector<std::string>> tool_sessions_changed_after(int64_t after_seq,
                                                                 size_t limit) const;

    // Keeps what a status-line payload tells that transcripts do not, stamped `observed_ms`.
    Result<void> record_status(const StatusPayload& payload, int64_t observed_ms);
    Result<std::optional<RateLimitSample>> latest_rate_limits() const;
    // Every bucket's samples observed at or after `since_ms`, plus, for a bucket with none
    // since then, its latest one; ordered by bucket, then time.
    Result<std::vector<LimitSample>> rate_limit_history(int64_t since_ms) const;

    // The earliest and latest response timestamps, if any response is stored.
    Result<std::optional<std::pair<int64_t, int64_t>>> response_time_range() const;
    Result<int64_t> file_count() const;

    Result<int64_t> response_count() const;
    Result<int64_t> turn_count() const;
    Result<int64_t> malformed_lines() const;  // summed over all files, current generations

    // Flushes the WAL into the database file (all rows durable on disk).
    Result<void> checkpoint();

    // Frees the page cache pages no statement holds (the cache fills again as pages are
    // read): after a backfill, so that its 16 MiB (k_write_cache_kib) do not stay in RSS.
    void release_cache_memory();
    // SQLite's heap memory held by this connection's page cache, in bytes
    // (SQLITE_DBSTATUS_CACHE_USED).
    int64_t cache_used_bytes() const;
    // PRAGMA cache_size and mmap_size as in force on this connection.
    Result<int64_t> cache_size_pragma() const { return scalar("PRAGMA cache_size"); }
    Result<int64_t> mmap_size_pragma() const { return scalar("PRAGMA mmap_size"); }

    // The change feed (for replicas such as the team store). Each commit stamps the responses
    // it inserts or changes with one change number (change_clock), larger than any before it;
    // writers are serialised by SQLite, so a reader that sees a number sees every smaller one.
    // Makes the index the feed is read by (once; a few hundred ms per million responses);
    // until a consumer calls it, writes do not keep it and reads of the feed scan the table.
    Result<void> enable_change_feed();
    // Up to `limit` responses changed after `after`, in feed order, as stored now (a response
    // changed twice comes once, at its latest position). Rows only the client's export knows
    // (message id empty, see commit_client_events) are not in the feed: a transcript line
    // claims and deletes them later, so a replica would keep them twice.
    Result<std::vector<ChangedResponse>> changed_responses(const ChangeCursor& after,
                                                           size_t limit) const;
    // How many responses of the feed come after `after`.
    Result<int64_t> changes_after(const ChangeCursor& after) const;
    // The cursor `consumer` last stored ({0, 0} if none); set_change_cursor moves it, in its
    // own transaction.
    Result<ChangeCursor> change_cursor(const std::string& consumer) const;
    Result<void> set_change_cursor(const std::string& consumer, const ChangeCursor& cursor);

  private:
    explicit UsageStore(sqlite3* db);
    Result<void> migrate();
    Result<void> prepare_statements();
    Result<int64_t> scalar(const char* sql) const;
    // aggregate() over [since, until) from rollup level `level` (k_rollup_levels) down.
    Result<void> aggregate_range(size_t level, std::optional<int64_t> since_ms,
                                 std::optional<int64_t> until_ms, const ResponseFilter& filter,
                                 Grouping group, int64_t bucket_ms,
                                 const std::function<void(const AggregateRow&)>& visit) const;
    // aggregate() over one table of rollup-shaped `rows`, bucket_ms within [since, until);
    // `whole_rows`: each row of `rows` is one answer row already (read as stored, no grouping).
    Result<void> aggregate_rows(const char* rows, bool whole_rows, std::optional<int64_t> since_ms,
                                std::optional<int64_t> until_ms, const ResponseFilter& filter,
                                Grouping group, int64_t bucket_ms,
                                const std::function<void(const AggregateRow&)>& visit) const;
    // Steps `s` to its end, visiting its rows (columns as aggregate_rows selects them).
    Result<void> read_aggregate_rows(sqlite3_stmt* s,
                                     const std::function<void(const AggregateRow&)>& visit) const;
    // Steps `s` (per-source rows: source_id first) to its end, visiting its rows grouped by
    // `group` (session or project).
    Result<void> read_source_rows(sqlite3_stmt* s, Grouping group,
                                  const std::function<void(const AggregateRow&)>& visit) const;
    struct SourceNames {
        std::string session_id;
        std::string cwd;
        std::string git_branch;
        bool known = false;
    };
    // The session and cwd of source `id`, from m_source_names (new sources read on a miss).
    Result<const SourceNames*> source_names(int64_t id) const;
    // The name of model `id`, from m_model_names (read again from `models` on a miss).
    Result<const std::string*> model_name(int64_t id) const;
    // Inserts or merges `responses` and their rollups, inside the caller's transaction; with
    // `claim_client_rows`, the rows the export made for their requests are then merged into
    // them and dropped.
    // Every row written or changed is stamped `change_seq`.
    Result<void> write_responses(const std::vector<UsageRecord>& responses, bool claim_client_rows,
                                 int64_t change_seq);
    // The change number of the transaction the caller has begun (write lock held).
    Result<int64_t> next_change_seq();
    // Ends the open group of batches without storing them (a write failed), and forgets the
    // ids interned in it.
    void roll_back_batches();
    // What a bulk load left to do, when `any_left_sql` (a SELECT EXISTS) says there is any:
    // `work` in a transaction of its own (merge_staged_tool_calls, restore_rollup_levels).
    Result<void> finish_left_work(const char* any_left_sql,
                                  const std::function<Result<void>()>& work,
                                  const char* commit_error);
    // Merges what a bulk load staged (tool_call_rows.hpp) in a transaction of its own; the
    // caller has set temp_store=FILE (its sort may hold a million calls).
    Result<void> merge_staged_tool_calls();
    // restore_rollup_levels() (store_schema.hpp) in a transaction of its own, when a bulk load
    // left the coarser levels behind.
    Result<void> restore_rollup_levels();
    Result<int64_t> intern_model(const std::string& name);
    Result<int64_t> intern_source(const UsageRecord& response);
    // m_bulk_keys again from every stored response.
    Result<void> load_bulk_keys();

    // Interned ids by value; rows are never deleted, so ids stay valid.
    std::unordered_map<std::string, int64_t> m_model_ids;
    std::unordered_map<std::string, int64_t> m_source_ids;
    // What queries read of `models` and `sources`, by id; filled on first use.
    mutable std::vector<std::string> m_model_names;  // "" where unknown
    mutable std::vector<SourceNames> m_source_names;

    sqlite3* m_db;
    RowSource m_row_source = RowSource::rollups;
    std::unique_ptr<TurnRollupWriter> m_turn_rollups;
    bool m_group_open = false;  // write_batch() began a transaction, not committed yet
    // A write_batch() dropped the deferred indexes (maybe rolled back since: rebuilt anyway).
    bool m_indexes_deferred = false;
    // The bulk load left responses_by_key out: write_responses() finds stored keys in
    // m_bulk_keys (the rows of every committed group and of the open one) instead.
    bool m_keys_in_memory = false;
    // A group of the bulk load was rolled back: m_bulk_keys is read again from the table
    // before the next write.
    bool m_bulk_keys_stale = false;
    ResponseKeyIndex m_bulk_keys;
    size_t m_bulk_key_limit = k_bulk_key_limit;
    sqlite3_stmt* m_insert_response = nullptr;
    sqlite3_stmt* m_merge_response = nullptr;
    sqlite3_stmt* m_merge_response_by_id = nullptr;
    sqlite3_stmt* m_add_rollup = nullptr;
    sqlite3_stmt* m_insert_turn = nullptr;
    sqlite3_stmt* m_upsert_file = nullptr;
    sqlite3_stmt* m_select_file = nullptr;
    sqlite3_stmt* m_insert_model = nullptr;
    sqlite3_stmt* m_select_model = nullptr;
    sqlite3_stmt* m_insert_source = nullptr;
    sqlite3_stmt* m_select_source = nullptr;
    sqlite3_stmt* m_claim_export_rows = nullptr;
    sqlite3_stmt* m_drop_claimed_export_rows = nullptr;
    sqlite3_stmt* m_next_change_seq = nullptr;
};

}  // namespace ccmeter
