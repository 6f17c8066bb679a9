#include "core/ingest_batch.hpp"

namespace ccmeter {

void IngestBatch::add_response(const UsageRecord& line) {
    ++m_lines;
    std::string key;
    key.reserve(line.message_id.size() + line.request_id.size() + 1);
    key.append(line.message_id).push_back('\0');
    key.append(line.request_id);
    auto [it, inserted] = m_response_index.try_emplace(std::move(key), m_responses.size());
    if (inserted) {
        m_responses.push_back(line);
    } else {
        merge_response(m_responses[it->second], line);
    }
}

void IngestBatch::add_cost_state(const ClientCostState& state) {
    for (ClientCostState& existing : m_cost_states) {
        if (existing.session_id == state.session_id &&
            existing.start_time_ms == state.start_time_ms) {
            if (replaces_cost_state(state, existing))
                existing = state;
            return;
        }
    }
    m_cost_states.push_back(state);
}

void IngestBatch::set_file(const FileState& file) {
    for (FileState& existing : m_files) {
        if (existing.path == file.path) {
            existing = file;
            return;
        }
    }
    m_files.push_back(file);
}

void IngestBatch::add_tools(const std::vector<ToolUse>& uses,
                            const std::vector<ToolResult>& results) {
    auto update_of = [&](const std::string& id) -> ToolCallUpdate& {
        const auto [at, inserted] = m_tool_call_index.try_emplace(id, m_tool_calls.size());
        if (inserted)
            m_tool_calls.emplace_back();
        return m_tool_calls[at->second];
    };
    for (const ToolUse& use : uses)
        update_of(use.tool_use_id).merge(use);
    for (const ToolResult& result : results)
        update_of(result.tool_use_id).merge(result);
}

void IngestBatch::clear() {
    m_responses.clear();
    m_response_index.clear();
    m_turns.clear();
    m_tool_calls.clear();
    m_tool_call_index.clear();
    m_cost_states.clear();
    m_files.clear();
    m_lines = 0;
}

}  // namespace ccmeter
