// UsageStore's reading of stored rows: paged (exports; every response once, in order, from one
// snapshot) and the latest responses (newest first).
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "core/usage_store.hpp"
#include "database_fixture.hpp"

using namespace ccmeter;

namespace {

std::vector<std::string> ids_in_pages(const UsageStore& store, const ResponseFilter& filter,
                                      size_t page_rows, size_t* pages = nullptr) {
    std::vector<std::string> ids;
    size_t count = 0;
    REQUIRE(store
                .for_each_response_page(filter, page_rows,
                                        [&](const std::vector<UsageRecord>& page) {
                                            CHECK(page.size() <= page_rows);
                                            CHECK_FALSE(page.empty());
                                            for (const UsageRecord& r : page)
                                                ids.push_back(r.message_id);
                                            ++count;
                                            return true;
                                        })
                .has_value());
    if (pages)
        *pages = count;
    return ids;
}

}  // namespace

TEST_CASE("pages of any size give every response once, in time order", "[pages]") {
    test::TempDatabase db;
    db.add_responses(0, 250);
    // Two responses at the same instant: the row id orders them, and neither is lost at a
    // page's edge.
    db.add_responses(1000, 1);
    IngestBatch batch;
    UsageRecord twin;
    twin.message_id = "msg_twin";
    twin.request_id = "req_twin";
    twin.model = "claude-opus-4-5";
    twin.timestamp_ms = 1'790'000'000'000 + 1000 * 1000;
    batch.add_response(twin);
    REQUIRE(db.store().commit(batch).has_value());

    std::vector<std::string> all;
    REQUIRE(db.store()
                .for_each_response({}, [&](const UsageRecord& r) { all.push_back(r.message_id); })
                .has_value());
    REQUIRE(all.size() == 252);
    for (size_t page_rows : {1, 7, 100, 251, 252, 1000}) {
        size_t pages = 0;
        CHECK(ids_in_pages(db.store(), {}, page_rows, &pages) == all);
        CHECK(pages == (252 + page_rows - 1) / page_rows);
    }
    ResponseFilter filter;
    filter.cwd = "/home/dev/p1";
    filter.since_ms = 1'790'000'000'000 + 100 * 1000;
    const std::vector<std::string> filtered = ids_in_pages(db.store(), filter, 9);
    CHECK(filtered.size() == 75);  // odd i from 101 to 249
    CHECK(filtered.front() == "msg_101");
}

TEST_CASE("pages come from one snapshot while another connection commits", "[pages]") {
    test::TempDatabase db;
    db.add_responses(0, 100);
    Result<std::unique_ptr<UsageStore>> reader = UsageStore::open_read_only(db.database());
    REQUIRE(reader.has_value());
    size_t seen = 0;
    int next = 100;
    REQUIRE((*reader)
                ->for_each_response_page({}, 10,
                                         [&](const std::vector<UsageRecord>& page) {
                                             seen += page.size();
                                             db.add_responses(next, 10);  // later than all
                                             next += 10;
                                             return seen < 1000;  // a walk that saw them
                                         })
                .has_value());
    CHECK(seen == 100);
    Result<int64_t> responses = db.store().response_count();
    REQUIRE(responses.has_value());
    CHECK(*responses == 200);
}

TEST_CASE("a page's visitor can stop the walk", "[pages]") {
    test::TempDatabase db;
    db.add_responses(0, 50);
    size_t pages = 0;
    REQUIRE(db.store()
                .for_each_response_page(
                    {}, 10, [&](const std::vector<UsageRecord>&) { return ++pages < 2; })
                .has_value());
    CHECK(pages == 2);
}

TEST_CASE("the latest responses come newest first, limited and filtered", "[latest]") {
    test::TempDatabase db;
    db.add_responses(0, 30);
    // Two at the same instant: the one stored later comes first.
    IngestBatch batch;
    for (const char* id : {"msg_twin_a", "msg_twin_b"}) {
        UsageRecord twin;
        twin.message_id = id;
        twin.request_id = std::string("req_") + id;
        twin.model = "claude-opus-4-5";
        twin.timestamp_ms = 1'790'000'000'000 + 100 * 1000;
        batch.add_response(twin);
    }
    REQUIRE(db.store().commit(batch).has_value());

    Result<std::vector<UsageRecord>> latest = db.store().latest_responses({}, 5);
    REQUIRE(latest.has_value());
    std::vector<std::string> ids;
    for (const UsageRecord& r : *latest)
        ids.push_back(r.message_id);
    CHECK(ids ==
          std::vector<std::string>{"msg_twin_b", "msg_twin_a", "msg_29", "msg_28", "msg_27"});
    CHECK((*latest)[2].tokens.output_tokens == 1029);
    CHECK((*latest)[2].cwd == "/home/dev/p1");

    ResponseFilter filter;
    filter.cwd = "/home/dev/p0";
    filter.until_ms = 1'790'000'000'000 + 20 * 1000;
    Result<std::vector<UsageRecord>> some = db.store().latest_responses(filter, 100);
    REQUIRE(some.has_value());
    REQUIRE(some->size() == 10);  // even i from 0 to 18
    CHECK(some->front().message_id == "msg_18");
    CHECK(some->back().message_id == "msg_0");

    Result<std::vector<UsageRecord>> none = db.store().latest_responses({}, 0);
    REQUIRE(none.has_value());
    CHECK(none->empty());
}

TEST_CASE("every connection bounds its page cache and maps nothing of the file", "[memory]") {
    test::TempDatabase db;
    db.add_responses(0, 3000);
    CHECK(db.store().cache_size_pragma().value() == -k_write_cache_kib);
    CHECK(db.store().mmap_size_pragma().value() == k_mmap_bytes);
    // What the query facade's pool opens (MeterQueries::acquire).
    Result<std::unique_ptr<UsageStore>> reader = UsageStore::open_read_only(db.database());
    REQUIRE(reader.has_value());
    CHECK((*reader)->cache_size_pragma().value() == -k_read_cache_kib);
    CHECK((*reader)->mmap_size_pragma().value() == k_mmap_bytes);

    // After a backfill the writer gives its cache back; it still answers from the file.
    const int64_t filled = db.store().cache_used_bytes();
    CHECK(filled > 0);
    db.store().release_cache_memory();
    CHECK(db.store().cache_used_bytes() < filled);
    CHECK(db.store().response_count().value() == 3000);
}
