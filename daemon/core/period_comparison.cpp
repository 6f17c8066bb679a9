#include "core/period_comparison.hpp"

#include <algorithm>

#include "common/saturating_int.hpp"

namespace ccmeter {

ComparisonSpans comparison_spans(int64_t last_start_ms, int64_t this_start_ms, int64_t now_ms) {
    ComparisonSpans spans;
    spans.this_start_ms = this_start_ms;
    spans.now_ms = std::max(now_ms, this_start_ms);
    spans.last_start_ms = last_start_ms;
    const int64_t elapsed = spans.now_ms - this_start_ms;
    spans.last_cut_ms = std::min(this_start_ms, last_start_ms + elapsed);
    return spans;
}

std::optional<int64_t> projected_micro_usd(int64_t so_far_micro_usd, int64_t start_ms,
                                           int64_t end_ms, int64_t now_ms) {
    if (now_ms >= end_ms)
        return so_far_micro_usd;
    if (now_ms <= start_ms)
        return std::nullopt;
    return saturating_multiply_divide(so_far_micro_usd, end_ms - start_ms, now_ms - start_ms);
}

std::optional<int64_t> change_per_mille(int64_t last_micro_usd, int64_t current_micro_usd) {
    if (last_micro_usd <= 0)
        return std::nullopt;
    // (current - last) x 1000 / last, rounded half away from zero: 2 x that, plus or minus
    // last, halved.
    const int64_t difference = saturating_add(current_micro_usd, -last_micro_usd);
    const int64_t twice = saturating_multiply_divide(difference, 2000, last_micro_usd);
    return twice / 2 + twice % 2;
}

}  // namespace ccmeter
