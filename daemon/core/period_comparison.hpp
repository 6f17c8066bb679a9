// This period so far against the last one cut at the same point, and what a month at API
// prices comes to against the plan a user pays for. Pure arithmetic on instants and
// micro-dollars; the periods themselves come from common/local_periods.hpp.
//
// Units: instants in epoch milliseconds, money in integer micro-dollars.
#pragma once
#include <cstdint>
#include <optional>

namespace ccmeter {

// The spans to compare: [this_start, now) and [last_start, last_cut), where last_cut is as
// far into the last period as now is into this one (elapsed milliseconds), but never past the
// last period's end (this_start): March 31 against February is February whole.
struct ComparisonSpans {
    int64_t this_start_ms = 0;
    int64_t now_ms = 0;
    int64_t last_start_ms = 0;
    int64_t last_cut_ms = 0;
};
ComparisonSpans comparison_spans(int64_t last_start_ms, int64_t this_start_ms, int64_t now_ms);

// What the whole period [start, end) would cost at the pace of [start, now): so_far x
// (end - start) / (now - start), rounded down; so_far itself when now is at or past the end,
// nullopt when no time has passed yet. Never overflows (saturates at INT64_MAX).
std::optional<int64_t> projected_micro_usd(int64_t so_far_micro_usd, int64_t start_ms,
                                           int64_t end_ms, int64_t now_ms);

// The change from `last` to `current` in whole per-mille (125 = +12.5 %), rounded half away
// from zero; nullopt when last is not above 0 (costs are never negative).
std::optional<int64_t> change_per_mille(int64_t last_micro_usd, int64_t current_micro_usd);

}  // namespace ccmeter
