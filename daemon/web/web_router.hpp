// The web view's HTTP semantics, without sockets: one request in, one response out.
//
// Contract (in this order):
// - A request without exactly one Host header gets 400 (two could be read differently by a
//   proxy in between and by this check).
// - A Host other than 127.0.0.1:<port> / localhost:<port> gets 403 (http_policy.hpp).
// - POST /v1/logs and /v1/metrics go to the OpenTelemetry receiver (otlp_receiver.hpp), which
//   has its own token; 404 when there is none, 405 for another method.
// - GET /login?token=<token> sets the auth cookie and redirects (303) to /; every other request
//   without the token (cookie or Bearer, http_policy.hpp) gets 401.
// - Methods other than GET and HEAD get 405: nothing here changes state.
// - /api/events is the Server-Sent Events stream: the answer is only the response head
//   (text/event-stream, no length) with `event_stream` set; the caller keeps the connection.
// - GET /metrics is the Prometheus exposition (metrics_page.hpp), text/plain, no-store; it needs
//   the token like everything else (a scrape config's bearer credentials_file).
// - Other /api/... paths are answered from the ApiCache as JSON (Cache-Control: no-store);
//   unknown ones get 404, bad parameters 400, both with {"error": ...}.
// - Anything else is an embedded asset (web_assets.hpp) with an ETag (304 on If-None-Match)
//   and Cache-Control: no-cache, or 404.
// - Every response carries the security headers; none carries CORS headers.
// Threads: one thread (the web server's), like the ApiCache it uses.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstdint>
#include <string>

#include "web/api_cache.hpp"
#include "web/metrics_page.hpp"
#include "web/otlp_receiver.hpp"

namespace ccmeter {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;
using HttpResponse = boost::beast::http::response<boost::beast::http::string_body>;

struct RoutedResponse {
    HttpResponse response;
    bool event_stream = false;  // only the head is meant: the stream follows
};

class WebRouter {
  public:
    // `token`: the secret every request needs (core/web_token.hpp); empty refuses everything.
    WebRouter(ApiCache& cache, uint16_t port, std::string token = {})
        : m_cache(cache), m_port(port), m_token(std::move(token)) {}

    // The port in the allowed Host (known once the listener is bound).
    void set_port(uint16_t port) { m_port = port; }
    void set_token(std::string token) { m_token = std::move(token); }
    // The OpenTelemetry receiver (outlives the router), or nullptr.
    void set_otlp_receiver(OtlpReceiver* receiver) { m_otlp = receiver; }
    // GET /metrics (metrics_page.hpp; outlives the router), or nullptr: 404.
    void set_metrics_page(const MetricsPage* page) { m_metrics = page; }

    // The answer to an OTLP request whose body was over k_max_otlp_body_bytes.
    HttpResponse otlp_too_large(const HttpRequest& request, int64_t now_ms);

    RoutedResponse route(const HttpRequest& request, int64_t now_ms);

  private:
    ApiCache& m_cache;
    uint16_t m_port;
    std::string m_token;
    OtlpReceiver* m_otlp = nullptr;
    const MetricsPage* m_metrics = nullptr;
};

}  // namespace ccmeter
