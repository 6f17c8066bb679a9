// `hookctl backup [PATH]`: asks the daemon for a consistent copy of the history database
// (the Backup RPC: SQLite's online backup API while ingest goes on) and prints where it went
// and its size. PATH: a file (refused if it exists) or a directory for a copy named by its
// time; relative to the current directory. Default: <database dir>/backups/usage-<UTC time>.db.
#pragma once

#include <optional>
#include <string>

namespace ccmeter {

// Returns the exit code: 0, 1 when the daemon could not make the copy.
int run_backup_command(const std::optional<std::string>& path);

}  // namespace ccmeter
