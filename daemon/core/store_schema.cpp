#include "core/store_schema.hpp"

#include <sqlite3.h>

#include <iterator>
#include <string_view>
#include <utility>
#include <vector>

#include "common/app_version.hpp"
#include "core/sqlite_statement.hpp"
#include "core/turn_rollup_rows.hpp"

namespace ccmeter {

namespace {

// Each entry migrates the schema from version i to i + 1. Never edit a shipped entry: append.
constexpr const char* k_migrations[] = {
    // 0 -> 1
    R"sql(
CREATE TABLE files(
  path TEXT PRIMARY KEY,
  device INTEGER NOT NULL,
  inode INTEGER NOT NULL,
  offset INTEGER NOT NULL,
  tail BLOB NOT NULL,
  malformed_lines INTEGER NOT NULL,
  generation INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL
);
CREATE TABLE models(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
);
-- Where responses come from: the per-line metadata, interned (few distinct values).
CREATE TABLE sources(
  id INTEGER PRIMARY KEY,
  session_id TEXT NOT NULL,
  cwd TEXT NOT NULL,
  git_branch TEXT NOT NULL,
  version TEXT NOT NULL,
  agent_id TEXT NOT NULL,
  is_sidechain INTEGER NOT NULL,
  UNIQUE(session_id, cwd, git_branch, version, agent_id, is_sidechain)
);
CREATE TABLE responses(
  id INTEGER PRIMARY KEY,
  message_id TEXT NOT NULL,
  request_id TEXT NOT NULL,
  timestamp_ms INTEGER NOT NULL,
  model_id INTEGER NOT NULL REFERENCES models(id),
  source_id INTEGER NOT NULL REFERENCES sources(id),
  is_sidechain INTEGER NOT NULL,
  speed TEXT NOT NULL,
  service_tier TEXT NOT NULL,
  inference_geo TEXT NOT NULL,
  input_tokens INTEGER NOT NULL,
  output_tokens INTEGER NOT NULL,
  cache_creation_input_tokens INTEGER NOT NULL,
  cache_read_input_tokens INTEGER NOT NULL,
  cache_5m INTEGER NOT NULL,
  cache_1h INTEGER NOT NULL,
  web_search_requests INTEGER NOT NULL,
  web_fetch_requests INTEGER NOT NULL
);
CREATE UNIQUE INDEX responses_by_key ON responses(message_id, request_id);
CREATE INDEX responses_by_time ON responses(timestamp_ms);
CREATE INDEX responses_by_source ON responses(source_id, timestamp_ms);
CREATE TABLE turns(
  uuid TEXT PRIMARY KEY,
  session_id TEXT NOT NULL,
  timestamp_ms INTEGER NOT NULL,
  is_sidechain INTEGER NOT NULL,
  agent_id TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX turns_by_session ON turns(session_id, timestamp_ms);
)sql",
    // 1 -> 2: what status-line payloads tell that transcripts do not.
    R"sql(
CREATE TABLE status_samples(
  id INTEGER PRIMARY KEY,
  observed_ms INTEGER NOT NULL,
  session_id TEXT NOT NULL,
  model_id TEXT NOT NULL,
  client_cost_micro_usd INTEGER,
  context_used_percentage REAL,
  context_window_size INTEGER NOT NULL,
  five_hour_used_percentage REAL,
  five_hour_resets_at_ms INTEGER,
  seven_day_used_percentage REAL,
  seven_day_resets_at_ms INTEGER
);
CREATE INDEX status_samples_by_session ON status_samples(session_id, observed_ms);
CREATE INDEX status_samples_with_limits ON status_samples(observed_ms)
  WHERE five_hour_used_percentage IS NOT NULL OR seven_day_used_percentage IS NOT NULL;
)sql",
    // 2 -> 3: rollups, the sums every report reads (and their coarser levels,
    // k_coarser_rollups), kept in the same transaction as the rows they summarise: new
    // responses are added by commit() (summed per rollup row in memory first), changes by
    // triggers. A row's later line only raises its fields (the merge rule), and the update
    // trigger moves exactly the difference; a response that changes bucket, source or tier (a
    // main-chain line replacing a sidechain replay) leaves its old rollup row, whose first/last
    // times are then taken again from the responses still in it.
    R"sql(
CREATE TABLE rollups(
  bucket_ms INTEGER NOT NULL,     -- start of a 15-minute UTC bucket
  source_id INTEGER NOT NULL REFERENCES sources(id),
  model_id INTEGER NOT NULL REFERENCES models(id),
  speed TEXT NOT NULL,
  long_context INTEGER NOT NULL,  -- input + cache write + cache read > 200000 tokens
  responses INTEGER NOT NULL,
  input_tokens INTEGER NOT NULL,
  output_tokens INTEGER NOT NULL,
  cache_creation_input_tokens INTEGER NOT NULL,
  cache_read_input_tokens INTEGER NOT NULL,
  cache_5m INTEGER NOT NULL,
  cache_1h INTEGER NOT NULL,
  web_search_requests INTEGER NOT NULL,
  web_fetch_requests INTEGER NOT NULL,
  first_ms INTEGER NOT NULL,      -- the earliest and latest response in the row
  last_ms INTEGER NOT NULL,
  PRIMARY KEY(bucket_ms, source_id, model_id, speed, long_context)
) WITHOUT ROWID;
CREATE INDEX rollups_by_source ON rollups(source_id, bucket_ms);
INSERT INTO rollups SELECT (r.timestamp_ms / 900000) * 900000, r.source_id, r.model_id, r.speed,
  (r.input_tokens + r.cache_creation_input_tokens + r.cache_read_input_tokens > 200000), count(*),
  sum(r.input_tokens), sum(r.output_tokens), sum(r.cache_creation_input_tokens), sum(r.cache_read_input_tokens), sum(r.cache_5m), sum(r.cache_1h), sum(r.web_search_requests), sum(r.web_fetch_requests),
  min(r.timestamp_ms), max(r.timestamp_ms)
FROM responses r GROUP BY 1, 2, 3, 4, 5;
CREATE TRIGGER responses_rollup_update AFTER UPDATE ON responses
WHEN OLD.timestamp_ms IS NOT NEW.timestamp_ms OR OLD.source_id IS NOT NEW.source_id OR OLD.model_id IS NOT NEW.model_id OR OLD.speed IS NOT NEW.speed OR OLD.input_tokens IS NOT NEW.input_tokens OR OLD.output_tokens IS NOT NEW.output_tokens OR OLD.cache_creation_input_tokens IS NOT NEW.cache_creation_input_tokens OR OLD.cache_read_input_tokens IS NOT NEW.cache_read_input_tokens OR OLD.cache_5m IS NOT NEW.cache_5m OR OLD.cache_1h IS NOT NEW.cache_1h OR OLD.web_search_requests IS NOT NEW.web_search_requests OR OLD.web_fetch_requests IS NOT NEW.web_fetch_requests
BEGIN
  UPDATE rollups SET responses = responses - 1,
    input_tokens = input_tokens - OLD.input_tokens,
    output_tokens = output_tokens - OLD.output_tokens,
    cache_creation_input_tokens = cache_creation_input_tokens - OLD.cache_creation_input_tokens,
    cache_read_input_tokens = cache_read_input_tokens - OLD.cache_read_input_tokens,
    cache_5m = cache_5m - OLD.cache_5m,
    cache_1h = cache_1h - OLD.cache_1h,
    web_search_requests = web_search_requests - OLD.web_search_requests,
    web_fetch_requests = web_fetch_requests - OLD.web_fetch_requests
  WHERE bucket_ms = (OLD.timestamp_ms / 900000) * 900000 AND source_id = OLD.source_id AND model_id = OLD.model_id AND speed = OLD.speed AND long_context = (OLD.input_tokens + OLD.cache_creation_input_tokens + OLD.cache_read_input_tokens > 200000);
  INSERT INTO rollups VALUES((NEW.timestamp_ms / 900000) * 900000, NEW.source_id, NEW.model_id, NEW.speed,
    (NEW.input_tokens + NEW.cache_creation_input_tokens + NEW.cache_read_input_tokens > 200000), 1,
    NEW.input_tokens, NEW.output_tokens, NEW.cache_creation_input_tokens, NEW.cache_read_input_tokens, NEW.cache_5m, NEW.cache_1h, NEW.web_search_requests, NEW.web_fetch_requests,
    NEW.timestamp_ms, NEW.timestamp_ms)
  ON CONFLICT(bucket_ms, source_id, model_id, speed, long_context) DO UPDATE SET
    responses = responses + 1,
    input_tokens = input_tokens + excluded.input_tokens,
    output_tokens = output_tokens + excluded.output_tokens,
    cache_creation_input_tokens = cache_creation_input_tokens + excluded.cache_creation_input_tokens,
    cache_read_input_tokens = cache_read_input_tokens + excluded.cache_read_input_tokens,
    cache_5m = cache_5m + excluded.cache_5m,
    cache_1h = cache_1h + excluded.cache_1h,
    web_search_requests = web_search_requests + excluded.web_search_requests,
    web_fetch_requests = web_fetch_requests + excluded.web_fetch_requests,
    first_ms = min(first_ms, excluded.first_ms), last_ms = max(last_ms, excluded.last_ms);
  DELETE FROM rollups WHERE bucket_ms = (OLD.timestamp_ms / 900000) * 900000 AND source_id = OLD.source_id AND model_id = OLD.model_id AND speed = OLD.speed AND long_context = (OLD.input_tokens + OLD.cache_creation_input_tokens + OLD.cache_read_input_tokens > 200000) AND responses = 0;
  UPDATE rollups SET
    first_ms = (SELECT min(timestamp_ms) FROM responses x WHERE x.source_id = OLD.source_id AND x.model_id = OLD.model_id AND x.speed = OLD.speed
      AND x.timestamp_ms >= (OLD.timestamp_ms / 900000) * 900000 AND x.timestamp_ms < (OLD.timestamp_ms / 900000) * 900000 + 900000
      AND (x.input_tokens + x.cache_creation_input_tokens + x.cache_read_input_tokens > 200000) = (OLD.input_tokens + OLD.cache_creation_input_tokens + OLD.cache_read_input_tokens > 200000)),
    last_ms = (SELECT max(timestamp_ms) FROM responses x WHERE x.source_id = OLD.source_id AND x.model_id = OLD.model_id AND x.speed = OLD.speed
      AND x.timestamp_ms >= (OLD.timestamp_ms / 900000) * 900000 AND x.timestamp_ms < (OLD.timestamp_ms / 900000) * 900000 + 900000
      AND (x.input_tokens + x.cache_creation_input_tokens + x.cache_read_input_tokens > 200000) = (OLD.input_tokens + OLD.cache_creation_input_tokens + OLD.cache_read_input_tokens > 200000))
  WHERE bucket_ms = (OLD.timestamp_ms / 900000) * 900000 AND source_id = OLD.source_id AND model_id = OLD.model_id AND speed = OLD.speed AND long_context = (OLD.input_tokens + OLD.cache_creation_input_tokens + OLD.cache_read_input_tokens > 200000) AND responses > 0
    AND (OLD.timestamp_ms IS NOT NEW.timestamp_ms OR OLD.source_id IS NOT NEW.source_id OR
         OLD.model_id IS NOT NEW.model_id OR OLD.speed IS NOT NEW.speed OR
         (OLD.input_tokens + OLD.cache_creation_input_tokens + OLD.cache_read_input_tokens > 200000) IS NOT
         (NEW.input_tokens + NEW.cache_creation_input_tokens + NEW.cache_read_input_tokens > 200000));
END;
CREATE TRIGGER responses_rollup_delete AFTER DELETE ON responses BEGIN
  UPDATE rollups SET responses = responses - 1,
    input_tokens = input_tokens - OLD.input_tokens,
    output_tokens = output_tokens - OLD.output_tokens,
    cache_creation_input_tokens = cache_creation_input_tokens - OLD.cache_creation_input_tokens,
    cache_read_input_tokens = cache_read_input_tokens - OLD.cache_read_input_tokens,
    cache_5m = cache_5m - OLD.cache_5m,
    cache_1h = cache_1h - OLD.cache_1h,
    web_search_requests = web_search_requests - OLD.web_search_requests,
    web_fetch_requests = web_fetch_requests - OLD.web_fetch_requests
  WHERE bucket_ms = (OLD.timestamp_ms / 900000) * 900000 AND source_id = OLD.source_id AND model_id = OLD.model_id AND speed = OLD.speed AND long_context = (OLD.input_tokens + OLD.cache_creation_input_tokens + OLD.cache_read_input_tokens > 200000);
  DELETE FROM rollups WHERE bucket_ms = (OLD.timestamp_ms / 900000) * 900000 AND source_id = OLD.source_id AND model_id = OLD.model_id AND speed = OLD.speed AND long_context = (OLD.input_tokens + OLD.cache_creation_input_tokens + OLD.cache_read_input_tokens > 200000) AND responses = 0;
  UPDATE rollups SET
    first_ms = (SELECT min(timestamp_ms) FROM responses x WHERE x.source_id = OLD.source_id AND x.model_id = OLD.model_id AND x.speed = OLD.speed
      AND x.timestamp_ms >= (OLD.timestamp_ms / 900000) * 900000 AND x.timestamp_ms < (OLD.timestamp_ms / 900000) * 900000 + 900000
      AND (x.input_tokens + x.cache_creation_input_tokens + x.cache_read_input_tokens > 200000) = (OLD.input_tokens + OLD.cache_creation_input_tokens + OLD.cache_read_input_tokens > 200000)),
    last_ms = (SELECT max(timestamp_ms) FROM responses x WHERE x.source_id = OLD.source_id AND x.model_id = OLD.model_id AND x.speed = OLD.speed
      AND x.timestamp_ms >= (OLD.timestamp_ms / 900000) * 900000 AND x.timestamp_ms < (OLD.timestamp_ms / 900000) * 900000 + 900000
      AND (x.input_tokens + x.cache_creation_input_tokens + x.cache_read_input_tokens > 200000) = (OLD.input_tokens + OLD.cache_creation_input_tokens + OLD.cache_read_input_tokens > 200000))
  WHERE bucket_ms = (OLD.timestamp_ms / 900000) * 900000 AND source_id = OLD.source_id AND model_id = OLD.model_id AND speed = OLD.speed AND long_context = (OLD.input_tokens + OLD.cache_creation_input_tokens + OLD.cache_read_input_tokens > 200000) AND responses > 0;
END;
)sql",
    // 3 -> 4: the client's own cost records (client_cost_state.hpp), one per client process.
    R"sql(
CREATE TABLE cost_states(
  session_id TEXT NOT NULL,
  start_time_ms INTEGER NOT NULL,
  total_cost_pico INTEGER NOT NULL,
  api_duration_ms INTEGER NOT NULL,
  tool_duration_ms INTEGER NOT NULL,
  duration_ms INTEGER NOT NULL,
  lines_added INTEGER NOT NULL,
  lines_removed INTEGER NOT NULL,
  has_unknown_model_cost INTEGER NOT NULL,
  PRIMARY KEY(session_id, start_time_ms)
) WITHOUT ROWID;
CREATE TABLE cost_state_models(
  session_id TEXT NOT NULL,
  start_time_ms INTEGER NOT NULL,
  model TEXT NOT NULL,
  input_tokens INTEGER NOT NULL,
  output_tokens INTEGER NOT NULL,
  cache_read_input_tokens INTEGER NOT NULL,
  cache_creation_input_tokens INTEGER NOT NULL,
  cache_5m INTEGER NOT NULL,
  cache_1h INTEGER NOT NULL,
  web_search_requests INTEGER NOT NULL,
  thinking_tokens INTEGER NOT NULL,
  cost_pico INTEGER NOT NULL,
  PRIMARY KEY(session_id, start_time_ms, model)
) WITHOUT ROWID;
)sql",
    // 4 -> 5: what the client's OpenTelemetry export tells (client_events.hpp). Responses are
    // keyed (request_id, message_id) from now on, so that an API call the export reports can
    // find its transcript row by request id alone; a call no transcript has (yet) is a
    // response row with message_id '' until its transcript line claims it (those few rows have
    // an index of their own, so claiming them costs nothing while there are none).
    R"sql(
