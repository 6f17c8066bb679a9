#include <catch2/catch.hpp>

#include "web/api_request.hpp"
#include "web_fixture.hpp"

using ccmeter::ApiEndpoint;
using ccmeter::parse_api_request;

TEST_CASE("API targets are parsed and resolved against the clock", "[api_request]") {
    setenv("TZ", "UTC", 1);
    tzset();
    CHECK(parse_api_request("/api/nothing", k_fixture_now_ms)->endpoint == ApiEndpoint::unknown);
    CHECK(parse_api_request("/index.html", k_fixture_now_ms)->endpoint == ApiEndpoint::unknown);
    CHECK(parse_api_request("/api/events", k_fixture_now_ms)->endpoint == ApiEndpoint::events);

    auto daily = parse_api_request("/api/daily?days=7", k_fixture_now_ms);
    REQUIRE(daily.has_value());
    CHECK(daily->days == 7);
    CHECK(daily->today_start_ms == k_fixture_now_ms - 16 * 3'600'000);
    CHECK(parse_api_request("/api/daily", k_fixture_now_ms)->days == 30);
    CHECK(parse_api_request("/api/daily?days=all", k_fixture_now_ms)->days == 0);
    CHECK(parse_api_request("/api/heatmap?days=7", k_fixture_now_ms)->since_ms ==
          k_fixture_now_ms - 16 * 3'600'000 - 6 * 86'400'000);
    CHECK_FALSE(parse_api_request("/api/daily?days=0", k_fixture_now_ms).has_value());
    CHECK_FALSE(parse_api_request("/api/daily?days=lots", k_fixture_now_ms).has_value());

    auto active = parse_api_request("/api/active", k_fixture_now_ms);
    CHECK(active->since_ms == k_fixture_now_ms - 600'000);
    CHECK_FALSE(active->cacheable());

    auto session = parse_api_request("/api/session/abc%2Ddef", k_fixture_now_ms);
    REQUIRE(session.has_value());
    CHECK(session->session_id == "abc-def");
    CHECK(session->cacheable());
    CHECK(session->limit == ccmeter::k_default_session_responses);
    CHECK_FALSE(session->before_ms.has_value());
    auto page =
        parse_api_request("/api/session/abc?limit=20&before=1790000000123", k_fixture_now_ms);
    REQUIRE(page.has_value());
    CHECK(page->limit == 20);
    CHECK(page->before_ms == 1'790'000'000'123);
    CHECK(page->key() != session->key());  // another page, another cached answer
    CHECK(parse_api_request("/api/session/abc?limit=all", k_fixture_now_ms)->limit == 0);
    CHECK_FALSE(parse_api_request("/api/session/abc?limit=0", k_fixture_now_ms).has_value());
    CHECK_FALSE(parse_api_request("/api/session/abc?before=soon", k_fixture_now_ms).has_value());
    CHECK_FALSE(parse_api_request("/api/session/bad%2", k_fixture_now_ms).has_value());
    CHECK_FALSE(parse_api_request("/api/session/", k_fixture_now_ms).has_value());

    auto team = parse_api_request("/api/team", k_fixture_now_ms);
    REQUIRE(team.has_value());
    CHECK(team->endpoint == ApiEndpoint::team);
    CHECK(team->team_view == "members");
    CHECK_FALSE(team->cacheable());  // other machines write the store
    CHECK(parse_api_request("/api/team?view=daily", k_fixture_now_ms)->team_view == "daily");
    CHECK_FALSE(parse_api_request("/api/team?view=weekly", k_fixture_now_ms).has_value());
    unsetenv("TZ");
    tzset();
}

TEST_CASE("the first of the last N local days, across DST changes", "[api_request]") {
    setenv("TZ", "Europe/Berlin", 1);
    tzset();
    // 2026-11-01 00:00 CET back 14 days over the fall-back of 2026-10-25: 2026-10-19 00:00 CEST.
    CHECK(ccmeter::first_day_start(1'793'487'600'000, 14) == 1'792'360'800'000);
    // 2026-04-05 00:00 CEST back 14 days over the spring-forward of 2026-03-29.
    CHECK(ccmeter::first_day_start(1'775'340'000'000, 14) == 1'774'220'400'000);
    CHECK(ccmeter::first_day_start(1'775'340'000'000, 1) == 1'775'340'000'000);
    unsetenv("TZ");
    tzset();
}

TEST_CASE("cache keys tell different answers apart", "[api_request]") {
    auto a = parse_api_request("/api/daily?days=7", k_fixture_now_ms);
    auto b = parse_api_request("/api/daily?days=30", k_fixture_now_ms);
    auto c = parse_api_request("/api/daily?days=7", k_fixture_now_ms + 60'000);
    CHECK(a->key() != b->key());
    CHECK(a->key() == c->key());  // the same day
    auto d = parse_api_request("/api/daily?days=7", k_fixture_now_ms + 86'400'000);
    CHECK(a->key() != d->key());  // the next day
}
