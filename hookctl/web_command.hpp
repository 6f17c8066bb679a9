// `hookctl web [--no-open]`: prints the URL of the daemon's web view and opens it in a browser
// when one can be shown.
//
// The URL comes from <runtime dir>/web.url, which ccmeterd writes while it serves the web view
// (web/web_server.hpp); only a loopback URL of the form http://127.0.0.1:<port>/ is accepted.
// What is printed and opened is that URL's login form, <url>login?token=<web token>
// (core/web_token.hpp): opening it once gives the browser the cookie the web view asks for.
// When no daemon runs it is started (as the hooks do) and waited for, up to 5 s. A browser is
// opened with xdg-open (macOS: open), detached, only when a display is available ($DISPLAY or
// $WAYLAND_DISPLAY; always on macOS) and not --no-open; the URL is printed either way.
#pragma once

namespace ccmeter {

struct WebCommandOptions {
    bool open = true;  // false: --no-open
};

// Returns the exit code: 0 with the URL on stdout; 1 when the daemon cannot be reached or runs
// without the web view (the reason on stderr).
int run_web_command(const WebCommandOptions& options);

}  // namespace ccmeter
