// PriceRuleLookup: the same prices as PriceTable, each raw model name normalised once.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "core/price_rule_lookup.hpp"

using namespace ccmeter;

namespace {

constexpr int64_t k_nov_2026_ms = 1'793'491'200'000;  // 2026-11-01T00:00:00Z

TokenCounts some_tokens(int64_t scale) {
    TokenCounts t;
    t.input_tokens = 3 * scale;
    t.output_tokens = 700 * scale;
    t.cache_creation_input_tokens = 20'000 * scale;
    t.cache_1h = 5'000 * scale;
    t.cache_5m = 15'000 * scale;
    t.cache_read_input_tokens = 90'000 * scale;
    t.web_search_requests = scale;
    return t;
}

}  // namespace

TEST_CASE("a price rule lookup prices as the table does, model after model", "[prices]") {
    PriceTable prices = PriceTable::builtin();
    // A learned rule from a date on, so that the lookup must follow the time as well.
    PriceRule learned = *prices.find("claude-opus-4-5", k_nov_2026_ms);
    learned.effective_from_ms = k_nov_2026_ms;
    learned.prices.output *= 2;
    learned.source = PriceSource::learned;
    prices.add(learned);

    PriceRuleLookup lookup(prices);
    // Raw names in several spellings, repeated and interleaved (the cache keys on the raw name),
    // an unknown model and the empty name.
    const std::vector<std::string> models = {"claude-opus-4-5-20251101",
                                             "claude-opus-4-5-20251101",
                                             "us.anthropic.claude-opus-4-5-v1:0",
                                             "claude-sonnet-4-5-20250929",
                                             "",
                                             "claude-unknown-9",
                                             "claude-opus-4-5-20251101",
                                             "Claude-Haiku-4-5",
                                             "claude-sonnet-4-5-20250929[1m]"};
    int priced = 0;
    int learned_seen = 0;
    for (int64_t at : {k_nov_2026_ms - 86'400'000, k_nov_2026_ms}) {
        for (size_t i = 0; i < models.size(); ++i) {
            INFO(models[i] << " at " << at);
            const TokenCounts tokens = some_tokens(static_cast<int64_t>(i) + 1);
            for (bool long_context : {false, true}) {
                for (const char* speed : {"", "fast"}) {
                    const RowPrice got = lookup.price(models[i], at, speed, long_context, tokens);
                    CHECK(got.cost_pico_usd ==
                          prices.cost_pico_usd(models[i], at, speed, long_context, tokens));
                    CHECK(got.learned == (got.cost_pico_usd && prices.is_learned(models[i], at)));
                    CHECK(lookup.find(models[i], at) == prices.find(models[i], at));
                    priced += got.cost_pico_usd ? 1 : 0;
                    learned_seen += got.learned ? 1 : 0;
                }
            }
        }
    }
    CHECK(priced == 2 * 7 * 4);    // all but the unknown and the empty name
    CHECK(learned_seen == 4 * 4);  // the four opus 4.5 rows, from the day of the rule
    CHECK_FALSE(lookup.price("", k_nov_2026_ms, "", false, some_tokens(1)).cost_pico_usd);
}
