// UsageStore's change feed (what replicas such as the team store read): every insert or change
// comes after the cursor that was taken before it, once per read, as stored now.
#include <sqlite3.h>
#include <catch2/catch.hpp>

#include <set>
#include <string>
#include <vector>

#include "core/usage_store.hpp"
#include "database_fixture.hpp"

using namespace ccmeter;

namespace {

// Every response of the feed after `cursor`, read `page` at a time; `cursor` ends past them.
std::vector<ChangedResponse> drain(const UsageStore& store, ChangeCursor& cursor, size_t page) {
    std::vector<ChangedResponse> all;
    for (;;) {
        Result<std::vector<ChangedResponse>> rows = store.changed_responses(cursor, page);
        REQUIRE(rows.has_value());
        if (rows->empty())
            return all;
        CHECK(rows->size() <= page);
        cursor = rows->back().position;
        all.insert(all.end(), rows->begin(), rows->end());
    }
}

UsageRecord response(const std::string& id, int64_t output_tokens) {
    UsageRecord r;
    r.message_id = "msg_" + id;
    r.request_id = "req_" + id;
    r.model = "claude-opus-4-5";
    r.session_id = "s";
    r.cwd = "/p";
    r.timestamp_ms = 1'790'000'000'000;
    r.tokens.output_tokens = output_tokens;
    return r;
}

}  // namespace

TEST_CASE("the change feed gives every stored response once, whatever the page size", "[feed]") {
    test::TempDatabase db;
    db.add_responses(0, 120);
    db.add_responses(120, 30);
    // Read without the feed's index (a scan), then with it: the same answers.
    for (size_t page : {1, 7, 150, 1000}) {
        if (page == 150)
            REQUIRE(db.store().enable_change_feed().has_value());
        ChangeCursor cursor;
        const std::vector<ChangedResponse> rows = drain(db.store(), cursor, page);
        std::set<std::string> ids;
        for (const ChangedResponse& row : rows)
            ids.insert(row.record.message_id);
        CHECK(rows.size() == 150);
        CHECK(ids.size() == 150);
        Result<int64_t> left = db.store().changes_after(cursor);
        REQUIRE(left.has_value());
        CHECK(*left == 0);
    }
}

TEST_CASE("a response changed after the cursor comes again, with its new fields", "[feed]") {
    test::TempDatabase db;
    IngestBatch first;
    first.add_response(response("a", 10));
    first.add_response(response("b", 20));
    REQUIRE(db.store().commit(first).has_value());
    ChangeCursor cursor;
    REQUIRE(drain(db.store(), cursor, 100).size() == 2);

    // A later line of "a" raises its output; "b" is untouched; "c" is new.
    IngestBatch second;
    second.add_response(response("a", 15));
    second.add_response(response("c", 5));
    REQUIRE(db.store().commit(second).has_value());
    Result<int64_t> pending = db.store().changes_after(cursor);
    REQUIRE(pending.has_value());
    CHECK(*pending == 2);
    const std::vector<ChangedResponse> changed = drain(db.store(), cursor, 100);
    REQUIRE(changed.size() == 2);
    std::set<std::pair<std::string, int64_t>> seen;
    for (const ChangedResponse& row : changed)
        seen.emplace(row.record.message_id, row.record.tokens.output_tokens);
    CHECK(seen == std::set<std::pair<std::string, int64_t>>{{"msg_a", 15}, {"msg_c", 5}});
}

TEST_CASE("rows only the client's export knows are not in the feed until a line claims them",
          "[feed]") {
    test::TempDatabase db;
    ClientEvents events;
    ClientRequest request;
    request.request_id = "req_x";
    request.session_id = "s";
    request.model = "claude-opus-4-5";
    request.timestamp_ms = 1'790'000'000'000;
    request.tokens.output_tokens = 40;
    events.requests.push_back(request);
    REQUIRE(db.store().commit_client_events(events, 1'790'000'000'500).has_value());
    ChangeCursor cursor;
    CHECK(drain(db.store(), cursor, 100).empty());

    IngestBatch line;
    UsageRecord r = response("x", 30);
    line.add_response(r);
    REQUIRE(db.store().commit(line).has_value());
    const std::vector<ChangedResponse> claimed = drain(db.store(), cursor, 100);
    REQUIRE(claimed.size() == 1);
    CHECK(claimed[0].record.message_id == "msg_x");
    CHECK(claimed[0].record.tokens.output_tokens == 40);  // the export's larger figure

    // A later export of the same request that raises a field changes the row again.
    events.requests[0].tokens.output_tokens = 50;
    REQUIRE(db.store().commit_client_events(events, 1'790'000'001'000).has_value());
    const std::vector<ChangedResponse> merged = drain(db.store(), cursor, 100);
    REQUIRE(merged.size() == 1);
    CHECK(merged[0].record.tokens.output_tokens == 50);
}

TEST_CASE("a consumer's cursor is kept in the database", "[feed]") {
    test::TempDatabase db;
    Result<ChangeCursor> none = db.store().change_cursor("team:x");
    REQUIRE(none.has_value());
    CHECK(none->change_seq == 0);
    CHECK(none->row_id == 0);
    REQUIRE(db.store().set_change_cursor("team:x", {7, 42}).has_value());
    REQUIRE(db.store().set_change_cursor("team:y", {1, 1}).has_value());
    Result<ChangeCursor> kept = db.store().change_cursor("team:x");
    REQUIRE(kept.has_value());
    CHECK(kept->change_seq == 7);
    CHECK(kept->row_id == 42);
}

TEST_CASE("a history of schema 7 is all in the feed once migrated", "[feed]") {
    test::TempDatabase db;
    db.add_responses(0, 40);
    // Back to schema 7, as the previous release wrote it.
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open(db.database().c_str(), &raw) == SQLITE_OK);
    REQUIRE(sqlite3_exec(raw,
                         "DROP TABLE tool_calls; DROP INDEX tool_runs_by_use; DROP TRIGGER tool_runs_time_calls; "
                         "DROP TABLE turn_rollups; DROP TRIGGER responses_turn_rollup_update; "
                         "DROP TRIGGER responses_turn_rollup_delete; "
                         "DROP TABLE change_cursors; DROP TABLE change_clock; "
                         "ALTER TABLE responses DROP COLUMN change_seq; PRAGMA user_version=7;",
                         nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(raw);
    Result<std::unique_ptr<UsageStore>> reopened = UsageStore::open(db.database());
    REQUIRE(reopened.has_value());
    CHECK((*reopened)->schema_version().value() == UsageStore::current_schema_version());
    REQUIRE((*reopened)->enable_change_feed().has_value());
    ChangeCursor cursor;
    CHECK(drain(**reopened, cursor, 16).size() == 40);
    // Rows written after the migration come after the old ones.
    IngestBatch batch;
    batch.add_response(response("new", 1));
    REQUIRE((*reopened)->commit(batch).has_value());
    const std::vector<ChangedResponse> later = drain(**reopened, cursor, 16);
    REQUIRE(later.size() == 1);
    CHECK(later[0].record.message_id == "msg_new");
}
