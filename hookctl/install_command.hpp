// `hookctl install [--force] [--service]`, `hookctl uninstall [--service]` and
// `hookctl doctor`: putting ccmeter into Claude Code's settings.json (settings_editor.hpp does
// the careful editing), optionally as a per-user service (a systemd user unit Type=notify, or a
// launchd LaunchAgent on macOS), and saying what is installed and whether the daemon answers.
#pragma once

namespace ccmeter {

struct InstallCommandOptions {
    bool force = false;    // replace a statusLine that is not ours
    bool service = false;  // also install and start the service
};

int run_install_command(const InstallCommandOptions& options);
int run_uninstall_command(bool service);
// `json`: the daemon's health as one JSON object (for scripts and benchmarks).
int run_doctor_command(bool json);

}  // namespace ccmeter
