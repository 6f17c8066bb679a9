#include "wire/tools_proto.hpp"

namespace ccmeter {

v1::ToolsReply tools_proto(const std::vector<ToolStats>& tools) {
    v1::ToolsReply reply;
    for (const ToolStats& tool : tools) {
        v1::ToolStats& out = *reply.add_tools();
        out.set_name(tool.name);
        out.set_calls(tool.calls);
        out.set_errors(tool.errors);
        out.set_timed_calls(tool.timed_calls);
        out.set_total_ms(tool.total_ms);
        if (tool.p50_ms)
            out.set_p50_ms(*tool.p50_ms);
        if (tool.p95_ms)
            out.set_p95_ms(*tool.p95_ms);
    }
    return reply;
}

}  // namespace ccmeter
