#include "web/metrics_page.hpp"

#include <algorithm>
#include <string_view>
#include <vector>

#include "common/app_version.hpp"
#include "common/text_sanitizer.hpp"
#include "query/meter_queries.hpp"
#include "server/ingest_loop.hpp"
#include "web/otlp_receiver.hpp"

namespace ccmeter {

namespace {

std::string escaped_label(std::string_view value) {
    std::string out;
    for (const char c : valid_utf8(value)) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

// `value` units of 10^-decimals as a decimal ("12.345" for 12345 and 3); negatives as 0.
std::string decimal_text(int64_t value, int decimals) {
    int64_t scale = 1;
    for (int i = 0; i < decimals; ++i)
        scale *= 10;
    value = std::max<int64_t>(value, 0);
    std::string fraction = std::to_string(value % scale);
    fraction.insert(0, static_cast<size_t>(decimals) - fraction.size(), '0');
    return std::to_string(value / scale) + "." + fraction;
}

class Exposition {
  public:
    Exposition(const MetricsSnapshot& snapshot)
        : m_common("machine=\"" + escaped_label(snapshot.machine) + "\",user=\"" +
                   escaped_label(snapshot.user) + "\"") {}

    void family(std::string_view name, std::string_view type, std::string_view help) {
        m_text.append("# HELP ").append(name).append(" ").append(help).append("\n");
        m_text.append("# TYPE ").append(name).append(" ").append(type).append("\n");
    }
    // `labels`: extra `key="escaped value"` pairs, comma-separated, or empty.
    void sample(std::string_view name, const std::string& labels, std::string_view value) {
        m_text.append(name).append("{").append(m_common);
        if (!labels.empty())
            m_text.append(",").append(labels);
        m_text.append("} ").append(value).append("\n");
    }
    std::string take() { return std::move(m_text); }

  private:
    std::string m_common;
    std::string m_text;
};

std::string model_label(const std::string& model) {
    return "model=\"" + escaped_label(model) + "\"";
}

}  // namespace

std::string prometheus_text(const MetricsSnapshot& snapshot) {
    Exposition out(snapshot);
    out.family("ccmeter_tokens_total", "counter",
               "Tokens of the stored responses by type (input, output, cacheRead, "
               "cacheCreation, as Claude Code's claude_code.token.usage) and model, all time.");
    for (const auto& [model, usage] : snapshot.by_model) {
        const TokenCounts& tokens = usage.tokens;
        const std::pair<const char*, int64_t> kinds[] = {
            {"input", tokens.input_tokens},
            {"output", tokens.output_tokens},
            {"cacheRead", tokens.cache_read_input_tokens},
            {"cacheCreation", tokens.cache_creation_input_tokens}};
        for (const auto& [type, count] : kinds)
            out.sample("ccmeter_tokens_total", model_label(model) + ",type=\"" + type + "\"",
                       std::to_string(count));
    }
    out.family("ccmeter_cost_usd_total", "counter",
               "Cost in US dollars of the priced stored responses by model, all time, at the "
               "prices in force now (claude_code.cost.usage).");
    for (const auto& [model, usage] : snapshot.by_model)
        out.sample("ccmeter_cost_usd_total", model_label(model),
                   decimal_text(micro_usd(usage.cost_pico_usd), 6));
    out.family("ccmeter_responses_total", "counter",
               "Stored API responses (one per message id and request id) by model, all time.");
    for (const auto& [model, usage] : snapshot.by_model)
        out.sample("ccmeter_responses_total", model_label(model), std::to_string(usage.responses));
    out.family("ccmeter_unpriced_responses_total", "counter",
               "Stored responses of a model without a price (not in the cost), all time.");
    for (const auto& [model, usage] : snapshot.by_model)
        out.sample("ccmeter_unpriced_responses_total", model_label(model),
                   std::to_string(usage.unpriced_responses));
    out.family("ccmeter_web_search_requests_total", "counter",
               "Web searches the stored responses made, by model, all time.");
    for (const auto& [model, usage] : snapshot.by_model)
        out.sample("ccmeter_web_search_requests_total", model_label(model),
                   std::to_string(usage.tokens.web_search_requests));

    out.family("ccmeter_malformed_lines_total", "counter",
               "Transcript lines that could not be read as a record (skipped and counted).");
    out.sample("ccmeter_malformed_lines_total", "", std::to_string(snapshot.malformed_lines));
    out.family("ccmeter_transcript_files", "gauge", "Transcript files the daemon follows.");
    out.sample("ccmeter_transcript_files", "", std::to_string(snapshot.files));

    const bool behind = !snapshot.caught_up || snapshot.ingest_failure_streak > 0;
    const int64_t since_ms =
        snapshot.last_ingest_ms > 0 ? snapshot.last_ingest_ms : snapshot.started_ms;
    out.family("ccmeter_ingest_lag_seconds", "gauge",
               "0 while every transcript is read and the last ingest succeeded; else the "
               "seconds since the last ingest that succeeded (or since start).");
    out.sample("ccmeter_ingest_lag_seconds", "",
               decimal_text(behind ? snapshot.now_ms - since_ms : 0, 3));
    out.family("ccmeter_ingest_failures", "gauge",
               "Ingests that failed since the last one that succeeded (each is retried).");
    out.sample("ccmeter_ingest_failures", "", std::to_string(snapshot.ingest_failure_streak));
    out.family("ccmeter_last_ingest_timestamp_seconds", "gauge",
               "When the last ingest committed (Unix time; 0: none since start).");
    out.sample("ccmeter_last_ingest_timestamp_seconds", "",
               decimal_text(snapshot.last_ingest_ms, 3));
    out.family("ccmeter_last_ingest_duration_seconds", "gauge",
               "How long the last ingest that read new bytes took, until committed.");
    out.sample("ccmeter_last_ingest_duration_seconds", "",
               decimal_text(snapshot.last_ingest_micros, 6));

    out.family("ccmeter_otel_events_received_total", "counter",
               "Log records and metric points taken from Claude Code's OpenTelemetry export.");
    out.sample("ccmeter_otel_events_received_total", "",
               std::to_string(snapshot.otel_events_received));
    out.family("ccmeter_otel_bodies_rejected_total", "counter",
               "OpenTelemetry request bodies refused (400, 401, 413, 415).");
    out.sample("ccmeter_otel_bodies_rejected_total", "",
               std::to_string(snapshot.otel_bodies_rejected));
    out.family("ccmeter_otel_listening", "gauge",
               "1 when the OpenTelemetry receiver takes Claude Code's export, else 0.");
    out.sample("ccmeter_otel_listening", "", snapshot.otel_listening ? "1" : "0");
    if (const std::optional<ReplicationStatus>& replication = snapshot.replication) {
        out.family("ccmeter_replication_lag_seconds", "gauge",
                   "Seconds since the team store last held every response of this history "
                   "(0 while it does).");
        out.sample("ccmeter_replication_lag_seconds", "", decimal_text(replication->lag_ms, 3));
        out.family("ccmeter_replication_pending_responses", "gauge",
                   "Responses of this history not in the team store yet.");
        out.sample("ccmeter_replication_pending_responses", "",
                   std::to_string(replication->pending));
        out.family("ccmeter_replicated_responses_total", "counter",
                   "Responses sent to the team store (and committed) since the daemon started.");
        out.sample("ccmeter_replicated_responses_total", "",
                   std::to_string(replication->replicated));
        out.family("ccmeter_replication_failures_total", "counter",
                   "Failed attempts to reach or write the team store since the daemon started.");
        out.sample("ccmeter_replication_failures_total", "", std::to_string(replication->failures));
    }
    out.family("ccmeter_start_time_seconds", "gauge", "When this daemon started (Unix time).");
    out.sample("ccmeter_start_time_seconds", "", decimal_text(snapshot.started_ms, 3));
    out.family("ccmeter_build_info", "gauge",
               "1, labelled with the daemon's version and its database's schema version.");
    out.sample("ccmeter_build_info",
               "version=\"" + escaped_label(snapshot.version) + "\",schema_version=\"" +
                   std::to_string(snapshot.schema_version) + "\"",
               "1");
    return out.take();
}

WebReply MetricsPage::render(int64_t now_ms) const {
    WebReply reply;
    Result<std::vector<GroupTotals>> models =
        m_queries.groups(Grouping::model, ResponseFilter{}, false);
    Result<StoreCounts> counts = models ? m_queries.counts() : Result<StoreCounts>(models.error());
    if (!counts) {
        reply.status = 503;
        reply.content_type = "text/plain; charset=utf-8";
        reply.body = "database unavailable: " + counts.error().message + "\n";
        return reply;
    }
    MetricsSnapshot snapshot;
    snapshot.machine = m_machine;
    snapshot.user = m_user;
    snapshot.version = program_version();
    snapshot.schema_version = counts->schema_version;
    for (GroupTotals& group : *models)
        snapshot.by_model[group.key] = std::move(group.usage);
    snapshot.files = counts->files;
    snapshot.malformed_lines = counts->malformed_lines;
    snapshot.now_ms = now_ms;
    snapshot.started_ms = m_started_ms;
    snapshot.last_ingest_ms = m_loop.last_ingest_ms();
    snapshot.last_ingest_micros = m_loop.last_ingest_micros();
    snapshot.caught_up = m_loop.caught_up();
    snapshot.ingest_failure_streak = m_loop.failure_streak();
    if (m_otlp) {
        snapshot.otel_listening = true;
        snapshot.otel_events_received = m_otlp->events_received();
        snapshot.otel_bodies_rejected = m_otlp->bodies_rejected();
    }
    if (m_replication)
        snapshot.replication = m_replication();
    reply.content_type = "text/plain; version=0.0.4; charset=utf-8";
    reply.body = prometheus_text(snapshot);
    return reply;
}

}  // namespace ccmeter
