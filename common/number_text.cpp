#include "common/number_text.hpp"

#include <cmath>

namespace ccmeter {

namespace {

// Digits of a non-negative number with a comma every three digits.
std::string grouped(uint64_t value) {
    std::string digits = std::to_string(value);
    std::string out;
    out.reserve(digits.size() + digits.size() / 3);
    for (size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0)
            out.push_back(',');
        out.push_back(digits[i]);
    }
    return out;
}

uint64_t magnitude(int64_t value) {
    // Well defined for INT64_MIN too.
    return value < 0 ? uint64_t{0} - static_cast<uint64_t>(value) : static_cast<uint64_t>(value);
}

}  // namespace

std::string format_count(int64_t count) {
    return (count < 0 ? "-" : "") + grouped(magnitude(count));
}

std::string format_usd(int64_t micro_usd) {
    const uint64_t micros = magnitude(micro_usd);
    const uint64_t cents = (micros + 5'000) / 10'000;
    if (micros != 0 && cents == 0)
        return micro_usd < 0 ? "-<$0.01" : "<$0.01";
    std::string out = micro_usd < 0 ? "-$" : "$";
    out += grouped(cents / 100);
    out.push_back('.');
    out.push_back(static_cast<char>('0' + cents % 100 / 10));
    out.push_back(static_cast<char>('0' + cents % 10));
    return out;
}

int64_t micro_usd_of_dollars(double dollars) {
    if (!std::isfinite(dollars) || std::fabs(dollars) > 1e12)
        return 0;
    return std::llround(dollars * 1e6);
}

std::string exact_usd_text(int64_t pico_usd) {
    const uint64_t picos = magnitude(pico_usd);
    std::string fraction = std::to_string(picos % 1'000'000'000'000);
    fraction.insert(0, 12 - fraction.size(), '0');
    return (pico_usd < 0 ? "-" : "") + std::to_string(picos / 1'000'000'000'000) + "." + fraction;
}

std::string format_time_left(int64_t ms) {
    const int64_t minutes = ms > 0 ? ms / 60'000 : 0;
    if (minutes < 60)
        return std::to_string(minutes) + "m";
    const int64_t rest = minutes % 60;
    return std::to_string(minutes / 60) + "h" + (rest < 10 ? "0" : "") + std::to_string(rest) + "m";
}

std::string format_percentage(double percentage) {
    if (!std::isfinite(percentage) || std::fabs(percentage) > 1e9)
        return "?%";
    return std::to_string(std::llround(percentage)) + "%";
}

}  // namespace ccmeter
