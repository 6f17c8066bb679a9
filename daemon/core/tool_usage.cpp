#include "core/tool_usage.hpp"

#include "core/tool_call_cache.hpp"

#include <algorithm>

namespace ccmeter {

std::optional<int64_t> nearest_rank(const std::vector<int64_t>& sorted, int percent) {
    if (sorted.empty())
        return std::nullopt;
    const size_t n = sorted.size();
    size_t rank = (static_cast<size_t>(percent) * n + 99) / 100;  // ceil(p * n / 100)
    rank = std::clamp<size_t>(rank, 1, n);
    return sorted[rank - 1];
}

Result<std::vector<ToolStats>> tool_usage(const UsageStore& store, const ResponseFilter& filter,
                                          ToolCallCache* cache) {
    std::vector<ToolStats> out;  // in name order
    if (cache) {
        CCMETER_TRY(cache->refresh(store));
    }
    if (cache && cache->exact()) {
        out = cache->tool_stats(filter);
    } else {
        CCMETER_TRY_ASSIGN(std::vector<ToolCallTimes> tools, store.tool_call_times(filter));
        out.reserve(tools.size());
        for (ToolCallTimes& tool : tools)
            out.push_back(
                tool_stats_of(std::move(tool.name), tool.calls, tool.errors, tool.run_ms));
    }
    std::stable_sort(out.begin(), out.end(), [](const ToolStats& a, const ToolStats& b) {
        return a.calls > b.calls;  // name order for ties
    });
    return out;
}

}  // namespace ccmeter
