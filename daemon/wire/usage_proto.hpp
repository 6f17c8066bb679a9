// Core answers as the wire's ccmeter.v1 messages: the one conversion MeterService and the web
// API share, so that both report the same figures (and the web API can render them with the
// same common/stats_format code as `hookctl stats`).
//
// Money is rounded from pico- to micro-dollars here and nowhere else.
#pragma once

#include <optional>
#include <vector>

#include "ccmeter/v1/ccmeter.pb.h"
#include "core/client_check.hpp"
#include "core/limit_forecast.hpp"
#include "core/session_detail.hpp"
#include "core/usage_queries.hpp"
#include "core/usage_report.hpp"

namespace ccmeter {

// Overwrites `usage` with `totals`.
void fill_usage(const UsageTotals& totals, v1::Usage& usage);
void fill_activity(const Activity& activity, v1::Activity& out);
v1::ActivityReply activity_proto(const ActivityReport& report);
v1::Usage usage_proto(const UsageTotals& totals);

void fill_block(const BlockTotals& block, v1::Block& out);
v1::PeriodsReply periods_proto(const std::vector<PeriodTotals>& periods);
v1::GroupsReply groups_proto(const std::vector<GroupTotals>& groups);
v1::BlocksReply blocks_proto(const std::vector<BlockTotals>& blocks);
v1::SessionReply session_proto(const SessionDetail& detail);
// Every rule of `prices`, with where it comes from.
v1::PricingReply pricing_proto(const PriceTable& prices);
v1::CheckReply check_proto(const std::vector<SessionCheck>& sessions);
// Overwrites `out` with one priced response of an export.
void fill_exported_response(const PricedResponse& priced, v1::ExportedResponse& out);

// The wire's grouping as the core's; nullopt when unset or unknown.
std::optional<Grouping> grouping_of(v1::GroupBy group_by);

// A plan limit's forecast (limit_forecast.hpp) as the proto carries it.
void fill_limit_forecast(const LimitForecast& forecast, v1::LimitForecast& out);
// The Limits reply: the gRPC answer and, as JSON, the web view's /api/limits.
v1::LimitsReply limits_proto(const LimitsFigures& figures, int64_t now_ms);

}  // namespace ccmeter
