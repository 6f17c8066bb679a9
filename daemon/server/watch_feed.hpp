// Turns each committed ingest into WatchHub events: every response stored since the previous
// call (by row id), priced, with its session's new total, then one totals_changed tick.
//
// Contract: publish_new() is called after a commit only (IngestLoop::on_new_usage), so nothing
// a subscriber sees can be rolled back. While nobody subscribes it only moves its mark to the
// newest row (one indexed max(id)). At most the hub's queue size less two responses are read
// per call (so that they, the marker and the tick fit a drained queue); a bigger batch (a
// backfill) publishes that many and one `dropped` event for the rest.
// Threads: publish_new() from one thread at a time (the ingest loop's).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "query/meter_queries.hpp"
#include "server/watch_hub.hpp"

namespace ccmeter {

class WatchFeed {
  public:
    // Starts after the newest response stored now. `queries` and `hub` outlive the feed.
    WatchFeed(MeterQueries& queries, WatchHub& hub,
              std::function<void(const std::string&)> log = {});

    void publish_new();

  private:
    MeterQueries& m_queries;
    WatchHub& m_hub;
    std::function<void(const std::string&)> m_log;
    int64_t m_last_id = 0;
};

}  // namespace ccmeter
