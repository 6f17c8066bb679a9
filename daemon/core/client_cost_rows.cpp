#include "core/client_cost_rows.hpp"

#include <sqlite3.h>

#include "core/sqlite_statement.hpp"

namespace ccmeter {

Result<void> store_cost_states(sqlite3* db, const std::vector<ClientCostState>& states) {
    if (states.empty())
        return {};
    CCMETER_TRY_ASSIGN(Statement select,
                       prepare_statement(db,
                                         "SELECT total_cost_pico FROM cost_states "
                                         "WHERE session_id = ?1 AND start_time_ms = ?2"));
    CCMETER_TRY_ASSIGN(
        Statement upsert,
        prepare_statement(
            db,
            "INSERT OR REPLACE INTO cost_states(session_id, start_time_ms, total_cost_pico, "
            "api_duration_ms, tool_duration_ms, duration_ms, lines_added, lines_removed, "
            "has_unknown_model_cost) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"));
    CCMETER_TRY_ASSIGN(Statement clear_models,
                       prepare_statement(db,
                                         "DELETE FROM cost_state_models "
                                         "WHERE session_id = ?1 AND start_time_ms = ?2"));
    CCMETER_TRY_ASSIGN(
        Statement insert_model,
        prepare_statement(
            db,
            "INSERT OR REPLACE INTO cost_state_models(session_id, start_time_ms, model, "
            "input_tokens, output_tokens, cache_read_input_tokens, "
            "cache_creation_input_tokens, cache_5m, cache_1h, web_search_requests, "
            "thinking_tokens, cost_pico) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
            "?11, ?12)"));
    for (const ClientCostState& state : states) {
        bind_text(select.get(), 1, state.session_id);
        sqlite3_bind_int64(select.get(), 2, state.start_time_ms);
        const int rc = sqlite3_step(select.get());
        const bool stored = rc == SQLITE_ROW;
        ClientCostState existing;
        if (stored)
            existing.total_cost_pico_usd = sqlite3_column_int64(select.get(), 0);
        sqlite3_reset(select.get());
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            return sqlite_error(db, "cannot read a cost state");
        if (stored && !replaces_cost_state(state, existing))
            continue;
        sqlite3_stmt* s = upsert.get();
        bind_text(s, 1, state.session_id);
        const int64_t values[] = {state.start_time_ms,   state.total_cost_pico_usd,
                                  state.api_duration_ms, state.tool_duration_ms,
                                  state.duration_ms,     state.lines_added,
                                  state.lines_removed,   state.has_unknown_model_cost ? 1 : 0};
        for (int i = 0; i < 8; ++i)
            sqlite3_bind_int64(s, 2 + i, values[i]);
        if (!step_done(s))
            return sqlite_error(db, "cannot store a cost state");
        bind_text(clear_models.get(), 1, state.session_id);
        sqlite3_bind_int64(clear_models.get(), 2, state.start_time_ms);
        if (!step_done(clear_models.get()))
            return sqlite_error(db, "cannot store a cost state");
        for (const ClientModelUsage& model : state.models) {
            sqlite3_stmt* m = insert_model.get();
            bind_text(m, 1, state.session_id);
            sqlite3_bind_int64(m, 2, state.start_time_ms);
            bind_text(m, 3, model.model);
            const TokenCounts& t = model.tokens;
            const int64_t fields[] = {t.input_tokens,
                                      t.output_tokens,
                                      t.cache_read_input_tokens,
                                      t.cache_creation_input_tokens,
                                      t.cache_5m,
                                      t.cache_1h,
                                      t.web_search_requests,
                                      model.thinking_tokens,
                                      model.cost_pico_usd};
            for (int i = 0; i < 9; ++i)
                sqlite3_bind_int64(m, 4 + i, fields[i]);
            if (!step_done(m))
                return sqlite_error(db, "cannot store a cost state's model");
        }
    }
    return {};
}

Result<std::vector<ClientCostState>> load_cost_states(
    sqlite3* db, const std::optional<std::string>& session_id) {
    CCMETER_TRY_ASSIGN(
        Statement states,
        prepare_statement(
            db,
            "SELECT session_id, start_time_ms, total_cost_pico, api_duration_ms, "
            "tool_duration_ms, duration_ms, lines_added, lines_removed, "
            "has_unknown_model_cost FROM cost_states WHERE ?1 IS NULL OR session_id = ?1 "
            "ORDER BY start_time_ms, session_id"));
    CCMETER_TRY_ASSIGN(
        Statement models,
        prepare_statement(db,
                          "SELECT model, input_tokens, output_tokens, cache_read_input_tokens, "
                          "cache_creation_input_tokens, cache_5m, cache_1h, web_search_requests, "
                          "thinking_tokens, cost_pico FROM cost_state_models "
                          "WHERE session_id = ?1 AND start_time_ms = ?2 ORDER BY model"));
    if (session_id)
        bind_text(states.get(), 1, *session_id);
    std::vector<ClientCostState> result;
    int rc = 0;
    while ((rc = sqlite3_step(states.get())) == SQLITE_ROW) {
        ClientCostState state;
        sqlite3_stmt* s = states.get();
        state.session_id = column_text(s, 0);
        state.start_time_ms = sqlite3_column_int64(s, 1);
        state.total_cost_pico_usd = sqlite3_column_int64(s, 2);
        state.api_duration_ms = sqlite3_column_int64(s, 3);
        state.tool_duration_ms = sqlite3_column_int64(s, 4);
        state.duration_ms = sqlite3_column_int64(s, 5);
        state.lines_added = sqlite3_column_int64(s, 6);
        state.lines_removed = sqlite3_column_int64(s, 7);
        state.has_unknown_model_cost = sqlite3_column_int64(s, 8) != 0;
        sqlite3_stmt* m = models.get();
        bind_text(m, 1, state.session_id);
        sqlite3_bind_int64(m, 2, state.start_time_ms);
        int model_rc = 0;
        while ((model_rc = sqlite3_step(m)) == SQLITE_ROW) {
            ClientModelUsage model;
            model.model = column_text(m, 0);
            TokenCounts& t = model.tokens;
            int64_t* fields[] = {&t.input_tokens,
                                 &t.output_tokens,
                                 &t.cache_read_input_tokens,
                                 &t.cache_creation_input_tokens,
                                 &t.cache_5m,
                                 &t.cache_1h,
                                 &t.web_search_requests,
                                 &model.thinking_tokens,
                                 &model.cost_pico_usd};
            for (int i = 0; i < 9; ++i)
                *fields[i] = sqlite3_column_int64(m, 1 + i);
            state.models.push_back(std::move(model));
        }
        sqlite3_reset(m);
        if (model_rc != SQLITE_DONE)
            return sqlite_error(db, "cannot read a cost state's models");
        result.push_back(std::move(state));
    }
    if (rc != SQLITE_DONE)
        return sqlite_error(db, "cannot read cost states");
    return result;
}

}  // namespace ccmeter
