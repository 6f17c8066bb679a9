// Every tool call the tools report counts, kept in memory between answers so that an answer
// reads no call from the database once the cache is warm, and the first answer after new
// usage reads again only the sessions whose tool calls changed (tool_call_changes, schema 13).
//
// Per call 12 bytes: its start (as the time since the session's previous call), its run time,
// its tool and its cwd as small numbers, and whether it failed (12 MB for a million calls). A
// call that does not fit (a run time of 2^32 - 1 ms or more, a session with more than 32,767
// cwds, more than 65,535 tool names) is counted, not kept: while any such call is stored,
// exact() is false and the report reads the database instead (tool_usage.hpp).
//
// Threads: none of its own; use from one thread at a time (MeterQueries holds a lock).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "core/response_filter.hpp"
#include "core/tool_call_rows.hpp"
#include "core/tool_usage.hpp"
#include "core/usage_store.hpp"

namespace ccmeter {

class ToolCallCache {
  public:
    // More changed sessions than this since the last refresh: read every call again.
    static constexpr size_t k_sessions_read_one_by_one = 256;

    // Brings the cache up to date with `store`, inside one read snapshot of it: everything
    // again when it is empty, the store's change number went back (another database) or too
    // many sessions changed; else the changed sessions' calls. A failure leaves it to read
    // everything again next time.
    Result<void> refresh(const UsageStore& store);

    // False while a stored call does not fit the cache (see above): answer from the store.
    bool exact() const { return m_unfit_calls == 0; }

    // Per tool name (in name order), the figures of the kept calls that `filter` selects, as
    // tool_usage.hpp defines them over the calls UsageStore::tool_call_times reads (time range
    // on the call's start; side_calls_only is ignored). Only meaningful when exact().
    std::vector<ToolStats> tool_stats(const ResponseFilter& filter) const;

    int64_t full_reads() const { return m_full_reads; }        // refreshes that read every call
    int64_t sessions_read() const { return m_sessions_read; }  // sessions read one by one
    size_t calls() const;                                      // calls kept

  private:
    static constexpr uint32_t k_untimed = UINT32_MAX;
    static constexpr uint32_t k_far = UINT32_MAX;  // a start read from Session::far_starts

    struct Call {
        uint32_t since_previous_ms = k_far;  // since the previous call's start, or k_far
        uint32_t run_ms = k_untimed;         // k_untimed: no known run time
        uint16_t tool = 0;                   // into m_tool_names
        uint16_t cwd_and_failed = 0;  // its cwd's index into the session's cwds << 1 | failed
    };
    static_assert(sizeof(Call) == 12);

    struct Session {
        std::vector<std::string> cwds;
        std::vector<Call> calls;          // by start time
        std::vector<int64_t> far_starts;  // the starts of the calls marked k_far, in order
        int64_t last_start_ms = 0;        // the last call's start (while reading)
        size_t unfit_calls = 0;
    };

    // Adds one call to `session` (its calls read in start order).
    void add(Session& session, const ToolCallRow& row);
    // A copy of `scratch` in vectors of exactly its size; `scratch` is left empty, its room kept.
    static Session fitted(Session& scratch);
    // The index of `name` in m_tool_names, added when new; -1 when there is no room.
    int tool_id(std::string_view name);

    std::map<std::string, Session, std::less<>> m_sessions;
    std::vector<std::string> m_tool_names;
    std::map<std::string, uint16_t, std::less<>> m_tool_ids;
    size_t m_unfit_calls = 0;   // over every session
    int64_t m_change_seq = -1;  // the store's change number the calls reflect; -1: none yet
    int64_t m_full_reads = 0;
    int64_t m_sessions_read = 0;
};

}  // namespace ccmeter
