// Gives the memory the daemon freed back to the system once it is quiet again.
//
// glibc's malloc keeps what a large answer freed (the rows of a session with thousands of
// responses, every tool call of the tools report, a backfill's batches) inside its arenas,
// fragmented by the few blocks still alive above it: RSS stays at the answer's peak long after
// it (measured: 102 MB after every report once on a 1 GB history, 69 MB of it free inside
// malloc). malloc_trim(0) returns the free pages of every arena.
//
// Contract:
// - note_activity() (cheap, any thread) says something may have freed memory; the trimmer's
//   thread calls malloc_trim(0) once `quiet` has passed since the last note, or `max_wait`
//   since the first note of a busy stretch, whichever comes first: a steady trickle of status
//   lines still trims every `max_wait`, and a trim never runs in the middle of a burst.
// - A trim that gave back at least k_retrim_bytes is followed by one more round `quiet`
//   later (what an answer freed after the trim, while it was still being sent); one that gave
//   back less ends the rounds until the next note. So the daemon never trims while nothing
//   happens, and a query's memory costs its page faults again only after `quiet` of idleness.
// - Trimming is safe at any time (malloc takes each arena's lock); it only costs the queries
//   after it the page faults of memory they touch again.
// Threads: note_activity(), trims() and released_bytes() from any thread; start() and stop()
// from one (the owner's); the destructor stops.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

namespace ccmeter {

// A trim that gave back at least this much (RSS before minus after) is followed by one more
// round: 1 MiB, a few hundred pages, well above the few pages a quiet trim finds.
constexpr int64_t k_retrim_bytes = 1 << 20;

struct MemoryTrimmerOptions {
    // Quiet time after the last note before trimming. Default 1 s: longer than a report takes
    // to be sent (the largest answers take some hundred ms), short enough that the daemon is
    // back to its idle size by the time anyone looks.
    std::chrono::milliseconds quiet{1000};
    // The longest a trim waits while notes keep coming. Default 10 s.
    std::chrono::milliseconds max_wait{10'000};
};

class MemoryTrimmer {
  public:
    explicit MemoryTrimmer(MemoryTrimmerOptions options = {});
    ~MemoryTrimmer();
    MemoryTrimmer(const MemoryTrimmer&) = delete;
    MemoryTrimmer& operator=(const MemoryTrimmer&) = delete;

    void start();
    void stop();

    void note_activity();

    // Trims done so far, and the bytes of RSS they gave back (never negative per trim).
    int64_t trims() const;
    int64_t released_bytes() const;

  private:
    void run();

    const MemoryTrimmerOptions m_options;
    mutable std::mutex m_mutex;
    std::condition_variable m_changed;
    bool m_stopping = false;                             // guarded by m_mutex
    bool m_pending = false;                              // guarded by m_mutex
    std::chrono::steady_clock::time_point m_first_note;  // of the pending stretch; m_mutex
    std::chrono::steady_clock::time_point m_last_note;   // guarded by m_mutex
    int64_t m_trims = 0;                                 // guarded by m_mutex
    int64_t m_released = 0;                              // guarded by m_mutex
    std::thread m_thread;
};

// This process's resident set in bytes (/proc/self/statm), 0 if it cannot be read.
int64_t resident_bytes();

}  // namespace ccmeter
