#include "core/usage_parser.hpp"

#include <boost/json/value.hpp>
#include <cstring>

namespace ccmeter {

namespace json = boost::json;

namespace {

constexpr size_t k_arena_initial_bytes = 256 * 1024;

json::parse_options parse_options() {
    json::parse_options options;
    options.allow_invalid_utf8 = true;
    options.max_depth = 64;
    return options;
}

bool contains(std::string_view haystack, std::string_view needle) {
    return memmem(haystack.data(), haystack.size(), needle.data(), needle.size()) != nullptr;
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.back() == '\r' || text.back() == ' ' || text.back() == '\t'))
        text.remove_suffix(1);
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
        text.remove_prefix(1);
    return text;
}

std::string_view string_at(const json::object& object, std::string_view key) {
    const json::value* value = object.if_contains(key);
    if (!value)
        return {};
    const json::string* text = value->if_string();
    return text ? std::string_view(*text) : std::string_view();
}

int64_t integer_at(const json::object* object, std::string_view key) {
    if (!object)
        return 0;
    const json::value* value = object->if_contains(key);
    if (!value)
        return 0;
    if (const int64_t* number = value->if_int64())
        return *number > 0 ? *number : 0;
    if (const uint64_t* number = value->if_uint64())
        return *number > INT64_MAX ? INT64_MAX : static_cast<int64_t>(*number);
    if (const double* number = value->if_double())
        return *number > 0 ? static_cast<int64_t>(*number) : 0;
    return 0;
}

const json::object* object_at(const json::object* object, std::string_view key) {
    if (!object)
        return nullptr;
    const json::value* value = object->if_contains(key);
    return value ? value->if_object() : nullptr;
}

bool bool_at(const json::object& object, std::string_view key) {
    const json::value* value = object.if_contains(key);
    const bool* flag = value ? value->if_bool() : nullptr;
    return flag && *flag;
}

bool is_prompt_content(const json::value* content) {
    if (!content)
        return false;
    if (content->is_string())
        return true;
    const json::array* blocks = content->if_array();
    if (!blocks)
        return false;
    for (const json::value& block : *blocks) {
        const json::object* object = block.if_object();
        if (object && string_at(*object, "type") == "tool_result")
            return false;
    }
    return true;
}

}  // namespace

UsageParser::UsageParser()
    : m_arena_buffer(new unsigned char[k_arena_initial_bytes]),
      m_arena(m_arena_buffer.get(), k_arena_initial_bytes),
      m_parser({}, parse_options()) {}

bool UsageParser::parse_json(std::string_view text) {
    m_arena.release();
    m_parser.reset(json::storage_ptr(&m_arena));
    json::error_code ec;
    m_parser.write(text.data(), text.size(), ec);
    return !ec;
}

bool UsageParser::is_complete_object(std::string_view text) {
    text = trim(text);
    if (text.empty() || text.front() != '{')
        return false;
    return parse_json(text);
}

LineKind UsageParser::parse(std::string_view line, UsageRecord& usage, TurnStart& turn) {
    line = trim(line);
    if (line.empty())
        return LineKind::ignored;
    const bool maybe_usage = contains(line, "\"usage\"") && contains(line, "\"assistant\"");
    const bool maybe_turn =
        !maybe_usage && contains(line, "\"user\"") && !contains(line, "\"tool_result\"");
    if (!maybe_usage && !maybe_turn) {
        // Not worth a parse; still catch lines that are cut or garbage.
        return line.front() == '{' && line.back() == '}' ? LineKind::ignored : LineKind::malformed;
    }
    if (!parse_json(line))
        return LineKind::malformed;
    json::value root = m_parser.release();
    const json::object* record = root.if_object();
    if (!record)
        return LineKind::malformed;
    const std::string_view type = string_at(*record, "type");

    if (type == "assistant") {
        const json::object* message = object_at(record, "message");
        const json::object* tokens = object_at(message, "usage");
        if (!tokens)
            return LineKind::ignored;
        const std::string_view model = string_at(*message, "model");
        if (model == "<synthetic>")
            return LineKind::ignored;
        usage.message_id = string_at(*message, "id");
        if (usage.message_id.empty())
            usage.message_id = string_at(*record, "uuid");
        usage.request_id = string_at(*record, "requestId");
        usage.model = model;
        usage.timestamp_ms = parse_timestamp_ms(string_at(*record, "timestamp")).value_or(0);
        usage.session_id = string_at(*record, "sessionId");
        usage.cwd = string_at(*record, "cwd");
        usage.git_branch = string_at(*record, "gitBranch");
        usage.is_sidechain = bool_at(*record, "isSidechain");
        usage.agent_id = string_at(*record, "agentId");
        usage.version = string_at(*record, "version");
        usage.speed = string_at(*tokens, "speed");
        usage.service_tier = string_at(*tokens, "service_tier");
        usage.inference_geo = string_at(*tokens, "inference_geo");
        TokenCounts& counts = usage.tokens;
        counts.input_tokens = integer_at(tokens, "input_tokens");
        counts.output_tokens = integer_at(tokens, "output_tokens");
        counts.cache_creation_input_tokens = integer_at(tokens, "cache_creation_input_tokens");
        counts.cache_read_input_tokens = integer_at(tokens, "cache_read_input_tokens");
        const json::object* cache_creation = object_at(tokens, "cache_creation");
        counts.cache_5m = integer_at(cache_creation, "ephemeral_5m_input_tokens");
        counts.cache_1h = integer_at(cache_creation, "ephemeral_1h_input_tokens");
        const json::object* server_tools = object_at(tokens, "server_tool_use");
        counts.web_search_requests = integer_at(server_tools, "web_search_requests");
        counts.web_fetch_requests = integer_at(server_tools, "web_fetch_requests");
        return LineKind::usage;
    }
    if (type == "user") {
        if (bool_at(*record, "isMeta"))
            return LineKind::ignored;
        const json::object* message = object_at(record, "message");
        if (!message || !is_prompt_content(message->if_contains("content")))
            return LineKind::ignored;
        const std::optional<int64_t> timestamp =
            parse_timestamp_ms(string_at(*record, "timestamp"));
        const std::string_view uuid = string_at(*record, "uuid");
        if (!timestamp || uuid.empty())
            return LineKind::ignored;
        turn.uuid = uuid;
        turn.session_id = string_at(*record, "sessionId");
        turn.timestamp_ms = *timestamp;
        turn.is_sidechain = bool_at(*record, "isSidechain");
        turn.agent_id = string_at(*record, "agentId");
        return LineKind::turn_start;
    }
    return LineKind::ignored;
}

}  // namespace ccmeter
