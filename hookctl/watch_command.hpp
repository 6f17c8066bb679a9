// `hookctl watch [--json]`: one line (or JSON object) per response as ccmeterd stores it
// (watch_format.hpp), until interrupted. Starts the daemon if nobody listens (as stats does);
// when the daemon goes away it says so on stderr, waits for it to come back (it is not started
// again) and says when it is back. Output is flushed after every line.
#pragma once

namespace ccmeter {

// Returns only on a broken stdout (1) or when the daemon refuses the watch (1).
int run_watch_command(bool json);

}  // namespace ccmeter
