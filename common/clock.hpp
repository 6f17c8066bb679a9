// The wall clock, as every part of ccmeter counts time: milliseconds since the Unix epoch, UTC.
#pragma once

#include <chrono>
#include <cstdint>

namespace ccmeter {

inline int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace ccmeter
