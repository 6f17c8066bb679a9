// Turns one transcript line into what ccmeter keeps of it, or says why it keeps nothing.
//
// What counts (see ../shared/claude-code/FACTS.md and corpus/truth.py): a top-level record with
// "type":"assistant" and an object `message.usage`, except model "<synthetic>" (client-side
// error lines). Usage copies nested in other records (agent_progress) never count. A top-level
// "type":"user" record whose content is a prompt rather than a tool result, and that is not
// isMeta, is a turn start. Message content is never copied out.
//
// A cheap byte-level pre-filter decides which lines are worth a full JSON parse; lines it
// rejects are only checked to look like one JSON object. Invalid UTF-8 inside strings is
// tolerated (as truth.py does), so one bad byte in a tool output never loses a response.
//
// Not thread-safe: it reuses one parser and one arena. Use one per thread.
#pragma once

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parser.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "common/iso_time.hpp"
#include "core/usage_record.hpp"

namespace ccmeter {

enum class LineKind {
    ignored,     // valid, but nothing to keep (other record types, usage copies, synthetic)
    usage,       // `usage` was filled
    turn_start,  // `turn` was filled
    malformed,   // not a JSON object
};

class UsageParser {
  public:
    UsageParser();
    UsageParser(const UsageParser&) = delete;
    UsageParser& operator=(const UsageParser&) = delete;

    // `line` excludes its '\n'. On `usage` / `turn_start` the matching out-parameter is
    // overwritten; the other is left alone.
    LineKind parse(std::string_view line, UsageRecord& usage, TurnStart& turn);

    // True when `text` is exactly one complete JSON object (surrounding white space allowed).
    // Used for a file's unterminated last line: such a line cannot grow any more.
    bool is_complete_object(std::string_view text);

  private:
    bool parse_json(std::string_view text);

    std::unique_ptr<unsigned char[]> m_arena_buffer;  // reused by every parse
    boost::json::monotonic_resource m_arena;
    boost::json::parser m_parser;
};

}  // namespace ccmeter
