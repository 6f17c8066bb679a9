// Plain data that flows from the parser through the ingest engine into the store.
//
// Token counts are raw integers exactly as Claude Code wrote them; nothing here is priced.
// Timestamps are milliseconds since the Unix epoch, UTC. Strings own their bytes, so a record
// outlives the line it was parsed from.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>

namespace ccmeter {

// The token fields of one API response (`message.usage`), merged over all lines that share its
// (message.id, requestId) key by taking each field's maximum.
struct TokenCounts {
    int64_t input_tokens = 0;
    int64_t output_tokens = 0;
    int64_t cache_creation_input_tokens = 0;  // 5m + 1h writes, as the API reports them
    int64_t cache_read_input_tokens = 0;
    int64_t cache_5m = 0;  // cache_creation.ephemeral_5m_input_tokens
    int64_t cache_1h = 0;  // cache_creation.ephemeral_1h_input_tokens
    int64_t web_search_requests = 0;
    int64_t web_fetch_requests = 0;

    // Field-wise maximum: the dedup rule for the lines of one response.
    void merge_max(const TokenCounts& other) {
        input_tokens = std::max(input_tokens, other.input_tokens);
        output_tokens = std::max(output_tokens, other.output_tokens);
        cache_creation_input_tokens =
            std::max(cache_creation_input_tokens, other.cache_creation_input_tokens);
        cache_read_input_tokens = std::max(cache_read_input_tokens, other.cache_read_input_tokens);
        cache_5m = std::max(cache_5m, other.cache_5m);
        cache_1h = std::max(cache_1h, other.cache_1h);
        web_search_requests = std::max(web_search_requests, other.web_search_requests);
        web_fetch_requests = std::max(web_fetch_requests, other.web_fetch_requests);
    }
    // Field-wise sum: aggregation over distinct responses.
    void add(const TokenCounts& other) {
        input_tokens += other.input_tokens;
        output_tokens += other.output_tokens;
        cache_creation_input_tokens += other.cache_creation_input_tokens;
        cache_read_input_tokens += other.cache_read_input_tokens;
        cache_5m += other.cache_5m;
        cache_1h += other.cache_1h;
        web_search_requests += other.web_search_requests;
        web_fetch_requests += other.web_fetch_requests;
    }
    bool operator==(const TokenCounts&) const = default;
};

// One API response as seen on one top-level `"type":"assistant"` line with `message.usage`.
struct UsageRecord {
    std::string message_id;
    std::string request_id;
    std::string model;
    int64_t timestamp_ms = 0;
    std::string session_id;
    std::string cwd;
    std::string git_branch;
    bool is_sidechain = false;
    std::string agent_id;
    std::string version;
    std::string speed;  // "standard", "fast" or empty when absent
    std::string service_tier;
    std::string inference_geo;
    // The line was copied by --fork-session from the session now in `session_id` (the one that
    // made the request and that the client billed; the line itself sits in the fork's file).
    // Apart from the session, a copy's metadata is the original line's.
    bool is_fork_copy = false;
    TokenCounts tokens;
};

// Folds another line of the same response (same message_id and request_id) into `into`: each
// token field takes its maximum; a main-chain line's metadata replaces a sidechain replay's;
// otherwise the first line's metadata stays. UsageStore applies the same rule to stored rows.
inline void merge_response(UsageRecord& into, const UsageRecord& from) {
    into.tokens.merge_max(from.tokens);
    if (into.speed.empty())
        into.speed = from.speed;
    if (into.service_tier.empty())
        into.service_tier = from.service_tier;
    if (into.inference_geo.empty())
        into.inference_geo = from.inference_geo;
    if (into.is_sidechain && !from.is_sidechain) {
        into.timestamp_ms = from.timestamp_ms;
        into.session_id = from.session_id;
        into.cwd = from.cwd;
        into.git_branch = from.git_branch;
        into.agent_id = from.agent_id;
        into.version = from.version;
        into.is_sidechain = false;
    }
}

// A user record that starts a turn (a prompt, not a tool result). Kept so reports can measure
// turns; its content is never stored.
struct TurnStart {
    std::string uuid;
    std::string session_id;
    int64_t timestamp_ms = 0;
    bool is_sidechain = false;
    std::string agent_id;
};

// One `tool_use` block of an assistant line: a tool call. Only its id, tool name and where and
// when it was made are kept; its input never is. One call per tool_use_id across all files.
struct ToolUse {
    std::string tool_use_id;
    std::string name;
    std::string session_id;  // the session that made the request (a fork copy's original one)
    std::string cwd;
    bool is_sidechain = false;
    std::string agent_id;
    int64_t started_ms = 0;  // the line's timestamp; 0 when it has none
};

// One `tool_result` block of a user line: a call's result. Only the id it answers, its error
// flag and the line's time are kept; its output never is.
struct ToolResult {
    std::string tool_use_id;
    bool is_error = false;    // `is_error`, false when absent
    int64_t finished_ms = 0;  // the line's timestamp; 0 when it has none
};

// What one batch learned of one tool_use_id: its call, its result, or both. Of several copies
// of a call the earliest stays; of several results, one with a time before one without, then
// the earliest. The store applies the same rules to stored rows.
struct ToolCallUpdate {
    std::optional<ToolUse> use;
    std::optional<ToolResult> result;

    void merge(const ToolUse& other) {
        if (!use || other.started_ms < use->started_ms)
            use = other;
    }
    void merge(const ToolResult& other) {
        if (!result || (other.finished_ms > 0 &&
                        (result->finished_ms == 0 || other.finished_ms < result->finished_ms)))
            result = other;
    }
};

}  // namespace ccmeter
