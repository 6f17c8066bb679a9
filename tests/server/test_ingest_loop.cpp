// IngestLoop::ingest_now, as StatusLine uses it: a status line waits for its transcript's new
// bytes and its new figures, and for nothing else: with neither, it answers at once, whatever
// the loop thread is doing (bench/statusline_load).
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "server/ingest_loop.hpp"

using namespace ccmeter;
namespace fs = std::filesystem;
using std::chrono::milliseconds;

namespace {

const fs::path k_fixture = fs::path(CCMETER_FIXTURE_HISTORY_DIR) / "projects" /
                           "-home-dev-code-api-server" /
                           "20eaaa68-d78e-4598-a47d-3fccee03f22f.jsonl";

std::vector<std::string> fixture_lines() {
    std::ifstream in(k_fixture);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);)
        lines.push_back(line + "\n");
    return lines;
}

void append(const fs::path& path, const std::vector<std::string>& lines, size_t from, size_t to) {
    std::ofstream out(path, std::ios::app | std::ios::binary);
    for (size_t i = from; i < to; ++i)
        out << lines[i];
}

int64_t stored_responses(const fs::path& database) {
    Result<std::unique_ptr<UsageStore>> store = UsageStore::open_read_only(database);
    REQUIRE(store.has_value());
    Result<int64_t> responses = (*store)->response_count();
    REQUIRE(responses.has_value());
    return *responses;
}

struct LoopWorld {
    fs::path dir;
    fs::path transcript;
    fs::path database;
    std::unique_ptr<IngestLoop> loop;

    LoopWorld() {
        std::string pattern = (fs::temp_directory_path() / "ccmeter-ingest-loop.XXXXXX").string();
        REQUIRE(::mkdtemp(pattern.data()));
        dir = pattern;
        transcript = dir / "claude" / "projects" / "p" / k_fixture.filename();
        fs::create_directories(transcript.parent_path());
        database = dir / "usage.db";
    }
    void start() {
        IngestLoopOptions options;
        options.config_dirs = {dir / "claude"};
        options.database = database;
        options.use_inotify = false;
        options.poll_interval = std::chrono::hours(1);  // only ingest_now reads
        Result<std::unique_ptr<IngestLoop>> created = IngestLoop::create(options);
        REQUIRE(created.has_value());
        loop = std::move(*created);
        loop->start();
    }
    ~LoopWorld() {
        loop.reset();
        fs::remove_all(dir);
    }
};

StatusPayload payload_with(double five_hour_percent) {
    StatusPayload payload;
    payload.session_id = "20eaaa68-d78e-4598-a47d-3fccee03f22f";
    payload.model_id = "claude-opus-4-6";
    payload.five_hour_used_percentage = five_hour_percent;
    payload.five_hour_resets_at_ms = 1'796'148'000'000;
    return payload;
}

}  // namespace

TEST_CASE("ingest_now waits for a transcript's new bytes, and answers at once without them") {
    const std::vector<std::string> lines = fixture_lines();
    REQUIRE(lines.size() > 4);
    LoopWorld world;
    append(world.transcript, lines, 0, lines.size() / 2);
    world.start();
    REQUIRE(world.loop->ingest_now(world.transcript, std::nullopt, milliseconds(10'000)));
    const int64_t half = stored_responses(world.database);
    CHECK(half > 0);

    // Nothing new: no work queued, so no wait even with a deadline of zero.
    CHECK(world.loop->ingest_now(world.transcript, std::nullopt, milliseconds(0)));

    append(world.transcript, lines, lines.size() / 2, lines.size());
    REQUIRE(world.loop->ingest_now(world.transcript, std::nullopt, milliseconds(10'000)));
    const int64_t all = stored_responses(world.database);
    CHECK(all > half);
    CHECK(world.loop->ingest_now(world.transcript, std::nullopt, milliseconds(0)));
    CHECK(stored_responses(world.database) == all);
}

TEST_CASE("ingest_now records a session's figures once, and again when they change") {
    LoopWorld world;
    world.start();
    REQUIRE(world.loop->ingest_now({}, payload_with(12.5), milliseconds(10'000)));
    {
        Result<std::unique_ptr<UsageStore>> store = UsageStore::open_read_only(world.database);
        REQUIRE(store.has_value());
        Result<std::optional<RateLimitSample>> latest = (*store)->latest_rate_limits();
        REQUIRE(latest.has_value());
        REQUIRE(latest->has_value());
        CHECK((*latest)->five_hour_used_percentage == 12.5);
    }
    // The same figures: nothing to store, no wait.
    CHECK(world.loop->ingest_now({}, payload_with(12.5), milliseconds(0)));
    REQUIRE(world.loop->ingest_now({}, payload_with(40), milliseconds(10'000)));
    Result<std::unique_ptr<UsageStore>> store = UsageStore::open_read_only(world.database);
    REQUIRE(store.has_value());
    Result<std::optional<RateLimitSample>> latest = (*store)->latest_rate_limits();
    REQUIRE(latest.has_value());
    REQUIRE(latest->has_value());
    CHECK((*latest)->five_hour_used_percentage == 40);
}

TEST_CASE("a transcript that is not a regular file is looked at once, then not waited for") {
    LoopWorld world;
    const fs::path fifo = world.transcript.parent_path() / "fifo.jsonl";
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    world.start();
    REQUIRE(world.loop->ingest_now(fifo, std::nullopt, milliseconds(10'000)));
    CHECK(world.loop->ingest_now(fifo, std::nullopt, milliseconds(0)));
    CHECK(world.loop->ingest_now(world.dir / "missing.jsonl", std::nullopt, milliseconds(10'000)));
    CHECK(world.loop->ingest_now(world.dir / "missing.jsonl", std::nullopt, milliseconds(0)));
}
