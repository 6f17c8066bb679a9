#include "web/http_session.hpp"
#include "common/clock.hpp"

#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <chrono>
#include <sstream>

namespace ccmeter {

namespace beast = boost::beast;
namespace http = boost::beast::http;

namespace {

constexpr std::chrono::seconds k_request_timeout{30};
constexpr uint64_t k_header_limit = 8 * 1024;
constexpr uint64_t k_body_limit = 8 * 1024;

}  // namespace

HttpSession::HttpSession(boost::asio::ip::tcp::socket socket, WebRouter& router, EventHub& hub,
                         std::function<std::string()> hello)
    : m_stream(std::move(socket)), m_router(router), m_hub(hub), m_hello(std::move(hello)) {}

void HttpSession::start() {
    read_request();
}

void HttpSession::read_request() {
    m_parser.emplace();
    m_parser->header_limit(k_header_limit);
    m_parser->body_limit(k_body_limit);
    m_stream.expires_after(k_request_timeout);
    http::async_read(
        m_stream, m_buffer, *m_parser,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->on_request(ec); });
}

void HttpSession::on_request(beast::error_code ec) {
    if (ec) {
        close();
        return;
    }
    RoutedResponse routed = m_router.route(m_parser->get(), now_ms());
    if (routed.event_stream) {
        start_event_stream(routed.response);
        return;
    }
    m_response = std::move(routed.response);
    const bool keep_alive = m_response.keep_alive();
    http::async_write(m_stream, m_response,
                      [self = shared_from_this(), keep_alive](beast::error_code write_ec, size_t) {
                          self->on_written(keep_alive, write_ec);
                      });
}

void HttpSession::on_written(bool keep_alive, beast::error_code ec) {
    if (ec || !keep_alive) {
        close();
        return;
    }
    read_request();
}

void HttpSession::start_event_stream(const HttpResponse& head) {
    std::ostringstream text;
    text << head.base();
    m_stream.expires_never();
    m_events.push_back(text.str() + "retry: 2000\n\n" + (m_hello ? m_hello() : std::string()));
    m_hub.subscribe(shared_from_this());
    write_next_event();
    watch_for_close();
}

void HttpSession::send_event(const std::string& message) {
    if (m_closed)
        return;
    if (m_events.size() >= k_max_queued_events) {
        close();
        return;
    }
    m_events.push_back(message);
    if (!m_writing)
        write_next_event();
}

void HttpSession::write_next_event() {
    if (m_closed || m_events.empty())
        return;
    m_writing = true;
    boost::asio::async_write(m_stream, boost::asio::buffer(m_events.front()),
                             [self = shared_from_this()](beast::error_code ec, size_t) {
                                 self->m_writing = false;
                                 if (ec) {
                                     self->close();
                                     return;
                                 }
                                 self->m_events.pop_front();
                                 self->write_next_event();
                             });
}

void HttpSession::watch_for_close() {
    // A stream's client sends nothing more; a read ends when it goes away.
    m_stream.async_read_some(boost::asio::buffer(m_discard),
                             [self = shared_from_this()](beast::error_code ec, size_t) {
                                 if (ec) {
                                     self->close();
                                     return;
                                 }
                                 self->watch_for_close();
                             });
}

void HttpSession::close() {
    if (m_closed)
        return;
    m_closed = true;
    beast::error_code ignored;
    m_stream.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
    m_stream.socket().close(ignored);
}

}  // namespace ccmeter
