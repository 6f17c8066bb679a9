// HpackDecoder on arbitrary bytes: a connection's header blocks (one decoder for all of them,
// so the dynamic table carries over), each header's value then percent-decoded as a
// grpc-message would be. Invariants: no crash, leak or sanitizer report; once a block fails,
// what the decoder does next is its own business, but it still must not crash.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "hookctl/hpack_decoder.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    FuzzedDataProvider input(data, size);
    ccmeter::HpackDecoder decoder;
    size_t header_bytes = 0;
    while (input.remaining_bytes() > 0) {
        const std::string block = input.ConsumeRandomLengthString(4096);
        auto decoded = decoder.decode(block, [&](std::string_view name, std::string_view value) {
            header_bytes += name.size() + value.size();
            const std::string text = ccmeter::percent_decode(value);
            ccmeter::fuzz::check(text.size() <= value.size(),
                                 "percent_decode never makes text longer");
        });
        if (!decoded)
            break;
    }
    return header_bytes == SIZE_MAX;  // keeps the visits from being optimised away
}
