// The team views read from the store (team_store.hpp) and priced (team_report.hpp), for the
// gRPC Team call and /api/team. Each call reads on a connection of its own as the configured
// member: one left idle by an earlier call (at most k_team_idle_connections are kept; one that
// broke meanwhile is replaced once, at once), else a new one, waiting at most
// k_team_query_timeout_seconds for it.
//
// After the store could not be reached, calls answer that it is unreachable at once for
// k_team_retry_after_failure_ms instead of waiting again (the web view's thread must not stall
// on every refresh).
// Threads: any; calls are independent.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "core/price_table.hpp"
#include "team/team_config.hpp"
#include "team/team_report.hpp"

namespace ccmeter {

// How long a team view waits for the store before answering that it is unreachable. Default 3 s.
constexpr int k_team_query_timeout_seconds = 3;
// How long a failed connection is remembered. Default 10 s.
constexpr int64_t k_team_retry_after_failure_ms = 10'000;
// How many connections to the store are kept open between calls (each a PostgreSQL backend;
// a new one costs a few ms, more than a report from the rollups). Default 2.
constexpr size_t k_team_idle_connections = 2;

class TeamStore;

struct TeamAnswer {
    TeamView view = TeamView::summary;
    std::string member;   // the role the store was read as
    std::string machine;  // this machine's name in the store
    std::vector<TeamReportRow> rows;
};

class TeamQueries {
  public:
    // `config`: nullopt when no team store is configured (every call then says so).
    // `prices` gives the price table in force at each call.
    TeamQueries(std::optional<TeamConfig> config,
                std::function<std::shared_ptr<const PriceTable>()> prices)
        : m_config(std::move(config)), m_prices(std::move(prices)) {}

    bool configured() const { return m_config.has_value(); }

    // Errors of kind `unavailable` (not configured, unreachable) carry a message for a person.
    Result<TeamAnswer> report(TeamView view, std::optional<int64_t> since_ms,
                              std::optional<int64_t> until_ms) const;

    ~TeamQueries();
    TeamQueries(const TeamQueries&) = delete;
    TeamQueries& operator=(const TeamQueries&) = delete;

  private:
    // The report on `store`; errors as report() gives them.
    Result<TeamAnswer> read(TeamStore& store, TeamView view, std::optional<int64_t> since_ms,
                            std::optional<int64_t> until_ms) const;
    // A new connection, or the reason none could be made (remembered for the retry delay).
    Result<std::unique_ptr<TeamStore>> connect() const;

    std::optional<TeamConfig> m_config;
    std::function<std::shared_ptr<const PriceTable>()> m_prices;
    // Until when (steady clock, ms) an unreachable store is not tried again, and why.
    mutable std::mutex m_mutex;
    mutable int64_t m_retry_at_ms = 0;
    mutable std::string m_last_failure;
    // Connections left by earlier calls, ready for the next (guarded by m_mutex).
    mutable std::vector<std::unique_ptr<TeamStore>> m_idle;
};

}  // namespace ccmeter
