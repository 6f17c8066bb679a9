// A minimal gRPC client for unary and server-streaming calls over the daemon's Unix socket.
//
// It speaks HTTP/2 with prior knowledge (h2c) directly, so that a hook or a status-line
// process starts in about a millisecond instead of loading grpc++ (~29 ms here). Scope: one
// call per connection, no compression, no TLS. A unary call succeeds when the server sent one
// complete response message before ending the stream; a server error (trailers only), a reset
// or the deadline make it fail. A streaming call hands each message over as it completes and
// grants the server only k_stream_window (1 MiB) beyond what was handed over, so a slow reader
// slows the server down instead of filling memory. The socket is used only if it is a socket owned
// by this user with mode 0600 (lstat).
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include "common/error.hpp"

namespace ccmeter {

class UnixGrpcClient {
  public:
    using Clock = std::chrono::steady_clock;

    explicit UnixGrpcClient(std::filesystem::path socket);

    // Calls `method` ("/ccmeter.v1.Meter/StatusLine") with a serialized request message and
    // returns the serialized response message. Fails with a message when the daemon is not
    // there (`daemon_unreachable()` tells), answered with an error, or missed `deadline`.
    Result<std::string> call(std::string_view method, std::string_view request,
                             Clock::time_point deadline);

    // Calls a server-streaming `method`: `on_message` gets each serialized response message in
    // order (its error ends the call with that error). Fails when the daemon sends nothing for
    // `idle_timeout`, or ends the call with an error status (after the messages before it).
    Result<void> stream(std::string_view method, std::string_view request,
                        std::chrono::milliseconds idle_timeout,
                        const std::function<Result<void>(std::string_view message)>& on_message);

    // After a failed call: true when nobody listened (no socket, or connection refused).
    bool daemon_unreachable() const { return m_unreachable; }

  private:
    // One call: `idle_timeout` > 0 makes it a stream (window and deadline as above).
    Result<void> exchange(std::string_view method, std::string_view request,
                          Clock::time_point deadline, std::chrono::milliseconds idle_timeout,
                          const std::function<Result<void>(std::string_view message)>& on_message);

    std::filesystem::path m_socket;
    bool m_unreachable = false;
};

}  // namespace ccmeter
