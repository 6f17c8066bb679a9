#include "core/usage_parser.hpp"

#include <boost/json/basic_parser_impl.hpp>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

namespace ccmeter {

namespace json = boost::json;

namespace {

// Where the value being parsed sits, for the few places that matter.
enum class Scope : uint8_t {
    other,            // anything we do not look into
    root,             // the record
    message,          // record.message
    usage,            // record.message.usage
    cache_creation,   // record.message.usage.cache_creation
    server_tool_use,  // record.message.usage.server_tool_use
    content,          // record.message.content (an array)
    block,            // one element of record.message.content
};

// Which field the next value is (set by its key, cleared once the value is consumed).
enum class Field : uint8_t {
    none,
    // record
    type,
    uuid,
    timestamp,
    session_id,
    cwd,
    git_branch,
    is_sidechain,
    agent_id,
    version,
    request_id,
    request_session_id,
    is_meta,
    message,
    // record.message
    message_id,
    model,
    usage,
    content,
    // record.message.usage
    input_tokens,
    output_tokens,
    cache_creation_input_tokens,
    cache_read_input_tokens,
    speed,
    service_tier,
    inference_geo,
    cache_creation,
    server_tool_use,
    // record.message.usage.cache_creation
    cache_5m,
    cache_1h,
    // record.message.usage.server_tool_use
    web_search_requests,
    web_fetch_requests,
    // record.message.content[i]
    block_type,
    block_id,           // a tool_use block's id
    block_name,         // a tool_use block's tool name
    block_tool_use_id,  // a tool_result block's tool_use_id
    block_is_error,     // a tool_result block's is_error
};

enum class RecordType : uint8_t { unknown, assistant, user, cost_state, other };
enum class ContentKind : uint8_t { none, string, array, other };
enum class BlockKind : uint8_t { other, tool_use, tool_result };

constexpr size_t k_tracked_depth = 8;  // scopes deeper than this are all `other`

json::parse_options parse_options() {
    json::parse_options options;
    options.allow_invalid_utf8 = true;
    options.max_depth = k_max_json_depth;
    return options;
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.back() == '\r' || text.back() == ' ' || text.back() == '\t'))
        text.remove_suffix(1);
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
        text.remove_prefix(1);
    return text;
}

Field root_field(std::string_view key) {
    switch (key.size()) {
        case 3:
            return key == "cwd" ? Field::cwd : Field::none;
        case 4:
            return key == "type" ? Field::type : key == "uuid" ? Field::uuid : Field::none;
        case 6:
            return key == "isMeta" ? Field::is_meta : Field::none;
        case 7:
            return key == "message"   ? Field::message
                   : key == "version" ? Field::version
                   : key == "agentId" ? Field::agent_id
                                      : Field::none;
        case 9:
            return key == "timestamp"   ? Field::timestamp
                   : key == "sessionId" ? Field::session_id
                   : key == "gitBranch" ? Field::git_branch
                   : key == "requestId" ? Field::request_id
                                        : Field::none;
        case 11:
            return key == "isSidechain" ? Field::is_sidechain : Field::none;
        case 16:
            return key == "requestSessionId" ? Field::request_session_id : Field::none;
        default:
            return Field::none;
    }
}

Field message_field(std::string_view key) {
    return key == "id"        ? Field::message_id
           : key == "model"   ? Field::model
           : key == "usage"   ? Field::usage
           : key == "content" ? Field::content
                              : Field::none;
}

Field usage_field(std::string_view key) {
    return key == "input_tokens"                  ? Field::input_tokens
           : key == "output_tokens"               ? Field::output_tokens
           : key == "cache_creation_input_tokens" ? Field::cache_creation_input_tokens
           : key == "cache_read_input_tokens"     ? Field::cache_read_input_tokens
           : key == "cache_creation"              ? Field::cache_creation
           : key == "server_tool_use"             ? Field::server_tool_use
           : key == "speed"                       ? Field::speed
           : key == "service_tier"                ? Field::service_tier
           : key == "inference_geo"               ? Field::inference_geo
                                                  : Field::none;
}

