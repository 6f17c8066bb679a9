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

TEST_CASE("a line over the limit is skipped whole, without holding it, and the next one is read",
          "[reader]") {
    const auto path = std::filesystem::temp_directory_path() / "ccmeter-test-long-lines.jsonl";
    const std::string long_line(100, 'x');
    std::ofstream(path, std::ios::trunc) << "ab\n" << long_line << "\ncd\n";
    const int fd = ::open(path.c_str(), O_RDONLY);
    REQUIRE(fd >= 0);
    for (size_t chunk : {size_t{4}, size_t{16}, size_t{1000}}) {
        LineReader reader(chunk, 32);
        std::vector<std::pair<std::string, uint64_t>> lines;
        std::vector<std::pair<uint64_t, uint64_t>> skipped;
        LineReader::Result result = reader.read(
            fd, 0,
            [&](std::string_view line, uint64_t end) {
                lines.emplace_back(std::string(line), end);
                return true;
            },
            [&](uint64_t start, uint64_t end) {
                skipped.emplace_back(start, end);
                return true;
            });
        CHECK(lines == std::vector<std::pair<std::string, uint64_t>>{{"ab", 3}, {"cd", 107}});
        CHECK(skipped == std::vector<std::pair<uint64_t, uint64_t>>{{3, 104}});
        CHECK(result.end_offset == 107);
        CHECK(result.long_line_scanned_to == 0);
    }
    ::close(fd);
    std::filesystem::remove(path);
}

TEST_CASE("an over-long line still without its newline is not kept, and its scan resumes",
          "[reader]") {
    const auto path = std::filesystem::temp_directory_path() / "ccmeter-test-growing-line.jsonl";
    std::ofstream(path, std::ios::trunc) << "ab\n" << std::string(100, '\0');
    const int fd = ::open(path.c_str(), O_RDONLY);
    REQUIRE(fd >= 0);
    LineReader reader(16, 32);
    std::vector<std::string> lines;
    std::vector<std::pair<uint64_t, uint64_t>> skipped;
    auto on_line = [&](std::string_view line, uint64_t) {
        lines.emplace_back(line);
        return true;
    };
    auto on_skip = [&](uint64_t start, uint64_t end) {
        skipped.emplace_back(start, end);
        return true;
    };
    LineReader::Result result = reader.read(fd, 0, on_line, on_skip);
    CHECK(lines == std::vector<std::string>{"ab"});
    CHECK(result.end_offset == 3);
    CHECK(result.tail.empty());
    CHECK(result.long_line_scanned_to == 103);
    CHECK(skipped.empty());

    // It grows, then ends: resumed at 103, so only the new bytes are read.
    std::ofstream(path, std::ios::app) << std::string(50, '\0') << "\nef\n";
    result = reader.read(fd, 3, on_line, on_skip, 103);
    CHECK(skipped == std::vector<std::pair<uint64_t, uint64_t>>{{3, 154}});
    CHECK(lines == std::vector<std::string>{"ab", "ef"});
    CHECK(result.end_offset == 157);
    CHECK(result.long_line_scanned_to == 0);

    // Read again from its start (a restart): the same.
    skipped.clear();
    result = reader.read(fd, 3, on_line, on_skip);
    CHECK(skipped == std::vector<std::pair<uint64_t, uint64_t>>{{3, 154}});
    CHECK(result.end_offset == 157);
    ::close(fd);
    std::filesystem::remove(path);
}
