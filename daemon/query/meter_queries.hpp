// The daemon's one way to ask the history anything: every answer the gRPC service and the web
// API give comes from here, in core types (no gRPC, HTTP or protobuf in this interface).
//
// It owns the read connections (a small pool, opened on first use, so the status line, stats
// and the web view never wait for each other's queries), the price table, the status line's
// cached figures and the heatmap. Errors carry an ErrorKind: `unavailable` when the database
// cannot be opened, `invalid_argument` for a bad request, `not_found` for an unknown session.
//
// Threads: every member is safe to call from any thread at once; writes happen elsewhere (the
// IngestLoop), which calls usage_changed() after each commit.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/error.hpp"
#include "core/client_check.hpp"
#include "core/cost_parts.hpp"
#include "core/limit_forecast.hpp"
#include "core/period_comparison.hpp"
#include "core/price_learner.hpp"
#include "core/price_table.hpp"
#include "core/session_detail.hpp"
#include "core/tool_call_cache.hpp"
#include "core/tool_usage.hpp"
#include "core/turn_costs.hpp"
#include "core/usage_heatmap.hpp"
#include "core/usage_queries.hpp"
#include "core/usage_report.hpp"
#include "core/usage_store.hpp"

namespace ccmeter {

// What the status line shows besides the payload's own figures.
struct StatusFigures {
    std::optional<UsageTotals> session;  // when a session id was asked for
    UsageTotals today;
    std::optional<BlockTotals> block;  // the 5-hour block active now, if any
    std::optional<RateLimitSample> rate_limits;
    std::vector<LimitForecast> limits;      // every plan limit bucket seen (limit_forecast.hpp)
    std::optional<UsageTotals> this_week;   // when a week start was given
    std::optional<UsageTotals> this_month;  // when a month start was given
};

// How much is stored.
struct StoreCounts {
    int64_t responses = 0;
    int64_t files = 0;
    int64_t malformed_lines = 0;
    std::optional<std::pair<int64_t, int64_t>> time_range;  // first and last response
    int schema_version = 0;
};

struct MeterQueriesOptions {
    std::filesystem::path database;
    // Read connections open at most at once. Default 4: the status line, a stats call and the
    // web view's requests in parallel, with SQLite's page cache per connection kept small.
    size_t max_readers = 4;
    // How long the active 5-hour block (its burn rate and projection) is reused by the status
    // line while no new usage arrives. Default 5 s.
    int64_t block_refresh_ms = 5'000;
    // Called after each query has given its connection back (on the querying thread; must be
    // thread-safe and cheap). Unset: nothing. ccmeterd's MemoryTrimmer::note_activity, so that
    // what a large answer allocated goes back to the system once the daemon is quiet.
    std::function<void()> after_query;
};

class MeterQueries {
  public:
    MeterQueries(MeterQueriesOptions options, PriceTable prices);
    ~MeterQueries();
    MeterQueries(const MeterQueries&) = delete;
    MeterQueries& operator=(const MeterQueries&) = delete;

    // The prices in force: the built-in table and the user's file, plus rules learned from the
    // client's own cost records (price_learner.hpp) for models neither has. Learned again after
    // each usage_changed(), on first use.
    std::shared_ptr<const PriceTable> prices();

    // New usage was stored: cached figures are stale.
    void usage_changed();

    // The session's totals (empty `session_id`: none), usage since `today_start_ms` (and
    // since `week_start_ms` / `month_start_ms` when not 0), the block active at `now_ms`, the
    // latest plan limits and their forecasts. Usage is reused until usage_changed().
    Result<StatusFigures> status_figures(const std::string& session_id, int64_t today_start_ms,
                                         int64_t now_ms, int64_t week_start_ms = 0,
                                         int64_t month_start_ms = 0);

    // The forecasts of every plan limit at `now_ms` and the usage since each start.
    Result<LimitsFigures> limits(int64_t now_ms, int64_t day_start_ms, int64_t week_start_ms,
                                 int64_t month_start_ms);

    // usage_queries.hpp's reports, on a pooled connection.
    Result<std::vector<PeriodTotals>> periods(const std::vector<int64_t>& boundaries,
                                              const ResponseFilter& filter, bool breakdown);
    Result<std::vector<GroupTotals>> groups(Grouping kind, const ResponseFilter& filter,
                                            bool breakdown);
    Result<std::vector<BlockTotals>> blocks(const ResponseFilter& filter, int64_t now_ms);
    // not_found when the session has no response; `page`: which responses it lists.
    Result<SessionDetail> session(const std::string& session_id, const SessionPage& page = {});