DROP INDEX responses_by_key;
CREATE UNIQUE INDEX responses_by_key ON responses(request_id, message_id);
CREATE INDEX responses_from_export ON responses(request_id) WHERE message_id = '';
CREATE TABLE client_requests(
  request_id TEXT PRIMARY KEY,
  session_id TEXT NOT NULL,
  prompt_id TEXT NOT NULL,
  model TEXT NOT NULL,
  input_tokens INTEGER NOT NULL,
  output_tokens INTEGER NOT NULL,
  cache_read_input_tokens INTEGER NOT NULL,
  cache_creation_input_tokens INTEGER NOT NULL,
  cache_5m INTEGER NOT NULL,
  cache_1h INTEGER NOT NULL,
  cost_pico INTEGER NOT NULL,
  duration_ms INTEGER NOT NULL,
  ttft_ms INTEGER,
  query_source TEXT NOT NULL,
  agent_name TEXT NOT NULL,
  speed TEXT NOT NULL,
  effort TEXT NOT NULL,
  timestamp_ms INTEGER NOT NULL,
  received_ms INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX client_requests_by_session ON client_requests(session_id, timestamp_ms);
CREATE TABLE tool_runs(
  session_id TEXT NOT NULL,
  tool_name TEXT NOT NULL,
  tool_use_id TEXT NOT NULL,
  duration_ms INTEGER NOT NULL,
  success INTEGER NOT NULL,
  timestamp_ms INTEGER NOT NULL,
  UNIQUE(session_id, tool_use_id, tool_name, timestamp_ms)
);
)sql",
    // 5 -> 6: the rollups over all sources per hour and day (k_total_rollups), for the reports
    // that neither group nor filter by session or project: a fraction of the rows to read; and
    // every coarser level's update trigger becomes k_rollup_update_trigger_sql (cheaper).
    "-- k_total_rollups",
    // 6 -> 7: every plan limit bucket the status line's rate_limits carries (five_hour,
    // seven_day and any other, a per-model weekly one say) over time, for the forecasts of
    // limit_forecast.hpp; the samples status_samples already holds are carried over.
    R"sql(
