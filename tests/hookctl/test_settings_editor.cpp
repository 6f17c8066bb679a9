#include "hookctl/settings_editor.hpp"

#include <stdlib.h>
#include <sys/stat.h>

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

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

// A fresh directory under the system temp dir, removed at the end of the test.
class TempDir {
  public:
    TempDir() {
        std::string pattern = (fs::temp_directory_path() / "ccmeter-settings-XXXXXX").string();
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

unsigned mode_of(const fs::path& path) {
    struct stat status {};
    REQUIRE(::stat(path.c_str(), &status) == 0);
    return status.st_mode & 07777;
}

std::vector<fs::path> backups_in(const fs::path& dir) {
    std::vector<fs::path> found;
    for (const fs::directory_entry& entry : fs::directory_iterator(dir))
        if (entry.path().filename().string().rfind("settings.json.ccmeter-backup-", 0) == 0)
            found.push_back(entry.path());
    return found;
}

std::vector<std::string> keys_of(const json::value& value) {
    std::vector<std::string> keys;
    for (const json::key_value_pair& member : value.as_object())
        keys.emplace_back(member.key());
    return keys;
}

// What a settings file written by Claude Code looks like (JSON.stringify(x, null, 2) + "\n").
constexpr const char* k_claude_written = R"json({
  "model": "opus",
  "permissions": {
    "allow": [
      "Bash(npm test:*)"
    ],
    "deny": []
  },
  "hooks": {
    "Stop": [
      {
        "matcher": "",
        "hooks": [
          {
            "type": "command",
            "command": "notify-send done"
          }
        ]
      }
    ],
    "PreToolUse": [
      {
        "matcher": "Bash",
        "hooks": [
          {
            "type": "command",
            "command": "/usr/local/bin/guard",
            "timeout": 3
          }
        ]
      }
    ]
  },
  "env": {
    "DISABLE_TELEMETRY": "1"
  },
  "cleanupPeriodDays": 99.5,
  "alwaysThinkingEnabled": true
}
)json";

constexpr const char* k_fresh_install = R"({
  "hooks": {
    "SessionStart": [
      {
        "matcher": "",
        "hooks": [
          {
            "type": "command",
            "command": "/opt/ccmeter/bin/hookctl hook",
            "timeout": 10
          }
        ]
      }
    ],
    "Stop": [
      {
        "matcher": "",
        "hooks": [
          {
            "type": "command",
            "command": "/opt/ccmeter/bin/hookctl hook",
            "timeout": 10
          }
        ]
      }
    ],
    "SubagentStop": [
      {
        "matcher": "",
        "hooks": [
          {
            "type": "command",
            "command": "/opt/ccmeter/bin/hookctl hook",
            "timeout": 10
          }
        ]
      }
    ],
    "SessionEnd": [
      {
        "matcher": "",
        "hooks": [
          {
            "type": "command",
            "command": "/opt/ccmeter/bin/hookctl hook",
            "timeout": 10
          }
        ]
      }
    ],
    "StopFailure": [
      {
        "matcher": "",
        "hooks": [
          {
            "type": "command",
            "command": "/opt/ccmeter/bin/hookctl hook",
            "timeout": 10
          }
        ]
      }
    ]
  },
  "statusLine": {
    "type": "command",
    "command": "/opt/ccmeter/bin/hookctl statusline",
    "padding": 0,
    "refreshInterval": 5
  }
}
)";

}  // namespace

TEST_CASE("settings_editor: install into a missing file creates the directory and a 0600 file",
          "[settings]") {
    TempDir temp;
    const fs::path settings = temp.path() / "config" / ".claude" / "settings.json";
    auto report = install(settings, k_hookctl, false);
    REQUIRE(report);
    CHECK(report->changed);
    CHECK_FALSE(report->backup_path);
    CHECK(report->hooks_added.size() == 5);
    CHECK(report->status_line == StatusLineChange::added);
    CHECK(read_text(settings) == k_fresh_install);
    CHECK(mode_of(settings) == 0600);
    CHECK(mode_of(settings.parent_path()) == 0700);
    CHECK(backups_in(settings.parent_path()).empty());
}