Field field_of(Scope scope, std::string_view key) {
    switch (scope) {
        case Scope::root:
            return root_field(key);
        case Scope::message:
            return message_field(key);
        case Scope::usage:
            return usage_field(key);
        case Scope::cache_creation:
            return key == "ephemeral_5m_input_tokens"   ? Field::cache_5m
                   : key == "ephemeral_1h_input_tokens" ? Field::cache_1h
                                                        : Field::none;
        case Scope::server_tool_use:
            return key == "web_search_requests"  ? Field::web_search_requests
                   : key == "web_fetch_requests" ? Field::web_fetch_requests
                                                 : Field::none;
        case Scope::block:
            switch (key.size()) {
                case 2:
                    return key == "id" ? Field::block_id : Field::none;
                case 4:
                    return key == "type"   ? Field::block_type
                           : key == "name" ? Field::block_name
                                           : Field::none;
                case 8:
                    return key == "is_error" ? Field::block_is_error : Field::none;
                case 11:
                    return key == "tool_use_id" ? Field::block_tool_use_id : Field::none;
                default:
                    return Field::none;
            }
        default:
            return Field::none;
    }
}

// The tool_result blocks of a user line and its timestamp, by a structural scan that only
// finds where strings end (memchr) and tracks nesting, so the big outputs in a block's content
// and in the record's toolUseResult copy cost little more than reading them. Only
// record.message.content[i] objects count as blocks (their "type", "tool_use_id" and
// "is_error"), and only the record's own "timestamp". The line must already be known to be one
// JSON object (the walk read it up to its first tool_result); a string without its end stops
// the scan with what it found so far. Nesting deeper than k_scan_depth is all `other`.
// The record's "timestamp" when it is the object's last member (`..."timestamp":"T"}`): a
// string value right before the final '}' is the root's, whatever precedes it.
std::optional<int64_t> trailing_timestamp(std::string_view line) {
    constexpr std::string_view k_key = "\"timestamp\":\"";
    constexpr size_t k_longest_value = 40;
    if (line.size() < k_key.size() + 3 || line.back() != '}' || line[line.size() - 2] != '"')
        return std::nullopt;
    const size_t value_end = line.size() - 2;
    const size_t from =
        value_end > k_key.size() + k_longest_value ? value_end - k_key.size() - k_longest_value : 0;
    const size_t key = line.rfind(k_key, value_end);
    if (key == std::string_view::npos || key < from)
        return std::nullopt;
    const std::string_view value = line.substr(key + k_key.size(), value_end - key - k_key.size());
    if (value.find('"') != std::string_view::npos || value.find('\\') != std::string_view::npos)
        return std::nullopt;
    return parse_timestamp_ms(value);
}

