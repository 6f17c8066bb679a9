#include <sys/resource.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <catch2/catch.hpp>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "web/web_server.hpp"
#include "web_fixture.hpp"

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::ip::tcp;

namespace {

const std::string k_token(64, 'c');
const std::string k_auth = "Authorization: Bearer " + k_token + "\r\n";

tcp::socket connect_to(asio::io_context& io, uint16_t port) {
    tcp::socket socket(io);
    socket.connect(tcp::endpoint(asio::ip::address_v4::loopback(), port));
    return socket;
}

http::response<http::string_body> fetch(uint16_t port, const std::string& target,
                                        const std::string& host) {
    asio::io_context io;
    tcp::socket socket = connect_to(io, port);
    const std::string request = "GET " + target + " HTTP/1.1\r\nHost: " + host +
                                "\r\nConnection: close\r\n" + k_auth + "\r\n";
    asio::write(socket, asio::buffer(request));
    boost::beast::flat_buffer buffer;
    http::response<http::string_body> response;
    http::read(socket, buffer, response);
    return response;
}

ccmeter::WebServerOptions options_on(uint16_t port) {
    ccmeter::WebServerOptions options;
    options.port = port;
    options.prewarm = false;  // generations counted from 0 by this test's changes only
    options.token = k_token;
    return options;
}

}  // namespace

TEST_CASE("the server answers on loopback and refuses foreign Host names", "[web_server]") {
    WebFixture fixture;
    ccmeter::WebServer server(options_on(0), fixture.queries(), fixture.loop());
    REQUIRE(server.start().has_value());
    const uint16_t port = server.port();
    REQUIRE(port != 0);
    const std::string host = "127.0.0.1:" + std::to_string(port);
    auto page = fetch(port, "/", host);
    CHECK(page.result_int() == 200);
    CHECK(!page["Content-Security-Policy"].empty());
    CHECK(fetch(port, "/api/sessions", host).result_int() == 200);
    CHECK(fetch(port, "/api/sessions", "evil.com:" + std::to_string(port)).result_int() == 403);
    // Without the token: 401 (what another local user gets).
    {
        asio::io_context io;
        tcp::socket socket = connect_to(io, port);
        const std::string request =
            "GET /api/sessions HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n";
        asio::write(socket, asio::buffer(request));
        boost::beast::flat_buffer buffer;
        http::response<http::string_body> response;
        http::read(socket, buffer, response);
        CHECK(response.result_int() == 401);
    }
    server.stop();
}

TEST_CASE("a taken port is a clear error, and nothing runs", "[web_server]") {
    WebFixture fixture;
    ccmeter::WebServer first(options_on(0), fixture.queries(), fixture.loop());
    REQUIRE(first.start().has_value());
    ccmeter::WebServer second(options_on(first.port()), fixture.queries(), fixture.loop());
    ccmeter::Result<void> started = second.start();
    REQUIRE_FALSE(started.has_value());
    CHECK(started.error().message.find("already in use") != std::string::npos);
    CHECK(started.error().message.find("--web-port") != std::string::npos);
}

TEST_CASE("the event stream says hello, then tells of new usage", "[web_server]") {
    WebFixture fixture;
    const std::filesystem::path url_file =
        std::filesystem::temp_directory_path() / ("ccmeter-web-url-" + std::to_string(::getpid()));
    ccmeter::WebServerOptions options = options_on(0);
    options.url_file = url_file;
    ccmeter::WebServer server(options, fixture.queries(), fixture.loop());
    REQUIRE(server.start().has_value());
    {
        std::ifstream in(url_file);
        std::string url;
        std::getline(in, url);
        CHECK(url == server.url());
    }
    asio::io_context io;
    tcp::socket socket = connect_to(io, server.port());
    const std::string request =
        "GET /api/events HTTP/1.1\r\nHost: localhost:" + std::to_string(server.port()) + "\r\n" +
        k_auth + "\r\n";
    asio::write(socket, asio::buffer(request));
    asio::streambuf received;
    asio::read_until(socket, received, "event: hello\ndata: {\"generation\":0}\n\n");
    server.notify_new_usage();
    asio::read_until(socket, received, "event: usage\ndata: {\"generation\":1}\n\n");
    const std::string text(asio::buffers_begin(received.data()),
                           asio::buffers_end(received.data()));
    CHECK(text.find("text/event-stream") != std::string::npos);
    CHECK(text.find("Content-Security-Policy") != std::string::npos);
    server.stop();
    CHECK_FALSE(std::filesystem::exists(url_file));
}

