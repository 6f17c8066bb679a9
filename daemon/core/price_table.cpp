#include "core/price_table.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cctype>
#include <cmath>
#include <fstream>
#include <sstream>

#include "common/saturating_int.hpp"
#include "core/usage_parser.hpp"

namespace ccmeter {

namespace json = boost::json;

namespace {

// USD per million tokens -> micro-dollars per million tokens.
constexpr int64_t usd(double dollars_per_million) {
    return static_cast<int64_t>(dollars_per_million * 1'000'000.0 + 0.5);
}

constexpr TokenPrices prices(double input, double write_5m, double write_1h, double read,
                             double output) {
    return TokenPrices{usd(input), usd(write_5m), usd(write_1h), usd(read), usd(output)};
}

bool is_digits(std::string_view text) {
    return !text.empty() &&
           std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool rule_less(const PriceRule& a, const PriceRule& b) {
    return a.model != b.model ? a.model < b.model : a.effective_from_ms < b.effective_from_ms;
}

std::optional<int64_t> price_field(const json::object& object, std::string_view key,
                                   std::string& error) {
    const json::value* value = object.if_contains(key);
    if (!value || !value->is_number()) {
        error = std::string("missing or non-numeric \"").append(key).append("\"");
        return std::nullopt;
    }
    const double dollars = value->to_number<double>();
    if (dollars < 0 || dollars > 1e6) {
        error = std::string("\"").append(key).append("\" is out of range");
        return std::nullopt;
    }
    return static_cast<int64_t>(std::llround(dollars * 1'000'000.0));
}

std::optional<TokenPrices> prices_from_json(const json::object& object, std::string& error) {
    TokenPrices result;
    const std::pair<const char*, int64_t*> fields[] = {{"input", &result.input},
                                                       {"cache_write_5m", &result.cache_write_5m},
                                                       {"cache_write_1h", &result.cache_write_1h},
                                                       {"cache_read", &result.cache_read},
                                                       {"output", &result.output}};
    for (const auto& [key, target] : fields) {
        std::optional<int64_t> value = price_field(object, key, error);
        if (!value)
            return std::nullopt;
        *target = *value;
    }
    return result;
}

}  // namespace

std::string normalise_model(std::string_view model) {
    std::string id;
    id.reserve(model.size());
    for (char c : model)
        id.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    if (size_t bracket = id.find('['); bracket != std::string::npos)
        id.resize(bracket);  // [1m]
    if (size_t at = id.find('@'); at != std::string::npos)
        id.resize(at);  // vertex @date
    if (size_t anthropic = id.find("anthropic."); anthropic != std::string::npos)
        id.erase(0, anthropic + 10);  // bedrock "us.anthropic."
    // Bedrock "-v1:0" / "-v2".
    if (size_t colon = id.rfind(':'); colon != std::string::npos)
        id.resize(colon);
    if (size_t v = id.rfind("-v"); v != std::string::npos && is_digits(id.substr(v + 2)))
        id.resize(v);
    // Date suffix "-20250929".
    if (id.size() > 9 && id[id.size() - 9] == '-' && is_digits(id.substr(id.size() - 8)))
        id.resize(id.size() - 9);
    if (id.size() > 7 && id.compare(id.size() - 7, 7, "-latest") == 0)
        id.resize(id.size() - 7);
    return id;
}

PriceTable PriceTable::builtin() {
    PriceTable table;
    auto add = [&table](const char* model, TokenPrices base,
                        std::optional<TokenPrices> long_context) {
        PriceRule rule;
        rule.model = model;
        rule.prices = base;
        rule.long_context = long_context;
        table.add(std::move(rule));
    };
    const TokenPrices opus_new = prices(5, 6.25, 10, 0.50, 25);
    const TokenPrices opus_old = prices(15, 18.75, 30, 1.50, 75);
    const TokenPrices sonnet = prices(3, 3.75, 6, 0.30, 15);
    const TokenPrices sonnet_long = prices(6, 7.50, 12, 0.60, 22.50);
    for (const char* model : {"claude-opus-4-5", "claude-opus-4-6", "claude-opus-4-7",
                              "claude-opus-4-8", "claude-opus-5"})
        add(model, opus_new, std::nullopt);
    for (const char* model :
         {"claude-opus-4", "claude-opus-4-0", "claude-opus-4-1", "claude-3-opus"})
        add(model, opus_old, std::nullopt);
    for (const char* model : {"claude-sonnet-4", "claude-sonnet-4-0", "claude-sonnet-4-5"})
        add(model, sonnet, sonnet_long);
    for (const char* model : {"claude-sonnet-4-6", "claude-sonnet-3-7", "claude-3-7-sonnet",
                              "claude-sonnet-3-5", "claude-3-5-sonnet"})
        add(model, sonnet, std::nullopt);
    add("claude-haiku-4-5", prices(1, 1.25, 2, 0.10, 5), std::nullopt);
    add("claude-3-5-haiku", prices(0.80, 1, 1.60, 0.08, 4), std::nullopt);
    add("claude-3-haiku", prices(0.25, 0.30, 0.50, 0.03, 1.25), std::nullopt);
    add("claude-sonnet-5", prices(2, 2.50, 4, 0.20, 10), std::nullopt);
    add("claude-fable-5", prices(10, 12.50, 20, 1, 50), std::nullopt);
    // Measured on client 2.1.332 (2026-12-01; FACTS.md): the client's own costUSD for 1M
    // tokens of each kind. No long-context tier on any of them.
    add("claude-opus-5-5", prices(4, 5, 8, 0.20, 20), std::nullopt);
    add("claude-sonnet-5-5", prices(2, 2.50, 4, 0.10, 10), std::nullopt);
    add("claude-haiku-5-5", prices(0.50, 0.625, 1, 0.05, 2.50), std::nullopt);
    for (const char* model : {"claude-fable-5-1", "claude-mythos-5-1"})
        add(model, prices(10, 12.50, 20, 0.25, 50), std::nullopt);
    for (const char* model : {"claude-fable-5-2", "claude-mythos-5-2"})
        add(model, prices(8, 10, 16, 0.20, 40), std::nullopt);
    // Fast mode (usage.speed == "fast").
    for (PriceRule& rule : table.m_rules) {
        if (rule.model == "claude-opus-4-6" || rule.model == "claude-opus-4-7")
            rule.fast_multiplier = 6;
        if (rule.model == "claude-opus-4-8")
            rule.fast_multiplier = 2;
    }
    return table;
}

void PriceTable::add(PriceRule rule) {
    rule.model = normalise_model(rule.model);
    auto same = std::find_if(m_rules.begin(), m_rules.end(), [&](const PriceRule& existing) {
        return existing.model == rule.model && existing.effective_from_ms == rule.effective_from_ms;
    });
    if (same != m_rules.end()) {
        *same = std::move(rule);
        return;
    }
    m_rules.insert(std::upper_bound(m_rules.begin(), m_rules.end(), rule, rule_less),
                   std::move(rule));
}

std::string PriceTable::load_overrides(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in)
        return "cannot open " + file.string();
    std::stringstream text;
    text << in.rdbuf();
    json::error_code ec;
    json::value root = json::parse(text.str(), ec);
    const json::object* top = root.if_object();
    const json::value* models = top ? top->if_contains("models") : nullptr;
    if (ec || !models || !models->is_array())
        return file.string() + ": expected {\"models\": [...]}" +
               (ec ? " (" + ec.message() + ")" : "");
    std::vector<PriceRule> rules;
    for (const json::value& entry : models->get_array()) {
        const json::object* object = entry.if_object();
        const json::value* model = object ? object->if_contains("model") : nullptr;
        if (!model || !model->is_string())
            return file.string() + ": every entry needs a \"model\" string";
        const std::string where = file.string() + ": " + std::string(model->get_string()) + ": ";
        PriceRule rule;
        rule.model = model->get_string();
        rule.source = PriceSource::user_file;
        if (const json::value* from = object->if_contains("effective_from")) {
            std::string date = from->is_string() ? std::string(from->get_string()) : "";
            if (date.size() == 10)
                date += "T00:00:00Z";
            std::optional<int64_t> ms = parse_timestamp_ms(date);
            if (!ms)
                return where + "effective_from must be a date like 2026-12-01";
            rule.effective_from_ms = *ms;
        }
        std::string error;
        std::optional<TokenPrices> base = prices_from_json(*object, error);
        if (!base)
            return where + error;
        rule.prices = *base;
        if (const json::value* premium = object->if_contains("long_context")) {
            if (!premium->is_object())
                return where + "long_context must be an object";
            rule.long_context = prices_from_json(premium->get_object(), error);
            if (!rule.long_context)
                return where + "long_context: " + error;
        }
        if (const json::value* fast = object->if_contains("fast_multiplier")) {
            if (!fast->is_number() || fast->to_number<double>() < 1)
                return where + "fast_multiplier must be a number >= 1";
            rule.fast_multiplier = std::llround(fast->to_number<double>());
        }
        rules.push_back(std::move(rule));
    }
    for (PriceRule& rule : rules)
        add(std::move(rule));
    return {};
}

bool PriceTable::knows(std::string_view model) const {
    const std::string key = normalise_model(model);
    auto it = std::lower_bound(
        m_rules.begin(), m_rules.end(), key,
        [](const PriceRule& rule, const std::string& wanted) { return rule.model < wanted; });
    return it != m_rules.end() && it->model == key;
}

const PriceRule* PriceTable::find(std::string_view model, int64_t timestamp_ms) const {
    return find_normalised(normalise_model(model), timestamp_ms);
}

const PriceRule* PriceTable::find_normalised(std::string_view id, int64_t timestamp_ms) const {
    auto it = std::lower_bound(
        m_rules.begin(), m_rules.end(), id,
        [](const PriceRule& rule, std::string_view key) { return rule.model < key; });
    if (it == m_rules.end() || it->model != id)
        return nullptr;
    // The latest rule in force; a response older than every rule uses the earliest one.
    const PriceRule* best = &*it;
    for (++it; it != m_rules.end() && it->model == id && it->effective_from_ms <= timestamp_ms;
         ++it)
        best = &*it;
    return best;
}

std::optional<int64_t> PriceTable::cost_pico_usd(std::string_view model, int64_t timestamp_ms,
                                                 std::string_view speed,
                                                 const TokenCounts& tokens) const {
    return cost_pico_usd(model, timestamp_ms, speed, is_long_context(tokens), tokens);
}

std::optional<int64_t> PriceTable::cost_pico_usd(std::string_view model, int64_t timestamp_ms,
                                                 std::string_view speed, bool long_context,
                                                 const TokenCounts& tokens) const {
    std::optional<CostParts> parts = cost_parts(model, timestamp_ms, speed, long_context, tokens);
    if (!parts)
        return std::nullopt;
    return parts->total();
}

std::optional<CostParts> PriceTable::cost_parts(std::string_view model, int64_t timestamp_ms,
                                                std::string_view speed, bool long_context,
                                                const TokenCounts& tokens) const {
    const PriceRule* rule = find(model, timestamp_ms);
    if (!rule)
        return std::nullopt;
    return cost_parts(*rule, speed, long_context, tokens);
}

CostParts PriceTable::cost_parts(const PriceRule& rule, std::string_view speed, bool long_context,
                                 const TokenCounts& tokens) {
    const TokenPrices& p = rule.long_context && long_context ? *rule.long_context : rule.prices;
    const int64_t multiplier = speed == "fast" ? rule.fast_multiplier : 1;
    // The client's own formula: 5m writes are whatever of cache_creation is not 1h.
    const int64_t write_1h = std::min(tokens.cache_1h, tokens.cache_creation_input_tokens);
    const int64_t write_5m = tokens.cache_creation_input_tokens - write_1h;
    // Saturating: token sums over many responses times pico-dollar rates can pass int64.
    auto cost = [multiplier](int64_t count, int64_t rate) {
        return saturating_multiply(saturating_multiply(count, rate), multiplier);
    };
    CostParts parts;
    parts.input = cost(tokens.input_tokens, p.input);
    parts.output = cost(tokens.output_tokens, p.output);
    parts.cache_write =
        saturating_add(cost(write_1h, p.cache_write_1h), cost(write_5m, p.cache_write_5m));
    parts.cache_read = cost(tokens.cache_read_input_tokens, p.cache_read);
    parts.web_search = saturating_multiply(tokens.web_search_requests, k_web_search_pico_usd);
    parts.cache_savings = cost(tokens.cache_read_input_tokens, p.input - p.cache_read);
    return parts;
}

int64_t CostParts::total() const {
    return saturating_add(
        saturating_add(saturating_add(input, output), saturating_add(cache_write, cache_read)),
        web_search);
}

void CostParts::add(const CostParts& other) {
    input = saturating_add(input, other.input);
    output = saturating_add(output, other.output);
    cache_write = saturating_add(cache_write, other.cache_write);
    cache_read = saturating_add(cache_read, other.cache_read);
    web_search = saturating_add(web_search, other.web_search);
    cache_savings = saturating_add(cache_savings, other.cache_savings);
}

}  // namespace ccmeter