CREATE TABLE rate_limit_samples(
  bucket TEXT NOT NULL,
  observed_ms INTEGER NOT NULL,
  used_percentage REAL NOT NULL,
  resets_at_ms INTEGER,
  PRIMARY KEY(bucket, observed_ms)
) WITHOUT ROWID;
INSERT OR REPLACE INTO rate_limit_samples
  SELECT 'five_hour', observed_ms, five_hour_used_percentage, five_hour_resets_at_ms
  FROM status_samples WHERE five_hour_used_percentage IS NOT NULL;
INSERT OR REPLACE INTO rate_limit_samples
  SELECT 'seven_day', observed_ms, seven_day_used_percentage, seven_day_resets_at_ms
  FROM status_samples WHERE seven_day_used_percentage IS NOT NULL;
)sql",
    // 7 -> 8: a change feed for replicas (the team store): every write stamps the rows it
    // inserts or changes with its commit's change number (change_clock's next value), so a
    // consumer reads what changed after its cursor in (change_seq, id) order. A stamp is one
    // more column in the statements that write the row anyway, and one row of change_clock
    // per commit: no trigger, no second table of changes. The index a consumer reads by is
    // made by the first consumer (enable_change_feed()), so a history nobody replicates does
    // not pay for keeping it. Rows stored before carry 0. A consumer's cursor is kept here,
    // advanced only once the consumer has the rows below it.
    R"sql(
ALTER TABLE responses ADD COLUMN change_seq INTEGER NOT NULL DEFAULT 0;
CREATE TABLE change_clock(id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL);
INSERT INTO change_clock VALUES(1, 0);
CREATE TABLE change_cursors(
  consumer TEXT PRIMARY KEY,
  change_seq INTEGER NOT NULL,
  row_id INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL
) WITHOUT ROWID;
)sql",
    // 8 -> 9: tool calls from the transcripts (tool_call_rows.hpp): one row per tool_use_id,
    // made by its tool_use block or its tool_result block, whichever is read first (started_ms
    // NULL until the use is seen, is_error NULL until the result is). Names, ids, flags and
    // times only, never a call's input or output. tool_runs (the OTel events) gets an index by
    // tool_use_id, for a call's run time.
    R"sql(
CREATE TABLE tool_calls(
  tool_use_id TEXT PRIMARY KEY,
  tool_name TEXT NOT NULL DEFAULT '',
  session_id TEXT NOT NULL DEFAULT '',
  cwd TEXT NOT NULL DEFAULT '',
  started_ms INTEGER,
  finished_ms INTEGER,
  is_error INTEGER,
  is_sidechain INTEGER NOT NULL DEFAULT 0,
  agent_id TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
CREATE INDEX tool_runs_by_use ON tool_runs(tool_use_id);
)sql",
    // 9 -> 10: the turn rollups (turn_rollup_rows.hpp): each turn's sums per UTC day, model,
    // speed and tier, so that what turns cost reads a row per turn instead of every response;
    // built from the stored responses and prompts, kept by commit() and triggers from then on.
    "-- turn_rollups_migration_sql()",
    // 10 -> 11: what the tools report reads of a call, kept in its row (tool_call_rows.hpp):
    // otel_ms / otel_success, the max(duration_ms) / min(success) of its OTel tool_runs (NULL
    // when none), and from them and the transcript's times run_ms (NULL: untimed) and failed
    // (0 / 1). The index by (tool_name, run_ms) holds every column that report reads and
    // filters on (time, session, cwd), so it reads neither tool_runs nor the wide rows.
    // store_tool_calls writes them with the row; the trigger keeps them as OTel events arrive
    // after their call.
    R"sql(
