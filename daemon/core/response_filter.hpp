// Which stored rows a query visits: a time range, one session, one project (cwd). Shared by
// the responses (usage_store.hpp) and the tool calls (tool_call_rows.hpp); its SQL is built by
// response_filter_sql.hpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace ccmeter {

// Which responses (or tool calls) a query visits. Bounds are UTC milliseconds, `since_ms`
// inclusive, `until_ms` exclusive; each unset field selects everything.
struct ResponseFilter {
    std::optional<int64_t> since_ms;
    std::optional<int64_t> until_ms;
    std::optional<std::string> session_id;
    std::optional<std::string> cwd;
    // Only side calls: requests the client exported (OpenTelemetry) that no transcript line
    // has claimed, e.g. session-title calls. Read from the responses, not the rollups (few rows).
    // Responses only: the tool calls ignore it.
    bool side_calls_only = false;
};

}  // namespace ccmeter
