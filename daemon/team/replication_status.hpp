// What the team replicator (team_replicator.hpp) reports, for Health and /metrics. A plain
// value: no PostgreSQL type, so the web layer and the gRPC service need no libpq.
#pragma once

#include <cstdint>
#include <string>

namespace ccmeter {

struct ReplicationStatus {
    bool configured = false;  // a team store is configured (team_config.hpp)
    bool caught_up = false;   // the store held every response of the feed at the last look
    // Milliseconds since the store last held everything the local history held (0 while it
    // does); since the daemon started when it has not caught up yet since then.
    int64_t lag_ms = 0;
    int64_t pending = 0;          // responses of the feed not in the store yet (last counted)
    int64_t replicated = 0;       // responses sent (and committed) since the daemon started
    int64_t last_success_ms = 0;  // the last committed batch or empty look (0: none yet)
    int64_t failures = 0;         // failed attempts since the daemon started
    std::string last_error;       // of the latest attempt; "" when it succeeded
    std::string machine;          // this machine's name in the store
};

}  // namespace ccmeter