void scan_tool_results(std::string_view line, std::vector<ToolResult>& results) {
    constexpr size_t k_scan_depth = 8;
    Scope scopes[k_scan_depth] = {};
    size_t depth = 0;
    auto scope = [&] {
        return depth > 0 && depth <= k_scan_depth ? scopes[depth - 1] : Scope::other;
    };
    std::string_view key;
    bool has_key = false;
    std::string_view block_id;
    bool block_is_result = false;
    bool block_is_error = false;
    std::optional<int64_t> timestamp;
    const size_t first = results.size();
    const char* data = line.data();
    const size_t n = line.size();
    size_t i = 0;
    while (i < n) {
        const char c = data[i];
        if (c == '"') {
            const size_t start = i + 1;
            size_t end = start;
            for (;;) {
                const void* quote = std::memchr(data + end, '"', n - end);
                if (!quote) {
                    i = n;
                    break;
                }
                end = static_cast<size_t>(static_cast<const char*>(quote) - data);
                size_t backslashes = 0;
                while (end - backslashes > start && data[end - backslashes - 1] == '\\')
                    ++backslashes;
                if (backslashes % 2 == 0)
                    break;
                ++end;
            }
            if (i == n)
                break;
            const std::string_view text(data + start, end - start);
            i = end + 1;
            size_t next = i;
            while (next < n && (data[next] == ' ' || data[next] == '\t' || data[next] == '\n' ||
                                data[next] == '\r'))
                ++next;
            if (next < n && data[next] == ':') {
                key = text;
                has_key = true;
                i = next + 1;
                continue;
            }
            if (has_key) {
                const Scope at = scope();
                if (at == Scope::block && key == "type")
                    block_is_result = text == "tool_result";
                else if (at == Scope::block && key == "tool_use_id")
                    block_id = text;
                else if (at == Scope::root && key == "timestamp")
                    timestamp = parse_timestamp_ms(text);
            }
            has_key = false;
            continue;
        }
        if (c == '{' || c == '[') {
            const Scope at = scope();
            Scope child = Scope::other;
            if (depth == 0)
                child = c == '{' ? Scope::root : Scope::other;
            else if (at == Scope::root && c == '{' && has_key && key == "message")
                child = Scope::message;
            else if (at == Scope::message && c == '[' && has_key && key == "content")
                child = Scope::content;
            else if (at == Scope::content && c == '{')
                child = Scope::block;
            if (child == Scope::block) {
                block_id = {};
                block_is_result = false;
                block_is_error = false;
            }
            if (depth < k_scan_depth)
                scopes[depth] = child;
            ++depth;
            has_key = false;
            ++i;
            continue;
        }
        if (c == '}' || c == ']') {
            const Scope closing = scope();
            if (closing == Scope::block && block_is_result && !block_id.empty())
                results.push_back(ToolResult{std::string(block_id), block_is_error, 0});
            if (depth > 0)
                --depth;
            has_key = false;
            ++i;
            // The blocks are all read: the rest is wanted only for the timestamp. Stop when it
            // came before (as Claude Code writes it), or when the record ends with it.
            if (closing == Scope::message && (timestamp || (timestamp = trailing_timestamp(line))))
                break;
            continue;
        }
        if (c == 't' || c == 'f') {
            if (has_key && scope() == Scope::block && key == "is_error")
                block_is_error = c == 't';
            has_key = false;
        } else if (c == ',') {
            has_key = false;
        }
        ++i;
    }
    for (size_t r = first; r < results.size(); ++r)
        results[r].finished_ms = timestamp.value_or(0);
}

// The SAX handler: keeps what matters of one line while basic_parser walks it. Values outside
// the tracked scopes cost nothing but the walk. Every key resets the field it names, so a
// duplicate key's last value wins.
class LineHandler {
  public:
    static constexpr size_t max_object_size = static_cast<size_t>(-1);
    static constexpr size_t max_array_size = static_cast<size_t>(-1);
    static constexpr size_t max_key_size = static_cast<size_t>(-1);
    static constexpr size_t max_string_size = static_cast<size_t>(-1);

    // Prepares for a new line. With `stop_early`, the walk ends once the line is worthless.
    void start(bool stop_early) {
        m_stop_early = stop_early;
        m_stopped = false;
        m_root_seen = false;
        m_depth = 0;
        m_scopes[0] = Scope::other;
        m_field = Field::none;
        m_key.clear();
        m_key_parts = false;
        m_text.clear();
        m_text_parts = false;
        m_type = RecordType::unknown;
        m_uuid.clear();
        m_timestamp.reset();
        m_is_sidechain = false;
        m_is_meta = false;
        m_usage.session_id.clear();
        m_usage.cwd.clear();
        m_usage.git_branch.clear();
        m_usage.agent_id.clear();
        m_usage.version.clear();
        m_usage.request_id.clear();
        m_request_session_id.clear();
        reset_message();
    }

    // Completes the tool_use / tool_result blocks of the line just walked with its record's
    // fields (which may follow `message`): tool uses on an assistant line, results on a user
    // line; any other line keeps none. Call before result(), which hands the strings over.
    void finish_tools() {
        if (m_type == RecordType::assistant && m_message_is_object) {
            m_tool_results.clear();
            const bool fork_copy =
                !m_request_session_id.empty() && m_request_session_id != m_usage.session_id;
            for (ToolUse& use : m_tool_uses) {
                use.session_id = fork_copy ? m_request_session_id : m_usage.session_id;
                use.cwd = m_usage.cwd;
                use.is_sidechain = m_is_sidechain;
                use.agent_id = m_usage.agent_id;
                use.started_ms = m_timestamp.value_or(0);
            }
        } else if (is_tool_result_line()) {
            m_tool_uses.clear();  // the results are scan_tool_results' to fill
            m_tool_results.clear();
        } else {
            drop_tools();
        }
    }
    void drop_tools() {
        m_tool_uses.clear();
        m_tool_results.clear();
    }
    const std::vector<ToolUse>& tool_uses() const { return m_tool_uses; }
    const std::vector<ToolResult>& tool_results() const { return m_tool_results; }
    std::vector<ToolResult>& tool_results() { return m_tool_results; }
    // A user record (not isMeta, as far as the walk read) whose content has a tool_result block.
    bool is_tool_result_line() const {
        return m_type == RecordType::user && m_message_is_object && m_has_tool_result && !m_is_meta;
    }

