// Hostile transcripts. Paths that are not regular files (FIFOs, sockets, symlink loops):
// IngestEngine must refuse them without blocking, count them, and keep counting the real
// transcripts. Lines too long to hold: skipped and counted with bounded memory, never re-read.
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>

#include "transcript_fixture.hpp"

using namespace ccmeter;
using namespace ccmeter::test;

namespace {

// Runs `ingest` on a thread; if it has not returned within 5 s (blocked in open() of a FIFO),
// unblocks it by opening the FIFO's writing end, and reports the failure.
Result<IngestStats> ingest_with_deadline(const std::function<Result<IngestStats>()>& ingest,
                                         const std::filesystem::path& fifo, bool& blocked) {
    std::future<Result<IngestStats>> done = std::async(std::launch::async, ingest);
    blocked = done.wait_for(std::chrono::seconds(5)) != std::future_status::ready;
    if (blocked) {
        const int writer = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
        if (writer >= 0)
            ::close(writer);
    }
    return done.get();
}

}  // namespace

TEST_CASE("a FIFO announced as a transcript is refused at once, never opened blocking",
          "[ingest][hostile]") {
    TempHistory history;
    history.append_line("s1.jsonl", assistant_line("msg_1", "req_1", {10, 3, 0, 0, 0}));
    const std::filesystem::path fifo = history.transcript("evil.jsonl");
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    history.ingest();  // opens the store

    std::vector<std::string> logged;
    IngestOptions options;
    options.log = [&](const std::string& line) { logged.push_back(line); };
    IngestEngine engine(history.store(), options);
    bool blocked = false;
    Result<IngestStats> stats = ingest_with_deadline(
        [&] {
            return engine.ingest_files({fifo, history.transcript("s1.jsonl")});
        },
        fifo, blocked);
    CHECK_FALSE(blocked);
    REQUIRE(stats.has_value());
    CHECK(stats->refused_files == 1);
    REQUIRE(logged.size() == 1);
    CHECK(logged[0].find("evil.jsonl") != std::string::npos);
    CHECK(logged[0].find("FIFO") != std::string::npos);

    // Refused again on every run, but logged only once.
    stats = engine.ingest_files({fifo});
    REQUIRE(stats.has_value());
    CHECK(stats->refused_files == 1);
    CHECK(logged.size() == 1);
    CHECK(history.store().response_count().value() == 1);
}

TEST_CASE("FIFOs, sockets and symlink loops under projects/ are counted and skipped",
          "[ingest][hostile]") {
    TempHistory history;
    history.append_line("s1.jsonl", assistant_line("msg_1", "req_1", {10, 3, 0, 0, 0}));
    const std::filesystem::path fifo = history.transcript("fifo.jsonl");
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    std::filesystem::create_symlink("loop.jsonl", history.transcript("loop.jsonl"));
    // A directory named like a transcript is not one, and is not counted.
    std::filesystem::create_directories(history.transcript("dir.jsonl"));

    const std::filesystem::path socket_path = history.transcript("sock.jsonl");
    const int listener = ::socket(AF_UNIX, SOCK_STREAM, 0);
    REQUIRE(listener >= 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    REQUIRE(socket_path.string().size() < sizeof(address.sun_path));
    std::strcpy(address.sun_path, socket_path.c_str());
    REQUIRE(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0);

    bool blocked = false;
    UsageReport report;
    ingest_with_deadline(
        [&]() -> Result<IngestStats> {
            report = history.ingest();
            return history.last_stats();
        },
        fifo, blocked);
    ::close(listener);
    CHECK_FALSE(blocked);
    CHECK(report.totals.responses == 1);
    CHECK(history.last_stats().refused_files == 3);
}

TEST_CASE("an over-long line is skipped and counted once; the offset moves past it",
          "[ingest][hostile]") {
    TempHistory history;
    history.append_line("s1.jsonl", assistant_line("msg_1", "req_1", {10, 3, 0, 0, 0}));
    history.append("s1.jsonl", std::string(5000, '\0'));  // still growing, no newline
    history.ingest();                                     // opens the store

    std::vector<std::string> logged;
    IngestOptions options;
    options.max_line_bytes = 1000;
    options.log = [&](const std::string& line) { logged.push_back(line); };
    IngestEngine engine(history.store(), options);
    const std::filesystem::path file = history.transcript("s1.jsonl");
    Result<IngestStats> stats = engine.ingest_files({file});
    REQUIRE(stats.has_value());
    CHECK(stats->long_lines == 0);
    REQUIRE(logged.size() == 1);
    CHECK(logged[0].find("without its newline") != std::string::npos);

    // Growing: only the new bytes are read, not the 5000 scanned already, and nothing more is
    // logged. (Proof: a '\n' written inside the part already scanned is not seen; read from its
    // start, the line would end there and be skipped as a complete one.)
    {
        std::fstream rewrite(file, std::ios::in | std::ios::out | std::ios::binary);
        rewrite.seekp(static_cast<std::streamoff>(std::filesystem::file_size(file) - 2000));
        rewrite.put('\n');
    }
    history.append("s1.jsonl", std::string(10, '\0'));
    stats = engine.ingest_files({file});
    REQUIRE(stats.has_value());
    CHECK(stats->long_lines == 0);
    CHECK(stats->lines == 0);
    CHECK(logged.size() == 1);

    // It ends; the response after it counts, the long line is skipped and counted once.
    history.append("s1.jsonl", "\n" + assistant_line("msg_2", "req_2", {1, 2, 0, 0, 0}) + "\n");
    stats = engine.ingest_files({file});
    REQUIRE(stats.has_value());
    CHECK(stats->long_lines == 1);
    CHECK(stats->usage_lines == 1);
    CHECK(logged.size() == 2);
    CHECK(history.store().response_count().value() == 2);
    CHECK(history.store().malformed_lines().value() == 1);
    const std::optional<FileState> state = history.store().file_state(file.string()).value();
    REQUIRE(state.has_value());
    CHECK(state->offset == std::filesystem::file_size(file));
}
