#include "meter_client.hpp"

namespace ccmeter {

template <class Reply, class Request>
Result<Reply> MeterClient::call(const char* method, const Request& request,
                                Clock::time_point deadline) {
    std::string bytes;
    if (!request.SerializeToString(&bytes))
        return Error{"cannot encode the request"};
    Result<std::string> answer = m_client.call(method, bytes, deadline);
    if (!answer)
        return answer.error();
    Reply reply;
    if (!reply.ParseFromString(*answer))
        return Error{"cannot decode ccmeterd's answer"};
    return reply;
}

Result<v1::NotifyReply> MeterClient::notify(const v1::NotifyRequest& request,
                                            Clock::time_point deadline) {
    return call<v1::NotifyReply>("/ccmeter.v1.Meter/Notify", request, deadline);
}

Result<v1::StatusLineReply> MeterClient::status_line(const v1::StatusLineRequest& request,
                                                     Clock::time_point deadline) {
    return call<v1::StatusLineReply>("/ccmeter.v1.Meter/StatusLine", request, deadline);
}

Result<v1::PeriodsReply> MeterClient::periods(const v1::PeriodsRequest& request,
                                              Clock::time_point deadline) {
    return call<v1::PeriodsReply>("/ccmeter.v1.Meter/Periods", request, deadline);
}

Result<v1::GroupsReply> MeterClient::groups(const v1::GroupsRequest& request,
                                            Clock::time_point deadline) {
    return call<v1::GroupsReply>("/ccmeter.v1.Meter/Groups", request, deadline);
}

Result<v1::SessionReply> MeterClient::session(const v1::SessionRequest& request,
                                              Clock::time_point deadline) {
    return call<v1::SessionReply>("/ccmeter.v1.Meter/Session", request, deadline);
}

Result<v1::BlocksReply> MeterClient::blocks(const v1::BlocksRequest& request,
                                            Clock::time_point deadline) {
    return call<v1::BlocksReply>("/ccmeter.v1.Meter/Blocks", request, deadline);
}

Result<v1::CheckReply> MeterClient::check(const v1::CheckRequest& request,
                                          Clock::time_point deadline) {
    return call<v1::CheckReply>("/ccmeter.v1.Meter/Check", request, deadline);
}

Result<v1::ActivityReply> MeterClient::activity(const v1::ActivityRequest& request,
                                                Clock::time_point deadline) {
    return call<v1::ActivityReply>("/ccmeter.v1.Meter/Activity", request, deadline);
}

Result<v1::LimitsReply> MeterClient::limits(const v1::LimitsRequest& request,
                                            Clock::time_point deadline) {
    return call<v1::LimitsReply>("/ccmeter.v1.Meter/Limits", request, deadline);
}

Result<v1::TeamReply> MeterClient::team(const v1::TeamRequest& request,
                                        Clock::time_point deadline) {
    return call<v1::TeamReply>("/ccmeter.v1.Meter/Team", request, deadline);
}

Result<v1::ToolsReply> MeterClient::tools(const v1::ToolsRequest& request,
                                          Clock::time_point deadline) {
    return call<v1::ToolsReply>("/ccmeter.v1.Meter/Tools", request, deadline);
}

Result<v1::PricingReply> MeterClient::pricing(Clock::time_point deadline) {
    return call<v1::PricingReply>("/ccmeter.v1.Meter/Pricing", v1::PricingRequest(), deadline);
}

Result<v1::HealthReply> MeterClient::health(Clock::time_point deadline) {
    return call<v1::HealthReply>("/ccmeter.v1.Meter/Health", v1::HealthRequest(), deadline);
}

Result<v1::BackupReply> MeterClient::backup(const v1::BackupRequest& request,
                                            Clock::time_point deadline) {
    return call<v1::BackupReply>("/ccmeter.v1.Meter/Backup", request, deadline);
}

Result<void> MeterClient::export_pages(
    const v1::ExportRequest& request, std::chrono::milliseconds idle_timeout,
    const std::function<Result<void>(const v1::ExportPage&)>& on_page) {
    std::string bytes;
    if (!request.SerializeToString(&bytes))
        return Error{"cannot encode the request"};
    v1::ExportPage page;
    return m_client.stream(
        "/ccmeter.v1.Meter/Export", bytes, idle_timeout,
        [&](std::string_view message) -> Result<void> {
            if (!page.ParseFromArray(message.data(), static_cast<int>(message.size())))
                return Error{"cannot decode ccmeterd's answer"};
            return on_page(page);
        });
}

Result<void> MeterClient::watch(
    std::chrono::milliseconds idle_timeout,
    const std::function<Result<void>(const v1::WatchEvent&)>& on_event) {
    std::string bytes;
    if (!v1::WatchRequest().SerializeToString(&bytes))
        return Error{"cannot encode the request"};
    v1::WatchEvent event;
    return m_client.stream(
        "/ccmeter.v1.Meter/Watch", bytes, idle_timeout,
        [&](std::string_view message) -> Result<void> {
            if (!event.ParseFromArray(message.data(), static_cast<int>(message.size())))
                return Error{"cannot decode ccmeterd's answer"};
            return on_event(event);
        });
}

}  // namespace ccmeter