    bool stopped() const { return m_stopped; }
    bool is_cost_state() const { return m_type == RecordType::cost_state; }
    bool root_seen() const { return m_root_seen; }

    // What a line read to its end yields (see UsageParser::parse).
    LineKind result(UsageRecord& usage, TurnStart& turn) {
        if (m_type == RecordType::assistant) {
            if (!m_message_is_object || !m_has_usage || m_usage.model == "<synthetic>")
                return LineKind::ignored;
            if (m_out_of_range)
                return LineKind::out_of_range;
            // The dedup key is (message.id, requestId), as in truth.py. Only a line with
            // neither is keyed by its own uuid.
            if (m_usage.message_id.empty() && m_usage.request_id.empty())
                m_usage.message_id = m_uuid;
            m_usage.timestamp_ms = m_timestamp.value_or(0);
            m_usage.is_sidechain = m_is_sidechain;
            // A line that --fork-session copied into a new session names the session that
            // made the request: the response is that session's (the client bills it there).
            if (!m_request_session_id.empty() && m_request_session_id != m_usage.session_id) {
                m_usage.session_id.swap(m_request_session_id);
                m_usage.is_fork_copy = true;
            } else {
                m_usage.is_fork_copy = false;
            }
            std::swap(usage, m_usage);  // hands over the strings; ours are cleared next line
            return LineKind::usage;
        }
        if (m_type == RecordType::user) {
            const bool prompt = m_content == ContentKind::string ||
                                (m_content == ContentKind::array && !m_has_tool_result);
            if (m_is_meta || !m_message_is_object || !prompt || !m_timestamp || m_uuid.empty())
                return LineKind::ignored;
            turn.uuid = m_uuid;
            turn.session_id = m_usage.session_id;
            turn.timestamp_ms = *m_timestamp;
            turn.is_sidechain = m_is_sidechain;
            turn.agent_id = m_usage.agent_id;
            return LineKind::turn_start;
        }
        return LineKind::ignored;
    }

    bool on_document_begin(json::error_code&) { return true; }
    bool on_document_end(json::error_code&) { return true; }
    bool on_object_begin(json::error_code&) { return open(true); }
    bool on_object_end(size_t, json::error_code& ec) { return close(ec); }
    bool on_array_begin(json::error_code&) { return open(false); }
    bool on_array_end(size_t, json::error_code& ec) { return close(ec); }
    bool on_comment_part(json::string_view, json::error_code&) { return true; }
    bool on_comment(json::string_view, json::error_code&) { return true; }
    bool on_number_part(json::string_view, json::error_code&) { return true; }

    bool on_key_part(json::string_view part, size_t, json::error_code&) {
        if (m_key.size() < k_longest_key)
            m_key.append(part.data(), part.size());
        m_key_parts = true;
        return true;
    }
    bool on_key(json::string_view last, size_t total, json::error_code&) {
        std::string_view key(last.data(), last.size());
        if (m_key_parts) {  // it had escapes: the parts are unescaped
            m_key.append(last.data(), last.size());
            key = total <= k_longest_key ? std::string_view(m_key) : std::string_view();
        }
        m_field = field_of(scope(), key);
        m_key.clear();
        m_key_parts = false;
        if (m_field != Field::none)
            reset_field(m_field);
        return true;
    }

    bool on_string_part(json::string_view part, size_t, json::error_code&) {
        if (m_field != Field::none) {
            m_text.append(part.data(), part.size());
            m_text_parts = true;
        }
        return true;
    }
    bool on_string(json::string_view last, size_t, json::error_code& ec) {
        if (m_field == Field::none)
            return true;
        std::string_view value(last.data(), last.size());
        if (m_text_parts) {
            m_text.append(last.data(), last.size());
            value = m_text;
        }
        const bool go_on = take_string(value, ec);
        m_text.clear();
        m_text_parts = false;
        m_field = Field::none;
        return go_on;
    }

