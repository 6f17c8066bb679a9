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

}  // namespace ccmeter
