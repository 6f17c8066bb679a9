// OTLP/HTTP JSON bodies (the OpenTelemetry protocol's JSON encoding, as Claude Code's exporter
// sends them to /v1/logs and /v1/metrics) into ClientEvents.
//
// Attribute values may come as stringValue, intValue (a JSON number or a decimal string, per
// the OTLP JSON mapping), doubleValue or boolValue; Claude Code uses all of these for numbers.
// A record whose token counts are negative, fractional or over k_max_tokens_per_field, or that
// lacks request_id / session.id, is refused (counted), never clamped. A body that is not JSON
// or not shaped like OTLP (resourceLogs / resourceMetrics arrays of objects) is an error.
// Pure functions; any thread.
#pragma once

#include <string_view>

#include "common/error.hpp"
#include "core/client_events.hpp"

namespace ccmeter {

Result<ClientEvents> parse_otlp_logs(std::string_view body);
Result<ClientEvents> parse_otlp_metrics(std::string_view body);

}  // namespace ccmeter
