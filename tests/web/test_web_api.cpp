// The JSON API's numbers over the fixture history (fixtures/make_fixture.py). Prices per
// million tokens: opus-4-5 5 / 6.25 / 10 / 0.50 / 25, haiku-4-5 1 / 1.25 / 2 / 0.10 / 5,
// sonnet-4-5 3 / 3.75 / 6 / 0.30 / 15 (input / 5m write / 1h write / read / output), so
//   r1 = 100*5 + 500*25 + 2000*10 + 10000*0.5     = 38000 micro-dollars
//   r2 = 50*5 + 1000*25 + 12000*0.5                = 31250
//   r3 = 200*1 + 300*5 + 1000*1.25                 =  2950  (subagent)
//   r4 = 1000*3 + 2000*15                          = 33000  (session B, today)
#include <unistd.h>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "common/app_paths.hpp"

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
    CHECK(session.body.at("turn_count") == 1);
    CHECK(turns[0].at("number") == 1);
    const json::array& responses = turns[0].at("responses").as_array();
    REQUIRE(responses.size() == 3);
    CHECK(responses[1].at("is_sidechain").as_bool());
    CHECK(responses[1].at("agent_id").as_string() == "xyz");
    CHECK(number(responses[1].at("cost_usd")) == Approx(0.00295));
    CHECK(responses[0].at("output_tokens").as_int64() == 500);
    CHECK(session.body.at("next_before_ms").is_null());

    // A page of one: the newest response; the totals and the turn are the whole session's, and
    // the next page (before the listed one) holds the other two.
    Answer newest = ask(api, std::string("/api/session/") + k_session_a + "?limit=1");
    REQUIRE(newest.status == 200);
    CHECK(newest.body.at("totals") == session.body.at("totals"));
    CHECK(newest.body.at("turns").at(0).at("unique_responses") == 3);
    CHECK(newest.body.at("listed_responses") == 1);
    const json::array& one = newest.body.at("turns").at(0).at("responses").as_array();
    REQUIRE(one.size() == 1);
    CHECK(one[0] == responses[2]);
    const int64_t before = newest.body.at("next_before_ms").as_int64();
    CHECK(before == one[0].at("timestamp_ms").as_int64());
    Answer older = ask(api, std::string("/api/session/") + k_session_a +
                                "?limit=5&before=" + std::to_string(before));
    REQUIRE(older.status == 200);
    CHECK(older.body.at("listed_responses") == 2);
    CHECK(older.body.at("next_before_ms").is_null());
    CHECK(ask(api, std::string("/api/session/") + k_session_a + "?limit=all")
              .body.at("listed_responses") == 3);

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

TEST_CASE("responses: the latest first, as hookctl export writes them", "[web_api]") {
    WebFixture fixture;
    ccmeter::WebApi api(fixture.queries(), fixture.loop());
    Answer all = ask(api, "/api/responses");
    REQUIRE(all.status == 200);
    const json::array& rows = all.body.at("responses").as_array();
    REQUIRE(rows.size() == 4);
    const char* order[] = {"msg_04", "msg_02", "msg_03", "msg_01"};
    const int64_t micros[] = {33000, 31250, 2950, 38000};
    for (size_t i = 0; i < 4; ++i) {
        CHECK(rows[i].at("message_id").as_string() == order[i]);
        CHECK(rows[i].at("cost_micro_usd").as_int64() == micros[i]);
    }
    // r1's two lines are one response, at each field's maximum.
    CHECK(rows[3].at("output_tokens").as_int64() == 500);
    CHECK(rows[0].at("session_id").as_string() == k_session_b);
    CHECK(rows[0].at("project").as_string() == "/home/dev/lib");
    CHECK(rows[2].at("chain").as_string() == "sidechain");
    CHECK(rows[2].at("agent_id").as_string() == "xyz");
    CHECK(rows[1].at("chain").as_string() == "main");
    CHECK(rows[0].at("cost_usd").as_string() == "0.033000000000");

    Answer two = ask(api, "/api/responses?limit=2");
    REQUIRE(two.body.at("responses").as_array().size() == 2);
    CHECK(two.body.at("responses").at(1).at("message_id").as_string() == "msg_02");
    CHECK(two.body.at("limit").as_int64() == 2);

    for (const char* bad :
         {"/api/responses?limit=0", "/api/responses?limit=1001", "/api/responses?limit=x"})
        CHECK_FALSE(ccmeter::parse_api_request(bad, k_fixture_now_ms).has_value());
}

