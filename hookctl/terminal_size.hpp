// How wide and tall the terminal is, for tables that fit it (hookctl stats) and for hookctl top.
#pragma once

#include <cstddef>

namespace ccmeter {

struct TerminalSize {
    size_t columns = 0;
    size_t rows = 0;
};

// The size of the terminal on `fd` (TIOCGWINSZ); zeros when it is not a terminal.
TerminalSize terminal_size(int fd);

// The width `hookctl stats` tables fit in: $COLUMNS when set to a number (a script's choice),
// else the terminal's width when stdout is one, else 0 (no limit: a pipe or a file gets whole
// tables).
size_t stdout_table_width();

}  // namespace ccmeter