    // cost_parts.hpp's figures.
    Result<std::vector<CostParts>> cost_parts_by_periods(const std::vector<int64_t>& boundaries,
                                                         const ResponseFilter& filter);
    Result<std::map<std::string, CostParts>> cost_parts_by_group(Grouping kind,
                                                                 const ResponseFilter& filter);

    // Usage by local weekday and hour (the daemon's time zone).
    Result<UsageHeatmap> heatmap(const ResponseFilter& filter);

    // Tool calls, errors and run times per tool name (tool_usage.hpp).
    Result<std::vector<ToolStats>> tools(const ResponseFilter& filter);

    Result<StoreCounts> counts();

    // Every response matching `filter`, priced, `page_rows` at a time, all from one snapshot
    // (UsageStore::for_each_response_page), on a read connection of its own: a long export
    // never holds a pooled reader the status line or the web view wait for. `page` returns false
    // to stop (the client went away).
    Result<void> export_responses(
        const ResponseFilter& filter, size_t page_rows,
        const std::function<bool(const std::vector<PricedResponse>&)>& page);

    // session_activity.hpp's report over `boundaries`, narrowed by filter's session and cwd.
    Result<ActivityReport> activity(const std::vector<int64_t>& boundaries,
                                    const ResponseFilter& filter);

    // turn_costs.hpp's spread of every turn matching `filter`, with the `top` most expensive.
    Result<TurnCostSpread> turn_costs(const ResponseFilter& filter, size_t top);

    // For each of `spans`: usage in [last_start, last_cut) and in [this_start, now), in that
    // order, all from one snapshot (period_comparison.hpp).
    Result<std::vector<std::pair<UsageTotals, UsageTotals>>> compare(
        const std::vector<ComparisonSpans>& spans);

    // The `limit` most recent responses matching `filter`, newest first, priced.
    Result<std::vector<PricedResponse>> latest_responses(const ResponseFilter& filter,
                                                         size_t limit);

    // What `hookctl watch` and `top` are told of (server/watch_feed): the responses stored
    // with a row id above `after_id`, at most `limit`, priced, in the order they were stored.
    struct StoredResponse {
        int64_t id = 0;
        PricedResponse priced;
    };
    Result<std::vector<StoredResponse>> responses_after(int64_t after_id, size_t limit);
    // The highest response row id (0: none), and how many rows lie above `after_id`.
    Result<int64_t> last_response_id();
    Result<int64_t> responses_after_count(int64_t after_id);

    // client_check.hpp's per-session check.
    Result<std::vector<SessionCheck>> client_check(std::optional<int64_t> since_ms,
                                                   std::optional<int64_t> until_ms);

  private:
    // What status_figures() computed, valid while the generation is unchanged.
    struct StatusCache {
        uint64_t generation = 0;
        int64_t today_start_ms = -1;
        std::optional<UsageTotals> today;
        int64_t week_start_ms = -1;
        std::optional<UsageTotals> this_week;
        int64_t month_start_ms = -1;
        std::optional<UsageTotals> this_month;
        std::optional<BlockTotals> block;
        int64_t block_computed_ms = 0;
        bool block_known = false;
        std::unordered_map<std::string, UsageTotals> sessions;
    };

    // Runs `query` on a pooled read connection.
    template <class Query>
    auto with_reader(Query&& query) -> decltype(query(std::declval<const UsageStore&>()));
    Result<std::unique_ptr<UsageStore>> acquire();
    void release(std::unique_ptr<UsageStore> store);

    std::shared_ptr<const PriceTable> prices_for(const UsageStore& store);

    MeterQueriesOptions m_options;
    const PriceTable m_base_prices;
    std::atomic<uint64_t> m_usage_generation{1};
    std::mutex m_prices_mutex;
    std::shared_ptr<const PriceTable> m_prices;  // guarded by m_prices_mutex
    uint64_t m_prices_generation = 0;            // guarded by m_prices_mutex

    std::mutex m_pool_mutex;
    std::condition_variable m_pool_returned;
    std::vector<std::unique_ptr<UsageStore>> m_idle;  // guarded by m_pool_mutex
    size_t m_open = 0;                                // guarded by m_pool_mutex

    std::mutex m_turn_costs_mutex;
    TurnCostCache m_turn_costs;  // guarded by m_turn_costs_mutex
    std::mutex m_tool_calls_mutex;
    ToolCallCache m_tool_calls;  // guarded by m_tool_calls_mutex

    std::mutex m_status_mutex;
    StatusCache m_status_cache;  // guarded by m_status_mutex
    uint64_t m_generation = 1;   // guarded by m_status_mutex
};

}  // namespace ccmeter
