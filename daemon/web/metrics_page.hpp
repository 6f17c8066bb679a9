// GET /metrics: the history's totals and the daemon's health in the Prometheus text exposition
// format (version 0.0.4), for a Prometheus server to scrape (README, "Metrics").
//
// Names follow Claude Code's own OpenTelemetry metrics where they exist (claude_code.token.usage
// with type input|output|cacheRead|cacheCreation, claude_code.cost.usage), prefixed ccmeter_;
// every series carries the labels machine and user (machine_identity.hpp). Token, response and
// cost counters are all-time totals of the stored history per model: they only grow as
// responses arrive (a later line of a response only raises its fields), except the cost when a
// price changes (prices are applied at query time). Cost is exact to the micro-dollar, in
// dollars. A scrape reads and never writes: no cache, cursor or counter changes because of it.
//
// prometheus_text() is a pure function of its snapshot; MetricsPage takes the snapshot.
// Threads: MetricsPage::render() may be called from any thread (MeterQueries and the loop's
// counters are thread-safe).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "core/usage_report.hpp"
#include "team/replication_status.hpp"
#include "web/web_reply.hpp"

namespace ccmeter {

class IngestLoop;
class MeterQueries;
class OtlpReceiver;

struct MetricsSnapshot {
    std::string machine;
    std::string user;
    std::string version;
    int schema_version = 0;
    std::map<std::string, UsageTotals> by_model;  // all time
    int64_t files = 0;
    int64_t malformed_lines = 0;
    int64_t now_ms = 0;
    int64_t started_ms = 0;
    int64_t last_ingest_ms = 0;  // 0: none yet
    int64_t last_ingest_micros = 0;
    bool caught_up = false;
    int64_t ingest_failure_streak = 0;
    bool otel_listening = false;
    int64_t otel_events_received = 0;
    int64_t otel_bodies_rejected = 0;
    // Replication to the team store; its series are there only when one is configured.
    std::optional<ReplicationStatus> replication;
};

// The exposition text. Label values are escaped (\\, \", \n) and made valid UTF-8.
std::string prometheus_text(const MetricsSnapshot& snapshot);

class MetricsPage {
  public:
    // All outlive the page. `otlp` may be null (receiver off) and set later.
    MetricsPage(MeterQueries& queries, const IngestLoop& loop, std::string machine,
                std::string user, int64_t started_ms)
        : m_queries(queries),
          m_loop(loop),
          m_machine(std::move(machine)),
          m_user(std::move(user)),
          m_started_ms(started_ms) {}
    void set_otlp_receiver(const OtlpReceiver* otlp) { m_otlp = otlp; }
    // The team replicator's state (any thread); unset: none configured.
    void set_replication_status(std::function<ReplicationStatus()> status) {
        m_replication = std::move(status);
    }

    // 200 text/plain; version=0.0.4, or 503 with the reason when the database cannot be read.
    WebReply render(int64_t now_ms) const;

  private:
    MeterQueries& m_queries;
    const IngestLoop& m_loop;
    std::string m_machine;
    std::string m_user;
    int64_t m_started_ms;
    const OtlpReceiver* m_otlp = nullptr;
    std::function<ReplicationStatus()> m_replication;
};

}  // namespace ccmeter
