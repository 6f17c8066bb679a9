// Replacing the history database with a backup, so that a bad backup never costs the history:
//   1. the backup (and its -wal, if one lies beside it) is copied next to the database, as
//      `<database>.restore-<pid>.tmp`, mode 0600; the backup itself is never changed;
//   2. the copy is checked (core/database_check: integrity, a known schema, its tables) and
//      migrated to this build's schema; a copy that fails is deleted and the database is left
//      exactly as it was;
//   3. the database and its -wal, -shm and -journal files are renamed to
//      `<database>.before-restore-<UTC time, ms>` (+ the same suffixes, so the old one stays a
//      database SQLite opens whole), and the copy is renamed to the database.
// Steps 1 and 2 (prepare_restore) need no lock; the caller makes sure no daemon uses the
// database during step 3 (install_restore; cli/restore_command holds the daemon's lock).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>

#include "common/error.hpp"

namespace ccmeter {

struct RestoreResult {
    int backup_schema_version = 0;  // before migration
    int schema_version = 0;         // of the restored database
    int64_t responses = 0;
    std::optional<std::filesystem::path> previous;  // where the old database now is, if any
};

// The checked copy of a backup beside the database, deleted with this object unless installed.
class RestoreCopy {
  public:
    RestoreCopy(RestoreCopy&& other) noexcept;
    RestoreCopy& operator=(RestoreCopy&&) = delete;
    RestoreCopy(const RestoreCopy&) = delete;
    ~RestoreCopy();

    const std::filesystem::path& path() const { return m_path; }
    const RestoreResult& result() const { return m_result; }

  private:
    friend Result<RestoreCopy> prepare_restore(const std::filesystem::path&,
                                               const std::filesystem::path&);
    friend Result<RestoreResult> install_restore(RestoreCopy&, const std::filesystem::path&,
                                                 int64_t);
    RestoreCopy(std::filesystem::path path) : m_path(std::move(path)) {}
    std::filesystem::path m_path;  // empty once installed (or moved from)
    RestoreResult m_result;
};

// Steps 1 and 2. Errors of kind invalid_argument: the backup is refused; others: it could not
// be copied. Either way nothing is left behind and the database is untouched.
Result<RestoreCopy> prepare_restore(const std::filesystem::path& backup,
                                    const std::filesystem::path& database);

// Step 3: the copy becomes the database; the old one is kept (RestoreResult::previous). On
// error the database is back where it was.
Result<RestoreResult> install_restore(RestoreCopy& copy, const std::filesystem::path& database,
                                      int64_t now_ms);

}  // namespace ccmeter
