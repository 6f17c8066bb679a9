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

}  // namespace ccmeter
