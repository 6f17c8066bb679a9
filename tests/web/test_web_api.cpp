// The JSON API's numbers over the fixture history (fixtures/make_fixture.py). Prices per
// million tokens: opus-4-5 5 / 6.25 / 10 / 0.50 / 25, haiku-4-5 1 / 1.25 / 2 / 0.10 / 5,
// sonnet-4-5 3 / 3.75 / 6 / 0.30 / 15 (input / 5m write / 1h write / read / output), so
//   r1 = 100*5 + 500*25 + 2000*10 + 10000*0.5     = 38000 micro-dollars
//   r2 = 50*5 + 1000*25 + 12000*0.5                = 31250
//   r3 = 200*1 + 300*5 + 1000*1.25                 =  2950  (subagent)
//   r4 = 1000*3 + 2000*15                          = 33000  (session B, today)
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <catch2/catch.hpp>

#include "web/api_request.hpp"
#include "web/web_api.hpp"
#include "web_fixture.hpp"

namespace json = boost::json;

namespace {

struct Answer {
    int status = 0;
    json::object body;
};

Answer ask(ccmeter::WebApi& api, const std::string& target, int64_t now_ms = k_fixture_now_ms) {
    ccmeter::Result<ccmeter::ApiRequest> request = ccmeter::parse_api_request(target, now_ms);
    REQUIRE(request.has_value());
    ccmeter::WebReply reply = api.answer(*request);
    Answer answer;
    answer.status = reply.status;
    answer.body = json::parse(reply.body).as_object();
    return answer;
}

double number(const json::value& value) {
    return value.to_number<double>();
}

}  // namespace

TEST_CASE("summary: hookctl's periods plus cost per token kind", "[web_api]") {
    WebFixture fixture;
    ccmeter::WebApi api(fixture.queries(), fixture.loop());
    Answer answer = ask(api, "/api/summary");
    REQUIRE(answer.status == 200);
    const json::object& body = answer.body;
    CHECK(number(body.at("today").at("cost_usd")) == Approx(0.033));
    CHECK(body.at("today").at("unique_responses").as_int64() == 1);
    CHECK(number(body.at("this_week").at("cost_usd")) == Approx(0.1052));
    CHECK(number(body.at("this_month").at("cost_usd")) == Approx(0.1052));
    CHECK(number(body.at("all_time").at("cost_usd")) == Approx(0.1052));
    CHECK(body.at("all_time").at("output_tokens").as_int64() == 3800);  // max of r1's lines
    CHECK(body.at("all_time").at("cache_read_input_tokens").as_int64() == 22000);
    CHECK(body.at("totals") == body.at("all_time"));

    const json::object& parts = body.at("cost_parts").at("all_time").as_object();
    CHECK(number(parts.at("input_usd")) == Approx(0.00395));
    CHECK(number(parts.at("output_usd")) == Approx(0.069));
    CHECK(number(parts.at("cache_write_usd")) == Approx(0.02125));
    CHECK(number(parts.at("cache_read_usd")) == Approx(0.011));
    CHECK(number(parts.at("web_search_usd")) == 0);
    CHECK(number(parts.at("cache_savings_usd")) == Approx(0.099));  // 22000 * 4.5
    const json::object& today = body.at("cost_parts").at("today").as_object();
    CHECK(number(today.at("input_usd")) == Approx(0.003));
    CHECK(number(today.at("output_usd")) == Approx(0.03));
    CHECK(body.at("today_start_ms").as_int64() == k_fixture_now_ms - 16 * 3'600'000);
}

TEST_CASE("daily: one period per day with responses, stacked by model", "[web_api]") {
    WebFixture fixture;
    ccmeter::WebApi api(fixture.queries(), fixture.loop());
    for (const char* target : {"/api/daily?days=7", "/api/daily?days=all"}) {
        Answer answer = ask(api, target);
        REQUIRE(answer.status == 200);
        const json::array& periods = answer.body.at("periods").as_array();
        REQUIRE(periods.size() == 2);
        CHECK(periods[0].at("period").as_string() == "2026-11-20");
        CHECK(number(periods[0].at("cost_usd")) == Approx(0.0722));
        CHECK(number(periods[0].at("by_model").at("claude-haiku-4-5-20251001").at("cost_usd")) ==
              Approx(0.00295));
        CHECK(periods[1].at("period").as_string() == "2026-11-21");
        CHECK(number(periods[1].at("cost_usd")) == Approx(0.033));
        CHECK(number(answer.body.at("totals").at("cost_usd")) == Approx(0.1052));
    }
    Answer one_day = ask(api, "/api/daily?days=1");
    REQUIRE(one_day.body.at("periods").as_array().size() == 1);
    CHECK(number(one_day.body.at("totals").at("cost_usd")) == Approx(0.033));
}

