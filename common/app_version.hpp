// What `--version` says: the program's version and the database schema it reads and writes.
#pragma once

#include <string>

namespace ccmeter {

// The project's version (CMakeLists.txt's project(VERSION)), e.g. "0.1.0".
std::string program_version();

// The schema version of the history database this build writes (PRAGMA user_version).
// daemon/core/usage_store.cpp checks at compile time that its migrations end here: add a
// migration, raise this.
constexpr int k_database_schema_version = 15;

}  // namespace ccmeter
