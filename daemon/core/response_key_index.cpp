#include "core/response_key_index.hpp"

#include <functional>

namespace ccmeter {

namespace {

// The first table's slots (a power of two), and its largest load before it doubles.
constexpr size_t k_first_slots = 1 << 12;
constexpr size_t k_max_load_percent = 75;

uint64_t mix(uint64_t x) {
    // splitmix64's finaliser: every bit of the input moves the low bits (the slot) and the high
    // ones (the fingerprint).
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

}  // namespace

uint64_t ResponseKeyIndex::hash(std::string_view message_id, std::string_view request_id) {
    const uint64_t m = std::hash<std::string_view>{}(message_id);
    const uint64_t r = std::hash<std::string_view>{}(request_id);
    return mix(m ^ mix(r + 0x9e3779b97f4a7c15ULL));
}

void ResponseKeyIndex::add(uint64_t key_hash, int64_t row_id) {
    if (!fits(row_id))
        return;
    if ((m_size + 1) * 100 > m_slots.size() * k_max_load_percent)
        grow();
    place(static_cast<uint64_t>(fingerprint(key_hash)) << 32 | static_cast<uint64_t>(row_id));
    ++m_size;
}

void ResponseKeyIndex::place(uint64_t slot) {
    const uint64_t mask = m_slots.size() - 1;
    uint64_t at = (slot >> 32) & mask;
    while (m_slots[at] != 0)
        at = (at + 1) & mask;
    m_slots[at] = slot;
}

void ResponseKeyIndex::grow() {
    std::vector<uint64_t> old;
    old.swap(m_slots);
    m_slots.assign(old.empty() ? k_first_slots : old.size() * 2, 0);
    for (uint64_t slot : old) {
        if (slot != 0)
            place(slot);
    }
}

void ResponseKeyIndex::clear() {
    m_slots.clear();
    m_slots.shrink_to_fit();
    m_size = 0;
}

}  // namespace ccmeter
