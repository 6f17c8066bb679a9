#include "core/client_cost_state.hpp"
#include "core/price_table.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cmath>

namespace ccmeter {

namespace json = boost::json;

namespace {

// A whole, non-negative count up to `limit`, given as a JSON integer or an integral double.
std::optional<int64_t> count_of(const json::value* value, int64_t limit) {
    if (!value)
        return int64_t{0};  // absent: none
    if (const int64_t* i = value->if_int64())
        return *i >= 0 && *i <= limit ? std::optional<int64_t>(*i) : std::nullopt;
    if (const uint64_t* u = value->if_uint64())
        return *u <= static_cast<uint64_t>(limit) ? std::optional<int64_t>(*u) : std::nullopt;
    if (const double* d = value->if_double())
        return *d >= 0 && *d <= static_cast<double>(limit) && std::floor(*d) == *d
                   ? std::optional<int64_t>(static_cast<int64_t>(*d))
                   : std::nullopt;
    return std::nullopt;
}

// USD as the client wrote it (a JSON number) in pico-dollars, rounded to the nearest. A double
// holds ~16 significant digits, enough for any figure below k_max_client_cost_usd to the pico.
std::optional<int64_t> pico_usd_of(const json::value* value) {
    if (!value)
        return int64_t{0};
    double usd = 0;
    if (const double* d = value->if_double())
        usd = *d;
    else if (const int64_t* i = value->if_int64())
        usd = static_cast<double>(*i);
    else if (const uint64_t* u = value->if_uint64())
        usd = static_cast<double>(*u);
    else
        return std::nullopt;
    if (!std::isfinite(usd) || usd < 0 || usd > static_cast<double>(k_max_client_cost_usd))
        return std::nullopt;
    return pico_usd_from_usd(usd);
}

}  // namespace

std::optional<ClientCostState> parse_cost_state(std::string_view line) {
    json::error_code ec;
    json::value root = json::parse(json::string_view(line.data(), line.size()), ec);
    const json::object* record = ec ? nullptr : root.if_object();
    if (!record)
        return std::nullopt;
    const json::value* type = record->if_contains("type");
    const json::value* session = record->if_contains("sessionId");
    if (!type || !type->is_string() || type->get_string() != "cost-state" || !session ||
        !session->is_string() || session->get_string().empty())
        return std::nullopt;
    ClientCostState state;
    state.session_id = std::string(session->get_string());
    const std::optional<int64_t> start = count_of(record->if_contains("startTime"), INT64_MAX / 2);
    const std::optional<int64_t> total = pico_usd_of(record->if_contains("totalCostUSD"));
    if (!record->if_contains("startTime") || !start || !total)
        return std::nullopt;
    state.start_time_ms = *start;
    state.total_cost_pico_usd = *total;
    struct Count {
        const char* key;
        int64_t* into;
    };
    for (const Count& c :
         {Count{"totalAPIDuration", &state.api_duration_ms},
          Count{"totalToolDuration", &state.tool_duration_ms},
          Count{"totalDuration", &state.duration_ms}, Count{"totalLinesAdded", &state.lines_added},
          Count{"totalLinesRemoved", &state.lines_removed}}) {
        const std::optional<int64_t> value =
            count_of(record->if_contains(c.key), k_max_client_tokens);
        if (!value)
            return std::nullopt;
        *c.into = *value;
    }
    if (const json::value* unknown = record->if_contains("hasUnknownModelCost"))
        state.has_unknown_model_cost = unknown->is_bool() && unknown->get_bool();
    const json::value* models = record->if_contains("modelUsage");
    if (models && models->is_object()) {
        for (const auto& [name, usage_value] : models->get_object()) {
            const json::object* usage = usage_value.if_object();
            if (!usage || name.empty())
                return std::nullopt;
            ClientModelUsage model;
            model.model = std::string(name);
            struct Field {
                const char* key;
                int64_t* into;
            };
            TokenCounts& t = model.tokens;
            for (const Field& f :
                 {Field{"inputTokens", &t.input_tokens}, Field{"outputTokens", &t.output_tokens},
                  Field{"cacheReadInputTokens", &t.cache_read_input_tokens},
                  Field{"cacheCreationInputTokens", &t.cache_creation_input_tokens},
                  Field{"cacheCreationEphemeral5mInputTokens", &t.cache_5m},
                  Field{"cacheCreationEphemeral1hInputTokens", &t.cache_1h},
                  Field{"webSearchRequests", &t.web_search_requests},
                  Field{"thinkingTokens", &model.thinking_tokens}}) {
                const std::optional<int64_t> value =
                    count_of(usage->if_contains(f.key), k_max_client_tokens);
                if (!value)
                    return std::nullopt;
                *f.into = *value;
            }
            const std::optional<int64_t> cost = pico_usd_of(usage->if_contains("costUSD"));
            if (!cost)
                return std::nullopt;
            model.cost_pico_usd = *cost;
            state.models.push_back(std::move(model));
        }
    }
    return state;
}

}  // namespace ccmeter
