// hookctl: Claude Code's hooks and status line talk to ccmeterd through it, and people ask it
// for their costs. The hook and status-line paths are dispatched before anything else is set
// up, to keep them fast.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <iostream>
#include <optional>

#include "backup_command.hpp"
#include "common/app_version.hpp"
#include "common/runtime_paths.hpp"
#include "export_command.hpp"
#include "hook_command.hpp"
#include "install_command.hpp"
#include "meter_client.hpp"
#include "stats_command.hpp"
#include "status_line_command.hpp"
#include "top_command.hpp"
#include "watch_command.hpp"
#include "web_command.hpp"

namespace {

// --version: this program and the schema it was built for, and the running daemon's if one
// answers at once (it is never started for this).
std::string version_text() {
    std::string text = "hookctl " + ccmeter::program_version() + " (database schema " +
                       std::to_string(ccmeter::k_database_schema_version) + ")";
    ccmeter::MeterClient client(ccmeter::socket_path());
    ccmeter::Result<ccmeter::v1::HealthReply> health =
        client.health(ccmeter::MeterClient::Clock::now() + std::chrono::milliseconds(500));
    if (health)
        text += "\nccmeterd " + health->version() + " (pid " + std::to_string(health->pid()) +
                "), database " + health->database() + " (schema " +
                std::to_string(health->schema_version()) + ")";
    else
        text += "\nccmeterd: not running";
    return text;
}

}  // namespace

