#include "team/team_queries.hpp"

#include <chrono>
#include <limits>

#include "team/team_store.hpp"

namespace ccmeter {

namespace {

int64_t steady_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

}  // namespace

TeamQueries::~TeamQueries() = default;

Result<std::unique_ptr<TeamStore>> TeamQueries::connect() const {
    const int64_t now = steady_ms();
    {
        std::lock_guard lock(m_mutex);
        if (now < m_retry_at_ms)
            return Error{m_last_failure, ErrorKind::unavailable};
    }
    Result<std::unique_ptr<TeamStore>> connected =
        TeamStore::connect(m_config->dsn, k_team_query_timeout_seconds);
    if (!connected) {
        std::lock_guard lock(m_mutex);
        m_retry_at_ms = now + k_team_retry_after_failure_ms;
        m_last_failure = connected.error().message;
    }
    return connected;
}

Result<TeamAnswer> TeamQueries::read(TeamStore& store, TeamView view,
                                     std::optional<int64_t> since_ms,
                                     std::optional<int64_t> until_ms) const {
    CCMETER_TRY(store.store_id());
    CCMETER_TRY_ASSIGN(
        const std::vector<TeamViewRow> rows,
        store.team_view_totals(since_ms.value_or(std::numeric_limits<int64_t>::min()),
                               until_ms.value_or(std::numeric_limits<int64_t>::max()),
                               k_team_day_ms, std::string(team_view_name(view))));
    TeamAnswer answer;
    answer.view = view;
    answer.member = store.role();
    answer.machine = m_config->machine;
    answer.rows = team_report(rows, view, *m_prices());
    return answer;
}

Result<TeamAnswer> TeamQueries::report(TeamView view, std::optional<int64_t> since_ms,
                                       std::optional<int64_t> until_ms) const {
    if (!m_config)
        return Error{"no team store is configured (set CCMETER_TEAM_DSN or write " +
                         default_team_config_path().string() + ")",
                     ErrorKind::unavailable};
    std::unique_ptr<TeamStore> store;
    {
        std::lock_guard lock(m_mutex);
        if (!m_idle.empty()) {
            store = std::move(m_idle.back());
            m_idle.pop_back();
        }
    }
    Result<TeamAnswer> answer = Error{"", ErrorKind::unavailable};
    if (store) {
        answer = read(*store, view, since_ms, until_ms);
        if (!answer && answer.error().kind == ErrorKind::unavailable)
            store.reset();  // broke while idle (the store restarted, a timeout): a new one
    }
    if (!store) {
        CCMETER_TRY_ASSIGN(store, connect());
        answer = read(*store, view, since_ms, until_ms);
    }
    if (answer || answer.error().kind != ErrorKind::unavailable) {
        std::lock_guard lock(m_mutex);
        if (m_idle.size() < k_team_idle_connections)
            m_idle.push_back(std::move(store));
    }
    return answer;
}

}  // namespace ccmeter
