#include "team/team_queries.hpp"

#include <limits>

#include "team/team_store.hpp"

namespace ccmeter {

Result<TeamAnswer> TeamQueries::report(TeamView view, std::optional<int64_t> since_ms,
                                       std::optional<int64_t> until_ms) const {
    if (!m_config)
        return Error{"no team store is configured (set CCMETER_TEAM_DSN or write " +
                         default_team_config_path().string() + ")",
                     ErrorKind::unavailable};
    CCMETER_TRY_ASSIGN(std::unique_ptr<TeamStore> store,
                       TeamStore::connect(m_config->dsn, k_team_query_timeout_seconds));
    CCMETER_TRY(store->store_id());
    CCMETER_TRY_ASSIGN(
        const std::vector<TeamTotalsRow> rows,
        store->team_totals(since_ms.value_or(std::numeric_limits<int64_t>::min()),
                           until_ms.value_or(std::numeric_limits<int64_t>::max()), k_team_day_ms));
    TeamAnswer answer;
    answer.view = view;
    answer.member = store->role();
    answer.machine = m_config->machine;
    answer.rows = team_report(rows, view, *m_prices());
    return answer;
}

}  // namespace ccmeter
