#include "core/usage_heatmap.hpp"

#include <ctime>

namespace ccmeter {

namespace {

constexpr int64_t k_quarter_hour_ms = 900'000;

}  // namespace

Result<UsageHeatmap> usage_heatmap(const UsageStore& store, const PriceTable& prices,
                                   const ResponseFilter& filter) {
    UsageHeatmap heatmap;
    Result<void> done =
        store.aggregate(filter, Grouping::none, k_quarter_hour_ms, [&](const AggregateRow& row) {
            const int64_t ms = row.bucket_start_ms;
            const time_t seconds = static_cast<time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
            std::tm parts{};
            localtime_r(&seconds, &parts);
            const size_t weekday = static_cast<size_t>((parts.tm_wday + 6) % 7);
            const size_t hour = static_cast<size_t>(parts.tm_hour);
            heatmap.cells[weekday][hour].add(
                row.model, row.responses, row.tokens,
                prices.cost_pico_usd(row.model, row.bucket_start_ms, row.speed, row.long_context,
                                     row.tokens));
        });
    if (!done)
        return done.error();
    return heatmap;
}

}  // namespace ccmeter
