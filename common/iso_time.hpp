// ISO 8601 timestamps as Claude Code writes them (transcripts, hook and status-line payloads).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ccmeter {

// Parses an ISO 8601 UTC timestamp ("2026-02-10T12:34:56.789Z", offsets like "+02:00" and any
// number of fraction digits accepted) into milliseconds since the epoch; nullopt when `text`
// is not one.
std::optional<int64_t> parse_timestamp_ms(std::string_view text);

// Milliseconds since the epoch as ISO 8601 UTC with milliseconds: "2026-02-10T12:34:56.789Z".
std::string format_timestamp_ms(int64_t ms);

}  // namespace ccmeter
