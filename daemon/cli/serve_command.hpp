// `ccmeterd serve`: the daemon in the foreground. One per user (a flock'd pid file); serves
// ccmeter.v1.Meter on the private Unix socket and the web view on 127.0.0.1 (a taken port is
// logged and the daemon goes on without it); logs to stderr; SIGTERM/SIGINT stop it cleanly.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <vector>

namespace ccmeter {

struct ServeCommandOptions {
    std::vector<std::filesystem::path> config_dirs;  // empty: from the environment
    std::filesystem::path database;                  // empty: default_database_path()
    std::filesystem::path prices;                    // empty: default_prices_path()
    bool poll = false;                               // never use inotify
    // The web view's port on 127.0.0.1. Unset: $CCMETER_WEB_PORT, else k_default_web_port
    // (7681, web/web_server.hpp). 0: no web view.
    std::optional<uint16_t> web_port;
    // Periodic backups (server/backup_scheduler.hpp: off unless a directory is given here or
    // in CCMETER_BACKUP_DIR; every 24 h, 7 kept). Unset: the environment's, else the defaults.
    std::filesystem::path backup_dir;
    std::optional<std::chrono::seconds> backup_interval;
    std::optional<size_t> backup_keep;
};

// malloc arenas of the daemon (mallopt M_ARENA_MAX, set before any thread starts): 1. glibc's
// default, 8 per core, gives each gRPC and web thread an arena of its own, and each keeps
// what its largest answer freed; malloc_trim gives back the free pages inside every arena but
// the unused top only of the main one (a top kept by free() can reach 64 MB once large blocks
// were freed). The daemon's threads rarely allocate at the same time, and small blocks come
// from each thread's own cache (tcache) without the arena's lock.
constexpr int k_malloc_arena_max = 1;

// Returns the exit code: 0 after a clean shutdown or when another daemon already runs.
int run_serve_command(const ServeCommandOptions& options);

}  // namespace ccmeter