int main(int argc, char** argv) {
    // `hookctl hook --help` and `statusline --help` go to the parser below, not to stdin.
    const bool help =
        argc >= 3 && (std::strcmp(argv[2], "--help") == 0 || std::strcmp(argv[2], "-h") == 0);
    if (argc >= 2 && std::strcmp(argv[1], "hook") == 0 && !help)
        return ccmeter::run_hook_command();
    if (argc >= 2 && std::strcmp(argv[1], "statusline") == 0 && !help)
        return ccmeter::run_status_line_command(argc, argv);
    try {
        CLI::App app{"hookctl: what your Claude Code tokens cost (client of ccmeterd)"};
        app.require_subcommand(1);
        app.set_version_flag("--version", version_text,
                             "Print the versions and database schemas, and exit");
        app.add_subcommand("hook", "Run as a Claude Code hook (reads the hook's stdin)");
        CLI::App* status = app.add_subcommand("statusline", "Print the status line");
        std::string ignored;
        status->add_option("--format", ignored, "Template, see README");
        status->add_option("--color", ignored, "auto, always or never");

        ccmeter::StatsCommandOptions stats;
        std::vector<std::string> report;
        CLI::App* stats_app = app.add_subcommand("stats", "Show what your tokens cost");
        stats_app->add_option(
            "report", report,
            "summary (default), daily, weekly, monthly, sessions, projects, branches (cost per git "
            "branch), "
            "models, blocks, check (against the client's own figures), limits (plan "
            "limits and budgets), activity (time and lines, per day and project), tools "
            "(calls, errors and run times per tool), or "
            "session ID");
        stats_app->add_option("--since", stats.since, "First local day, 2026-11-01");
        stats_app->add_option("--until", stats.until, "Last local day (inclusive)");
        stats_app->add_option("--tz", stats.tz, "Time zone, e.g. Europe/Berlin");
        stats_app->add_option("--project", stats.project, "Only this project (a cwd)");
        stats_app->add_option("--session", stats.session, "Only this session (tools)");
        stats_app->add_flag("--json", stats.json, "Stable JSON for scripts");
        stats_app->add_flag("--breakdown", stats.breakdown, "Per model within each row");
        stats_app->add_option("--limit", stats.limit,
                              "session ID: list its newest N responses (default 100)");
        stats_app->add_flag("--all", stats.all, "session ID: list every response");
        stats_app->add_flag("--team", stats.team,
                            "The team store's totals instead: summary, daily, members, "
                            "machines, projects or models");

        ccmeter::InstallCommandOptions install;
        CLI::App* install_app =
            app.add_subcommand("install", "Add ccmeter's hooks and status line to settings.json");
        install_app->add_flag("--force", install.force, "Replace another status line");
        install_app->add_flag("--service", install.service,
                              "Also install and start ccmeterd as a user service");
        bool no_telemetry = false;
        install_app->add_flag("--no-telemetry", no_telemetry,
                              "Do not point Claude Code's OpenTelemetry export at ccmeterd");
        bool uninstall_service = false;
        CLI::App* uninstall_app =
            app.add_subcommand("uninstall", "Remove ccmeter's entries from settings.json");
        uninstall_app->add_flag("--service", uninstall_service, "Also remove the user service");
        CLI::App* doctor_app =
            app.add_subcommand("doctor", "Say what is installed and whether ccmeterd answers");
        ccmeter::WebCommandOptions web;
        bool no_open = false;
        CLI::App* web_app = app.add_subcommand("web", "Print (and open) the web view's URL");
        web_app->add_flag("--no-open", no_open, "Only print the URL");
        bool pricing_json = false;
        CLI::App* pricing_app =
            app.add_subcommand("pricing", "Show the prices in force and where each comes from");
        pricing_app->add_flag("--json", pricing_json, "Stable JSON for scripts");
        bool doctor_json = false;
        doctor_app->add_flag("--json", doctor_json, "The daemon's health as JSON");

        ccmeter::ExportCommandOptions export_options;
        CLI::App* export_app = app.add_subcommand(
            "export", "Write the history as JSON or CSV (responses, sessions or days)");
        export_app->add_option("--what", export_options.what,
                               "responses (default), sessions or daily");
        export_app->add_option("--format", export_options.format, "json (default) or csv");
        export_app->add_option("--since", export_options.since, "First local day, 2026-11-01");
        export_app->add_option("--until", export_options.until, "Last local day (inclusive)");
        export_app->add_option("--project", export_options.project, "Only this project (a cwd)");
        export_app->add_option("--tz", export_options.tz, "Time zone, e.g. Europe/Berlin");
        export_app->add_option("--output", export_options.output,
                               "Write to this file instead of stdout");
        std::string backup_path;
        CLI::App* backup_app = app.add_subcommand(
            "backup", "Have ccmeterd copy its database consistently, while it keeps working");
        backup_app->add_option("path", backup_path,
                               "File or directory (default: <database dir>/backups/)");
        bool watch_json = false;
        CLI::App* watch_app = app.add_subcommand(
            "watch",
            "Print each response as ccmeterd stores it (time, project, model, tokens, "
            "cost, session total)");
        watch_app->add_flag("--json", watch_json,
                            "One JSON object per line (the keys of export and stats --json)");
        CLI::App* top_app = app.add_subcommand(
            "top", "Full-screen live view: sessions, projects, models, daily chart, limits");
        CLI11_PARSE(app, argc, argv);

        if (*export_app)
            return ccmeter::run_export_command(export_options);
        if (*watch_app)
            return ccmeter::run_watch_command(watch_json);
        if (*top_app) {
            // Its watch thread is still blocked on the daemon: end without unwinding statics.
            const int code = ccmeter::run_top_command();
            std::cout.flush();
            std::_Exit(code);
        }
        if (*backup_app)
            return ccmeter::run_backup_command(
                backup_app->count("path") ? std::optional<std::string>(backup_path) : std::nullopt);

        if (*stats_app) {
            if (!report.empty())
                stats.report = report[0];
            if (report.size() > 1)
                stats.session_id = report[1];
            return ccmeter::run_stats_command(stats);
        }
        if (*install_app) {
            install.telemetry = !no_telemetry;
            return ccmeter::run_install_command(install);
        }
        if (*uninstall_app)
            return ccmeter::run_uninstall_command(uninstall_service);
        if (*pricing_app)
            return ccmeter::run_pricing_command(pricing_json);
        if (*doctor_app)
            return ccmeter::run_doctor_command(doctor_json);
        if (*web_app) {
            web.open = !no_open;
            return ccmeter::run_web_command(web);
        }
        return 2;
    } catch (const std::exception& error) {
        std::cerr << "hookctl: " << error.what() << "\n";
        return 1;
    }
}
