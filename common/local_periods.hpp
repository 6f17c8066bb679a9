// Calendar periods (days, ISO weeks, months) in the process's local time zone.
//
// Units: every instant is milliseconds since the Unix epoch (UTC). Every boundary returned here
// is a local midnight: the first instant of a local calendar day, found with mktime and
// tm_isdst = -1, so days are 23 or 25 hours long across DST changes and zones with odd offsets
// (Asia/Kolkata, +5:30) work. Weeks start on Monday (ISO 8601).
//
// Time zone: whatever localtime_r/mktime use, i.e. the TZ environment variable. For --tz the
// caller does setenv("TZ", zone, 1) and tzset() once, before calling anything here. These
// functions read that process-wide state, so call them from one thread (hookctl has one).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ccmeter {

enum class PeriodKind { day, week, month };

// The local midnight that starts the day / ISO week (Monday) / month holding `at_ms`.
int64_t local_day_start(int64_t at_ms);
int64_t local_week_start(int64_t at_ms);
int64_t local_month_start(int64_t at_ms);
int64_t local_period_start(PeriodKind kind, int64_t at_ms);

// The start of the period after the one holding `at_ms` (always > at_ms).
int64_t local_next_period_start(PeriodKind kind, int64_t at_ms);

// Ascending boundaries b[0] < b[1] < ... < b[n] of the periods covering [first_ms, last_ms]
// (both inclusive): b[0] is the start of the period holding first_ms, b[n] the start of the
// period after the one holding last_ms, so period i is [b[i], b[i+1]) - the shape of
// PeriodsRequest.boundaries_ms. Empty when first_ms > last_ms. An exclusive --until bound U is
// covered by passing last_ms = U - 1.
std::vector<int64_t> day_boundaries(int64_t first_ms, int64_t last_ms);
std::vector<int64_t> week_boundaries(int64_t first_ms, int64_t last_ms);
std::vector<int64_t> month_boundaries(int64_t first_ms, int64_t last_ms);
std::vector<int64_t> period_boundaries(PeriodKind kind, int64_t first_ms, int64_t last_ms);

// The label of the period holding `start_ms`, from its local date: "2026-11-22" (day),
// "2026-W47" (ISO 8601 week-numbering year and week, so 2027-01-01 is in "2026-W53"),
// "2026-11" (month).
std::string day_label(int64_t start_ms);
std::string week_label(int64_t start_ms);
std::string month_label(int64_t start_ms);
std::string period_label(PeriodKind kind, int64_t start_ms);

// Local wall-clock text of an instant, for tables: "2026-11-22 14:03" and "14:03:22".
std::string local_date_time(int64_t at_ms);
std::string local_time_of_day(int64_t at_ms);

// A --since/--until value, "YYYY-MM-DD" or "YYYYMMDD", as the local midnight that starts that
// day. nullopt for anything else, including impossible dates ("2026-02-30").
std::optional<int64_t> parse_local_date(std::string_view text);

// An instant far in the future (2100-01-01T00:00:00Z) that is a whole quarter hour, to close
// an open-ended period without making the daemon's buckets finer.
inline constexpr int64_t k_far_future_ms = 4'102'444'800'000;

// Boundaries for `hookctl stats` (summary) in one PeriodsRequest: 0, then this month's and this
// week's starts (in ascending order, duplicates dropped), today's start and k_far_future_ms.
// The usage of today / this week / this month is then the sum of the periods starting at or
// after the respective start (see summary_from_periods in stats_format.hpp).
std::vector<int64_t> summary_boundaries(int64_t now_ms);

}  // namespace ccmeter
