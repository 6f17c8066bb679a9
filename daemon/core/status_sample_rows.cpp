#include "core/status_sample_rows.hpp"

#include "common/status_payload.hpp"
#include "core/sqlite_statement.hpp"

namespace ccmeter {

namespace {

void bind_optional_double(sqlite3_stmt* statement, int index, const std::optional<double>& value) {
    if (value) {
        sqlite3_bind_double(statement, index, *value);
    } else {
        sqlite3_bind_null(statement, index);
    }
}

void bind_optional_int(sqlite3_stmt* statement, int index, const std::optional<int64_t>& value) {
    if (value) {
        sqlite3_bind_int64(statement, index, *value);
    } else {
        sqlite3_bind_null(statement, index);
    }
}

std::optional<double> column_optional_double(sqlite3_stmt* statement, int index) {
    if (sqlite3_column_type(statement, index) == SQLITE_NULL)
        return std::nullopt;
    return sqlite3_column_double(statement, index);
}

std::optional<int64_t> column_optional_int(sqlite3_stmt* statement, int index) {
    if (sqlite3_column_type(statement, index) == SQLITE_NULL)
        return std::nullopt;
    return sqlite3_column_int64(statement, index);
}

constexpr const char* k_insert_status_sample_sql =
    "INSERT INTO status_samples(observed_ms, session_id, model_id, client_cost_micro_usd, "
    "context_used_percentage, context_window_size, five_hour_used_percentage, "
    "five_hour_resets_at_ms, seven_day_used_percentage, seven_day_resets_at_ms) "
    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";

// A bucket's sample unless its last one (at or before ?2) has the same figures and is younger
// than ?5.
constexpr const char* k_insert_limit_sample_sql =
    "INSERT OR REPLACE INTO rate_limit_samples(bucket, observed_ms, used_percentage, "
    "resets_at_ms) SELECT ?1, ?2, ?3, ?4 WHERE NOT EXISTS (SELECT 1 FROM "
    "(SELECT * FROM rate_limit_samples WHERE bucket = ?1 AND observed_ms <= ?2 "
    "ORDER BY observed_ms DESC LIMIT 1) AS last WHERE last.used_percentage = ?3 AND "
    "last.resets_at_ms IS ?4 AND last.observed_ms > ?2 - ?5)";

constexpr const char* k_select_limit_history_sql =
    "SELECT bucket, observed_ms, used_percentage, resets_at_ms "
    "FROM rate_limit_samples WHERE observed_ms >= ?1 "
    "UNION ALL "
    "SELECT bucket, observed_ms, used_percentage, resets_at_ms FROM "
    "(SELECT bucket, max(observed_ms) AS latest FROM rate_limit_samples "
    " GROUP BY bucket HAVING latest < ?1) "
    "JOIN rate_limit_samples USING(bucket) WHERE observed_ms = latest "
    "ORDER BY 1, 2";

constexpr const char* k_select_latest_limits_sql =
    "SELECT observed_ms, five_hour_used_percentage, five_hour_resets_at_ms, "
    "seven_day_used_percentage, seven_day_resets_at_ms FROM status_samples "
    "WHERE five_hour_used_percentage IS NOT NULL OR seven_day_used_percentage IS NOT NULL "
    "ORDER BY observed_ms DESC LIMIT 1";

}  // namespace

Result<void> store_status_sample(sqlite3* db, const StatusPayload& payload, int64_t observed_ms) {
    Result<Statement> prepared = prepare_statement(db, k_insert_status_sample_sql);
    if (!prepared)
        return sqlite_error(db, "cannot store a status sample");
    sqlite3_stmt* s = prepared->get();
    sqlite3_bind_int64(s, 1, observed_ms);
    bind_text(s, 2, payload.session_id);
    bind_text(s, 3, payload.model_id);
    std::optional<int64_t> cost;
    if (payload.client_cost_usd)
        cost = static_cast<int64_t>(*payload.client_cost_usd * 1e6 + 0.5);
    bind_optional_int(s, 4, cost);
    bind_optional_double(s, 5, payload.context_used_percentage);
    sqlite3_bind_int64(s, 6, payload.context_window_size);
    bind_optional_double(s, 7, payload.five_hour_used_percentage);
    bind_optional_int(s, 8, payload.five_hour_resets_at_ms);
    bind_optional_double(s, 9, payload.seven_day_used_percentage);
    bind_optional_int(s, 10, payload.seven_day_resets_at_ms);
    if (sqlite3_step(s) != SQLITE_DONE)
        return sqlite_error(db, "cannot store a status sample");
    if (payload.rate_limits.empty())
        return {};
    // A status line every few seconds adds few rows: see k_insert_limit_sample_sql.
    Result<Statement> bucket_insert = prepare_statement(db, k_insert_limit_sample_sql);
    if (!bucket_insert)
        return sqlite_error(db, "cannot store a plan limit sample");
    sqlite3_stmt* b = bucket_insert->get();
    for (const RateLimitBucket& bucket : payload.rate_limits) {
        sqlite3_reset(b);
        bind_text(b, 1, bucket.name);
        sqlite3_bind_int64(b, 2, observed_ms);
        sqlite3_bind_double(b, 3, bucket.used_percentage);
        bind_optional_int(b, 4, bucket.resets_at_ms);
        sqlite3_bind_int64(b, 5, k_limit_sample_interval_ms);
        if (sqlite3_step(b) != SQLITE_DONE)
            return sqlite_error(db, "cannot store a plan limit sample");
    }
    return {};
}

Result<std::vector<LimitSample>> read_rate_limit_history(sqlite3* db, int64_t since_ms) {
    Result<Statement> prepared = prepare_statement(db, k_select_limit_history_sql);
    if (!prepared)
        return sqlite_error(db, "cannot read plan limits");
    sqlite3_stmt* s = prepared->get();
    sqlite3_bind_int64(s, 1, since_ms);
    std::vector<LimitSample> samples;
    int rc = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        LimitSample sample;
        sample.bucket = column_text(s, 0);
        sample.observed_ms = sqlite3_column_int64(s, 1);
        sample.used_percentage = sqlite3_column_double(s, 2);
        sample.resets_at_ms = column_optional_int(s, 3);
        samples.push_back(std::move(sample));
    }
    if (rc != SQLITE_DONE)
        return sqlite_error(db, "cannot read plan limits");
    return samples;
}

Result<std::optional<RateLimitSample>> read_latest_rate_limits(sqlite3* db) {
    Result<Statement> prepared = prepare_statement(db, k_select_latest_limits_sql);
    if (!prepared)
        return sqlite_error(db, "cannot read plan limits");
    sqlite3_stmt* s = prepared->get();
    std::optional<RateLimitSample> sample;
    const int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        sample.emplace();
        sample->observed_ms = sqlite3_column_int64(s, 0);
        sample->five_hour_used_percentage = column_optional_double(s, 1);
        sample->five_hour_resets_at_ms = column_optional_int(s, 2);
        sample->seven_day_used_percentage = column_optional_double(s, 3);
        sample->seven_day_resets_at_ms = column_optional_int(s, 4);
    } else if (rc != SQLITE_DONE) {
        return sqlite_error(db, "cannot read plan limits");
    }
    return sample;
}

}  // namespace ccmeter
