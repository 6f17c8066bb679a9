#include <catch2/catch.hpp>
#include <cstdint>
#include <ctime>
#include <vector>

#include "common/local_periods.hpp"
#include "scoped_time_zone.hpp"

using namespace ccmeter;

namespace {

constexpr int64_t k_hour_ms = 3'600'000;

// Epoch milliseconds of local times, checked with `date -d 2026-03-29T00:00:00+01:00 +%s`.
constexpr int64_t k_berlin_mar_01 = 1'772'319'600'000;  // 2026-03-01 00:00 CET
constexpr int64_t k_berlin_mar_15_0800 = 1'773'558'000'000;
constexpr int64_t k_berlin_mar_23 = 1'774'220'400'000;  // Monday
constexpr int64_t k_berlin_mar_28 = 1'774'652'400'000;  // 00:00 CET
constexpr int64_t k_berlin_mar_28_1000 = 1'774'688'400'000;
constexpr int64_t k_berlin_mar_29 = 1'774'738'800'000;       // 00:00 CET, DST starts at 02:00
constexpr int64_t k_berlin_mar_29_1200 = 1'774'778'400'000;  // 12:00 CEST
constexpr int64_t k_berlin_mar_30 = 1'774'821'600'000;       // 00:00 CEST
constexpr int64_t k_berlin_mar_30_0100 = 1'774'825'200'000;
constexpr int64_t k_berlin_mar_31 = 1'774'908'000'000;
constexpr int64_t k_berlin_apr_01 = 1'774'994'400'000;
constexpr int64_t k_berlin_apr_02_0800 = 1'775'109'600'000;
constexpr int64_t k_berlin_may_01 = 1'777'586'400'000;
constexpr int64_t k_berlin_sep_28 = 1'790'546'400'000;  // Monday
constexpr int64_t k_berlin_oct_01_1200 = 1'790'848'800'000;
constexpr int64_t k_berlin_oct_19 = 1'792'360'800'000;       // Monday
constexpr int64_t k_berlin_oct_25 = 1'792'879'200'000;       // 00:00 CEST, DST ends at 03:00
constexpr int64_t k_berlin_oct_25_1200 = 1'792'926'000'000;  // 12:00 CET
constexpr int64_t k_berlin_oct_26 = 1'792'969'200'000;       // 00:00 CET
constexpr int64_t k_berlin_dec_28 = 1'798'412'400'000;       // Monday
constexpr int64_t k_berlin_2027_jan_01_0900 = 1'798'790'400'000;

constexpr int64_t k_kolkata_nov_01 = 1'793'471'400'000;  // 2026-11-01 00:00 IST (+5:30)
constexpr int64_t k_kolkata_nov_16 = 1'794'767'400'000;  // Monday
constexpr int64_t k_kolkata_nov_22 = 1'795'285'800'000;  // Sunday
constexpr int64_t k_kolkata_nov_22_140322 = 1'795'336'402'000;

bool is_local_midnight(int64_t ms) {
    const time_t seconds = static_cast<time_t>(ms / 1000);
    std::tm parts{};
    localtime_r(&seconds, &parts);
    return ms % 1000 == 0 && parts.tm_hour == 0 && parts.tm_min == 0 && parts.tm_sec == 0;
}

}  // namespace

TEST_CASE("local_periods: Europe/Berlin: the spring-forward day is 23 hours long",
          "[local_periods]") {
    ScopedTimeZone zone("Europe/Berlin");
    CHECK(local_day_start(k_berlin_mar_29_1200) == k_berlin_mar_29);
    CHECK(local_next_period_start(PeriodKind::day, k_berlin_mar_29_1200) == k_berlin_mar_30);
    CHECK(k_berlin_mar_30 - k_berlin_mar_29 == 23 * k_hour_ms);
    CHECK(day_label(k_berlin_mar_29) == "2026-03-29");
    CHECK(day_label(k_berlin_mar_30) == "2026-03-30");

    const std::vector<int64_t> expected{k_berlin_mar_28, k_berlin_mar_29, k_berlin_mar_30,
                                        k_berlin_mar_31};
    CHECK(day_boundaries(k_berlin_mar_28_1000, k_berlin_mar_30_0100) == expected);
}

TEST_CASE("local_periods: Europe/Berlin: the fall-back day is 25 hours long", "[local_periods]") {
    ScopedTimeZone zone("Europe/Berlin");
    CHECK(local_day_start(k_berlin_oct_25_1200) == k_berlin_oct_25);
    CHECK(local_next_period_start(PeriodKind::day, k_berlin_oct_25) == k_berlin_oct_26);
    CHECK(k_berlin_oct_26 - k_berlin_oct_25 == 25 * k_hour_ms);
    const std::vector<int64_t> boundaries = day_boundaries(k_berlin_oct_25, k_berlin_oct_25_1200);
    CHECK(boundaries == std::vector<int64_t>{k_berlin_oct_25, k_berlin_oct_26});
}

