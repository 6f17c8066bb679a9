#include "cli/restore_command.hpp"

#include <signal.h>

#include <ostream>
#include <thread>

#include "cli/pid_lock.hpp"
#include "common/app_paths.hpp"
#include "common/clock.hpp"
#include "common/runtime_paths.hpp"
#include "core/database_restore.hpp"

namespace ccmeter {

namespace fs = std::filesystem;

int run_restore_command(const RestoreCommandOptions& options, std::ostream& out,
                        std::ostream& err) {
    const fs::path database = options.database.empty() ? default_database_path() : options.database;
    // The backup is copied and checked first: a bad one is refused before anything is stopped.
    Result<RestoreCopy> copy = prepare_restore(options.backup, database);
    if (!copy) {
        const bool refused = copy.error().kind == ErrorKind::invalid_argument;
        err << "ccmeterd restore: " << copy.error().message << "\n"
            << "ccmeterd restore: " << (refused ? "refused; " : "failed; ") << database.string()
            << " was not changed.\n";
        return refused ? k_restore_refused : k_restore_failed;
    }
    if (Result<void> made = ensure_private_dir(runtime_dir()); !made) {
        err << "ccmeterd restore: " << made.error().message << "\n";
        return k_restore_failed;
    }
    Result<PidLock> lock = PidLock::try_lock(pid_file_path(), false);
    if (!lock) {
        err << "ccmeterd restore: " << lock.error().message << "\n";
        return k_restore_failed;
    }
    if (!lock->held()) {
        const int64_t pid = lock->holder_pid();
        const std::string who = "ccmeterd" + (pid > 0 ? " (pid " + std::to_string(pid) + ")" : "");
        if (!options.stop_daemon || pid <= 0) {
            err << "ccmeterd restore: " << who << " is running; stop it first (systemctl --user "
                << "stop ccmeterd, or kill " << (pid > 0 ? std::to_string(pid) : "it")
                << ") or pass --stop-daemon. Nothing was changed.\n";
            return k_restore_daemon_running;
        }
        out << "stopping " << who << "...\n";
        ::kill(static_cast<pid_t>(pid), SIGTERM);
        const auto give_up = std::chrono::steady_clock::now() + k_stop_daemon_wait;
        for (;;) {
            lock = PidLock::try_lock(pid_file_path(), false);
            if (!lock) {
                err << "ccmeterd restore: " << lock.error().message << "\n";
                return k_restore_failed;
            }
            if (lock->held())
                break;
            if (std::chrono::steady_clock::now() > give_up) {
                err << "ccmeterd restore: " << who << " did not stop within "
                    << k_stop_daemon_wait.count() << " s. Nothing was changed.\n";
                return k_restore_daemon_running;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    }
    Result<RestoreResult> restored = install_restore(*copy, database, now_ms());
    if (!restored) {
        err << "ccmeterd restore: " << restored.error().message << "\n"
            << "ccmeterd restore: failed; " << database.string() << " was not changed.\n";
        return k_restore_failed;
    }
    out << "restored " << database.string() << " from " << options.backup.string() << " ("
        << restored->responses << " responses, schema " << restored->backup_schema_version;
    if (restored->schema_version != restored->backup_schema_version)
        out << ", migrated to " << restored->schema_version;
    out << ")\n";
    if (restored->previous)
        out << "the previous database is kept as " << restored->previous->string() << "\n";
    return k_restore_ok;
}

}  // namespace ccmeter
