// Turns one transcript line into what ccmeter keeps of it, or says why it keeps nothing.
//
// What counts (see ../shared/claude-code/FACTS.md and corpus/truth.py): a top-level record with
// "type":"assistant" and an object `message.usage`, except model "<synthetic>" (client-side
// error lines). A line that a forked session copied (its `requestSessionId` names another
// session) is credited to the session that made the request. A "cost-state" record carries the
// client's own figures (client_cost_state.hpp). Usage copies nested in other records
// (agent_progress) never count. A top-level "type":"user" record whose content is a prompt rather
// than a tool result, and that is not isMeta, is a turn start. The tool_use blocks of an assistant
// line and the tool_result blocks of a user line give tool calls and their results (tool_uses(),
// tool_results()). Message content is never copied out.
//
// How: one streaming (SAX) pass of Boost.JSON's basic_parser over the line that keeps only the
// fields above and builds no tree. The pass stops as soon as the line is known to be worth
// nothing: at the top-level "type" of any other record type (the big ones, api-request-shape,
// attachment, progress, ..., write it before their payload), or, on a user record with a
// tool_result block, once its message and timestamp are read (the toolUseResult copy after
// them is never walked). Keys are compared after JSON unescaping, so "\u0074ype" is "type". A line
// that was stopped early is only checked to look like one JSON object ('{' ... '}'); a line read
// to its end must be exactly one valid JSON object. Invalid UTF-8 inside strings is tolerated
// (as truth.py does), so one bad byte in a tool output never loses a response. Duplicate keys:
// the last one wins, as in truth.py, except that a "type" other than assistant/user ends the
// pass (Claude Code never writes a key twice).
//
// Nesting: irrelevant subtrees may nest up to k_max_json_depth levels (the parser's recursion,
// hence its stack use, is bounded by it); a deeper line is malformed.
//
// Not thread-safe: it reuses one parser and its buffers. Use one per thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "common/iso_time.hpp"
#include "core/client_cost_state.hpp"
#include "core/usage_record.hpp"

namespace ccmeter {

// The largest value one token field of one response may hold (input, output, cache write,
// cache read, 5m, 1h). 10^9 tokens is 1000x the largest context window; with it, the token
// sums of 9 * 10^9 responses fit in int64, and one response's cost in pico-dollars (at most
// 6 fields * 10^9 * 3 * 10^8 pico-dollars per token, fast mode included) fits too.
constexpr int64_t k_max_tokens_per_field = 1'000'000'000;
// The same for server tool requests per response (web_search_requests, web_fetch_requests);
// each web search costs 10^10 pico-dollars.
constexpr int64_t k_max_requests_per_field = 1'000'000;
// Nesting allowed anywhere in a line (arrays and objects).
constexpr size_t k_max_json_depth = 4096;

enum class LineKind {
    ignored,       // valid, but nothing to keep (other record types, usage copies, synthetic)
    usage,         // `usage` was filled
    turn_start,    // `turn` was filled
    cost_state,    // cost_state() holds the client's own figures for one process
    malformed,     // not a JSON object (or a cost-state record that parse_cost_state refuses)
    out_of_range,  // a usage record with a token field that is negative, fractional or above
                   // its k_max_*_per_field: skipped, never clamped
};

class LineParser;  // the SAX parser and its handler (usage_parser.cpp)

class UsageParser {
  public:
    UsageParser();
    ~UsageParser();
    UsageParser(const UsageParser&) = delete;
    UsageParser& operator=(const UsageParser&) = delete;

    // `line` excludes its '\n'. On `usage` / `turn_start` the matching out-parameter is
    // overwritten; the other is left alone.
    LineKind parse(std::string_view line, UsageRecord& usage, TurnStart& turn);

    // True when `text` is exactly one complete JSON object (surrounding white space allowed).
    // Used for a file's unterminated last line: such a line cannot grow any more.
    bool is_complete_object(std::string_view text);

    // The tool_use blocks (on an assistant line) and tool_result blocks (on a user line that is
    // not isMeta) of the last parse(), whatever kind it returned but malformed: ids, names,
    // flags and the line's time and record fields only, never a block's input or output. Valid
    // until the next parse() or is_complete_object().
    const std::vector<ToolUse>& tool_uses() const;
    const std::vector<ToolResult>& tool_results() const;

    // The record of the last parse() that returned LineKind::cost_state.
    const ClientCostState& cost_state() const { return m_cost_state; }

  private:
    std::unique_ptr<LineParser> m_parser;
    ClientCostState m_cost_state;
};

}  // namespace ccmeter
