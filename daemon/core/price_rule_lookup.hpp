// The price rule of a model at a time, for callers that price many rows of few models (the
// turn rollups of every session, one session's turns): each raw model name is normalised once
// (normalise_model is most of what pricing a row costs), then PriceTable::find_normalised.
//
// Gives exactly what PriceTable::find, cost_pico_usd and is_learned give for the same
// arguments. Holds a reference to `prices`, which must outlive it; not thread-safe (one per
// query).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/price_table.hpp"

namespace ccmeter {

// A cost and whether the rule that gave it was learned from the client (unpriced: no cost).
struct RowPrice {
    std::optional<int64_t> cost_pico_usd;
    bool learned = false;
};

class PriceRuleLookup {
  public:
    explicit PriceRuleLookup(const PriceTable& prices) : m_prices(prices) {}

    // As PriceTable::find.
    const PriceRule* find(const std::string& model, int64_t timestamp_ms);

    // As PriceTable::cost_pico_usd(model, timestamp_ms, speed, long_context, tokens) and
    // PriceTable::is_learned(model, timestamp_ms).
    RowPrice price(const std::string& model, int64_t timestamp_ms, std::string_view speed,
                   bool long_context, const TokenCounts& tokens);

  private:
    const PriceTable& m_prices;
    std::unordered_map<std::string, std::string> m_normalised;  // raw name -> normalised
    std::string m_last_raw;
    const std::string* m_last = nullptr;
};

}  // namespace ccmeter
