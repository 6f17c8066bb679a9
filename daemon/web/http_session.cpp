#include "web/http_session.hpp"
#include "common/clock.hpp"

#include <algorithm>
#include <boost/asio/write.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <chrono>
#include <sstream>

#include "web/http_policy.hpp"

namespace ccmeter {

namespace beast = boost::beast;
namespace http = boost::beast::http;

namespace {

constexpr uint64_t k_header_limit = 8 * 1024;
constexpr uint64_t k_body_limit = 8 * 1024;

}  // namespace

HttpSession::HttpSession(boost::asio::ip::tcp::socket socket, WebRouter& router, EventHub& hub,
                         std::function<std::string()> hello, HttpLimits limits, ConnectionSlot slot)
    : m_stream(std::move(socket)),
      m_router(router),
      m_hub(hub),
      m_hello(std::move(hello)),
      m_limits(limits),
      m_slot(std::move(slot)) {}

void HttpSession::start() {
    read_request();
}

void HttpSession::read_request() {
    m_parser.emplace();
    m_parser->header_limit(k_header_limit);
    // Beast checks a Content-Length against the body limit while reading the header: allow the
    // largest here, and set the request's own limit once its target is known.
    m_parser->body_limit(std::max<uint64_t>(k_body_limit, k_max_otlp_body_bytes) + 1);
    m_stream.expires_after(m_limits.request_timeout);
    http::async_read_header(
        m_stream, m_buffer, *m_parser,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->on_header(ec); });
}

void HttpSession::on_header(beast::error_code ec) {
    if (ec == http::error::body_limit) {
        write_response(m_router.otlp_too_large(m_parser->get(), now_ms()));
        return;
    }
    if (ec) {
        close();
        return;
    }
    const auto target = m_parser->get().target();
    const std::string_view path =
        std::string_view(target.data(), target.size()).substr(0, target.find('?'));
    m_otlp = is_otlp_path(path);
    const uint64_t limit = m_otlp ? k_max_otlp_body_bytes : k_body_limit;
    if (m_parser->content_length() && *m_parser->content_length() > limit) {
        // Said up front: answer before the body comes (the connection then closes).
        if (!m_otlp) {
            close();
            return;
        }
        write_response(m_router.otlp_too_large(m_parser->get(), now_ms()));
        return;
    }
    m_parser->body_limit(limit);
    http::async_read(m_stream, m_buffer, *m_parser,
                     [self = shared_from_this()](beast::error_code read_ec, size_t) {
                         self->on_request(read_ec);
                     });
}

void HttpSession::on_request(beast::error_code ec) {
    if (ec == http::error::body_limit && m_otlp) {
        write_response(m_router.otlp_too_large(m_parser->get(), now_ms()));
        return;
    }
    if (ec) {
        close();
        return;
    }
    RoutedResponse routed = m_router.route(m_parser->get(), now_ms());
    if (routed.event_stream && m_hub.subscribers() < m_limits.max_event_streams) {
        start_event_stream(routed.response);
        return;
    }
    if (routed.event_stream) {  // over the cap
        if (m_limits.on_stream_refused)
            m_limits.on_stream_refused();
        HttpResponse busy{http::status::service_unavailable, m_parser->get().version()};
        busy.set(http::field::content_type, "text/plain; charset=utf-8");
        busy.set(http::field::cache_control, "no-store");
        busy.set(http::field::retry_after, "5");
        add_security_headers(busy.base());
        busy.body() = "Too many event streams open (" + std::to_string(m_limits.max_event_streams) +
                      "); close a tab.\n";
        busy.keep_alive(false);
        busy.prepare_payload();
        write_response(std::move(busy));
        return;
    }
    write_response(std::move(routed.response));
}

void HttpSession::write_response(HttpResponse response) {
    m_response = std::move(response);
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
    m_stream.expires_after(m_limits.event_write_timeout);  // a client that stopped reading
    boost::asio::async_write(m_stream, boost::asio::buffer(m_events.front()),
                             [self = shared_from_this()](beast::error_code ec, size_t) {
                                 self->m_writing = false;
                                 if (ec) {
                                     self->close();
                                     return;
                                 }
                                 self->m_events.pop_front();
                                 self->m_stream.expires_never();
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
