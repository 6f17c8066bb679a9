#include "terminal_size.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <cstring>

namespace ccmeter {

TerminalSize terminal_size(int fd) {
    struct winsize size {};
    if (::ioctl(fd, TIOCGWINSZ, &size) != 0)
        return {};
    return {size.ws_col, size.ws_row};
}

size_t stdout_table_width() {
    if (const char* columns = std::getenv("COLUMNS")) {
        size_t width = 0;
        const char* end = columns + std::strlen(columns);
        auto [stop, error] = std::from_chars(columns, end, width);
        if (error == std::errc() && stop == end && width > 0)
            return width;
    }
    if (::isatty(STDOUT_FILENO))
        return terminal_size(STDOUT_FILENO).columns;
    return 0;
}

}  // namespace ccmeter
