// MemoryTrimmer: it trims only after activity, once quiet (or after max_wait while activity goes
// on), and stops cleanly. What a trim gives back is measured by bench/rss, not here.
#include <catch2/catch.hpp>
#include <chrono>
#include <functional>
#include <thread>

#include "server/memory_trimmer.hpp"

using namespace ccmeter;
using namespace std::chrono_literals;

namespace {

bool eventually(const std::function<bool()>& condition) {
    for (int i = 0; i < 500; ++i) {
        if (condition())
            return true;
        std::this_thread::sleep_for(10ms);
    }
    return condition();
}

}  // namespace

TEST_CASE("no trim without activity, one once quiet after it", "[memory_trimmer]") {
    MemoryTrimmer trimmer({20ms, 10'000ms});
    trimmer.start();
    std::this_thread::sleep_for(100ms);
    CHECK(trimmer.trims() == 0);
    trimmer.note_activity();
    CHECK(eventually([&] { return trimmer.trims() >= 1; }));
    trimmer.stop();
    CHECK(trimmer.released_bytes() >= 0);
}

TEST_CASE("activity that never pauses is still trimmed after max_wait", "[memory_trimmer]") {
    MemoryTrimmer trimmer({1000ms, 50ms});
    trimmer.start();
    const auto until = std::chrono::steady_clock::now() + 5s;
    // A note every 5 ms: never 1 s of quiet, so only max_wait can let a trim through.
    while (trimmer.trims() == 0 && std::chrono::steady_clock::now() < until) {
        trimmer.note_activity();
        std::this_thread::sleep_for(5ms);
    }
    CHECK(trimmer.trims() >= 1);
}

TEST_CASE("stop() ends a trimmer waiting for quiet, and resident_bytes reads", "[memory_trimmer]") {
    MemoryTrimmer trimmer({60'000ms, 60'000ms});
    trimmer.start();
    trimmer.note_activity();
    const auto started = std::chrono::steady_clock::now();
    trimmer.stop();
    CHECK(std::chrono::steady_clock::now() - started < 30s);
    CHECK(trimmer.trims() == 0);
    CHECK(resident_bytes() > 0);
}
