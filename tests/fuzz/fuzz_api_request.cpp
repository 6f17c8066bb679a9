// The web view's request path: parse_api_request on an arbitrary target (path and query, as a
// client sends it) at a fixed instant, and percent_decode (api_request.hpp).
// Invariants: no crash or sanitizer report; an accepted request names its answer (a non-empty
// key) and asks for ascending period boundaries; the same target gives the same key; a decoded
// component is never longer than its escaped text.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.hpp"
#include "web/api_request.hpp"

using ccmeter::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view target(reinterpret_cast<const char*>(data), size);
    constexpr int64_t k_now_ms = 1'796'148'272'877;  // 2026-12-01T18:04:32Z
    const ccmeter::Result<ccmeter::ApiRequest> request =
        ccmeter::parse_api_request(target, k_now_ms);
    if (request.has_value()) {
        check(!request->key().empty(), "an accepted request has a cache key");
        check(std::is_sorted(request->boundaries.begin(), request->boundaries.end()),
              "period boundaries ascend");
        check(request->since_ms <= k_now_ms, "a window starts no later than now");
        const ccmeter::Result<ccmeter::ApiRequest> again =
            ccmeter::parse_api_request(target, k_now_ms);
        check(again.has_value() && again->key() == request->key(),
              "the same target gives the same key");
    }
    const ccmeter::Result<std::string> decoded = ccmeter::percent_decode(target);
    if (decoded.has_value())
        check(decoded->size() <= target.size(), "decoding never lengthens a component");
    return 0;
}
