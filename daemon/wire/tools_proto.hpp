// The per-tool figures (tool_usage.hpp) as the wire's ToolsReply: the gRPC Tools call's answer
// and, as JSON (common/tools_format), the web view's /api/tools.
#pragma once

#include <vector>

#include "ccmeter/v1/ccmeter.pb.h"
#include "core/tool_usage.hpp"

namespace ccmeter {

v1::ToolsReply tools_proto(const std::vector<ToolStats>& tools);

}  // namespace ccmeter
