#include "stdin_reader.hpp"

#include <poll.h>
#include <unistd.h>

#include <cerrno>

namespace ccmeter {

std::string read_stdin(std::chrono::milliseconds timeout, size_t max_bytes) {
    std::string input;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    char buffer[65536];
    while (input.size() < max_bytes) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0)
            break;
        pollfd waiting{0, POLLIN, 0};
        const int ready = ::poll(&waiting, 1, static_cast<int>(left.count()));
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready <= 0)
            break;
        const ssize_t got = ::read(0, buffer, sizeof buffer);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        input.append(buffer, static_cast<size_t>(got));
    }
    return input;
}

}  // namespace ccmeter
