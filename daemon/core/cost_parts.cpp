#include "core/cost_parts.hpp"

#include <algorithm>

namespace ccmeter {

namespace {

constexpr int64_t k_day_ms = 86'400'000;

std::optional<CostParts> row_parts(const PriceTable& prices, const AggregateRow& row) {
    return prices.cost_parts(row.model, row.bucket_start_ms, row.speed, row.long_context,
                             row.tokens);
}

}  // namespace

Result<std::vector<CostParts>> cost_parts_by_periods(const UsageStore& store,
                                                     const PriceTable& prices,
                                                     const std::vector<int64_t>& boundaries,
                                                     ResponseFilter filter) {
    std::vector<CostParts> periods(boundaries.size() < 2 ? 0 : boundaries.size() - 1);
    Result<void> done = for_each_period_row(
        store, boundaries, std::move(filter), [&](size_t i, const AggregateRow& row) {
            if (std::optional<CostParts> parts = row_parts(prices, row))
                periods[i].add(*parts);
        });
    if (!done)
        return done.error();
    return periods;
}

Result<std::map<std::string, CostParts>> cost_parts_by_group(const UsageStore& store,
                                                             const PriceTable& prices,
                                                             Grouping kind,
                                                             const ResponseFilter& filter) {
    std::map<std::string, CostParts> groups;
    Result<void> done = store.aggregate(filter, kind, k_day_ms, [&](const AggregateRow& row) {
        CostParts& group = groups[group_key(kind, row)];
        if (std::optional<CostParts> parts = row_parts(prices, row))
            group.add(*parts);
    });
    if (!done)
        return done.error();
    return groups;
}

}  // namespace ccmeter
