// The web view's secret file: created 0600 with 64 random hex digits, reused, never trusted when
// others may read or replace it.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "common/web_token.hpp"

using namespace ccmeter;
namespace fs = std::filesystem;

TEST_CASE("the web token is created private, then reused", "[web_token]") {
    const fs::path dir =
        fs::temp_directory_path() / ("ccmeter-token-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    const fs::path file = dir / "web.token";
    Result<std::string> first = load_or_create_web_token(file);
    REQUIRE(first.has_value());
    CHECK(first->size() == k_web_token_length);
    CHECK(first->find_first_not_of("0123456789abcdef") == std::string::npos);
    struct stat info {};
    REQUIRE(::stat(file.c_str(), &info) == 0);
    CHECK((info.st_mode & 0777) == 0600);
    CHECK(read_web_token(file) == *first);
    Result<std::string> again = load_or_create_web_token(file);
    REQUIRE(again.has_value());
    CHECK(*again == *first);

    // Readable by others: not trusted, and replaced by a new private one.
    ::chmod(file.c_str(), 0644);
    CHECK_FALSE(read_web_token(file).has_value());
    Result<std::string> replaced = load_or_create_web_token(file);
    REQUIRE(replaced.has_value());
    CHECK(*replaced != *first);
    // Not a token: not trusted.
    std::ofstream(file, std::ios::trunc) << "short\n";
    ::chmod(file.c_str(), 0600);
    CHECK_FALSE(read_web_token(file).has_value());
    // A symlink is not followed.
    fs::remove(file);
    fs::create_symlink(dir / "elsewhere", file);
    CHECK_FALSE(read_web_token(file).has_value());
    fs::remove_all(dir);

    CHECK(web_token_equals("abc", "abc"));
    CHECK_FALSE(web_token_equals("abc", "abd"));
    CHECK_FALSE(web_token_equals("abc", "abcd"));
}
