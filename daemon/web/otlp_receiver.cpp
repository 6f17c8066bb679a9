#include "web/otlp_receiver.hpp"

#include <boost/json/object.hpp>

#include "common/json_text.hpp"
#include "common/web_token.hpp"
#include "core/otlp_parser.hpp"
#include "core/price_learner.hpp"

namespace ccmeter {

bool is_otlp_path(std::string_view path) {
    return path == "/v1/logs" || path == "/v1/metrics";
}

WebReply OtlpReceiver::reject(int status, const std::string& why, int64_t now_ms) {
    const int64_t rejected = ++m_rejected;
    if (m_options.log && (m_last_log_ms == 0 || now_ms - m_last_log_ms >= k_otlp_log_interval_ms)) {
        const int64_t since = rejected - m_rejected_at_log;
        m_options.log("OpenTelemetry receiver: refused a body (" + std::to_string(status) + ", " +
                      why + ")" +
                      (since > 1 ? "; " + std::to_string(since) + " refused since the last note"
                                 : std::string()));
        m_last_log_ms = now_ms;
        m_rejected_at_log = rejected;
    }
    return WebReply{status, "application/json", to_json_text(boost::json::object{{"error", why}})};
}

WebReply OtlpReceiver::too_large(int64_t now_ms) {
    return reject(413, "body over " + std::to_string(k_max_otlp_body_bytes) + " bytes", now_ms);
}

WebReply OtlpReceiver::receive(std::string_view path, std::string_view content_type,
                               std::string_view authorization, std::string_view body,
                               int64_t now_ms) {
    constexpr std::string_view k_bearer = "Bearer ";
    const std::string_view given = authorization.substr(0, k_bearer.size()) == k_bearer
                                       ? authorization.substr(k_bearer.size())
                                       : std::string_view();
    if (m_options.token.empty() || given.empty() || !web_token_equals(given, m_options.token))
        return reject(401, "a Bearer token from otel.token is needed", now_ms);
    const std::string_view media = content_type.substr(0, content_type.find(';'));
    if (media != "application/json")
        return reject(415, "only application/json (OTLP/HTTP JSON) is accepted", now_ms);
    Result<ClientEvents> events =
        path == "/v1/logs" ? parse_otlp_logs(body) : parse_otlp_metrics(body);
    if (!events)
        return reject(400, events.error().message, now_ms);
    if (events->refused_records > 0 && m_options.log)
        m_options.log("OpenTelemetry receiver: " + std::to_string(events->refused_records) +
                      " records with bad or missing fields skipped");
    if (!events->requests.empty() && m_options.prices) {
        const std::shared_ptr<const PriceTable> prices = m_options.prices();
        for (ClientRequest& request : events->requests)
            infer_cache_split(request, *prices);
    }
    const int64_t records = events->records();
    if (!events->requests.empty() || !events->tool_runs.empty()) {
        if (!m_options.sink || !m_options.sink(std::move(*events)))
            return reject(503, "the ingest queue is full; retry", now_ms);
    }
    m_events += records;
    m_last_event_ms = now_ms;
    return WebReply{200, "application/json", "{}"};
}

}  // namespace ccmeter
