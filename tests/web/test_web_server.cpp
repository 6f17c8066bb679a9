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

#include "web/web_server.hpp"
#include "web_fixture.hpp"

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::ip::tcp;

namespace {

tcp::socket connect_to(asio::io_context& io, uint16_t port) {
    tcp::socket socket(io);
    socket.connect(tcp::endpoint(asio::ip::address_v4::loopback(), port));
    return socket;
}

http::response<http::string_body> fetch(uint16_t port, const std::string& target,
                                        const std::string& host) {
    asio::io_context io;
    tcp::socket socket = connect_to(io, port);
    const std::string request =
        "GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n";
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
        "GET /api/events HTTP/1.1\r\nHost: localhost:" + std::to_string(server.port()) + "\r\n\r\n";
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
        "GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(server.port()) + "\r\n\r\n";
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
