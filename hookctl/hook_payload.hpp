// What `hookctl hook` keeps of a Claude Code hook's stdin JSON: the fields that tell the daemon
// which transcripts grew (SessionStart, Stop, SubagentStop, SessionEnd, StopFailure all carry
// session_id, transcript_path, cwd and hook_event_name; SubagentStop adds
// agent_transcript_path). Message content is never part of it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ccmeter {

struct HookPayload {
    std::string hook_event_name;
    std::string session_id;
    std::string transcript_path;
    std::string cwd;
    std::string agent_transcript_path;
};

// Parses the payload. A field that is missing or not a string stays empty; every field is valid
// UTF-8 (invalid bytes, such as a lone \ud800 escape's, become U+FFFD), so that it fits a
// protobuf string. nullopt when the text is not a JSON object.
std::optional<HookPayload> parse_hook_payload(std::string_view json_text);

}  // namespace ccmeter
