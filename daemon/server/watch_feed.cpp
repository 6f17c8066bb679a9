#include "server/watch_feed.hpp"

#include <unordered_map>

#include "common/clock.hpp"

namespace ccmeter {

WatchFeed::WatchFeed(MeterQueries& queries, WatchHub& hub,
                     std::function<void(const std::string&)> log)
    : m_queries(queries), m_hub(hub), m_log(std::move(log)) {
    if (Result<int64_t> last = m_queries.last_response_id())
        m_last_id = *last;
}

void WatchFeed::publish_new() {
    if (!m_hub.has_subscribers()) {
        if (Result<int64_t> last = m_queries.last_response_id())
            m_last_id = *last;
        return;
    }
    // Room in an empty queue for the rows, a `dropped` marker and the tick.
    const size_t queue = m_hub.options().queue_events;
    const size_t limit = queue > 2 ? queue - 2 : 1;
    Result<std::vector<MeterQueries::StoredResponse>> rows =
        m_queries.responses_after(m_last_id, limit);
    if (!rows) {
        if (m_log)
            m_log("watch: cannot read the new responses: " + rows.error().message);
        return;
    }
    const int64_t now = now_ms();
    std::vector<WatchEvent> events;
    if (rows->size() == limit) {
        // A backfill: the newest rows are not read one by one, only counted.
        const int64_t after = rows->back().id;
        Result<int64_t> rest = m_queries.responses_after_count(after);
        Result<int64_t> last = m_queries.last_response_id();
        if (rest && last && *rest > 0) {
            WatchEvent dropped;
            dropped.kind = WatchEvent::Kind::dropped;
            dropped.time_ms = now;
            dropped.dropped = *rest;
            events.push_back(std::move(dropped));
            m_last_id = *last;
        }
    }
    // Each session's total once per call, after every row of it in this batch.
    std::unordered_map<std::string, UsageTotals> session_totals;
    for (const MeterQueries::StoredResponse& row : *rows) {
        const std::string& session = row.priced.response.session_id;
        if (session_totals.count(session))
            continue;
        ResponseFilter filter;
        filter.session_id = session;
        Result<std::vector<GroupTotals>> groups =
            m_queries.groups(Grouping::session, filter, false);
        session_totals[session] =
            groups && !groups->empty() ? groups->front().usage : UsageTotals{};
    }
    std::vector<WatchEvent> responses;
    responses.reserve(rows->size());
    for (MeterQueries::StoredResponse& row : *rows) {
        WatchEvent event;
        event.kind = WatchEvent::Kind::response;
        event.time_ms = now;
        event.session_total = session_totals[row.priced.response.session_id];
        event.response = std::move(row.priced);
        responses.push_back(std::move(event));
        m_last_id = std::max(m_last_id, row.id);
    }
    // The responses first, in the order they were stored, then the marker and the tick.
    std::vector<WatchEvent> all = std::move(responses);
    for (WatchEvent& event : events)
        all.push_back(std::move(event));
    WatchEvent tick;
    tick.kind = WatchEvent::Kind::totals_changed;
    tick.time_ms = now;
    all.push_back(std::move(tick));
    m_hub.publish(all);
}

}  // namespace ccmeter
