#include "hookctl/telemetry_env.hpp"

#include <algorithm>

namespace ccmeter {

namespace {

constexpr std::string_view k_header_prefix = "Authorization=Bearer ";
constexpr size_t k_token_length = 64;  // hex digits, as common/web_token.hpp writes them

bool is_token_shaped(std::string_view text) {
    return text.size() == k_token_length &&
           text.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

}  // namespace

TelemetryEnv::TelemetryEnv(unsigned port, std::string token)
    : m_endpoint("http://127.0.0.1:" + std::to_string(port)), m_token(std::move(token)) {
    m_entries = {
        {std::string(k_enable_telemetry_key), "1"},
        {"OTEL_LOGS_EXPORTER", "otlp"},
        {"OTEL_METRICS_EXPORTER", "otlp"},
        {"OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"},
        {std::string(k_otlp_endpoint_key), m_endpoint},
    };
    if (!m_token.empty())
        m_entries.push_back(
            {std::string(k_otlp_headers_key), std::string(k_header_prefix) + m_token});
    m_entries.push_back({"OTEL_LOGS_EXPORT_INTERVAL", "1000"});
    m_entries.push_back({"OTEL_METRIC_EXPORT_INTERVAL", "1000"});
}

bool TelemetryEnv::is_install_key(std::string_view key) const {
    return key == k_otlp_headers_key ||
           std::any_of(m_entries.begin(), m_entries.end(),
                       [&](const EnvEntry& entry) { return entry.key == key; });
}

bool TelemetryEnv::is_ours(std::string_view key, std::string_view value) const {
    return std::any_of(m_entries.begin(), m_entries.end(), [&](const EnvEntry& entry) {
        return entry.key == key && entry.value == value;
    });
}

bool TelemetryEnv::is_ours_or_older(std::string_view key, std::string_view value) const {
    if (is_ours(key, value))
        return true;
    return key == k_otlp_headers_key && value.starts_with(k_header_prefix) &&
           is_token_shaped(value.substr(k_header_prefix.size()));
}

bool is_telemetry_key(std::string_view key) {
    return key == k_enable_telemetry_key || key.starts_with("OTEL_");
}

std::vector<EnvEntry> telemetry_variables(const char* const* environment) {
    std::vector<EnvEntry> found;
    for (; environment && *environment; ++environment) {
        const std::string_view variable = *environment;
        const size_t equals = variable.find('=');
        if (equals == std::string_view::npos)
            continue;
        const std::string_view key = variable.substr(0, equals);
        if (is_telemetry_key(key))
            found.push_back({std::string(key), std::string(variable.substr(equals + 1))});
    }
    return found;
}

}  // namespace ccmeter
