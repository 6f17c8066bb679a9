#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "core/database_backup.hpp"
#include "core/database_restore.hpp"
#include "database_fixture.hpp"

using namespace ccmeter;
namespace fs = std::filesystem;

namespace {

constexpr int64_t k_now_ms = 1'796'184'900'123;  // 2026-12-02T04:15:00.123Z

size_t entries(const fs::path& dir) {
    return static_cast<size_t>(std::distance(fs::directory_iterator(dir), {}));
}

}  // namespace

TEST_CASE("restore puts the backup in place and keeps the old database beside it", "[restore]") {
    test::TempDatabase db;
    db.add_responses(0, 10);
    const fs::path backup = db.root() / "ten.db";
    REQUIRE(backup_database(db.database(), backup).has_value());
    db.add_responses(10, 5);
    db.store().checkpoint();

    Result<RestoreCopy> copy = prepare_restore(backup, db.database());
    REQUIRE(copy.has_value());
    CHECK(copy->result().responses == 10);
    Result<RestoreResult> restored = install_restore(*copy, db.database(), k_now_ms);
    REQUIRE(restored.has_value());
    const fs::path previous = db.database().string() + ".before-restore-20261202T041500.123Z";
    REQUIRE(restored->previous == previous);
    int64_t responses = 0;
    test::output_tokens_of(db.database(), &responses);
    CHECK(responses == 10);
    test::output_tokens_of(previous, &responses);
    CHECK(responses == 15);
    CHECK(fs::exists(backup));  // never consumed
    for (const fs::directory_entry& entry : fs::directory_iterator(db.database().parent_path()))
        CHECK(entry.path().string().find(".restore-") == std::string::npos);
}

TEST_CASE("a refused backup leaves the database directory exactly as it was", "[restore]") {
    test::TempDatabase db;
    db.add_responses(0, 10);
    db.store().checkpoint();
    const fs::path dir = db.database().parent_path();
    const size_t before = entries(dir);
    const uintmax_t size = fs::file_size(db.database());
    const fs::path text = db.root() / "notes.db";
    std::ofstream(text) << "not a database\n";
    Result<RestoreCopy> copy = prepare_restore(text, db.database());
    REQUIRE_FALSE(copy.has_value());
    CHECK(copy.error().kind == ErrorKind::invalid_argument);
    CHECK(copy.error().message.find(text.string()) != std::string::npos);
    CHECK(copy.error().message.find(".restore-") == std::string::npos);
    CHECK(entries(dir) == before);
    CHECK(fs::file_size(db.database()) == size);
    Result<RestoreCopy> itself = prepare_restore(db.database(), db.database());
    REQUIRE_FALSE(itself.has_value());
    CHECK(itself.error().message.find("the database itself") != std::string::npos);
}

TEST_CASE("a copy that is not installed is deleted", "[restore]") {
    test::TempDatabase db;
    db.add_responses(0, 3);
    const fs::path backup = db.root() / "three.db";
    REQUIRE(backup_database(db.database(), backup).has_value());
    fs::path copy_path;
    {
        Result<RestoreCopy> copy = prepare_restore(backup, db.database());
        REQUIRE(copy.has_value());
        copy_path = copy->path();
        CHECK(fs::exists(copy_path));
    }
    CHECK_FALSE(fs::exists(copy_path));
}
