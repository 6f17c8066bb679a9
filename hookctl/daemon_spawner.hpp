// Starts ccmeterd in the background when a hook finds it not running, as watchman and atuin
// do: a lock so that concurrent hooks start one daemon, a double fork with setsid so that the
// daemon outlives Claude Code's hook process group, closed descriptors, and no waiting.
#pragma once

#include <filesystem>

namespace ccmeter {

// The ccmeterd binary: next to this executable, else "ccmeterd" on PATH.
std::filesystem::path find_daemon_binary();

// Starts `ccmeterd serve` detached, its stderr appended to <runtime dir>/ccmeterd.log. Returns
// at once; false when it could not even try (another hook is starting it counts as true).
// Does nothing and returns false when CCMETER_NO_SPAWN=1.
bool spawn_daemon();

}  // namespace ccmeter
