// `hookctl statusline [--format TEMPLATE] [--color auto|always|never]`: Claude Code's status
// line. Reads the payload on stdin, asks the daemon (which first ingests that transcript's new
// bytes) and prints one line; when the daemon is down, prints a degraded line from the payload
// alone and starts the daemon for next time. Always exits 0.
//
// The template may also come from CCMETER_STATUSLINE_FORMAT (the flag wins); colours follow
// NO_COLOR unless --color says otherwise. See status_line_format.hpp for the placeholders.
#pragma once

namespace ccmeter {

int run_status_line_command(int argc, char** argv);

}  // namespace ccmeter
