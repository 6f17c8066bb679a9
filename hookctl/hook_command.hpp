// `hookctl hook`: what Claude Code runs on SessionStart, Stop, SubagentStop, SessionEnd and
// StopFailure. Tells the daemon which transcripts grew, starting the daemon if it is not
// running. Prints nothing and always exits 0, within about 100 ms whatever happens (daemon
// down, bad input, full disk): a hook must never harm Claude Code.
#pragma once

namespace ccmeter {

int run_hook_command();

}  // namespace ccmeter
