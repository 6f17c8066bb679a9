// The telemetry entries of settings.json's "env": which are ours (telemetry_env.hpp), and how
// install, uninstall and describe (settings_editor.hpp) treat them.
#include "hookctl/telemetry_env.hpp"

#include <stdlib.h>

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "hookctl/settings_editor.hpp"

namespace fs = std::filesystem;
namespace json = boost::json;
using namespace ccmeter;

// How Catch prints a Result in a failed check: its error message, if any.
namespace Catch {
template <class T>
struct StringMaker<boost::system::result<T, ccmeter::Error>> {
    static std::string convert(const boost::system::result<T, ccmeter::Error>& result) {
        return result ? std::string("(a value)") : "(error: " + result.error().message + ")";
    }
};
}  // namespace Catch

namespace {

class TempDir {
  public:
    TempDir() {
        std::string pattern = (fs::temp_directory_path() / "ccmeter-telemetry-XXXXXX").string();
        REQUIRE(::mkdtemp(pattern.data()) != nullptr);
        m_path = pattern;
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(m_path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const fs::path& path() const { return m_path; }

  private:
    fs::path m_path;
};

constexpr const char* k_hookctl = "/opt/ccmeter/bin/hookctl";
constexpr unsigned k_port = 7681;
const std::string k_token(64, 'a');
const std::string k_other_token(64, 'b');

std::string read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream content;
    content << in.rdbuf();
    return content.str();
}

void write_text(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
}

TelemetryRequest request(std::vector<EnvEntry> environment = {}) {
    return TelemetryRequest{TelemetryEnv(k_port, k_token), std::move(environment), true};
}

std::vector<std::string> keys_of(const json::value& value) {
    std::vector<std::string> keys;
    for (const json::key_value_pair& member : value.as_object())
        keys.emplace_back(member.key());
    return keys;
}

const std::vector<std::string> k_our_keys = {
    "CLAUDE_CODE_ENABLE_TELEMETRY", "OTEL_LOGS_EXPORTER",          "OTEL_METRICS_EXPORTER",
    "OTEL_EXPORTER_OTLP_PROTOCOL",  "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_HEADERS",
    "OTEL_LOGS_EXPORT_INTERVAL",    "OTEL_METRIC_EXPORT_INTERVAL"};

// A user's file with an env of their own (no telemetry), as Claude Code writes it.
constexpr const char* k_users_env = R"({
  "model": "opus",
  "env": {
    "DISABLE_AUTOUPDATER": "1",
    "MAX_THINKING_TOKENS": "8000"
  },
  "cleanupPeriodDays": 99.50
}
)";

}  // namespace

TEST_CASE("telemetry_env: the entries and which values are ours", "[telemetry]") {
    const TelemetryEnv ours(k_port, k_token);
    std::vector<std::string> keys;
    for (const EnvEntry& entry : ours.entries())
        keys.push_back(entry.key);
    CHECK(keys == k_our_keys);
    CHECK(ours.endpoint() == "http://127.0.0.1:7681");
    CHECK(ours.is_ours("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:7681"));
    CHECK_FALSE(ours.is_ours("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318"));
    CHECK_FALSE(ours.is_ours_or_older("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318"));
    CHECK(ours.is_ours("OTEL_EXPORTER_OTLP_HEADERS", "Authorization=Bearer " + k_token));
    CHECK_FALSE(
        ours.is_ours("OTEL_EXPORTER_OTLP_HEADERS", "Authorization=Bearer " + k_other_token));
    CHECK(ours.is_ours_or_older("OTEL_EXPORTER_OTLP_HEADERS",
                                "Authorization=Bearer " + k_other_token));
    CHECK_FALSE(ours.is_ours_or_older("OTEL_EXPORTER_OTLP_HEADERS", "Authorization=Bearer abc"));
    CHECK_FALSE(ours.is_ours_or_older("OTEL_EXPORTER_OTLP_HEADERS", "x-honeycomb-team=" + k_token));
    CHECK(ours.is_ours("CLAUDE_CODE_ENABLE_TELEMETRY", "1"));
    CHECK_FALSE(ours.is_ours("CLAUDE_CODE_ENABLE_TELEMETRY", "0"));
    CHECK_FALSE(ours.is_ours("OTEL_LOG_USER_PROMPTS", "1"));

    const TelemetryEnv tokenless(k_port, "");
    CHECK(tokenless.entries().size() == 7);
    CHECK(tokenless.is_install_key("OTEL_EXPORTER_OTLP_HEADERS"));
    CHECK_FALSE(tokenless.is_ours("OTEL_EXPORTER_OTLP_HEADERS", "Authorization=Bearer "));

    CHECK(is_telemetry_key("OTEL_ANYTHING"));
    CHECK(is_telemetry_key("CLAUDE_CODE_ENABLE_TELEMETRY"));
    CHECK_FALSE(is_telemetry_key("DISABLE_TELEMETRY"));
    CHECK_FALSE(is_telemetry_key("MY_OTEL_X"));
}

