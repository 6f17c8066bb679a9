#include <boost/beast/http/field.hpp>
#include <boost/beast/http/verb.hpp>
#include <catch2/catch.hpp>
#include <string>

#include "web/http_policy.hpp"
#include "web/web_router.hpp"
#include "web_fixture.hpp"

namespace http = boost::beast::http;

namespace {

constexpr uint16_t k_port = 7681;
const std::string k_token(64, 'a');

// A request as the logged-in page sends it: with the auth cookie (unless `with_token` is false).
ccmeter::HttpRequest get(const std::string& target, const std::string& host,
                         http::verb verb = http::verb::get, bool with_token = true) {
    ccmeter::HttpRequest request{verb, target, 11};
    request.set(http::field::host, host);
    if (with_token)
        request.set(http::field::cookie, "other=1; ccmeter_token_7681=" + k_token);
    return request;
}

std::string header(const ccmeter::HttpResponse& response, http::field field) {
    return std::string(response[field]);
}

std::string header(const ccmeter::HttpResponse& response, const char* name) {
    return std::string(response[name]);
}

struct RouterFixture {
    WebFixture fixture;
    ccmeter::WebApi api{fixture.queries(), fixture.loop()};
    ccmeter::ApiCache cache{api};
    ccmeter::WebRouter router{cache, k_port, k_token};

    ccmeter::RoutedResponse route(const ccmeter::HttpRequest& request) {
        return router.route(request, k_fixture_now_ms);
    }
};

}  // namespace

TEST_CASE("only the loopback names with our port are served (DNS rebinding)", "[web_router]") {
    CHECK(ccmeter::is_allowed_host("127.0.0.1:7681", k_port));
    CHECK(ccmeter::is_allowed_host("localhost:7681", k_port));
    CHECK(ccmeter::is_allowed_host("LocalHost:7681", k_port));
    CHECK_FALSE(ccmeter::is_allowed_host("evil.com:7681", k_port));
    CHECK_FALSE(ccmeter::is_allowed_host("127.0.0.1", k_port));
    CHECK_FALSE(ccmeter::is_allowed_host("127.0.0.1:7682", k_port));
    CHECK_FALSE(ccmeter::is_allowed_host("localhost.evil.com:7681", k_port));
    CHECK_FALSE(ccmeter::is_allowed_host("", k_port));

    RouterFixture f;
    ccmeter::RoutedResponse refused = f.route(get("/api/summary", "evil.com:7681"));
    CHECK(refused.response.result_int() == 403);
    CHECK(refused.response.body().find("\"cost_usd\"") == std::string::npos);
    CHECK(f.route(get("/", "evil.com:7681")).response.result_int() == 403);
    CHECK(f.route(get("/api/events", "evil.com:7681")).event_stream == false);
    CHECK(f.route(get("/api/summary", "127.0.0.1:7681")).response.result_int() == 200);
    CHECK(f.route(get("/api/summary", "localhost:7681")).response.result_int() == 200);
}

TEST_CASE("every answer carries the security headers and no CORS", "[web_router]") {
    RouterFixture f;
    for (const char* target : {"/", "/app.js", "/api/summary", "/api/nothing", "/missing"}) {
        ccmeter::RoutedResponse routed = f.route(get(target, "127.0.0.1:7681"));
        INFO(target);
        const std::string csp = header(routed.response, "Content-Security-Policy");
        CHECK(csp.find("default-src 'none'") != std::string::npos);
        CHECK(csp.find("script-src 'self'") != std::string::npos);
        CHECK(csp.find("unsafe-inline") == std::string::npos);
        CHECK(csp.find("frame-ancestors 'none'") != std::string::npos);
        CHECK(header(routed.response, "X-Content-Type-Options") == "nosniff");
        CHECK(header(routed.response, http::field::access_control_allow_origin).empty());
    }
    ccmeter::RoutedResponse refused = f.route(get("/", "evil.com:7681"));
    CHECK(!header(refused.response, "Content-Security-Policy").empty());
}

