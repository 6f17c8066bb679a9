// What status-line payloads leave in the store: the plan limit buckets over time (a repeat
// within k_limit_sample_interval_ms adds no row) and the newest five-hour / seven-day figures.
#include <catch2/catch.hpp>
#include <vector>

#include "common/status_payload.hpp"
#include "core/usage_store.hpp"
#include "database_fixture.hpp"

using namespace ccmeter;

namespace {

constexpr int64_t k_t0 = 1'764'000'000'000;

StatusPayload payload_with(std::vector<RateLimitBucket> buckets) {
    StatusPayload payload;
    payload.session_id = "s1";
    payload.model_id = "claude-opus-5-5";
    payload.rate_limits = std::move(buckets);
    for (const RateLimitBucket& bucket : payload.rate_limits) {
        if (bucket.name == "five_hour") {
            payload.five_hour_used_percentage = bucket.used_percentage;
            payload.five_hour_resets_at_ms = bucket.resets_at_ms;
        } else if (bucket.name == "seven_day") {
            payload.seven_day_used_percentage = bucket.used_percentage;
            payload.seven_day_resets_at_ms = bucket.resets_at_ms;
        }
    }
    return payload;
}

std::vector<LimitSample> history(UsageStore& store, int64_t since_ms) {
    Result<std::vector<LimitSample>> samples = store.rate_limit_history(since_ms);
    REQUIRE(samples.has_value());
    return *samples;
}

}  // namespace

TEST_CASE("a plan limit that does not change is stored again only after the sample interval") {
    test::TempDatabase db;
    const int64_t resets = k_t0 + 3 * 3'600'000;
    const StatusPayload same = payload_with({{"five_hour", 40.0, resets}});
    REQUIRE(db.store().record_status(same, k_t0).has_value());
    REQUIRE(db.store().record_status(same, k_t0 + 10'000).has_value());
    REQUIRE(db.store().record_status(same, k_t0 + k_limit_sample_interval_ms - 1).has_value());
    CHECK(history(db.store(), 0).size() == 1);

    REQUIRE(db.store().record_status(same, k_t0 + k_limit_sample_interval_ms).has_value());
    std::vector<LimitSample> samples = history(db.store(), 0);
    REQUIRE(samples.size() == 2);
    CHECK(samples[1].observed_ms == k_t0 + k_limit_sample_interval_ms);
    CHECK(samples[1].resets_at_ms == resets);
}

TEST_CASE("a changed used percentage or reset time is stored at once, per bucket") {
    test::TempDatabase db;
    const int64_t resets = k_t0 + 3'600'000;
    REQUIRE(db.store()
                .record_status(payload_with({{"five_hour", 10.0, resets}, {"seven_day", 5.0, {}}}),
                               k_t0)
                .has_value());
    REQUIRE(db.store()
                .record_status(payload_with({{"five_hour", 11.0, resets}, {"seven_day", 5.0, {}}}),
                               k_t0 + 1'000)
                .has_value());
    REQUIRE(
        db.store()
            .record_status(payload_with({{"five_hour", 11.0, resets + 1}, {"seven_day", 5.0, {}}}),
                           k_t0 + 2'000)
            .has_value());
    const std::vector<LimitSample> samples = history(db.store(), 0);
    REQUIRE(samples.size() == 4);  // by bucket, then time
    CHECK(samples[0].bucket == "five_hour");
    CHECK(samples[0].used_percentage == 10.0);
    CHECK(samples[1].used_percentage == 11.0);
    CHECK(samples[2].resets_at_ms == resets + 1);
    CHECK(samples[3].bucket == "seven_day");
    CHECK_FALSE(samples[3].resets_at_ms.has_value());
}

TEST_CASE("the history since a time keeps each older bucket's latest sample") {
    test::TempDatabase db;
    REQUIRE(db.store().record_status(payload_with({{"opus_weekly", 70.0, {}}}), k_t0).has_value());
    REQUIRE(db.store()
                .record_status(payload_with({{"opus_weekly", 75.0, {}}}), k_t0 + 60'000)
                .has_value());
    REQUIRE(db.store()
                .record_status(payload_with({{"five_hour", 20.0, {}}}), k_t0 + 3'600'000)
                .has_value());
    const std::vector<LimitSample> samples = history(db.store(), k_t0 + 3'600'000);
    REQUIRE(samples.size() == 2);
    CHECK(samples[0].bucket == "five_hour");
    CHECK(samples[1].bucket == "opus_weekly");
    CHECK(samples[1].used_percentage == 75.0);
}

TEST_CASE("the latest rate limits are those of the newest payload that carried any") {
    test::TempDatabase db;
    Result<std::optional<RateLimitSample>> none = db.store().latest_rate_limits();
    REQUIRE(none.has_value());
    CHECK_FALSE(none->has_value());

    REQUIRE(db.store()
                .record_status(payload_with({{"five_hour", 30.0, k_t0 + 5'000}}), k_t0)
                .has_value());
    REQUIRE(db.store().record_status(payload_with({}), k_t0 + 1'000).has_value());  // API user
    Result<std::optional<RateLimitSample>> latest = db.store().latest_rate_limits();
    REQUIRE(latest.has_value());
    REQUIRE(latest->has_value());
    CHECK((*latest)->observed_ms == k_t0);
    CHECK((*latest)->five_hour_used_percentage == 30.0);
    CHECK((*latest)->five_hour_resets_at_ms == k_t0 + 5'000);
    CHECK_FALSE((*latest)->seven_day_used_percentage.has_value());
}
