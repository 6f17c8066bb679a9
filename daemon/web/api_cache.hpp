// The web view's API answers, kept per generation of the stored history, so that the page's
// calls are answered from memory while full-history aggregations (100-300 ms on a 1 GB history)
// run once per change, not once per request.
//
// Contract:
// - The generation counts changes of the stored history (new_generation(), called when the
//   ingest loop stored something). An answer computed at the current generation is returned as
//   is. Uncacheable requests (ApiRequest::cacheable() false) are always computed afresh.
// - Stale-while-revalidate: new_generation() queues every entry used within the last
//   k_hot_ms for recomputation (what an open page shows: it asks again after each change);
//   until refresh_next() has recomputed it, get() returns its previous answer (consistent
//   with the previous generation). Other stale entries are recomputed by the get() that needs
//   them; with `refresh_hot` false (nobody is watching) none is queued.
// - The caller tells clients about a new generation once refreshing() is false, so that what
//   they fetch then is current.
// - prewarm() queues answers nobody asked for yet (what the page asks first), so that the
//   first page load after the daemon starts is answered from memory too.
// - At most k_max_entries answers and `max_bytes` of answer bodies are kept; the least
//   recently used goes first. An answer larger than `max_bytes` by itself (the largest
//   session's at 10 GB: about 40 MB) is returned but never kept: computed again when asked.
// Threads: one thread (the web server's).
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <unordered_map>
#include <vector>

#include "web/api_request.hpp"
#include "web/web_api.hpp"
#include "web/web_reply.hpp"

namespace ccmeter {

class ApiCache {
  public:
    static constexpr size_t k_max_entries = 64;
    // Answer bodies kept at most, in bytes: 8 MiB. Every answer of the overview and the lists
    // together take well under 1 MB at 10 GB; the largest session's at 1 GB (4 MB) still fits.
    // Kept answers stay in the daemon's RSS (target <= 60 MB in all).
    static constexpr size_t k_max_bytes = 8 << 20;
    static constexpr int64_t k_hot_ms = 2 * 60'000;

    explicit ApiCache(WebApi& api, size_t max_bytes = k_max_bytes)
        : m_api(api), m_max_bytes(max_bytes) {}

    WebReply get(const ApiRequest& request, int64_t now_ms);

    // The stored history changed.
    void new_generation(int64_t now_ms, bool refresh_hot = true);
    // Queues these (cacheable) requests for computing, as if just used.
    void prewarm(const std::vector<ApiRequest>& requests, int64_t now_ms);
    // Recomputes one queued entry; false once nothing is left to refresh.
    bool refresh_next();
    bool refreshing() const { return !m_refresh_queue.empty(); }

    int64_t generation() const { return m_generation; }
    size_t size() const { return m_entries.size(); }
    // Bytes of the answer bodies kept.
    size_t bytes() const { return m_bytes; }

  private:
    struct Entry {
        ApiRequest request;
        WebReply reply;
        bool has_reply = false;  // false while a prewarmed entry waits for its first answer
        int64_t generation = 0;
        int64_t last_used_ms = 0;
        bool queued = false;
    };

    // Makes room for one more entry of `incoming` bytes; false when it can never fit.
    bool make_room(size_t incoming, const std::string& keep);
    // Stores `reply` in `entry`, or drops the entry (false) when it cannot be kept.
    bool keep_reply(const std::string& key, Entry& entry, WebReply reply);
    void erase(std::unordered_map<std::string, Entry>::iterator entry);

    WebApi& m_api;
    const size_t m_max_bytes;
    size_t m_bytes = 0;  // of the kept replies' bodies
    std::unordered_map<std::string, Entry> m_entries;
    std::deque<std::string> m_refresh_queue;
    int64_t m_generation = 0;
};

}  // namespace ccmeter
