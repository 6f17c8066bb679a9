#include "core/usage_heatmap.hpp"

#include <ctime>

namespace ccmeter {

namespace {

constexpr int64_t k_quarter_hour_ms = 900'000;
constexpr int64_t k_hour_ms = 3'600'000;

std::tm local_parts(int64_t ms) {
    const time_t seconds = static_cast<time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
    std::tm parts{};
    localtime_r(&seconds, &parts);
    return parts;
}

// Sums usage per local weekday and hour from buckets of `bucket_ms`; false (and `heatmap` left
// partly filled) when a bucket does not lie in one local hour (its zone's offset is not a whole
// number of such buckets then, or changes inside it).
Result<bool> fill(const UsageStore& store, const PriceTable& prices, const ResponseFilter& filter,
                  int64_t bucket_ms, UsageHeatmap& heatmap) {
    bool whole = true;
    Result<void> done =
        store.aggregate(filter, GroupColumn::none, bucket_ms, [&](const AggregateRow& row) {
            if (!whole)
                return;
            const std::tm parts = local_parts(row.bucket_start_ms);
            if (bucket_ms > k_quarter_hour_ms) {
                const std::tm last = local_parts(row.bucket_start_ms + bucket_ms - 1);
                if (parts.tm_min != 0 || last.tm_hour != parts.tm_hour ||
                    last.tm_gmtoff != parts.tm_gmtoff) {
                    whole = false;
                    return;
                }
            }
            const size_t weekday = static_cast<size_t>((parts.tm_wday + 6) % 7);
            const size_t hour = static_cast<size_t>(parts.tm_hour);
            heatmap.cells[weekday][hour].add(
                row.model, row.responses, row.tokens,
                prices.cost_pico_usd(row.model, row.bucket_start_ms, row.speed, row.long_context,
                                     row.tokens));
        });
    if (!done)
        return done.error();
    return whole;
}

}  // namespace

Result<UsageHeatmap> usage_heatmap(const UsageStore& store, const PriceTable& prices,
                                   const ResponseFilter& filter) {
    // Whole-hour zones read the hourly sums (a quarter of the rows); any hour off them, all of
    // it again at the quarter hour.
    UsageHeatmap heatmap;
    if (!filter.since_ms || *filter.since_ms % k_hour_ms == 0) {
        CCMETER_TRY_ASSIGN(const bool whole, fill(store, prices, filter, k_hour_ms, heatmap));
        if (whole)
            return heatmap;
        heatmap = UsageHeatmap();
    }
    CCMETER_TRY(fill(store, prices, filter, k_quarter_hour_ms, heatmap));
    return heatmap;
}

}  // namespace ccmeter
