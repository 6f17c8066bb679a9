#include "core/usage_queries.hpp"

#include <algorithm>
#include <unordered_map>

#include "common/saturating_int.hpp"

namespace ccmeter {

namespace {

constexpr int64_t k_day_ms = 86'400'000;
constexpr int64_t k_minute_ms = 60'000;
constexpr int64_t k_hour_ms = 3'600'000;

// A row's cost, and whether its price was learned from the client.
struct RowCost {
    std::optional<int64_t> pico_usd;
    bool client_priced = false;
};

// PriceTable lookups for many rows of few models: each model name is normalised once.
class PriceLookup {
  public:
    explicit PriceLookup(const PriceTable& prices) : m_prices(prices) {}

    // As PriceTable::cost_pico_usd and is_learned for the row's model, bucket, speed and tier.
    RowCost cost_of(const AggregateRow& row) {
        const PriceRule* rule =
            m_prices.find_normalised(normalised(row.model), row.bucket_start_ms);
        if (!rule)
            return {};
        return {PriceTable::cost_parts(*rule, row.speed, row.long_context, row.tokens).total(),
                rule->source == PriceSource::learned};
    }

  private:
    const std::string& normalised(const std::string& model) {
        for (const auto& [raw, id] : m_models)
            if (raw == model)
                return id;
        return m_models.emplace_back(model, normalise_model(model)).second;
    }

