#include "install_command.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "common/app_paths.hpp"
#include "common/atomic_file.hpp"
#include "common/clock.hpp"
#include "common/config_dirs.hpp"
#include "common/json_text.hpp"
#include "common/runtime_paths.hpp"
#include "common/web_token.hpp"
#include "daemon_spawner.hpp"
#include "hookctl/settings_editor.hpp"
#include "hookctl/telemetry_env.hpp"
#include "meter_client.hpp"
#include "service_templates.hpp"

namespace ccmeter {

namespace fs = std::filesystem;

namespace {

fs::path self_binary() {
    std::error_code ec;
    fs::path self = fs::read_symlink("/proc/self/exe", ec);
    return ec ? fs::path() : self;
}

fs::path home_dir() {
    const char* home = std::getenv("HOME");
    return home && *home ? fs::path(home) : fs::path("/tmp");
}

std::string replace_all(std::string text, std::string_view from, std::string_view to) {
    for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
    return text;
}

bool is_macos() {
#ifdef __APPLE__
    return true;
#else
    return false;
#endif
}

fs::path systemd_unit_path() {
    const char* xdg = std::getenv("XDG_CONFIG_HOME");
    const fs::path config = xdg && *xdg ? fs::path(xdg) : home_dir() / ".config";
    return config / "systemd" / "user" / "ccmeterd.service";
}

fs::path launchd_plist_path() {
    return home_dir() / "Library" / "LaunchAgents" / "dev.ccmeter.ccmeterd.plist";
}

// Service files: written atomically, readable by the service manager.
bool write_file(const fs::path& path, const std::string& text) {
    Result<void> written = write_file_atomically(path, text, 0644);
    if (!written)
        std::cerr << "hookctl: " << written.error().message << "\n";
    return written.has_value();
}

int run_shell(const std::string& command) {
    std::cout << "  $ " << command << "\n";
    const int status = std::system(command.c_str());
    return status == 0 ? 0 : 1;
}

int install_service() {
    const fs::path daemon = find_daemon_binary();
    if (!daemon.is_absolute()) {
        std::cerr << "hookctl: cannot find the ccmeterd binary next to hookctl\n";
        return 1;
    }
    const fs::path bindir = daemon.parent_path();
    if (is_macos()) {
        const fs::path plist = launchd_plist_path();
        if (!write_file(plist, replace_all(std::string(k_launchd_plist_template), "@BINDIR@",
                                           bindir.string()))) {
            std::cerr << "hookctl: cannot write " << plist << "\n";
            return 1;
        }
        std::cout << "wrote " << plist.string() << "\n";
        return run_shell("launchctl load -w '" + plist.string() + "'");
    }
    const fs::path unit = systemd_unit_path();
    const std::string text =
        replace_all(std::string(k_systemd_unit_template), "%h/.local/bin", bindir.string());
    if (!write_file(unit, text)) {
        std::cerr << "hookctl: cannot write " << unit << "\n";
        return 1;
    }
    std::cout << "wrote " << unit.string() << "\n";
    if (run_shell("systemctl --user daemon-reload") != 0 ||
        run_shell("systemctl --user enable --now ccmeterd.service") != 0) {
        std::cerr << "hookctl: systemd did not take the unit; the daemon still starts on demand "
                     "from the hooks\n";
        return 1;
    }
    return 0;
}

int uninstall_service() {
    if (is_macos()) {
        const fs::path plist = launchd_plist_path();
        run_shell("launchctl unload -w '" + plist.string() + "'");
        std::error_code ec;
        fs::remove(plist, ec);
        return 0;
    }
    run_shell("systemctl --user disable --now ccmeterd.service");
    std::error_code ec;
    fs::remove(systemd_unit_path(), ec);
    run_shell("systemctl --user daemon-reload");
    return 0;
}

const char* status_line_change_text(StatusLineChange change) {
    switch (change) {
        case StatusLineChange::unchanged:
            return "status line: already installed";
        case StatusLineChange::added:
            return "status line: installed";
        case StatusLineChange::updated:
            return "status line: command updated";
        case StatusLineChange::kept_foreign:
            return "status line: another statusLine is configured and was kept (use --force "
                   "to replace it)";
        case StatusLineChange::replaced_foreign:
            return "status line: replaced the previous statusLine";
    }
    return "";
}

// --- telemetry -------------------------------------------------------------------------------

std::string joined(const std::vector<std::string>& words) {
    std::string text;
    for (const std::string& word : words)
        text += (text.empty() ? "" : ", ") + word;
    return text;
}

// The receiver's token: the file's, else a new one (its directory created 0700).
Result<std::string> load_or_create_otel_token() {
    const fs::path file = default_otel_token_path();
    if (!file.parent_path().empty())
        CCMETER_TRY(ensure_private_directory(file.parent_path()));
    CCMETER_TRY_ASSIGN(std::string token, load_or_create_web_token(file));
    // ccmeterd may have created the file at the same moment: the file's token is the one it
    // checks, so that is the one settings.json must hold.
    if (std::optional<std::string> stored = read_web_token(file))
        token = *stored;
    return Result<std::string>(boost::system::in_place_value, std::move(token));
}

// The token, when the file exists and is trusted (never created: uninstall, doctor).
std::string known_otel_token() {
    return read_web_token(default_otel_token_path()).value_or("");
}

std::vector<EnvEntry> own_telemetry_variables() {
    return telemetry_variables(environ);
}

// Telemetry variables of this process that are not ours: the user's own settings.
std::vector<std::string> foreign_variables(const TelemetryEnv& ours) {
    std::vector<std::string> foreign;
    for (const EnvEntry& variable : own_telemetry_variables())
        if (!ours.is_ours_or_older(variable.key, variable.value))
            foreign.push_back(variable.key);
    return foreign;
}

constexpr const char* k_not_seen =
    "  Claude Code exports to one OpenTelemetry endpoint, and yours is not ccmeterd, so ccmeter\n"
    "  meters from transcripts only and will not see: the client's own cost of each request,\n"
    "  side calls no transcript records (such as session titles), and tool durations.\n";

void print_users_own_telemetry(const InstallReport& report, unsigned port) {
    std::cout << "telemetry: not configured: you have OpenTelemetry settings of your own, left "
                 "alone\n";
    if (!report.telemetry_foreign.empty())
        std::cout << "  in settings.json's env: " << joined(report.telemetry_foreign) << "\n";
    if (!report.telemetry_variables.empty())
        std::cout << "  in your environment (Claude Code inherits it): "
                  << joined(report.telemetry_variables) << "\n";
    std::cout << k_not_seen
              << "  To opt in: remove those settings and run hookctl install again; or, if you "
                 "run an\n"
                 "  OpenTelemetry Collector, add an otlphttp exporter to it with endpoint "
                 "http://127.0.0.1:"
              << port << ",\n  encoding json and header \"Authorization: Bearer <the token in "
              << default_otel_token_path().string() << ">\".\n";
}

void print_install_telemetry(const InstallReport& report, const TelemetryRequest& request,
                             unsigned port) {
    switch (report.telemetry) {
        case TelemetryChange::untouched:
            return;
        case TelemetryChange::unchanged:
            std::cout << "telemetry: already sent to ccmeterd (" << request.ours.endpoint()
                      << ")\n";
            return;
        case TelemetryChange::configured:
            if (!report.telemetry_added.empty())
                std::cout << "telemetry added to env: " << joined(report.telemetry_added) << "\n";
            if (!report.telemetry_updated.empty())
                std::cout << "telemetry updated in env (new token): "
                          << joined(report.telemetry_updated) << "\n";
            std::cout << "telemetry: Claude Code sends its OpenTelemetry events to ccmeterd ("
                      << request.ours.endpoint()
                      << "); sessions started before now send nothing until restarted\n";
            return;
        case TelemetryChange::kept_users_own:
            print_users_own_telemetry(report, port);
            return;
        case TelemetryChange::disabled:
            if (!report.telemetry_removed.empty())
                std::cout << "telemetry removed from env (--no-telemetry): "
                          << joined(report.telemetry_removed) << "\n";
            else
                std::cout << "telemetry: not configured (--no-telemetry)\n";
            return;
    }
}

const char* telemetry_state_name(TelemetryState state) {
    switch (state) {
        case TelemetryState::off:
            return "off";
        case TelemetryState::ours:
            return "ours";
        case TelemetryState::incomplete:
            return "incomplete";
        case TelemetryState::users_own:
            return "users_own";
    }
    return "";
}

boost::json::array json_strings(const std::vector<std::string>& words) {
    boost::json::array array;
    for (const std::string& word : words)
        array.emplace_back(word);
    return array;
}

// doctor --json's "telemetry" object: the settings' side (when readable) and the receiver's.
boost::json::object telemetry_json(const Result<v1::HealthReply>& health) {
    boost::json::object out;
    const TelemetryEnv ours(web_port_from_environment(), known_otel_token());
    Result<fs::path> settings = settings_path_from_environment();
    Result<SettingsDescription> described =
        settings ? describe(*settings, {}, &ours) : Result<SettingsDescription>(settings.error());
    if (described) {
        out["configured"] = telemetry_state_name(described->telemetry);
        out["endpoint"] = ours.endpoint();
        out["missing_keys"] = json_strings(described->telemetry_missing);
        out["foreign_keys"] = json_strings(described->telemetry_foreign);
        out["older_token"] = described->telemetry_older_token;
    } else {
        out["configured"] = "unknown";
        out["settings_error"] = described.error().message;
    }
    out["foreign_environment"] = json_strings(foreign_variables(ours));
    if (health) {
        out["listening"] = health->otel_listening();
        out["receiver_endpoint"] = health->otel_endpoint();
        out["events_received"] = health->otel_events_received();
        out["last_event_ms"] = health->otel_last_event_ms();
        out["bodies_rejected"] = health->otel_bodies_rejected();
    }
    return out;
}

// doctor's "telemetry:" line (and warnings) from settings.json; returns the problems found.
int print_settings_telemetry(const SettingsDescription& described, const TelemetryEnv& ours) {
    int problems = 0;
    std::cout << "telemetry: ";
    switch (described.telemetry) {
        case TelemetryState::off:
            std::cout << "off (hookctl install sends Claude Code's OpenTelemetry to ccmeterd)\n";
            break;
        case TelemetryState::ours:
            std::cout << "ours, to " << ours.endpoint() << "\n";
            break;
        case TelemetryState::incomplete:
            std::cout << "ours but incomplete (missing: " << joined(described.telemetry_missing)
                      << "; run hookctl install)\n";
            ++problems;
            break;
        case TelemetryState::users_own:
            std::cout << "your own OpenTelemetry settings (" << joined(described.telemetry_foreign)
                      << "): ccmeterd receives nothing from Claude Code\n";
            break;
    }
    if (described.telemetry != TelemetryState::users_own && described.telemetry_older_token) {
        std::cout << "warning:   the token in OTEL_EXPORTER_OTLP_HEADERS is not the one in "
                  << default_otel_token_path().string()
                  << ": ccmeterd rejects it (run hookctl install)\n";
        ++problems;
    }
    if (std::vector<std::string> foreign = foreign_variables(ours); !foreign.empty())
        std::cout << "note:      your environment sets " << joined(foreign)
                  << " (Claude Code inherits it)\n";
    return problems;
}

// doctor's "otel:" line from the daemon's health; returns the problems found.
int print_receiver(const v1::HealthReply& health, std::optional<TelemetryState> configured,
                   const TelemetryEnv& ours, int64_t now) {
    int problems = 0;
    const bool ours_configured =
        configured == TelemetryState::ours || configured == TelemetryState::incomplete;
    if (!health.otel_listening()) {
        std::cout << "otel:      ccmeterd receives no OpenTelemetry (CCMETER_WEB_PORT=0 when it "
                     "started, or a ccmeterd without the receiver)\n";
        if (ours_configured) {
            std::cout << "warning:   settings.json sends telemetry to " << ours.endpoint()
                      << " but nothing listens there for it (restart ccmeterd)\n";
            ++problems;
        }
        return problems;
    }
    std::cout << "otel:      listening on " << health.otel_endpoint() << ", "
              << health.otel_events_received() << " events received, last "
              << (health.otel_last_event_ms() > 0
                      ? std::to_string((now - health.otel_last_event_ms()) / 1000) + " s ago"
                      : std::string("never"))
              << ", " << health.otel_bodies_rejected() << " bodies rejected\n";
    if (ours_configured && health.otel_endpoint() != ours.endpoint()) {
        std::cout << "warning:   settings.json sends telemetry to " << ours.endpoint()
                  << " but ccmeterd listens on " << health.otel_endpoint()
                  << " (CCMETER_WEB_PORT differs? run hookctl install with the daemon's)\n";
        ++problems;
    } else if (ours_configured && health.otel_events_received() == 0) {
        std::cout << "hint:      nothing received yet: Claude Code sessions started before "
                     "hookctl install send nothing; restart them\n";
    }
    if (health.otel_bodies_rejected() > 0)
        std::cout << "hint:      rejected bodies: a wrong token (run hookctl install), or "
                     "another protocol than http/json\n";
    return problems;
}

}  // namespace

int run_install_command(const InstallCommandOptions& options) {
    Result<fs::path> settings = settings_path_from_environment();
    if (!settings) {
        std::cerr << "hookctl install: " << settings.error().message << "\n";
        return 1;
    }
    const fs::path binary = self_binary();
    const unsigned port = web_port_from_environment();
    std::optional<TelemetryRequest> telemetry;
    if (!options.telemetry) {
        telemetry = TelemetryRequest{TelemetryEnv(port, known_otel_token()), {}, false};
    } else if (port == 0) {
        std::cout << "telemetry: not configured: CCMETER_WEB_PORT=0, ccmeterd runs no receiver\n";
    } else if (Result<std::string> token = load_or_create_otel_token(); !token) {
        std::cerr << "hookctl install: telemetry not configured: " << token.error().message << "\n";
    } else {
        telemetry = TelemetryRequest{TelemetryEnv(port, *token), own_telemetry_variables(), true};
    }
    Result<InstallReport> report =
        install(*settings, binary, options.force, telemetry ? &*telemetry : nullptr);
    if (!report) {
        std::cerr << "hookctl install: " << report.error().message << "\n";
        return 1;
    }
    std::cout << (report->changed ? "updated " : "unchanged ") << settings->string() << "\n";
    if (report->backup_path)
        std::cout << "backup: " << report->backup_path->string() << "\n";
    for (const std::string& event : report->hooks_added)
        std::cout << "hook added: " << event << "\n";
    for (const std::string& event : report->hooks_updated)
        std::cout << "hook updated: " << event << "\n";
    std::cout << status_line_change_text(report->status_line) << "\n";
    if (telemetry)
        print_install_telemetry(*report, *telemetry, port);
    if (options.service)
        return install_service();
    return 0;
}

int run_uninstall_command(bool service) {
    Result<fs::path> settings = settings_path_from_environment();
    if (!settings) {
        std::cerr << "hookctl uninstall: " << settings.error().message << "\n";
        return 1;
    }
    const TelemetryEnv telemetry(web_port_from_environment(), known_otel_token());
    Result<UninstallReport> report = uninstall(*settings, self_binary(), &telemetry);
    if (!report) {
        std::cerr << "hookctl uninstall: " << report.error().message << "\n";
        return 1;
    }
    std::cout << (report->changed ? "updated " : "unchanged ") << settings->string() << "\n";
    if (report->backup_path)
        std::cout << "backup: " << report->backup_path->string() << "\n";
    for (const std::string& event : report->hooks_removed)
        std::cout << "hook removed: " << event << "\n";
    if (report->status_line_removed)
        std::cout << "status line removed\n";
    if (!report->telemetry_removed.empty())
        std::cout << "telemetry removed from env: " << joined(report->telemetry_removed) << "\n";
    if (!report->telemetry_kept.empty())
        std::cout << "telemetry kept in env (not the value ccmeter writes: changed since "
                     "install, or your own): "
                  << joined(report->telemetry_kept) << "\n";
    if (service)
        return uninstall_service();
    return 0;
}

int run_doctor_command(bool json) {
    if (json) {
        MeterClient client(socket_path());
        Result<v1::HealthReply> health =
            client.health(MeterClient::Clock::now() + std::chrono::seconds(2));
        boost::json::object out;
        out["daemon_answers"] = static_cast<bool>(health);
        if (health) {
            out["version"] = health->version();
            out["pid"] = health->pid();
            out["responses"] = health->responses();
            out["files"] = health->files();
            out["malformed_lines"] = health->malformed_lines();
            out["caught_up"] = health->pending_files() >= 0;
            out["last_ingest_ms"] = health->last_ingest_ms();
            out["last_ingest_micros"] = health->last_ingest_micros();
            out["last_ingest_bytes"] = health->last_ingest_bytes();
            out["watch_mode"] = health->watch_mode();
            out["watch_problem"] = health->watch_problem();
            out["watch_fallbacks"] = health->watch_fallbacks();
            out["watches"] = health->watches();
            out["database"] = health->database();
            out["schema_version"] = health->schema_version();
            // Replication to the team store: "" when none is configured.
            out["replication"] = health->replication();
            out["replication_lag_ms"] = health->replication_lag_ms();
            out["replication_pending"] = health->replication_pending();
            out["watchers"] = health->watchers();
            out["watch_events_published"] = health->watch_events_published();
            out["watch_events_dropped"] = health->watch_events_dropped();
        } else {
            out["error"] = health.error().message;
        }
        out["telemetry"] = telemetry_json(health);
        std::cout << to_json_text(out) << "\n";
        return health ? 0 : 1;
    }
    int problems = 0;
    const fs::path binary = self_binary();
    std::cout << "hookctl:   " << binary.string() << "\n";
    std::cout << "ccmeterd:  " << find_daemon_binary().string() << "\n";
    const TelemetryEnv telemetry(web_port_from_environment(), known_otel_token());
    std::optional<TelemetryState> telemetry_state;
    Result<fs::path> settings = settings_path_from_environment();
    if (settings) {
        Result<SettingsDescription> described = describe(*settings, binary, &telemetry);
        if (!described) {
            std::cout << "settings:  " << described.error().message << "\n";
            ++problems;
        } else {
            std::cout << "settings:  " << settings->string()
                      << (described->file_exists ? "" : " (missing)") << "\n";
            std::cout << "hooks:     ";
            for (const std::string& event : described->events_with_hook)
                std::cout << event << " ";
            if (!described->events_missing_hook.empty()) {
                std::cout << "(missing:";
                for (const std::string& event : described->events_missing_hook)
                    std::cout << " " << event;
                std::cout << "; run hookctl install)";
                ++problems;
            }
            std::cout << "\n";
            if (described->status_line_command)
                std::cout << "statusLine: " << *described->status_line_command << "\n";
            else if (described->foreign_status_line)
                std::cout << "statusLine: another one (" << *described->foreign_status_line
                          << "); hookctl install --force would replace it\n";
            else
                std::cout << "statusLine: none (run hookctl install)\n";
            if (described->all_hooks_disabled) {
                std::cout << "warning:   disableAllHooks is set: Claude Code runs no hooks\n";
                ++problems;
            }
            problems += print_settings_telemetry(*described, telemetry);
            telemetry_state = described->telemetry;
        }
    }
    std::cout << "socket:    " << socket_path().string() << "\n";
    MeterClient client(socket_path());
    Result<v1::HealthReply> health =
        client.health(MeterClient::Clock::now() + std::chrono::seconds(2));
    if (!health) {
        std::cout << "daemon:    not answering (" << health.error().message << ")\n";
        return 1;
    }
    const int64_t now = now_ms();
    std::cout << "daemon:    ccmeterd " << health->version() << ", pid " << health->pid() << ", up "
              << (now - health->started_ms()) / 1000 << " s, watching with " << health->watch_mode()
              << "\n";
    if (!health->watch_problem().empty()) {
        std::cout << "warning:   polling, not inotify: " << health->watch_problem() << "\n";
        ++problems;
    }
    std::cout << "database:  " << health->database() << " (schema " << health->schema_version()
              << ", " << health->responses() << " responses from " << health->files()
              << " transcripts, " << health->malformed_lines() << " malformed lines skipped)\n";
    std::cout << "watchers:  " << health->watchers() << " open (hookctl watch / top), "
              << health->watch_events_published() << " events sent, "
              << health->watch_events_dropped() << " dropped\n";
    std::cout << "behind:    "
              << (health->pending_files() < 0 ? std::string("catching up")
                  : health->last_ingest_ms() > 0
                      ? "last ingest " + std::to_string((now - health->last_ingest_ms()) / 1000) +
                            " s ago"
                      : std::string("nothing ingested yet"))
              << "\n";
    if (!health->replication().empty()) {
        const bool healthy =
            health->replication() == "ok" || health->replication() == "catching up";
        std::cout << "team:      " << (healthy ? "replication " : "replication failing: ")
                  << health->replication() << " (" << health->replication_pending()
                  << " responses to send, lag " << health->replication_lag_ms() / 1000 << " s)\n";
        if (!healthy)
            ++problems;
    }
    problems += print_receiver(*health, telemetry_state, telemetry, now);
    return problems == 0 ? 0 : 1;
}

}  // namespace ccmeter
