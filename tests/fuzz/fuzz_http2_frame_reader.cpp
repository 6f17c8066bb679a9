// Http2FrameReader on arbitrary bytes as the daemon's side of a connection (what hookctl reads
// after its request): the input is the raw byte stream, so the seed corpus is real replies.
// Invariants: no crash, leak or sanitizer report; the bytes fed at once and fed in pieces of
// 1, 2, ... 17 bytes give the same end (ended, needs more, or the same error) and the same
// messages; the messages and the frames to send back are never more bytes than were read.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "hookctl/http2_frame_reader.hpp"

using ccmeter::fuzz::check;

namespace {

struct Outcome {
    int end = 0;  // 0: needs more, 1: ended well, 2: failed
    std::string error;
    std::vector<std::string> messages;
    size_t output_bytes = 0;
};

Outcome read_all(std::string_view bytes, bool in_pieces) {
    Outcome outcome;
    ccmeter::Http2FrameReader reader([&](std::string_view message) -> ccmeter::Result<void> {
        outcome.messages.emplace_back(message);
        return {};
    });
    size_t piece = 1;
    while (!bytes.empty()) {
        const size_t take = in_pieces ? std::min(piece, bytes.size()) : bytes.size();
        piece = piece % 17 + 1;
        const ccmeter::Result<bool> fed = reader.feed(bytes.substr(0, take));
        bytes.remove_prefix(take);
        outcome.output_bytes += reader.take_output().size();
        reader.take_consumed();
        if (!fed) {
            outcome.end = 2;
            outcome.error = fed.error().message;
            break;
        }
        if (*fed) {
            outcome.end = 1;
            break;
        }
    }
    return outcome;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    const Outcome whole = read_all(bytes, false);
    const Outcome pieces = read_all(bytes, true);
    check(whole.end == pieces.end && whole.error == pieces.error,
          "the same bytes end the call the same way however they are split");
    check(whole.messages == pieces.messages, "the same bytes give the same messages");
    size_t message_bytes = 0;
    for (const std::string& message : whole.messages)
        message_bytes += message.size();
    check(message_bytes <= size, "messages are never more bytes than were read");
    check(whole.output_bytes <= size && pieces.output_bytes <= size,
          "acknowledgements are never more bytes than were read");
    return 0;
}
