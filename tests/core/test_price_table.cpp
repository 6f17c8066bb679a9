// Prices: what one response costs, in exact pico-dollars (micro-dollars per million tokens).
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "core/price_table.hpp"
#include "core/usage_parser.hpp"

using namespace ccmeter;

namespace {

TokenCounts tokens(int64_t input, int64_t output, int64_t cache_write, int64_t cache_read,
                   int64_t cache_1h) {
    TokenCounts t;
    t.input_tokens = input;
    t.output_tokens = output;
    t.cache_creation_input_tokens = cache_write;
    t.cache_read_input_tokens = cache_read;
    t.cache_1h = cache_1h;
    t.cache_5m = cache_write - cache_1h;
    return t;
}

constexpr int64_t k_million = 1'000'000;
constexpr int64_t k_dollar_pico = 1'000'000'000'000;

}  // namespace

TEST_CASE("model ids are normalised before lookup", "[prices]") {
    CHECK(normalise_model("claude-sonnet-4-5-20250929") == "claude-sonnet-4-5");
    CHECK(normalise_model("claude-opus-4-8[1m]") == "claude-opus-4-8");
    CHECK(normalise_model("us.anthropic.claude-sonnet-4-5-20250929-v1:0") == "claude-sonnet-4-5");
    CHECK(normalise_model("claude-opus-4-5@20251101") == "claude-opus-4-5");
    CHECK(normalise_model("Claude-Haiku-4-5") == "claude-haiku-4-5");
}

