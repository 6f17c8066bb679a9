#include "web/api_cache.hpp"

#include <algorithm>

namespace ccmeter {

WebReply ApiCache::get(const ApiRequest& request, int64_t now_ms) {
    if (!request.cacheable())
        return m_api.answer(request);
    const std::string key = request.key();
    auto found = m_entries.find(key);
    if (found != m_entries.end()) {
        Entry& entry = found->second;
        entry.last_used_ms = now_ms;
        if (entry.has_reply && (entry.generation == m_generation || entry.queued))
            return entry.reply;
        WebReply reply = m_api.answer(entry.request);
        if (reply.status != 200)
            return reply;
        entry.reply = std::move(reply);
        entry.has_reply = true;
        entry.generation = m_generation;
        return entry.reply;
    }
    evict_if_full();
    Entry entry;
    entry.request = request;
    entry.reply = m_api.answer(request);
    entry.has_reply = true;
    entry.generation = m_generation;
    entry.last_used_ms = now_ms;
    WebReply reply = entry.reply;
    // Errors (a session not there yet, a database not ready) are not kept.
    if (reply.status == 200)
        m_entries.emplace(key, std::move(entry));
    return reply;
}

void ApiCache::new_generation(int64_t now_ms, bool refresh_hot) {
    ++m_generation;
    if (!refresh_hot)
        return;
    std::vector<std::pair<int64_t, std::string>> hot;
    for (auto& [key, entry] : m_entries)
        if (!entry.queued && now_ms - entry.last_used_ms <= k_hot_ms)
            hot.emplace_back(entry.last_used_ms, key);
    // Most recently used first: what the open page shows now.
    std::sort(hot.begin(), hot.end(),
              [](const auto& a, const auto& b) { return a.first > b.first; });
    for (auto& [used, key] : hot) {
        m_entries[key].queued = true;
        m_refresh_queue.push_back(std::move(key));
    }
}

void ApiCache::prewarm(const std::vector<ApiRequest>& requests, int64_t now_ms) {
    for (const ApiRequest& request : requests) {
        if (!request.cacheable())
            continue;
        std::string key = request.key();
        if (m_entries.count(key))
            continue;
        evict_if_full();
        Entry entry;
        entry.request = request;
        entry.generation = m_generation - 1;
        entry.last_used_ms = now_ms;
        entry.queued = true;
        m_entries.emplace(key, std::move(entry));
        m_refresh_queue.push_back(std::move(key));
    }
}

bool ApiCache::refresh_next() {
    while (!m_refresh_queue.empty()) {
        const std::string key = std::move(m_refresh_queue.front());
        m_refresh_queue.pop_front();
        auto found = m_entries.find(key);
        if (found == m_entries.end())
            continue;
        Entry& entry = found->second;
        entry.queued = false;
        if (entry.generation == m_generation)
            continue;
        WebReply reply = m_api.answer(entry.request);
        if (reply.status == 200) {
            entry.reply = std::move(reply);
            entry.has_reply = true;
            entry.generation = m_generation;
        } else {
            m_entries.erase(found);
        }
        break;
    }
    return !m_refresh_queue.empty();
}

void ApiCache::evict_if_full() {
    while (m_entries.size() >= k_max_entries) {
        auto oldest =
            std::min_element(m_entries.begin(), m_entries.end(), [](const auto& a, const auto& b) {
                return a.second.last_used_ms < b.second.last_used_ms;
            });
        if (oldest->second.queued)
            m_refresh_queue.erase(
                std::remove(m_refresh_queue.begin(), m_refresh_queue.end(), oldest->first),
                m_refresh_queue.end());
        m_entries.erase(oldest);
    }
}

}  // namespace ccmeter