TEST_CASE("assets, API answers, errors and the event stream head", "[web_router]") {
    RouterFixture f;
    ccmeter::RoutedResponse index = f.route(get("/", "127.0.0.1:7681"));
    CHECK(index.response.result_int() == 200);
    CHECK(header(index.response, http::field::content_type) == "text/html; charset=utf-8");
    CHECK(index.response.body().find("/app.js") != std::string::npos);
    const std::string etag = header(index.response, http::field::etag);
    CHECK(!etag.empty());
    ccmeter::HttpRequest again = get("/index.html", "127.0.0.1:7681");
    again.set(http::field::if_none_match, etag);
    CHECK(f.route(again).response.result_int() == 304);

    ccmeter::RoutedResponse uplot = f.route(get("/uPlot.iife.min.js", "127.0.0.1:7681"));
    CHECK(uplot.response.result_int() == 200);
    CHECK(header(uplot.response, http::field::content_type) == "text/javascript; charset=utf-8");
    CHECK(uplot.response.body().size() > 10'000);

    ccmeter::RoutedResponse summary = f.route(get("/api/summary", "127.0.0.1:7681"));
    CHECK(header(summary.response, http::field::content_type) == "application/json");
    CHECK(header(summary.response, http::field::cache_control) == "no-store");
    CHECK(f.route(get("/api/nothing", "127.0.0.1:7681")).response.result_int() == 404);
    ccmeter::RoutedResponse bad = f.route(get("/api/daily?days=x", "127.0.0.1:7681"));
    CHECK(bad.response.result_int() == 400);
    CHECK(bad.response.body().find("\"error\"") != std::string::npos);
    CHECK(f.route(get("/nope.txt", "127.0.0.1:7681")).response.result_int() == 404);

    ccmeter::RoutedResponse post = f.route(get("/api/summary", "127.0.0.1:7681", http::verb::post));
    CHECK(post.response.result_int() == 405);
    ccmeter::RoutedResponse head = f.route(get("/api/summary", "127.0.0.1:7681", http::verb::head));
    CHECK(head.response.result_int() == 200);
    CHECK(head.response.body().empty());

    ccmeter::RoutedResponse events = f.route(get("/api/events", "127.0.0.1:7681"));
    CHECK(events.event_stream);
    CHECK(header(events.response, http::field::content_type) == "text/event-stream");
}

TEST_CASE("every request needs the token: cookie or Bearer; /login sets the cookie",
          "[web_router][auth]") {
    RouterFixture f;
    for (const char* target : {"/", "/app.js", "/api/summary", "/api/events", "/missing"}) {
        INFO(target);
        ccmeter::RoutedResponse refused =
            f.route(get(target, "127.0.0.1:7681", http::verb::get, false));
        CHECK(refused.response.result_int() == 401);
        CHECK_FALSE(refused.event_stream);
        CHECK(refused.response.body().find("hookctl web") != std::string::npos);
    }
    ccmeter::HttpRequest wrong = get("/api/summary", "127.0.0.1:7681", http::verb::get, false);
    wrong.set(http::field::cookie, "ccmeter_token_7681=" + std::string(64, 'b'));
    CHECK(f.route(wrong).response.result_int() == 401);
    ccmeter::HttpRequest other_port = get("/api/summary", "127.0.0.1:7681", http::verb::get, false);
    other_port.set(http::field::cookie, "ccmeter_token_7682=" + k_token);
    CHECK(f.route(other_port).response.result_int() == 401);

    ccmeter::HttpRequest bearer = get("/api/summary", "127.0.0.1:7681", http::verb::get, false);
    bearer.set(http::field::authorization, "Bearer " + k_token);
    CHECK(f.route(bearer).response.result_int() == 200);
    bearer.set(http::field::authorization, "Bearer " + k_token + "x");
    CHECK(f.route(bearer).response.result_int() == 401);

    ccmeter::RoutedResponse login =
        f.route(get("/login?token=" + k_token, "127.0.0.1:7681", http::verb::get, false));
    CHECK(login.response.result_int() == 303);
    CHECK(header(login.response, http::field::location) == "/");
    const std::string cookie = header(login.response, http::field::set_cookie);
    CHECK(cookie.rfind("ccmeter_token_7681=" + k_token + ";", 0) == 0);
    CHECK(cookie.find("HttpOnly") != std::string::npos);
    CHECK(cookie.find("SameSite=Strict") != std::string::npos);
    CHECK(cookie.find("Path=/") != std::string::npos);
    CHECK(f.route(get("/login?token=nope", "127.0.0.1:7681", http::verb::get, false))
              .response.result_int() == 401);
    CHECK(f.route(get("/login", "127.0.0.1:7681", http::verb::get, false)).response.result_int() ==
          401);
    // The Host check comes first: a rebound name cannot log in either.
    CHECK(f.route(get("/login?token=" + k_token, "evil.com:7681", http::verb::get, false))
              .response.result_int() == 403);
}

TEST_CASE("a router without a token refuses everything", "[web_router][auth]") {
    WebFixture fixture;
    ccmeter::WebApi api{fixture.queries(), fixture.loop()};
    ccmeter::ApiCache cache{api};
    ccmeter::WebRouter router{cache, k_port};
    ccmeter::HttpRequest request = get("/login?token=", "127.0.0.1:7681", http::verb::get, false);
    request.set(http::field::cookie, "ccmeter_token_7681=");
    CHECK(router.route(request, k_fixture_now_ms).response.result_int() == 401);
}

TEST_CASE("a request with two Host headers, or none, is refused", "[web_router]") {
    RouterFixture f;
    ccmeter::HttpRequest twice = get("/api/summary", "127.0.0.1:7681");
    twice.insert(http::field::host, "evil.com:7681");
    CHECK(f.route(twice).response.result_int() == 400);
    ccmeter::HttpRequest reversed = get("/api/summary", "evil.com:7681");
    reversed.insert(http::field::host, "127.0.0.1:7681");
    CHECK(f.route(reversed).response.result_int() == 400);
    ccmeter::HttpRequest none = get("/api/summary", "127.0.0.1:7681");
    none.erase(http::field::host);
    CHECK(f.route(none).response.result_int() == 400);
}

TEST_CASE("the OpenTelemetry receiver takes only its own token, JSON and POST", "[web_router]") {
    RouterFixture f;
    const std::string otel_token(64, 'b');
    std::vector<ccmeter::ClientEvents> received;
    ccmeter::OtlpReceiverOptions options;
    options.token = otel_token;
    options.sink = [&](ccmeter::ClientEvents events) {
        received.push_back(std::move(events));
        return true;
    };
    ccmeter::OtlpReceiver receiver(options);
    f.router.set_otlp_receiver(&receiver);
    const std::string body =
        R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[{"attributes":[)"
        R"({"key":"event.name","value":{"stringValue":"api_request"}},)"
        R"({"key":"session.id","value":{"stringValue":"s1"}},)"
        R"({"key":"request_id","value":{"stringValue":"req_1"}},)"
        R"({"key":"model","value":{"stringValue":"claude-opus-5-5"}},)"
        R"({"key":"input_tokens","value":{"intValue":"12"}},)"
        R"({"key":"cost_usd_micros","value":{"intValue":7988}},)"
        R"({"key":"prompt","value":{"stringValue":"secret prompt text"}}]}]}]}]})";
    auto post = [&](const std::string& authorization, const std::string& type,
                    bool cookie = false) {
        ccmeter::HttpRequest request = get("/v1/logs", "127.0.0.1:7681", http::verb::post, cookie);
        if (!authorization.empty())
            request.set(http::field::authorization, authorization);
        request.set(http::field::content_type, type);
        request.body() = body;
        request.prepare_payload();
        return f.route(request).response;
    };
    // The web view's cookie, or its token, opens nothing here.
    CHECK(post("", "application/json", true).result_int() == 401);
    CHECK(post("Bearer " + k_token, "application/json").result_int() == 401);
    CHECK(post("Bearer " + otel_token, "application/x-protobuf").result_int() == 415);
    CHECK(received.empty());
    const ccmeter::HttpResponse ok = post("Bearer " + otel_token, "application/json");
    CHECK(ok.result_int() == 200);
    CHECK(ok.body() == "{}");
    REQUIRE(received.size() == 1);
    REQUIRE(received[0].requests.size() == 1);
    CHECK(received[0].requests[0].cost_pico_usd == 7'988'000'000);
    CHECK(receiver.bodies_rejected() == 3);
    CHECK(receiver.events_received() == 1);
    // And the OTLP token opens nothing of the web view.
    ccmeter::HttpRequest page = get("/api/summary", "127.0.0.1:7681", http::verb::get, false);
    page.set(http::field::authorization, "Bearer " + otel_token);
    CHECK(f.route(page).response.result_int() == 401);
    // GET on the receiver: 405.
    ccmeter::HttpRequest wrong = get("/v1/logs", "127.0.0.1:7681", http::verb::get, false);
    wrong.set(http::field::authorization, "Bearer " + otel_token);
    CHECK(f.route(wrong).response.result_int() == 405);
}

TEST_CASE("exports waiting for the ingest thread are bounded in batches and in records",
          "[web_router]") {
    // The fixture's IngestLoop is never started: nothing drains, so the queue only fills.
    {
        WebFixture fixture;
        int accepted = 0;
        while (fixture.loop().record_client_events(ccmeter::ClientEvents{}))
            ++accepted;
        CHECK(accepted == ccmeter::k_max_queued_client_events);
    }
    WebFixture fixture;
    ccmeter::ClientEvents big;
    big.tool_runs.resize(30'000);
    int accepted = 0;
    while (fixture.loop().record_client_events(big))
        ++accepted;
    CHECK(accepted == ccmeter::k_max_queued_client_records / 30'000);  // 3 of 30,000 each
}