    bool on_int64(int64_t value, json::string_view, json::error_code& ec) {
        return take_number(value >= 0, value, ec);
    }
    bool on_uint64(uint64_t value, json::string_view, json::error_code& ec) {
        const bool fits = value <= static_cast<uint64_t>(k_max_tokens_per_field);
        return take_number(fits, fits ? static_cast<int64_t>(value) : 0, ec);
    }
    bool on_double(double value, json::string_view, json::error_code& ec) {
        // An integral double within the limit (1e3) is that integer; 1.5, -1.0, 1e300 are not.
        const bool whole = value >= 0 && value <= static_cast<double>(k_max_tokens_per_field) &&
                           std::floor(value) == value;
        return take_number(whole, whole ? static_cast<int64_t>(value) : 0, ec);
    }
    bool on_bool(bool value, json::error_code& ec) {
        const Field field = m_field;
        m_field = Field::none;
        if (field == Field::is_sidechain)
            m_is_sidechain = value;
        else if (field == Field::block_is_error)
            m_block_is_error = value;
        else if (field == Field::is_meta)
            m_is_meta = value;
        else
            return take_other(field, ec);
        return check_stop(ec);
    }
    bool on_null(json::error_code& ec) {
        const Field field = m_field;
        m_field = Field::none;
        return take_other(field, ec);
    }

  private:
    static constexpr size_t k_longest_key = 64;  // longer keys are none of ours

    Scope scope() const { return m_depth < k_tracked_depth ? m_scopes[m_depth] : Scope::other; }

    bool open(bool is_object) {
        const Field field = m_field;
        m_field = Field::none;
        Scope child = Scope::other;
        if (m_depth == 0) {
            m_root_seen = is_object;
            child = is_object ? Scope::root : Scope::other;
        } else if (is_object) {
            switch (field) {
                case Field::message:
                    m_message_is_object = true;
                    child = Scope::message;
                    break;
                case Field::usage:
                    m_has_usage = true;
                    child = Scope::usage;
                    break;
                case Field::cache_creation:
                    child = Scope::cache_creation;
                    break;
                case Field::server_tool_use:
                    child = Scope::server_tool_use;
                    break;
                case Field::content:
                    m_content = ContentKind::other;
                    break;
                default:
                    if (field == Field::none && scope() == Scope::content) {
                        child = Scope::block;
                        m_block_kind = BlockKind::other;
                        m_block_id.clear();
                        m_block_name.clear();
                        m_block_is_error = false;
                    }
                    break;
            }
        } else if (field == Field::content) {
            m_content = ContentKind::array;
            child = Scope::content;
        }
        ++m_depth;
        if (m_depth < k_tracked_depth)
            m_scopes[m_depth] = child;
        return true;
    }

    bool close(json::error_code& ec) {
        const Scope closing = scope();
        --m_depth;
        m_field = Field::none;
        if (closing == Scope::block) {
            finish_block();
        }
        (void)ec;
        return true;
    }

    // A content block ended: keep it if it is a tool call with an id. (Tool results are
    // taken by scan_tool_results: the walk stops at a user line's first one.)
    void finish_block() {
        if (m_block_kind == BlockKind::tool_use && !m_block_id.empty()) {
            ToolUse& use = m_tool_uses.emplace_back();
            use.tool_use_id = m_block_id;
            use.name = m_block_name;
        }
    }

    // Ends the walk (returns false) once nothing this line holds can count.
    bool check_stop(json::error_code& ec) {
        if (!m_stop_early)
            return true;
        // A cost-state record is worth nothing to this walk: UsageParser reads it apart, and
        // the tool results of a user line too (scan_tool_results).
        const bool worthless = m_type == RecordType::other || m_type == RecordType::cost_state ||
                               (m_type == RecordType::user && (m_is_meta || m_has_tool_result));
        if (!worthless)
            return true;
        m_stopped = true;
        ec = json::error::extra_data;  // any error: it makes basic_parser return
        return false;
    }

