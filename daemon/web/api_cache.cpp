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
        if (reply.body.size() > m_max_bytes) {  // never kept
            erase(found);
            return reply;
        }
        keep_reply(key, entry, std::move(reply));
        return entry.reply;
    }
    WebReply reply = m_api.answer(request);
    // Errors (a session not there yet, a database not ready) are not kept, nor answers larger
    // than the whole budget.
    if (reply.status != 200 || reply.body.size() > m_max_bytes)
        return reply;
    make_room(reply.body.size(), std::string());
    Entry entry;
    entry.request = request;
    entry.reply = reply;
    entry.has_reply = true;
    entry.generation = m_generation;
    entry.last_used_ms = now_ms;
    m_bytes += reply.body.size();
    m_entries.emplace(key, std::move(entry));
    return reply;
}

bool ApiCache::keep_reply(const std::string& key, Entry& entry, WebReply reply) {
    if (entry.has_reply) {
        m_bytes -= entry.reply.body.size();
        entry.reply = WebReply();
        entry.has_reply = false;
    }
    if (reply.body.size() > m_max_bytes) {
        erase(m_entries.find(key));
        return false;
    }
    make_room(reply.body.size(), key);
    m_bytes += reply.body.size();
    entry.reply = std::move(reply);
    entry.has_reply = true;
    entry.generation = m_generation;
    return true;
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
        make_room(0, std::string());
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
        if (reply.status == 200)
            keep_reply(key, entry, std::move(reply));
        else
            erase(found);
        break;
    }
    return !m_refresh_queue.empty();
}

bool ApiCache::make_room(size_t incoming, const std::string& keep) {
    while ((keep.empty() && m_entries.size() >= k_max_entries) ||
           m_bytes + incoming > m_max_bytes) {
        auto oldest = m_entries.end();
        for (auto it = m_entries.begin(); it != m_entries.end(); ++it)
            if (it->first != keep && (oldest == m_entries.end() ||
                                      it->second.last_used_ms < oldest->second.last_used_ms))
                oldest = it;
        if (oldest == m_entries.end())
            return false;
        erase(oldest);
    }
    return true;
}

void ApiCache::erase(std::unordered_map<std::string, Entry>::iterator entry) {
    if (entry == m_entries.end())
        return;
    if (entry->second.has_reply)
        m_bytes -= entry->second.reply.body.size();
    if (entry->second.queued)
        m_refresh_queue.erase(
            std::remove(m_refresh_queue.begin(), m_refresh_queue.end(), entry->first),
            m_refresh_queue.end());
    m_entries.erase(entry);
}

}  // namespace ccmeter
