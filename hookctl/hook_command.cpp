#include "hook_command.hpp"

#include "common/runtime_paths.hpp"
#include "daemon_spawner.hpp"
#include "hookctl/hook_payload.hpp"
#include "meter_client.hpp"
#include "stdin_reader.hpp"

namespace ccmeter {

namespace {

// The daemon gets this long to take the event; Claude Code's hook timeout is far longer.
constexpr std::chrono::milliseconds k_notify_deadline{100};
constexpr std::chrono::milliseconds k_stdin_timeout{200};

}  // namespace

int run_hook_command() {
    try {
        const std::string input = read_stdin(k_stdin_timeout);
        const std::optional<HookPayload> payload = parse_hook_payload(input);
        if (!payload)
            return 0;  // nothing we can use; never complain
        v1::NotifyRequest request;
        request.set_hook_event_name(payload->hook_event_name);
        request.set_session_id(payload->session_id);
        request.set_transcript_path(payload->transcript_path);
        request.set_cwd(payload->cwd);
        request.set_agent_transcript_path(payload->agent_transcript_path);
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