TEST_CASE("settings_editor: install keeps foreign hooks, unknown keys and their order",
          "[settings]") {
    TempDir temp;
    const fs::path settings = temp.path() / "settings.json";
    write_text(settings, k_claude_written);
    auto report = install(settings, k_hookctl, false);
    REQUIRE(report);
    const json::value after = json::parse(read_text(settings));
    CHECK(keys_of(after) == std::vector<std::string>{"model", "permissions", "hooks", "env",
                                                     "cleanupPeriodDays", "alwaysThinkingEnabled",
                                                     "statusLine"});
    CHECK(keys_of(after.at("hooks")) == std::vector<std::string>{"Stop", "PreToolUse",
                                                                 "SessionStart", "SubagentStop",
                                                                 "SessionEnd", "StopFailure"});
    const json::array& stop = after.at("hooks").at("Stop").as_array();
    REQUIRE(stop.size() == 2);
    CHECK(stop[0].at("hooks").at(0).at("command") == "notify-send done");
    CHECK(stop[1].at("hooks").at(0).at("command") == "/opt/ccmeter/bin/hookctl hook");
    CHECK(stop[1].at("hooks").at(0).at("timeout") == 10);
    CHECK(stop[1].at("matcher") == "");
    const json::value original = json::parse(k_claude_written);
    CHECK(after.at("hooks").at("PreToolUse") == original.at("hooks").at("PreToolUse"));
    CHECK(after.at("permissions") == original.at("permissions"));
    CHECK(after.at("cleanupPeriodDays") == 99.5);
}

TEST_CASE("settings_editor: installing twice leaves one copy and does not touch the file",
          "[settings]") {
    TempDir temp;
    const fs::path settings = temp.path() / "settings.json";
    write_text(settings, k_claude_written);
    REQUIRE(install(settings, k_hookctl, false));
    const std::string once = read_text(settings);
    REQUIRE(backups_in(temp.path()).size() == 1);

    auto again = install(settings, k_hookctl, false);
    REQUIRE(again);
    CHECK_FALSE(again->changed);
    CHECK(again->hooks_added.empty());
    CHECK(again->status_line == StatusLineChange::unchanged);
    CHECK_FALSE(again->backup_path);
    CHECK(read_text(settings) == once);
    CHECK(backups_in(temp.path()).size() == 1);
}

TEST_CASE("settings_editor: install then uninstall gives back the original bytes", "[settings]") {
    TempDir temp;
    const fs::path settings = temp.path() / "settings.json";
    SECTION("a file Claude Code wrote") {
        write_text(settings, k_claude_written);
        REQUIRE(install(settings, k_hookctl, false));
        CHECK(read_text(settings) != k_claude_written);
        auto removed = uninstall(settings);
        REQUIRE(removed);
        CHECK(removed->changed);
        CHECK(removed->status_line_removed);
        CHECK(removed->hooks_removed.size() == 5);
        CHECK(read_text(settings) == k_claude_written);
    }
    SECTION("a file without hooks") {
        const std::string original = "{\n  \"model\": \"sonnet\"\n}\n";
        write_text(settings, original);
        REQUIRE(install(settings, k_hookctl, false));
        REQUIRE(uninstall(settings));
        CHECK(read_text(settings) == original);
    }
    SECTION("a file in another layout comes back as the same JSON") {
        const std::string original =
            "{\"model\":\"opus\",\"hooks\":{\"Stop\":[{\"hooks\":[{\"type\":\"command\","
            "\"command\":\"x\"}]}]},\"env\":{\"A\":\"1\"}}";
        write_text(settings, original);
        REQUIRE(install(settings, k_hookctl, false));
        REQUIRE(uninstall(settings));
        const std::string after = read_text(settings);
        CHECK(json::parse(after) == json::parse(original));
        CHECK(keys_of(json::parse(after)) == std::vector<std::string>{"model", "hooks", "env"});
    }
}

TEST_CASE("settings_editor: a file that is not a JSON object is refused and left untouched",
          "[settings]") {
    TempDir temp;
    const fs::path settings = temp.path() / "settings.json";
    const std::string text =
        GENERATE(as<std::string>{},
                 "{\n  \"model\": \"opus\",\n}\n",  // trailing comma
                 "{ // comment\n}\n", "[1, 2]\n", "{\"a\": 1} {}", "{\"hooks\": []}",
                 "{\"hooks\": {\"Stop\": {}}}", "{\"hooks\": {\"Stop\": [1]}}",
                 "{\"hooks\": {\"Stop\": [{\"hooks\": {}}]}}");
    write_text(settings, text);
    ::chmod(settings.c_str(), 0644);
    auto report = install(settings, k_hookctl, true);
    REQUIRE_FALSE(report);
    CHECK_THAT(report.error().message, Catch::Contains(settings.string()));
    CHECK_THAT(report.error().message, Catch::Contains("left untouched"));
    CHECK(read_text(settings) == text);
    CHECK(mode_of(settings) == 0644);
    CHECK(backups_in(temp.path()).empty());
}

