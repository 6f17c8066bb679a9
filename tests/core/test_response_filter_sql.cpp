// The one builder of a ResponseFilter's SQL: the rows it selects, whatever the columns are
// called, for every combination of its fields.
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "core/response_filter_sql.hpp"

using namespace ccmeter;

TEST_CASE("a filter selects by time range, session and cwd on the caller's columns", "[filter]") {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(":memory:", &db) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db,
                         "CREATE TABLE calls(id INTEGER, at INTEGER, who TEXT, dir TEXT);"
                         "INSERT INTO calls VALUES(1, 100, 's1', '/a'), (2, 200, 's1', '/b'),"
                         "(3, 300, 's2', '/a'), (4, 400, 's2', '/b');",
                         nullptr, nullptr, nullptr) == SQLITE_OK);
    auto ids = [&](const ResponseFilter& filter) {
        // Columns named unlike any table of the store's: the builder takes them as given.
        const std::string sql = "SELECT c.id FROM calls c WHERE 1" +
                                response_filter_sql(filter, {"c.at", "c.who", "c.dir"}) +
                                " AND c.id >= ?5 ORDER BY c.id";
        sqlite3_stmt* s = nullptr;
        REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) == SQLITE_OK);
        bind_response_filter(s, filter);
        sqlite3_bind_int(s, 5, 2);  // the caller's own parameter: ids from 2
        std::vector<int> out;
        while (sqlite3_step(s) == SQLITE_ROW)
            out.push_back(sqlite3_column_int(s, 0));
        sqlite3_finalize(s);
        return out;
    };
    CHECK(response_filter_sql({}, {"c.at", "c.who", "c.dir"}).empty());
    CHECK(ids({}) == std::vector<int>{2, 3, 4});
    ResponseFilter range;
    range.since_ms = 200;  // inclusive
    range.until_ms = 400;  // exclusive
    CHECK(ids(range) == std::vector<int>{2, 3});
    ResponseFilter session;
    session.session_id = "s2";
    CHECK(ids(session) == std::vector<int>{3, 4});
    ResponseFilter project;
    project.cwd = "/b";
    CHECK(ids(project) == std::vector<int>{2, 4});
    ResponseFilter all;
    all.until_ms = 400;
    all.session_id = "s2";
    all.cwd = "/a";
    CHECK(ids(all) == std::vector<int>{3});
    ResponseFilter since_only;
    since_only.since_ms = 300;
    since_only.side_calls_only = true;  // not the builder's: ignored
    CHECK(ids(since_only) == std::vector<int>{3, 4});
    sqlite3_close(db);
}
