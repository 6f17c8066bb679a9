#include "core/database_restore.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <string>
#include <system_error>
#include <vector>

#include "common/atomic_file.hpp"
#include "common/iso_time.hpp"
#include "core/database_check.hpp"
#include "core/usage_store.hpp"

namespace ccmeter {

namespace fs = std::filesystem;

namespace {

constexpr const char* k_sidecars[] = {"-wal", "-shm", "-journal"};

fs::path with_suffix(const fs::path& path, const std::string& suffix) {
    return fs::path(path.string() + suffix);
}

void remove_with_sidecars(const fs::path& path) {
    std::error_code ec;
    fs::remove(path, ec);
    for (const char* suffix : k_sidecars)
        fs::remove(with_suffix(path, suffix), ec);
}

Result<void> copy_private(const fs::path& from, const fs::path& to) {
    std::error_code ec;
    fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec);
    if (ec)
        return Error{"cannot copy " + from.string() + " to " + to.string() + ": " + ec.message()};
    fs::permissions(to, fs::perms::owner_read | fs::perms::owner_write, ec);
    return {};
}

Result<void> sync_directory(const fs::path& dir) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return Error{"cannot open " + dir.string()};
    const int rc = ::fsync(fd);
    ::close(fd);
    if (rc != 0)
        return Error{"cannot sync " + dir.string()};
    return {};
}

// "20261202T041500.123Z" of a UTC millisecond time.
std::string compact_utc(int64_t at_ms) {
    std::string compact;
    for (char c : format_timestamp_ms(at_ms))
        if (c != '-' && c != ':')
            compact.push_back(c);
    return compact;
}

}  // namespace

RestoreCopy::RestoreCopy(RestoreCopy&& other) noexcept
    : m_path(std::move(other.m_path)), m_result(std::move(other.m_result)) {
    other.m_path.clear();
}

RestoreCopy::~RestoreCopy() {
    if (!m_path.empty())
        remove_with_sidecars(m_path);
}

Result<RestoreCopy> prepare_restore(const fs::path& backup, const fs::path& database) {
    std::error_code ec;
    if (!fs::is_regular_file(backup, ec))
        return Error{backup.string() + " is not a file", ErrorKind::invalid_argument};
    if (fs::exists(database, ec) && fs::equivalent(backup, database, ec))
        return Error{backup.string() + " is the database itself", ErrorKind::invalid_argument};
    const fs::path dir = database.has_parent_path() ? database.parent_path() : fs::path(".");
    CCMETER_TRY(ensure_private_directory(dir));

    RestoreCopy copy(with_suffix(database, ".restore-" + std::to_string(::getpid()) + ".tmp"));
    remove_with_sidecars(copy.m_path);
    CCMETER_TRY(copy_private(backup, copy.m_path));
    if (fs::exists(with_suffix(backup, "-wal"), ec))
        CCMETER_TRY(copy_private(with_suffix(backup, "-wal"), with_suffix(copy.m_path, "-wal")));

    Result<DatabaseCheck> check = check_database(copy.m_path);
    if (!check) {
        // Name the backup, not our copy of it.
        std::string message = check.error().message;
        if (size_t at = message.find(copy.m_path.string()); at != std::string::npos)
            message.replace(at, copy.m_path.string().size(), backup.string());
        return Error{message, check.error().kind};
    }
    copy.m_result.backup_schema_version = check->schema_version;
    copy.m_result.responses = check->responses;
    {
        // Migrates an older schema; the connection's close checkpoints and drops its WAL.
        Result<std::unique_ptr<UsageStore>> store = UsageStore::open(copy.m_path);
        if (!store)
            return Error{"cannot bring " + backup.string() + " to schema " +
                             std::to_string(UsageStore::current_schema_version()) + ": " +
                             store.error().message,
                         ErrorKind::invalid_argument};
        CCMETER_TRY_ASSIGN(copy.m_result.schema_version, (*store)->schema_version());
        if (Result<void> flushed = (*store)->checkpoint(); !flushed)
            return flushed.error();
    }
    {
        // One self-contained file (the daemon turns WAL on again when it opens it).
        sqlite3* db = nullptr;
        const bool ok =
            sqlite3_open_v2(copy.m_path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) ==
                SQLITE_OK &&
            sqlite3_exec(db, "PRAGMA journal_mode=DELETE", nullptr, nullptr, nullptr) == SQLITE_OK;
        sqlite3_close(db);
        if (!ok)
            return Error{"cannot finish the copy " + copy.m_path.string()};
    }
    const int fd = ::open(copy.m_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 || ::fsync(fd) != 0) {
        if (fd >= 0)
            ::close(fd);
        return Error{"cannot sync " + copy.m_path.string()};
    }
    ::close(fd);
    return copy;
}

Result<RestoreResult> install_restore(RestoreCopy& copy, const fs::path& database, int64_t now_ms) {
    if (copy.m_path.empty())
        return Error{"nothing to restore"};
    std::error_code ec;
    // The old database and its sidecars step aside together, under one name.
    std::vector<std::pair<fs::path, fs::path>> moved;
    auto move_back = [&] {
        for (auto it = moved.rbegin(); it != moved.rend(); ++it) {
            std::error_code ignored;
            fs::rename(it->second, it->first, ignored);
        }
    };
    const fs::path previous = with_suffix(database, ".before-restore-" + compact_utc(now_ms));
    for (const std::string suffix : {"", "-wal", "-shm", "-journal"}) {
        const fs::path from = with_suffix(database, suffix);
        if (!fs::exists(fs::symlink_status(from, ec)))
            continue;
        const fs::path to = with_suffix(previous, suffix);
        if (fs::exists(fs::symlink_status(to, ec))) {
            move_back();
            return Error{to.string() + " already exists"};
        }
        fs::rename(from, to, ec);
        if (ec) {
            move_back();
            return Error{"cannot move " + from.string() + " aside: " + ec.message()};
        }
        moved.emplace_back(from, to);
    }
    fs::rename(copy.m_path, database, ec);
    if (ec) {
        move_back();
        return Error{"cannot put the restored database in place: " + ec.message()};
    }
    copy.m_path.clear();
    RestoreResult result = copy.m_result;
    if (!moved.empty())
        result.previous = previous;
    CCMETER_TRY(
        sync_directory(database.has_parent_path() ? database.parent_path() : fs::path(".")));
    return result;
}

}  // namespace ccmeter