TEST_CASE("settings_editor: a parse error says where", "[settings]") {
    auto parsed = parse_settings("{\n  \"model\": \"opus\",\n}\n");
    REQUIRE_FALSE(parsed);
    CHECK_THAT(parsed.error().message, Catch::Contains("not valid JSON"));
    CHECK_THAT(parsed.error().message, Catch::Contains("line 3"));
}

TEST_CASE("settings_editor: uninstall refuses a broken file too", "[settings]") {
    TempDir temp;
    const fs::path settings = temp.path() / "settings.json";
    write_text(settings, "{\"statusLine\": ");
    auto report = uninstall(settings);
    REQUIRE_FALSE(report);
    CHECK_THAT(report.error().message, Catch::Contains("not valid JSON"));
    CHECK(read_text(settings) == "{\"statusLine\": ");
}

TEST_CASE("settings_editor: an empty file counts as {}", "[settings]") {
    TempDir temp;
    const fs::path settings = temp.path() / "settings.json";
    write_text(settings, "\n");
    auto report = install(settings, k_hookctl, false);
    REQUIRE(report);
    CHECK(read_text(settings) == k_fresh_install);
    CHECK(report->backup_path);
}

TEST_CASE("settings_editor: a foreign status line is kept unless forced", "[settings]") {
    TempDir temp;
    const fs::path settings = temp.path() / "settings.json";
    const std::string original = R"({
  "statusLine": {
    "type": "command",
    "command": "npx ccusage statusline"
  },
  "model": "opus"
}
)";
    write_text(settings, original);

    auto kept = install(settings, k_hookctl, false);
    REQUIRE(kept);
    CHECK(kept->status_line == StatusLineChange::kept_foreign);
    CHECK(kept->foreign_status_line == "npx ccusage statusline");
    json::value after = json::parse(read_text(settings));
    CHECK(after.at("statusLine").at("command") == "npx ccusage statusline");
    CHECK(after.at("hooks").at("Stop").as_array().size() == 1);

    auto replaced = install(settings, k_hookctl, true);
    REQUIRE(replaced);
    CHECK(replaced->changed);
    CHECK(replaced->status_line == StatusLineChange::replaced_foreign);
    CHECK(replaced->foreign_status_line == "npx ccusage statusline");
    after = json::parse(read_text(settings));
    CHECK(keys_of(after) == std::vector<std::string>{"statusLine", "model", "hooks"});
    CHECK(after.at("statusLine") == json::parse(R"({"type": "command",
        "command": "/opt/ccmeter/bin/hookctl statusline", "padding": 0, "refreshInterval": 5})"));

    auto removed = uninstall(settings);
    REQUIRE(removed);
    CHECK(removed->status_line_removed);
    CHECK_FALSE(json::parse(read_text(settings)).as_object().contains("statusLine"));
}

TEST_CASE("settings_editor: uninstall leaves a foreign status line alone", "[settings]") {
    TempDir temp;
    const fs::path settings = temp.path() / "settings.json";
    write_text(settings, R"({"statusLine": {"type": "command", "command": "my-line"}})");
    REQUIRE(install(settings, k_hookctl, false));
    auto removed = uninstall(settings);
    REQUIRE(removed);
    CHECK_FALSE(removed->status_line_removed);
    CHECK(removed->foreign_status_line == "my-line");
    CHECK(json::parse(read_text(settings)) ==
          json::parse(R"({"statusLine": {"type": "command", "command": "my-line"}})"));
}

TEST_CASE("settings_editor: a backup holds the previous bytes and mode", "[settings]") {
    TempDir temp;
    const fs::path settings = temp.path() / "settings.json";
    write_text(settings, k_claude_written);
    ::chmod(settings.c_str(), 0640);
    auto report = install(settings, k_hookctl, false);
    REQUIRE(report);
    REQUIRE(report->backup_path);
    CHECK(report->backup_path->parent_path() == temp.path());
    CHECK_THAT(report->backup_path->filename().string(),
               Catch::Matches(R"(settings\.json\.ccmeter-backup-\d{8}T\d{6}Z)"));
    CHECK(read_text(*report->backup_path) == k_claude_written);
    CHECK(mode_of(*report->backup_path) == 0640);

    auto removed = uninstall(settings);  // same second: a second, distinct backup
    REQUIRE(removed);
    REQUIRE(removed->backup_path);
    CHECK(*removed->backup_path != *report->backup_path);
    CHECK(backups_in(temp.path()).size() == 2);
}

