#include <sys/stat.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <thread>

#include "core/database_backup.hpp"
#include "database_fixture.hpp"

using namespace ccmeter;
namespace fs = std::filesystem;

TEST_CASE("a backup holds every committed response, as one private self-contained file",
          "[backup]") {
    test::TempDatabase db;
    db.add_responses(0, 500);
    const fs::path target = db.root() / "backups" / "copy.db";
    Result<BackupResult> made = backup_database(db.database(), target);
    REQUIRE(made.has_value());
    CHECK(made->path == target);
    CHECK(made->bytes == fs::file_size(target));
    CHECK(made->schema_version == UsageStore::current_schema_version());
    CHECK_FALSE(fs::exists(target.string() + "-wal"));
    CHECK_FALSE(fs::exists(target.string() + ".partial"));
    struct stat info {};
    REQUIRE(::stat(target.c_str(), &info) == 0);
    CHECK((info.st_mode & 0777) == 0600);
    int64_t responses = 0;
    const int64_t output = test::output_tokens_of(target, &responses);
    CHECK(responses == 500);
    CHECK(output == 500 * 1000 + 499 * 500 / 2);
}

TEST_CASE("a backup taken while another connection commits is one snapshot", "[backup]") {
    test::TempDatabase db;
    db.add_responses(0, 200);
    std::atomic<bool> stop{false};
    std::atomic<int> committed{200};
    // Set before each commit: a commit the backup holds may not have raised `committed` yet
    // when the backup returns (the writer is preempted between the two), never this one.
    std::atomic<int> committing{200};
    std::thread writer([&] {
        Result<std::unique_ptr<UsageStore>> store = UsageStore::open(db.database());
        REQUIRE(store.has_value());
        for (int next = 200; !stop && next < 20'000; next += 10) {
            IngestBatch batch;
            for (int i = next; i < next + 10; ++i) {
                UsageRecord r;
                r.message_id = "msg_" + std::to_string(i);
                r.request_id = "req_" + std::to_string(i);
                r.model = "claude-opus-4-5";
                r.timestamp_ms = 1'790'000'000'000 + int64_t{i} * 1000;
                r.tokens.output_tokens = 1;
                batch.add_response(r);
            }
            committing = next + 10;
            REQUIRE((*store)->commit(batch).has_value());
            committed = next + 10;
        }
    });
    while (committed < 400)
        std::this_thread::yield();
    Result<BackupResult> made = backup_database(db.database(), db.root() / "live.db");
    const int after = committing;
    stop = true;
    writer.join();
    REQUIRE(made.has_value());
    int64_t responses = 0;
    const int64_t output = test::output_tokens_of(db.root() / "live.db", &responses);
    // Whole commits only (10 responses each), none after the backup returned.
    CHECK(responses >= 400);
    CHECK(responses <= after);
    CHECK(responses % 10 == 0);
    CHECK(output == 200 * 1000 + 199 * 200 / 2 + (responses - 200));
}

TEST_CASE("a backup never overwrites a file and leaves nothing behind when it fails", "[backup]") {
    test::TempDatabase db;
    db.add_responses(0, 5);
    const fs::path taken = db.root() / "taken.db";
    { std::ofstream(taken) << "mine"; }
    Result<BackupResult> refused = backup_database(db.database(), taken);
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().kind == ErrorKind::invalid_argument);
    CHECK(refused.error().message.find("already exists") != std::string::npos);
    Result<BackupResult> missing = backup_database(db.root() / "none.db", db.root() / "x.db");
    REQUIRE_FALSE(missing.has_value());
    CHECK_FALSE(fs::exists(db.root() / "x.db"));
    CHECK_FALSE(fs::exists(db.root() / "x.db.partial"));
}