TEST_CASE("sessions and one session's turns, subagents marked", "[web_api]") {
    WebFixture fixture;
    ccmeter::WebApi api(fixture.queries(), fixture.loop());
    Answer sessions = ask(api, "/api/sessions");
    REQUIRE(sessions.status == 200);
    const json::array& list = sessions.body.at("sessions").as_array();
    REQUIRE(list.size() == 2);
    CHECK(list[0].at("session_id").as_string() == k_session_b);  // most recent first
    CHECK(list[1].at("project").as_string() == "/home/dev/app");
    CHECK(number(list[1].at("cost_usd")) == Approx(0.0722));
    CHECK(list[1].at("models").as_array().size() == 2);

    Answer session = ask(api, std::string("/api/session/") + k_session_a);
    REQUIRE(session.status == 200);
    CHECK(number(session.body.at("totals").at("cost_usd")) == Approx(0.0722));
    const json::array& turns = session.body.at("turns").as_array();
    REQUIRE(turns.size() == 1);
    const json::array& responses = turns[0].at("responses").as_array();
    REQUIRE(responses.size() == 3);
    CHECK(responses[1].at("is_sidechain").as_bool());
    CHECK(responses[1].at("agent_id").as_string() == "xyz");
    CHECK(number(responses[1].at("cost_usd")) == Approx(0.00295));
    CHECK(responses[0].at("output_tokens").as_int64() == 500);

    CHECK(ask(api, "/api/session/no-such-session").status == 404);
}

TEST_CASE("projects and models: totals, cache hit rate, what the cache saved", "[web_api]") {
    WebFixture fixture;
    ccmeter::WebApi api(fixture.queries(), fixture.loop());
    Answer projects = ask(api, "/api/projects");
    REQUIRE(projects.status == 200);
    const json::array& list = projects.body.at("projects").as_array();
    REQUIRE(list.size() == 2);
    const json::object& app = list[1].as_object();
    CHECK(app.at("project").as_string() == "/home/dev/app");
    CHECK(number(app.at("cost_usd")) == Approx(0.0722));
    CHECK(number(app.at("cache_hit_rate")) == Approx(22000.0 / 25350.0));
    CHECK(number(app.at("cache_savings_usd")) == Approx(0.099));
    CHECK(number(list[0].at("cache_hit_rate")) == 0);
    CHECK(number(projects.body.at("totals").at("cache_savings_usd")) == Approx(0.099));

    Answer models = ask(api, "/api/models");
    REQUIRE(models.status == 200);
    bool found_opus = false;
    for (const json::value& model : models.body.at("models").as_array()) {
        if (model.at("model").as_string() != "claude-opus-4-5-20251101")
            continue;
        found_opus = true;
        CHECK(number(model.at("cost_usd")) == Approx(0.06925));
        CHECK(number(model.at("cache_savings_usd")) == Approx(0.099));
        CHECK(number(model.at("prices").at("input")) == Approx(5));
        CHECK(number(model.at("prices").at("cache_read")) == Approx(0.5));
    }
    CHECK(found_opus);
}

