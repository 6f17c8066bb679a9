// Reads what Claude Code writes to a hook's or the status line's stdin, without ever hanging:
// stops at end of input, at `max_bytes`, or when `timeout` passes with no end in sight.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace ccmeter {

std::string read_stdin(std::chrono::milliseconds timeout, size_t max_bytes = 4u << 20);

}  // namespace ccmeter
