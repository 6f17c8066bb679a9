// Where the team store is (README, "Team store (PostgreSQL)"): replication is opt-in.
//
// Read from $CCMETER_TEAM_DSN when set and not empty, else from the config file
// (default_team_config_path(): $CCMETER_TEAM_CONFIG, else $XDG_CONFIG_HOME/ccmeter/team.json):
//   {"dsn": "host=db.example user=alice dbname=ccmeter sslmode=require",
//    "machine": "laptop",           // default: machine_name() ($CCMETER_MACHINE, else hostname)
//    "interval_seconds": 5,         // default 5: how often new changes are looked for
//    "batch_rows": 5000}            // default 5000: responses per PostgreSQL transaction
// The DSN is a libpq connection string (key=value or postgresql:// URI); the password comes from
// ~/.pgpass (or $PGPASSFILE), TLS when the string asks for it (sslmode), as libpq does it.
// No DSN (no variable, no file) means no replication: nothing is configured, not an error.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "common/error.hpp"

namespace ccmeter {

// Defaults of the config file's keys (see above).
constexpr int k_default_team_interval_seconds = 5;
constexpr size_t k_default_team_batch_rows = 5000;

struct TeamConfig {
    std::string dsn;
    std::string machine;
    int interval_seconds = k_default_team_interval_seconds;
    size_t batch_rows = k_default_team_batch_rows;
};

// $CCMETER_TEAM_CONFIG, else $XDG_CONFIG_HOME/ccmeter/team.json.
std::filesystem::path default_team_config_path();

// The config file's text parsed; `machine` empty where the file has none.
Result<TeamConfig> parse_team_config(std::string_view json_text);

// The configuration in effect (see above): nullopt when no DSN is set anywhere; an error when
// the file exists but is not valid.
Result<std::optional<TeamConfig>> load_team_config();

}  // namespace ccmeter
