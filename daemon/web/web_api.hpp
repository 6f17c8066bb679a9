// The web view's JSON API: answers an ApiRequest from the in-process MeterService (the same
// computations the gRPC clients get) and, for what the service does not offer (cost per token
// kind, cache savings, the heatmap), from core queries on a read connection of its own.
//
// Contract:
// - Every answer whose name matches a `hookctl stats ... --json` report is that report's JSON,
//   built by the same functions (hookctl/stats_format.hpp), so the numbers and keys are the
//   same; the web view only appends keys (listed in README.md, "Web view"):
//     /api/summary   `hookctl stats --json`            + "cost_parts", "*_start_ms", "now_ms"
//     /api/daily     `hookctl stats daily --breakdown --json` over the asked days
//     /api/sessions  `hookctl stats sessions --json`
//     /api/session/ID `hookctl stats session ID --json`
//     /api/projects  `hookctl stats projects --json`   + "cache_hit_rate", "cache_savings_usd"
//     /api/models    `hookctl stats models --json`     + the same, and "prices"
//     /api/blocks    `hookctl stats blocks --json` (over the asked hours) + "now_ms"
//     /api/active    the sessions JSON of sessions with a response in the window, each with
//                    its whole-session totals
// - answer() is a pure function of the request and the stored history: no clock is read.
// - Errors become JSON {"error": message} with 400 (bad request), 404 (no such session),
//   503 (database unavailable) or 500.
// Threads: one thread at a time (its read connection is not shared); the MeterService it calls
// is thread-safe.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "core/price_table.hpp"
#include "core/usage_store.hpp"
#include "server/meter_service.hpp"
#include "web/api_request.hpp"
#include "web/web_reply.hpp"

namespace ccmeter {

class WebApi {
  public:
    WebApi(MeterService& service, PriceTable prices, std::filesystem::path database);

    WebReply answer(const ApiRequest& request);

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

    // The read connection, opened on first use; an Error when the database cannot be opened.
    Result<UsageStore*> reader();

    MeterService& m_service;
    PriceTable m_prices;
    std::filesystem::path m_database;
    std::unique_ptr<UsageStore> m_reader;
};

}  // namespace ccmeter
