#include "core/database_backup.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <system_error>

#include "common/atomic_file.hpp"

namespace ccmeter {

namespace fs = std::filesystem;

namespace {

struct Connection {
    sqlite3* db = nullptr;
    ~Connection() { sqlite3_close(db); }
};

Result<void> sync_path(const fs::path& path, int flags) {
    const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
    if (fd < 0)
        return Error{"cannot open " + path.string() + " to sync it"};
    const int rc = ::fsync(fd);
    ::close(fd);
    if (rc != 0)
        return Error{"cannot sync " + path.string()};
    return {};
}

}  // namespace

Result<BackupResult> backup_database(const fs::path& database, const fs::path& destination) {
    const auto started = std::chrono::steady_clock::now();
    std::error_code ec;
    if (fs::exists(fs::symlink_status(destination, ec)))
        return Error{destination.string() + " already exists", ErrorKind::invalid_argument};
    if (destination.has_parent_path())
        CCMETER_TRY(ensure_private_directory(destination.parent_path()));
    const fs::path partial = destination.string() + ".partial";
    fs::remove(partial, ec);
    struct RemoveUnlessKept {
        fs::path path;
        bool keep = false;
        ~RemoveUnlessKept() {
            std::error_code ignored;
            if (!keep)
                fs::remove(path, ignored);
        }
    } cleanup{partial};

    Connection source;
    if (sqlite3_open_v2(database.c_str(), &source.db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK)
        return Error{"cannot open " + database.string() + ": " + sqlite3_errmsg(source.db),
                     ErrorKind::unavailable};
    sqlite3_busy_timeout(source.db, 5000);
    {
        // Created 0600 before SQLite opens it: a copy of the history is as private as the history.
        const int fd = ::open(partial.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0)
            return Error{"cannot create " + partial.string()};
        ::close(fd);
    }
    Connection target;
    if (sqlite3_open_v2(partial.c_str(), &target.db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK)
        return Error{"cannot open " + partial.string() + ": " + sqlite3_errmsg(target.db)};
    sqlite3_backup* backup = sqlite3_backup_init(target.db, "main", source.db, "main");
    if (!backup)
        return Error{"cannot start the backup: " + std::string(sqlite3_errmsg(target.db))};
    // -1: every page in one step, inside one read transaction of the source (one snapshot).
    int rc = sqlite3_backup_step(backup, -1);
    for (int tries = 0; (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) && tries < 50; ++tries) {
        sqlite3_sleep(100);
        rc = sqlite3_backup_step(backup, -1);
    }
    const int finished = sqlite3_backup_finish(backup);
    if (rc != SQLITE_DONE || finished != SQLITE_OK)
        return Error{"backup of " + database.string() + " failed: " + sqlite3_errstr(rc)};

    BackupResult result;
    sqlite3_stmt* version = nullptr;
    if (sqlite3_prepare_v2(target.db, "PRAGMA user_version", -1, &version, nullptr) == SQLITE_OK &&
        sqlite3_step(version) == SQLITE_ROW)
        result.schema_version = sqlite3_column_int(version, 0);
    sqlite3_finalize(version);
    // The copy carries the source's WAL mode: make it one self-contained file.
    if (sqlite3_exec(target.db, "PRAGMA journal_mode=DELETE", nullptr, nullptr, nullptr) !=
        SQLITE_OK)
        return Error{"cannot finish " + partial.string() + ": " + sqlite3_errmsg(target.db)};
    sqlite3_close(target.db);
    target.db = nullptr;
    CCMETER_TRY(sync_path(partial, O_RDONLY));
    if (::rename(partial.c_str(), destination.c_str()) != 0)
        return Error{"cannot rename " + partial.string() + " to " + destination.string()};
    cleanup.keep = true;
    CCMETER_TRY(sync_path(destination.has_parent_path() ? destination.parent_path() : ".",
                          O_RDONLY | O_DIRECTORY));
    result.path = destination;
    result.bytes = fs::file_size(destination, ec);
    result.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::steady_clock::now() - started)
                             .count();
    return result;
}

}  // namespace ccmeter
