#include "web/web_router.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/json/object.hpp>
#include <string>

#include "common/json_text.hpp"
#include "common/web_token.hpp"
#include "web/http_policy.hpp"
#include "web/web_assets.hpp"

namespace ccmeter {

namespace http = boost::beast::http;

namespace {

HttpResponse make_response(const HttpRequest& request, http::status status,
                           std::string_view content_type, std::string body) {
    HttpResponse response{status, request.version()};
    response.set(http::field::content_type, content_type);
    add_security_headers(response.base());
    response.keep_alive(request.keep_alive());
    response.body() = std::move(body);
    response.prepare_payload();
    return response;
}

HttpResponse text_response(const HttpRequest& request, http::status status, std::string_view text) {
    HttpResponse response =
        make_response(request, status, "text/plain; charset=utf-8", std::string(text) + "\n");
    response.set(http::field::cache_control, "no-store");
    return response;
}

}  // namespace

RoutedResponse WebRouter::route(const HttpRequest& request, int64_t now_ms) {
    RoutedResponse routed;
    const std::string_view host(request[http::field::host].data(),
                                request[http::field::host].size());
    if (request.count(http::field::host) != 1) {  // none, or two that could disagree
        routed.response = text_response(request, http::status::bad_request,
                                        "Bad request: exactly one Host header is needed");
        routed.response.keep_alive(false);
        return routed;
    }
    if (!is_allowed_host(host, m_port)) {
        routed.response =
            text_response(request, http::status::forbidden,
                          "Forbidden: the Host must be 127.0.0.1:" + std::to_string(m_port) +
                              " or localhost:" + std::to_string(m_port));
        return routed;
    }
    const std::string_view target(request.target().data(), request.target().size());
    const std::string_view path = target.substr(0, target.find('?'));
    if (is_otlp_path(path)) {
        if (!m_otlp) {
            routed.response = text_response(request, http::status::not_found, "Not found");
        } else if (request.method() != http::verb::post) {
            routed.response = text_response(request, http::status::method_not_allowed, "Only POST");
            routed.response.set(http::field::allow, "POST");
        } else {
            const auto type = request[http::field::content_type];
            const auto authorization = request[http::field::authorization];
            WebReply reply =
                m_otlp->receive(path, std::string_view(type.data(), type.size()),
                                std::string_view(authorization.data(), authorization.size()),
                                request.body(), now_ms);
            routed.response = make_response(request, static_cast<http::status>(reply.status),
                                            reply.content_type, std::move(reply.body));
            if (reply.status == 401)
                routed.response.set(http::field::www_authenticate, "Bearer");
        }
        routed.response.set(http::field::cache_control, "no-store");
        return routed;
    }
    if (path == "/login") {
        const std::string_view query =
            path.size() < target.size() ? target.substr(path.size() + 1) : std::string_view();
        constexpr std::string_view k_token_key = "token=";
        std::string_view given;
        for (std::string_view rest = query; !rest.empty();) {
            const size_t end = rest.find('&');
            const std::string_view pair = rest.substr(0, end);
            rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
            if (pair.substr(0, k_token_key.size()) == k_token_key)
                given = pair.substr(k_token_key.size());
        }
        if (!m_token.empty() && web_token_equals(given, m_token)) {
            routed.response = text_response(request, http::status::see_other, "See /");
            routed.response.set(http::field::location, "/");
            routed.response.set(http::field::set_cookie, auth_cookie(m_token, m_port));
            return routed;
        }
    }
    const auto cookies = request[http::field::cookie];
    const auto authorization = request[http::field::authorization];
    if (!carries_token(std::string_view(cookies.data(), cookies.size()),
                       std::string_view(authorization.data(), authorization.size()), m_token,
                       m_port)) {
        routed.response = text_response(
            request, http::status::unauthorized,
            "Unauthorized: run `hookctl web` to open the dashboard (it logs this browser in)");
        routed.response.set(http::field::www_authenticate, "Bearer");
        return routed;
    }
    if (request.method() != http::verb::get && request.method() != http::verb::head) {
        routed.response =
            text_response(request, http::status::method_not_allowed, "Only GET and HEAD");
        routed.response.set(http::field::allow, "GET, HEAD");
        return routed;
    }
    if (path == "/metrics") {
        WebReply reply = m_metrics ? m_metrics->render(now_ms)
                                   : WebReply{404, "text/plain; charset=utf-8", "Not found\n"};
        routed.response = make_response(request, static_cast<http::status>(reply.status),
                                        reply.content_type, std::move(reply.body));
        routed.response.set(http::field::cache_control, "no-store");
    } else if (path.substr(0, 5) == "/api/") {
        Result<ApiRequest> api_request = parse_api_request(target, now_ms);
        WebReply reply;
        if (!api_request) {
            reply.status = 400;
            reply.body = to_json_text(boost::json::object{{"error", api_request.error().message}});
        } else if (api_request->endpoint == ApiEndpoint::events) {
            routed.event_stream = true;
            routed.response = HttpResponse{http::status::ok, request.version()};
            routed.response.set(http::field::content_type, "text/event-stream");
            routed.response.set(http::field::cache_control, "no-store");
            add_security_headers(routed.response.base());
            routed.response.keep_alive(false);
            return routed;
        } else if (api_request->endpoint == ApiEndpoint::unknown) {
            reply.status = 404;
            reply.body = to_json_text(boost::json::object{{"error", "no such API endpoint"}});
        } else {
            reply = m_cache.get(*api_request, now_ms);
        }
        routed.response = make_response(request, static_cast<http::status>(reply.status),
                                        reply.content_type, std::move(reply.body));
        routed.response.set(http::field::cache_control, "no-store");
    } else if (const WebAsset* asset = find_web_asset(path)) {
        const auto match = request[http::field::if_none_match];
        if (std::string_view(match.data(), match.size()) == asset->etag) {
            routed.response =
                make_response(request, http::status::not_modified, asset->content_type, {});
        } else {
            routed.response = make_response(request, http::status::ok, asset->content_type,
                                            std::string(asset->body));
        }
        routed.response.set(http::field::etag, asset->etag);
        routed.response.set(http::field::cache_control, "no-cache");
    } else {
        routed.response = text_response(request, http::status::not_found, "Not found");
    }
    if (request.method() == http::verb::head) {
        const size_t length = routed.response.body().size();
        routed.response.body().clear();
        routed.response.content_length(length);
    }
    return routed;
}

HttpResponse WebRouter::otlp_too_large(const HttpRequest& request, int64_t now_ms) {
    WebReply reply = m_otlp ? m_otlp->too_large(now_ms)
                            : WebReply{413, "text/plain; charset=utf-8", "Too large\n"};
    HttpResponse response = make_response(request, static_cast<http::status>(reply.status),
                                          reply.content_type, std::move(reply.body));
    response.keep_alive(false);
    return response;
}

}  // namespace ccmeter
