// Whether a file is a ccmeter history that this build can use (what `ccmeterd restore` checks
// before it replaces the database with it): SQLite's PRAGMA integrity_check says "ok", the
// schema version is one ccmeter wrote (1 .. UsageStore::current_schema_version()), and every
// table of that schema is there.
#pragma once

#include <cstdint>
#include <filesystem>

#include "common/error.hpp"

namespace ccmeter {

struct DatabaseCheck {
    int schema_version = 0;
    int64_t responses = 0;
};

// Opens `file` read-write (the caller's own copy: checking may recover its journal) and checks
// it. Errors are sentences saying what is wrong, of kind invalid_argument for a file that is
// refused (not a database, damaged, another schema), internal when it could not be read.
Result<DatabaseCheck> check_database(const std::filesystem::path& file);

// The schema version (PRAGMA user_version) of the database at `file`, opened read-only.
Result<int> read_schema_version(const std::filesystem::path& file);

}  // namespace ccmeter
