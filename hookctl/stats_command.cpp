#include "stats_command.hpp"
#include "common/clock.hpp"

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <thread>

#include "common/app_paths.hpp"
#include "common/budget_config.hpp"
#include "common/json_text.hpp"
#include "common/local_periods.hpp"
#include "common/runtime_paths.hpp"
#include "common/stats_format.hpp"
#include "daemon_spawner.hpp"
#include "meter_client.hpp"
#include "terminal_size.hpp"
#include "tools_command.hpp"

namespace ccmeter {

namespace {

constexpr std::chrono::seconds k_query_deadline{30};
constexpr std::chrono::seconds k_startup_wait{5};
constexpr std::chrono::seconds k_catch_up_wait{120};

MeterClient::Clock::time_point deadline() {
    return MeterClient::Clock::now() + k_query_deadline;
}

void print(const boost::json::object& json) {
    std::cout << to_json_text(json) << "\n";
}

}  // namespace

Result<v1::HealthReply> caught_up_daemon(MeterClient& client) {
    Result<v1::HealthReply> health = reach_daemon(client);
    if (!health || health->pending_files() >= 0)
        return health;
    std::cerr << "hookctl: ccmeterd is reading your history...\n";
    const auto give_up = std::chrono::steady_clock::now() + k_catch_up_wait;
    while (health && health->pending_files() < 0 && std::chrono::steady_clock::now() < give_up) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        health = client.health(deadline());
    }
    if (health && health->pending_files() < 0)
        std::cerr << "hookctl: still catching up; these figures are partial\n";
    return health;
}

// The daemon's health; starts the daemon and waits for it when nobody listens.
Result<v1::HealthReply> reach_daemon(MeterClient& client) {
    Result<v1::HealthReply> health = client.health(deadline());
    if (health || !client.daemon_unreachable())
        return health;
    std::cerr << "hookctl: starting ccmeterd...\n";
    if (!spawn_daemon())
        return Error("ccmeterd is not running (CCMETER_NO_SPAWN=1?)");
    const auto give_up = std::chrono::steady_clock::now() + k_startup_wait;
    while (std::chrono::steady_clock::now() < give_up) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        health = client.health(deadline());
        if (health)
            break;
    }
    if (!health)
        return Error("ccmeterd did not start; see " + (runtime_dir() / "ccmeterd.log").string());
    return health;
}

int run_pricing_command(bool json) {
    MeterClient client(socket_path());
    Result<v1::PricingReply> reply =
        reach_daemon(client).has_value()
            ? client.pricing(deadline())
            : Result<v1::PricingReply>(Error("ccmeterd is not running"));
    if (!reply) {
        std::cerr << "hookctl: " << reply.error().message << "\n";
        return 1;
    }
    if (json)
        print(pricing_json(*reply));
    else
        std::cout << pricing_table(*reply);
    return 0;
}

Result<v1::Filter> report_filter(const std::optional<std::string>& since,
                                 const std::optional<std::string>& until,
                                 const std::optional<std::string>& tz,
                                 const std::optional<std::string>& project) {
    if (tz) {
        ::setenv("TZ", tz->c_str(), 1);
        ::tzset();
    }
    v1::Filter filter;
    if (since) {
        std::optional<int64_t> start = parse_local_date(*since);
        if (!start)
            return Error{"--since takes a date like 2026-11-22", ErrorKind::invalid_argument};
        filter.set_since_ms(*start);
    }
    if (until) {
        std::optional<int64_t> last_day = parse_local_date(*until);
        if (!last_day)
            return Error{"--until takes a date like 2026-11-22", ErrorKind::invalid_argument};
        // Inclusive: up to the start of the next local day.
        filter.set_until_ms(local_next_period_start(PeriodKind::day, *last_day));
    }
    if (project)
        filter.set_project(*project);
    return filter;
}

std::pair<int64_t, int64_t> report_span(const v1::Filter& filter, const v1::HealthReply& health,
                                        int64_t now_ms) {
    const int64_t first = filter.has_since_ms()            ? filter.since_ms()
                          : health.first_response_ms() > 0 ? health.first_response_ms()
                                                           : now_ms;
    const int64_t last = filter.has_until_ms() ? filter.until_ms() - 1
                         : health.last_response_ms() > 0
                             ? std::max(health.last_response_ms(), first)
                             : now_ms;
    return {first, last};
}