    std::string* text_target(Field field) {
        switch (field) {
            case Field::uuid:
                return &m_uuid;
            case Field::session_id:
                return &m_usage.session_id;
            case Field::cwd:
                return &m_usage.cwd;
            case Field::git_branch:
                return &m_usage.git_branch;
            case Field::agent_id:
                return &m_usage.agent_id;
            case Field::version:
                return &m_usage.version;
            case Field::request_id:
                return &m_usage.request_id;
            case Field::request_session_id:
                return &m_request_session_id;
            case Field::block_id:
            case Field::block_tool_use_id:
                return &m_block_id;  // a block is a tool_use or a tool_result, never both
            case Field::block_name:
                return &m_block_name;
            case Field::message_id:
                return &m_usage.message_id;
            case Field::model:
                return &m_usage.model;
            case Field::speed:
                return &m_usage.speed;
            case Field::service_tier:
                return &m_usage.service_tier;
            case Field::inference_geo:
                return &m_usage.inference_geo;
            default:
                return nullptr;
        }
    }

    int64_t* count_target(Field field) {
        TokenCounts& counts = m_usage.tokens;
        switch (field) {
            case Field::input_tokens:
                return &counts.input_tokens;
            case Field::output_tokens:
                return &counts.output_tokens;
            case Field::cache_creation_input_tokens:
                return &counts.cache_creation_input_tokens;
            case Field::cache_read_input_tokens:
                return &counts.cache_read_input_tokens;
            case Field::cache_5m:
                return &counts.cache_5m;
            case Field::cache_1h:
                return &counts.cache_1h;
            case Field::web_search_requests:
                return &counts.web_search_requests;
            case Field::web_fetch_requests:
                return &counts.web_fetch_requests;
            default:
                return nullptr;
        }
    }

    // A key was read: its field starts out absent.
    void reset_field(Field field) {
        if (std::string* text = text_target(field)) {
            text->clear();
        } else if (int64_t* count = count_target(field)) {
            *count = 0;
        } else {
            switch (field) {
                case Field::timestamp:
                    m_timestamp.reset();
                    break;
                case Field::is_sidechain:
                    m_is_sidechain = false;
                    break;
                case Field::is_meta:
                    m_is_meta = false;
                    break;
                case Field::message:
                    reset_message();
                    break;
                case Field::usage:
                    reset_usage();
                    break;
                case Field::content:
                    m_content = ContentKind::none;
                    m_has_tool_result = false;
                    break;
                default:
                    break;
            }
        }
    }

    void reset_message() {
        m_message_is_object = false;
        drop_tools();
        m_usage.message_id.clear();
        m_usage.model.clear();
        m_content = ContentKind::none;
        m_has_tool_result = false;
        reset_usage();
    }

    void reset_usage() {
        m_has_usage = false;
        m_out_of_range = false;
        m_usage.tokens = TokenCounts();
        m_usage.speed.clear();
        m_usage.service_tier.clear();
        m_usage.inference_geo.clear();
    }

    bool take_string(std::string_view value, json::error_code& ec) {
        switch (m_field) {
            case Field::type:
                m_type = value == "assistant"    ? RecordType::assistant
                         : value == "user"       ? RecordType::user
                         : value == "cost-state" ? RecordType::cost_state
                                                 : RecordType::other;
                return check_stop(ec);
            case Field::timestamp:
                m_timestamp = parse_timestamp_ms(value);
                return true;
            case Field::content:
                m_content = ContentKind::string;
                return true;
            case Field::block_type:
                if (value == "tool_result") {
                    m_has_tool_result = true;
                    m_block_kind = BlockKind::tool_result;
                } else {
                    m_block_kind = value == "tool_use" ? BlockKind::tool_use : BlockKind::other;
                }
                return check_stop(ec);
            default:
                if (std::string* text = text_target(m_field))
                    text->assign(value);
                return true;  // a count given as a string stays 0
        }
    }

    // A number for the current field: counts must be whole, >= 0 and within their limit.
    bool take_number(bool in_range, int64_t value, json::error_code& ec) {
        const Field field = m_field;
        m_field = Field::none;
        int64_t* count = count_target(field);
        if (!count)
            return take_other(field, ec);
        const bool requests =
            field == Field::web_search_requests || field == Field::web_fetch_requests;
        if (!in_range || value > (requests ? k_max_requests_per_field : k_max_tokens_per_field))
            m_out_of_range = true;  // the line will not count; *count stays 0
        else
            *count = value;
        return true;
    }

