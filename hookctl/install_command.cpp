#include "install_command.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <boost/json/object.hpp>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <system_error>

#include "common/app_paths.hpp"
#include "common/atomic_file.hpp"
#include "common/config_dirs.hpp"
#include "common/json_text.hpp"
#include "common/runtime_paths.hpp"
#include "daemon_spawner.hpp"
#include "hookctl/settings_editor.hpp"
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

}  // namespace

int run_install_command(const InstallCommandOptions& options) {
    Result<fs::path> settings = settings_path_from_environment();
    if (!settings) {
        std::cerr << "hookctl install: " << settings.error().message << "\n";
        return 1;
    }
    const fs::path binary = self_binary();
    Result<InstallReport> report = install(*settings, binary, options.force);
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
    Result<UninstallReport> report = uninstall(*settings, self_binary());
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
            out["database"] = health->database();
        } else {
            out["error"] = health.error().message;
        }
        std::cout << to_json_text(out) << "\n";
        return health ? 0 : 1;
    }
    int problems = 0;
    const fs::path binary = self_binary();
    std::cout << "hookctl:   " << binary.string() << "\n";
    std::cout << "ccmeterd:  " << find_daemon_binary().string() << "\n";
    Result<fs::path> settings = settings_path_from_environment();
    if (settings) {
        Result<SettingsDescription> described = describe(*settings, binary);
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
    const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    std::cout << "daemon:    ccmeterd " << health->version() << ", pid " << health->pid() << ", up "
              << (now - health->started_ms()) / 1000 << " s, watching with " << health->watch_mode()
              << "\n";
    std::cout << "database:  " << health->database() << " (" << health->responses()
              << " responses from " << health->files() << " transcripts, "
              << health->malformed_lines() << " malformed lines skipped)\n";
    std::cout << "behind:    "
              << (health->pending_files() < 0 ? std::string("catching up")
                  : health->last_ingest_ms() > 0
                      ? "last ingest " + std::to_string((now - health->last_ingest_ms()) / 1000) +
                            " s ago"
                      : std::string("nothing ingested yet"))
              << "\n";
    return problems == 0 ? 0 : 1;
}

}  // namespace ccmeter
