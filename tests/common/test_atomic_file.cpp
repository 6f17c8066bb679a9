// Atomic files: the new bytes with the asked mode, or the old file untouched; no temporary
// file left either way.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/atomic_file.hpp"

namespace fs = std::filesystem;

namespace {

std::string read_all(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

size_t entries(const fs::path& dir) {
    return static_cast<size_t>(
        std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
}

struct TempDir {
    TempDir() {
        std::string pattern = (fs::temp_directory_path() / "ccmeter-atomic-XXXXXX").string();
        path = ::mkdtemp(pattern.data());
    }
    ~TempDir() { fs::remove_all(path); }
    fs::path path;
};

}  // namespace

TEST_CASE("a file is replaced whole, with the asked mode, in a private new directory",
          "[atomic_file]") {
    TempDir dir;
    const fs::path target = dir.path / "new" / "state.json";
    REQUIRE(ccmeter::write_file_atomically(target, "{\"a\":1}\n", 0640).has_value());
    CHECK(read_all(target) == "{\"a\":1}\n");
    struct stat status {};
    REQUIRE(::stat(target.c_str(), &status) == 0);
    CHECK((status.st_mode & 07777) == 0640);
    REQUIRE(::stat(target.parent_path().c_str(), &status) == 0);
    CHECK((status.st_mode & 07777) == 0700);

    REQUIRE(ccmeter::write_file_atomically(target, "second").has_value());
    CHECK(read_all(target) == "second");
    REQUIRE(::stat(target.c_str(), &status) == 0);
    CHECK((status.st_mode & 07777) == 0600);
    CHECK(entries(target.parent_path()) == 1);  // no temporary file left
}

TEST_CASE("a write that cannot happen leaves the old file and no temporary file", "[atomic_file]") {
    TempDir dir;
    const fs::path target = dir.path / "state";
    REQUIRE(ccmeter::write_file_atomically(target, "old").has_value());
    // The target is a directory now: rename fails, and says which file.
    const fs::path blocked = dir.path / "blocked";
    fs::create_directories(blocked / "child");
    ccmeter::Result<void> written = ccmeter::write_file_atomically(blocked, "new");
    REQUIRE_FALSE(written.has_value());
    CHECK(written.error().message.find("blocked") != std::string::npos);
    CHECK(read_all(target) == "old");
    CHECK(entries(dir.path) == 2);  // state and blocked/
}