TEST_CASE("insights: the most expensive turns and sessions, the turn cost spread", "[web_api]") {
    WebFixture fixture;
    ccmeter::WebApi api(fixture.queries(), fixture.loop());
    Answer insights = ask(api, "/api/insights");
    REQUIRE(insights.status == 200);
    // Session A's one turn holds r1, r2 and its subagent's r3; session B's holds r4.
    CHECK(insights.body.at("turns").as_int64() == 2);
    const json::array& turns = insights.body.at("top_turns").as_array();
    REQUIRE(turns.size() == 2);
    CHECK(turns[0].at("session_id").as_string() == k_session_a);
    CHECK(turns[0].at("start_ms").as_int64() ==
          k_fixture_now_ms - 30 * 3'600'000);  // 2026-11-20 10:00:00Z
    CHECK(turns[0].at("unique_responses").as_int64() == 3);
    CHECK(number(turns[0].at("cost_usd")) == 0.0722);  // 38000 + 31250 + 2950 micro-dollars
    CHECK(turns[1].at("session_id").as_string() == k_session_b);
    CHECK(number(turns[1].at("cost_usd")) == 0.033);
    CHECK(number(insights.body.at("p50_turn_usd")) == 0.033);
    CHECK(number(insights.body.at("p90_turn_usd")) == 0.0722);
    const json::array& buckets = insights.body.at("turn_cost_buckets").as_array();
    REQUIRE(buckets.size() == 8);
    CHECK(buckets[1].at("turns").as_int64() == 1);  // $0.033: from 1 to 5 cents
    CHECK(buckets[2].at("turns").as_int64() == 1);  // $0.0722: from 5 to 10 cents
    CHECK(buckets[7].at("below_usd").is_null());
    const json::array& sessions = insights.body.at("top_sessions").as_array();
    REQUIRE(sessions.size() == 2);
    CHECK(sessions[0].at("session_id").as_string() == k_session_a);
    CHECK(number(sessions[0].at("cost_usd")) == 0.0722);
}

