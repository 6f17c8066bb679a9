#include "web/web_server.hpp"
#include "common/atomic_file.hpp"
#include "common/clock.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/ip/address_v4.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <memory>

#include "common/machine_identity.hpp"
#include "common/runtime_paths.hpp"
#include "common/web_token.hpp"
#include "web/http_session.hpp"

namespace ccmeter {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

constexpr std::chrono::seconds k_heartbeat{15};
constexpr int64_t k_min_event_gap_ms = 250;
constexpr int64_t k_max_event_gap_ms = 10'000;

// The connection cap that fits the process's descriptor limit (see k_reserved_descriptors).
size_t capped_by_descriptors(size_t wanted) {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY)
        return wanted;
    const size_t available = static_cast<size_t>(limit.rlim_cur);
    const size_t budget = available > k_reserved_descriptors + 8
                              ? available - k_reserved_descriptors
                              : 8;  // a tiny limit: a few connections still work
    return std::min(wanted, budget);
}

// A connection over the cap: a short 503, written without blocking, then closed.
constexpr std::string_view k_busy_response =
    "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
    "Retry-After: 5\r\nConnection: close\r\nContent-Length: 29\r\n\r\n"
    "Too many connections; retry.\n";

}  // namespace

WebServer::WebServer(WebServerOptions options, MeterQueries& queries, const IngestLoop& loop)
    : m_options(std::move(options)),
      m_api(queries, loop),
      m_cache(m_api),
      m_router(m_cache, m_options.port),
      m_queries(queries),
      m_metrics(queries, loop, m_options.machine.empty() ? machine_name() : m_options.machine,
                m_options.user.empty() ? user_name() : m_options.user, now_ms()),
      m_acceptor(m_io),
      m_refresh_timer(m_io),
      m_heartbeat_timer(m_io),
      m_accept_timer(m_io) {}

WebServer::~WebServer() {
    stop();
}

void WebServer::log(const std::string& message) const {
    if (m_options.log)
        m_options.log(message);
}

std::string WebServer::url() const {
    return "http://127.0.0.1:" + std::to_string(m_port.load()) + "/";
}

Result<void> WebServer::start() {
    if (m_options.token.empty()) {
        Result<std::string> token = load_or_create_web_token(m_options.token_file);
        if (!token)
            return Error{"web view off: " + token.error().message};
        m_options.token = *token;
    }
    m_router.set_token(m_options.token);
    m_metrics.set_replication_status(m_options.replication_status);
    m_api.set_team(m_options.team);
    m_router.set_metrics_page(&m_metrics);
    if (m_options.otel_sink) {
        Result<void> dir = m_options.otel_token_file.has_parent_path()
                               ? ensure_private_dir(m_options.otel_token_file.parent_path())
                               : Result<void>();
        Result<std::string> otel_token = dir ? load_or_create_web_token(m_options.otel_token_file)
                                             : Result<std::string>(dir.error());
        if (!otel_token) {
            log("OpenTelemetry receiver off: " + otel_token.error().message);
        } else {
            OtlpReceiverOptions receiver;
            receiver.token = *otel_token;
            receiver.sink = m_options.otel_sink;
            receiver.prices = [&queries = m_queries] { return queries.prices(); };
            receiver.log = m_options.log;
            m_otlp = std::make_unique<OtlpReceiver>(std::move(receiver));
            m_router.set_otlp_receiver(m_otlp.get());
            m_metrics.set_otlp_receiver(m_otlp.get());
        }
    }
    const tcp::endpoint endpoint(asio::ip::address_v4::loopback(), m_options.port);
    boost::system::error_code ec;
    m_acceptor.open(endpoint.protocol(), ec);
    if (!ec)
        m_acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec)
        m_acceptor.bind(endpoint, ec);
    if (!ec)
        m_acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
        boost::system::error_code ignored;
        m_acceptor.close(ignored);
        if (!m_options.url_file.empty()) {
            std::error_code stale;
            std::filesystem::remove(m_options.url_file, stale);
        }
        const std::string where = "127.0.0.1:" + std::to_string(m_options.port);
        if (ec == asio::error::address_in_use)
            return Error{"web view off: " + where +
                         " is already in use (another ccmeterd or another program); start "
                         "with --web-port N to use another port, or --web-port 0 to turn the "
                         "web view off"};
        return Error{"web view off: cannot listen on " + where + ": " + ec.message()};
    }
    const tcp::endpoint bound = m_acceptor.local_endpoint(ec);
    m_port = ec ? m_options.port : bound.port();
    m_router.set_port(m_port);
    m_connection_cap = std::max<size_t>(1, capped_by_descriptors(m_options.max_connections));
    if (m_connection_cap < m_options.max_connections)
        log("web view: at most " + std::to_string(m_connection_cap) +
            " connections (the descriptor limit keeps " + std::to_string(k_reserved_descriptors) +
            " for the rest of the daemon)");
    if (!m_options.url_file.empty() &&
        !write_file_atomically(m_options.url_file, url() + "\n", 0600))
        log("cannot write " + m_options.url_file.string());
    accept_next();
    schedule_heartbeat();
    if (m_options.prewarm)
        asio::post(m_io, [this] { prewarm(); });
    m_thread = std::thread([this] {
        auto guard = asio::make_work_guard(m_io);
        // A handler that throws (out of memory, a broken invariant) costs one request, not
        // the daemon.
        while (!m_io.stopped()) {
            try {
                m_io.run();
            } catch (const std::exception& error) {
                log(std::string("web view: ") + error.what());
            }
        }
    });
    log("web view on " + url());
    return {};
}

