// `hookctl stats tools [--since DATE] [--until DATE] [--tz ZONE] [--project CWD]
//   [--session ID] [--json]`: calls, errors and run times per tool name (common/tools_format),
// asked of a daemon that has caught up with the transcripts (stats_command.hpp).
#pragma once

#include <optional>
#include <string>

#include "ccmeter/v1/ccmeter.pb.h"

namespace ccmeter {

class MeterClient;

// `filter` as report_filter() made it; `session_id` narrows it to one session. Returns the
// exit code: 0, or 1 when the daemon could not answer.
int run_tools_report(MeterClient& client, v1::Filter filter,
                     const std::optional<std::string>& session_id, bool json);

}  // namespace ccmeter
