#include "cli/team_command.hpp"

#include <chrono>
#include <cstdio>

#include "common/app_paths.hpp"
#include "common/machine_identity.hpp"
#include "core/usage_store.hpp"
#include "team/team_config.hpp"
#include "team/team_replicator.hpp"
#include "team/team_schema.hpp"
#include "team/team_store.hpp"

namespace ccmeter {

int run_team_command(const TeamCommandOptions& options, std::ostream& out, std::ostream& err) {
    Result<std::optional<TeamConfig>> loaded = load_team_config();
    if (!loaded) {
        err << "ccmeterd team: " << loaded.error().message << "\n";
        return 1;
    }
    TeamConfig config = loaded->value_or(TeamConfig{});
    if (!options.dsn.empty())
        config.dsn = options.dsn;
    if (config.dsn.empty()) {
        err << "ccmeterd team: no team store given (a DSN argument, --dsn, CCMETER_TEAM_DSN or "
            << default_team_config_path().string() << ")\n";
        return 2;
    }
    if (options.action == "sync") {
        const std::filesystem::path database =
            options.database.empty() ? default_database_path() : options.database;
        // Creates or migrates the history if needed, as the daemon would.
        if (Result<std::unique_ptr<UsageStore>> opened = UsageStore::open(database); !opened) {
            err << "ccmeterd team: " << opened.error().message << "\n";
            return 1;
        }
        if (config.machine.empty())
            config.machine = machine_name();
        TeamReplicator replicator({config, database, {}});
        const auto start = std::chrono::steady_clock::now();
        Result<int64_t> sent = replicator.replicate_until_caught_up();
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (!sent) {
            err << "ccmeterd team: " << sent.error().message << "\n";
            return 1;
        }
        char text[64];
        std::snprintf(text, sizeof text, "%.2f", seconds);
        out << "replicated " << *sent << " responses in " << text << " s\n";
        return 0;
    }
    Result<std::unique_ptr<TeamStore>> store = TeamStore::connect(config.dsn);
    if (!store) {
        err << "ccmeterd team: " << store.error().message << "\n";
        return 1;
    }
    if (options.action == "init") {
        Result<int> before = (*store)->init();
        if (!before) {
            err << "ccmeterd team: " << before.error().message << "\n";
            return 1;
        }
        out << "team store schema " << team_schema_version()
            << (*before == team_schema_version() ? " (already current)"
                                                 : " (was " + std::to_string(*before) + ")")
            << "; members are granted " << k_team_member_role << "\n";
        return 0;
    }
    if (options.action == "add-member") {
        if (Result<void> added = (*store)->add_member(options.name); !added) {
            err << "ccmeterd team: " << added.error().message << "\n";
            return 1;
        }
        out << "member " << options.name << " added (a login role granted " << k_team_member_role
            << "; give it a password or another authentication)\n";
        return 0;
    }
    err << "ccmeterd team: unknown action " << options.action << "\n";
    return 2;
}

}  // namespace ccmeter