    const PriceTable& m_prices;
    std::vector<std::pair<std::string, std::string>> m_models;  // raw name, normalised
};

void add_row(UsageTotals& totals, const AggregateRow& row, const RowCost& cost) {
    totals.add(row.model, row.responses, row.tokens, cost.pico_usd, cost.client_priced);
}

}  // namespace

Result<void> for_each_period_row(const UsageStore& store, const std::vector<int64_t>& boundaries,
                                 ResponseFilter filter,
                                 const std::function<void(size_t, const AggregateRow&)>& visit) {
    if (boundaries.size() < 2)
        return {};
    if (!std::is_sorted(boundaries.begin(), boundaries.end()))
        return Error{"period boundaries must ascend", ErrorKind::invalid_argument};
    filter.since_ms = boundaries.front();
    filter.until_ms = boundaries.back();
    return store.aggregate_periods(boundaries, filter, [&](const AggregateRow& row) {
        auto next = std::upper_bound(boundaries.begin(), boundaries.end(), row.bucket_start_ms);
        if (next == boundaries.begin() || next == boundaries.end())
            return;
        visit(static_cast<size_t>(next - boundaries.begin() - 1), row);
    });
}

Result<std::vector<PeriodTotals>> usage_by_periods(const UsageStore& store,
                                                   const PriceTable& prices,
                                                   const std::vector<int64_t>& boundaries,
                                                   ResponseFilter filter, bool breakdown) {
    std::vector<PeriodTotals> periods;
    for (size_t i = 0; i + 1 < boundaries.size(); ++i) {
        periods.emplace_back();
        periods.back().start_ms = boundaries[i];
        periods.back().end_ms = boundaries[i + 1];
    }
    PriceLookup lookup(prices);
    Result<void> done = for_each_period_row(store, boundaries, std::move(filter),
                                            [&](size_t i, const AggregateRow& row) {
                                                PeriodTotals& period = periods[i];
                                                const RowCost cost = lookup.cost_of(row);
                                                add_row(period.usage, row, cost);
                                                if (breakdown)
                                                    add_row(period.by_model[row.model], row, cost);
                                            });
    if (!done)
        return done.error();
    return periods;
}

Result<std::vector<GroupTotals>> usage_by_group(const UsageStore& store, const PriceTable& prices,
                                                Grouping kind, const ResponseFilter& filter,
                                                bool breakdown) {
    std::unordered_map<std::string, GroupTotals> groups;
    PriceLookup lookup(prices);
    Result<void> done = store.aggregate(filter, kind, k_day_ms, [&](const AggregateRow& row) {
        const std::string key = group_key(kind, row);
        auto [it, inserted] = groups.try_emplace(key);
        GroupTotals& group = it->second;
        if (inserted) {
            group.key = kind == Grouping::branch ? row.group : key;
            group.first_ms = row.first_ms;
            group.last_ms = row.last_ms;
            group.project = kind == Grouping::project ? key : row.detail;
        }
        group.first_ms = std::min(group.first_ms, row.first_ms);
        group.last_ms = std::max(group.last_ms, row.last_ms);
        if (kind == Grouping::session && !row.detail.empty() &&
            (group.project.empty() || row.detail < group.project))
            group.project = row.detail;
        group.models.insert(row.model);
        const RowCost cost = lookup.cost_of(row);
        add_row(group.usage, row, cost);
        if (breakdown)
            add_row(group.by_model[row.model], row, cost);
    });
    if (!done)
        return done.error();
    std::vector<GroupTotals> result;
    result.reserve(groups.size());
    for (auto& [key, group] : groups)
        result.push_back(std::move(group));
    std::sort(result.begin(), result.end(), [](const GroupTotals& a, const GroupTotals& b) {
        if (a.last_ms != b.last_ms)
            return a.last_ms > b.last_ms;
        return a.key != b.key ? a.key < b.key : a.project < b.project;  // branches: per project
    });
    return result;
}

Result<std::vector<BlockTotals>> usage_by_block(const UsageStore& store, const PriceTable& prices,
                                                const ResponseFilter& filter, int64_t now_ms) {
    struct Minute {
        AggregateRow row;
        RowCost cost;
    };
    std::vector<Minute> minutes;
    PriceLookup lookup(prices);
    Result<void> done =
        store.aggregate(filter, Grouping::none, k_hour_ms, [&](const AggregateRow& row) {
            minutes.push_back({row, lookup.cost_of(row)});
        });
    if (!done)
        return done.error();
    std::sort(minutes.begin(), minutes.end(),
              [](const Minute& a, const Minute& b) { return a.row.first_ms < b.row.first_ms; });
    std::vector<BlockTotals> blocks;
    for (const Minute& minute : minutes) {
        const int64_t at = minute.row.first_ms;
        if (blocks.empty() || at >= blocks.back().end_ms ||
            at - blocks.back().last_ms >= k_block_ms) {
            BlockTotals block;
            block.start_ms = at - (at % k_hour_ms + k_hour_ms) % k_hour_ms;
            block.end_ms = block.start_ms + k_block_ms;
            block.first_ms = at;
            block.last_ms = at;
            blocks.push_back(block);
        }
        BlockTotals& block = blocks.back();
        block.last_ms = std::max(block.last_ms, minute.row.last_ms);
        add_row(block.usage, minute.row, minute.cost);
    }
    for (BlockTotals& block : blocks) {
        block.active = now_ms >= block.start_ms && now_ms < block.end_ms;
        const int64_t until = block.active ? now_ms : block.last_ms;
        const int64_t elapsed = std::max<int64_t>(until - block.start_ms, k_minute_ms);
        block.burn_pico_usd_per_hour =
            saturating_multiply_divide(block.usage.cost_pico_usd, k_hour_ms, elapsed);
        if (block.active)
            block.projected_pico_usd =
                saturating_add(block.usage.cost_pico_usd,
                               saturating_multiply_divide(block.burn_pico_usd_per_hour,
                                                          block.end_ms - now_ms, k_hour_ms));
    }
    return blocks;
}

PricedResponse priced_response(const PriceTable& prices, UsageRecord response) {
    PricedResponse priced;
    priced.cost_pico_usd = prices.cost_pico_usd(response.model, response.timestamp_ms,
                                                response.speed, response.tokens);
    priced.client_priced =
        priced.cost_pico_usd && prices.is_learned(response.model, response.timestamp_ms);
    priced.response = std::move(response);
    return priced;
}

}  // namespace ccmeter