ALTER TABLE tool_calls ADD COLUMN otel_ms INTEGER;
ALTER TABLE tool_calls ADD COLUMN otel_success INTEGER;
ALTER TABLE tool_calls ADD COLUMN run_ms INTEGER;
ALTER TABLE tool_calls ADD COLUMN failed INTEGER NOT NULL DEFAULT 0;
UPDATE tool_calls SET
  otel_ms = (SELECT max(r.duration_ms) FROM tool_runs r WHERE r.tool_use_id = tool_calls.tool_use_id),
  otel_success = (SELECT min(r.success) FROM tool_runs r WHERE r.tool_use_id = tool_calls.tool_use_id)
WHERE tool_use_id IN (SELECT tool_use_id FROM tool_runs);
UPDATE tool_calls SET
  run_ms = (CASE WHEN otel_ms >= 0 THEN otel_ms
    WHEN started_ms > 0 AND finished_ms >= started_ms THEN finished_ms - started_ms END),
  failed = (CASE WHEN is_error IS NOT NULL THEN is_error != 0 ELSE coalesce(otel_success = 0, 0) END);
CREATE INDEX tool_calls_by_run ON tool_calls(tool_name, run_ms, failed, started_ms, session_id,
  cwd) WHERE started_ms IS NOT NULL;
CREATE TRIGGER tool_runs_time_calls AFTER INSERT ON tool_runs BEGIN
  UPDATE tool_calls SET
    otel_ms = max(coalesce(otel_ms, NEW.duration_ms), NEW.duration_ms),
    otel_success = min(coalesce(otel_success, NEW.success), NEW.success),
    run_ms = (CASE WHEN max(coalesce(otel_ms, NEW.duration_ms), NEW.duration_ms) >= 0
        THEN max(coalesce(otel_ms, NEW.duration_ms), NEW.duration_ms)
      WHEN started_ms > 0 AND finished_ms >= started_ms THEN finished_ms - started_ms END),
    failed = (CASE WHEN is_error IS NOT NULL THEN is_error != 0
      ELSE min(coalesce(otel_success, NEW.success), NEW.success) = 0 END)
  WHERE tool_use_id = NEW.tool_use_id;
END;
)sql",
    // 11 -> 12: the turn rollups split each turn's sums into its main chain and its subagents
    // (is_sidechain in the key), so that a session's detail reads its subagents' share from
    // them instead of from every sidechain response; rebuilt from the responses and prompts by
    // turn_rollups_migration_sql() after this. turns_by_session holds is_sidechain before the
    // time, so that a session's main-chain prompts (what every turn split and turn rollup
    // trigger asks) are read from it alone, not one row of `turns` per prompt. files_by_malformed
    // answers what every health check asks (how many files, how many malformed lines) from a
    // few bytes per file instead of the files' rows (2.5 ms with 10,000 files).
    R"sql(
DROP TRIGGER IF EXISTS responses_turn_rollup_update;
DROP TRIGGER IF EXISTS responses_turn_rollup_delete;
DROP TABLE IF EXISTS turn_rollups;
DROP INDEX IF EXISTS turns_by_session;
CREATE INDEX turns_by_session ON turns(session_id, is_sidechain, timestamp_ms);
CREATE INDEX IF NOT EXISTS files_by_malformed ON files(malformed_lines);
)sql",
    // 12 -> 13: which sessions' tool calls changed, and by which change number: what a cache of
    // the tool calls (tool_call_cache.hpp) asks to know what to read again. store_tool_calls
    // marks the session of every row it writes and the session a row leaves (an earlier copy of
    // its use in another session), and the OTel trigger now marks the row it times.
    // tool_calls_by_run gives way to tool_calls_by_session (k_tool_calls_by_session_sql, made
    // by open()): the same columns, a session's calls together. IF NOT EXISTS: tests take a
    // database of this schema back to an older user_version with these in place.
    R"sql(
DROP INDEX IF EXISTS tool_calls_by_run;
CREATE TABLE IF NOT EXISTS tool_call_changes(
  session_id TEXT PRIMARY KEY,
  change_seq INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS tool_call_changes_by_seq ON tool_call_changes(change_seq);
DROP TRIGGER IF EXISTS tool_runs_time_calls;
CREATE TRIGGER tool_runs_time_calls AFTER INSERT ON tool_runs BEGIN
  UPDATE tool_calls SET
    otel_ms = max(coalesce(otel_ms, NEW.duration_ms), NEW.duration_ms),
    otel_success = min(coalesce(otel_success, NEW.success), NEW.success),
    run_ms = (CASE WHEN max(coalesce(otel_ms, NEW.duration_ms), NEW.duration_ms) >= 0
        THEN max(coalesce(otel_ms, NEW.duration_ms), NEW.duration_ms)
      WHEN started_ms > 0 AND finished_ms >= started_ms THEN finished_ms - started_ms END),
    failed = (CASE WHEN is_error IS NOT NULL THEN is_error != 0
      ELSE min(coalesce(otel_success, NEW.success), NEW.success) = 0 END)
  WHERE tool_use_id = NEW.tool_use_id;
  INSERT INTO tool_call_changes SELECT session_id, (SELECT seq FROM change_clock) FROM tool_calls
    WHERE tool_use_id = NEW.tool_use_id AND started_ms IS NOT NULL
  ON CONFLICT(session_id) DO UPDATE SET change_seq = excluded.change_seq;
END;
)sql",
    // 13 -> 14: a tool call's session and cwd interned (tool_call_sessions, tool_call_cwds; ''
    // is a value like any other: a row made by its result first has it for both), so that a
    // row and its index entry hold two small integers instead of about 80 bytes of text: the
    // table and tool_calls_by_session (now by session_ref) take 30 -> about 12 MB at 1 GB, and
    // a backfill writes that much less. The OTel trigger marks the session by its name, as
    // before. tool_call_staging holds a first backfill's calls as they are read, appended in
    // arrival order (store_tool_calls with `staged`), until end of the bulk load merges them
    // into tool_calls in key order (merge_staged_tool_calls): the random-key B-tree of
    // tool_calls, far larger than the cache at 10 GB, is then written once, in order. IF NOT
    // EXISTS / OR IGNORE: tests take a database of this schema back to an older user_version
    // with the dictionaries in place.
    R"sql(
