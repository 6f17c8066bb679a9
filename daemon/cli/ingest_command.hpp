// `ccmeterd ingest`: bring the history up to date once and print totals. Used by people for a
// backfill and by tests and benchmarks as a scriptable entry point.
#pragma once

#include <filesystem>
#include <iosfwd>
#include <string>
#include <vector>

namespace ccmeter {

struct IngestCommandOptions {
    std::vector<std::filesystem::path> config_dirs;  // empty: from the environment
    // When set, only these transcripts are read (what the daemon does for a hook's event);
    // config dirs are not scanned.
    std::vector<std::filesystem::path> files;
    std::filesystem::path database;  // empty: default_database_path()
    std::filesystem::path prices;    // empty: default_prices_path()
    bool json = false;
    std::string by;          // "", "model", "day", "session" or "project"
    bool quiet = false;      // no log lines on stderr
    bool progress = false;   // a progress bar on stderr, when stderr is a terminal
    size_t batch_lines = 0;  // lines per commit; 0: IngestOptions' default
};

// Returns the process exit code: 0 on success, 1 when the store could not be used.
int run_ingest_command(const IngestCommandOptions& options, std::ostream& out, std::ostream& err);

}  // namespace ccmeter
