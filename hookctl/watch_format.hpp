// `hookctl watch` output, a pure function of the daemon's Watch events.
//
// Text, one line per stored response (local time of the response, the process's TZ):
//   "14:03:22  /home/me/src/app  opus-4-8  in 1,234  out 567  cache w 2,048 r 12,345
//    $0.012345  session $1.23"
// (one line; the cost to the micro-dollar, "$?" for a model without a price; the session's total
// as in `hookctl stats`). Transcript strings are made terminal-safe.
// JSON, one object per line: the keys of `hookctl export --what responses` (export_format.hpp:
// "time", "timestamp_ms", "session_id", "project", "model", ..., "cost_micro_usd", "cost_usd"
// exact) plus "session_total": the Usage object of `hookctl stats --json` (stats_format.hpp).
#pragma once

#include <boost/json/object.hpp>
#include <string>

#include "ccmeter/v1/ccmeter.pb.h"

namespace ccmeter {

// Micro-dollars with all six decimals: 12'345 -> "$0.012345".
std::string micro_usd_text(int64_t micro_usd);

std::string watch_line(const v1::WatchEvent& event);
boost::json::object watch_json(const v1::WatchEvent& event);

}  // namespace ccmeter