TEST_CASE("prewarming computes the overview in the background", "[web_server]") {
    WebFixture fixture;
    ccmeter::WebServerOptions options = options_on(0);
    options.prewarm = true;
    ccmeter::WebServer server(options, fixture.queries(), fixture.loop());
    REQUIRE(server.start().has_value());
    asio::io_context io;
    tcp::socket socket = connect_to(io, server.port());
    const std::string request =
        "GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(server.port()) + "\r\n" +
        k_auth + "\r\n";
    asio::write(socket, asio::buffer(request));
    asio::streambuf received;
    // Either the stream opened after the prewarm's refresh (hello says 1) or it sees the event.
    asio::read_until(socket, received, "\"generation\":1}");
    auto summary =
        fetch(server.port(), "/api/summary", "127.0.0.1:" + std::to_string(server.port()));
    CHECK(summary.result_int() == 200);
    CHECK(summary.body().find("\"cost_parts\"") != std::string::npos);
    server.stop();
}

namespace {

// Sends `request` on a new connection and returns the first bytes of the answer.
std::string first_answer(asio::io_context& io, tcp::socket& socket, uint16_t port,
                         const std::string& request) {
    socket = connect_to(io, port);
    asio::write(socket, asio::buffer(request));
    asio::streambuf received;
    boost::system::error_code ec;
    asio::read_until(socket, received, "\r\n\r\n", ec);
    return std::string(asio::buffers_begin(received.data()), asio::buffers_end(received.data()));
}

}  // namespace

TEST_CASE("event streams and connections over their caps are refused with 503; later ones work",
          "[web_server]") {
    WebFixture fixture;
    ccmeter::WebServerOptions options = options_on(0);
    options.max_event_streams = 3;
    options.max_connections = 5;
    ccmeter::WebServer server(options, fixture.queries(), fixture.loop());
    REQUIRE(server.start().has_value());
    CHECK(server.connection_cap() == 5);
    const uint16_t port = server.port();
    const std::string events =
        "GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) + "\r\n" + k_auth +
        "\r\n";
    asio::io_context io;
    std::vector<tcp::socket> streams;
    for (int i = 0; i < 4; ++i) {
        streams.emplace_back(io);
        const std::string answer = first_answer(io, streams.back(), port, events);
        if (i < 3)
            CHECK(answer.find("200 OK") != std::string::npos);
        else
            CHECK(answer.find("503") != std::string::npos);  // the 4th stream
    }
    streams.pop_back();
    // Two more idle connections fill the cap of 5; the 6th is refused at once.
    std::vector<tcp::socket> idle;
    for (int i = 0; i < 2; ++i)
        idle.push_back(connect_to(io, port));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // accepted
    tcp::socket extra(io);
    CHECK(first_answer(io, extra, port, events).find("503") != std::string::npos);

    // Once they close, new ones work again.
    for (tcp::socket& socket : streams)
        socket.close();
    for (tcp::socket& socket : idle)
        socket.close();
    streams.clear();
    idle.clear();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    tcp::socket again(io);
    CHECK(first_answer(io, again, port, events).find("200 OK") != std::string::npos);
    server.stop();
}

TEST_CASE("the connection cap stays below the descriptor limit", "[web_server]") {
    rlimit saved{};
    REQUIRE(::getrlimit(RLIMIT_NOFILE, &saved) == 0);
    rlimit low = saved;
    low.rlim_cur = ccmeter::k_reserved_descriptors + 20;
    REQUIRE(::setrlimit(RLIMIT_NOFILE, &low) == 0);
    WebFixture fixture;
    ccmeter::WebServer server(options_on(0), fixture.queries(), fixture.loop());
    const bool started = server.start().has_value();
    ::setrlimit(RLIMIT_NOFILE, &saved);
    REQUIRE(started);
    CHECK(server.connection_cap() == 20);
    server.stop();
}
