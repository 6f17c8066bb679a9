// The keys of the responses a bulk load stored (UsageStore, while responses_by_key is left out):
// which row holds a (message id, request id), in memory: 8 bytes a slot, 11 to 21 bytes a
// response (the table doubles past 75% full; 16 MB for the 1.1 million responses of 10 GB).
// It holds fingerprints, not keys: find() may name rows of other keys (about one comparison in
// four billion), which the caller tells apart by the row's own key, and never misses the row
// of a key added. Row ids are positive and below 2^32 (fits()). Used from one thread.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace ccmeter {

class ResponseKeyIndex {
  public:
    // The hash of a key, for add() and find().
    static uint64_t hash(std::string_view message_id, std::string_view request_id);

    // Whether `row_id` fits (1 <= row_id < 2^32); add() takes only those.
    static bool fits(int64_t row_id) { return row_id >= 1 && row_id <= 0xffff'ffffLL; }

    // Records that row `row_id` (fits()) holds the key of `key_hash`.
    void add(uint64_t key_hash, int64_t row_id);

    // Calls `visit(row_id)` for each row added whose key may be that of `key_hash`, until it
    // returns true (the row was the key's); returns whether one did.
    template <class Visit>
    bool find(uint64_t key_hash, Visit&& visit) const {
        if (m_slots.empty())
            return false;
        const uint64_t mask = m_slots.size() - 1;
        const uint32_t print = fingerprint(key_hash);
        for (uint64_t at = print & mask;; at = (at + 1) & mask) {
            const uint64_t slot = m_slots[at];
            if (slot == 0)
                return false;
            if (static_cast<uint32_t>(slot >> 32) == print &&
                visit(static_cast<int64_t>(slot & 0xffff'ffffULL)))
                return true;
        }
    }

    size_t size() const { return m_size; }
    void clear();

  private:
    static uint32_t fingerprint(uint64_t key_hash) { return static_cast<uint32_t>(key_hash >> 32); }
    void grow();
    void place(uint64_t slot);

    // Open addressing, linear probing from the fingerprint's low bits (so that a slot alone
    // says where it goes when the table doubles); a slot is fingerprint << 32 | row id (0:
    // empty).
    std::vector<uint64_t> m_slots;
    size_t m_size = 0;
};

}  // namespace ccmeter