CREATE TABLE IF NOT EXISTS tool_call_staging(
  tool_use_id TEXT NOT NULL,
  tool_name TEXT NOT NULL,
  session_ref INTEGER NOT NULL,
  cwd_ref INTEGER NOT NULL,
  started_ms INTEGER,
  is_sidechain INTEGER NOT NULL,
  agent_id TEXT NOT NULL,
  finished_ms INTEGER,
  is_error INTEGER
);
CREATE TABLE IF NOT EXISTS tool_call_sessions(
  id INTEGER PRIMARY KEY,
  session_id TEXT NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS tool_call_cwds(
  id INTEGER PRIMARY KEY,
  cwd TEXT NOT NULL UNIQUE
);
INSERT OR IGNORE INTO tool_call_sessions(session_id) SELECT DISTINCT session_id FROM tool_calls;
INSERT OR IGNORE INTO tool_call_cwds(cwd) SELECT DISTINCT cwd FROM tool_calls;
DROP TRIGGER IF EXISTS tool_runs_time_calls;
CREATE TABLE tool_calls_14(
  tool_use_id TEXT PRIMARY KEY,
  tool_name TEXT NOT NULL DEFAULT '',
  session_ref INTEGER NOT NULL REFERENCES tool_call_sessions(id),
  cwd_ref INTEGER NOT NULL REFERENCES tool_call_cwds(id),
  started_ms INTEGER,
  finished_ms INTEGER,
  is_error INTEGER,
  is_sidechain INTEGER NOT NULL DEFAULT 0,
  agent_id TEXT NOT NULL DEFAULT '',
  otel_ms INTEGER,
  otel_success INTEGER,
  run_ms INTEGER,
  failed INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
-- In key order (a scan of tool_calls), so that the new table is appended to, not sorted.
INSERT INTO tool_calls_14 SELECT c.tool_use_id, c.tool_name,
  (SELECT id FROM tool_call_sessions WHERE session_id = c.session_id),
  (SELECT id FROM tool_call_cwds WHERE cwd = c.cwd), c.started_ms, c.finished_ms, c.is_error,
  c.is_sidechain, c.agent_id, c.otel_ms, c.otel_success, c.run_ms, c.failed
FROM tool_calls c NOT INDEXED;
DROP TABLE tool_calls;
ALTER TABLE tool_calls_14 RENAME TO tool_calls;
CREATE TRIGGER tool_runs_time_calls AFTER INSERT ON tool_runs BEGIN
  UPDATE tool_calls SET
    otel_ms = max(coalesce(otel_ms, NEW.duration_ms), NEW.duration_ms),
    otel_success = min(coalesce(otel_success, NEW.success), NEW.success),
    run_ms = (CASE WHEN max(coalesce(otel_ms, NEW.duration_ms), NEW.duration_ms) >= 0
        THEN max(coalesce(otel_ms, NEW.duration_ms), NEW.duration_ms)
      WHEN started_ms > 0 AND finished_ms >= started_ms THEN finished_ms - started_ms END),
    failed = (CASE WHEN is_error IS NOT NULL THEN is_error != 0
      ELSE min(coalesce(otel_success, NEW.success), NEW.success) = 0 END)
  WHERE tool_use_id = NEW.tool_use_id;
  INSERT INTO tool_call_changes SELECT s.session_id, (SELECT seq FROM change_clock)
    FROM tool_calls c JOIN tool_call_sessions s ON s.id = c.session_ref
    WHERE c.tool_use_id = NEW.tool_use_id AND c.started_ms IS NOT NULL
  ON CONFLICT(session_id) DO UPDATE SET change_seq = excluded.change_seq;
END;
)sql",
    // 14 -> 15: the triggers of the coarser rollup levels while a first backfill leaves them
    // out (defer_rollup_levels), kept here so that a load cut short gets them back at the next
    // open: each rollup row a backfill writes cost four upserts more through them, a fifth of
    // the writer's work at 1 GB. IF NOT EXISTS: tests take a database of this schema back to an
    // older user_version with the table in place.
    R"sql(
CREATE TABLE IF NOT EXISTS deferred_triggers(
  name TEXT PRIMARY KEY,
  sql TEXT NOT NULL
) WITHOUT ROWID;
)sql",
};

static_assert(std::size(k_migrations) == k_database_schema_version,
              "a migration was added: raise k_database_schema_version (common/app_version.hpp)");

// A coarser level of rollups: the same sums per bucket of @STEP@ ms in table @TABLE@, kept
// from `rollups` by triggers (a row's update moves its difference; an emptied row goes; first
// and last times are taken again from `rollups` when they may have shrunk).
constexpr const char* k_coarser_rollup_sql = R"sql(
CREATE TABLE @TABLE@(
  bucket_ms INTEGER NOT NULL,     -- start of a bucket of @STEP@ ms
  source_id INTEGER NOT NULL REFERENCES sources(id),
  model_id INTEGER NOT NULL REFERENCES models(id),
  speed TEXT NOT NULL,
  long_context INTEGER NOT NULL,
  responses INTEGER NOT NULL,
  input_tokens INTEGER NOT NULL,
  output_tokens INTEGER NOT NULL,
  cache_creation_input_tokens INTEGER NOT NULL,
  cache_read_input_tokens INTEGER NOT NULL,
  cache_5m INTEGER NOT NULL,
  cache_1h INTEGER NOT NULL,
  web_search_requests INTEGER NOT NULL,
  web_fetch_requests INTEGER NOT NULL,
  first_ms INTEGER NOT NULL,
  last_ms INTEGER NOT NULL,
  PRIMARY KEY(bucket_ms, source_id, model_id, speed, long_context)
) WITHOUT ROWID;
CREATE INDEX @TABLE@_by_source ON @TABLE@(source_id, bucket_ms);
INSERT INTO @TABLE@ SELECT (r.bucket_ms / @STEP@) * @STEP@, r.source_id, r.model_id, r.speed,
  r.long_context, sum(r.responses), sum(r.input_tokens), sum(r.output_tokens), sum(r.cache_creation_input_tokens), sum(r.cache_read_input_tokens), sum(r.cache_5m), sum(r.cache_1h), sum(r.web_search_requests), sum(r.web_fetch_requests),
  min(r.first_ms), max(r.last_ms)
FROM rollups r GROUP BY 1, 2, 3, 4, 5;
CREATE TRIGGER @TABLE@_insert AFTER INSERT ON rollups BEGIN
  INSERT INTO @TABLE@ VALUES((NEW.bucket_ms / @STEP@) * @STEP@, NEW.source_id, NEW.model_id, NEW.speed,
    NEW.long_context, NEW.responses, NEW.input_tokens, NEW.output_tokens, NEW.cache_creation_input_tokens, NEW.cache_read_input_tokens, NEW.cache_5m, NEW.cache_1h, NEW.web_search_requests, NEW.web_fetch_requests,
    NEW.first_ms, NEW.last_ms)
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
    first_ms = min(first_ms, excluded.first_ms), last_ms = max(last_ms, excluded.last_ms);
