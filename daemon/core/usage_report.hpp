// Totals over stored responses, priced exactly, optionally broken down by one dimension.
//
// Costs are pico-dollars (exact integers); round with micro_usd() for display. A response whose
// model has no price is never priced at $0: it is counted in `unpriced_responses` and its
// tokens in `unpriced_tokens` (they are also part of `tokens`).
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "common/error.hpp"
#include "core/price_table.hpp"
#include "core/usage_store.hpp"

namespace ccmeter {

struct UsageTotals {
    TokenCounts tokens;
    int64_t responses = 0;
    int64_t cost_pico_usd = 0;  // of the priced responses
    int64_t unpriced_responses = 0;
    TokenCounts unpriced_tokens;
    std::set<std::string> unpriced_models;
    // Priced by rates learned from the client's own cost records (PriceSource::learned): their
    // money is in cost_pico_usd, and reports say it is the client's figure.
    int64_t client_priced_responses = 0;
    int64_t client_priced_pico_usd = 0;
    std::set<std::string> client_priced_models;
    // A cost went past what int64 pico-dollars hold (about $9.2 million): cost_pico_usd is held
    // at that bound (common/saturating_int.hpp), a floor, not the cost.
    bool cost_saturated = false;

    // Adds summed responses of one model; `cost_pico_usd` is nullopt when it has no price.
    // `client_priced`: the price was learned from the client (see above).
    void add(const std::string& model, int64_t responses, const TokenCounts& tokens,
             const std::optional<int64_t>& cost_pico_usd, bool client_priced = false);
};

// Rounds pico-dollars to the nearest micro-dollar (half away from zero); never overflows.
int64_t micro_usd(int64_t pico_usd);

struct UsageReport {
    UsageTotals totals;
    std::map<std::string, UsageTotals> groups;  // empty for Grouping::none
};

// "YYYY-MM-DD" of a UTC millisecond timestamp.
std::string utc_day(int64_t timestamp_ms);

// The group an aggregated row (read with the same grouping) belongs to: "" for none, the
// session id, cwd, model or UTC day ("YYYY-MM-DD"; rows per day), and for branch the cwd and the
// branch joined by '\0' (a branch is named per project).
std::string group_key(Grouping grouping, const AggregateRow& row);

Result<UsageReport> build_report(const UsageStore& store, const PriceTable& prices,
                                 const ResponseFilter& filter, Grouping group_by);

}  // namespace ccmeter