TEST_CASE("settings_editor: the file keeps its mode and no temporary file is left", "[settings]") {
    TempDir temp;
    const fs::path settings = temp.path() / "settings.json";
    write_text(settings, "{}\n");
    ::chmod(settings.c_str(), 0604);
    REQUIRE(install(settings, k_hookctl, false));
    CHECK(mode_of(settings) == 0604);
    REQUIRE(uninstall(settings));
    CHECK(mode_of(settings) == 0604);
    CHECK(read_text(settings) == "{}\n");
    int files = 0;
    for (const fs::directory_entry& entry : fs::directory_iterator(temp.path())) {
        (void)entry;
        ++files;
    }
    CHECK(files == 3);  // settings.json and two backups
}

TEST_CASE("settings_editor: a symlinked settings file is edited through the link", "[settings]") {
    TempDir temp;
    const fs::path real = temp.path() / "dotfiles" / "claude-settings.json";
    fs::create_directories(real.parent_path());
    write_text(real, "{}\n");
    const fs::path settings = temp.path() / "settings.json";
    fs::create_symlink(real, settings);
    REQUIRE(install(settings, k_hookctl, false));
    CHECK(fs::is_symlink(settings));
    CHECK(read_text(real) == k_fresh_install);
}

TEST_CASE("settings_editor: uninstall removes only our entries", "[settings]") {
    json::value settings = json::parse(R"({
      "hooks": {
        "Stop": [
          {"matcher": "", "hooks": [
            {"type": "command", "command": "say done"},
            {"type": "command", "command": "/home/me/.local/bin/hookctl hook", "timeout": 10}]},
          {"matcher": "", "hooks": [{"type": "command", "command": "hookctl hook"}]}
        ],
        "SessionEnd": [{"matcher": "", "hooks": [{"type": "command", "command": "hookctl hook"}]}],
        "PreCompact": [],
        "Notification": [{"hooks": [{"type": "command", "command": "myhookctl hook"}]}]
      },
      "statusLine": {"type": "command", "command": "'/a b/hookctl' statusline", "padding": 2}
    })");
    auto report = uninstall_from(settings);
    REQUIRE(report);
    CHECK(report->changed);
    CHECK(report->hooks_removed == std::vector<std::string>{"Stop", "SessionEnd"});
    CHECK(report->status_line_removed);
    CHECK(settings == json::parse(R"({
      "hooks": {
        "Stop": [{"matcher": "", "hooks": [{"type": "command", "command": "say done"}]}],
        "PreCompact": [],
        "Notification": [{"hooks": [{"type": "command", "command": "myhookctl hook"}]}]
      }
    })"));
    CHECK(keys_of(settings.at("hooks")) ==
          std::vector<std::string>{"Stop", "PreCompact", "Notification"});
}

TEST_CASE("settings_editor: uninstall of nothing of ours changes nothing", "[settings]") {
    TempDir temp;
    const fs::path settings = temp.path() / "settings.json";
    SECTION("missing file") {
        auto report = uninstall(settings);
        REQUIRE(report);
        CHECK_FALSE(report->changed);
        CHECK_FALSE(fs::exists(settings));
    }
    SECTION("file without our entries, in any layout") {
        const std::string original = "{\"hooks\":{},\"a\":[ ]}";
        write_text(settings, original);
        auto report = uninstall(settings);
        REQUIRE(report);
        CHECK_FALSE(report->changed);
        CHECK(read_text(settings) == original);
        CHECK(backups_in(temp.path()).empty());
    }
}

