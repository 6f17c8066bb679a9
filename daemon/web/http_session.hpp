// One TCP connection to the web view: HTTP/1.1 requests in turn (keep-alive), answered by the
// WebRouter; a request for the event stream turns the connection into a Server-Sent Events
// stream registered with the EventHub until the client goes away.
//
// Limits: 8 KiB of headers and of body per request (k_max_otlp_body_bytes for the
// OpenTelemetry receiver's paths, answered 413 past it); HttpLimits::request_timeout to send a
// request (a keep-alive connection idle that long is closed); an event stream more than
// k_max_queued_events behind, or whose client has not taken an event within
// HttpLimits::event_write_timeout, is closed (EventSource reconnects by itself); a request for
// an event stream while HttpLimits::max_event_streams are open gets 503.
// Threads: all on the web server's io_context thread.
#pragma once

#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "web/event_hub.hpp"
#include "web/web_router.hpp"

namespace ccmeter {

struct HttpLimits {
    // To send a request, idle keep-alive time included. Default 30 s.
    std::chrono::seconds request_timeout{30};
    // For an event stream's client to take one event. Default 30 s (heartbeats come every 15 s).
    std::chrono::seconds event_write_timeout{30};
    // Event streams open at once, over all connections. Default 16.
    size_t max_event_streams = 16;
    // Called when a stream is refused over max_event_streams (to log and count it); may be empty.
    std::function<void()> on_stream_refused;
};

// One open connection counted in a count shared with the server: +1 while it lives.
class ConnectionSlot {
  public:
    explicit ConnectionSlot(std::shared_ptr<size_t> count) : m_count(std::move(count)) {
        ++*m_count;
    }
    ~ConnectionSlot() {
        if (m_count)
            --*m_count;
    }
    ConnectionSlot(ConnectionSlot&& other) noexcept = default;
    ConnectionSlot& operator=(ConnectionSlot&&) = delete;
    ConnectionSlot(const ConnectionSlot&) = delete;
    ConnectionSlot& operator=(const ConnectionSlot&) = delete;

  private:
    std::shared_ptr<size_t> m_count;
};

class HttpSession final : public EventSubscriber, public std::enable_shared_from_this<HttpSession> {
  public:
    static constexpr size_t k_max_queued_events = 64;

    // `hello` gives the first event of a new stream (the current generation).
    HttpSession(boost::asio::ip::tcp::socket socket, WebRouter& router, EventHub& hub,
                std::function<std::string()> hello, HttpLimits limits = {},
                ConnectionSlot slot = ConnectionSlot(std::make_shared<size_t>(0)));

    void start();
    void send_event(const std::string& message) override;

  private:
    void read_request();
    void on_header(boost::beast::error_code ec);
    void on_request(boost::beast::error_code ec);
    void on_written(bool keep_alive, boost::beast::error_code ec);
    void start_event_stream(const HttpResponse& head);
    void write_response(HttpResponse response);
    void write_next_event();
    void watch_for_close();
    void close();

    boost::beast::tcp_stream m_stream;
    boost::beast::flat_buffer m_buffer;
    bool m_otlp = false;  // the request in progress is for the OpenTelemetry receiver
    std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> m_parser;
    HttpResponse m_response;  // the one being written
    WebRouter& m_router;
    EventHub& m_hub;
    std::function<std::string()> m_hello;
    HttpLimits m_limits;
    ConnectionSlot m_slot;
    std::deque<std::string> m_events;  // event stream: queued, front being written
    bool m_writing = false;
    bool m_closed = false;
    std::array<char, 512> m_discard{};
};

}  // namespace ccmeter