END;
CREATE TRIGGER @TABLE@_update AFTER UPDATE ON rollups BEGIN
  UPDATE @TABLE@ SET responses = responses - OLD.responses,
    input_tokens = input_tokens - OLD.input_tokens,
    output_tokens = output_tokens - OLD.output_tokens,
    cache_creation_input_tokens = cache_creation_input_tokens - OLD.cache_creation_input_tokens,
    cache_read_input_tokens = cache_read_input_tokens - OLD.cache_read_input_tokens,
    cache_5m = cache_5m - OLD.cache_5m,
    cache_1h = cache_1h - OLD.cache_1h,
    web_search_requests = web_search_requests - OLD.web_search_requests,
    web_fetch_requests = web_fetch_requests - OLD.web_fetch_requests
  WHERE bucket_ms = (OLD.bucket_ms / @STEP@) * @STEP@ AND source_id = OLD.source_id AND model_id = OLD.model_id AND speed = OLD.speed AND long_context = OLD.long_context;
  INSERT INTO @TABLE@ VALUES((NEW.bucket_ms / @STEP@) * @STEP@, NEW.source_id, NEW.model_id, NEW.speed,
    NEW.long_context, NEW.responses, NEW.input_tokens, NEW.output_tokens, NEW.cache_creation_input_tokens, NEW.cache_read_input_tokens, NEW.cache_5m, NEW.cache_1h, NEW.web_search_requests, NEW.web_fetch_requests,
    NEW.first_ms, NEW.last_ms)
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
    first_ms = min(first_ms, excluded.first_ms), last_ms = max(last_ms, excluded.last_ms);
  DELETE FROM @TABLE@ WHERE bucket_ms = (OLD.bucket_ms / @STEP@) * @STEP@ AND source_id = OLD.source_id AND model_id = OLD.model_id AND speed = OLD.speed AND long_context = OLD.long_context AND responses = 0;
  UPDATE @TABLE@ SET
    first_ms = (SELECT min(x.first_ms) FROM rollups x WHERE x.bucket_ms >= (OLD.bucket_ms / @STEP@) * @STEP@ AND x.bucket_ms < (OLD.bucket_ms / @STEP@) * @STEP@ + @STEP@
      AND x.source_id = OLD.source_id AND x.model_id = OLD.model_id AND x.speed = OLD.speed
      AND x.long_context = OLD.long_context),
    last_ms = (SELECT max(x.last_ms) FROM rollups x WHERE x.bucket_ms >= (OLD.bucket_ms / @STEP@) * @STEP@ AND x.bucket_ms < (OLD.bucket_ms / @STEP@) * @STEP@ + @STEP@
      AND x.source_id = OLD.source_id AND x.model_id = OLD.model_id AND x.speed = OLD.speed
      AND x.long_context = OLD.long_context)
  WHERE bucket_ms = (OLD.bucket_ms / @STEP@) * @STEP@ AND source_id = OLD.source_id AND model_id = OLD.model_id AND speed = OLD.speed AND long_context = OLD.long_context AND responses > 0
    AND (NEW.first_ms > OLD.first_ms OR NEW.last_ms < OLD.last_ms);
END;
CREATE TRIGGER @TABLE@_delete AFTER DELETE ON rollups BEGIN
  UPDATE @TABLE@ SET responses = responses - OLD.responses,
    input_tokens = input_tokens - OLD.input_tokens,
    output_tokens = output_tokens - OLD.output_tokens,
    cache_creation_input_tokens = cache_creation_input_tokens - OLD.cache_creation_input_tokens,
    cache_read_input_tokens = cache_read_input_tokens - OLD.cache_read_input_tokens,
    cache_5m = cache_5m - OLD.cache_5m,
    cache_1h = cache_1h - OLD.cache_1h,
    web_search_requests = web_search_requests - OLD.web_search_requests,
    web_fetch_requests = web_fetch_requests - OLD.web_fetch_requests
  WHERE bucket_ms = (OLD.bucket_ms / @STEP@) * @STEP@ AND source_id = OLD.source_id AND model_id = OLD.model_id AND speed = OLD.speed AND long_context = OLD.long_context;
  DELETE FROM @TABLE@ WHERE bucket_ms = (OLD.bucket_ms / @STEP@) * @STEP@ AND source_id = OLD.source_id AND model_id = OLD.model_id AND speed = OLD.speed AND long_context = OLD.long_context AND responses = 0;
  UPDATE @TABLE@ SET
    first_ms = (SELECT min(x.first_ms) FROM rollups x WHERE x.bucket_ms >= (OLD.bucket_ms / @STEP@) * @STEP@ AND x.bucket_ms < (OLD.bucket_ms / @STEP@) * @STEP@ + @STEP@
      AND x.source_id = OLD.source_id AND x.model_id = OLD.model_id AND x.speed = OLD.speed
      AND x.long_context = OLD.long_context),
    last_ms = (SELECT max(x.last_ms) FROM rollups x WHERE x.bucket_ms >= (OLD.bucket_ms / @STEP@) * @STEP@ AND x.bucket_ms < (OLD.bucket_ms / @STEP@) * @STEP@ + @STEP@
      AND x.source_id = OLD.source_id AND x.model_id = OLD.model_id AND x.speed = OLD.speed
      AND x.long_context = OLD.long_context)
  WHERE bucket_ms = (OLD.bucket_ms / @STEP@) * @STEP@ AND source_id = OLD.source_id AND model_id = OLD.model_id AND speed = OLD.speed AND long_context = OLD.long_context AND responses > 0;
END;
)sql";

// The coarser rollups each migration adds (k_coarser_rollup_sql for each), after its own SQL.
// Like k_migrations, never edit a shipped entry: append.
struct CoarserRollup {
    int migration;        // index into k_migrations
    const char* table;    // @TABLE@
    const char* step_ms;  // @STEP@
};
constexpr CoarserRollup k_coarser_rollups[] = {
    {2, "rollups_daily", "86400000"},  // reports grouped by session, project or model
    {2, "rollups_hourly", "3600000"},  // local days in whole-hour zones, 5-hour blocks
};

// The update trigger of a coarser level @TABLE@ (per source, or over all sources): a rollup's
// update moves its difference in one upsert (a missing row counts as zero: it went when an
// earlier statement emptied it), since no statement changes a rollup's key columns (bucket,
// source, model, speed, tier), only its sums and first/last times; a row emptied goes, and
// first/last times that may have shrunk are taken again, each under a condition on NEW and OLD
// alone, which SQLite tests before seeking any row. @SOURCE@, @XSOURCE@ and @NEWSOURCE@ add
// the source for the per-source levels.
constexpr const char* k_rollup_update_trigger_sql = R"sql(
CREATE TRIGGER @TABLE@_update AFTER UPDATE ON rollups BEGIN
  INSERT INTO @TABLE@ VALUES((NEW.bucket_ms / @STEP@) * @STEP@, @NEWSOURCE@NEW.model_id, NEW.speed, NEW.long_context,
    NEW.responses - OLD.responses, NEW.input_tokens - OLD.input_tokens, NEW.output_tokens - OLD.output_tokens,
    NEW.cache_creation_input_tokens - OLD.cache_creation_input_tokens, NEW.cache_read_input_tokens - OLD.cache_read_input_tokens,
    NEW.cache_5m - OLD.cache_5m, NEW.cache_1h - OLD.cache_1h, NEW.web_search_requests - OLD.web_search_requests,
    NEW.web_fetch_requests - OLD.web_fetch_requests, NEW.first_ms, NEW.last_ms)
  ON CONFLICT DO UPDATE SET
    responses = responses + excluded.responses,
    input_tokens = input_tokens + excluded.input_tokens,
    output_tokens = output_tokens + excluded.output_tokens,
    cache_creation_input_tokens = cache_creation_input_tokens + excluded.cache_creation_input_tokens,
    cache_read_input_tokens = cache_read_input_tokens + excluded.cache_read_input_tokens,
    cache_5m = cache_5m + excluded.cache_5m,
    cache_1h = cache_1h + excluded.cache_1h,
    web_search_requests = web_search_requests + excluded.web_search_requests,
    web_fetch_requests = web_fetch_requests + excluded.web_fetch_requests,
    first_ms = min(first_ms, excluded.first_ms), last_ms = max(last_ms, excluded.last_ms);
  DELETE FROM @TABLE@ WHERE NEW.responses < OLD.responses
    AND bucket_ms = (OLD.bucket_ms / @STEP@) * @STEP@ @SOURCE@AND model_id = OLD.model_id AND speed = OLD.speed AND long_context = OLD.long_context AND responses = 0;
  UPDATE @TABLE@ SET
    first_ms = (SELECT min(x.first_ms) FROM rollups x WHERE x.bucket_ms >= (OLD.bucket_ms / @STEP@) * @STEP@ AND x.bucket_ms < (OLD.bucket_ms / @STEP@) * @STEP@ + @STEP@
      @XSOURCE@AND x.model_id = OLD.model_id AND x.speed = OLD.speed AND x.long_context = OLD.long_context),
    last_ms = (SELECT max(x.last_ms) FROM rollups x WHERE x.bucket_ms >= (OLD.bucket_ms / @STEP@) * @STEP@ AND x.bucket_ms < (OLD.bucket_ms / @STEP@) * @STEP@ + @STEP@
      @XSOURCE@AND x.model_id = OLD.model_id AND x.speed = OLD.speed AND x.long_context = OLD.long_context)
  WHERE (NEW.first_ms > OLD.first_ms OR NEW.last_ms < OLD.last_ms)
    AND bucket_ms = (OLD.bucket_ms / @STEP@) * @STEP@ @SOURCE@AND model_id = OLD.model_id AND speed = OLD.speed AND long_context = OLD.long_context AND responses > 0;
