// Complete lines and their end offsets, whatever the chunk size.
#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/line_reader.hpp"

using namespace ccmeter;

TEST_CASE("lines come with the offset just past their newline, across small chunks", "[reader]") {
    const auto path = std::filesystem::temp_directory_path() / "ccmeter-test-lines.jsonl";
    const std::string long_line(100, 'x');
    std::ofstream(path, std::ios::trunc) << "ab\n" << long_line << "\n\ncd\npartial";
    const int fd = ::open(path.c_str(), O_RDONLY);
    REQUIRE(fd >= 0);
    LineReader reader(16);
    std::vector<std::pair<std::string, uint64_t>> lines;
    LineReader::Result result = reader.read(fd, 0, [&](std::string_view line, uint64_t end) {
        lines.emplace_back(std::string(line), end);
        return true;
    });
    CHECK(lines == std::vector<std::pair<std::string, uint64_t>>{
                       {"ab", 3}, {long_line, 104}, {"", 105}, {"cd", 108}});
    CHECK(result.end_offset == 108);
    CHECK(result.tail == "partial");

    lines.clear();
    result = reader.read(fd, 104, [&](std::string_view line, uint64_t end) {
        lines.emplace_back(std::string(line), end);
        return false;  // stop after the first
    });
    CHECK(result.stopped);
    CHECK(lines == std::vector<std::pair<std::string, uint64_t>>{{"", 105}});
    ::close(fd);
    std::filesystem::remove(path);
}
