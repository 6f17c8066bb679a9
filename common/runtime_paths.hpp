// Where the daemon and its clients meet: a private per-user runtime directory holding the
// socket and the pid file.
//
// Defaults: $XDG_RUNTIME_DIR/ccmeter, else /tmp/ccmeter-$UID. CCMETER_RUNTIME_DIR overrides
// both (tests). The directory is mode 0700 and the socket 0600; both are checked with lstat
// so that a symlink or another user's directory is never trusted.
#pragma once

#include <filesystem>

#include "common/error.hpp"

namespace ccmeter {

std::filesystem::path runtime_dir();
std::filesystem::path socket_path();    // runtime_dir() / "ccmeterd.sock"
std::filesystem::path pid_file_path();  // runtime_dir() / "ccmeterd.pid"
// runtime_dir() / "web.url": the web view's URL ("http://127.0.0.1:7681/"), present while
// ccmeterd serves it (read by `hookctl web`).
std::filesystem::path web_url_path();

// Creates `dir` (and its parents) if missing, then checks with lstat that it is a real
// directory owned by this user; tightens its mode to 0700. Refuses anything else.
Result<void> ensure_private_dir(const std::filesystem::path& dir);

// True when `path` is a socket owned by this user that nobody else may open (mode 0600 or
// tighter), checked with lstat.
bool is_private_socket(const std::filesystem::path& path);

}  // namespace ccmeter