    // Any other scalar (a number, bool or null) for `field`.
    bool take_other(Field field, json::error_code& ec) {
        if (field == Field::type) {
            m_type = RecordType::other;
            return check_stop(ec);
        }
        if (field == Field::content)
            m_content = ContentKind::other;
        return true;
    }

    bool m_stop_early = true;
    bool m_stopped = false;
    bool m_root_seen = false;
    size_t m_depth = 0;  // containers open around the current value
    Scope m_scopes[k_tracked_depth] = {};
    Field m_field = Field::none;
    std::string m_key;  // a key delivered in parts (it had escapes)
    bool m_key_parts = false;
    std::string m_text;  // a wanted string delivered in parts
    bool m_text_parts = false;

    RecordType m_type = RecordType::unknown;
    std::string m_uuid;
    std::string m_request_session_id;
    std::optional<int64_t> m_timestamp;
    bool m_is_sidechain = false;
    bool m_is_meta = false;
    bool m_message_is_object = false;
    bool m_has_usage = false;
    bool m_out_of_range = false;
    ContentKind m_content = ContentKind::none;
    bool m_has_tool_result = false;
    UsageRecord m_usage;  // record and usage fields; timestamp and is_sidechain set last
    // The content block being walked (tool_use id or tool_result tool_use_id in m_block_id).
    BlockKind m_block_kind = BlockKind::other;
    std::string m_block_id;
    std::string m_block_name;
    bool m_block_is_error = false;
    std::vector<ToolUse> m_tool_uses;  // this line's blocks, completed by finish_tools()
    std::vector<ToolResult> m_tool_results;
};

}  // namespace

// basic_parser with our handler; one per UsageParser, reused line after line.
class LineParser {
  public:
    enum class Outcome {
        complete,  // one whole JSON value, read to its end
        stopped,   // the handler ended the walk: the line is worthless
        invalid,   // not JSON, or more than one value
    };

    LineParser() : m_parser(parse_options()) {}

    Outcome run(std::string_view text, bool stop_early) {
        m_parser.reset();
        m_parser.handler().start(stop_early);
        json::error_code ec;
        const size_t used = m_parser.write_some(false, text.data(), text.size(), ec);
        if (m_parser.handler().stopped())
            return Outcome::stopped;
        if (ec || used != text.size() || !m_parser.handler().root_seen())
            return Outcome::invalid;
        return Outcome::complete;
    }

    LineHandler& handler() { return m_parser.handler(); }

  private:
    json::basic_parser<LineHandler> m_parser;
};

UsageParser::UsageParser() : m_parser(std::make_unique<LineParser>()) {}

UsageParser::~UsageParser() = default;

bool UsageParser::is_complete_object(std::string_view text) {
    text = trim(text);
    if (text.empty() || text.front() != '{')
        return false;
    return m_parser->run(text, false) == LineParser::Outcome::complete;
}

LineKind UsageParser::parse(std::string_view line, UsageRecord& usage, TurnStart& turn) {
    line = trim(line);
    if (line.empty())
        return LineKind::ignored;
    LineHandler& handler = m_parser->handler();
    switch (m_parser->run(line, true)) {
        case LineParser::Outcome::stopped:
            handler.finish_tools();
            if (handler.is_cost_state()) {
                std::optional<ClientCostState> state = parse_cost_state(line);
                if (!state)
                    return LineKind::malformed;
                m_cost_state = std::move(*state);
                return LineKind::cost_state;
            }
            // Valid up to where it stopped; still catch a line that was cut.
            if (line.back() != '}') {
                handler.drop_tools();
                return LineKind::malformed;
            }
            if (handler.is_tool_result_line())
                scan_tool_results(line, handler.tool_results());
            return LineKind::ignored;
        case LineParser::Outcome::invalid:
            handler.drop_tools();
            return LineKind::malformed;
        case LineParser::Outcome::complete:
            break;
    }
    handler.finish_tools();
    return handler.result(usage, turn);
}

const std::vector<ToolUse>& UsageParser::tool_uses() const {
    return m_parser->handler().tool_uses();
}

const std::vector<ToolResult>& UsageParser::tool_results() const {
    return m_parser->handler().tool_results();
}

}  // namespace ccmeter
