// `ccmeterd restore PATH [--db PATH] [--stop-daemon]`: replaces the history database with a
// backup (core/database_restore: the backup copied and checked first, so a bad one is refused
// before anything else happens; the old database kept beside it as
// `<db>.before-restore-<UTC time>`). It then takes the daemon's per-user lock and holds it while
// it swaps the files, so it refuses while a daemon runs and no daemon starts meanwhile; with
// --stop-daemon it stops the running daemon (SIGTERM, waiting up to k_stop_daemon_wait for it to
// exit, its last commit done) instead. The daemon is
// not started again (hookctl starts it on its next call).
#pragma once

#include <chrono>
#include <filesystem>
#include <iosfwd>

namespace ccmeter {

// Exit codes (README, "Commands of the daemon").
constexpr int k_restore_ok = 0;
constexpr int k_restore_failed = 1;   // I/O and the like; the database is as it was
constexpr int k_restore_refused = 3;  // the backup is not a usable ccmeter database
constexpr int k_restore_daemon_running =
    4;  // a daemon runs (and was not, or could not be, stopped)

// How long --stop-daemon waits for the daemon to exit. Default 15 s.
constexpr std::chrono::seconds k_stop_daemon_wait{15};

struct RestoreCommandOptions {
    std::filesystem::path backup;
    std::filesystem::path database;  // empty: default_database_path()
    bool stop_daemon = false;
};

int run_restore_command(const RestoreCommandOptions& options, std::ostream& out, std::ostream& err);

}  // namespace ccmeter
