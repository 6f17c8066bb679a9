// `hookctl export [--what responses|sessions|daily] [--format json|csv] [--since DAY]
//   [--until DAY] [--project CWD] [--tz ZONE] [--output FILE]`
//
// The history as data, streamed from the daemon's Export RPC page by page and written out as
// it arrives (common/export_format.hpp: the rows and their keys), so memory stays bounded
// whatever the history holds. Days are local (--tz, as for `hookctl stats`), --until inclusive.
// To stdout, or to FILE: written as FILE.partial (mode 0600) and renamed once complete, so FILE
// never holds half an export.
#pragma once

#include <optional>
#include <string>

namespace ccmeter {

struct ExportCommandOptions {
    std::string what = "responses";  // responses | sessions | daily
    std::string format = "json";     // json | csv
    std::optional<std::string> since;
    std::optional<std::string> until;
    std::optional<std::string> tz;
    std::optional<std::string> project;
    std::optional<std::string> output;
};

// Returns the exit code: 0, 1 when the daemon or the output failed, 2 for bad arguments.
int run_export_command(const ExportCommandOptions& options);

}  // namespace ccmeter
