// BatchWriter: batches grouped into few transactions, every row and offset stored and visible
// to another connection once finish() returns, and the indexes of a first backfill built again.
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <string>

#include "core/batch_writer.hpp"
#include "database_fixture.hpp"

using namespace ccmeter;

namespace {

IngestBatch numbered_batch(int first, int count) {
    IngestBatch batch;
    for (int i = first; i < first + count; ++i) {
        UsageRecord r;
        r.message_id = "msg_" + std::to_string(i);
        r.request_id = "req_" + std::to_string(i);
        r.model = "claude-opus-4-5";
        r.session_id = "s" + std::to_string(i % 3);
        r.timestamp_ms = 1'790'000'000'000 + int64_t{i} * 1000;
        r.tokens.output_tokens = 100;
        batch.add_response(r);
    }
    FileState file;
    file.path = "/t/f.jsonl";
    file.offset = static_cast<uint64_t>(first + count);
    batch.set_file(file);
    return batch;
}

int64_t count_of(const std::filesystem::path& database, const char* sql) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open_v2(database.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
    sqlite3_stmt* s = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, sql, -1, &s, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_step(s) == SQLITE_ROW);
    const int64_t value = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(db);
    return value;
}

}  // namespace

TEST_CASE("a backfill's batches share transactions and are all stored after finish",
          "[batch_writer]") {
    test::TempDatabase db;
    {
        BatchWriter writer(db.store(), 3);
        for (int b = 0; b < 7; ++b)
            REQUIRE(writer.submit(numbered_batch(b * 10, 10)).has_value());
        REQUIRE(writer.finish().has_value());
        CHECK(writer.commits() == 3);  // 3 + 3 + 1 batches
        CHECK_FALSE(db.store().has_open_batches());
    }
    CHECK(count_of(db.database(), "SELECT count(*) FROM responses") == 70);
    CHECK(count_of(db.database(), "SELECT offset FROM files") == 70);
    // Dropped for the first backfill, built again by finish().
    CHECK(count_of(db.database(),
                   "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name IN "
                   "('responses_by_time', 'responses_by_source')") == 2);
    CHECK(db.store().response_count().value() == 70);
}

TEST_CASE("one batch is committed by the finish that follows it", "[batch_writer]") {
    test::TempDatabase db;
    db.add_responses(0, 5);
    BatchWriter writer(db.store());
    REQUIRE(writer.submit(numbered_batch(100, 1)).has_value());
    REQUIRE(writer.finish().has_value());
    CHECK(writer.commits() == 1);
    CHECK(count_of(db.database(), "SELECT count(*) FROM responses") == 6);
}

TEST_CASE("a writer destroyed without finish still commits what it was given", "[batch_writer]") {
    test::TempDatabase db;
    {
        BatchWriter writer(db.store(), 8);
        REQUIRE(writer.submit(numbered_batch(0, 4)).has_value());
        REQUIRE(writer.submit(numbered_batch(4, 4)).has_value());
    }
    CHECK(count_of(db.database(), "SELECT count(*) FROM responses") == 8);
    CHECK(count_of(db.database(),
                   "SELECT count(*) FROM sqlite_master WHERE name = 'responses_by_time'") == 1);
}

TEST_CASE("opening a database whose bulk load was cut short builds its indexes again",
          "[batch_writer]") {
    test::TempDatabase db;
    db.add_responses(0, 3);
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open(db.database().c_str(), &raw) == SQLITE_OK);
    REQUIRE(sqlite3_exec(raw, "DROP INDEX responses_by_time; DROP INDEX responses_by_source",
                         nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(raw);
    REQUIRE(UsageStore::open(db.database()).has_value());
    CHECK(count_of(db.database(),
                   "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name IN "
                   "('responses_by_time', 'responses_by_source')") == 2);
}