TEST_CASE("settings_editor: install rewrites our entries in place when the binary moved",
          "[settings]") {
    json::value settings = json::parse(R"({
      "statusLine": {"type": "command", "command": "/old/hookctl statusline", "padding": 1},
      "hooks": {"Stop": [{"matcher": "", "hooks": [
        {"type": "command", "command": "/old/hookctl hook", "timeout": 30}]}]}
    })");
    auto report = install_into(settings, k_hookctl, false);
    REQUIRE(report);
    CHECK(report->hooks_updated == std::vector<std::string>{"Stop"});
    CHECK(report->hooks_added.size() == 4);
    CHECK(report->status_line == StatusLineChange::updated);
    const json::array& stop = settings.at("hooks").at("Stop").as_array();
    REQUIRE(stop.size() == 1);
    CHECK(stop[0] == json::parse(R"({"matcher": "", "hooks": [
        {"type": "command", "command": "/opt/ccmeter/bin/hookctl hook", "timeout": 30}]})"));
    CHECK(settings.at("statusLine") == json::parse(R"({"type": "command",
        "command": "/opt/ccmeter/bin/hookctl statusline", "padding": 1})"));
}

TEST_CASE("settings_editor: install needs an absolute hookctl path", "[settings]") {
    json::value settings = json::object();
    CHECK_FALSE(install_into(settings, "hookctl", false));
}

TEST_CASE("settings_editor: command lines quote paths the shell would split", "[settings]") {
    CHECK(hookctl_command_line("/usr/bin/hookctl", "hook") == "/usr/bin/hookctl hook");
    CHECK(hookctl_command_line("/home/a b/it's/hookctl", "statusline") ==
          R"('/home/a b/it'\''s/hookctl' statusline)");
}

TEST_CASE("settings_editor: our commands are recognised", "[settings]") {
    CHECK(is_our_command("hookctl hook", "hook"));
    CHECK(is_our_command("/home/me/.local/bin/hookctl hook", "hook"));
    CHECK(is_our_command("  /x/hookctl   hook ", "hook"));
    CHECK(is_our_command("'/a b/hookctl' hook", "hook"));
    CHECK(is_our_command("\"/a b/hookctl\" statusline", "statusline"));
    CHECK(is_our_command("/opt/bin/ccmeter-client hook", "hook", "/opt/bin/ccmeter-client"));
    CHECK_FALSE(is_our_command("/opt/bin/ccmeter-client hook", "hook"));
    CHECK_FALSE(is_our_command("myhookctl hook", "hook"));
    CHECK_FALSE(is_our_command("hookctl hook --verbose", "hook"));
    CHECK_FALSE(is_our_command("hookctl statusline", "hook"));
    CHECK_FALSE(is_our_command("hookctlhook", "hook"));
    CHECK_FALSE(is_our_command("hook", "hook"));
    CHECK_FALSE(is_our_command("", "hook"));
}

TEST_CASE("settings_editor: describe reports what is installed", "[settings]") {
    TempDir temp;
    const fs::path settings = temp.path() / "settings.json";
    auto missing = describe(settings);
    REQUIRE(missing);
    CHECK_FALSE(missing->file_exists);
    CHECK(missing->events_missing_hook.size() == 5);

    write_text(settings, R"({"statusLine": {"command": "other"}, "disableAllHooks": true,
      "hooks": {"Stop": [{"hooks": [{"type": "command", "command": "/b/hookctl hook"}]}]}})");
    auto described = describe(settings);
    REQUIRE(described);
    CHECK(described->file_exists);
    CHECK(described->events_with_hook == std::vector<std::string>{"Stop"});
    CHECK(described->events_missing_hook ==
          std::vector<std::string>{"SessionStart", "SubagentStop", "SessionEnd", "StopFailure"});
    CHECK(described->hook_commands == std::vector<std::string>{"/b/hookctl hook"});
    CHECK_FALSE(described->status_line_command);
    CHECK(described->foreign_status_line == "other");
    CHECK(described->all_hooks_disabled);

    REQUIRE(install(settings, k_hookctl, true));
    described = describe(settings);
    REQUIRE(described);
    CHECK(described->events_missing_hook.empty());
    CHECK(described->status_line_command == "/opt/ccmeter/bin/hookctl statusline");
    CHECK_FALSE(described->foreign_status_line);
    CHECK(described->hook_commands == std::vector<std::string>{"/opt/ccmeter/bin/hookctl hook"});

    write_text(settings, "nope");
    CHECK_FALSE(describe(settings));
}

TEST_CASE("settings_editor: the settings path follows CLAUDE_CONFIG_DIR, else HOME", "[settings]") {
    const auto path_of = [](const std::string& claude_config_dir, const std::string& home) {
        auto path = resolve_settings_path(claude_config_dir, home);
        REQUIRE(path);
        return *path;
    };
    CHECK(path_of("/cfg", "/home/me") == fs::path("/cfg/settings.json"));
    CHECK(path_of(" /a , /b", "/home/me") == fs::path("/a/settings.json"));
    CHECK(path_of("", "/home/me") == fs::path("/home/me/.claude/settings.json"));
    CHECK_FALSE(resolve_settings_path("", ""));
}

