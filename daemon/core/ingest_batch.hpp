// What one run of transcript lines adds to the store (IngestBatch), gathered by the reading
// thread and handed whole to UsageStore::write_batch (through BatchWriter), which stores it in
// one transaction: rows and the file offsets that cover them together.
//
// Contract: a batch holds each response once (its lines merged by merge_response, as the store
// merges a line into a stored row), each tool call once (ToolCallUpdate per tool_use_id), each
// client cost record once, each file's latest state once; turns as read. It owns copies of
// everything (no view into the reader's buffers), so it may move to another thread.
//
// Threads: none of its own; use from one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/client_cost_state.hpp"
#include "core/usage_record.hpp"

namespace ccmeter {

// How far one transcript file has been consumed.
struct FileState {
    std::string path;
    uint64_t device = 0;
    uint64_t inode = 0;
    uint64_t offset = 0;          // just past the last complete line consumed
    std::string tail;             // up to k_tail_check_bytes ending at `offset`
    int64_t malformed_lines = 0;  // in the current generation of the file
    int64_t generation = 0;       // times the file was found replaced or truncated and re-read
};

// The number of bytes before a file's offset kept to notice a file rewritten in place.
constexpr size_t k_tail_check_bytes = 64;

// Everything learned from a run of lines, committed atomically.
class IngestBatch {
  public:
    // Adds one usage line, merged (merge_response) with an earlier line of the same response.
    void add_response(const UsageRecord& line);
    void add_turn(const TurnStart& turn) { m_turns.push_back(turn); }
    // Adds one line's tool calls and results (UsageParser::tool_uses() / tool_results()),
    // merged per tool_use_id (ToolCallUpdate), so a call and its result make one row write.
    void add_tools(const std::vector<ToolUse>& uses, const std::vector<ToolResult>& results);
    // Adds the client's record of one process; of two with the same key the one that
    // replaces_cost_state() stays.
    void add_cost_state(const ClientCostState& state);
    // The new state of a file the lines came from; a later state of the same file replaces it.
    void set_file(const FileState& file);

    const std::vector<UsageRecord>& responses() const { return m_responses; }
    const std::vector<TurnStart>& turns() const { return m_turns; }
    const std::vector<ToolCallUpdate>& tool_calls() const { return m_tool_calls; }
    const std::vector<ClientCostState>& cost_states() const { return m_cost_states; }
    const std::vector<FileState>& files() const { return m_files; }
    size_t lines() const { return m_lines; }
    bool empty() const {
        return m_responses.empty() && m_turns.empty() && m_cost_states.empty() && m_files.empty() &&
               m_tool_calls.empty();
    }
    void clear();

  private:
    std::vector<UsageRecord> m_responses;                      // one per distinct response
    std::unordered_map<std::string, size_t> m_response_index;  // message_id '\0' request_id
    std::vector<TurnStart> m_turns;
    std::vector<ToolCallUpdate> m_tool_calls;                   // one per tool_use_id
    std::unordered_map<std::string, size_t> m_tool_call_index;  // by tool_use_id
    std::vector<ClientCostState> m_cost_states;
    std::vector<FileState> m_files;
    size_t m_lines = 0;
};

}  // namespace ccmeter
