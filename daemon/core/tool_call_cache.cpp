#include "core/tool_call_cache.hpp"

#include <algorithm>
#include <limits>
#include <utility>

namespace ccmeter {

namespace {

constexpr size_t k_max_tools = std::numeric_limits<uint16_t>::max();  // ids 0 .. 65,534
constexpr size_t k_max_cwds = std::numeric_limits<uint16_t>::max() >> 1;

}  // namespace

size_t ToolCallCache::calls() const {
    size_t total = 0;
    for (const auto& [id, session] : m_sessions)
        total += session.calls.size();
    return total;
}

int ToolCallCache::tool_id(std::string_view name) {
    if (auto found = m_tool_ids.find(name); found != m_tool_ids.end())
        return found->second;
    if (m_tool_names.size() >= k_max_tools)
        return -1;
    const auto id = static_cast<uint16_t>(m_tool_names.size());
    m_tool_names.emplace_back(name);
    m_tool_ids.emplace(std::string(name), id);
    return id;
}

void ToolCallCache::add(Session& session, const ToolCallRow& row) {
    const int tool = tool_id(row.tool_name);
    size_t cwd = 0;
    // A session's calls mostly share one cwd: look at the last one first.
    if (!session.cwds.empty() && session.cwds.back() == row.cwd)
        cwd = session.cwds.size() - 1;
    else {
        auto found = std::find(session.cwds.begin(), session.cwds.end(), row.cwd);
        cwd = static_cast<size_t>(found - session.cwds.begin());
        if (found == session.cwds.end() && cwd < k_max_cwds)
            session.cwds.emplace_back(row.cwd);
    }
    const bool fits_run = !row.run_ms || (*row.run_ms >= 0 && *row.run_ms < k_untimed);
    if (tool < 0 || cwd >= k_max_cwds || !fits_run) {
        ++session.unfit_calls;
        ++m_unfit_calls;
        return;
    }
    Call call;
    const int64_t since_previous = row.started_ms - session.last_start_ms;
    if (session.calls.empty() || since_previous < 0 || since_previous >= k_far)
        session.far_starts.push_back(row.started_ms);
    else
        call.since_previous_ms = static_cast<uint32_t>(since_previous);
    session.last_start_ms = row.started_ms;
    call.run_ms = row.run_ms ? static_cast<uint32_t>(*row.run_ms) : k_untimed;
    call.tool = static_cast<uint16_t>(tool);
    call.cwd_and_failed = static_cast<uint16_t>((cwd << 1) | (row.failed ? 1U : 0U));
    session.calls.push_back(call);
}

ToolCallCache::Session ToolCallCache::fitted(Session& scratch) {
    Session kept;
    kept.cwds.assign(scratch.cwds.begin(), scratch.cwds.end());
    kept.calls.assign(scratch.calls.begin(), scratch.calls.end());
    kept.far_starts.assign(scratch.far_starts.begin(), scratch.far_starts.end());
    kept.last_start_ms = scratch.last_start_ms;
    kept.unfit_calls = scratch.unfit_calls;
    scratch.cwds.clear();
    scratch.calls.clear();
    scratch.far_starts.clear();
    scratch.last_start_ms = 0;
    scratch.unfit_calls = 0;
    return kept;
}

Result<void> ToolCallCache::refresh(const UsageStore& store) {
    return store.in_snapshot([&]() -> Result<void> {
        CCMETER_TRY_ASSIGN(const int64_t seq, store.change_seq());
        if (seq == m_change_seq)
            return {};
        std::vector<std::string> changed;
        bool everything = m_change_seq < 0 || seq < m_change_seq;
        if (!everything) {
            CCMETER_TRY_ASSIGN(changed, store.tool_sessions_changed_after(
                                            m_change_seq, k_sessions_read_one_by_one));
            everything = changed.size() > k_sessions_read_one_by_one;
        }
        if (everything) {
            // Until every call is read, the cache reflects nothing.
            m_change_seq = -1;
            m_sessions.clear();
            m_tool_names.clear();
            m_tool_ids.clear();
            m_unfit_calls = 0;
            // Each session is read into one scratch session, then kept in vectors of exactly
            // its size: grown vectors (and their copies) would leave the daemon's heap larger.
            Session scratch;
            std::string scratch_id;
            bool reading = false;
            CCMETER_TRY(store.for_each_tool_call(std::nullopt, [&](const ToolCallRow& row) {
                if (reading && scratch_id != row.session_id)
                    m_sessions.emplace(scratch_id, fitted(scratch));
                if (!reading || scratch_id != row.session_id)
                    scratch_id.assign(row.session_id);
                reading = true;
                add(scratch, row);
            }));
            if (reading)
                m_sessions.emplace(scratch_id, fitted(scratch));
            ++m_full_reads;
        } else {
            for (const std::string& id : changed) {
                Session scratch;
                CCMETER_TRY(store.for_each_tool_call(
                    id, [&](const ToolCallRow& row) { add(scratch, row); }));
                Session fresh = fitted(scratch);
                auto old = m_sessions.find(id);
                if (old != m_sessions.end()) {
                    m_unfit_calls -= old->second.unfit_calls;
                    m_sessions.erase(old);
                }
                if (!fresh.calls.empty() || fresh.unfit_calls > 0)
                    m_sessions.emplace(id, std::move(fresh));
                ++m_sessions_read;
            }
        }
        m_change_seq = seq;
        return {};
    });
}

std::vector<ToolStats> ToolCallCache::tool_stats(const ResponseFilter& filter) const {
    struct Sums {
        int64_t calls = 0;
        int64_t errors = 0;
        int64_t timed = 0;
        std::vector<uint32_t> run_ms;
    };
    std::vector<Sums> per_tool(m_tool_names.size());
    // Each selected session's calls that the time range and project select; `add` counts one.
    const auto each_selected = [&](const auto& add) {
        const auto visit = [&](const Session& session) {
            // The cwd the filter asks for, as this session numbers it.
            size_t wanted_cwd = 0;
            if (filter.cwd) {
                auto found = std::find(session.cwds.begin(), session.cwds.end(), *filter.cwd);
                if (found == session.cwds.end())
                    return;
                wanted_cwd = static_cast<size_t>(found - session.cwds.begin());
            }
            int64_t start = 0;
            size_t far = 0;
            for (const Call& call : session.calls) {
                start = call.since_previous_ms == k_far ? session.far_starts[far++]
                                                        : start + call.since_previous_ms;
                if (filter.since_ms && start < *filter.since_ms)
                    continue;
                if (filter.until_ms && start >= *filter.until_ms)
                    break;  // the rest start later
                if (filter.cwd && (call.cwd_and_failed >> 1) != wanted_cwd)
                    continue;
                add(call);
            }
        };
        if (filter.session_id) {
            if (auto found = m_sessions.find(*filter.session_id); found != m_sessions.end())
                visit(found->second);
        } else {
            for (const auto& [id, session] : m_sessions)
                visit(session);
        }
    };
    // Counted first, so that each tool's run times take exactly their room.
    each_selected([&](const Call& call) {
        Sums& sums = per_tool[call.tool];
        ++sums.calls;
        sums.errors += call.cwd_and_failed & 1;
        sums.timed += call.run_ms != k_untimed;
    });
    for (Sums& sums : per_tool)
        sums.run_ms.reserve(static_cast<size_t>(sums.timed));
    each_selected([&](const Call& call) {
        if (call.run_ms != k_untimed)
            per_tool[call.tool].run_ms.push_back(call.run_ms);
    });
    std::vector<ToolStats> out;
    for (size_t tool = 0; tool < per_tool.size(); ++tool) {
        Sums& sums = per_tool[tool];
        if (sums.calls > 0)
            out.push_back(tool_stats_of(m_tool_names[tool], sums.calls, sums.errors, sums.run_ms));
        std::vector<uint32_t>().swap(sums.run_ms);  // freed as soon as used
    }
    std::sort(out.begin(), out.end(),
              [](const ToolStats& a, const ToolStats& b) { return a.name < b.name; });
    return out;
}

}  // namespace ccmeter