END;
)sql";

// The same sums over all sources: per bucket of @STEP@ ms, model, speed and tier in table
// @TABLE@, kept from `rollups` by triggers as k_coarser_rollup_sql's tables are (with
// k_rollup_update_trigger_sql for updates).
constexpr const char* k_total_rollup_sql = R"sql(
CREATE TABLE @TABLE@(
  bucket_ms INTEGER NOT NULL,     -- start of a bucket of @STEP@ ms
  model_id INTEGER NOT NULL REFERENCES models(id),
  speed TEXT NOT NULL,
  long_context INTEGER NOT NULL,
  responses INTEGER NOT NULL,
  input_tokens INTEGER NOT NULL,
  output_tokens INTEGER NOT NULL,
  cache_creation_input_tokens INTEGER NOT NULL,
  cache_read_input_tokens INTEGER NOT NULL,
  cache_5m INTEGER NOT NULL,
  cache_1h INTEGER NOT NULL,
  web_search_requests INTEGER NOT NULL,
  web_fetch_requests INTEGER NOT NULL,
  first_ms INTEGER NOT NULL,
  last_ms INTEGER NOT NULL,
  PRIMARY KEY(bucket_ms, model_id, speed, long_context)
) WITHOUT ROWID;
INSERT INTO @TABLE@ SELECT (r.bucket_ms / @STEP@) * @STEP@, r.model_id, r.speed,
  r.long_context, sum(r.responses), sum(r.input_tokens), sum(r.output_tokens), sum(r.cache_creation_input_tokens), sum(r.cache_read_input_tokens), sum(r.cache_5m), sum(r.cache_1h), sum(r.web_search_requests), sum(r.web_fetch_requests),
  min(r.first_ms), max(r.last_ms)
FROM rollups r GROUP BY 1, 2, 3, 4;
CREATE TRIGGER @TABLE@_insert AFTER INSERT ON rollups BEGIN
  INSERT INTO @TABLE@ VALUES((NEW.bucket_ms / @STEP@) * @STEP@, NEW.model_id, NEW.speed,
    NEW.long_context, NEW.responses, NEW.input_tokens, NEW.output_tokens, NEW.cache_creation_input_tokens, NEW.cache_read_input_tokens, NEW.cache_5m, NEW.cache_1h, NEW.web_search_requests, NEW.web_fetch_requests,
    NEW.first_ms, NEW.last_ms)
  ON CONFLICT(bucket_ms, model_id, speed, long_context) DO UPDATE SET
    responses = responses + excluded.responses,
    input_tokens = input_tokens + excluded.input_tokens,
    output_tokens = output_tokens + excluded.output_tokens,
    cache_creation_input_tokens = cache_creation_input_tokens + excluded.cache_creation_input_tokens,
    cache_read_input_tokens = cache_read_input_tokens + excluded.cache_read_input_tokens,
    cache_5m = cache_5m + excluded.cache_5m,
    cache_1h = cache_1h + excluded.cache_1h,
    web_search_requests = web_search_requests + excluded.web_search_requests,
    web_fetch_requests = web_fetch_requests + excluded.web_fetch_requests,
    first_ms = min(first_ms, excluded.first_ms), last_ms = max(last_ms, excluded.last_ms);
END;
CREATE TRIGGER @TABLE@_delete AFTER DELETE ON rollups BEGIN
  UPDATE @TABLE@ SET responses = responses - OLD.responses,
    input_tokens = input_tokens - OLD.input_tokens,
    output_tokens = output_tokens - OLD.output_tokens,
    cache_creation_input_tokens = cache_creation_input_tokens - OLD.cache_creation_input_tokens,
    cache_read_input_tokens = cache_read_input_tokens - OLD.cache_read_input_tokens,
    cache_5m = cache_5m - OLD.cache_5m,
    cache_1h = cache_1h - OLD.cache_1h,
    web_search_requests = web_search_requests - OLD.web_search_requests,
    web_fetch_requests = web_fetch_requests - OLD.web_fetch_requests
  WHERE bucket_ms = (OLD.bucket_ms / @STEP@) * @STEP@ AND model_id = OLD.model_id AND speed = OLD.speed AND long_context = OLD.long_context;
  DELETE FROM @TABLE@ WHERE bucket_ms = (OLD.bucket_ms / @STEP@) * @STEP@ AND model_id = OLD.model_id AND speed = OLD.speed AND long_context = OLD.long_context AND responses = 0;
  UPDATE @TABLE@ SET
    first_ms = (SELECT min(x.first_ms) FROM rollups x WHERE x.bucket_ms >= (OLD.bucket_ms / @STEP@) * @STEP@ AND x.bucket_ms < (OLD.bucket_ms / @STEP@) * @STEP@ + @STEP@
      AND x.model_id = OLD.model_id AND x.speed = OLD.speed AND x.long_context = OLD.long_context),
    last_ms = (SELECT max(x.last_ms) FROM rollups x WHERE x.bucket_ms >= (OLD.bucket_ms / @STEP@) * @STEP@ AND x.bucket_ms < (OLD.bucket_ms / @STEP@) * @STEP@ + @STEP@
      AND x.model_id = OLD.model_id AND x.speed = OLD.speed AND x.long_context = OLD.long_context)
  WHERE bucket_ms = (OLD.bucket_ms / @STEP@) * @STEP@ AND model_id = OLD.model_id AND speed = OLD.speed AND long_context = OLD.long_context AND responses > 0;
END;
)sql";

// The rollups over all sources each migration adds (k_total_rollup_sql for each), after its
// own SQL and its k_coarser_rollups. Never edit a shipped entry: append.
// (None per quarter hour: periods read those only where a boundary cuts an hour, few rows.)
constexpr CoarserRollup k_total_rollups[] = {
    {5, "totals_hourly", "3600000"},  // periods in whole-hour zones, 5-hour blocks
    {5, "totals_daily", "86400000"},  // periods in UTC, grouped by model, counts
};

