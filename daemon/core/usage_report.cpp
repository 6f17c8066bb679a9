#include "core/usage_report.hpp"

#include <cstdio>
#include <ctime>

#include "common/saturating_int.hpp"

namespace ccmeter {

void UsageTotals::add(const std::string& model, int64_t count, const TokenCounts& summed,
                      const std::optional<int64_t>& cost, bool client_priced) {
    tokens.add(summed);
    responses += count;
    if (cost) {
        cost_pico_usd = saturating_add(cost_pico_usd, *cost);
        if (is_saturated(*cost) || is_saturated(cost_pico_usd))
            cost_saturated = true;
        if (client_priced) {
            client_priced_responses += count;
            client_priced_pico_usd = saturating_add(client_priced_pico_usd, *cost);
            client_priced_models.insert(model);
        }
    } else {
        unpriced_responses += count;
        unpriced_tokens.add(summed);
        unpriced_models.insert(model);
    }
}

int64_t micro_usd(int64_t pico_usd) {
    // Quotient and remainder first: pico_usd + 500'000 would overflow near the int64 bound.
    const int64_t whole = pico_usd / 1'000'000;
    const int64_t rest = pico_usd % 1'000'000;
    return whole + (rest >= 500'000 ? 1 : rest <= -500'000 ? -1 : 0);
}

std::string utc_day(int64_t timestamp_ms) {
    const time_t seconds =
        static_cast<time_t>(timestamp_ms >= 0 ? timestamp_ms / 1000 : (timestamp_ms - 999) / 1000);
    struct tm parts {};
    gmtime_r(&seconds, &parts);
    char text[32];
    std::snprintf(text, sizeof text, "%04d-%02d-%02d", parts.tm_year + 1900, parts.tm_mon + 1,
                  parts.tm_mday);
    return text;
}

std::string group_key(Grouping grouping, const AggregateRow& row) {
    switch (grouping) {
        case Grouping::none:
            return std::string();
        case Grouping::session:
        case Grouping::project:
            return row.group;
        case Grouping::branch:
            return row.detail + '\0' + row.group;
        case Grouping::model:
            return row.model;
        case Grouping::day_utc:
            return utc_day(row.bucket_start_ms);
    }
    return std::string();
}

Result<UsageReport> build_report(const UsageStore& store, const PriceTable& prices,
                                 const ResponseFilter& filter, Grouping group_by) {
    constexpr int64_t k_day_ms = 86'400'000;
    UsageReport report;
    Result<void> visited =
        store.aggregate(filter, group_by, k_day_ms, [&](const AggregateRow& row) {
            const std::optional<int64_t> cost = prices.cost_pico_usd(
                row.model, row.bucket_start_ms, row.speed, row.long_context, row.tokens);
            const bool learned = prices.is_learned(row.model, row.bucket_start_ms);
            report.totals.add(row.model, row.responses, row.tokens, cost, learned);
            if (group_by != Grouping::none)
                report.groups[group_key(group_by, row)].add(row.model, row.responses, row.tokens,
                                                            cost, learned);
        });
    if (!visited)
        return visited.error();
    return report;
}

}  // namespace ccmeter
