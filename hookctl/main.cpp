// hookctl: Claude Code's hooks and status line talk to ccmeterd through it, and people ask it
// for their costs. The hook and status-line paths are dispatched before anything else is set up.
#include <cstring>
#include <exception>
#include <iostream>

#include "hook_command.hpp"

int main(int argc, char** argv) {
    if (argc >= 2 && std::strcmp(argv[1], "hook") == 0) return ccmeter::run_hook_command();
    try {
        std::cerr << "usage: hookctl hook|statusline|stats|install|uninstall|doctor\n";
        return 2;
    } catch (const std::exception& error) {
        std::cerr << "hookctl: " << error.what() << "\n";
        return 1;
    }
}