TEST_CASE("local_periods: a period boundary belongs to the period it starts", "[local_periods]") {
    ScopedTimeZone zone("Europe/Berlin");
    CHECK(local_day_start(k_berlin_mar_29) == k_berlin_mar_29);
    CHECK(local_day_start(k_berlin_mar_29 - 1) == k_berlin_mar_28);
    CHECK(day_boundaries(k_berlin_mar_29, k_berlin_mar_29) ==
          std::vector<int64_t>{k_berlin_mar_29, k_berlin_mar_30});
    CHECK(day_boundaries(k_berlin_mar_29, k_berlin_mar_30 - 1) ==
          std::vector<int64_t>{k_berlin_mar_29, k_berlin_mar_30});
    CHECK(day_boundaries(k_berlin_mar_30, k_berlin_mar_29).empty());
}

TEST_CASE("local_periods: weeks start on Monday and carry ISO week labels", "[local_periods]") {
    ScopedTimeZone zone("Europe/Berlin");
    // Sunday 2026-03-29 is in the week of Monday 2026-03-23; that week is 7 days less an hour.
    CHECK(local_week_start(k_berlin_mar_29_1200) == k_berlin_mar_23);
    CHECK(local_next_period_start(PeriodKind::week, k_berlin_mar_29_1200) == k_berlin_mar_30);
    CHECK(week_label(k_berlin_mar_23) == "2026-W13");
    CHECK(week_boundaries(k_berlin_mar_28_1000, k_berlin_mar_30_0100) ==
          std::vector<int64_t>{k_berlin_mar_23, k_berlin_mar_30,
                               k_berlin_mar_30 + 7 * 24 * k_hour_ms});
    CHECK(local_week_start(k_berlin_oct_25_1200) == k_berlin_oct_19);
    CHECK(local_next_period_start(PeriodKind::week, k_berlin_oct_19) == k_berlin_oct_26);
    CHECK(k_berlin_oct_26 - k_berlin_oct_19 == 7 * 24 * k_hour_ms + k_hour_ms);
    // New Year's Day 2027 (a Friday) is in ISO week 53 of 2026.
    CHECK(local_week_start(k_berlin_2027_jan_01_0900) == k_berlin_dec_28);
    CHECK(week_label(k_berlin_dec_28) == "2026-W53");
}

TEST_CASE("local_periods: months start on the 1st at local midnight", "[local_periods]") {
    ScopedTimeZone zone("Europe/Berlin");
    CHECK(local_month_start(k_berlin_mar_29_1200) == k_berlin_mar_01);
    CHECK(month_label(k_berlin_mar_01) == "2026-03");
    CHECK(month_boundaries(k_berlin_mar_15_0800, k_berlin_apr_02_0800) ==
          std::vector<int64_t>{k_berlin_mar_01, k_berlin_apr_01, k_berlin_may_01});
    CHECK(period_label(PeriodKind::month, k_berlin_apr_01) == "2026-04");
}

TEST_CASE("local_periods: every boundary over a year is a local midnight", "[local_periods]") {
    ScopedTimeZone zone("Europe/Berlin");
    const std::vector<int64_t> days = day_boundaries(k_berlin_mar_01, k_berlin_2027_jan_01_0900);
    REQUIRE(days.size() == 308);  // 2026-03-01 .. 2027-01-02
    for (size_t i = 0; i < days.size(); ++i) {
        INFO(days[i]);
        CHECK(is_local_midnight(days[i]));
        if (i > 0)
            CHECK(days[i] > days[i - 1]);
    }
    CHECK(day_label(days.back()) == "2027-01-02");
    for (int64_t month : month_boundaries(k_berlin_mar_01, k_berlin_2027_jan_01_0900))
        CHECK(is_local_midnight(month));
}

