// `hookctl install [--force] [--service] [--no-telemetry]`, `hookctl uninstall [--service]` and
// `hookctl doctor`: putting ccmeter into Claude Code's settings.json (settings_editor.hpp does
// the careful editing), optionally as a per-user service (a systemd user unit Type=notify, or a
// launchd LaunchAgent on macOS), and saying what is installed and whether the daemon answers.
//
// Telemetry (telemetry_env.hpp): install also points Claude Code's OpenTelemetry export at
// ccmeterd (port web_port_from_environment(), token loaded or created at
// default_otel_token_path()), unless the user configured OpenTelemetry themselves (in
// settings.json's env or in install's own environment), in which case it changes nothing and
// says what ccmeter will not see. With CCMETER_WEB_PORT=0 (no receiver) it is not configured.
// `--no-telemetry` adds nothing and removes ccmeter's env entries of an earlier install.
// Uninstall removes our entries that still hold our values; doctor says whether telemetry is
// ours, the user's or off, and what the daemon's receiver has seen.
#pragma once

namespace ccmeter {

struct InstallCommandOptions {
    bool force = false;     // replace a statusLine that is not ours
    bool service = false;   // also install and start the service
    bool telemetry = true;  // false: --no-telemetry
};

int run_install_command(const InstallCommandOptions& options);
int run_uninstall_command(bool service);
// `json`: the daemon's health as one JSON object (for scripts and benchmarks).
int run_doctor_command(bool json);

}  // namespace ccmeter
