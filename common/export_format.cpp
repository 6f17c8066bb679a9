#include "common/export_format.hpp"

#include <boost/json/array.hpp>
#include <ostream>

#include "common/csv_text.hpp"
#include "common/iso_time.hpp"
#include "common/json_text.hpp"
#include "common/number_text.hpp"
#include "common/stats_format.hpp"

namespace ccmeter {

namespace json = boost::json;

std::vector<std::string> export_columns(ExportKind kind) {
    // The keys of an empty row: the same code makes every row, so they cannot drift apart.
    json::object sample =
        kind == ExportKind::responses  ? response_export_json(v1::ExportedResponse())
        : kind == ExportKind::sessions ? session_entry_json(v1::Group(), false)
                                       : period_entry_json(v1::Period(), "", false);
    std::vector<std::string> columns;
    for (const json::key_value_pair& member : sample)
        columns.emplace_back(member.key());
    return columns;
}

json::object response_export_json(const v1::ExportedResponse& response) {
    const v1::Usage& usage = response.usage();
    json::object row;
    row.reserve(23);
    row["time"] = format_timestamp_ms(response.timestamp_ms());
    row["timestamp_ms"] = response.timestamp_ms();
    row["session_id"] = response.session_id();
    row["project"] = response.project();
    row["model"] = response.model();
    row["speed"] = response.speed();
    row["service_tier"] = response.service_tier();
    row["long_context"] = response.long_context();
    row["chain"] = response.is_sidechain() ? "sidechain" : "main";
    row["agent_id"] = response.agent_id();
    row["message_id"] = response.message_id();
    row["request_id"] = response.request_id();
    row["input_tokens"] = usage.input_tokens();
    row["output_tokens"] = usage.output_tokens();
    row["cache_creation_input_tokens"] = usage.cache_creation_input_tokens();
    row["cache_read_input_tokens"] = usage.cache_read_input_tokens();
    row["cache_5m"] = usage.cache_5m();
    row["cache_1h"] = usage.cache_1h();
    row["web_search_requests"] = usage.web_search_requests();
    row["web_fetch_requests"] = usage.web_fetch_requests();
    if (response.has_cost_pico_usd()) {
        row["cost_micro_usd"] = usage.cost_micro_usd();
        row["cost_usd"] = exact_usd_text(response.cost_pico_usd());
    } else {
        row["cost_micro_usd"] = nullptr;
        row["cost_usd"] = nullptr;
    }
    row["client_priced"] = usage.client_priced_responses() > 0;
    return row;
}

std::string csv_cell(const json::value& value) {
    switch (value.kind()) {
        case json::kind::null:
            return "";
        case json::kind::string:
            return std::string(value.get_string());
        case json::kind::bool_:
            return value.get_bool() ? "true" : "false";
        case json::kind::array: {
            const json::array& items = value.get_array();
            std::string joined;
            for (size_t i = 0; i < items.size(); ++i) {
                if (i > 0)
                    joined.push_back(';');
                joined += csv_cell(items[i]);
            }
            return joined;
        }
        default:
            return to_json_text(value);  // numbers (and, never here, objects) as the JSON says
    }
}

ExportWriter::ExportWriter(ExportFormat format, ExportKind kind, std::ostream& out)
    : m_format(format), m_columns(export_columns(kind)), m_out(out) {}

void ExportWriter::start() {
    if (m_started)
        return;
    m_started = true;
    if (m_format == ExportFormat::json)
        m_out << "[";
    else
        m_out << csv_record(m_columns);
}

void ExportWriter::add(const json::object& row) {
    start();
    if (m_format == ExportFormat::json) {
        m_out << (m_rows == 0 ? "\n" : ",\n") << to_json_text(row);
    } else {
        std::vector<std::string> cells;
        cells.reserve(m_columns.size());
        // Rows come with their keys in column order (the same code makes both): take them in
        // turn, looking a column up only where a row differs.
        const json::key_value_pair* member = row.begin();
        for (const std::string& column : m_columns) {
            const json::value* value = nullptr;
            if (member != row.end() && member->key() == column)
                value = &(member++)->value();
            else
                value = row.if_contains(column);
            cells.push_back(value ? csv_cell(*value) : std::string());
        }
        m_out << csv_record(cells);
    }
    ++m_rows;
}

void ExportWriter::finish() {
    start();
    if (m_format == ExportFormat::json)
        m_out << (m_rows == 0 ? "]\n" : "\n]\n");
    m_out.flush();
}

}  // namespace ccmeter
