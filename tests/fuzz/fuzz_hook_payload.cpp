// parse_hook_payload on arbitrary bytes as a hook's stdin (hookctl/hook_payload.hpp).
// Invariants: no crash or sanitizer report; every field of an accepted payload is valid UTF-8
// (it goes into a protobuf string); parsing the same bytes twice gives the same fields.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/text_sanitizer.hpp"
#include "fuzz_check.hpp"
#include "hookctl/hook_payload.hpp"

using ccmeter::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto payload = ccmeter::parse_hook_payload(text);
    const auto again = ccmeter::parse_hook_payload(text);
    check(payload.has_value() == again.has_value(),
          "parsing a payload twice gives the same answer");
    if (!payload)
        return 0;
    for (const std::string* field :
         {&payload->hook_event_name, &payload->session_id, &payload->transcript_path, &payload->cwd,
          &payload->agent_transcript_path})
        check(ccmeter::valid_utf8(*field) == *field, "every field is valid UTF-8");
    check(payload->session_id == again->session_id &&
              payload->transcript_path == again->transcript_path &&
              payload->agent_transcript_path == again->agent_transcript_path,
          "parsing a payload twice gives the same fields");
    return 0;
}
