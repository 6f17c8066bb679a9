#include "tools_command.hpp"

#include <chrono>
#include <iostream>

#include "common/json_text.hpp"
#include "common/tools_format.hpp"
#include "meter_client.hpp"

namespace ccmeter {

int run_tools_report(MeterClient& client, v1::Filter filter,
                     const std::optional<std::string>& session_id, bool json) {
    if (session_id)
        filter.set_session_id(*session_id);
    v1::ToolsRequest request;
    *request.mutable_filter() = filter;
    Result<v1::ToolsReply> reply =
        client.tools(request, MeterClient::Clock::now() + std::chrono::seconds(30));
    if (!reply) {
        std::cerr << "hookctl stats tools: " << reply.error().message << "\n";
        return 1;
    }
    if (json)
        std::cout << to_json_text(tools_json(*reply)) << "\n";
    else
        std::cout << tools_table(*reply);
    return 0;
}

}  // namespace ccmeter
