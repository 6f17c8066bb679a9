// Tool calls per tool name: how often each tool was called, how often it failed and how long
// its calls ran, over the calls the transcripts hold (tool_call_rows.hpp).
//
// Contract:
// - A call counts once (one tool_use_id), in the period its tool_use started in; a result
//   without its call does not count (its tool name is unknown).
// - A call is an error when its transcript tool_result says is_error, or, while no result has
//   been read, when the client's OpenTelemetry tool_result event says it did not succeed.
// - A call's run time (ms): the OTel tool_result event's duration_ms when one was received
//   (the client's own measure), else its tool_result line's timestamp minus its tool_use line's
//   (never negative: a result stamped earlier is unknown); unknown when neither is known.
// - p50 and p95 are nearest-rank percentiles of the known run times: the ceil(p * n / 100)-th
//   smallest of n. Unset when no call of the tool has a known time.
// Only reads; use the store from one thread at a time.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "core/usage_store.hpp"

namespace ccmeter {

struct ToolStats {
    std::string name;
    int64_t calls = 0;
    int64_t errors = 0;
    int64_t timed_calls = 0;  // calls with a known run time
    int64_t total_ms = 0;     // sum of the known run times
    std::optional<int64_t> p50_ms;
    std::optional<int64_t> p95_ms;
};

// Nearest-rank percentile `percent` (1..100) of `sorted` (ascending); unset when it is empty.
std::optional<int64_t> nearest_rank(const std::vector<int64_t>& sorted, int percent);

// The same of `values` in any order: reorders them (std::nth_element, linear time).
template <class Integer>
std::optional<int64_t> nearest_rank_unsorted(std::vector<Integer>& values, int percent) {
    if (values.empty())
        return std::nullopt;
    const size_t n = values.size();
    size_t rank = (static_cast<size_t>(percent) * n + 99) / 100;  // ceil(p * n / 100)
    rank = std::clamp<size_t>(rank, 1, n);
    const auto nth = values.begin() + static_cast<std::ptrdiff_t>(rank - 1);
    std::nth_element(values.begin(), nth, values.end());
    return static_cast<int64_t>(*nth);
}

// One tool's figures from its calls, errors and the run time of each timed call (reordered).
template <class Integer>
ToolStats tool_stats_of(std::string name, int64_t calls, int64_t errors,
                        std::vector<Integer>& run_ms) {
    ToolStats stats;
    stats.name = std::move(name);
    stats.calls = calls;
    stats.errors = errors;
    stats.timed_calls = static_cast<int64_t>(run_ms.size());
    for (Integer ms : run_ms)
        stats.total_ms += static_cast<int64_t>(ms);
    // p95 after p50: nth_element leaves the values above the median after it.
    stats.p50_ms = nearest_rank_unsorted(run_ms, 50);
    stats.p95_ms = nearest_rank_unsorted(run_ms, 95);
    return stats;
}

class ToolCallCache;

// Per tool name, most calls first (then by name), over the calls `filter` selects. Exact:
// every selected call's run time is counted. With a cache (the caller's, kept between
// answers), refreshed first, from it while it is exact; else read from the store (a few
// integers per call, tool_call_rows.hpp).
Result<std::vector<ToolStats>> tool_usage(const UsageStore& store, const ResponseFilter& filter,
                                          ToolCallCache* cache = nullptr);

}  // namespace ccmeter
