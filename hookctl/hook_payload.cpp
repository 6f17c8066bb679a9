#include "hookctl/hook_payload.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "common/text_sanitizer.hpp"

namespace ccmeter {

namespace json = boost::json;

namespace {

std::string text_at(const json::object& object, std::string_view key) {
    const json::value* value = object.if_contains(key);
    return value && value->is_string() ? valid_utf8(value->get_string()) : std::string();
}

}  // namespace

std::optional<HookPayload> parse_hook_payload(std::string_view json_text) {
    json::error_code ec;
    const json::value payload = json::parse(json_text, ec);
    if (ec || !payload.is_object())
        return std::nullopt;
    const json::object& fields = payload.get_object();
    HookPayload result;
    result.hook_event_name = text_at(fields, "hook_event_name");
    result.session_id = text_at(fields, "session_id");
    result.transcript_path = text_at(fields, "transcript_path");
    result.cwd = text_at(fields, "cwd");
    result.agent_transcript_path = text_at(fields, "agent_transcript_path");
    return result;
}

}  // namespace ccmeter
