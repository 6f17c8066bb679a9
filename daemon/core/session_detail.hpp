// One session in detail: its totals (whole, main chain, subagents, per model), its subagents,
// and a page of its responses with the turns that hold them.
//
// A turn is a prompt of the main chain and every response after it, main chain and subagents,
// until the session's next prompt; responses before the first prompt form turn 0, which starts
// at its first response. Costs are exact pico-dollars (UsageTotals); every total covers the
// whole session whatever page of responses is listed, and so does each listed turn's.
//
// Two ways to the same answer: with RowSource::rollups (the default) the totals come from the
// turn rollups (turn_rollup_rows.hpp: per turn and chain) and each subagent's from the rollups
// of its sources, so a session of 60,000 responses reads its turns' rows, its subagents'
// 15-minute rows and one page; with RowSource::responses (tests) from every response. Only
// reads; use on a read connection from one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "core/price_table.hpp"
#include "core/session_activity.hpp"
#include "core/usage_queries.hpp"
#include "core/usage_report.hpp"
#include "core/usage_store.hpp"

namespace ccmeter {

// Responses listed when the caller names no limit.
inline constexpr size_t k_session_page_default = 100;

// Which responses a SessionDetail lists: the newest `limit` before `before_ms` (0: every one;
// a page never splits a millisecond, so it may hold more when several share its oldest one's).
// The turns listed are those holding a listed response (every turn when limit is 0), so that a
// session of 5,000 turns answers with a page of them, not all.
struct SessionPage {
    size_t limit = k_session_page_default;
    std::optional<int64_t> before_ms;  // none: up to the newest
};

struct TurnTotals {
    int64_t number = 0;  // 1 for the session's first turn, turn_count for its last
    int64_t start_ms = 0;
    UsageTotals usage;                    // main chain and subagents together
    UsageTotals main;                     // the main chain's responses
    UsageTotals subagents;                // sidechain (subagent) responses
    std::set<std::string> models;         // of every response of the turn
    std::vector<ResponseCost> responses;  // the listed ones (SessionPage), in time order
};

// What one subagent (one agent id; "" for sidechain lines without one) spent in a session.
struct AgentTotals {
    std::string agent_id;
    int64_t first_ms = 0;
    UsageTotals usage;
    std::set<std::string> models;
};

struct SessionDetail {
    std::string session_id;
    std::string project;   // the cwd of its first response
    int64_t first_ms = 0;  // its first and last response
    int64_t last_ms = 0;
    UsageTotals usage;
    UsageTotals main;  // usage = main + subagents, each priced exactly
    UsageTotals subagents;
    std::map<std::string, UsageTotals> by_model;
    // The listed turns (SessionPage), in time order; split at main-chain turn starts.
    std::vector<TurnTotals> turns;
    int64_t turn_count = 0;           // of the whole session; 0: no response
    std::vector<AgentTotals> agents;  // in order of their first response
    // What the session's processes did (session_activity.hpp); none when no process of it
    // reported (clients before 2.1.332, or still running).
    std::optional<Activity> activity;
    int64_t listed_responses = 0;  // in turns[].responses
    // Set when older responses than the listed ones exist: the next page's before_ms.
    std::optional<int64_t> next_before_ms;
};

Result<SessionDetail> session_detail(const UsageStore& store, const PriceTable& prices,
                                     const std::string& session_id, const SessionPage& page = {});

}  // namespace ccmeter
