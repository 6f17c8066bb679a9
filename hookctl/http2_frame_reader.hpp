// The receiving half of UnixGrpcClient's one call: the daemon's HTTP/2 frames in, the call's
// gRPC messages, its end and the frames to answer out. No I/O, so that any byte sequence can be
// fed to it (tests/fuzz/fuzz_http2_frame_reader).
//
// Scope: the client's own call is stream 1; frames of other streams are ignored, except the
// connection's SETTINGS and PING (acknowledged) and GOAWAY (ends the call). DATA padding is
// removed; messages are gRPC's length-prefixed ones, uncompressed. Header blocks (HEADERS and
// CONTINUATION) are decoded with one HpackDecoder for the connection, and the trailers'
// grpc-status / grpc-message kept.
//
// Contract: feed() the bytes in the order received, split anywhere: the outcome is the same
// for any split. After feed() returned true or an error, the call is over: feed no more.
// on_message gets each complete message as it is taken (valid only during the call); its
// error ends the call with that error. Not thread-safe; one reader per connection.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "common/error.hpp"
#include "hookctl/hpack_decoder.hpp"

namespace ccmeter {

// Appends one HTTP/2 frame (RFC 9113 4.1) to `out`; `payload` is at most 16 MiB - 1.
void put_http2_frame(std::string& out, uint8_t type, uint8_t flags, uint32_t stream,
                     std::string_view payload);

class Http2FrameReader {
  public:
    using MessageSink = std::function<Result<void>(std::string_view message)>;

    explicit Http2FrameReader(MessageSink on_message);

    // Takes `bytes` received. Returns true once the call ended well (end of stream with a gRPC
    // status of 0 or none, and no partial message left), false while it needs more bytes, or an
    // error: an error status from the server (its grpc-message, the status's ErrorKind), a
    // reset, GOAWAY, a bad frame or header block, a compressed or truncated message.
    Result<bool> feed(std::string_view bytes);

    // The frames to send back (SETTINGS and PING acknowledgements) since the last call.
    std::string take_output();

    // DATA bytes (padding included) of stream 1 since the last call: what flow control lets
    // the server send again.
    uint64_t take_consumed();

  private:
    // One complete frame; same results as feed().
    Result<bool> frame(uint8_t type, uint8_t flags, uint32_t stream, std::string_view payload);
    // Hands every complete message of m_body to m_on_message.
    Result<void> take_messages();

    MessageSink m_on_message;
    std::string m_input;   // bytes received, not yet a complete frame
    std::string m_body;    // DATA of stream 1 not yet taken as messages
    size_t m_body_at = 0;  // where the next message starts in m_body
    uint64_t m_consumed = 0;
    std::string m_output;
    HpackDecoder m_headers;
    std::string m_header_block;  // a header block not complete yet (CONTINUATION follows)
    bool m_headers_end_stream = false;
    std::string m_grpc_status;  // from the trailers
    std::string m_grpc_message;
};

}  // namespace ccmeter
