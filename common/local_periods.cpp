#include "common/local_periods.hpp"

#include <algorithm>
#include <array>
#include <ctime>

namespace ccmeter {

namespace {

struct LocalDate {
    int year = 1970;
    int month = 1;  // 1..12
    int day = 1;    // 1..31
};

time_t seconds_of(int64_t ms) {
    return static_cast<time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
}

std::tm local_parts(int64_t ms) {
    const time_t seconds = seconds_of(ms);
    std::tm parts{};
    localtime_r(&seconds, &parts);
    return parts;
}

LocalDate date_of(const std::tm& parts) {
    return LocalDate{parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday};
}

// The calendar date `day` may be out of range (0, 32, -3): normalized by mktime at local noon,
// an hour that exists on every day in every zone.
LocalDate normalized(int year, int month, int day) {
    std::tm parts{};
    parts.tm_year = year - 1900;
    parts.tm_mon = month - 1;
    parts.tm_mday = day;
    parts.tm_hour = 12;
    parts.tm_isdst = -1;
    std::mktime(&parts);
    return date_of(parts);
}

// The first instant of a local date. Where midnight happens twice (a fall-back transition at
// 01:00 -> 00:00) it is the earlier one; where it does not exist (a spring-forward transition
// at 00:00) it is the first instant that does, e.g. 01:00.
int64_t first_instant_of(const LocalDate& date) {
    int64_t earliest = 0;
    bool found = false;
    int64_t fallback = 0;
    for (int isdst : std::array<int, 3>{-1, 0, 1}) {
        std::tm parts{};
        parts.tm_year = date.year - 1900;
        parts.tm_mon = date.month - 1;
        parts.tm_mday = date.day;
        parts.tm_isdst = isdst;
        const time_t seconds = std::mktime(&parts);
        const int64_t ms = static_cast<int64_t>(seconds) * 1000;
        if (isdst == -1)
            fallback = ms;
        const std::tm back = local_parts(ms);
        const LocalDate back_date = date_of(back);
        const bool is_midnight = back.tm_hour == 0 && back.tm_min == 0 && back.tm_sec == 0 &&
                                 back_date.year == date.year && back_date.month == date.month &&
                                 back_date.day == date.day;
        if (is_midnight && (!found || ms < earliest)) {
            earliest = ms;
            found = true;
        }
    }
    return found ? earliest : fallback;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t days_from_civil(LocalDate date) {
    const int64_t y = date.year - (date.month <= 2 ? 1 : 0);
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t year_of_era = y - era * 400;
    const int64_t day_of_year =
        (153 * (date.month + (date.month > 2 ? -3 : 9)) + 2) / 5 + date.day - 1;
    const int64_t day_of_era =
        year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * 146097 + day_of_era - 719468;
}

// The calendar date `days` days after 1970-01-01 (H. Hinnant's civil_from_days).
LocalDate civil_from_days(int64_t days) {
    days += 719468;
    const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    const int64_t day_of_era = days - era * 146097;
    const int64_t year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    const int64_t day_of_year =
        day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    const int64_t mp = (5 * day_of_year + 2) / 153;
    const int day = static_cast<int>(day_of_year - (153 * mp + 2) / 5 + 1);
    const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
    return LocalDate{static_cast<int>(year_of_era + era * 400 + (month <= 2 ? 1 : 0)), month, day};
}

constexpr int64_t k_day_ms = 86'400'000;

// local_next_period_start(kind, start_ms) without mktime, for `start_ms` that is a period's
// first instant (local_period_start's): when the zone's UTC offset is the same at start_ms and
// at every whole day after it up to the next period's local midnight, that midnight is start_ms
// plus whole days, and no earlier instant shows it (that would take two opposite transitions
// within one day). Otherwise nullopt, and the caller asks mktime. One localtime_r per day
// instead of mktime's searches, which dominate a long daily report.
std::optional<int64_t> next_start_without_transition(PeriodKind kind, int64_t start_ms) {
    const std::tm start = local_parts(start_ms);
    if (start.tm_hour != 0 || start.tm_min != 0 || start.tm_sec != 0 || start_ms % 1000 != 0)
        return std::nullopt;
    const LocalDate date = date_of(start);
    LocalDate next = date;
    switch (kind) {
        case PeriodKind::day:
            next = civil_from_days(days_from_civil(date) + 1);
            break;
        case PeriodKind::week:
            next = civil_from_days(days_from_civil(date) + 7);
            break;
        case PeriodKind::month:
            next = date.month == 12 ? LocalDate{date.year + 1, 1, 1}
                                    : LocalDate{date.year, date.month + 1, 1};
            break;
    }
    const int64_t days = days_from_civil(next) - days_from_civil(date);
    std::tm at{};
    for (int64_t day = 1; day <= days; ++day) {
        at = local_parts(start_ms + day * k_day_ms);
        if (at.tm_gmtoff != start.tm_gmtoff)
            return std::nullopt;
    }
    if (at.tm_hour != 0 || at.tm_min != 0 || at.tm_sec != 0 || date_of(at).year != next.year ||
        date_of(at).month != next.month || date_of(at).day != next.day)
        return std::nullopt;
    return start_ms + days * k_day_ms;
}

bool all_digits(std::string_view text) {
    return !text.empty() &&
           std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int number_of(std::string_view digits) {
    int value = 0;
    for (char c : digits)
        value = value * 10 + (c - '0');
    return value;
}

}  // namespace

int64_t local_day_start(int64_t at_ms) {
    return first_instant_of(date_of(local_parts(at_ms)));
}

int64_t local_week_start(int64_t at_ms) {
    const std::tm parts = local_parts(at_ms);
    const int days_since_monday = (parts.tm_wday + 6) % 7;
    const LocalDate today = date_of(parts);
    return first_instant_of(normalized(today.year, today.month, today.day - days_since_monday));
}

int64_t local_month_start(int64_t at_ms) {
    const LocalDate today = date_of(local_parts(at_ms));
    return first_instant_of(LocalDate{today.year, today.month, 1});
}

int64_t local_period_start(PeriodKind kind, int64_t at_ms) {
    switch (kind) {
        case PeriodKind::day:
            return local_day_start(at_ms);
        case PeriodKind::week:
            return local_week_start(at_ms);
        case PeriodKind::month:
            return local_month_start(at_ms);
    }
    return local_day_start(at_ms);
}

int64_t local_next_period_start(PeriodKind kind, int64_t at_ms) {
    const LocalDate start = date_of(local_parts(local_period_start(kind, at_ms)));
    LocalDate next = start;
    switch (kind) {
        case PeriodKind::day:
            next = normalized(start.year, start.month, start.day + 1);
            break;
        case PeriodKind::week:
            next = normalized(start.year, start.month, start.day + 7);
            break;
        case PeriodKind::month:
            next = start.month == 12 ? LocalDate{start.year + 1, 1, 1}
                                     : LocalDate{start.year, start.month + 1, 1};
            break;
    }
    return first_instant_of(next);
}

std::vector<int64_t> period_boundaries(PeriodKind kind, int64_t first_ms, int64_t last_ms) {
    std::vector<int64_t> boundaries;
    if (first_ms > last_ms)
        return boundaries;
    last_ms = std::min(last_ms, k_far_future_ms);
    int64_t boundary = local_period_start(kind, first_ms);
    boundaries.push_back(boundary);
    while (boundary <= last_ms) {
        const std::optional<int64_t> fast = next_start_without_transition(kind, boundary);
        const int64_t next = fast ? *fast : local_next_period_start(kind, boundary);
        if (next <= boundary)
            break;  // a broken zone database; never loop forever
        boundary = next;
        boundaries.push_back(boundary);
    }
    return boundaries;
}

std::vector<int64_t> day_boundaries(int64_t first_ms, int64_t last_ms) {
    return period_boundaries(PeriodKind::day, first_ms, last_ms);
}

std::vector<int64_t> week_boundaries(int64_t first_ms, int64_t last_ms) {
    return period_boundaries(PeriodKind::week, first_ms, last_ms);
}

std::vector<int64_t> month_boundaries(int64_t first_ms, int64_t last_ms) {
    return period_boundaries(PeriodKind::month, first_ms, last_ms);
}

std::string day_label(int64_t start_ms) {
    const std::tm parts = local_parts(start_ms);
    char text[32];
    return std::string(text, std::strftime(text, sizeof text, "%Y-%m-%d", &parts));
}

std::string week_label(int64_t start_ms) {
    const std::tm parts = local_parts(start_ms);
    char text[32];
    return std::string(text, std::strftime(text, sizeof text, "%G-W%V", &parts));
}

std::string month_label(int64_t start_ms) {
    const std::tm parts = local_parts(start_ms);
    char text[32];
    return std::string(text, std::strftime(text, sizeof text, "%Y-%m", &parts));
}

std::string period_label(PeriodKind kind, int64_t start_ms) {
    switch (kind) {
        case PeriodKind::day:
            return day_label(start_ms);
        case PeriodKind::week:
            return week_label(start_ms);
        case PeriodKind::month:
            return month_label(start_ms);
    }
    return day_label(start_ms);
}

std::string local_date_time(int64_t at_ms) {
    const std::tm parts = local_parts(at_ms);
    char text[48];
    return std::string(text, std::strftime(text, sizeof text, "%Y-%m-%d %H:%M", &parts));
}

std::string local_time_of_day(int64_t at_ms) {
    const std::tm parts = local_parts(at_ms);
    char text[32];
    return std::string(text, std::strftime(text, sizeof text, "%H:%M:%S", &parts));
}

std::optional<int64_t> parse_local_date(std::string_view text) {
    std::string_view year;
    std::string_view month;
    std::string_view day;
    if (text.size() == 10 && text[4] == '-' && text[7] == '-') {
        year = text.substr(0, 4);
        month = text.substr(5, 2);
        day = text.substr(8, 2);
    } else if (text.size() == 8) {
        year = text.substr(0, 4);
        month = text.substr(4, 2);
        day = text.substr(6, 2);
    } else {
        return std::nullopt;
    }
    if (!all_digits(year) || !all_digits(month) || !all_digits(day))
        return std::nullopt;
    const LocalDate date{number_of(year), number_of(month), number_of(day)};
    if (date.year < 1970 || date.month < 1 || date.month > 12 || date.day < 1)
        return std::nullopt;
    const LocalDate check = normalized(date.year, date.month, date.day);
    if (check.year != date.year || check.month != date.month || check.day != date.day)
        return std::nullopt;
    return first_instant_of(date);
}

std::vector<int64_t> summary_boundaries(int64_t now_ms) {
    std::vector<int64_t> boundaries{0, local_month_start(now_ms), local_week_start(now_ms),
                                    local_day_start(now_ms), k_far_future_ms};
    std::sort(boundaries.begin(), boundaries.end());
    boundaries.erase(std::unique(boundaries.begin(), boundaries.end()), boundaries.end());
    return boundaries;
}

}  // namespace ccmeter
