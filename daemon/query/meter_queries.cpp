#include "query/meter_queries.hpp"

namespace ccmeter {

namespace {

constexpr int64_t k_hour_ms = 3'600'000;

}  // namespace

MeterQueries::MeterQueries(MeterQueriesOptions options, PriceTable prices)
    : m_options(std::move(options)),
      m_base_prices(std::move(prices)),
      m_prices(std::make_shared<const PriceTable>(m_base_prices)) {
    if (m_options.max_readers == 0)
        m_options.max_readers = 1;
}

MeterQueries::~MeterQueries() = default;

Result<std::unique_ptr<UsageStore>> MeterQueries::acquire() {
    {
        std::unique_lock lock(m_pool_mutex);
        m_pool_returned.wait(lock,
                             [&] { return !m_idle.empty() || m_open < m_options.max_readers; });
        if (!m_idle.empty()) {
            std::unique_ptr<UsageStore> store = std::move(m_idle.back());
            m_idle.pop_back();
            return store;
        }
        ++m_open;
    }
    Result<std::unique_ptr<UsageStore>> opened = UsageStore::open_read_only(m_options.database);
    if (!opened) {
        {
            std::lock_guard lock(m_pool_mutex);
            --m_open;
        }
        m_pool_returned.notify_one();
        return Error{opened.error().message, ErrorKind::unavailable};
    }
    return opened;
}

void MeterQueries::release(std::unique_ptr<UsageStore> store) {
    {
        std::lock_guard lock(m_pool_mutex);
        m_idle.push_back(std::move(store));
    }
    m_pool_returned.notify_one();
    if (m_options.after_query)
        m_options.after_query();
}

template <class Query>
auto MeterQueries::with_reader(Query&& query)
    -> decltype(query(std::declval<const UsageStore&>())) {
    Result<std::unique_ptr<UsageStore>> store = acquire();
    if (!store)
        return store.error();
    auto answer = query(static_cast<const UsageStore&>(**store));
    release(std::move(*store));
    return answer;
}

void MeterQueries::usage_changed() {
    ++m_usage_generation;
    std::lock_guard lock(m_status_mutex);
    ++m_generation;
}

std::shared_ptr<const PriceTable> MeterQueries::prices_for(const UsageStore& store) {
    const uint64_t generation = m_usage_generation;
    std::lock_guard lock(m_prices_mutex);
    if (m_prices_generation == generation)
        return m_prices;
    Result<std::vector<ClientCostState>> states = store.cost_states();
    if (!states)
        return m_prices;  // keep what was learned before; the next change tries again
    m_prices = std::make_shared<const PriceTable>(with_learned_prices(m_base_prices, *states));
    m_prices_generation = generation;
    return m_prices;
}

std::shared_ptr<const PriceTable> MeterQueries::prices() {
    Result<std::shared_ptr<const PriceTable>> table =
        with_reader([&](const UsageStore& store) -> Result<std::shared_ptr<const PriceTable>> {
            return prices_for(store);
        });
    if (!table) {
        std::lock_guard lock(m_prices_mutex);
        return m_prices;
    }
    return *table;
}

Result<StatusFigures> MeterQueries::status_figures(const std::string& session_id,
                                                   int64_t today_start_ms, int64_t now_ms,
                                                   int64_t week_start_ms, int64_t month_start_ms) {
    std::lock_guard lock(m_status_mutex);
    StatusCache& cache = m_status_cache;
    if (cache.generation != m_generation) {
        cache = StatusCache();
        cache.generation = m_generation;
    }
    StatusFigures figures;
    if (!session_id.empty()) {
        auto cached = cache.sessions.find(session_id);
        if (cached == cache.sessions.end()) {
            ResponseFilter session;
            session.session_id = session_id;
            CCMETER_TRY_ASSIGN(UsageReport report, with_reader([&](const UsageStore& store) {
                                   return build_report(store, *prices_for(store), session,
                                                       Grouping::none);
                               }));
            cached = cache.sessions.emplace(session_id, report.totals).first;
        }
        figures.session = cached->second;
    }
    if (!cache.today || cache.today_start_ms != today_start_ms) {
        ResponseFilter today;
        today.since_ms = today_start_ms;
        CCMETER_TRY_ASSIGN(UsageReport report, with_reader([&](const UsageStore& store) {
                               return build_report(store, *prices_for(store), today,
                                                   Grouping::none);
                           }));
        cache.today = report.totals;
        cache.today_start_ms = today_start_ms;
    }
    figures.today = *cache.today;
    const auto since =
        [&](int64_t start_ms, int64_t& cached_start,
            std::optional<UsageTotals>& cached) -> Result<std::optional<UsageTotals>> {
        if (start_ms <= 0)
            return std::optional<UsageTotals>();
        if (!cached || cached_start != start_ms) {
            ResponseFilter filter;
            filter.since_ms = start_ms;
            CCMETER_TRY_ASSIGN(UsageReport report, with_reader([&](const UsageStore& store) {
                                   return build_report(store, *prices_for(store), filter,
                                                       Grouping::none);
                               }));
            cached = report.totals;
            cached_start = start_ms;
        }
        return cached;
    };
    CCMETER_TRY_ASSIGN(figures.this_week,
                       since(week_start_ms, cache.week_start_ms, cache.this_week));
    CCMETER_TRY_ASSIGN(figures.this_month,
                       since(month_start_ms, cache.month_start_ms, cache.this_month));
    // The burn rate and time left move with the clock: recompute at least every few seconds.
    if (!cache.block_known || now_ms - cache.block_computed_ms > m_options.block_refresh_ms) {
        // A block active now started at most 5 h ago; a day of history settles where it began.
        ResponseFilter recent;
        recent.since_ms = (now_ms - 24 * k_hour_ms) / k_hour_ms * k_hour_ms;
        CCMETER_TRY_ASSIGN(std::vector<BlockTotals> blocks,
                           with_reader([&](const UsageStore& store) {
                               return usage_by_block(store, *prices_for(store), recent, now_ms);
                           }));
        cache.block.reset();
        if (!blocks.empty() && blocks.back().active)
            cache.block = blocks.back();
        cache.block_known = true;
        cache.block_computed_ms = now_ms;
    }
    figures.block = cache.block;
    // The plan limits, latest and over time, on one read connection.
    CCMETER_TRY(with_reader([&](const UsageStore& store) -> Result<void> {
        CCMETER_TRY_ASSIGN(figures.rate_limits, store.latest_rate_limits());
        CCMETER_TRY_ASSIGN(std::vector<LimitSample> samples,
                           store.rate_limit_history(now_ms - k_limit_long_lookback_ms));
        figures.limits = forecast_limits(samples, now_ms);
        return {};
    }));
    return figures;
}

Result<LimitsFigures> MeterQueries::limits(int64_t now_ms, int64_t day_start_ms,
                                           int64_t week_start_ms, int64_t month_start_ms) {
    return with_reader([&](const UsageStore& store) -> Result<LimitsFigures> {
        LimitsFigures figures;
        CCMETER_TRY_ASSIGN(std::vector<LimitSample> samples,
                           store.rate_limit_history(now_ms - k_limit_long_lookback_ms));
        figures.limits = forecast_limits(samples, now_ms);
        const std::shared_ptr<const PriceTable> prices = prices_for(store);
        const std::pair<int64_t, UsageTotals*> periods[] = {{day_start_ms, &figures.today},
                                                            {week_start_ms, &figures.this_week},
                                                            {month_start_ms, &figures.this_month}};
        for (const auto& [start_ms, totals] : periods) {
            ResponseFilter filter;
            filter.since_ms = start_ms;
            CCMETER_TRY_ASSIGN(UsageReport report,
                               build_report(store, *prices, filter, Grouping::none));
            *totals = report.totals;
        }
        return figures;
    });
}

Result<std::vector<PeriodTotals>> MeterQueries::periods(const std::vector<int64_t>& boundaries,
                                                        const ResponseFilter& filter,
                                                        bool breakdown) {
    return with_reader([&](const UsageStore& store) {
        return usage_by_periods(store, *prices_for(store), boundaries, filter, breakdown);
    });
}

Result<std::vector<GroupTotals>> MeterQueries::groups(Grouping kind, const ResponseFilter& filter,
                                                      bool breakdown) {
    return with_reader([&](const UsageStore& store) {
        return usage_by_group(store, *prices_for(store), kind, filter, breakdown);
    });
}

Result<std::vector<BlockTotals>> MeterQueries::blocks(const ResponseFilter& filter,
                                                      int64_t now_ms) {
    return with_reader([&](const UsageStore& store) {
        return usage_by_block(store, *prices_for(store), filter, now_ms);
    });
}

Result<SessionDetail> MeterQueries::session(const std::string& session_id,
                                            const SessionPage& page) {
    CCMETER_TRY_ASSIGN(SessionDetail detail, with_reader([&](const UsageStore& store) {
                           return session_detail(store, *prices_for(store), session_id, page);
                       }));
    if (detail.turns.empty())
        return Error{"no responses for session " + session_id, ErrorKind::not_found};
    return detail;
}

Result<std::vector<CostParts>> MeterQueries::cost_parts_by_periods(
    const std::vector<int64_t>& boundaries, const ResponseFilter& filter) {
    return with_reader([&](const UsageStore& store) {
        return ccmeter::cost_parts_by_periods(store, *prices_for(store), boundaries, filter);
    });
}

Result<std::map<std::string, CostParts>> MeterQueries::cost_parts_by_group(
    Grouping kind, const ResponseFilter& filter) {
    return with_reader([&](const UsageStore& store) {
        return ccmeter::cost_parts_by_group(store, *prices_for(store), kind, filter);
    });
}

Result<UsageHeatmap> MeterQueries::heatmap(const ResponseFilter& filter) {
    return with_reader(
        [&](const UsageStore& store) { return usage_heatmap(store, *prices_for(store), filter); });
}

Result<std::vector<ToolStats>> MeterQueries::tools(const ResponseFilter& filter) {
    return with_reader([&](const UsageStore& store) {
        // As turn_costs: one answer at a time refreshes and reads the cache.
        std::lock_guard lock(m_tool_calls_mutex);
        return tool_usage(store, filter, &m_tool_calls);
    });
}

Result<std::vector<SessionCheck>> MeterQueries::client_check(std::optional<int64_t> since_ms,
                                                             std::optional<int64_t> until_ms) {
    return with_reader([&](const UsageStore& store) {
        return ccmeter::client_check(store, *prices_for(store), since_ms, until_ms);
    });
}

Result<StoreCounts> MeterQueries::counts() {
    return with_reader([&](const UsageStore& store) -> Result<StoreCounts> {
        StoreCounts counts;
        CCMETER_TRY_ASSIGN(counts.responses, store.response_count());
        CCMETER_TRY_ASSIGN(counts.files, store.file_count());
        CCMETER_TRY_ASSIGN(counts.malformed_lines, store.malformed_lines());
        CCMETER_TRY_ASSIGN(counts.time_range, store.response_time_range());
        CCMETER_TRY_ASSIGN(counts.schema_version, store.schema_version());
        return counts;
    });
}

Result<ActivityReport> MeterQueries::activity(const std::vector<int64_t>& boundaries,
                                              const ResponseFilter& filter) {
    return with_reader(
        [&](const UsageStore& store) { return activity_report(store, boundaries, filter); });
}

Result<TurnCostSpread> MeterQueries::turn_costs(const ResponseFilter& filter, size_t top) {
    return with_reader([&](const UsageStore& store) {
        const std::shared_ptr<const PriceTable> prices = prices_for(store);
        // One answer at a time refreshes and reads the cache: the first after new usage reads
        // the sessions that changed, the others wait for it and find it fresh.
        std::lock_guard lock(m_turn_costs_mutex);
        return turn_cost_spread(store, *prices, filter, top, &m_turn_costs);
    });
}

Result<std::vector<std::pair<UsageTotals, UsageTotals>>> MeterQueries::compare(
    const std::vector<ComparisonSpans>& spans) {
    using Answer = std::vector<std::pair<UsageTotals, UsageTotals>>;
    return with_reader([&](const UsageStore& store) -> Result<Answer> {
        const std::shared_ptr<const PriceTable> prices = prices_for(store);
        // One span's usage; an empty span has none.
        const auto usage_in = [&](int64_t from, int64_t to) -> Result<UsageTotals> {
            if (to <= from)
                return UsageTotals{};
            CCMETER_TRY_ASSIGN(std::vector<PeriodTotals> periods,
                               usage_by_periods(store, *prices, {from, to}, {}, false));
            return periods.empty() ? UsageTotals{} : periods.front().usage;
        };
        Answer answer;
        CCMETER_TRY(store.in_snapshot([&]() -> Result<void> {
            for (const ComparisonSpans& span : spans) {
                CCMETER_TRY_ASSIGN(UsageTotals last,
                                   usage_in(span.last_start_ms, span.last_cut_ms));
                CCMETER_TRY_ASSIGN(UsageTotals current, usage_in(span.this_start_ms, span.now_ms));
                answer.emplace_back(std::move(last), std::move(current));
            }
            return {};
        }));
        return answer;
    });
}

Result<std::vector<PricedResponse>> MeterQueries::latest_responses(const ResponseFilter& filter,
                                                                   size_t limit) {
    return with_reader([&](const UsageStore& store) -> Result<std::vector<PricedResponse>> {
        CCMETER_TRY_ASSIGN(std::vector<UsageRecord> rows, store.latest_responses(filter, limit));
        const std::shared_ptr<const PriceTable> prices = prices_for(store);
        std::vector<PricedResponse> priced;
        priced.reserve(rows.size());
        for (UsageRecord& row : rows)
            priced.push_back(priced_response(*prices, std::move(row)));
        return priced;
    });
}

Result<void> MeterQueries::export_responses(
    const ResponseFilter& filter, size_t page_rows,
    const std::function<bool(const std::vector<PricedResponse>&)>& page) {
    Result<std::unique_ptr<UsageStore>> store = UsageStore::open_read_only(m_options.database);
    if (!store)
        return Error{store.error().message, ErrorKind::unavailable};
    // One price table for the whole export, as one snapshot of the rows.
    const std::shared_ptr<const PriceTable> prices = prices_for(**store);
    std::vector<PricedResponse> priced;
    Result<void> done = (*store)->for_each_response_page(
        filter, page_rows, [&](const std::vector<UsageRecord>& rows) {
            priced.clear();
            for (const UsageRecord& row : rows)
                priced.push_back(priced_response(*prices, row));
            return page(priced);
        });
    if (m_options.after_query)
        m_options.after_query();
    return done;
}

Result<std::vector<MeterQueries::StoredResponse>> MeterQueries::responses_after(int64_t after_id,
                                                                                size_t limit) {
    return with_reader([&](const UsageStore& store) -> Result<std::vector<StoredResponse>> {
        const std::shared_ptr<const PriceTable> prices = prices_for(store);
        std::vector<StoredResponse> rows;
        CCMETER_TRY(
            store.for_each_response_after(after_id, limit, [&](int64_t id, const UsageRecord& row) {
                rows.push_back(StoredResponse{id, priced_response(*prices, row)});
            }));
        return rows;
    });
}

Result<int64_t> MeterQueries::last_response_id() {
    return with_reader(
        [](const UsageStore& store) -> Result<int64_t> { return store.last_response_id(); });
}

Result<int64_t> MeterQueries::responses_after_count(int64_t after_id) {
    return with_reader([after_id](const UsageStore& store) -> Result<int64_t> {
        return store.responses_after_count(after_id);
    });
}

}  // namespace ccmeter
