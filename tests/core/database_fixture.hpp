// Test fixture: a history database in a throwaway directory, filled with numbered responses
// committed the way ingestion commits them.
#pragma once

#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <memory>
#include <string>

#include "core/usage_store.hpp"

namespace ccmeter::test {

class TempDatabase {
  public:
    TempDatabase() {
        static std::atomic<int> counter{0};
        m_root =
            std::filesystem::temp_directory_path() /
            ("ccmeter-db-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        std::filesystem::remove_all(m_root);
        std::filesystem::create_directories(m_root);
        Result<std::unique_ptr<UsageStore>> opened = UsageStore::open(database());
        REQUIRE(opened.has_value());
        m_store = std::move(*opened);
    }
    ~TempDatabase() {
        m_store.reset();
        std::filesystem::remove_all(m_root);
    }
    TempDatabase(const TempDatabase&) = delete;
    TempDatabase& operator=(const TempDatabase&) = delete;

    const std::filesystem::path& root() const { return m_root; }
    std::filesystem::path database() const { return m_root / "data" / "usage.db"; }
    UsageStore& store() { return *m_store; }

    // Commits responses first .. first + count - 1, one second apart, 1000 + i output tokens.
    void add_responses(int first, int count) {
        IngestBatch batch;
        for (int i = first; i < first + count; ++i) {
            UsageRecord r;
            r.message_id = "msg_" + std::to_string(i);
            r.request_id = "req_" + std::to_string(i);
            r.model = "claude-opus-4-5";
            r.session_id = "s" + std::to_string(i % 3);
            r.cwd = "/home/dev/p" + std::to_string(i % 2);
            r.timestamp_ms = 1'790'000'000'000 + int64_t{i} * 1000;
            r.tokens.input_tokens = 10;
            r.tokens.output_tokens = 1000 + i;
            batch.add_response(r);
        }
        REQUIRE(m_store->commit(batch).has_value());
    }

  private:
    std::filesystem::path m_root;
    std::unique_ptr<UsageStore> m_store;
};

// SQL that gives a database's tool_calls the shape schema 13 wrote (its session and cwd as text
// in the row, no dictionaries, schema 13's index and OTel trigger), for tests that take a
// database back to an older schema and open it.
constexpr const char* k_tool_calls_of_schema_13_sql = R"sql(
DROP TRIGGER tool_runs_time_calls;
CREATE TABLE tool_calls_13(
  tool_use_id TEXT PRIMARY KEY,
  tool_name TEXT NOT NULL DEFAULT '',
  session_id TEXT NOT NULL DEFAULT '',
  cwd TEXT NOT NULL DEFAULT '',
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
INSERT INTO tool_calls_13 SELECT c.tool_use_id, c.tool_name, s.session_id, w.cwd, c.started_ms,
  c.finished_ms, c.is_error, c.is_sidechain, c.agent_id, c.otel_ms, c.otel_success, c.run_ms,
  c.failed
FROM tool_calls c JOIN tool_call_sessions s ON s.id = c.session_ref
  JOIN tool_call_cwds w ON w.id = c.cwd_ref;
DROP TABLE tool_calls;
DROP TABLE tool_call_sessions;
DROP TABLE tool_call_cwds;
ALTER TABLE tool_calls_13 RENAME TO tool_calls;
CREATE INDEX tool_calls_by_session ON tool_calls(session_id, started_ms, tool_name, run_ms,
  failed, cwd) WHERE started_ms IS NOT NULL;
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
)sql";

// Output tokens summed over the responses of the database at `path` (opened read-only).
inline int64_t output_tokens_of(const std::filesystem::path& path, int64_t* responses = nullptr) {
    Result<std::unique_ptr<UsageStore>> store = UsageStore::open_read_only(path);
    REQUIRE(store.has_value());
    int64_t sum = 0, count = 0;
    REQUIRE((*store)
                ->for_each_response({},
                                    [&](const UsageRecord& r) {
                                        sum += r.tokens.output_tokens;
                                        ++count;
                                    })
                .has_value());
    if (responses)
        *responses = count;
    return sum;
}

}  // namespace ccmeter::test
