// `ccmeterd serve`: the daemon in the foreground. One per user (a flock'd pid file); serves
// ccmeter.v1.Meter on the private Unix socket; logs to stderr; SIGTERM/SIGINT stop it cleanly.
#pragma once

#include <filesystem>
#include <vector>

namespace ccmeter {

struct ServeCommandOptions {
    std::vector<std::filesystem::path> config_dirs;  // empty: from the environment
    std::filesystem::path database;                  // empty: default_database_path()
    std::filesystem::path prices;                    // empty: default_prices_path()
    bool poll = false;                               // never use inotify
};

// Returns the exit code: 0 after a clean shutdown or when another daemon already runs.
int run_serve_command(const ServeCommandOptions& options);

}  // namespace ccmeter
