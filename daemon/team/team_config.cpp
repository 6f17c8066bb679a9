#include "team/team_config.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "common/machine_identity.hpp"

namespace ccmeter {

namespace json = boost::json;
namespace fs = std::filesystem;

fs::path default_team_config_path() {
    if (const char* value = std::getenv("CCMETER_TEAM_CONFIG"); value && *value)
        return value;
    if (const char* value = std::getenv("XDG_CONFIG_HOME"); value && *value)
        return fs::path(value) / "ccmeter" / "team.json";
    const char* home = std::getenv("HOME");
    return fs::path(home && *home ? home : "/tmp") / ".config" / "ccmeter" / "team.json";
}

Result<TeamConfig> parse_team_config(std::string_view json_text) {
    json::error_code ec;
    const json::value root = json::parse(json_text, ec);
    if (ec || !root.is_object())
        return Error{"team config: not a JSON object"};
    const json::object& object = root.as_object();
    TeamConfig config;
    if (const json::value* dsn = object.if_contains("dsn")) {
        if (!dsn->is_string())
            return Error{"team config: \"dsn\" must be a string"};
        config.dsn = std::string(dsn->as_string());
    }
    if (const json::value* machine = object.if_contains("machine")) {
        if (!machine->is_string())
            return Error{"team config: \"machine\" must be a string"};
        config.machine = std::string(machine->as_string());
    }
    if (const json::value* interval = object.if_contains("interval_seconds")) {
        if (!interval->is_int64() || interval->as_int64() < 1 || interval->as_int64() > 3600)
            return Error{"team config: \"interval_seconds\" must be a whole number from 1 to 3600"};
        config.interval_seconds = static_cast<int>(interval->as_int64());
    }
    if (const json::value* rows = object.if_contains("batch_rows")) {
        if (!rows->is_int64() || rows->as_int64() < 1 || rows->as_int64() > 1'000'000)
            return Error{"team config: \"batch_rows\" must be a whole number from 1 to 1000000"};
        config.batch_rows = static_cast<size_t>(rows->as_int64());
    }
    return config;
}

Result<std::optional<TeamConfig>> load_team_config() {
    TeamConfig config;
    const fs::path path = default_team_config_path();
    std::error_code ec;
    if (fs::exists(path, ec)) {
        std::ifstream in(path);
        std::ostringstream text;
        text << in.rdbuf();
        if (!in)
            return Error{"cannot read " + path.string()};
        Result<TeamConfig> parsed = parse_team_config(text.str());
        if (!parsed)
            return Error{path.string() + ": " + parsed.error().message};
        config = *parsed;
    }
    if (const char* dsn = std::getenv("CCMETER_TEAM_DSN"); dsn && *dsn)
        config.dsn = dsn;
    if (config.dsn.empty())
        return std::optional<TeamConfig>();
    if (config.machine.empty())
        config.machine = machine_name();
    return std::optional<TeamConfig>(config);
}

}  // namespace ccmeter
