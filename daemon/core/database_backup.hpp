// A consistent copy of the history database while the daemon goes on writing, with SQLite's
// online backup API (sqlite3_backup_*).
//
// The copy is read through a read-only connection of its own in one backup step: one read
// transaction, so the copy is one snapshot of the database (WAL: the writer is never blocked,
// and a commit meanwhile neither restarts the copy nor shows in it). It is written to
// `<destination>.partial` (mode 0600), switched to a single file (journal_mode=DELETE: no
// -wal beside it), fsynced and only then renamed to `destination`, so a destination never
// holds half a copy; on error nothing is left behind.
#pragma once

#include <cstdint>
#include <filesystem>

#include "common/error.hpp"

namespace ccmeter {

struct BackupResult {
    std::filesystem::path path;
    uint64_t bytes = 0;
    int schema_version = 0;
    int64_t duration_ms = 0;
};

// Copies `database` to `destination` (its directory is created 0700 when missing). Refuses an
// existing destination.
Result<BackupResult> backup_database(const std::filesystem::path& database,
                                     const std::filesystem::path& destination);

}  // namespace ccmeter
