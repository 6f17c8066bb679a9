// Integer arithmetic for money that never wraps: a sum or product beyond int64 is held at the
// bound it passed (k_int64_max or k_int64_min) instead. A figure at a bound is taken to be
// saturated (is_saturated): pico-dollars reach it at about $9.2 million, which no real history
// sums to, so reports flag it (UsageTotals::cost_saturated, Usage.cost_saturated) rather than
// print a wrapped, negative or too small cost.
#pragma once

#include <cstdint>
#include <limits>

namespace ccmeter {

constexpr int64_t k_int64_max = std::numeric_limits<int64_t>::max();
constexpr int64_t k_int64_min = std::numeric_limits<int64_t>::min();

inline bool is_saturated(int64_t value) {
    return value == k_int64_max || value == k_int64_min;
}

inline int64_t saturating_add(int64_t a, int64_t b) {
    int64_t sum = 0;
    if (__builtin_add_overflow(a, b, &sum))
        return b > 0 ? k_int64_max : k_int64_min;
    return sum;
}

inline int64_t saturating_multiply(int64_t a, int64_t b) {
    int64_t product = 0;
    if (__builtin_mul_overflow(a, b, &product))
        return (a < 0) == (b < 0) ? k_int64_max : k_int64_min;
    return product;
}

__extension__ typedef __int128 wide_int;

// a * b / c, rounded toward zero, without overflow in between; c must not be 0.
inline int64_t saturating_multiply_divide(int64_t a, int64_t b, int64_t c) {
    const wide_int exact = static_cast<wide_int>(a) * b / c;
    if (exact > k_int64_max)
        return k_int64_max;
    if (exact < k_int64_min)
        return k_int64_min;
    return static_cast<int64_t>(exact);
}

}  // namespace ccmeter
