// The web view: a small dashboard and its JSON API, served by ccmeterd over HTTP on loopback.
//
// Contract:
// - Listens on 127.0.0.1 only (never on other interfaces), on `port`; the default is
//   k_default_web_port (7681). Port 0 binds a free port (tests; `ccmeterd serve --web-port 0`
//   instead turns the web view off and never constructs a WebServer).
// - start() binds and starts the server's own thread and io_context; when the port is taken it
//   returns an Error whose message says so and what to do, and nothing runs (the daemon goes on
//   without the web view).
// - notify_new_usage() (thread-safe; the IngestLoop's on_new_usage) starts a new generation
//   of the API cache: when a page is open (an /api/events stream), the answers it uses are
//   recomputed first; then one "usage" event is sent on /api/events. Events are at least
//   max(250 ms, 3x the last refresh's duration) apart, so a page open during heavy use costs
//   at most about a quarter of a core.
// - Writes the URL ("http://127.0.0.1:<port>/") to `url_file` when listening (if set), for
//   `hookctl web`, and removes it in stop().
// - Serves only GETs (HTTP semantics in web_router.hpp, safety rules in http_policy.hpp).
// - Bounded: at most `max_connections` connections at once (one more is accepted and closed at
//   once with a 503) and at most `max_event_streams` of them /api/events streams (one more gets
//   503); a connection idle between requests is closed after HttpLimits::request_timeout. The
//   connection cap is also kept below the process's descriptor limit (RLIMIT_NOFILE) minus
//   k_reserved_descriptors, so that the gRPC socket, SQLite and inotify always have
//   descriptors left whatever the web clients do. When accept() fails (out of descriptors)
//   the server waits k_accept_retry before accepting again instead of spinning.
// - Queries go through MeterQueries, whose pool of read connections lets a page's requests and
//   the gRPC service's status line run side by side.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "common/app_paths.hpp"
#include "common/error.hpp"
#include "core/price_table.hpp"
#include "query/meter_queries.hpp"
#include "server/ingest_loop.hpp"
#include "web/api_cache.hpp"
#include "web/event_hub.hpp"
#include "web/metrics_page.hpp"
#include "web/otlp_receiver.hpp"
#include "web/web_api.hpp"
#include "web/web_router.hpp"

namespace ccmeter {

// The web view's default port (`ccmeterd serve --web-port N` changes it; 0 turns it off).
constexpr uint16_t k_default_web_port = k_default_web_port_number;  // common/app_paths.hpp

// Descriptors kept for everything but web connections (gRPC clients, SQLite, inotify, logs):
// the web view never holds more than RLIMIT_NOFILE minus these.
constexpr size_t k_reserved_descriptors = 128;
// How long the server waits after a failed accept() (descriptors exhausted) before the next.
constexpr std::chrono::milliseconds k_accept_retry{100};

struct WebServerOptions {
    uint16_t port = k_default_web_port;
    // Connections served at once, event streams included. Default 64: a page uses at most 7
    // (a browser's 6 per host and its event stream).
    size_t max_connections = 64;
    // Of them, /api/events streams at once. Default 16: one per open tab.
    size_t max_event_streams = 16;
    std::filesystem::path url_file;  // empty: none written
    // The secret every request needs (http_policy.hpp). Empty: start() loads it from
    // `token_file`, creating that file if needed (ccmeterd uses web_token_path()).
    std::string token;
    std::filesystem::path token_file;
    // Compute what the overview asks first right after start (in the background), so the first
    // page load is answered from memory. Off only to measure cold answers (bench/web).
    bool prewarm = true;
    std::function<void(const std::string&)> log;
    // The OpenTelemetry receiver (otlp_receiver.hpp) on the same port: its token file
    // (default_otel_token_path(), created if missing) and where its events go. No sink: off.
    std::filesystem::path otel_token_file;
    std::function<bool(ClientEvents)> otel_sink;
    // The machine and user labels of /metrics (metrics_page.hpp). Empty: machine_name() and
    // user_name() (common/machine_identity.hpp).
    std::string machine;
    std::string user;
    // Replication to the team store, for /metrics; unset: none configured.
    std::function<ReplicationStatus()> replication_status;
    // The team store's views for /api/team; unset: none configured.
    std::shared_ptr<const TeamQueries> team;
};

class WebServer {
  public:
    // `queries` and `loop` outlive the server.
    WebServer(WebServerOptions options, MeterQueries& queries, const IngestLoop& loop);
    ~WebServer();  // stops
    WebServer(const WebServer&) = delete;
    WebServer& operator=(const WebServer&) = delete;

    Result<void> start();
    void stop();

    // The stored history changed. Thread-safe.
    void notify_new_usage();

    uint16_t port() const { return m_port; }
    // The OpenTelemetry receiver, once start() turned it on (counters thread-safe).
    const OtlpReceiver* otlp_receiver() const { return m_otlp.get(); }
    // The connection cap in force: max_connections, lowered to fit the descriptor budget.
    size_t connection_cap() const { return m_connection_cap; }
    std::string url() const;

  private:
    void accept_next();
    void refuse(boost::asio::ip::tcp::socket socket);
    void on_new_usage();
    void start_refresh();
    void prewarm();
    void refresh_step();
    void schedule_heartbeat();
    std::string hello_event() const;
    void log(const std::string& message) const;

    WebServerOptions m_options;
    WebApi m_api;
    ApiCache m_cache;
    WebRouter m_router;
    MeterQueries& m_queries;
    MetricsPage m_metrics;
    std::unique_ptr<OtlpReceiver> m_otlp;
    EventHub m_hub;
    boost::asio::io_context m_io;
    boost::asio::ip::tcp::acceptor m_acceptor;
    boost::asio::steady_timer m_refresh_timer;
    boost::asio::steady_timer m_heartbeat_timer;
    boost::asio::steady_timer m_accept_timer;
    // Open connections (shared with the sessions, which may outlive this server's members).
    std::shared_ptr<size_t> m_connections = std::make_shared<size_t>(0);
    size_t m_connection_cap = 0;
    int64_t m_refused = 0;          // connections refused over the cap (web thread)
    int64_t m_refused_streams = 0;  // event streams refused over theirs (web thread)
    std::thread m_thread;
    std::atomic<uint16_t> m_port{0};
    // Web thread only:
    bool m_refresh_running = false;  // a refresh is waiting or under way
    bool m_changed_again = false;    // the history changed during it
    int64_t m_refresh_started_ms = 0;
    int64_t m_next_refresh_ms = 0;  // throttle: no refresh starts before
};

}  // namespace ccmeter