void WebServer::stop() {
    if (!m_thread.joinable())
        return;
    m_io.stop();
    m_thread.join();
    if (!m_options.url_file.empty()) {
        std::error_code ignored;
        std::filesystem::remove(m_options.url_file, ignored);
    }
}

void WebServer::accept_next() {
    m_acceptor.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
        if (ec == asio::error::operation_aborted)
            return;
        if (ec) {
            // Out of descriptors (EMFILE, ENFILE) or memory: pause rather than spin; the
            // connection waits in the listen backlog.
            m_accept_timer.expires_after(k_accept_retry);
            m_accept_timer.async_wait([this](boost::system::error_code timer_ec) {
                if (!timer_ec)
                    accept_next();
            });
            return;
        }
        if (*m_connections >= m_connection_cap) {
            refuse(std::move(socket));
        } else {
            HttpLimits limits;
            limits.max_event_streams = m_options.max_event_streams;
            limits.on_stream_refused = [this] {
                if (m_refused_streams++ % 100 == 0)
                    log("web view: " + std::to_string(m_options.max_event_streams) +
                        " event streams open, the cap; refused one with 503 (" +
                        std::to_string(m_refused_streams) + " refused so far)");
            };
            std::make_shared<HttpSession>(
                std::move(socket), m_router, m_hub, [this] { return hello_event(); }, limits,
                ConnectionSlot(m_connections))
                ->start();
        }
        accept_next();
    });
}

void WebServer::refuse(tcp::socket socket) {
    if (m_refused++ % 100 == 0)
        log("web view: " + std::to_string(*m_connections) + " connections open, the cap; " +
            "refused one with 503 (" + std::to_string(m_refused) + " refused so far)");
    boost::system::error_code ignored;
    socket.non_blocking(true, ignored);
    socket.write_some(asio::buffer(k_busy_response.data(), k_busy_response.size()), ignored);
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
}

std::string WebServer::hello_event() const {
    return "event: hello\ndata: {\"generation\":" + std::to_string(m_cache.generation()) + "}\n\n";
}

void WebServer::notify_new_usage() {
    asio::post(m_io, [this] { on_new_usage(); });
}

void WebServer::on_new_usage() {
    if (m_refresh_running) {
        m_changed_again = true;
        return;
    }
    start_refresh();
}

void WebServer::start_refresh() {
    m_refresh_running = true;
    m_changed_again = false;
    const int64_t wait_ms = std::max<int64_t>(0, m_next_refresh_ms - now_ms());
    m_refresh_timer.expires_after(std::chrono::milliseconds(wait_ms));
    m_refresh_timer.async_wait([this](boost::system::error_code ec) {
        if (ec)
            return;
        m_refresh_started_ms = now_ms();
        // With no page open nothing is recomputed ahead: answers are then computed on demand.
        m_cache.new_generation(m_refresh_started_ms, m_hub.subscribers() > 0);
        refresh_step();
    });
}

void WebServer::refresh_step() {
    // One answer per turn of the loop, so requests are served in between.
    if (m_cache.refresh_next()) {
        asio::post(m_io, [this] { refresh_step(); });
        return;
    }
    m_hub.broadcast("event: usage\ndata: {\"generation\":" + std::to_string(m_cache.generation()) +
                    "}\n\n");
    const int64_t now = now_ms();
    m_next_refresh_ms = now + std::clamp<int64_t>(3 * (now - m_refresh_started_ms),
                                                  k_min_event_gap_ms, k_max_event_gap_ms);
    m_refresh_running = false;
    if (m_changed_again)
        start_refresh();
}

void WebServer::prewarm() {
    // The overview's full-history answers (web/js/views/overview.js load); the rest is cheap.
    std::vector<ApiRequest> requests;
    const int64_t now = now_ms();
    for (const char* target : {"/api/summary", "/api/daily?days=30", "/api/heatmap"})
        if (Result<ApiRequest> request = parse_api_request(target, now))
            requests.push_back(*request);
    m_cache.prewarm(requests, now);
    if (!m_refresh_running)
        start_refresh();
}

void WebServer::schedule_heartbeat() {
    m_heartbeat_timer.expires_after(k_heartbeat);
    m_heartbeat_timer.async_wait([this](boost::system::error_code ec) {
        if (ec)
            return;
        m_hub.broadcast(": keep-alive\n\n");
        schedule_heartbeat();
    });
}

}  // namespace ccmeter
