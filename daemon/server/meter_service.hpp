// The gRPC face of the daemon: ccmeter.v1.Meter over MeterQueries. Conversions only: every
// figure comes from query/meter_queries, every message from wire/usage_proto.
//
// Threads: gRPC calls handlers concurrently; MeterQueries is thread-safe, and writes go through
// the IngestLoop's thread.
#pragma once

#include <grpcpp/grpcpp.h>

#include <functional>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "ccmeter/v1/ccmeter.grpc.pb.h"
#include "query/meter_queries.hpp"
#include "server/ingest_loop.hpp"
#include "server/watch_hub.hpp"
#include "team/replication_status.hpp"
#include "team/team_queries.hpp"

namespace ccmeter {

// The OpenTelemetry receiver as Health reports it.
struct OtelReceiverStatus {
    bool listening = false;
    std::string endpoint;
    int64_t events_received = 0;
    int64_t last_event_ms = 0;
    int64_t bodies_rejected = 0;
};

// Rows per ExportPage when the request does not say (about 300 KB of responses), and at most.
constexpr int64_t k_default_export_page_rows = 1000;
constexpr int64_t k_max_export_page_rows = 10'000;

struct MeterServiceOptions {
    std::filesystem::path database;
    std::vector<std::filesystem::path> config_dirs;
    // How long StatusLine waits for its transcript's new bytes before answering with what is
    // stored. Default 150 ms: well inside the status line's budget.
    std::chrono::milliseconds status_ingest_deadline{150};
    std::filesystem::path prices_file;  // the user's overrides (Pricing names it)
    // The receiver's state, asked at each Health call (any thread). Unset: not listening.
    std::function<OtelReceiverStatus()> otel_status;
    // Replication to the team store, asked at each Health call. Unset: none configured.
    std::function<ReplicationStatus()> replication_status;
    // The team views (Team); unset: Team answers that no store is configured.
    std::shared_ptr<const TeamQueries> team;
    // What Watch calls subscribe to (nullptr: Watch answers UNAVAILABLE). Outlives the service.
    WatchHub* watch_hub = nullptr;
    // A Watch call with nothing to send sends a heartbeat this often. Default 5 s.
    std::chrono::milliseconds watch_heartbeat{5000};
};

class MeterService final : public v1::Meter::Service {
  public:
    // `queries` and `loop` outlive the service.
    MeterService(MeterServiceOptions options, MeterQueries& queries, IngestLoop& loop);

    grpc::Status Notify(grpc::ServerContext*, const v1::NotifyRequest*, v1::NotifyReply*) override;
    grpc::Status StatusLine(grpc::ServerContext*, const v1::StatusLineRequest*,
                            v1::StatusLineReply*) override;
    grpc::Status Limits(grpc::ServerContext* context, const v1::LimitsRequest* request,
                        v1::LimitsReply* reply) override;
    grpc::Status Periods(grpc::ServerContext*, const v1::PeriodsRequest*,
                         v1::PeriodsReply*) override;
    grpc::Status Groups(grpc::ServerContext*, const v1::GroupsRequest*, v1::GroupsReply*) override;
    grpc::Status Session(grpc::ServerContext*, const v1::SessionRequest*,
                         v1::SessionReply*) override;
    grpc::Status Blocks(grpc::ServerContext*, const v1::BlocksRequest*, v1::BlocksReply*) override;
    grpc::Status Health(grpc::ServerContext*, const v1::HealthRequest*, v1::HealthReply*) override;
    grpc::Status Pricing(grpc::ServerContext*, const v1::PricingRequest*,
                         v1::PricingReply*) override;
    grpc::Status Check(grpc::ServerContext*, const v1::CheckRequest*, v1::CheckReply*) override;
    grpc::Status Activity(grpc::ServerContext*, const v1::ActivityRequest*,
                          v1::ActivityReply*) override;
    grpc::Status Export(grpc::ServerContext*, const v1::ExportRequest*,
                        grpc::ServerWriter<v1::ExportPage>*) override;
    grpc::Status Backup(grpc::ServerContext*, const v1::BackupRequest*, v1::BackupReply*) override;
    grpc::Status Team(grpc::ServerContext*, const v1::TeamRequest*, v1::TeamReply*) override;
    grpc::Status Watch(grpc::ServerContext*, const v1::WatchRequest*,
                       grpc::ServerWriter<v1::WatchEvent>*) override;
    grpc::Status Tools(grpc::ServerContext*, const v1::ToolsRequest*, v1::ToolsReply*) override;

  private:
    MeterServiceOptions m_options;
    MeterQueries& m_queries;
    IngestLoop& m_loop;
    int64_t m_started_ms;
};

}  // namespace ccmeter