TEST_CASE("local_periods: Asia/Kolkata: midnights at +5:30", "[local_periods]") {
    ScopedTimeZone zone("Asia/Kolkata");
    CHECK(local_day_start(k_kolkata_nov_22_140322) == k_kolkata_nov_22);
    CHECK(local_week_start(k_kolkata_nov_22_140322) == k_kolkata_nov_16);
    CHECK(local_month_start(k_kolkata_nov_22_140322) == k_kolkata_nov_01);
    CHECK(k_kolkata_nov_22 % 86'400'000 == 18 * k_hour_ms + 30 * 60'000);  // 18:30 UTC
    CHECK(day_label(k_kolkata_nov_22) == "2026-11-22");
    CHECK(week_label(k_kolkata_nov_16) == "2026-W47");
    CHECK(month_label(k_kolkata_nov_01) == "2026-11");
    CHECK(local_date_time(k_kolkata_nov_22_140322) == "2026-11-22 14:03");
    CHECK(local_time_of_day(k_kolkata_nov_22_140322) == "14:03:22");
    CHECK(day_boundaries(k_kolkata_nov_22_140322, k_kolkata_nov_22_140322) ==
          std::vector<int64_t>{k_kolkata_nov_22, k_kolkata_nov_22 + 24 * k_hour_ms});
}

TEST_CASE("local_periods: the same instant is a different day in another zone", "[local_periods]") {
    {
        ScopedTimeZone zone("Asia/Kolkata");
        CHECK(day_label(local_day_start(k_berlin_mar_29)) == "2026-03-29");  // 04:30 IST
    }
    {
        ScopedTimeZone zone("Europe/Berlin");
        CHECK(day_label(local_day_start(k_berlin_mar_29 - 1)) == "2026-03-28");
    }
}

TEST_CASE("local_periods: where midnight does not exist the day starts at 01:00",
          "[local_periods]") {
    // Brazil's last DST began at 2018-11-04 00:00 -> 01:00.
    ScopedTimeZone zone("America/Sao_Paulo");
    constexpr int64_t k_nov_04_0100 = 1'541'300'400'000;
    constexpr int64_t k_nov_04_1200 = 1'541'340'000'000;
    constexpr int64_t k_nov_05 = 1'541'383'200'000;
    CHECK(local_day_start(k_nov_04_1200) == k_nov_04_0100);
    CHECK(parse_local_date("2018-11-04") == k_nov_04_0100);
    CHECK(local_next_period_start(PeriodKind::day, k_nov_04_1200) == k_nov_05);
    CHECK(local_day_start(k_nov_04_0100 - 1) == 1'541'214'000'000);  // 11-03 00:00 -03
}

TEST_CASE("local_periods: --since/--until dates are local midnights", "[local_periods]") {
    ScopedTimeZone zone("Europe/Berlin");
    CHECK(parse_local_date("2026-03-29") == k_berlin_mar_29);
    CHECK(parse_local_date("20260329") == k_berlin_mar_29);
    CHECK(parse_local_date("2026-10-26") == k_berlin_oct_26);
    CHECK_FALSE(parse_local_date("2026-02-30"));
    CHECK_FALSE(parse_local_date("2026-13-01"));
    CHECK_FALSE(parse_local_date("2026-00-10"));
    CHECK_FALSE(parse_local_date("2026-3-29"));
    CHECK_FALSE(parse_local_date("2026/03/29"));
    CHECK_FALSE(parse_local_date("2026032"));
    CHECK_FALSE(parse_local_date("2026-03-2x"));
    CHECK_FALSE(parse_local_date(""));
    CHECK_FALSE(parse_local_date("today"));
}

TEST_CASE("local_periods: summary boundaries: all time, this month, this week, today",
          "[local_periods]") {
    {
        ScopedTimeZone zone("Asia/Kolkata");
        CHECK(summary_boundaries(k_kolkata_nov_22_140322) ==
              std::vector<int64_t>{0, k_kolkata_nov_01, k_kolkata_nov_16, k_kolkata_nov_22,
                                   k_far_future_ms});
    }
    {
        // Thursday 2026-10-01: the week began in September; the month began today.
        ScopedTimeZone zone("Europe/Berlin");
        const int64_t oct_01 = local_day_start(k_berlin_oct_01_1200);
        CHECK(summary_boundaries(k_berlin_oct_01_1200) ==
              std::vector<int64_t>{0, k_berlin_sep_28, oct_01, k_far_future_ms});
    }
    CHECK(k_far_future_ms % 900'000 == 0);
}

TEST_CASE("local_periods: boundaries equal the walk one period at a time, in odd zones",
          "[local_periods]") {
    // period_boundaries steps whole days where the UTC offset stays put and asks mktime
    // (local_next_period_start) elsewhere; both must give the same instants. Zones with
    // transitions at midnight (Sao_Paulo, Havana, Beirut, Santiago), a skipped day (Apia,
    // 2011-12-30), half-hour DST (Lord_Howe), DST suspended for a month (Casablanca), odd
    // offsets (Kathmandu, St_Johns), and UTC.
    constexpr int64_t k_2009_jan_01 = 1'230'768'000'000;
    constexpr int64_t k_2020_jan_01 = 1'577'836'800'000;
    for (const char* name :
         {"UTC", "Europe/Berlin", "America/Sao_Paulo", "America/Havana", "Asia/Beirut",
          "America/Santiago", "Pacific/Apia", "Australia/Lord_Howe", "Africa/Casablanca",
          "Asia/Kathmandu", "America/St_Johns"}) {
        ScopedTimeZone zone(name);
        for (PeriodKind kind : {PeriodKind::day, PeriodKind::week, PeriodKind::month}) {
            INFO(name << " kind " << static_cast<int>(kind));
            std::vector<int64_t> walked{local_period_start(kind, k_2009_jan_01)};
            while (walked.back() <= k_2020_jan_01)
                walked.push_back(local_next_period_start(kind, walked.back()));
            CHECK(period_boundaries(kind, k_2009_jan_01, k_2020_jan_01) == walked);
        }
    }
}