int run_stats_command(const StatsCommandOptions& options) {
    Result<v1::Filter> parsed =
        report_filter(options.since, options.until, options.tz, options.project);
    if (!parsed) {
        std::cerr << "hookctl stats: " << parsed.error().message << "\n";
        return 2;
    }
    const v1::Filter& filter = *parsed;
    const size_t width = stdout_table_width();  // tables fit the terminal (0: no limit)

    MeterClient client(socket_path());
    if (options.team) {
        // The store is read by the daemon, not from this machine's history: no catching up.
        if (Result<v1::HealthReply> reached = reach_daemon(client); !reached) {
            std::cerr << "hookctl stats --team: " << reached.error().message << "\n";
            return 1;
        }
        if (options.project) {
            std::cerr << "hookctl stats --team: --project is not a team filter (see the "
                         "projects view)\n";
            return 2;
        }
        v1::TeamRequest request;
        request.set_view(options.report);
        if (filter.has_since_ms())
            request.set_since_ms(filter.since_ms());
        if (filter.has_until_ms())
            request.set_until_ms(filter.until_ms());
        Result<v1::TeamReply> reply = client.team(request, deadline());
        if (!reply) {
            std::cerr << "hookctl stats --team: " << reply.error().message << "\n";
            return 1;
        }
        if (options.json)
            print(team_json(*reply));
        else
            std::cout << team_table(*reply);
        return 0;
    }
    Result<v1::HealthReply> health = caught_up_daemon(client);
    if (!health) {
        std::cerr << "hookctl stats: " << health.error().message << "\n";
        return 1;
    }
    const int64_t now = now_ms();
    const std::string& report = options.report;
    auto fail = [](const Error& error) {
        std::cerr << "hookctl stats: " << error.message << "\n";
        return 1;
    };

    if (report == "tools")
        return run_tools_report(client, filter, options.session, options.json);
    if (report == "summary") {
        v1::PeriodsRequest request;
        for (int64_t boundary : summary_boundaries(now))
            request.add_boundaries_ms(boundary);
        *request.mutable_filter() = filter;
        Result<v1::PeriodsReply> reply = client.periods(request, deadline());
        if (!reply)
            return fail(reply.error());
        const SummaryUsage summary = summary_from_periods(
            *reply, local_day_start(now), local_week_start(now), local_month_start(now));
        if (options.json)
            print(summary_json(summary));
        else
            std::cout << summary_table(summary, width);
        return 0;
    }
    if (report == "daily" || report == "weekly" || report == "monthly") {
        const PeriodKind kind = report == "daily"    ? PeriodKind::day
                                : report == "weekly" ? PeriodKind::week
                                                     : PeriodKind::month;
        const auto [first, last] = report_span(filter, *health, now);
        v1::PeriodsRequest request;
        std::vector<std::string> labels;
        const std::vector<int64_t> boundaries = period_boundaries(kind, first, last);
        for (size_t i = 0; i < boundaries.size(); ++i) {
            request.add_boundaries_ms(boundaries[i]);
            if (i + 1 < boundaries.size())
                labels.push_back(period_label(kind, boundaries[i]));
        }
        *request.mutable_filter() = filter;
        request.set_breakdown(options.breakdown);
        Result<v1::PeriodsReply> reply = client.periods(request, deadline());
        if (!reply)
            return fail(reply.error());
        // Periods without usage are left out of tables and JSON alike.
        v1::PeriodsReply used;
        std::vector<std::string> used_labels;
        for (int i = 0; i < reply->periods_size(); ++i) {
            if (reply->periods(i).usage().responses() == 0)
                continue;
            *used.add_periods() = reply->periods(i);
            used_labels.push_back(labels[static_cast<size_t>(i)]);
        }
        const char* header = kind == PeriodKind::day    ? "Date"
                             : kind == PeriodKind::week ? "Week"
                                                        : "Month";
        if (options.json)
            print(periods_json(used, used_labels, options.breakdown));
        else
            std::cout << periods_table(used, used_labels, header, options.breakdown, width);
        return 0;
    }
    if (report == "sessions" || report == "projects" || report == "models" ||
        report == "branches") {
        v1::GroupsRequest request;
        request.set_group_by(report == "sessions"   ? v1::GROUP_BY_SESSION
                             : report == "projects" ? v1::GROUP_BY_PROJECT
                             : report == "branches" ? v1::GROUP_BY_BRANCH
                                                    : v1::GROUP_BY_MODEL);
        *request.mutable_filter() = filter;
        request.set_breakdown(options.breakdown);
        Result<v1::GroupsReply> reply = client.groups(request, deadline());
        if (!reply)
            return fail(reply.error());
        if (report == "sessions") {
            if (options.json)
                print(sessions_json(*reply, options.breakdown));
            else
                std::cout << sessions_table(*reply, options.breakdown, width);
        } else if (report == "projects") {
            if (options.json)
                print(projects_json(*reply, options.breakdown));
            else
                std::cout << projects_table(*reply, options.breakdown, width);
        } else if (report == "branches") {
            if (options.json)
                print(branches_json(*reply));
            else
                std::cout << branches_table(*reply, width);
        } else {
            if (options.json)
                print(models_json(*reply));
            else
                std::cout << models_table(*reply, width);
        }
        return 0;
    }
    if (report == "activity") {
        const auto [first, last] = report_span(filter, *health, now);
        const std::vector<int64_t> boundaries = period_boundaries(PeriodKind::day, first, last);
        v1::ActivityRequest request;
        for (int64_t boundary : boundaries)
            request.add_boundaries_ms(boundary);
        *request.mutable_filter() = filter;
        Result<v1::ActivityReply> reply = client.activity(request, deadline());
        if (!reply)
            return fail(reply.error());
        std::vector<std::string> labels;
        for (const v1::ActivityPeriod& period : reply->periods())
            labels.push_back(period_label(PeriodKind::day, period.start_ms()));
        if (options.json)
            print(activity_report_json(*reply, labels));
        else
            std::cout << activity_table(*reply, labels);
        return 0;
    }
    if (report == "check") {
        v1::CheckRequest request;
        *request.mutable_filter() = filter;
        Result<v1::CheckReply> reply = client.check(request, deadline());
        if (!reply)
            return fail(reply.error());
        if (options.json)
            print(check_json(*reply));
        else
            std::cout << check_table(*reply);
        return 0;
    }
    if (report == "limits") {
        Result<Budgets> budgets = load_budgets(default_budgets_path());
        if (!budgets)
            return fail(budgets.error());
        v1::LimitsRequest request;
        request.set_now_ms(now);
        request.set_day_start_ms(local_day_start(now));
        request.set_week_start_ms(local_week_start(now));
        request.set_month_start_ms(local_month_start(now));
        Result<v1::LimitsReply> reply = client.limits(request, deadline());
        if (!reply)
            return fail(reply.error());
        if (options.json)
            print(limits_json(*reply, *budgets));
        else
            std::cout << limits_table(*reply, *budgets);
        return 0;
    }
    if (report == "blocks") {
        v1::BlocksRequest request;
        *request.mutable_filter() = filter;
        request.set_now_ms(now);
        Result<v1::BlocksReply> reply = client.blocks(request, deadline());
        if (!reply)
            return fail(reply.error());
        if (options.json)
            print(blocks_json(*reply));
        else
            std::cout << blocks_table(*reply, now, width);
        return 0;
    }
    if (report == "session") {
        if (options.session_id.empty()) {
            std::cerr << "hookctl stats session: which session? (an id from hookctl stats "
                         "sessions)\n";
            return 2;
        }
        v1::SessionRequest request;
        request.set_session_id(options.session_id);
        if (options.limit) {
            if (*options.limit < 1) {
                std::cerr << "hookctl stats session: --limit must be at least 1 (or --all)\n";
                return 2;
            }
            request.set_limit(*options.limit);
        }
        request.set_all(options.all);
        Result<v1::SessionReply> reply = client.session(request, deadline());
        if (!reply)
            return fail(reply.error());
        if (options.json)
            print(session_json(*reply));
        else
            std::cout << session_table(*reply, options.breakdown, width);
        return 0;
    }
    std::cerr << "hookctl stats: unknown report '" << report
              << "' (summary, daily, weekly, monthly, sessions, projects, models, blocks, "
                 "branches, check, limits, activity, session ID)\n";
    return 2;
}

}  // namespace ccmeter
