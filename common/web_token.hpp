// The web view's secret: 32 random bytes as 64 hex digits, kept in a file only its user can
// read (runtime_dir()/web.token, mode 0600, in the 0700 runtime directory).
//
// The daemon creates it once and reuses it while the file lasts (a browser's cookie then
// survives daemon restarts); `hookctl web` reads it to open the login URL; any other local
// client (a future OpenTelemetry receiver) sends it as `Authorization: Bearer <token>`.
// A file that is not a regular file owned by this user with no group or other permissions,
// or that does not hold a well-formed token, is never trusted.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "common/error.hpp"

namespace ccmeter {

constexpr size_t k_web_token_length = 64;  // hex digits

// runtime_dir() / "web.token".
std::filesystem::path web_token_path();

// The token in `file`, if the file is private and well-formed (see above).
std::optional<std::string> read_web_token(const std::filesystem::path& file);

// The token in `file`, or a new random one written there (atomically, mode 0600).
Result<std::string> load_or_create_web_token(const std::filesystem::path& file);

// Compares in time independent of where the strings differ.
bool web_token_equals(std::string_view a, std::string_view b);

}  // namespace ccmeter
