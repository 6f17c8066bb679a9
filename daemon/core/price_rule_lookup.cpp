#include "core/price_rule_lookup.hpp"

namespace ccmeter {

const PriceRule* PriceRuleLookup::find(const std::string& model, int64_t timestamp_ms) {
    if (m_last == nullptr || model != m_last_raw) {
        m_last_raw = model;
        auto found = m_normalised.find(model);
        if (found == m_normalised.end())
            found = m_normalised.emplace(model, normalise_model(model)).first;
        m_last = &found->second;
    }
    return m_prices.find_normalised(*m_last, timestamp_ms);
}

RowPrice PriceRuleLookup::price(const std::string& model, int64_t timestamp_ms,
                                std::string_view speed, bool long_context,
                                const TokenCounts& tokens) {
    RowPrice price;
    const PriceRule* rule = find(model, timestamp_ms);
    if (rule == nullptr)
        return price;
    price.cost_pico_usd = PriceTable::cost_parts(*rule, speed, long_context, tokens).total();
    price.learned = rule->source == PriceSource::learned;
    return price;
}

}  // namespace ccmeter
