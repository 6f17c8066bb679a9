#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "core/backup_rotation.hpp"
#include "database_fixture.hpp"

using namespace ccmeter;
namespace fs = std::filesystem;

TEST_CASE("backup names carry their UTC time and sort by it", "[rotation]") {
    CHECK(backup_file_name(1'796'184'900'123) == "usage-20261202T041500.123Z.db");
    CHECK(backup_time_ms("/x/usage-20261202T041500.123Z.db") == 1'796'184'900'123);
    CHECK_FALSE(backup_time_ms("usage-20261202T041500Z.db").has_value());
    CHECK_FALSE(backup_time_ms("usage-20261302T041500.123Z.db").has_value());
    CHECK_FALSE(backup_time_ms("mine.db").has_value());
    CHECK(backup_file_name(999) < backup_file_name(1000));
    CHECK(default_backup_dir("/home/u/.local/share/ccmeter/usage.db") ==
          "/home/u/.local/share/ccmeter/backups");
}

TEST_CASE("rotation deletes the oldest backups only, and nothing else", "[rotation]") {
    test::TempDatabase db;
    const fs::path dir = db.root() / "backups";
    fs::create_directories(dir);
    for (int64_t at : {5'000, 1'000, 3'000, 4'000, 2'000})
        std::ofstream(dir / backup_file_name(at)) << "x";
    std::ofstream(dir / "notes.txt") << "mine";
    std::ofstream(dir / "usage-manual.db") << "mine";
    CHECK(list_backups(dir).size() == 5);
    CHECK(list_backups(dir).front().filename() == backup_file_name(1'000));

    Result<std::vector<fs::path>> deleted = rotate_backups(dir, 2);
    REQUIRE(deleted.has_value());
    CHECK(deleted->size() == 3);
    const std::vector<fs::path> kept = list_backups(dir);
    REQUIRE(kept.size() == 2);
    CHECK(kept[0].filename() == backup_file_name(4'000));
    CHECK(kept[1].filename() == backup_file_name(5'000));
    CHECK(fs::exists(dir / "notes.txt"));
    CHECK(fs::exists(dir / "usage-manual.db"));
    CHECK(list_backups(db.root() / "none").empty());
}
