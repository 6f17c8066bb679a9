// Numbers as people read them in hookctl's output: token counts, money, durations, percentages.
// Money arrives as integer micro-dollars (the wire unit) and is rounded only here, for display;
// sums are never taken in floating point.
#pragma once

#include <cstdint>
#include <string>

namespace ccmeter {

// 1234567 -> "1,234,567"; -1234 -> "-1,234".
std::string format_count(int64_t count);

// Micro-dollars to dollars and cents, rounded half up to the cent, thousands grouped:
//   0 -> "$0.00"; 1'230'000 -> "$1.23"; 1'234'567'890 -> "$1,234.57"; -1'500'000 -> "-$1.50".
// A non-zero amount that would round to $0.00 (under half a cent) is "<$0.01", so spending is
// never shown as nothing.
std::string format_usd(int64_t micro_usd);

// Dollars (a double, as Claude Code reports them) to micro-dollars, rounded to the nearest;
// 0 for NaN, infinities and amounts beyond +-$1e12.
int64_t micro_usd_of_dollars(double dollars);

// Pico-dollars as an exact decimal number of dollars with 12 fraction digits:
//   1'234'567 -> "0.000001234567"; -5'000'000'000'000 -> "-5.000000000000". For exports, where
// a sum of such strings must give the exact total.
std::string exact_usd_text(int64_t pico_usd);

// Time left, floored to the minute: "2h13m", "2h05m", "45m", "0m" (also for negative values).
std::string format_time_left(int64_t ms);

// A percentage rounded to the nearest whole number: 43.4 -> "43%", 99.5 -> "100%".
std::string format_percentage(double percentage);

}  // namespace ccmeter
