// Typed calls to the daemon's ccmeter.v1.Meter service over UnixGrpcClient.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>

#include "ccmeter/v1/ccmeter.pb.h"
#include "common/error.hpp"
#include "unix_grpc_client.hpp"

namespace ccmeter {

class MeterClient {
  public:
    using Clock = UnixGrpcClient::Clock;

    explicit MeterClient(std::filesystem::path socket) : m_client(std::move(socket)) {}

    Result<v1::NotifyReply> notify(const v1::NotifyRequest& request, Clock::time_point deadline);
    Result<v1::StatusLineReply> status_line(const v1::StatusLineRequest& request,
                                            Clock::time_point deadline);
    Result<v1::PeriodsReply> periods(const v1::PeriodsRequest& request, Clock::time_point deadline);
    Result<v1::GroupsReply> groups(const v1::GroupsRequest& request, Clock::time_point deadline);
    Result<v1::SessionReply> session(const v1::SessionRequest& request, Clock::time_point deadline);
    Result<v1::BlocksReply> blocks(const v1::BlocksRequest& request, Clock::time_point deadline);
    Result<v1::HealthReply> health(Clock::time_point deadline);
    Result<v1::PricingReply> pricing(Clock::time_point deadline);
    Result<v1::CheckReply> check(const v1::CheckRequest& request, Clock::time_point deadline);
    Result<v1::ActivityReply> activity(const v1::ActivityRequest& request,
                                       Clock::time_point deadline);
    Result<v1::LimitsReply> limits(const v1::LimitsRequest& request, Clock::time_point deadline);
    Result<v1::TeamReply> team(const v1::TeamRequest& request, Clock::time_point deadline);
    Result<v1::ToolsReply> tools(const v1::ToolsRequest& request, Clock::time_point deadline);
    Result<v1::BackupReply> backup(const v1::BackupRequest& request, Clock::time_point deadline);
    // The Export stream: `on_page` gets each page as it arrives (its error ends the call).
    // Fails when the daemon sends nothing for `idle_timeout`.
    Result<void> export_pages(const v1::ExportRequest& request,
                              std::chrono::milliseconds idle_timeout,
                              const std::function<Result<void>(const v1::ExportPage&)>& on_page);

    // The Watch stream: `on_event` gets each event as it arrives (its error ends the call).
    // Fails when the daemon goes away or sends nothing (not even a heartbeat) for
    // `idle_timeout`.
    Result<void> watch(std::chrono::milliseconds idle_timeout,
                       const std::function<Result<void>(const v1::WatchEvent&)>& on_event);

    // After a failed call: true when no daemon listened.
    bool daemon_unreachable() const { return m_client.daemon_unreachable(); }

  private:
    template <class Reply, class Request>
    Result<Reply> call(const char* method, const Request& request, Clock::time_point deadline);

    UnixGrpcClient m_client;
};

}  // namespace ccmeter
