#include "core/price_learner.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>

namespace ccmeter {

namespace {

constexpr int k_rates = 5;  // input, 5m write, 1h write, cache read, output
using Vector = std::array<double, k_rates>;
using Matrix = std::array<Vector, k_rates>;

// The token vector of an equation in rate order.
Vector token_vector(const TokenCounts& t) {
    const int64_t write_1h = std::min(t.cache_1h, t.cache_creation_input_tokens);
    return {static_cast<double>(t.input_tokens),
            static_cast<double>(t.cache_creation_input_tokens - write_1h),
            static_cast<double>(write_1h), static_cast<double>(t.cache_read_input_tokens),
            static_cast<double>(t.output_tokens)};
}

std::array<int64_t, k_rates> rates_of(const TokenPrices& p) {
    return {p.input, p.cache_write_5m, p.cache_write_1h, p.cache_read, p.output};
}

TokenPrices prices_of(const std::array<int64_t, k_rates>& r) {
    return TokenPrices{r[0], r[1], r[2], r[3], r[4]};
}

// Eigenvalues and eigenvectors (columns of `vectors`) of a symmetric matrix, by Jacobi sweeps.
void symmetric_eigen(Matrix a, Vector& values, Matrix& vectors) {
    for (int i = 0; i < k_rates; ++i)
        for (int j = 0; j < k_rates; ++j)
            vectors[i][j] = i == j ? 1.0 : 0.0;
    for (int sweep = 0; sweep < 100; ++sweep) {
        double off = 0;
        for (int i = 0; i < k_rates; ++i)
            for (int j = i + 1; j < k_rates; ++j)
                off += a[i][j] * a[i][j];
        if (off < 1e-30)
            break;
        for (int p = 0; p < k_rates; ++p) {
            for (int q = p + 1; q < k_rates; ++q) {
                if (std::abs(a[p][q]) < 1e-300)
                    continue;
                const double theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
                const double t =
                    (theta >= 0 ? 1.0 : -1.0) / (std::abs(theta) + std::sqrt(theta * theta + 1.0));
                const double c = 1.0 / std::sqrt(t * t + 1.0), s = t * c;
                for (int k = 0; k < k_rates; ++k) {  // a = a * J
                    const double akp = a[k][p], akq = a[k][q];
                    a[k][p] = c * akp - s * akq;
                    a[k][q] = s * akp + c * akq;
                }
                for (int k = 0; k < k_rates; ++k) {  // a = J^T * a
                    const double apk = a[p][k], aqk = a[q][k];
                    a[p][k] = c * apk - s * aqk;
                    a[q][k] = s * apk + c * aqk;
                }
                for (int k = 0; k < k_rates; ++k) {
                    const double vkp = vectors[k][p], vkq = vectors[k][q];
                    vectors[k][p] = c * vkp - s * vkq;
                    vectors[k][q] = s * vkp + c * vkq;
                }
            }
        }
    }
    for (int i = 0; i < k_rates; ++i)
        values[i] = a[i][i];
}

// The cost of `tokens` at `rates` (pico-dollars), in long double.
long double cost_at(const Vector& tokens, const std::array<int64_t, k_rates>& rates) {
    long double sum = 0;
    for (int j = 0; j < k_rates; ++j)
        sum += static_cast<long double>(tokens[j]) * rates[j];
    return sum;
}

struct Row {
    Vector tokens;
    double target = 0;  // pico-dollars for the token part (web searches taken off)
};

bool reproduces(const std::vector<Row>& rows, const std::array<int64_t, k_rates>& rates) {
    for (const Row& row : rows) {
        const long double error = std::abs(cost_at(row.tokens, rates) - row.target);
        // 1 micro-dollar, or 1e-6 of the figure: the client's own rounding and ours.
        if (error > std::max<long double>(1e6L, 1e-6L * std::abs(row.target)))
            return false;
    }
    return true;
}

}  // namespace

std::optional<LearnedPrices> learn_prices(const std::vector<PriceEquation>& equations,
                                          const TokenPrices& prior) {
    std::vector<Row> rows;
    for (const PriceEquation& e : equations) {
        Row row{token_vector(e.tokens), static_cast<double>(e.cost_pico_usd) -
                                            static_cast<double>(e.tokens.web_search_requests) *
                                                static_cast<double>(k_web_search_pico_usd)};
        const bool any =
            std::any_of(row.tokens.begin(), row.tokens.end(), [](double v) { return v > 0; });
        if (any)
            rows.push_back(row);
    }
    if (rows.empty())
        return std::nullopt;
    const std::array<int64_t, k_rates> prior_rates = rates_of(prior);
    Vector base;  // the prior, at least 1 pico per token so that every rate can move
    for (int j = 0; j < k_rates; ++j)
        base[j] = static_cast<double>(std::max<int64_t>(prior_rates[j], 1));

    // z_j = x_j / base_j - 1; B = A diag(base); solve min |z| with B z = r (r = b - A base),
    // through the eigen decomposition of B^T B (5 x 5).
    LearnedPrices learned;
    learned.equations = static_cast<int>(rows.size());
    std::array<bool, k_rates> used{};
    Matrix gram{};
    Vector rhs{};
    for (const Row& row : rows) {
        Vector b;
        double r = row.target;
        for (int j = 0; j < k_rates; ++j) {
            b[j] = row.tokens[j] * base[j];
            r -= b[j];
            used[j] = used[j] || row.tokens[j] > 0;
        }
        // Each equation weighted by its size, so that small and large processes count alike.
        const double weight = 1.0 / std::max(1.0, std::abs(row.target));
        for (int i = 0; i < k_rates; ++i) {
            rhs[i] += b[i] * r * weight * weight;
            for (int j = 0; j < k_rates; ++j)
                gram[i][j] += b[i] * b[j] * weight * weight;
        }
    }
    Vector values;
    Matrix vectors;
    symmetric_eigen(gram, values, vectors);
    const double largest = *std::max_element(values.begin(), values.end());
    Vector z{};
    int rank = 0;
    for (int k = 0; k < k_rates; ++k) {
        if (values[k] <= largest * 1e-12 || values[k] <= 0)
            continue;
        ++rank;
        double projection = 0;
        for (int i = 0; i < k_rates; ++i)
            projection += vectors[i][k] * rhs[i];
        for (int i = 0; i < k_rates; ++i)
            z[i] += vectors[i][k] * projection / values[k];
    }
    std::array<int64_t, k_rates> exact;
    for (int j = 0; j < k_rates; ++j)
        exact[j] = std::max<int64_t>(0, std::llround(base[j] * (1.0 + z[j])));
    learned.used_rates = static_cast<int>(std::count(used.begin(), used.end(), true));
    learned.fixed_rates = std::min(rank, learned.used_rates);
    if (learned.determined()) {
        std::array<int64_t, k_rates> snapped = exact;  // to 0.001 $/Mtok = 1000 pico per token
        for (int j = 0; j < k_rates; ++j)
            snapped[j] = used[j] ? (exact[j] + 500) / 1000 * 1000 : prior_rates[j];
        if (reproduces(rows, snapped)) {
            learned.prices = prices_of(snapped);
            learned.consistent = true;
            return learned;
        }
    }
    learned.prices = prices_of(exact);
    learned.consistent = reproduces(rows, exact);
    return learned;
}

PriceTable with_learned_prices(const PriceTable& base, const std::vector<ClientCostState>& states) {
    std::map<std::string, std::vector<PriceEquation>> by_model;
    for (const ClientCostState& state : states)
        for (const ClientModelUsage& usage : state.models)
            if (!base.knows(usage.model))
                by_model[normalise_model(usage.model)].push_back(
                    PriceEquation{usage.tokens, usage.cost_pico_usd});
    PriceTable table = base;
    for (const auto& [model, equations] : by_model) {
        std::optional<LearnedPrices> learned = learn_prices(equations, prior_prices(base, model));
        if (!learned)
            continue;
        PriceRule rule;
        rule.model = model;
        rule.prices = learned->prices;
        rule.source = PriceSource::learned;
        rule.learned = LearnedFrom{learned->equations, learned->determined(), learned->consistent};
        table.add(std::move(rule));
    }
    return table;
}

bool infer_cache_split(ClientRequest& request, const PriceTable& prices) {
    TokenCounts& t = request.tokens;
    if (t.cache_creation_input_tokens == 0 || t.cache_5m + t.cache_1h != 0)
        return false;
    const PriceRule* rule = prices.find(request.model, request.timestamp_ms);
    if (!rule)
        return false;
    // The cost with every write at the 5m rate, then what each 1h token adds.
    TokenCounts all_5m = t;
    all_5m.cache_5m = t.cache_creation_input_tokens;
    TokenCounts all_1h = t;
    all_1h.cache_1h = t.cache_creation_input_tokens;
    const std::optional<int64_t> low =
        prices.cost_pico_usd(request.model, request.timestamp_ms, request.speed, all_5m);
    const std::optional<int64_t> high =
        prices.cost_pico_usd(request.model, request.timestamp_ms, request.speed, all_1h);
    if (!low || !high || *high <= *low)
        return false;
    const int64_t per_token = (*high - *low) / t.cache_creation_input_tokens;
    const int64_t extra = request.cost_pico_usd - *low;
    if (per_token <= 0 || extra < 0 || extra % per_token != 0 ||
        extra / per_token > t.cache_creation_input_tokens)
        return false;
    t.cache_1h = extra / per_token;
    t.cache_5m = t.cache_creation_input_tokens - t.cache_1h;
    return true;
}

TokenPrices prior_prices(const PriceTable& builtin, const std::string& model) {
    static constexpr const char* k_families[] = {"opus", "sonnet", "haiku", "fable", "mythos"};
    std::string family = "sonnet";
    for (const char* name : k_families)
        if (model.find(name) != std::string::npos)
            family = name;
    const PriceRule* newest = nullptr;
    for (const PriceRule& rule : builtin.rules())
        if (rule.model.find(family) != std::string::npos && (!newest || rule.model > newest->model))
            newest = &rule;
    if (!newest)
        return TokenPrices{3'000'000, 3'750'000, 6'000'000, 300'000, 15'000'000};
    return newest->prices;
}

}  // namespace ccmeter
