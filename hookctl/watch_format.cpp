#include "watch_format.hpp"

#include <cstdio>

#include "common/export_format.hpp"
#include "common/local_periods.hpp"
#include "common/number_text.hpp"
#include "common/stats_format.hpp"
#include "common/text_sanitizer.hpp"

namespace ccmeter {

std::string micro_usd_text(int64_t micro_usd) {
    const bool negative = micro_usd < 0;
    const uint64_t magnitude =
        negative ? 0 - static_cast<uint64_t>(micro_usd) : static_cast<uint64_t>(micro_usd);
    char fraction[8];
    std::snprintf(fraction, sizeof fraction, "%06llu",
                  static_cast<unsigned long long>(magnitude % 1'000'000));
    return std::string(negative ? "-$" : "$") + std::to_string(magnitude / 1'000'000) + "." +
           fraction;
}

std::string watch_line(const v1::WatchEvent& event) {
    const v1::ExportedResponse& response = event.response();
    const v1::Usage& usage = response.usage();
    std::string line = local_time_of_day(response.timestamp_ms());
    line += "  " + terminal_safe(response.project());
    line += "  " + terminal_safe(short_model_name(response.model()));
    line += "  in " + format_count(usage.input_tokens());
    line += "  out " + format_count(usage.output_tokens());
    line += "  cache w " + format_count(usage.cache_creation_input_tokens());
    line += " r " + format_count(usage.cache_read_input_tokens());
    line += "  " + (response.has_cost_pico_usd() ? micro_usd_text(usage.cost_micro_usd())
                                                 : std::string("$?"));
    line += "  session " + format_usd(event.session_total().cost_micro_usd());
    if (event.session_total().unpriced_responses() > 0)
        line += "+?";
    return line;
}

boost::json::object watch_json(const v1::WatchEvent& event) {
    boost::json::object row = response_export_json(event.response());
    row["session_total"] = usage_json(event.session_total());
    return row;
}

}  // namespace ccmeter
