// ccmeterd: the per-user ccmeter daemon. Subcommands:
//   ingest   bring the history database up to date once and print totals
//   serve    run the daemon in the foreground
//   restore  replace the history database with a backup
//   team     the PostgreSQL team store: init, add-member, sync
#include <CLI/CLI.hpp>
#include <exception>
#include <filesystem>
#include <iostream>
#include <string>

#include "cli/ingest_command.hpp"
#include "cli/restore_command.hpp"
#include "cli/serve_command.hpp"
#include "cli/team_command.hpp"
#include "common/app_paths.hpp"
#include "common/app_version.hpp"
#include "core/batch_writer.hpp"
#include "core/database_check.hpp"
#include "core/ingest_engine.hpp"
#include "server/backup_scheduler.hpp"

namespace {

// --version: this program and the schema it writes, and the default database's if it exists.
std::string version_text() {
    std::string text = "ccmeterd " + ccmeter::program_version() + " (database schema " +
                       std::to_string(ccmeter::k_database_schema_version) + ")";
    const std::filesystem::path database = ccmeter::default_database_path();
    std::error_code ec;
    if (std::filesystem::exists(database, ec)) {
        ccmeter::Result<int> schema = ccmeter::read_schema_version(database);
        text += "\ndatabase " + database.string() + ": " +
                (schema ? "schema " + std::to_string(*schema) : schema.error().message);
    }
    return text;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        CLI::App app{"ccmeterd: what your Claude Code tokens cost, kept exactly"};
        app.require_subcommand(1);
        app.set_version_flag("--version", version_text, "Print the version and schema, and exit");
        ccmeter::IngestCommandOptions ingest;
        std::vector<std::string> config_dirs;
        std::string database, prices;
        CLI::App* ingest_app = app.add_subcommand("ingest", "Ingest new transcript lines once");
        ingest_app->add_option("--config-dir", config_dirs,
                               "Claude config dir (repeatable; default: CLAUDE_CONFIG_DIR, "
                               "~/.claude and ~/.config/claude)");
        std::vector<std::string> files;
        ingest_app->add_option("--file", files,
                               "Only this transcript (repeatable), as for a hook's event");
        ingest_app->add_option("--db", database,
                               "History database (default: "
                               "$XDG_DATA_HOME/ccmeter/usage.db)");
        ingest_app->add_option("--prices", prices, "Price overrides (JSON)");
        ingest_app->add_flag("--json", ingest.json, "Print one JSON object");
        ingest_app->add_option("--by", ingest.by, "Breakdown: model, day, session or project");
        ingest_app->add_flag("--quiet", ingest.quiet, "No log lines on stderr");
        ingest_app->add_option("--batch-lines", ingest.batch_lines,
                               "Lines per batch, " + std::to_string(ccmeter::k_batches_per_commit) +
                                   " batches per commit (default " +
                                   std::to_string(ccmeter::IngestOptions{}.batch_lines) +
                                   "; small values for tests)");
        ingest_app->add_flag("--progress", ingest.progress,
                             "A progress bar on stderr (only on a terminal)");
        ccmeter::ServeCommandOptions serve;
        std::vector<std::string> serve_dirs;
        std::string serve_database, serve_prices;
        CLI::App* serve_app = app.add_subcommand("serve", "Run the daemon in the foreground");
        serve_app->add_option("--config-dir", serve_dirs, "Claude config dir (repeatable)");
        serve_app->add_option("--db", serve_database, "History database");
        serve_app->add_option("--prices", serve_prices, "Price overrides (JSON)");
        serve_app->add_flag("--poll", serve.poll, "Poll every 2 s instead of using inotify");
        int web_port = -1;
        serve_app
            ->add_option("--web-port", web_port,
                         "Web view port on 127.0.0.1 (default 7681, or $CCMETER_WEB_PORT; "
                         "0 turns the web view off)")
            ->check(CLI::Range(0, 65535));
        std::string backup_dir, backup_interval;
        size_t backup_keep = 0;
        serve_app->add_option("--backup-dir", backup_dir,
                              "Periodic backups into this directory (default: $CCMETER_BACKUP_DIR; "
                              "unset: none)");
        serve_app->add_option("--backup-interval", backup_interval,
                              "How often: 90s, 30m, 24h, 7d (default: $CCMETER_BACKUP_INTERVAL, "
                              "else 24h)");
        serve_app
            ->add_option("--backup-keep", backup_keep,
                         "Backups kept (default: $CCMETER_BACKUP_KEEP, else 7)")
            ->check(CLI::PositiveNumber);

        ccmeter::RestoreCommandOptions restore;
        std::string restore_backup, restore_database;
        CLI::App* restore_app = app.add_subcommand(
            "restore",
            "Replace the history database with a backup (checked first; the old one "
            "is kept beside it)");
        restore_app->add_option("backup", restore_backup, "The backup file")->required();
        restore_app->add_option("--db", restore_database,
                                "History database (default: $CCMETER_DB, else "
                                "$XDG_DATA_HOME/ccmeter/usage.db)");
        restore_app->add_flag("--stop-daemon", restore.stop_daemon,
                              "Stop a running ccmeterd first (else refuse)");
        ccmeter::TeamCommandOptions team;
        std::string team_database;
        CLI::App* team_app = app.add_subcommand(
            "team", "The PostgreSQL team store (README, \"Team store (PostgreSQL)\")");
        team_app->require_subcommand(1);
        CLI::App* team_init = team_app->add_subcommand(
            "init", "Create or migrate the store's schema and the ccmeter_member role");
        team_init->add_option("dsn", team.dsn,
                              "libpq connection string of the store, as its owner (default: "
                              "CCMETER_TEAM_DSN, else team.json)");
        CLI::App* team_add = team_app->add_subcommand(
            "add-member", "A login role of this name, granted ccmeter_member");
        team_add->add_option("name", team.name, "The member's role name")->required();
        team_add->add_option("--dsn", team.dsn, "The store, as its owner");
        CLI::App* team_sync = team_app->add_subcommand(
            "sync", "Replicate this machine's history now, until the store holds all of it");
        team_sync->add_option("--dsn", team.dsn, "The store, as this member");
        team_sync->add_option("--db", team_database, "History database");
        CLI11_PARSE(app, argc, argv);

        if (*team_app) {
            team.action = *team_init ? "init" : *team_add ? "add-member" : "sync";
            team.database = team_database;
            return ccmeter::run_team_command(team, std::cout, std::cerr);
        }

        if (*restore_app) {
            restore.backup = restore_backup;
            restore.database = restore_database;
            return ccmeter::run_restore_command(restore, std::cout, std::cerr);
        }

        if (*serve_app) {
            for (const std::string& dir : serve_dirs)
                serve.config_dirs.emplace_back(dir);
            serve.database = serve_database;
            serve.prices = serve_prices;
            if (web_port >= 0)
                serve.web_port = static_cast<uint16_t>(web_port);
            serve.backup_dir = backup_dir;
            if (!backup_interval.empty()) {
                serve.backup_interval = ccmeter::parse_backup_interval(backup_interval);
                if (!serve.backup_interval) {
                    std::cerr << "ccmeterd serve: --backup-interval takes a duration like 90s, "
                                 "30m, 24h or 7d\n";
                    return 2;
                }
            }
            if (backup_keep > 0)
                serve.backup_keep = backup_keep;
            return ccmeter::run_serve_command(serve);
        }

        if (*ingest_app) {
            for (const std::string& dir : config_dirs)
                ingest.config_dirs.emplace_back(dir);
            for (const std::string& file : files)
                ingest.files.emplace_back(file);
            ingest.database = database;
            ingest.prices = prices;
            return ccmeter::run_ingest_command(ingest, std::cout, std::cerr);
        }
        return 2;
    } catch (const std::exception& error) {
        std::cerr << "ccmeterd: " << error.what() << "\n";
        return 1;
    }
}
