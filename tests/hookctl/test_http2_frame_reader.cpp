// Http2FrameReader: a daemon's reply, as frames, gives the messages and the end the client
// reports, whatever the split of the bytes; acknowledgements, padding, CONTINUATION, other
// streams, error statuses and broken frames.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "hookctl/http2_frame_reader.hpp"

namespace {

using ccmeter::Http2FrameReader;
using ccmeter::put_http2_frame;

constexpr uint8_t k_data = 0x0;
constexpr uint8_t k_headers = 0x1;
constexpr uint8_t k_rst_stream = 0x3;
constexpr uint8_t k_settings = 0x4;
constexpr uint8_t k_ping = 0x6;
constexpr uint8_t k_goaway = 0x7;
constexpr uint8_t k_continuation = 0x9;
constexpr uint8_t k_end_stream = 0x1;
constexpr uint8_t k_end_headers = 0x4;
constexpr uint8_t k_padded = 0x8;

std::string frame(uint8_t type, uint8_t flags, uint32_t stream, const std::string& payload) {
    std::string out;
    put_http2_frame(out, type, flags, stream, payload);
    return out;
}

// HPACK "literal without indexing, new name", no Huffman (names and values < 127 bytes).
std::string header(const std::string& name, const std::string& value) {
    std::string out(1, '\0');
    out.push_back(static_cast<char>(name.size()));
    out += name;
    out.push_back(static_cast<char>(value.size()));
    out += value;
    return out;
}

// A gRPC message: uncompressed flag, 4-byte length, the bytes.
std::string message(const std::string& bytes) {
    std::string out(1, '\0');
    for (int shift : {24, 16, 8, 0})
        out.push_back(static_cast<char>(bytes.size() >> shift));
    return out + bytes;
}

std::string reply_headers() {
    return frame(k_headers, k_end_headers, 1,
                 std::string(1, static_cast<char>(0x88)) +  // :status 200
                     header("content-type", "application/grpc"));
}

std::string trailers(const std::string& status, const std::string& text = "") {
    std::string block = header("grpc-status", status);
    if (!text.empty())
        block += header("grpc-message", text);
    return frame(k_headers, k_end_headers | k_end_stream, 1, block);
}

struct Outcome {
    bool ended = false;
    std::string error;
    std::vector<std::string> messages;
    std::string output;
    uint64_t consumed = 0;
};

// Feeds `bytes` in pieces of `piece` bytes (0: all at once) until the call ends.
Outcome read_reply(const std::string& bytes, size_t piece = 0) {
    Outcome outcome;
    Http2FrameReader reader([&](std::string_view m) -> ccmeter::Result<void> {
        outcome.messages.emplace_back(m);
        return {};
    });
    const size_t step = piece == 0 ? bytes.size() : piece;
    for (size_t at = 0; at < bytes.size(); at += step) {
        ccmeter::Result<bool> fed = reader.feed(std::string_view(bytes).substr(at, step));
        outcome.output += reader.take_output();
        outcome.consumed += reader.take_consumed();
        if (!fed) {
            outcome.error = fed.error().message;
            break;
        }
        if (*fed) {
            outcome.ended = true;
            break;
        }
    }
    return outcome;
}

}  // namespace

TEST_CASE("a unary reply gives its message, acknowledges SETTINGS, whatever the split") {
    const std::string bytes = frame(k_settings, 0, 0, std::string("\x00\x03\x00\x00\x00\x64", 6)) +
                              reply_headers() + frame(k_data, 0, 1, message("answer")) +
                              trailers("0");
    for (size_t piece : {0, 1, 7, 9, 10}) {
        const Outcome outcome = read_reply(bytes, piece);
        INFO("piece " << piece);
        CHECK(outcome.ended);
        CHECK(outcome.error.empty());
        CHECK(outcome.messages == std::vector<std::string>{"answer"});
        CHECK(outcome.output == frame(k_settings, 0x1, 0, ""));
        CHECK(outcome.consumed == message("answer").size());
    }
}

TEST_CASE("bytes after the end of the call are not read") {
    const std::string bytes = reply_headers() + frame(k_data, 0, 1, message("one")) +
                              trailers("0") + frame(k_ping, 0, 0, "12345678");
    const Outcome outcome = read_reply(bytes);
    CHECK(outcome.ended);
    CHECK(outcome.output.empty());
}

