// What every HTTP exchange of the web view must satisfy.
//
// - The server listens on loopback only, and answers only requests whose Host header names it
//   as the browser would: "127.0.0.1:<port>" or "localhost:<port>" (the name case-insensitive).
//   Anything else gets 403: a page on another site that rebinds its DNS name to 127.0.0.1
//   sends its own name as Host, so it can neither read the API nor the page (DNS rebinding).
// - Every request but the login needs the web token (core/web_token.hpp): the cookie
//   auth_cookie_name(port) or `Authorization: Bearer <token>`; without it, 401. GET
//   /login?token=<token> (the URL `hookctl web` opens) answers with that cookie (HttpOnly,
//   SameSite=Strict, Path=/) and a redirect to /. So other local users, who cannot read the
//   token file, cannot read the web view, and other sites cannot send the cookie.
// - Every response carries the security headers below: a strict Content-Security-Policy
//   (scripts, styles and fetches from this origin only, no inline script, no framing),
//   X-Content-Type-Options: nosniff, no referrer, same-origin isolation. No CORS header is
//   ever sent, so other origins cannot read answers.
#pragma once

#include <boost/beast/http/message.hpp>
#include <cstdint>
#include <string>
#include <string_view>

namespace ccmeter {

constexpr std::string_view k_content_security_policy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'";

// True when `host` (the Host header's value) is 127.0.0.1:<port> or localhost:<port>.
bool is_allowed_host(std::string_view host, uint16_t port);

// The name of the cookie that carries the token: "ccmeter_token_<port>" (cookies are scoped by
// host, not port: two daemons on 127.0.0.1 must not overwrite each other's).
std::string auth_cookie_name(uint16_t port);

// The Set-Cookie value that stores `token` for the web view on `port`.
std::string auth_cookie(std::string_view token, uint16_t port);

// True when the Cookie header `cookies` holds auth_cookie_name(port)=token or the
// Authorization header `authorization` is "Bearer <token>". An empty token matches nothing.
bool carries_token(std::string_view cookies, std::string_view authorization, std::string_view token,
                   uint16_t port);

// Sets the security headers on a response header.
template <class Fields>
void add_security_headers(boost::beast::http::header<false, Fields>& header) {
    header.set("Content-Security-Policy", k_content_security_policy);
    header.set("X-Content-Type-Options", "nosniff");
    header.set("Referrer-Policy", "no-referrer");
    header.set("X-Frame-Options", "DENY");
    header.set("Cross-Origin-Opener-Policy", "same-origin");
    header.set("Cross-Origin-Resource-Policy", "same-origin");
}

}  // namespace ccmeter
