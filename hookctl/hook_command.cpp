#include "hook_command.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "common/runtime_paths.hpp"
#include "common/text_sanitizer.hpp"
#include "daemon_spawner.hpp"
#include "meter_client.hpp"
#include "stdin_reader.hpp"

namespace ccmeter {

namespace json = boost::json;

namespace {

// The daemon gets this long to take the event; Claude Code's hook timeout is far longer.
constexpr std::chrono::milliseconds k_notify_deadline{100};
constexpr std::chrono::milliseconds k_stdin_timeout{200};

std::string text_at(const json::object& object, std::string_view key) {
    const json::value* value = object.if_contains(key);
    // Valid UTF-8 for the protobuf string field (a lone \ud800 escape decodes to bytes that are
    // not).
    return value && value->is_string() ? valid_utf8(value->get_string()) : std::string();
}

}  // namespace

int run_hook_command() {
    try {
        const std::string input = read_stdin(k_stdin_timeout);
        json::error_code ec;
        const json::value payload = json::parse(input, ec);
        if (ec || !payload.is_object())
            return 0;  // nothing we can use; never complain
        const json::object& fields = payload.get_object();
        v1::NotifyRequest request;
        request.set_hook_event_name(text_at(fields, "hook_event_name"));
        request.set_session_id(text_at(fields, "session_id"));
        request.set_transcript_path(text_at(fields, "transcript_path"));
        request.set_cwd(text_at(fields, "cwd"));
        request.set_agent_transcript_path(text_at(fields, "agent_transcript_path"));
        MeterClient client(socket_path());
        Result<v1::NotifyReply> reply =
            client.notify(request, MeterClient::Clock::now() + k_notify_deadline);
        // Not running: start it; its catch-up scan reads this event's transcript too.
        if (!reply && client.daemon_unreachable())
            spawn_daemon();
    } catch (...) {
        // A hook exits 0 whatever happens.
    }
    return 0;
}

}  // namespace ccmeter
