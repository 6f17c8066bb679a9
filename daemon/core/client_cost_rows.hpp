// The SQLite rows of the client's own cost records (client_cost_state.hpp): tables cost_states
// and cost_state_models (schema 4). Internal to the store: UsageStore calls these inside its
// own transactions, on its own connection and thread.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "core/client_cost_state.hpp"

// SQLite's handles, declared here so that sqlite3.h stays out of this header.
struct sqlite3;
struct sqlite3_stmt;

namespace ccmeter {

// Stores each state unless a stored one with the same key replaces it (replaces_cost_state).
// Runs inside the caller's transaction.
Result<void> store_cost_states(sqlite3* db, const std::vector<ClientCostState>& states);

// Every stored state (of one session, if given), ordered by start time then session id.
Result<std::vector<ClientCostState>> load_cost_states(sqlite3* db,
                                                      const std::optional<std::string>& session_id);

}  // namespace ccmeter
