#include "core/tool_usage.hpp"

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

std::optional<int64_t> nearest_rank_unsorted(std::vector<int64_t>& values, int percent) {
    if (values.empty())
        return std::nullopt;
    const size_t n = values.size();
    size_t rank = (static_cast<size_t>(percent) * n + 99) / 100;  // ceil(p * n / 100)
    rank = std::clamp<size_t>(rank, 1, n);
    const auto nth = values.begin() + static_cast<std::ptrdiff_t>(rank - 1);
    std::nth_element(values.begin(), nth, values.end());
    return *nth;
}

Result<std::vector<ToolStats>> tool_usage(const UsageStore& store, const ResponseFilter& filter,
                                          ToolCallCache* cache) {
    std::vector<ToolCallTimes> tools;
    if (cache) {
        CCMETER_TRY(cache->refresh(store));
    }
    if (cache && cache->exact()) {
        tools = cache->tool_call_times(filter);
    } else {
        CCMETER_TRY_ASSIGN(tools, store.tool_call_times(filter));
    }
    std::vector<ToolStats> out;
    out.reserve(tools.size());
    for (ToolCallTimes& tool : tools) {  // in name order
        ToolStats& stats = out.emplace_back();
        stats.name = std::move(tool.name);
        stats.calls = tool.calls;
        stats.errors = tool.errors;
        stats.timed_calls = static_cast<int64_t>(tool.run_ms.size());
        for (int64_t ms : tool.run_ms)
            stats.total_ms += ms;
        // p95 after p50: nth_element leaves the values above the median after it.
        stats.p50_ms = nearest_rank_unsorted(tool.run_ms, 50);
        stats.p95_ms = nearest_rank_unsorted(tool.run_ms, 95);
    }
    std::stable_sort(out.begin(), out.end(), [](const ToolStats& a, const ToolStats& b) {
        return a.calls > b.calls;  // name order for ties
    });
    return out;
}

}  // namespace ccmeter
