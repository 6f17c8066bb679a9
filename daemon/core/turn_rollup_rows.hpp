// The SQLite rows of the turn rollups (table turn_rollups, schema 10; split by chain in schema
// 12): the sums of every turn's responses per UTC day, model, speed, tier and chain (main or
// subagents), so that what turns cost (turn_costs.hpp) and a session's detail read a few rows
// per turn instead of every response.
//
// A turn is what turn_costs.hpp calls one: a main-chain prompt of a session (a `turns` row with
// is_sidechain 0) and every response of the session, main chain and subagents, from it until
// the session's next prompt; turn_ms is the prompt's time, or -1 for the responses before the
// session's first prompt. Responses at the same millisecond as a prompt belong to it.
//
// Contract: every row equals the same sums over the stored responses (the property test of
// tests/core/test_usage_rollups.cpp holds them to it), whatever order responses and prompts
// arrive in. New responses are added by TurnRollupWriter::add (summed per row in memory first);
// merges and deletions of stored responses by triggers (turn_rollups_migration_sql); a prompt
// stored after responses of its turn moves them (TurnRollupWriter::split). last_ms is an upper
// bound of the row's latest response time (it never shrinks), used only to know whether a new
// prompt cuts a turn.
//
// Internal to the store: UsageStore calls these inside its own transactions, on its own
// connection and thread.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "core/usage_record.hpp"

namespace ccmeter {

// The SQL that creates turn_rollups and its triggers on `responses`, and fills it from the
// stored responses and prompts (the migration to schema 10).
std::string turn_rollups_migration_sql();

// One newly stored response and the id its model was interned as.
struct NewTurnResponse {
    const UsageRecord* record = nullptr;
    int64_t model_id = 0;
};

// Keeps turn_rollups for the writes of one connection (its statements prepared on first use).
class TurnRollupWriter {
  public:
    explicit TurnRollupWriter(sqlite3* db) : m_db(db) {}
    ~TurnRollupWriter();
    TurnRollupWriter(const TurnRollupWriter&) = delete;
    TurnRollupWriter& operator=(const TurnRollupWriter&) = delete;

    // A new main-chain prompt of `session_id` at `start_ms` was just stored (call it after each
    // one, before the next is stored): responses already summed in the turn it cuts, at or
    // after `start_ms`, move to it.
    Result<void> split(const std::string& session_id, int64_t start_ms);

    // Adds newly stored responses to their turns' rows (the prompts of their batch stored
    // first).
    Result<void> add(const std::vector<NewTurnResponse>& responses);

  private:
    enum Which {
        k_turns_at,
        k_turn_before,
        k_turn_after,
        k_reaches,
        k_drop_turn,
        k_rebuild_turns,
        k_session_starts,
        k_upsert,
        k_count
    };
    Result<sqlite3_stmt*> statement(Which which);

    sqlite3* m_db;
    sqlite3_stmt* m_statements[k_count] = {};
};

}  // namespace ccmeter
