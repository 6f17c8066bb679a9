#include "core/cost_parts.hpp"

#include <algorithm>

namespace ccmeter {

namespace {

constexpr int64_t k_day_ms = 86'400'000;

// The coarsest bucket (at most a quarter hour) that every boundary is a multiple of, so that a
// bucket never straddles two periods (as usage_by_periods does).
int64_t bucket_for(const std::vector<int64_t>& boundaries) {
    for (int64_t bucket : {int64_t{900'000}, int64_t{60'000}, int64_t{1'000}}) {
        if (std::all_of(boundaries.begin(), boundaries.end(),
                        [bucket](int64_t b) { return b % bucket == 0; }))
            return bucket;
    }
    return 1;
}

std::optional<CostParts> row_parts(const PriceTable& prices, const AggregateRow& row) {
    return prices.cost_parts(row.model, row.bucket_start_ms, row.speed, row.long_context,
                             row.tokens);
}

}  // namespace

Result<std::vector<CostParts>> cost_parts_by_periods(const UsageStore& store,
                                                     const PriceTable& prices,
                                                     const std::vector<int64_t>& boundaries,
                                                     ResponseFilter filter) {
    std::vector<CostParts> periods;
    if (boundaries.size() < 2)
        return periods;
    if (!std::is_sorted(boundaries.begin(), boundaries.end()))
        return Error{"period boundaries must ascend"};
    periods.resize(boundaries.size() - 1);
    filter.since_ms = boundaries.front();
    filter.until_ms = boundaries.back();
    Result<void> done = store.aggregate(
        filter, GroupColumn::none, bucket_for(boundaries), [&](const AggregateRow& row) {
            auto next = std::upper_bound(boundaries.begin(), boundaries.end(), row.bucket_start_ms);
            if (next == boundaries.begin() || next == boundaries.end())
                return;
            if (std::optional<CostParts> parts = row_parts(prices, row))
                periods[static_cast<size_t>(next - boundaries.begin() - 1)].add(*parts);
        });
    if (!done)
        return done.error();
    return periods;
}

Result<std::map<std::string, CostParts>> cost_parts_by_group(const UsageStore& store,
                                                             const PriceTable& prices,
                                                             GroupKind kind,
                                                             const ResponseFilter& filter) {
    const GroupColumn column = kind == GroupKind::session   ? GroupColumn::session
                               : kind == GroupKind::project ? GroupColumn::project
                                                            : GroupColumn::none;
    std::map<std::string, CostParts> groups;
    Result<void> done = store.aggregate(filter, column, k_day_ms, [&](const AggregateRow& row) {
        const std::string& key = kind == GroupKind::model ? row.model : row.group;
        CostParts& group = groups[key];
        if (std::optional<CostParts> parts = row_parts(prices, row))
            group.add(*parts);
    });
    if (!done)
        return done.error();
    return groups;
}

}  // namespace ccmeter
