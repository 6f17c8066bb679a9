#include "web/http_policy.hpp"

#include <string>

#include "common/web_token.hpp"

namespace ccmeter {

namespace {

bool equals_ignoring_case(std::string_view a, std::string_view b) {
    if (a.size() != b.size())
        return false;
    for (size_t i = 0; i < a.size(); ++i) {
        const char x = (a[i] >= 'A' && a[i] <= 'Z') ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
        if (x != b[i])
            return false;
    }
    return true;
}

}  // namespace

bool is_allowed_host(std::string_view host, uint16_t port) {
    const std::string suffix = ":" + std::to_string(port);
    if (host.size() <= suffix.size() || host.substr(host.size() - suffix.size()) != suffix)
        return false;
    const std::string_view name = host.substr(0, host.size() - suffix.size());
    return name == "127.0.0.1" || equals_ignoring_case(name, "localhost");
}

std::string auth_cookie_name(uint16_t port) {
    return "ccmeter_token_" + std::to_string(port);
}

std::string auth_cookie(std::string_view token, uint16_t port) {
    return auth_cookie_name(port) + "=" + std::string(token) +
           "; Path=/; HttpOnly; SameSite=Strict";
}

bool carries_token(std::string_view cookies, std::string_view authorization, std::string_view token,
                   uint16_t port) {
    if (token.empty())
        return false;
    constexpr std::string_view k_bearer = "Bearer ";
    if (authorization.size() > k_bearer.size() &&
        authorization.substr(0, k_bearer.size()) == k_bearer &&
        web_token_equals(authorization.substr(k_bearer.size()), token))
        return true;
    const std::string name = auth_cookie_name(port);
    while (!cookies.empty()) {  // "a=1; b=2"
        const size_t end = cookies.find(';');
        std::string_view pair = cookies.substr(0, end);
        cookies = end == std::string_view::npos ? std::string_view() : cookies.substr(end + 1);
        while (!pair.empty() && pair.front() == ' ')
            pair.remove_prefix(1);
        const size_t equals = pair.find('=');
        if (equals != std::string_view::npos && pair.substr(0, equals) == name &&
            web_token_equals(pair.substr(equals + 1), token))
            return true;
    }
    return false;
}

}  // namespace ccmeter