TEST_CASE("a stream's messages come in order, across DATA frames and with padding") {
    const std::string two = message("first") + message("second message");
    const std::string padded = std::string(1, '\x03') + two.substr(4) + "pad";
    const std::string bytes = reply_headers() + frame(k_data, 0, 1, two.substr(0, 4)) +
                              frame(k_data, k_padded, 1, padded) + trailers("0");
    const Outcome outcome = read_reply(bytes, 3);
    CHECK(outcome.ended);
    CHECK(outcome.messages == std::vector<std::string>{"first", "second message"});
    CHECK(outcome.consumed == 4 + padded.size());  // flow control counts the padding
}

TEST_CASE("an error status ends the call with the server's decoded message and kind") {
    Http2FrameReader reader([](std::string_view) -> ccmeter::Result<void> { return {}; });
    ccmeter::Result<bool> fed =
        reader.feed(reply_headers() + trailers("5", "no session %E2%80%9Cx%E2%80%9D"));
    REQUIRE_FALSE(fed.has_value());
    CHECK(fed.error().message == "no session \xE2\x80\x9Cx\xE2\x80\x9D");
    CHECK(fed.error().kind == ccmeter::ErrorKind::not_found);
    CHECK(read_reply(trailers("14")).error == "ccmeterd answered with gRPC status 14");
}

TEST_CASE("trailers split into HEADERS and CONTINUATION end the call once complete") {
    const std::string block = header("grpc-status", "0");
    const std::string bytes = reply_headers() + frame(k_data, 0, 1, message("x")) +
                              frame(k_headers, k_end_stream, 1, block.substr(0, 5)) +
                              frame(k_continuation, k_end_headers, 1, block.substr(5));
    const Outcome outcome = read_reply(bytes);
    CHECK(outcome.ended);
    CHECK(outcome.messages == std::vector<std::string>{"x"});
    // Without the CONTINUATION the call is not over yet.
    const Outcome partial = read_reply(bytes.substr(0, bytes.size() - 9 - (block.size() - 5)));
    CHECK_FALSE(partial.ended);
    CHECK(partial.error.empty());
}

TEST_CASE("PING is answered with its payload; other streams are ignored") {
    const std::string bytes = frame(k_ping, 0, 0, "abcdefgh") +
                              frame(k_data, k_end_stream, 3, message("not ours")) +
                              frame(k_rst_stream, 0, 3, std::string(4, '\0')) + reply_headers() +
                              frame(k_data, 0, 1, message("ours")) + trailers("0");
    const Outcome outcome = read_reply(bytes);
    CHECK(outcome.ended);
    CHECK(outcome.messages == std::vector<std::string>{"ours"});
    CHECK(outcome.output == frame(k_ping, 0x1, 0, "abcdefgh"));
}

TEST_CASE("broken replies end the call with an error") {
    CHECK(read_reply(reply_headers() + frame(k_data, 0, 1, message("abc").substr(0, 6)) +
                     trailers("0"))
              .error == "ccmeterd sent a truncated answer");
    CHECK(read_reply(frame(k_data, 0, 1, std::string("\x01\x00\x00\x00\x00", 5))).error ==
          "ccmeterd sent a compressed message");
    CHECK(read_reply(frame(k_data, k_padded, 1, std::string("\x09xyz"))).error ==
          "bad frame from ccmeterd");
    CHECK(read_reply(frame(k_data, k_padded, 1, "")).error == "bad frame from ccmeterd");
    CHECK(read_reply(frame(k_rst_stream, 0, 1, std::string(4, '\0'))).error ==
          "ccmeterd reset the call");
    CHECK(read_reply(frame(k_goaway, 0, 0, std::string(8, '\0'))).error ==
          "ccmeterd closed the connection");
    CHECK_FALSE(
        read_reply(frame(k_headers, k_end_headers, 1, "\xff\xff\xff\xff\xff")).error.empty());
}

TEST_CASE("an error of the message sink ends the call with it") {
    Http2FrameReader reader(
        [](std::string_view) -> ccmeter::Result<void> { return ccmeter::Error{"disk full"}; });
    ccmeter::Result<bool> fed =
        reader.feed(reply_headers() + frame(k_data, 0, 1, message("x")) + trailers("0"));
    REQUIRE_FALSE(fed.has_value());
    CHECK(fed.error().message == "disk full");
}