TEST_CASE("blocks, active sessions and the heatmap", "[web_api]") {
    WebFixture fixture;
    ccmeter::WebApi api(fixture.queries(), fixture.loop());
    Answer blocks = ask(api, "/api/blocks?hours=24");
    REQUIRE(blocks.status == 200);
    const json::array& list = blocks.body.at("blocks").as_array();
    REQUIRE(list.size() == 1);
    CHECK(list[0].at("active").as_bool());
    CHECK(number(list[0].at("cost_usd")) == Approx(0.033));
    CHECK(number(list[0].at("burn_usd_per_hour")) == Approx(0.033));  // one hour in
    CHECK(number(list[0].at("projected_usd")) == Approx(0.165));
    CHECK(ask(api, "/api/blocks?hours=all").body.at("blocks").as_array().size() == 2);

    // 15:35Z: session B answered five minutes ago, session A a day ago.
    const int64_t five_past = k_fixture_now_ms - 25 * 60'000;
    Answer active = ask(api, "/api/active?minutes=10", five_past);
    REQUIRE(active.body.at("sessions").as_array().size() == 1);
    CHECK(active.body.at("sessions").at(0).at("session_id").as_string() == k_session_b);
    CHECK(ask(api, "/api/active").body.at("sessions").as_array().empty());

    Answer heatmap = ask(api, "/api/heatmap");
    REQUIRE(heatmap.status == 200);
    const json::array& cells = heatmap.body.at("cells").as_array();
    REQUIRE(cells.size() == 2);
    CHECK(cells[0].at("weekday").as_int64() == 4);  // Friday 10:00 UTC
    CHECK(cells[0].at("hour").as_int64() == 10);
    CHECK(cells[0].at("unique_responses").as_int64() == 3);
    CHECK(number(cells[0].at("cost_usd")) == Approx(0.0722));
    CHECK(cells[1].at("weekday").as_int64() == 5);  // Saturday 15:00 UTC
    CHECK(number(heatmap.body.at("max_cost_usd")) == Approx(0.0722));
}

TEST_CASE("the client check: per day, ccmeter's figures next to the client's", "[web_api]") {
    WebFixture fixture;
    ccmeter::WebApi api(fixture.queries(), fixture.loop());
    Answer none = ask(api, "/api/check?days=30");
    REQUIRE(none.status == 200);
    CHECK(none.body.at("sessions").as_array().empty());  // the fixture's client wrote no record
    // The real client 2.1.332's own sessions (tool + subagent, a session and its fork), on
    // 2026-12-01: each agrees with the client to the micro-dollar.
    fixture.ingest(CCMETER_CLIENT_FIXTURE_DIR);
    const int64_t later = 1'796'256'000'000;  // 2026-12-03T00:00:00Z
    Answer check = ask(api, "/api/check?days=30", later);
    REQUIRE(check.status == 200);
    const json::array& days = check.body.at("days").as_array();
    REQUIRE(days.size() == 1);
    CHECK(days[0].at("sessions").as_int64() == 3);
    CHECK(number(days[0].at("client_usd")) == Approx(0.054916).epsilon(1e-9));
    CHECK(number(days[0].at("transcripts_usd")) == Approx(0.054916).epsilon(1e-9));
    CHECK(number(days[0].at("difference_usd")) == 0);
    CHECK(days[0].at("side_calls").as_int64() == 0);
    CHECK(check.body.at("sessions").as_array().size() == 3);
    // A window that ends before them: none.
    CHECK(ask(api, "/api/check?days=1", later + 5 * 86'400'000)
              .body.at("sessions")
              .as_array()
              .empty());
    CHECK_FALSE(ccmeter::parse_api_request("/api/check?days=0", later).has_value());
}

TEST_CASE("meta names the daemon's time zone", "[web_api]") {
    WebFixture fixture;
    ccmeter::WebApi api(fixture.queries(), fixture.loop());
    Answer meta = ask(api, "/api/meta");
    REQUIRE(meta.status == 200);
    CHECK(meta.body.at("responses").as_int64() == 4);
    CHECK(meta.body.at("time_zone").at("utc_offset_minutes").as_int64() == 0);
    CHECK(meta.body.at("now_ms").as_int64() == k_fixture_now_ms);
}

TEST_CASE("team: without a store, or with one that cannot be reached, 503 says why", "[web_api]") {
    WebFixture fixture;
    ccmeter::WebApi api(fixture.queries(), fixture.loop());
    const Answer none = ask(api, "/api/team?view=members");
    CHECK(none.status == 503);
    CHECK(std::string(none.body.at("error").as_string()).find("no team store is configured") !=
          std::string::npos);

    ccmeter::TeamConfig config;
    // A socket directory that does not exist: refused at once, no network involved.
    config.dsn = "host=/nonexistent/ccmeter-test port=1 dbname=x user=y";
    config.machine = "here";
    api.set_team(std::make_shared<const ccmeter::TeamQueries>(
        config, [&fixture] { return fixture.queries().prices(); }));
    const Answer down = ask(api, "/api/team?view=machines");
    CHECK(down.status == 503);
    CHECK(std::string(down.body.at("error").as_string()).find("team store unreachable") !=
          std::string::npos);
}
