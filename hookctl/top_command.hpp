// `hookctl top`: the terminal layer of the live view (top_model.hpp holds its state, keys and
// frames). It puts the terminal in raw mode on the alternate screen (restored on every exit),
// follows the daemon's Watch stream on a thread of its own and fetches the current view's
// figures when a batch was committed (not by polling), redraws on keys, on SIGWINCH and on
// those events, and shows "daemon down — reconnecting" until the daemon answers again.
// NO_COLOR (any value) or TERM=dumb: no colours.
//
// CCMETER_TOP_TIMING=FILE appends one line per frame to FILE: "frame N MS", the milliseconds
// from the command's start (frame 0: the daemon reached and the Sessions tab fetched) or from
// the key, signal or Watch event that caused the redraw (its fetch included) until the frame was
// written; for bench/top and the README's figures.
#pragma once

namespace ccmeter {

// 0 on q; 1 when stdin and stdout are not a terminal.
int run_top_command();

}  // namespace ccmeter