TEST_CASE("1h cache writes cost 2x input, 5m writes 1.25x, reads 0.1x", "[prices]") {
    const PriceTable prices = PriceTable::builtin();
    // Opus 4.5: in 5, 5m 6.25, 1h 10, read 0.5, out 25 (USD per million).
    CHECK(*prices.cost_pico_usd("claude-opus-4-5-20251101", 0, "",
                                tokens(0, 0, k_million, 0, k_million)) == 10 * k_dollar_pico);
    CHECK(*prices.cost_pico_usd("claude-opus-4-5", 0, "", tokens(0, 0, k_million, 0, 0)) ==
          6'250'000 * k_million);
    CHECK(*prices.cost_pico_usd("claude-opus-4-5", 0, "", tokens(0, 0, 0, k_million, 0)) ==
          k_dollar_pico / 2);
    // The client's formula: 5m = cache_creation - 1h.
    CHECK(*prices.cost_pico_usd("claude-opus-4-5", 0, "", tokens(1, 1, 300, 0, 100)) ==
          1LL * 5'000'000 + 1LL * 25'000'000 + 100LL * 10'000'000 + 200LL * 6'250'000);
    CHECK(*prices.cost_pico_usd("claude-3-5-haiku-20241022", 0, "",
                                tokens(k_million, 0, 0, 0, 0)) == 800'000 * k_million);
}

TEST_CASE("Sonnet 4 and 4.5 bill every token of a >200k-input request at the premium rate",
          "[prices]") {
    const PriceTable prices = PriceTable::builtin();
    const TokenCounts at_limit = tokens(100'000, 1000, 50'000, 50'000, 0);  // exactly 200k
    const TokenCounts over = tokens(100'001, 1000, 50'000, 50'000, 0);      // 200,001
    CHECK(*prices.cost_pico_usd("claude-sonnet-4-5-20250929", 0, "", at_limit) ==
          100'000LL * 3'000'000 + 1000LL * 15'000'000 + 50'000LL * 3'750'000 + 50'000LL * 300'000);
    CHECK(*prices.cost_pico_usd("claude-sonnet-4-20250514", 0, "", over) ==
          100'001LL * 6'000'000 + 1000LL * 22'500'000 + 50'000LL * 7'500'000 + 50'000LL * 600'000);
    CHECK(*prices.cost_pico_usd("claude-sonnet-4-6", 0, "", over) ==
          100'001LL * 3'000'000 + 1000LL * 15'000'000 + 50'000LL * 3'750'000 + 50'000LL * 300'000);
}

TEST_CASE("fast mode multiplies token prices; web searches cost $0.01 each", "[prices]") {
    const PriceTable prices = PriceTable::builtin();
    TokenCounts t = tokens(k_million, 0, 0, 0, 0);
    CHECK(*prices.cost_pico_usd("claude-opus-4-6", 0, "fast", t) == 30 * k_dollar_pico);
    CHECK(*prices.cost_pico_usd("claude-opus-4-8", 0, "fast", t) == 10 * k_dollar_pico);
    CHECK(*prices.cost_pico_usd("claude-opus-4-8", 0, "standard", t) == 5 * k_dollar_pico);
    t = tokens(0, 0, 0, 0, 0);
    t.web_search_requests = 3;
    CHECK(*prices.cost_pico_usd("claude-opus-4-6", 0, "fast", t) == 3 * k_dollar_pico / 100);
}

TEST_CASE("client 2.1.332's models are priced as the client prices them", "[prices]") {
    const PriceTable table = PriceTable::builtin();
    // A cost-state record of client 2.1.332 (captured/client-2.1.332): claude-opus-5-5, 24 in,
    // 64 out, 10000 read, 2000 written (800 of them 1h) cost the client $0.015776.
    CHECK(table.cost_pico_usd("claude-opus-5-5", 0, "", tokens(24, 64, 2000, 10000, 800)) ==
          15'776 * k_million);
    // One million tokens of one kind: each rate of FACTS.md's table.
    struct Row {
        const char* model;
        double input, write_5m, write_1h, read, output;
    };
    const Row rows[] = {{"claude-sonnet-5-5", 2, 2.5, 4, 0.10, 10},
                        {"claude-haiku-5-5", 0.5, 0.625, 1, 0.05, 2.5},
                        {"claude-fable-5-1", 10, 12.5, 20, 0.25, 50},
                        {"claude-mythos-5-1", 10, 12.5, 20, 0.25, 50},
                        {"claude-fable-5-2", 8, 10, 16, 0.20, 40},
                        {"claude-mythos-5-2-20261101", 8, 10, 16, 0.20, 40}};
    for (const Row& row : rows) {
        INFO(row.model);
        const auto usd = [](double dollars) {
            return static_cast<int64_t>(dollars * 1e6 + 0.5) * k_million;
        };
        CHECK(table.cost_pico_usd(row.model, 0, "", tokens(k_million, 0, 0, 0, 0)) ==
              usd(row.input));
        CHECK(table.cost_pico_usd(row.model, 0, "", tokens(0, 0, k_million, 0, 0)) ==
              usd(row.write_5m));
        CHECK(table.cost_pico_usd(row.model, 0, "", tokens(0, 0, k_million, 0, k_million)) ==
              usd(row.write_1h));
        CHECK(table.cost_pico_usd(row.model, 0, "", tokens(0, 0, 0, k_million, 0)) ==
              usd(row.read));
        CHECK(table.cost_pico_usd(row.model, 0, "", tokens(0, k_million, 0, 0, 0)) ==
              usd(row.output));
        // No >200k tier: 300k input costs 0.3x the 1M price.
        CHECK(table.cost_pico_usd(row.model, 0, "", tokens(300'000, 0, 0, 0, 0)) ==
              usd(row.input) * 3 / 10);
    }
}

TEST_CASE("an unknown model has no price", "[prices]") {
    CHECK_FALSE(PriceTable::builtin().cost_pico_usd("gpt-4", 0, "", tokens(1, 1, 0, 0, 0)));
}

TEST_CASE("a user price file adds rules with effective dates", "[prices]") {
    const auto file = std::filesystem::temp_directory_path() / "ccmeter-test-prices.json";
    std::ofstream(file)
        << R"({"models": [{"model": "claude-opus-4-8", "effective_from": "2026-12-01",
        "input": 4, "cache_write_5m": 5, "cache_write_1h": 8, "cache_read": 0.4, "output": 20,
        "fast_multiplier": 2}, {"model": "claude-new-1", "input": 1, "cache_write_5m": 1,
        "cache_write_1h": 1, "cache_read": 1, "output": 1}]})";
    PriceTable prices = PriceTable::builtin();
    REQUIRE(prices.load_overrides(file).empty());
    const int64_t before = *parse_timestamp_ms("2026-11-30T23:59:59.999Z");
    const int64_t after = *parse_timestamp_ms("2026-12-01T00:00:00.000Z");
    const TokenCounts t = tokens(k_million, 0, 0, 0, 0);
    CHECK(*prices.cost_pico_usd("claude-opus-4-8", before, "", t) == 5 * k_dollar_pico);
    CHECK(*prices.cost_pico_usd("claude-opus-4-8", after, "", t) == 4 * k_dollar_pico);
    CHECK(*prices.cost_pico_usd("claude-new-1-20270101", after, "", t) == k_dollar_pico);

    std::ofstream(file, std::ios::trunc) << R"({"models": [{"model": "x", "input": "cheap"}]})";
    const std::string error = prices.load_overrides(file);
    CHECK_FALSE(error.empty());
    CHECK(*prices.cost_pico_usd("claude-opus-4-8", after, "", t) ==
          4 * k_dollar_pico);  // unchanged
    std::filesystem::remove(file);
}
