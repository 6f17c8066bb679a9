// What Claude's tokens cost, and the exact cost of one response.
//
// Units: a price is in micro-dollars per million tokens, which is the same number as
// pico-dollars (1e-12 USD) per token; a cost is in pico-dollars, an exact integer. Reports
// round to micro-dollars only when they print. Prices are looked up at query time from the
// raw tokens, so a changed price re-applies to all history.
//
// A PriceTable is immutable once built and safe to share between threads.
#pragma once

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/usage_record.hpp"

namespace ccmeter {

// Micro-dollars per million tokens (= pico-dollars per token).
struct TokenPrices {
    int64_t input = 0;
    int64_t cache_write_5m = 0;
    int64_t cache_write_1h = 0;
    int64_t cache_read = 0;
    int64_t output = 0;
    bool operator==(const TokenPrices&) const = default;
};

// Where a rule comes from (`hookctl pricing` shows it).
enum class PriceSource {
    builtin,    // compiled in (FACTS.md's table)
    user_file,  // the user's prices.json
    learned,    // from the client's own cost records (price_learner.hpp)
};

// For a learned rule: what it was learned from.
struct LearnedFrom {
    int equations = 0;        // client processes (per model) that priced it
    bool determined = false;  // the equations fix every rate used; else the split is a guess
    bool consistent = false;  // every equation reproduced; else a least-squares fit
    bool operator==(const LearnedFrom&) const = default;
};

struct PriceRule {
    std::string model;              // a normalised model id, e.g. "claude-opus-4-5"
    int64_t effective_from_ms = 0;  // UTC; the rule applies to responses at or after it
    TokenPrices prices;
    // Premium prices for every token of a request whose input (input + cache write + cache
    // read) exceeds k_long_context_threshold_tokens (Sonnet 4 / 4.5 with the 1M beta).
    std::optional<TokenPrices> long_context;
    int64_t fast_multiplier = 1;  // usage.speed == "fast"
    PriceSource source = PriceSource::builtin;
    std::optional<LearnedFrom> learned;  // source == learned
    bool operator==(const PriceRule&) const = default;
};

// What each kind of token cost, and what prompt caching saved, in pico-dollars.
// The parts add up to the cost: input + output + cache_write + cache_read + web_search (the
// fast multiplier and the long-context tier apply to every token part; web searches are never
// multiplied). cache_savings = cache-read tokens x (input price - cache-read price), at the
// same tier and multiplier; it is not part of total().
struct CostParts {
    int64_t input = 0;
    int64_t output = 0;
    int64_t cache_write = 0;  // 5m and 1h writes
    int64_t cache_read = 0;
    int64_t web_search = 0;
    int64_t cache_savings = 0;

    // Both saturate (common/saturating_int.hpp): a part at the int64 bound is "at least".
    int64_t total() const;
    void add(const CostParts& other);
    bool operator==(const CostParts&) const = default;
};

// A figure the client wrote in USD (a double: ~16 significant digits, enough for any figure
// below $10^6 to the pico) in pico-dollars, rounded to the nearest. The caller checks the range.
inline int64_t pico_usd_from_usd(double usd) {
    return static_cast<int64_t>(std::llround(usd * 1e12));
}

// A request with more input tokens than this is billed at the long-context rate.
constexpr int64_t k_long_context_threshold_tokens = 200'000;
// $0.01 per web search request, in pico-dollars.
constexpr int64_t k_web_search_pico_usd = 10'000'000'000;

// True when one request's input (input + cache write + cache read) is over the threshold.
inline bool is_long_context(const TokenCounts& request) {
    return request.input_tokens + request.cache_creation_input_tokens +
               request.cache_read_input_tokens >
           k_long_context_threshold_tokens;
}

// "claude-sonnet-4-5-20250929" -> "claude-sonnet-4-5"; also drops "[1m]", provider prefixes
// ("us.anthropic."), Bedrock/Vertex version suffixes ("-v1:0", "@20250929") and upper case.
std::string normalise_model(std::string_view model);

class PriceTable {
  public:
    // The prices of ../shared/claude-code/FACTS.md, compiled in.
    static PriceTable builtin();

    // Adds the rules of a user file; a rule for a model and date already present replaces it.
    // Format: {"models": [{"model": "claude-opus-4-8", "effective_from": "2026-12-01",
    //   "input": 5, "cache_write_5m": 6.25, "cache_write_1h": 10, "cache_read": 0.5,
    //   "output": 25, "fast_multiplier": 2, "long_context": {same five prices}}]}
    // with prices in USD per million tokens. Returns an error message, or empty on success;
    // on error the table is unchanged.
    std::string load_overrides(const std::filesystem::path& file);

    void add(PriceRule rule);

    // Every rule, sorted by (model, effective_from_ms).
    const std::vector<PriceRule>& rules() const { return m_rules; }

    // True when the rule in force for `model` at `timestamp_ms` was learned from the client.
    bool is_learned(std::string_view model, int64_t timestamp_ms) const {
        const PriceRule* rule = find(model, timestamp_ms);
        return rule && rule->source == PriceSource::learned;
    }

    // True when some rule exists for `model` (raw or normalised), at any date.
    bool knows(std::string_view model) const;

    // The rule for `model` (raw or normalised) in force at `timestamp_ms`, or nullptr when the
    // model is unknown: such responses are reported as unpriced, never priced at $0.
    const PriceRule* find(std::string_view model, int64_t timestamp_ms) const;
    // The same for a model id already normalised (normalise_model): no allocation.
    const PriceRule* find_normalised(std::string_view id, int64_t timestamp_ms) const;

    // Exact cost of one response in pico-dollars, or nullopt for an unknown model.
    std::optional<int64_t> cost_pico_usd(std::string_view model, int64_t timestamp_ms,
                                         std::string_view speed, const TokenCounts& tokens) const;

    // Exact cost of the summed tokens of responses that share model, price date, speed and
    // tier (`long_context`: each of them was over the long-context threshold). Prices are
    // linear, so this equals the sum of their single costs. It is cost_parts(...)->total().
    std::optional<int64_t> cost_pico_usd(std::string_view model, int64_t timestamp_ms,
                                         std::string_view speed, bool long_context,
                                         const TokenCounts& tokens) const;

    // The same cost, part by part: the one implementation of the client's formula.
    std::optional<CostParts> cost_parts(std::string_view model, int64_t timestamp_ms,
                                        std::string_view speed, bool long_context,
                                        const TokenCounts& tokens) const;
    // The same under a rule already found (find / find_normalised).
    static CostParts cost_parts(const PriceRule& rule, std::string_view speed, bool long_context,
                                const TokenCounts& tokens);

  private:
    std::vector<PriceRule> m_rules;  // sorted by (model, effective_from_ms)
};

}  // namespace ccmeter
