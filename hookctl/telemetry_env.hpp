// What makes Claude Code send its OpenTelemetry events to ccmeterd: the entries `hookctl
// install` writes into settings.json's "env" object, and which keys and values are ccmeter's.
//
// The entries, in the order install appends them (values are JSON strings):
//   CLAUDE_CODE_ENABLE_TELEMETRY=1
//   OTEL_LOGS_EXPORTER=otlp
//   OTEL_METRICS_EXPORTER=otlp
//   OTEL_EXPORTER_OTLP_PROTOCOL=http/json
//   OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:<port>      (the web view's port)
//   OTEL_EXPORTER_OTLP_HEADERS=Authorization=Bearer <token>  (default_otel_token_path())
//   OTEL_LOGS_EXPORT_INTERVAL=1000
//   OTEL_METRIC_EXPORT_INTERVAL=1000
//
// Telemetry keys are CLAUDE_CODE_ENABLE_TELEMETRY and every key that starts with OTEL_: any of
// them with a value that is not ccmeter's means the user configured OpenTelemetry themselves.
// A value is ccmeter's ("ours") when it is exactly the one above for that key, with this port
// and this token. "Ours or older" also accepts a header `Authorization=Bearer <64 lowercase hex
// digits>` with another token (the token file was replaced since): install rewrites it, while
// uninstall removes only exact values. Another port is never ours (127.0.0.1:4318 is the
// usual address of a user's own OpenTelemetry collector).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ccmeter {

inline constexpr std::string_view k_enable_telemetry_key = "CLAUDE_CODE_ENABLE_TELEMETRY";
inline constexpr std::string_view k_otlp_endpoint_key = "OTEL_EXPORTER_OTLP_ENDPOINT";
inline constexpr std::string_view k_otlp_headers_key = "OTEL_EXPORTER_OTLP_HEADERS";

struct EnvEntry {
    std::string key;
    std::string value;
};

class TelemetryEnv {
  public:
    // `token` empty when it is not known (the token file is missing or not trusted): then no
    // header value is ours, and entries() holds no header (install always passes one).
    TelemetryEnv(unsigned port, std::string token);

    // The entries install writes, in order (see above).
    const std::vector<EnvEntry>& entries() const { return m_entries; }
    // "http://127.0.0.1:<port>".
    const std::string& endpoint() const { return m_endpoint; }
    // Whether `key` is one of the keys install writes (the header's key even without a token).
    bool is_install_key(std::string_view key) const;
    // Whether `value` is exactly what install writes for `key`.
    bool is_ours(std::string_view key, std::string_view value) const;
    // is_ours, or the header with an older token of ccmeter's shape.
    bool is_ours_or_older(std::string_view key, std::string_view value) const;

  private:
    std::string m_endpoint;
    std::string m_token;
    std::vector<EnvEntry> m_entries;
};

// CLAUDE_CODE_ENABLE_TELEMETRY or OTEL_*.
bool is_telemetry_key(std::string_view key);

// The telemetry variables of a process environment (a null-terminated array of "KEY=VALUE"
// strings such as `environ`), in its order.
std::vector<EnvEntry> telemetry_variables(const char* const* environment);

}  // namespace ccmeter
