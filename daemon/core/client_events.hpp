// What Claude Code's OpenTelemetry export tells ccmeter, as plain data (no OTLP, no HTTP):
// one record per API call the client paid for and per tool run. Parsed from OTLP/JSON bodies
// by otlp_parser.hpp; stored by UsageStore::commit_client_events().
//
// Only names, ids and numbers are kept: prompts, responses and tool inputs or outputs are never
// copied out, even when the user turned their logging on. Money in pico-dollars (from the
// client's cost_usd_micros, else its cost_usd), times in UTC epoch ms.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/usage_record.hpp"

namespace ccmeter {

// An `api_request` event. `tokens`: input, output, cache read, cache creation (5m / 1h when
// the client gives them: 2.1.332 does, 2.1.197 does not).
struct ClientRequest {
    std::string request_id;  // = the transcript's requestId
    std::string session_id;
    std::string prompt_id;
    std::string model;
    TokenCounts tokens;
    int64_t cost_pico_usd = 0;
    int64_t duration_ms = 0;
    std::optional<int64_t> ttft_ms;
    std::string query_source;  // sdk, repl_main_thread, agent:..., generate_session_title, ...
    std::string agent_name;
    std::string speed;  // as transcripts say it: "standard" (OTel's "normal") or "fast"
    std::string effort;
    int64_t timestamp_ms = 0;
};

// A `tool_result` event.
struct ToolRun {
    std::string session_id;
    std::string tool_name;
    std::string tool_use_id;  // empty when the client gave none
    int64_t duration_ms = 0;
    bool success = false;
    int64_t timestamp_ms = 0;
};

// What one OTLP body held.
struct ClientEvents {
    std::vector<ClientRequest> requests;
    std::vector<ToolRun> tool_runs;
    int64_t other_events = 0;     // log records of other events (user_prompt, ...): not kept
    int64_t metric_points = 0;    // metric data points: counted, not kept
    int64_t refused_records = 0;  // api_request / tool_result records with bad or missing fields
    int64_t records() const {
        return static_cast<int64_t>(requests.size() + tool_runs.size()) + other_events +
               metric_points + refused_records;
    }
};

}  // namespace ccmeter
