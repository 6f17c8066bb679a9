// `hookctl stats [summary|daily|weekly|monthly|sessions|projects|models|blocks|session ID]
//   [--since DATE] [--until DATE] [--tz ZONE] [--project CWD] [--json] [--breakdown]
//   [--limit N | --all]` (--limit and --all: session ID only)
// `hookctl stats tools [...] [--session ID]`: per-tool calls, errors and run times
//   (tools_command.hpp).
// `hookctl stats --team [summary|daily|members|machines|projects|models] [--since] [--until]
//   [--json]`: the team store's totals (README, "Team store (PostgreSQL)"), which the daemon
//   reads from PostgreSQL with this member's role; days are UTC days.
//
// Dates are local days ("2026-11-22" or "20261122") in --tz (default: the TZ environment, else
// the system zone); --until is inclusive. Tables for people, stable JSON (stats_format.hpp) for
// scripts. When the daemon is not running it is started and waited for (up to 5 s).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "ccmeter/v1/ccmeter.pb.h"
#include "common/error.hpp"

namespace ccmeter {

struct StatsCommandOptions {
    std::string report = "summary";  // summary|daily|weekly|monthly|sessions|projects|models|
                                     // blocks|session
    std::string session_id;          // for "session"
    std::optional<std::string> since;
    std::optional<std::string> until;
    std::optional<std::string> tz;
    std::optional<std::string> project;
    bool json = false;
    bool breakdown = false;
    bool team = false;  // the team store's views (report: summary|daily|members|machines|...)
    std::optional<std::string> session;  // --session: only this session (report "tools")
    // session ID: how many of its responses the answer lists (JSON "responses", table rows with
    // --breakdown), the newest first; unset: the daemon's default (100). --all: every one.
    std::optional<int64_t> limit;
    bool all = false;
};

// Returns the exit code: 0, 1 when the daemon could not answer, 2 for bad arguments.
int run_stats_command(const StatsCommandOptions& options);

// `hookctl pricing [--json]`: the prices in force (built in, the user's file, learned from the
// client), from the daemon.
int run_pricing_command(bool json);

// The filter the report options `--since`, `--until` (inclusive) and `--project` ask for, as
// local days in `tz` (applied to the process when given); an Error names the bad option.
Result<v1::Filter> report_filter(const std::optional<std::string>& since,
                                 const std::optional<std::string>& until,
                                 const std::optional<std::string>& tz,
                                 const std::optional<std::string>& project);

// The first and last instant (epoch ms) a period report over `filter` covers: its bounds, else
// the stored history's first and last response, else `now_ms`.
std::pair<int64_t, int64_t> report_span(const v1::Filter& filter, const v1::HealthReply& health,
                                        int64_t now_ms);

class MeterClient;
// The daemon's health; starts the daemon and waits for it (a few seconds) when nobody listens.
Result<v1::HealthReply> reach_daemon(MeterClient& client);
// The same, once the daemon has caught up with the transcripts (a fresh daemon backfills
// first, up to 2 minutes), so that reports never show a partial history without saying so.
Result<v1::HealthReply> caught_up_daemon(MeterClient& client);

}  // namespace ccmeter
