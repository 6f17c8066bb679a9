// The web view's JSON API: answers an ApiRequest from MeterQueries, the same facade the gRPC
// service answers from (so both give the same figures), rendered by common/stats_format.
//
// Contract:
// - Every answer whose name matches a `hookctl stats ... --json` report is that report's JSON,
//   built by the same functions (common/stats_format.hpp), so the numbers and keys are the
//   same; the web view only appends keys (listed in README.md, "Web view"):
//     /api/summary   `hookctl stats --json`            + "cost_parts", "*_start_ms", "now_ms"
//     /api/daily     `hookctl stats daily --breakdown --json` over the asked days
//     /api/sessions  `hookctl stats sessions --json`
//     /api/session/ID `hookctl stats session ID --json`
//     /api/projects  `hookctl stats projects --json`   + "cache_hit_rate", "cache_savings_usd"
//     /api/models    `hookctl stats models --json`     + the same, and "prices"
//     /api/limits    `hookctl stats limits --json` (the budgets file read on each call)
//     /api/blocks    `hookctl stats blocks --json` (over the asked hours) + "now_ms"
//     /api/active    the sessions JSON of sessions with a response in the window, each with
//                    its whole-session totals
//     /api/check     `hookctl stats check --json` over the asked days
//     /api/team?view=V `hookctl stats --team V --json` (read from the team store each call;
//                    503 with the reason when none is configured or it is unreachable)
//     /api/tools     `hookctl stats tools --json` (over the asked days; default all)
// - answer() is a pure function of the request and the stored history: no clock is read.
// - Errors become JSON {"error": message} with 400 (bad request), 404 (no such session),
//   503 (database unavailable) or 500.
// Threads: any; MeterQueries and the IngestLoop's status getters are thread-safe.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "ccmeter/v1/ccmeter.pb.h"
#include "query/meter_queries.hpp"
#include "server/ingest_loop.hpp"
#include "team/team_queries.hpp"
#include "web/api_request.hpp"
#include "web/web_reply.hpp"

namespace ccmeter {

class WebApi {
  public:
    // `queries` and `loop` outlive the WebApi.
    WebApi(MeterQueries& queries, const IngestLoop& loop);

    WebReply answer(const ApiRequest& request);
    // The team store's views (/api/team); unset: /api/team answers 503, none configured.
    void set_team(std::shared_ptr<const TeamQueries> team) { m_team = std::move(team); }

  private:
    WebReply meta(const ApiRequest& request);
    WebReply summary(const ApiRequest& request);
    WebReply daily(const ApiRequest& request);
    WebReply sessions(const ApiRequest& request);
    WebReply session(const ApiRequest& request);
    WebReply projects(const ApiRequest& request);
    WebReply models(const ApiRequest& request);
    WebReply blocks(const ApiRequest& request);
    WebReply active(const ApiRequest& request);
    WebReply heatmap(const ApiRequest& request);
    WebReply check(const ApiRequest& request);
    WebReply limits(const ApiRequest& request);
    WebReply responses(const ApiRequest& request);
    WebReply insights(const ApiRequest& request);
    WebReply compare(const ApiRequest& request);
    WebReply activity(const ApiRequest& request);
    WebReply branches(const ApiRequest& request);
    // The local day boundaries of the last `days` days (0: since the first response), up to
    // tomorrow; empty without a response.
    Result<std::vector<int64_t>> last_days(const ApiRequest& request);
    WebReply team(const ApiRequest& request);
    WebReply tools(const ApiRequest& request);

    Result<v1::GroupsReply> groups(Grouping kind, const ResponseFilter& filter);

    MeterQueries& m_queries;
    const IngestLoop& m_loop;
    std::shared_ptr<const TeamQueries> m_team;
};

}  // namespace ccmeter
