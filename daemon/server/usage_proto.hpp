// Core totals as the wire's ccmeter.v1.Usage: the one conversion MeterService and the web API
// share, so that both report the same figures.
#pragma once

#include "ccmeter/v1/ccmeter.pb.h"
#include "core/usage_report.hpp"

namespace ccmeter {

// Overwrites `usage` with `totals`; money rounded from pico- to micro-dollars.
void fill_usage(const UsageTotals& totals, v1::Usage& usage);

}  // namespace ccmeter
