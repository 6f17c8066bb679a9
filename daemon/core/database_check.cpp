#include "core/database_check.hpp"

#include <sqlite3.h>

#include <string>
#include <vector>

#include "core/usage_store.hpp"

namespace ccmeter {

namespace {

struct Connection {
    sqlite3* db = nullptr;
    ~Connection() { sqlite3_close(db); }
};

Error refused(const std::filesystem::path& file, const std::string& why) {
    return Error{file.string() + " is not a usable ccmeter database: " + why,
                 ErrorKind::invalid_argument};
}

}  // namespace

Result<DatabaseCheck> check_database(const std::filesystem::path& file) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec))
        return refused(file, "not a regular file");
    Connection connection;
    if (sqlite3_open_v2(file.c_str(), &connection.db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK)
        return Error{"cannot open " + file.string() + ": " + sqlite3_errmsg(connection.db)};
    sqlite3* db = connection.db;
    sqlite3_busy_timeout(db, 5000);

    // integrity_check: one row "ok", else up to 100 rows naming what is wrong (the first told).
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &s, nullptr) != SQLITE_OK) {
        const std::string why = sqlite3_errmsg(db);
        sqlite3_finalize(s);
        return refused(file, why);
    }
    std::vector<std::string> problems;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const unsigned char* text = sqlite3_column_text(s, 0);
        problems.emplace_back(text ? reinterpret_cast<const char*>(text) : "");
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE)
        return refused(file, sqlite3_errmsg(db));
    if (problems.size() != 1 || problems[0] != "ok")
        return refused(file, "integrity check failed (" +
                                 (problems.empty() ? std::string("no answer") : problems[0]) +
                                 (problems.size() > 1
                                      ? ", and " + std::to_string(problems.size() - 1) + " more"
                                      : std::string()) +
                                 ")");

    DatabaseCheck check;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, nullptr) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW)
        check.schema_version = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    const int ours = UsageStore::current_schema_version();
    if (check.schema_version <= 0)
        return refused(file, "no ccmeter schema (user_version 0)");
    if (check.schema_version > ours)
        return refused(file, "schema " + std::to_string(check.schema_version) +
                                 " is newer than this ccmeter's (" + std::to_string(ours) +
                                 "); upgrade ccmeter first");
    CCMETER_TRY_ASSIGN(std::vector<std::string> expected,
                       UsageStore::schema_tables(check.schema_version));
    std::vector<std::string> missing;
    for (const std::string& table : expected) {
        if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1",
                               -1, &s, nullptr) != SQLITE_OK) {
            sqlite3_finalize(s);
            return Error{"cannot read the tables of " + file.string()};
        }
        sqlite3_bind_text(s, 1, table.c_str(), -1, SQLITE_STATIC);
        if (sqlite3_step(s) != SQLITE_ROW)
            missing.push_back(table);
        sqlite3_finalize(s);
    }
    if (!missing.empty()) {
        std::string names;
        for (const std::string& table : missing)
            names += (names.empty() ? "" : ", ") + table;
        return refused(file, "tables of schema " + std::to_string(check.schema_version) +
                                 " missing: " + names);
    }
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM responses", -1, &s, nullptr) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW)
        check.responses = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return check;
}

Result<int> read_schema_version(const std::filesystem::path& file) {
    Connection connection;
    if (sqlite3_open_v2(file.c_str(), &connection.db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK)
        return Error{"cannot open " + file.string() + ": " + sqlite3_errmsg(connection.db)};
    sqlite3_stmt* s = nullptr;
    int version = -1;
    if (sqlite3_prepare_v2(connection.db, "PRAGMA user_version", -1, &s, nullptr) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW)
        version = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    if (version < 0)
        return Error{"cannot read " + file.string() + ": " + sqlite3_errmsg(connection.db)};
    return version;
}

}  // namespace ccmeter
