// The SQLite rows of what status-line payloads tell that transcripts do not (tables
// status_samples and rate_limit_samples): the client's own session cost, the context window,
// and the official plan limit buckets over time. Internal to the store: UsageStore calls these
// on its own connection and thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/error.hpp"

// SQLite's handle, declared here so that sqlite3.h stays out of this header.
struct sqlite3;

namespace ccmeter {

struct StatusPayload;

// The last official plan usage figures a status-line payload carried.
struct RateLimitSample {
    int64_t observed_ms = 0;
    std::optional<double> five_hour_used_percentage;
    std::optional<int64_t> five_hour_resets_at_ms;
    std::optional<double> seven_day_used_percentage;
    std::optional<int64_t> seven_day_resets_at_ms;
};

// A plan limit bucket whose used % and reset time did not change is stored again only this long
// after its last sample. Default 5 minutes.
constexpr int64_t k_limit_sample_interval_ms = 5 * 60'000;

// One stored observation of a plan limit bucket (rate_limit_samples).
struct LimitSample {
    std::string bucket;  // "five_hour", "seven_day", ...
    int64_t observed_ms = 0;
    double used_percentage = 0;
    std::optional<int64_t> resets_at_ms;
};

// Stores one payload observed at `observed_ms` (UTC ms): always a status sample; for each plan
// limit bucket a sample when its used % or reset time changed, or k_limit_sample_interval_ms
// after its last stored one. The client's cost is kept in micro-dollars, rounded.
Result<void> store_status_sample(sqlite3* db, const StatusPayload& payload, int64_t observed_ms);

// The newest status sample that carried a five-hour or seven-day figure; empty when none did.
Result<std::optional<RateLimitSample>> read_latest_rate_limits(sqlite3* db);

// Every bucket's samples observed at or after `since_ms`, plus, for a bucket with none since
// then, its latest one; ordered by bucket, then time.
Result<std::vector<LimitSample>> read_rate_limit_history(sqlite3* db, int64_t since_ms);

}  // namespace ccmeter
