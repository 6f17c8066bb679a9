#include "common/app_paths.hpp"

#include <cstdlib>

namespace ccmeter {

namespace fs = std::filesystem;

namespace {

fs::path xdg_dir(const char* variable, const char* fallback_below_home) {
    if (const char* value = std::getenv(variable); value && *value)
        return value;
    const char* home = std::getenv("HOME");
    return fs::path(home && *home ? home : "/tmp") / fallback_below_home;
}

}  // namespace

fs::path default_database_path() {
    if (const char* value = std::getenv("CCMETER_DB"); value && *value)
        return value;
    return xdg_dir("XDG_DATA_HOME", ".local/share") / "ccmeter" / "usage.db";
}

fs::path default_prices_path() {
    if (const char* value = std::getenv("CCMETER_PRICES"); value && *value)
        return value;
    return xdg_dir("XDG_CONFIG_HOME", ".config") / "ccmeter" / "prices.json";
}

fs::path default_budgets_path() {
    if (const char* value = std::getenv("CCMETER_BUDGETS"); value && *value)
        return value;
    return xdg_dir("XDG_CONFIG_HOME", ".config") / "ccmeter" / "budgets.json";
}

fs::path default_otel_token_path() {
    if (const char* value = std::getenv("CCMETER_OTEL_TOKEN_FILE"); value && *value)
        return value;
    return xdg_dir("XDG_CONFIG_HOME", ".config") / "ccmeter" / "otel.token";
}

unsigned web_port_from_environment() {
    const char* text = std::getenv("CCMETER_WEB_PORT");
    if (!text || !*text)
        return k_default_web_port_number;
    char* end = nullptr;
    const long port = std::strtol(text, &end, 10);
    return *end == '\0' && port >= 0 && port <= 65535 ? static_cast<unsigned>(port)
                                                      : k_default_web_port_number;
}

}  // namespace ccmeter
