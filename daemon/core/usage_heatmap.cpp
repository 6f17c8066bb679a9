#include "core/usage_heatmap.hpp"

#include <ctime>
#include <optional>
#include <string>
#include <unordered_map>

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

// Where a bucket falls: its local weekday and hour, or nullopt when it does not lie in one
// local hour (its zone's offset is not a whole number of such buckets then, or changes inside
// it).
struct Cell {
    size_t weekday = 0;
    size_t hour = 0;
};
std::optional<Cell> cell_of(int64_t bucket_start_ms, int64_t bucket_ms) {
    const std::tm parts = local_parts(bucket_start_ms);
    if (bucket_ms > k_quarter_hour_ms) {
        const std::tm last = local_parts(bucket_start_ms + bucket_ms - 1);
        if (parts.tm_min != 0 || last.tm_hour != parts.tm_hour || last.tm_gmtoff != parts.tm_gmtoff)
            return std::nullopt;
    }
    return Cell{static_cast<size_t>((parts.tm_wday + 6) % 7), static_cast<size_t>(parts.tm_hour)};
}

// Sums usage per local weekday and hour from buckets of `bucket_ms`; false (and `heatmap` left
// partly filled) when a bucket does not lie in one local hour. Each bucket's local time is
// computed once, each model's price rule found without normalising its name again (rows of one
// bucket, several models each, come together or not: both are cached).
Result<bool> fill(const UsageStore& store, const PriceTable& prices, const ResponseFilter& filter,
                  int64_t bucket_ms, UsageHeatmap& heatmap) {
    bool whole = true;
    std::unordered_map<int64_t, std::optional<Cell>> cells;   // bucket start -> its cell
    std::unordered_map<std::string, std::string> normalised;  // raw model name -> normalised
    Result<void> done =
        store.aggregate(filter, Grouping::none, bucket_ms, [&](const AggregateRow& row) {
            if (!whole)
                return;
            auto found = cells.find(row.bucket_start_ms);
            if (found == cells.end())
                found = cells.emplace(row.bucket_start_ms, cell_of(row.bucket_start_ms, bucket_ms))
                            .first;
            if (!found->second) {
                whole = false;
                return;
            }
            auto model = normalised.find(row.model);
            if (model == normalised.end())
                model = normalised.emplace(row.model, normalise_model(row.model)).first;
            // As PriceTable::cost_pico_usd, which finds the same rule.
            const PriceRule* rule = prices.find_normalised(model->second, row.bucket_start_ms);
            std::optional<int64_t> cost;
            if (rule)
                cost =
                    PriceTable::cost_parts(*rule, row.speed, row.long_context, row.tokens).total();
            heatmap.cells[found->second->weekday][found->second->hour].add(row.model, row.responses,
                                                                           row.tokens, cost);
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