TEST_CASE("telemetry_env: the telemetry variables of an environment", "[telemetry]") {
    const char* environment[] = {"HOME=/home/u",
                                 "OTEL_EXPORTER_OTLP_ENDPOINT=http://x:4318",
                                 "CLAUDE_CODE_ENABLE_TELEMETRY=1",
                                 "OTELX",
                                 "PATH=/bin",
                                 nullptr};
    const std::vector<EnvEntry> found = telemetry_variables(environment);
    REQUIRE(found.size() == 2);
    CHECK(found[0].key == "OTEL_EXPORTER_OTLP_ENDPOINT");
    CHECK(found[0].value == "http://x:4318");
    CHECK(found[1].key == "CLAUDE_CODE_ENABLE_TELEMETRY");
    CHECK(telemetry_variables(nullptr).empty());
}

TEST_CASE("telemetry_env: install adds our entries at the end of the user's env", "[telemetry]") {
    TempDir temp;
    const fs::path settings = temp.path() / "settings.json";
    write_text(settings, k_users_env);
    const TelemetryRequest telemetry = request();
    auto report = install(settings, k_hookctl, false, &telemetry);
    REQUIRE(report);
    CHECK(report->changed);
    CHECK(report->telemetry == TelemetryChange::configured);
    CHECK(report->telemetry_added == k_our_keys);
    const std::string text = read_text(settings);
    CHECK(text.find("\"cleanupPeriodDays\": 99.50") != std::string::npos);
    const json::value after = json::parse(text);
    std::vector<std::string> expected_keys = {"DISABLE_AUTOUPDATER", "MAX_THINKING_TOKENS"};
    expected_keys.insert(expected_keys.end(), k_our_keys.begin(), k_our_keys.end());
    CHECK(keys_of(after.at("env")) == expected_keys);
    CHECK(after.at("env").at("OTEL_EXPORTER_OTLP_ENDPOINT") == "http://127.0.0.1:7681");
    CHECK(std::string(after.at("env").at("OTEL_EXPORTER_OTLP_HEADERS").as_string()) ==
          "Authorization=Bearer " + k_token);
    CHECK(after.at("env").at("OTEL_LOGS_EXPORT_INTERVAL") == "1000");  // strings, not numbers
    CHECK(after.at("env").at("CLAUDE_CODE_ENABLE_TELEMETRY") == "1");

    auto described = describe(settings, k_hookctl, &telemetry.ours);
    REQUIRE(described);
    CHECK(described->telemetry == TelemetryState::ours);
    CHECK_FALSE(described->telemetry_older_token);
}

TEST_CASE("telemetry_env: install creates env when missing, at the end", "[telemetry]") {
    json::value settings = json::parse(R"({"model": "opus"})");
    const TelemetryRequest telemetry = request();
    auto report = install_into(settings, k_hookctl, false, &telemetry);
    REQUIRE(report);
    CHECK(keys_of(settings) == std::vector<std::string>{"model", "hooks", "statusLine", "env"});
    CHECK(keys_of(settings.at("env")) == k_our_keys);
}

TEST_CASE("telemetry_env: re-installing is a no-op, a new token is written in place",
          "[telemetry]") {
    TempDir temp;
    const fs::path settings = temp.path() / "settings.json";
    write_text(settings, k_users_env);
    const TelemetryRequest telemetry = request();
    REQUIRE(install(settings, k_hookctl, false, &telemetry));
    const std::string once = read_text(settings);

    auto again = install(settings, k_hookctl, false, &telemetry);
    REQUIRE(again);
    CHECK_FALSE(again->changed);
    CHECK(again->telemetry == TelemetryChange::unchanged);
    CHECK(read_text(settings) == once);

    SECTION("our own values in install's environment (run from inside Claude Code)") {
        std::vector<EnvEntry> inherited;
        for (const EnvEntry& entry : telemetry.ours.entries())
            inherited.push_back(entry);
        const TelemetryRequest from_claude = request(inherited);
        auto inside = install(settings, k_hookctl, false, &from_claude);
        REQUIRE(inside);
        CHECK(inside->telemetry == TelemetryChange::unchanged);
        CHECK(read_text(settings) == once);
    }
    SECTION("the token file changed") {
        const TelemetryRequest renewed{TelemetryEnv(k_port, k_other_token), {}, true};
        auto described = describe(settings, k_hookctl, &renewed.ours);
        REQUIRE(described);
        CHECK(described->telemetry == TelemetryState::ours);
        CHECK(described->telemetry_older_token);

        auto updated = install(settings, k_hookctl, false, &renewed);
        REQUIRE(updated);
        CHECK(updated->changed);
        CHECK(updated->telemetry == TelemetryChange::configured);
        CHECK(updated->telemetry_added.empty());
        CHECK(updated->telemetry_updated == std::vector<std::string>{"OTEL_EXPORTER_OTLP_HEADERS"});
        const json::value after = json::parse(read_text(settings));
        CHECK(std::string(after.at("env").at("OTEL_EXPORTER_OTLP_HEADERS").as_string()) ==
              "Authorization=Bearer " + k_other_token);
        CHECK(keys_of(after.at("env")) == keys_of(json::parse(once).at("env")));
    }
}