// The migrations that add the turn rollups (turn_rollups_migration_sql): 9 first, 11 again in
// the shape of schema 12.
constexpr int k_turn_rollups_migration = 9;
constexpr int k_turn_rollups_split_migration = 11;

// The migration that gives every coarser level k_rollup_update_trigger_sql (the per-source
// ones replace theirs).
constexpr int k_lean_update_migration = 5;

// `sql` (k_coarser_rollup_sql, k_total_rollup_sql, k_rollup_update_trigger_sql,
// k_rollup_level_fill_sql) for one level;
// `per_source`: the level has a source column.
std::string rollup_level_sql(const char* template_sql, const CoarserRollup& level,
                             bool per_source) {
    std::string sql = template_sql;
    for (const auto& [placeholder, value] :
         {std::pair<std::string_view, std::string_view>{"@TABLE@", level.table},
          {"@STEP@", level.step_ms},
          {"@SOURCE@", per_source ? "AND source_id = OLD.source_id " : ""},
          {"@XSOURCE@", per_source ? "AND x.source_id = OLD.source_id " : ""},
          {"@NEWSOURCE@", per_source ? "NEW.source_id, " : ""},
          {"@RSOURCE@", per_source ? "r.source_id, " : ""},
          {"@GROUP@", per_source ? "1, 2, 3, 4, 5" : "1, 2, 3, 4"}}) {
        for (size_t at = sql.find(placeholder); at != std::string::npos;
             at = sql.find(placeholder, at + value.size()))
            sql.replace(at, placeholder.size(), value);
    }
    return sql;
}

// What migration `from` (to schema from + 1) does to the rollup levels after k_migrations[from]:
// the levels it adds, with their triggers, and the triggers it replaces.
std::string rollup_levels_sql(int from) {
    std::string sql;
    for (const CoarserRollup& level : k_coarser_rollups) {
        if (level.migration == from)
            sql += rollup_level_sql(k_coarser_rollup_sql, level, true);
        if (from == k_lean_update_migration)
            sql += "DROP TRIGGER " + std::string(level.table) + "_update;" +
                   rollup_level_sql(k_rollup_update_trigger_sql, level, true);
    }
    for (const CoarserRollup& level : k_total_rollups) {
        if (level.migration == from)
            sql += rollup_level_sql(k_total_rollup_sql, level, false) +
                   rollup_level_sql(k_rollup_update_trigger_sql, level, false);
    }
    if (from == k_turn_rollups_migration || from == k_turn_rollups_split_migration)
        sql += turn_rollups_migration_sql();
    return sql;
}

// A coarser level's sums again from `rollups` (the fill of k_coarser_rollup_sql and
// k_total_rollup_sql), for a bulk load that left its triggers out. @RSOURCE@ and @GROUP@ add
// the source for the per-source levels.
constexpr const char* k_rollup_level_fill_sql = R"sql(
DELETE FROM @TABLE@;
INSERT INTO @TABLE@ SELECT (r.bucket_ms / @STEP@) * @STEP@, @RSOURCE@r.model_id, r.speed,
  r.long_context, sum(r.responses), sum(r.input_tokens), sum(r.output_tokens), sum(r.cache_creation_input_tokens), sum(r.cache_read_input_tokens), sum(r.cache_5m), sum(r.cache_1h), sum(r.web_search_requests), sum(r.web_fetch_requests),
  min(r.first_ms), max(r.last_ms)
FROM rollups r GROUP BY @GROUP@;
)sql";

// Every coarser level with whether it has a source column.
std::vector<std::pair<const CoarserRollup*, bool>> rollup_levels() {
    std::vector<std::pair<const CoarserRollup*, bool>> levels;
    for (const CoarserRollup& level : k_coarser_rollups)
        levels.emplace_back(&level, true);
    for (const CoarserRollup& level : k_total_rollups)
        levels.emplace_back(&level, false);
    return levels;
}

}  // namespace

Result<void> defer_rollup_levels(sqlite3* db) {
    std::string names;
    for (const auto& [level, per_source] : rollup_levels()) {
        for (const char* event : {"_insert", "_update", "_delete"})
            names += std::string(names.empty() ? "'" : ", '") + level->table + event + "'";
    }
    const std::string save =
        "INSERT OR REPLACE INTO deferred_triggers SELECT name, sql FROM sqlite_master WHERE "
        "type = 'trigger' AND tbl_name = 'rollups' AND name IN (" +
        names + ")";
    if (sqlite3_exec(db, save.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK)
        return sqlite_error(db, "cannot save the rollup triggers");
    CCMETER_TRY_ASSIGN(Statement saved,
                       prepare_statement(db, "SELECT name FROM deferred_triggers"));
    std::string drop;
    int rc = SQLITE_ROW;
    while ((rc = sqlite3_step(saved.get())) == SQLITE_ROW)
        drop += "DROP TRIGGER IF EXISTS \"" + column_text(saved.get(), 0) + "\";";
    if (rc != SQLITE_DONE)
        return sqlite_error(db, "cannot read the rollup triggers");
    if (sqlite3_exec(db, drop.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK)
        return sqlite_error(db, "cannot leave the rollup triggers out");
    return {};
}

Result<void> restore_rollup_levels(sqlite3* db) {
    std::vector<std::pair<std::string, std::string>> triggers;
    {
        CCMETER_TRY_ASSIGN(Statement saved,
                           prepare_statement(db, "SELECT name, sql FROM deferred_triggers"));
        int rc = SQLITE_ROW;
        while ((rc = sqlite3_step(saved.get())) == SQLITE_ROW)
            triggers.emplace_back(column_text(saved.get(), 0), column_text(saved.get(), 1));
        if (rc != SQLITE_DONE)
            return sqlite_error(db, "cannot read the rollup triggers");
    }
    if (triggers.empty())
        return {};
    std::string sql;
    for (const auto& [level, per_source] : rollup_levels())
        sql += rollup_level_sql(k_rollup_level_fill_sql, *level, per_source);
    for (const auto& [name, create] : triggers)
        sql += "DROP TRIGGER IF EXISTS \"" + name + "\";\n" + create + ";\n";
    sql += "DELETE FROM deferred_triggers;";
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK)
        return sqlite_error(db, "cannot restore the rollup triggers");
    return {};
}

std::string schema_step_sql(int from) {
    // A new line first: a migration may end in a comment (5 -> 6 is one).
    return std::string(k_migrations[from]) + "\n;" + rollup_levels_sql(from);
}

Result<void> migrate_schema(sqlite3* db, int version) {
    if (version > k_database_schema_version)
        return Error{"database schema version " + std::to_string(version) +
                     " is newer than this ccmeter understands (" +
                     std::to_string(k_database_schema_version) + "); upgrade ccmeter"};
    for (int from = version; from < k_database_schema_version; ++from) {
        Transaction transaction(db);
        if (!transaction.begin())
            return sqlite_error(db, "cannot begin migration");
        const std::string step =
            schema_step_sql(from) + "\n;PRAGMA user_version=" + std::to_string(from + 1);
        if (sqlite3_exec(db, step.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK ||
            !transaction.commit())
            return sqlite_error(db, "migration to schema " + std::to_string(from + 1));
    }
    return {};
}

}  // namespace ccmeter
