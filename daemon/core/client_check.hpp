// The client check: what ccmeter priced from transcripts next to what Claude Code itself
// reported (its cost-state records), per session, and why they differ.
//
// Per session, the client's figure is the sum over its processes of what each process itself
// cost. A forked or resumed process carries its parent's totals (same start time, another
// session): the parent's state is subtracted, the parent being the largest other state with the
// same start time whose per-model tokens all fit inside this one's. Only sessions the client
// reported on are checked: a process still running has written no record yet, and clients
// before 2.1.332 write none.
//
// Money in pico-dollars. Pure over the store's rows: no I/O beyond the reads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "core/client_cost_state.hpp"
#include "core/price_table.hpp"
#include "core/usage_store.hpp"

namespace ccmeter {

struct SessionCheck {
    std::string session_id;
    std::string project;           // the cwd of its responses, if any
    int64_t first_process_ms = 0;  // the earliest start time of its processes
    int64_t processes = 0;
    int64_t client_pico_usd = 0;  // what the client says the session itself cost
    int64_t ours_pico_usd = 0;    // what ccmeter priced from the session's responses
    int64_t responses = 0;
    int64_t unpriced_responses = 0;  // of ours, without a price (not in ours_pico_usd)
    // Of ours: the side calls, requests the client exported that no transcript has (session
    // titles); responses and money included in the figures above, shown apart.
    int64_t side_calls = 0;
    int64_t side_call_pico_usd = 0;
    // The client's figure lists a model with tokens our responses of the session lack, e.g.
    // a side call (session titles) no transcript records: the names, for the explanation.
    std::vector<std::string> client_only_models;
    int64_t difference_pico_usd() const { return client_pico_usd - ours_pico_usd; }
};

// `states` as each process's own part: the parent's totals (see above) taken off: its cost,
// tokens, API, tool and wall time and lines added and removed (each at least 0).
std::vector<ClientCostState> own_cost_states(std::vector<ClientCostState> states);

// The sessions whose first process started in [since, until) (open bounds when unset), most
// recent first.
Result<std::vector<SessionCheck>> client_check(const UsageStore& store, const PriceTable& prices,
                                               std::optional<int64_t> since_ms,
                                               std::optional<int64_t> until_ms);

}  // namespace ccmeter