TEST_CASE("compare: this week and month so far against the last, and the plan", "[web_api]") {
    WebFixture fixture;
    ccmeter::WebApi api(fixture.queries(), fixture.loop());
    const std::filesystem::path budgets =
        std::filesystem::temp_directory_path() / ("ccmeter-budgets-" + std::to_string(::getpid()));
    {
        std::ofstream out(budgets);
        out << R"({"plan_usd_per_month": 0.05})";
    }
    setenv("CCMETER_BUDGETS", budgets.c_str(), 1);
    // Saturday 2026-11-21 16:00Z: everything is this week and this month.
    Answer now = ask(api, "/api/compare");
    REQUIRE(now.status == 200);
    const json::object& week = now.body.at("week").as_object();
    CHECK(number(week.at("this").at("cost_usd")) == 0.1052);
    CHECK(week.at("this").at("start_ms").as_int64() ==
          k_fixture_now_ms - 5 * 86'400'000 - 16 * 3'600'000);  // Monday
    CHECK(number(week.at("last").at("cost_usd")) == 0);
    CHECK(week.at("change_per_mille").is_null());
    const json::object& plan = now.body.at("plan").as_object();
    CHECK(number(plan.at("month_so_far_usd")) == 0.1052);
    // 105,200 micro-dollars in 20 days 16 hours of a 30-day month.
    const int64_t projected =
        int64_t{105'200} * (30 * 86'400'000LL) / (20 * 86'400'000LL + 16 * 3'600'000LL);
    CHECK(number(plan.at("projected_month_usd")) == static_cast<double>(projected) / 1e6);
    CHECK(number(plan.at("plan_usd_per_month")) == 0.05);
    CHECK(plan.at("projected_per_mille_of_plan").as_int64() == projected * 1000 / 50'000);

    // Friday 2026-11-27 16:00Z: last week cut at Friday 16:00 holds session A, not B.
    Answer later = ask(api, "/api/compare", k_fixture_now_ms + 6 * 86'400'000);
    const json::object& next_week = later.body.at("week").as_object();
    CHECK(number(next_week.at("this").at("cost_usd")) == 0);
    CHECK(number(next_week.at("last").at("cost_usd")) == 0.0722);
    CHECK(next_week.at("last").at("end_ms").as_int64() == k_fixture_now_ms - 86'400'000);
    CHECK(next_week.at("change_per_mille").as_int64() == -1000);
    // Without a plan there is nothing to compare with.
    std::filesystem::remove(budgets);
    Answer no_plan = ask(api, "/api/compare");
    CHECK(no_plan.body.at("plan").at("plan_usd_per_month").is_null());
    CHECK(no_plan.body.at("plan").at("projected_per_mille_of_plan").is_null());
    CHECK(number(no_plan.body.at("plan").at("month_so_far_usd")) == 0.1052);
    unsetenv("CCMETER_BUDGETS");
}

TEST_CASE("activity: none before the client reports its processes", "[web_api]") {
    WebFixture fixture;
    ccmeter::WebApi api(fixture.queries(), fixture.loop());
    Answer activity = ask(api, "/api/activity");
    REQUIRE(activity.status == 200);
    CHECK(activity.body.at("days").as_array().empty());
    CHECK(activity.body.at("totals").at("processes").as_int64() == 0);
    CHECK(activity.body.at("since_ms").as_int64() ==
          k_fixture_now_ms - 16 * 3'600'000 - int64_t{29} * 86'400'000);
    CHECK(ask(api, "/api/activity?days=all").body.at("since_ms").as_int64() ==
          k_fixture_now_ms - 30 * 3'600'000 - 10 * 3'600'000);  // the first response's day
    CHECK(ask(api, "/api/session/" + std::string(k_session_a)).body.at("activity").is_null());
    CHECK_FALSE(ccmeter::parse_api_request("/api/activity?days=0", k_fixture_now_ms).has_value());
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

TEST_CASE("branches: cost per git branch of each project", "[web_api]") {
    WebFixture fixture;
    ccmeter::WebApi api(fixture.queries(), fixture.loop());
    Answer branches = ask(api, "/api/branches");
    REQUIRE(branches.status == 200);
    const json::array& rows = branches.body.at("branches").as_array();
    // Both projects work on "main": two rows, most recent first.
    REQUIRE(rows.size() == 2);
    CHECK(rows[0].at("branch").as_string() == "main");
    CHECK(rows[0].at("project").as_string() == "/home/dev/lib");
    CHECK(number(rows[0].at("cost_usd")) == 0.033);
    CHECK(rows[1].at("project").as_string() == "/home/dev/app");
    CHECK(number(rows[1].at("cost_usd")) == 0.0722);
    CHECK(rows[1].at("unique_responses").as_int64() == 3);
    CHECK(number(branches.body.at("totals").at("cost_usd")) == 0.1052);
}

TEST_CASE("tools: calls, errors and run times per tool, as hookctl stats tools --json",
          "[web_api]") {
    WebFixture fixture;
    ccmeter::WebApi api(fixture.queries(), fixture.loop());
    // Two Bash calls (1.5 s, and 4 s failing) and a Read without a result, the first copied
    // into a second file (a resumed session): counted once.
    const std::filesystem::path dir =
        fixture.database().parent_path() / "tools" / "projects" / "-home-dev-tools";
    std::filesystem::create_directories(dir);
    auto use = [](const std::string& id, const std::string& name, const std::string& time) {
        return R"({"type":"assistant","sessionId":"dddddddd-0000-4000-8000-000000000004","cwd":"/home/dev/tools","timestamp":")" +
               time + R"(","requestId":"req_)" + id + R"(","message":{"id":"msg_)" + id +
               R"(","model":"claude-sonnet-4-5-20250929","content":[{"type":"tool_use","id":")" +
               id + R"(","name":")" + name +
               R"(","input":{}}],"usage":{"input_tokens":1,"output_tokens":1}}})" + "\n";
    };
    auto result = [](const std::string& id, bool error, const std::string& time) {
        return R"({"type":"user","message":{"role":"user","content":[{"tool_use_id":")" + id +
               R"(","type":"tool_result","content":"out","is_error":)" +
               (error ? "true" : "false") + R"(}]},"timestamp":")" + time +
               R"(","sessionId":"dddddddd-0000-4000-8000-000000000004"})" + "\n";
    };
    std::ofstream(dir / "dddddddd-0000-4000-8000-000000000004.jsonl")
        << use("toolu_a", "Bash", "2026-11-21T15:00:00.000Z")
        << result("toolu_a", false, "2026-11-21T15:00:01.500Z")
        << use("toolu_b", "Bash", "2026-11-10T15:01:00.000Z")
        << result("toolu_b", true, "2026-11-10T15:01:04.000Z")
        << use("toolu_c", "Read", "2026-11-21T15:02:00.000Z");
    std::ofstream(dir / "eeeeeeee-0000-4000-8000-000000000005.jsonl")
        << use("toolu_a", "Bash", "2026-11-21T15:00:00.000Z")
        << result("toolu_a", false, "2026-11-21T15:00:01.500Z");
    fixture.ingest(dir.parent_path().parent_path());

    Answer answer = ask(api, "/api/tools");
    REQUIRE(answer.status == 200);
    const json::array& tools = answer.body.at("tools").as_array();
    REQUIRE(tools.size() == 2);
    const json::object& bash = tools[0].as_object();
    CHECK(bash.at("name").as_string() == "Bash");
    CHECK(bash.at("calls").as_int64() == 2);
    CHECK(bash.at("errors").as_int64() == 1);
    CHECK(bash.at("timed_calls").as_int64() == 2);
    CHECK(bash.at("total_ms").as_int64() == 5500);
    CHECK(bash.at("p50_ms").as_int64() == 1500);
    CHECK(bash.at("p95_ms").as_int64() == 4000);
    const json::object& read = tools[1].as_object();
    CHECK(read.at("name").as_string() == "Read");
    CHECK(read.at("calls").as_int64() == 1);
    CHECK(read.at("timed_calls").as_int64() == 0);
    CHECK(read.at("p50_ms").is_null());
    const json::object& totals = answer.body.at("totals").as_object();
    CHECK(totals.at("calls").as_int64() == 3);
    CHECK(totals.at("errors").as_int64() == 1);

    // The last 7 days leave out the call of 2026-11-10.
    Answer week = ask(api, "/api/tools?days=7");
    REQUIRE(week.status == 200);
    CHECK(week.body.at("tools").as_array()[0].at("calls").as_int64() == 1);
    CHECK(week.body.at("totals").at("calls").as_int64() == 2);
    CHECK_FALSE(ccmeter::parse_api_request("/api/tools?days=x", k_fixture_now_ms).has_value());
}
