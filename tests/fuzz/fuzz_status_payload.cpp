// parse_status_payload on arbitrary bytes as the status line's stdin (status_payload.hpp).
// Invariants: no crash or sanitizer report; a payload that is accepted parses again to the
// same fields; a context window is never negative.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/status_payload.hpp"
#include "fuzz_check.hpp"

using ccmeter::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const ccmeter::Result<ccmeter::StatusPayload> payload = ccmeter::parse_status_payload(text);
    const ccmeter::Result<ccmeter::StatusPayload> again = ccmeter::parse_status_payload(text);
    check(payload.has_value() == again.has_value(), "parsing a payload twice gives the same answer");
    if (!payload.has_value())
        return 0;
    check(payload->session_id == again->session_id && payload->cwd == again->cwd &&
              payload->transcript_path == again->transcript_path &&
              payload->model_id == again->model_id,
          "parsing a payload twice gives the same fields");
    check(payload->context_window_size >= 0, "a context window is not negative");
    return 0;
}