TEST_CASE("settings_editor: a user's command that merely ends in `hookctl hook` is not ours",
          "[settings]") {
    for (const char* command :
         {"echo hi; hookctl hook", "x && hookctl hook", "echo 'hookctl' hook", "a b/hookctl hook",
          "\"/a\"b/hookctl\" hook", "$(hookctl) hook", "`hookctl` hook"})
        CHECK_FALSE(is_our_command(command, "hook"));
    CHECK_FALSE(is_our_command("true | hookctl statusline", "statusline"));

    const std::string user = R"({
  "hooks": {
    "Stop": [
      {
        "matcher": "",
        "hooks": [
          {
            "type": "command",
            "command": "echo hi; hookctl hook"
          }
        ]
      }
    ]
  },
  "statusLine": {
    "type": "command",
    "command": "true | hookctl statusline"
  }
}
)";
    TempDir temp;
    const fs::path settings = temp.path() / "settings.json";
    write_text(settings, user);
    auto uninstalled = uninstall(settings);
    REQUIRE(uninstalled);
    CHECK_FALSE(uninstalled->changed);
    CHECK(read_text(settings) == user);

    auto installed = install(settings, "/opt/ccmeter/bin/hookctl", false);
    REQUIRE(installed);
    CHECK(installed->hooks_updated.empty());
    CHECK(installed->status_line == StatusLineChange::kept_foreign);
    const json::value after = json::parse(read_text(settings));
    const json::array& stop = after.at("hooks").at("Stop").as_array();
    REQUIRE(stop.size() == 2);  // the user's group, untouched, then ours
    CHECK(stop[0].at("hooks").at(0).at("command") == "echo hi; hookctl hook");
    CHECK(stop[1].at("hooks").at(0).at("command") == "/opt/ccmeter/bin/hookctl hook");

    auto removed = uninstall(settings);
    REQUIRE(removed);
    CHECK(read_text(settings) == user);
}

TEST_CASE("settings_editor: a read-only settings.json is refused, not replaced", "[settings]") {
    TempDir temp;
    const fs::path settings = temp.path() / "settings.json";
    const std::string original = "{\n  \"model\": \"opus\"\n}\n";
    write_text(settings, original);
    fs::permissions(settings,
                    fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read,
                    fs::perm_options::replace);
    auto installed = install(settings, "/opt/ccmeter/bin/hookctl", false);
    REQUIRE_FALSE(installed);
    CHECK(installed.error().message.find("read-only (mode 0444)") != std::string::npos);
    CHECK(read_text(settings) == original);
    CHECK((fs::status(settings).permissions() & fs::perms::all) ==
          (fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read));
    CHECK(backups_in(temp.path()).empty());
}

TEST_CASE("settings_editor: numbers and repeated keys survive a round trip byte for byte",
          "[settings]") {
    const std::string original = R"({
  "ratio": 1.50,
  "huge": 1e400,
  "tiny": -0.0,
  "big": 123456789012345678901234567890,
  "env": {
    "A": "1",
    "A": "2"
  },
  "statusLine": {
    "type": "command",
    "command": "mine",
    "padding": 2.0
  },
  "hooks": {
    "Stop": [
      {
        "matcher": "",
        "hooks": [
          {
            "type": "command",
            "command": "say \"1.50\" ccmeter-",
            "timeout": 10.0
          }
        ]
      }
    ]
  }
}
)";
    TempDir temp;
    const fs::path settings = temp.path() / "settings.json";
    write_text(settings, original);
    auto installed = install(settings, "/opt/ccmeter/bin/hookctl", false);
    REQUIRE(installed);
    CHECK(installed->changed);
    CHECK(installed->foreign_status_line == "mine");
    const std::string with_ours = read_text(settings);
    CHECK(with_ours.find("\"ratio\": 1.50,") != std::string::npos);
    CHECK(with_ours.find("\"huge\": 1e400,") != std::string::npos);
    CHECK(with_ours.find("\"A\": \"1\",\n    \"A\": \"2\"") != std::string::npos);
    auto removed = uninstall(settings);
    REQUIRE(removed);
    CHECK(read_text(settings) == original);
}