TEST_CASE("telemetry_env: the user's own OpenTelemetry settings are left alone", "[telemetry]") {
    TempDir temp;
    const fs::path settings = temp.path() / "settings.json";
    const TelemetryRequest telemetry = request();
    SECTION("an endpoint of their own in settings.json") {
        const std::string original = R"({
  "env": {
    "CLAUDE_CODE_ENABLE_TELEMETRY": "1",
    "OTEL_METRICS_EXPORTER": "otlp",
    "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318",
    "OTEL_EXPORTER_OTLP_HEADERS": "Authorization=Bearer secret"
  }
}
)";
        write_text(settings, original);
        auto report = install(settings, k_hookctl, false, &telemetry);
        REQUIRE(report);
        CHECK(report->telemetry == TelemetryChange::kept_users_own);
        CHECK(report->telemetry_foreign == std::vector<std::string>{"OTEL_EXPORTER_OTLP_ENDPOINT",
                                                                    "OTEL_EXPORTER_OTLP_HEADERS"});
        CHECK(report->hooks_added.size() == 5);  // the rest is installed
        const json::value after = json::parse(read_text(settings));
        CHECK(after.at("env") == json::parse(original).at("env"));

        auto described = describe(settings, k_hookctl, &telemetry.ours);
        REQUIRE(described);
        CHECK(described->telemetry == TelemetryState::users_own);

        auto removed = uninstall(settings, k_hookctl, &telemetry.ours);
        REQUIRE(removed);
        CHECK(removed->telemetry_removed.empty());  // their "1" and "otlp" too: not ours
        CHECK(removed->telemetry_kept.size() == 4);
        CHECK(read_text(settings) == original);
    }
    SECTION("telemetry switched off, or an extra OTEL_ key") {
        const std::string original =
            GENERATE(std::string(R"({"env": {"CLAUDE_CODE_ENABLE_TELEMETRY": "0"}})"),
                     std::string(R"({"env": {"OTEL_LOG_USER_PROMPTS": "1"}})"),
                     std::string(R"({"env": {"OTEL_LOGS_EXPORT_INTERVAL": 1000}})"));
        json::value value = json::parse(original);
        auto report = install_into(value, k_hookctl, false, &telemetry);
        REQUIRE(report);
        CHECK(report->telemetry == TelemetryChange::kept_users_own);
        CHECK(value.at("env") == json::parse(original).at("env"));
    }
    SECTION("OTEL_ variables in install's own environment") {
        write_text(settings, k_users_env);
        const TelemetryRequest shell = request(
            {{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://col:4318"}, {"OTEL_LOGS_EXPORTER", "otlp"}});
        auto report = install(settings, k_hookctl, false, &shell);
        REQUIRE(report);
        CHECK(report->telemetry == TelemetryChange::kept_users_own);
        CHECK(report->telemetry_foreign.empty());
        CHECK(report->telemetry_variables ==
              std::vector<std::string>{"OTEL_EXPORTER_OTLP_ENDPOINT"});
        const json::value after = json::parse(read_text(settings));
        CHECK(after.at("env") == json::parse(k_users_env).at("env"));
    }
}

TEST_CASE("telemetry_env: uninstall removes only what is still ours", "[telemetry]") {
    TempDir temp;
    const fs::path settings = temp.path() / "settings.json";
    write_text(settings, k_users_env);
    const TelemetryRequest telemetry = request();
    REQUIRE(install(settings, k_hookctl, false, &telemetry));

    SECTION("all ours: the file comes back byte for byte") {
        auto removed = uninstall(settings, k_hookctl, &telemetry.ours);
        REQUIRE(removed);
        CHECK(removed->changed);
        CHECK(removed->telemetry_removed == k_our_keys);
        CHECK(removed->telemetry_kept.empty());
        CHECK(read_text(settings) == k_users_env);
    }
    SECTION("values the user changed since are kept, and said so") {
        json::value edited = json::parse(read_text(settings));
        edited.at("env").as_object()["OTEL_METRIC_EXPORT_INTERVAL"] = "60000";
        edited.at("env").as_object()["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:4318";
        write_text(settings, render_settings(edited));
        auto removed = uninstall(settings, k_hookctl, &telemetry.ours);
        REQUIRE(removed);
        CHECK(removed->telemetry_kept == std::vector<std::string>{"OTEL_EXPORTER_OTLP_ENDPOINT",
                                                                  "OTEL_METRIC_EXPORT_INTERVAL"});
        CHECK(removed->telemetry_removed.size() == 6);
        const json::value after = json::parse(read_text(settings));
        CHECK(keys_of(after.at("env")) == std::vector<std::string>{"DISABLE_AUTOUPDATER",
                                                                   "MAX_THINKING_TOKENS",
                                                                   "OTEL_EXPORTER_OTLP_ENDPOINT",
                                                                   "OTEL_METRIC_EXPORT_INTERVAL"});
    }
    SECTION("a header with another token than the token file's is kept") {
        const TelemetryEnv tokenless(k_port, "");  // the token file is gone or untrusted
        auto described = describe(settings, k_hookctl, &tokenless);
        REQUIRE(described);
        CHECK(described->telemetry == TelemetryState::ours);
        CHECK(described->telemetry_older_token);

        const TelemetryEnv renewed(k_port, k_other_token);
        auto removed = uninstall(settings, k_hookctl, &renewed);
        REQUIRE(removed);
        CHECK(removed->telemetry_kept == std::vector<std::string>{"OTEL_EXPORTER_OTLP_HEADERS"});
        CHECK(removed->telemetry_removed.size() == 7);  // our endpoint identifies the rest
    }
}

TEST_CASE("telemetry_env: an env that our entries emptied goes, one empty before stays",
          "[telemetry]") {
    const TelemetryRequest telemetry = request();
    json::value created = json::parse(R"({"model": "opus"})");
    REQUIRE(install_into(created, k_hookctl, false, &telemetry));
    REQUIRE(uninstall_from(created, k_hookctl, &telemetry.ours));
    CHECK(created == json::parse(R"({"model": "opus"})"));

    json::value empty_before = json::parse(R"({"env": {}})");
    REQUIRE(uninstall_from(empty_before, k_hookctl, &telemetry.ours));
    CHECK(empty_before == json::parse(R"({"env": {}})"));
}

TEST_CASE("telemetry_env: --no-telemetry adds nothing and removes ours", "[telemetry]") {
    const TelemetryRequest telemetry = request();
    json::value settings = json::parse(R"({"env": {"A": "1"}})");
    REQUIRE(install_into(settings, k_hookctl, false, &telemetry));
    const TelemetryRequest off{TelemetryEnv(k_port, k_token), {}, false};
    auto report = install_into(settings, k_hookctl, false, &off);
    REQUIRE(report);
    CHECK(report->changed);
    CHECK(report->telemetry == TelemetryChange::disabled);
    CHECK(report->telemetry_removed == k_our_keys);
    CHECK(settings.at("env") == json::parse(R"({"A": "1"})"));

    json::value fresh = json::parse("{}");
    auto nothing = install_into(fresh, k_hookctl, false, &off);
    REQUIRE(nothing);
    CHECK_FALSE(fresh.as_object().contains("env"));
}

TEST_CASE("telemetry_env: an env that is not an object fails install, not --no-telemetry",
          "[telemetry]") {
    TempDir temp;
    const fs::path settings = temp.path() / "settings.json";
    const std::string original = "{\"env\": [1, 2]}\n";
    write_text(settings, original);
    const TelemetryRequest telemetry = request();
    auto refused = install(settings, k_hookctl, false, &telemetry);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().message.find("\"env\" is not an object") != std::string::npos);
    CHECK(read_text(settings) == original);

    const TelemetryRequest off{TelemetryEnv(k_port, k_token), {}, false};
    CHECK(install(settings, k_hookctl, false, &off));
    CHECK(uninstall(settings, k_hookctl, &telemetry.ours));
    CHECK(json::parse(read_text(settings)).at("env") == json::parse("[1, 2]"));
}

TEST_CASE("telemetry_env: describe tells off, incomplete and ours", "[telemetry]") {
    const TelemetryEnv ours(k_port, k_token);
    CHECK(describe_value(json::parse(R"({"env": {"A": "1"}})"), k_hookctl, &ours).telemetry ==
          TelemetryState::off);
    CHECK(describe_value(json::parse("{}"), k_hookctl, &ours).telemetry == TelemetryState::off);
    const SettingsDescription partial = describe_value(
        json::parse(R"({"env": {"CLAUDE_CODE_ENABLE_TELEMETRY": "1"}})"), k_hookctl, &ours);
    CHECK(partial.telemetry == TelemetryState::incomplete);
    CHECK(partial.telemetry_missing.size() == 7);
    // Without a TelemetryEnv nothing is said about telemetry.
    CHECK(describe_value(json::parse(R"({"env": {"OTEL_X": "1"}})"), k_hookctl).telemetry ==
          TelemetryState::off);
}
