// `ccmeterd team ...`: the team store (README, "Team store (PostgreSQL)").
//   team init [DSN]         create or migrate the store's schema and the group role (as its owner)
//   team add-member NAME    a login role NAME granted ccmeter_member (as the store's owner)
//   team sync               replicate this machine's history now, until caught up, and print
//                           how many responses were sent and how long it took
// DSN: the argument, else --dsn, else the configuration (team_config.hpp).
#pragma once

#include <filesystem>
#include <ostream>
#include <string>

namespace ccmeter {

struct TeamCommandOptions {
    std::string action;  // init, add-member, sync
    std::string dsn;
    std::string name;
    std::filesystem::path database;  // sync: the history (default: default_database_path())
};

int run_team_command(const TeamCommandOptions& options, std::ostream& out, std::ostream& err);

}  // namespace ccmeter
