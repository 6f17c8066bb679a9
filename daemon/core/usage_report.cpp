#include "core/usage_report.hpp"

#include <cstdio>
#include <ctime>

namespace ccmeter {

void UsageTotals::add(const UsageRecord& response, const std::optional<int64_t>& cost) {
    tokens.add(response.tokens);
    ++responses;
    if (cost) {
        cost_pico_usd += *cost;
    } else {
        ++unpriced_responses;
        unpriced_tokens.add(response.tokens);
        unpriced_models.insert(response.model);
    }
}

int64_t micro_usd(int64_t pico_usd) {
    return pico_usd >= 0 ? (pico_usd + 500'000) / 1'000'000 : -((-pico_usd + 500'000) / 1'000'000);
}

std::string utc_day(int64_t timestamp_ms) {
    const time_t seconds = static_cast<time_t>(timestamp_ms >= 0 ? timestamp_ms / 1000
                                                                 : (timestamp_ms - 999) / 1000);
    struct tm parts {};
    gmtime_r(&seconds, &parts);
    char text[32];
    std::snprintf(text, sizeof text, "%04d-%02d-%02d", parts.tm_year + 1900, parts.tm_mon + 1,
                  parts.tm_mday);
    return text;
}

Result<UsageReport> build_report(const UsageStore& store, const PriceTable& prices,
                                 const ResponseFilter& filter, GroupBy group_by) {
    UsageReport report;
    Result<void> visited = store.for_each_response(filter, [&](const UsageRecord& response) {
        const std::optional<int64_t> cost = prices.cost_pico_usd(
            response.model, response.timestamp_ms, response.speed, response.tokens);
        report.totals.add(response, cost);
        switch (group_by) {
            case GroupBy::none:
                break;
            case GroupBy::model:
                report.groups[response.model].add(response, cost);
                break;
            case GroupBy::day_utc:
                report.groups[utc_day(response.timestamp_ms)].add(response, cost);
                break;
            case GroupBy::session:
                report.groups[response.session_id].add(response, cost);
                break;
            case GroupBy::project:
                report.groups[response.cwd].add(response, cost);
                break;
        }
    });
    if (!visited) return visited.error();
    return report;
}

}  // namespace ccmeter
