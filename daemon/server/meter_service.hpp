// The gRPC face of the daemon: ccmeter.v1.Meter over the core. Conversions only; every figure
// comes from core/usage_queries.
//
// Threads: gRPC calls handlers concurrently; queries share one read-only connection behind a
// mutex, and writes go through the IngestLoop's thread.
#pragma once

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "ccmeter/v1/ccmeter.grpc.pb.h"
#include "core/price_table.hpp"
#include "core/usage_store.hpp"
#include "server/ingest_loop.hpp"

namespace ccmeter {

struct MeterServiceOptions {
    std::filesystem::path database;
    std::vector<std::filesystem::path> config_dirs;
    // How long StatusLine waits for its transcript's new bytes before answering with what is
    // stored. Default 150 ms: well inside the status line's budget.
    std::chrono::milliseconds status_ingest_deadline{150};
};

class MeterService final : public v1::Meter::Service {
  public:
    MeterService(MeterServiceOptions options, PriceTable prices, IngestLoop& loop);

    grpc::Status Notify(grpc::ServerContext*, const v1::NotifyRequest*, v1::NotifyReply*) override;
    grpc::Status StatusLine(grpc::ServerContext*, const v1::StatusLineRequest*,
                            v1::StatusLineReply*) override;
    grpc::Status Periods(grpc::ServerContext*, const v1::PeriodsRequest*,
                         v1::PeriodsReply*) override;
    grpc::Status Groups(grpc::ServerContext*, const v1::GroupsRequest*, v1::GroupsReply*) override;
    grpc::Status Session(grpc::ServerContext*, const v1::SessionRequest*,
                         v1::SessionReply*) override;
    grpc::Status Blocks(grpc::ServerContext*, const v1::BlocksRequest*, v1::BlocksReply*) override;
    grpc::Status Health(grpc::ServerContext*, const v1::HealthRequest*, v1::HealthReply*) override;

    // New usage was stored: cached status-line figures are stale. Thread-safe.
    void usage_changed() { ++m_generation; }

  private:
    // What StatusLine computed, valid while no new usage was stored (m_generation unchanged).
    struct StatusCache {
        uint64_t generation = 0;
        int64_t today_start_ms = -1;
        std::optional<v1::Usage> today;
        std::optional<v1::Block> block;  // active block; empty when none
        int64_t block_computed_ms = 0;
        bool block_known = false;
        std::unordered_map<std::string, v1::Usage> sessions;
    };

    // The read connection, opened on first use; nullptr (and an error status) when unusable.
    UsageStore* reader(grpc::Status& status);

    MeterServiceOptions m_options;
    PriceTable m_prices;
    IngestLoop& m_loop;
    std::mutex m_reader_mutex;  // guards m_reader and every query made with it
    std::unique_ptr<UsageStore> m_reader;
    StatusCache m_status_cache;  // guarded by m_reader_mutex
    std::atomic<uint64_t> m_generation{1};
    int64_t m_started_ms;
};

}  // namespace ccmeter
