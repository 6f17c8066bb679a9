#include <algorithm>
#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include "web/api_cache.hpp"
#include "web_fixture.hpp"

namespace {

double all_time_cost(const ccmeter::WebReply& reply) {
    return boost::json::parse(reply.body).at("all_time").at("cost_usd").to_number<double>();
}

}  // namespace

TEST_CASE("answers are kept per generation, refreshed before clients are told", "[api_cache]") {
    WebFixture fixture;
    ccmeter::WebApi api(fixture.queries(), fixture.loop());
    ccmeter::ApiCache cache(api);
    const ccmeter::ApiRequest summary =
        *ccmeter::parse_api_request("/api/summary", k_fixture_now_ms);
    CHECK(all_time_cost(cache.get(summary, k_fixture_now_ms)) == Approx(0.1052));
    CHECK(cache.size() == 1);

    // The history grows: the cached answer stands until a new generation is refreshed.
    fixture.add_response(1000);  // + 1000 * 15 = 0.015
    CHECK(all_time_cost(cache.get(summary, k_fixture_now_ms)) == Approx(0.1052));
    cache.new_generation(k_fixture_now_ms);
    CHECK(cache.refreshing());
    CHECK(all_time_cost(cache.get(summary, k_fixture_now_ms)) == Approx(0.1052));  // stale
    CHECK_FALSE(cache.refresh_next());
    CHECK_FALSE(cache.refreshing());
    CHECK(all_time_cost(cache.get(summary, k_fixture_now_ms)) == Approx(0.1202));
}

TEST_CASE("entries not used lately are recomputed on demand, errors never kept", "[api_cache]") {
    WebFixture fixture;
    ccmeter::WebApi api(fixture.queries(), fixture.loop());
    ccmeter::ApiCache cache(api);
    const ccmeter::ApiRequest summary =
        *ccmeter::parse_api_request("/api/summary", k_fixture_now_ms);
    (void)cache.get(summary, k_fixture_now_ms);
    fixture.add_response(2000);  // + 0.03
    // Used more than k_hot_ms ago: not queued, but stale, so the next get() recomputes.
    cache.new_generation(k_fixture_now_ms + ccmeter::ApiCache::k_hot_ms + 1);
    CHECK_FALSE(cache.refreshing());
    CHECK(all_time_cost(cache.get(summary, k_fixture_now_ms)) == Approx(0.1352));

    const ccmeter::ApiRequest missing =
        *ccmeter::parse_api_request("/api/session/not-yet", k_fixture_now_ms);
    CHECK(cache.get(missing, k_fixture_now_ms).status == 404);
    CHECK(cache.size() == 1);
}

TEST_CASE("clock-bound answers are never cached", "[api_cache]") {
    WebFixture fixture;
    ccmeter::WebApi api(fixture.queries(), fixture.loop());
    ccmeter::ApiCache cache(api);
    (void)cache.get(*ccmeter::parse_api_request("/api/active", k_fixture_now_ms), k_fixture_now_ms);
    (void)cache.get(*ccmeter::parse_api_request("/api/meta", k_fixture_now_ms), k_fixture_now_ms);
    CHECK(cache.size() == 0);
}

TEST_CASE("prewarmed answers are computed in the background, or on demand first", "[api_cache]") {
    WebFixture fixture;
    ccmeter::WebApi api(fixture.queries(), fixture.loop());
    ccmeter::ApiCache cache(api);
    const ccmeter::ApiRequest summary =
        *ccmeter::parse_api_request("/api/summary", k_fixture_now_ms);
    const ccmeter::ApiRequest heatmap =
        *ccmeter::parse_api_request("/api/heatmap", k_fixture_now_ms);
    cache.prewarm({summary, heatmap}, k_fixture_now_ms);
    CHECK(cache.refreshing());
    // Asked before its turn: computed now, never an empty answer.
    CHECK(all_time_cost(cache.get(summary, k_fixture_now_ms)) == Approx(0.1052));
    CHECK_FALSE(cache.refresh_next());  // skips the current summary, computes the heatmap
    CHECK_FALSE(cache.refreshing());
    CHECK(cache.size() == 2);
    CHECK(cache.get(heatmap, k_fixture_now_ms).body.find("\"cells\"") != std::string::npos);
}

TEST_CASE("answers are kept within the byte budget, the least recently used going first",
          "[api_cache]") {
    WebFixture fixture;
    ccmeter::WebApi api(fixture.queries(), fixture.loop());
    const ccmeter::ApiRequest summary =
        *ccmeter::parse_api_request("/api/summary", k_fixture_now_ms);
    const ccmeter::ApiRequest heatmap =
        *ccmeter::parse_api_request("/api/heatmap", k_fixture_now_ms);
    const size_t summary_bytes = api.answer(summary).body.size();
    const size_t heatmap_bytes = api.answer(heatmap).body.size();

    SECTION("an answer larger than the whole budget is answered, never kept") {
        ccmeter::ApiCache cache(api, summary_bytes - 1);
        CHECK(all_time_cost(cache.get(summary, k_fixture_now_ms)) == Approx(0.1052));
        CHECK(cache.size() == 0);
        CHECK(cache.bytes() == 0);
        fixture.add_response(1000);  // computed again: the new response is in it
        CHECK(all_time_cost(cache.get(summary, k_fixture_now_ms)) == Approx(0.1202));
    }
    SECTION("room for one: the other is evicted, and its bytes are no longer counted") {
        const size_t budget = std::max(summary_bytes, heatmap_bytes) + 64;  // not both
        ccmeter::ApiCache cache(api, budget);
        (void)cache.get(summary, k_fixture_now_ms);
        CHECK(cache.bytes() == summary_bytes);
        (void)cache.get(heatmap, k_fixture_now_ms + 1);
        CHECK(cache.size() == 1);
        CHECK(cache.bytes() == heatmap_bytes);
        fixture.add_response(1000);  // the summary was evicted: computed afresh
        CHECK(all_time_cost(cache.get(summary, k_fixture_now_ms + 2)) == Approx(0.1202));
        CHECK(cache.size() == 1);
        CHECK(cache.bytes() <= budget);
    }
}
