// What ccmeter keeps of Claude Code's status-line payload (its stdin JSON): the figures that
// transcripts do not hold. Message content is never part of it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"

namespace ccmeter {

// One plan limit of rate_limits: "five_hour", "seven_day" or any other bucket the client sends
// (a per-model weekly one, say), as used % and when it resets.
struct RateLimitBucket {
    std::string name;  // the payload's key: [A-Za-z0-9_-], at most 64 characters
    double used_percentage = 0;
    std::optional<int64_t> resets_at_ms;
};

// At most this many buckets are kept of one payload (the client sends two or three).
constexpr size_t k_max_rate_limit_buckets = 16;

struct StatusPayload {
    std::string session_id;
    std::string transcript_path;
    std::string cwd;
    std::string model_id;
    std::string model_display_name;
    std::optional<double> client_cost_usd;  // cost.total_cost_usd: per client process
    std::optional<double> context_used_percentage;
    int64_t context_window_size = 0;
    std::optional<double> five_hour_used_percentage;  // rate_limits (subscribers only)
    std::optional<int64_t> five_hour_resets_at_ms;
    std::optional<double> seven_day_used_percentage;
    std::optional<int64_t> seven_day_resets_at_ms;
    // Every bucket of rate_limits with a numeric used_percentage (five_hour and seven_day
    // included), in the payload's order; keys of other characters are skipped.
    std::vector<RateLimitBucket> rate_limits;
    // cost.total_lines_added / total_lines_removed (per client process).
    std::optional<int64_t> lines_added;
    std::optional<int64_t> lines_removed;

    bool has_rate_limits() const {
        return five_hour_used_percentage.has_value() || seven_day_used_percentage.has_value();
    }
};

// Parses the payload; fields that are missing or of the wrong type stay empty. Fails only when
// the text is not a JSON object.
Result<StatusPayload> parse_status_payload(std::string_view json_text);

}  // namespace ccmeter
