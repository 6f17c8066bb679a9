#include "core/tool_usage.hpp"

#include <algorithm>
#include <map>

namespace ccmeter {

std::optional<int64_t> tool_run_ms(const ToolCallRow& call) {
    if (call.otel_duration_ms && *call.otel_duration_ms >= 0)
        return call.otel_duration_ms;
    if (call.finished_ms && call.started_ms > 0 && *call.finished_ms >= call.started_ms)
        return *call.finished_ms - call.started_ms;
    return std::nullopt;
}

std::optional<int64_t> nearest_rank(const std::vector<int64_t>& sorted, int percent) {
    if (sorted.empty())
        return std::nullopt;
    const size_t n = sorted.size();
    size_t rank = (static_cast<size_t>(percent) * n + 99) / 100;  // ceil(p * n / 100)
    rank = std::clamp<size_t>(rank, 1, n);
    return sorted[rank - 1];
}

Result<std::vector<ToolStats>> tool_usage(const UsageStore& store, const ResponseFilter& filter) {
    CCMETER_TRY_ASSIGN(const std::vector<ToolCallRow> calls, store.tool_calls(filter));
    struct Tool {
        ToolStats stats;
        std::vector<int64_t> times;
    };
    std::map<std::string, Tool> tools;
    for (const ToolCallRow& call : calls) {
        Tool& tool = tools[call.name];
        ++tool.stats.calls;
        const bool failed = call.is_error ? *call.is_error : call.otel_success == false;
        if (failed)
            ++tool.stats.errors;
        if (const std::optional<int64_t> ms = tool_run_ms(call)) {
            ++tool.stats.timed_calls;
            tool.stats.total_ms += *ms;
            tool.times.push_back(*ms);
        }
    }
    std::vector<ToolStats> out;
    out.reserve(tools.size());
    for (auto& [name, tool] : tools) {
        std::sort(tool.times.begin(), tool.times.end());
        tool.stats.name = name;
        tool.stats.p50_ms = nearest_rank(tool.times, 50);
        tool.stats.p95_ms = nearest_rank(tool.times, 95);
        out.push_back(std::move(tool.stats));
    }
    std::stable_sort(out.begin(), out.end(), [](const ToolStats& a, const ToolStats& b) {
        return a.calls > b.calls;  // std::map gave name order for ties
    });
    return out;
}

}  // namespace ccmeter
