#include "server/usage_proto.hpp"

namespace ccmeter {

void fill_usage(const UsageTotals& totals, v1::Usage& usage) {
    const TokenCounts& t = totals.tokens;
    usage.Clear();
    usage.set_input_tokens(t.input_tokens);
    usage.set_output_tokens(t.output_tokens);
    usage.set_cache_creation_input_tokens(t.cache_creation_input_tokens);
    usage.set_cache_read_input_tokens(t.cache_read_input_tokens);
    usage.set_cache_5m(t.cache_5m);
    usage.set_cache_1h(t.cache_1h);
    usage.set_web_search_requests(t.web_search_requests);
    usage.set_web_fetch_requests(t.web_fetch_requests);
    usage.set_responses(totals.responses);
    usage.set_cost_micro_usd(micro_usd(totals.cost_pico_usd));
    usage.set_unpriced_responses(totals.unpriced_responses);
    for (const std::string& model : totals.unpriced_models)
        usage.add_unpriced_models(model);
}

}  // namespace ccmeter
