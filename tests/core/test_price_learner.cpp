// Rates recovered from the client's own figures: exactly when the equations fix them, the
// client's per-process totals kept when they do not, and contradictions reported.
#include <catch2/catch.hpp>
#include <random>

#include "core/price_learner.hpp"

using namespace ccmeter;

namespace {

// The client's formula (FACTS.md) at `p`, in pico-dollars, as the client writes it: USD
// rounded through a double.
int64_t client_cost(const TokenCounts& t, const TokenPrices& p) {
    const int64_t pico = t.input_tokens * p.input + t.output_tokens * p.output +
                         t.cache_read_input_tokens * p.cache_read + t.cache_1h * p.cache_write_1h +
                         (t.cache_creation_input_tokens - t.cache_1h) * p.cache_write_5m +
                         t.web_search_requests * k_web_search_pico_usd;
    const double usd = static_cast<double>(pico) / 1e12;
    return static_cast<int64_t>(std::llround(usd * 1e12));
}

TokenCounts random_tokens(std::mt19937_64& random) {
    std::uniform_int_distribution<int64_t> small(0, 5'000), large(0, 2'000'000);
    TokenCounts t;
    t.input_tokens = small(random);
    t.output_tokens = small(random) * 10;
    t.cache_read_input_tokens = large(random);
    t.cache_1h = large(random) / 10;
    t.cache_creation_input_tokens = t.cache_1h + large(random) / 20;
    t.web_search_requests = small(random) % 3;
    return t;
}

const TokenPrices k_opus_5_5{4'000'000, 5'000'000, 8'000'000, 200'000, 20'000'000};
const TokenPrices k_haiku_5_5{500'000, 625'000, 1'000'000, 50'000, 2'500'000};

}  // namespace

TEST_CASE("enough varied processes give the rates exactly", "[price_learner]") {
    std::mt19937_64 random(7);
    for (const TokenPrices& truth : {k_opus_5_5, k_haiku_5_5}) {
        std::vector<PriceEquation> equations;
        for (int i = 0; i < 8; ++i) {
            const TokenCounts t = random_tokens(random);
            equations.push_back({t, client_cost(t, truth)});
        }
        // A prior far from the truth: only the equations decide.
        const std::optional<LearnedPrices> learned = learn_prices(
            equations, TokenPrices{15'000'000, 18'750'000, 30'000'000, 1'500'000, 75'000'000});
        REQUIRE(learned);
        CHECK(learned->determined());
        CHECK(learned->consistent);
        CHECK(learned->equations == 8);
        CHECK(learned->prices.input == truth.input);
        CHECK(learned->prices.cache_write_5m == truth.cache_write_5m);
        CHECK(learned->prices.cache_write_1h == truth.cache_write_1h);
        CHECK(learned->prices.cache_read == truth.cache_read);
        CHECK(learned->prices.output == truth.output);
    }
}

TEST_CASE("too few equations still reproduce every process the client priced", "[price_learner]") {
    std::mt19937_64 random(11);
    std::vector<PriceEquation> equations;
    for (int i = 0; i < 2; ++i) {
        const TokenCounts t = random_tokens(random);
        equations.push_back({t, client_cost(t, k_opus_5_5)});
    }
    const std::optional<LearnedPrices> learned = learn_prices(equations, k_haiku_5_5);
    REQUIRE(learned);
    CHECK_FALSE(learned->determined());
    CHECK(learned->fixed_rates == 2);
    CHECK(learned->consistent);
    for (const PriceEquation& e : equations) {
        const int64_t ours = client_cost(e.tokens, learned->prices);
        CHECK(std::llabs(ours - e.cost_pico_usd) < 1'000'000);  // within a micro-dollar
    }
}

TEST_CASE("equations that no single price satisfies are fitted and reported", "[price_learner]") {
    std::mt19937_64 random(3);
    std::vector<PriceEquation> equations;
    for (int i = 0; i < 10; ++i) {
        const TokenCounts t = random_tokens(random);
        // Half the history at one price, half at double: a price change.
        TokenPrices p = k_opus_5_5;
        if (i % 2) {
            p.input *= 2;
            p.output *= 2;
        }
        equations.push_back({t, client_cost(t, p)});
    }
    const std::optional<LearnedPrices> learned = learn_prices(equations, k_opus_5_5);
    REQUIRE(learned);
    CHECK_FALSE(learned->consistent);
}

TEST_CASE("no tokens, nothing learned", "[price_learner]") {
    CHECK_FALSE(learn_prices({}, k_opus_5_5));
    CHECK_FALSE(learn_prices({PriceEquation{TokenCounts{}, 0}}, k_opus_5_5));
}
