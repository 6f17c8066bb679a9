// `hookctl stats tools`: per-tool calls, errors and run times as a text table and as stable
// JSON. The web view's /api/tools is the same JSON (built by tools_json from the same reply).
//
// JSON: {"tools": [{"name", "calls", "errors", "timed_calls", "total_ms", "p50_ms", "p95_ms"}],
//        "totals": {"calls", "errors", "timed_calls", "total_ms"}}
// All integers; times in milliseconds; p50_ms / p95_ms are null when no call of the tool has a
// known run time. Rows in the reply's order (most calls first).
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <string>

#include "ccmeter/v1/ccmeter.pb.h"

namespace ccmeter {

boost::json::object tools_json(const v1::ToolsReply& reply);
std::string tools_table(const v1::ToolsReply& reply);

// A run time for people: "850 ms", "12.4 s", "3m07s", "1h02m"; "-" when unknown (negative).
std::string format_run_time(int64_t ms);

}  // namespace ccmeter
