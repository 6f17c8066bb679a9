// The OpenTelemetry receiver: Claude Code's OTLP/HTTP JSON export (POST /v1/logs and
// /v1/metrics on the web view's port, 127.0.0.1 only), without sockets: one request in, one
// reply out.
//
// Contract (OTLP/HTTP spec):
// - Only `Authorization: Bearer <token>` with the receiver's own token (otel.token in the config
//   dir, common/app_paths.hpp) is accepted, else 401. The web view's cookie or token is not
//   (Claude Code passes its env, the token included, on to the commands it runs: this token
//   grants writing usage events and nothing else; the web view's grants reading).
// - Content-Type application/json only (415 otherwise: http/protobuf is not supported).
// - Bodies up to k_max_otlp_body_bytes (413 past it, decided by the HTTP session); a body that
//   is not OTLP JSON gets 400 with {"error": ...}; a good one 200 with {} once its events are
//   queued for the ingest thread, or 503 (retryable) when that queue is full.
// - Every refused body is counted and logged (the first one, then once per
//   k_otlp_log_interval_ms at most, with the count since).
// - Before they are queued, cache writes without their 5m / 1h split (clients before 2.1.332)
//   are split by the request's own cost where that is exact (price_learner.hpp).
// Threads: receive() runs on the web thread; the counters may be read from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "core/client_events.hpp"
#include "core/price_table.hpp"
#include "web/web_reply.hpp"

namespace ccmeter {

// 4 MiB: Claude Code exports about every second, a few KiB each; a busy export of hundreds of
// events stays far below.
constexpr uint64_t k_max_otlp_body_bytes = 4 * 1024 * 1024;
constexpr int64_t k_otlp_log_interval_ms = 60'000;

// True for the receiver's paths.
bool is_otlp_path(std::string_view path);

struct OtlpReceiverOptions {
    std::string token;  // empty refuses everything
    // Hands parsed events to the ingest thread; false when its queue is full.
    std::function<bool(ClientEvents)> sink;
    std::function<std::shared_ptr<const PriceTable>()> prices;
    std::function<void(const std::string&)> log;
};

class OtlpReceiver {
  public:
    explicit OtlpReceiver(OtlpReceiverOptions options) : m_options(std::move(options)) {}

    WebReply receive(std::string_view path, std::string_view content_type,
                     std::string_view authorization, std::string_view body, int64_t now_ms);
    // The HTTP session refused a body over k_max_otlp_body_bytes.
    WebReply too_large(int64_t now_ms);

    int64_t events_received() const { return m_events; }
    int64_t last_event_ms() const { return m_last_event_ms; }
    int64_t bodies_rejected() const { return m_rejected; }

  private:
    WebReply reject(int status, const std::string& why, int64_t now_ms);

    OtlpReceiverOptions m_options;
    std::atomic<int64_t> m_events{0};
    std::atomic<int64_t> m_last_event_ms{0};
    std::atomic<int64_t> m_rejected{0};
    int64_t m_last_log_ms = 0;      // web thread only
    int64_t m_rejected_at_log = 0;  // web thread only
};

}  // namespace ccmeter
