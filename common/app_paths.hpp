// Where ccmeter keeps its own files. Each default is documented where it is defined.
#pragma once

#include <filesystem>

namespace ccmeter {

// The history database: $CCMETER_DB, else $XDG_DATA_HOME/ccmeter/usage.db
// (XDG_DATA_HOME defaults to ~/.local/share).
std::filesystem::path default_database_path();

// The user's price overrides: $CCMETER_PRICES, else $XDG_CONFIG_HOME/ccmeter/prices.json
// (XDG_CONFIG_HOME defaults to ~/.config). A missing file means "no overrides".
std::filesystem::path default_prices_path();

// The user's budgets (budget_config.hpp): $CCMETER_BUDGETS, else
// $XDG_CONFIG_HOME/ccmeter/budgets.json. A missing file means "no budgets".
std::filesystem::path default_budgets_path();

// The OpenTelemetry receiver's bearer token: $CCMETER_OTEL_TOKEN_FILE, else
// $XDG_CONFIG_HOME/ccmeter/otel.token (mode 0600; same format and checks as the web token,
// common/web_token.hpp). It lives in the config dir, not the runtime dir, because `hookctl
// install` writes it into settings.json's "env" and it must survive reboots. It is a token of
// its own (not the web view's) because Claude Code passes its env on to the commands it runs.
std::filesystem::path default_otel_token_path();

// The port of the web view and of the OpenTelemetry receiver (one server on 127.0.0.1):
// $CCMETER_WEB_PORT when it is a port number (0 included: no web server), else 7681.
constexpr unsigned k_default_web_port_number = 7681;
unsigned web_port_from_environment();

}  // namespace ccmeter
