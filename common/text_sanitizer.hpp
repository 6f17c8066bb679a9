// Untrusted text (from transcripts, status-line payloads, hook payloads) made safe for where it
// goes: protobuf string fields, which must be valid UTF-8, and terminals, which would obey
// escape sequences hidden in a cwd, session id or model name.
#pragma once

#include <string>
#include <string_view>

namespace ccmeter {

// `text` with every byte that is not part of a well-formed UTF-8 sequence (overlong forms,
// surrogates and code points over U+10FFFF included) replaced by U+FFFD. Valid text is
// returned unchanged.
std::string valid_utf8(std::string_view text);

// valid_utf8(text) without control characters: C0 (U+0000-U+001F, tab and newline too), DEL
// and C1 (U+0080-U+009F) are each replaced by '?', so that printing it cannot move the cursor,
// change colours or send terminal commands.
std::string terminal_safe(std::string_view text);

}  // namespace ccmeter
