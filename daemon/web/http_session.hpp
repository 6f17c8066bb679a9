// One TCP connection to the web view: HTTP/1.1 requests in turn (keep-alive), answered by the
// WebRouter; a request for the event stream turns the connection into a Server-Sent Events
// stream registered with the EventHub until the client goes away.
//
// Limits: 8 KiB of headers and of body per request; 30 s to send a request; an event stream
// more than k_max_queued_events behind is closed (EventSource reconnects by itself).
// Threads: all on the web server's io_context thread.
#pragma once

#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "web/event_hub.hpp"
#include "web/web_router.hpp"

namespace ccmeter {

class HttpSession final : public EventSubscriber, public std::enable_shared_from_this<HttpSession> {
  public:
    static constexpr size_t k_max_queued_events = 64;

    // `hello` gives the first event of a new stream (the current generation).
    HttpSession(boost::asio::ip::tcp::socket socket, WebRouter& router, EventHub& hub,
                std::function<std::string()> hello);

    void start();
    void send_event(const std::string& message) override;

  private:
    void read_request();
    void on_request(boost::beast::error_code ec);
    void on_written(bool keep_alive, boost::beast::error_code ec);
    void start_event_stream(const HttpResponse& head);
    void write_next_event();
    void watch_for_close();
    void close();

    boost::beast::tcp_stream m_stream;
    boost::beast::flat_buffer m_buffer;
    std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> m_parser;
    HttpResponse m_response;  // the one being written
    WebRouter& m_router;
    EventHub& m_hub;
    std::function<std::string()> m_hello;
    std::deque<std::string> m_events;  // event stream: queued, front being written
    bool m_writing = false;
    bool m_closed = false;
    std::array<char, 512> m_discard{};
};

}  // namespace ccmeter
