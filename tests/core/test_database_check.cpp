#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/database_backup.hpp"
#include "core/database_check.hpp"
#include "database_fixture.hpp"

using namespace ccmeter;
namespace fs = std::filesystem;

namespace {

void run_sql(const fs::path& file, const char* sql) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(file.c_str(), &db) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);
}

std::string refusal(const fs::path& file) {
    Result<DatabaseCheck> check = check_database(file);
    REQUIRE_FALSE(check.has_value());
    CHECK(check.error().kind == ErrorKind::invalid_argument);
    return check.error().message;
}

}  // namespace

TEST_CASE("a good copy passes, with its schema and responses", "[check]") {
    test::TempDatabase db;
    db.add_responses(0, 42);
    REQUIRE(backup_database(db.database(), db.root() / "good.db").has_value());
    Result<DatabaseCheck> check = check_database(db.root() / "good.db");
    REQUIRE(check.has_value());
    CHECK(check->schema_version == UsageStore::current_schema_version());
    CHECK(check->responses == 42);
    Result<int> version = read_schema_version(db.root() / "good.db");
    REQUIRE(version.has_value());
    CHECK(*version == UsageStore::current_schema_version());
}

TEST_CASE("a truncated, damaged or foreign file is refused with the reason", "[check]") {
    test::TempDatabase db;
    db.add_responses(0, 3000);
    const fs::path good = db.root() / "good.db";
    REQUIRE(backup_database(db.database(), good).has_value());
    std::string bytes;
    {
        std::ifstream in(good, std::ios::binary);
        bytes.assign(std::istreambuf_iterator<char>(in), {});
    }
    REQUIRE(bytes.size() > 16 * 4096);
    const fs::path truncated = db.root() / "truncated.db";
    std::ofstream(truncated, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
    CHECK(refusal(truncated).find("not a usable ccmeter database") != std::string::npos);

    std::string damaged_bytes = bytes;
    for (size_t i = 4096; i < 4096 + 200; ++i)
        damaged_bytes[i] = '\xa5';
    const fs::path damaged = db.root() / "damaged.db";
    std::ofstream(damaged, std::ios::binary) << damaged_bytes;
    CHECK(refusal(damaged).find(damaged.string()) != std::string::npos);

    const fs::path text = db.root() / "text.db";
    std::ofstream(text) << "not a database\n";
    CHECK(refusal(text).find("file is not a database") != std::string::npos);
    CHECK(refusal(db.root() / "missing.db").find("not a regular file") != std::string::npos);
}

TEST_CASE("a schema not ours, newer than ours, or without its tables is refused", "[check]") {
    test::TempDatabase db;
    const fs::path empty = db.root() / "empty.db";
    run_sql(empty, "CREATE TABLE notes(text TEXT)");
    CHECK(refusal(empty).find("no ccmeter schema") != std::string::npos);

    const fs::path newer = db.root() / "newer.db";
    REQUIRE(backup_database(db.database(), newer).has_value());
    run_sql(newer, "PRAGMA user_version=99");
    CHECK(refusal(newer).find("schema 99 is newer") != std::string::npos);

    const fs::path partial = db.root() / "partial.db";
    REQUIRE(backup_database(db.database(), partial).has_value());
    run_sql(partial, "DROP TABLE tool_runs");
    CHECK(refusal(partial).find("missing: tool_runs") != std::string::npos);
}

TEST_CASE("the tables of each schema are what its migrations create", "[check]") {
    Result<std::vector<std::string>> first = UsageStore::schema_tables(1);
    REQUIRE(first.has_value());
    CHECK(*first == std::vector<std::string>{"files", "models", "responses", "sources", "turns"});
    Result<std::vector<std::string>> now =
        UsageStore::schema_tables(UsageStore::current_schema_version());
    REQUIRE(now.has_value());
    CHECK(std::find(now->begin(), now->end(), "rollups_hourly") != now->end());
    CHECK(std::find(now->begin(), now->end(), "client_requests") != now->end());
    CHECK_FALSE(UsageStore::schema_tables(UsageStore::current_schema_version() + 1).has_value());
}
