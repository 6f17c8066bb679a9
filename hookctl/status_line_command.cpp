#include "status_line_command.hpp"
#include "common/clock.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "common/app_paths.hpp"
#include "common/budget_config.hpp"
#include "common/local_periods.hpp"
#include "common/runtime_paths.hpp"
#include "common/text_sanitizer.hpp"
#include "daemon_spawner.hpp"
#include "meter_client.hpp"
#include "status_line_format.hpp"
#include "stdin_reader.hpp"

namespace ccmeter {

namespace {

// Claude Code writes the payload at once and closes stdin.
constexpr std::chrono::milliseconds k_stdin_timeout{100};
// The daemon answers in a few ms; past this, the degraded line is more useful than waiting.
constexpr std::chrono::milliseconds k_answer_deadline{400};

}  // namespace

int run_status_line_command(int argc, char** argv) {
    std::string line;
    try {
        hookctl::StatusLineStyle style;
        std::string color_setting;
        if (const char* format = std::getenv("CCMETER_STATUSLINE_FORMAT"); format && *format)
            style.line_template = format;
        for (int i = 2; i + 1 < argc; i += 2) {
            if (std::strcmp(argv[i], "--format") == 0)
                style.line_template = argv[i + 1];
            if (std::strcmp(argv[i], "--color") == 0)
                color_setting = argv[i + 1];
        }
        style.color = hookctl::colors_enabled(std::getenv("NO_COLOR"), color_setting);
        style.now_ms = now_ms();

        // Protobuf string fields must be valid UTF-8 (else the daemon cannot parse the call).
        const std::string payload = valid_utf8(read_stdin(k_stdin_timeout));
        v1::StatusLineRequest request;
        request.set_payload_json(payload);
        request.set_today_start_ms(local_day_start(style.now_ms));
        // A bad budgets file must not cost the status line: it is shown without budgets (and
        // `hookctl stats limits` says what is wrong).
        if (Result<Budgets> budgets = load_budgets(default_budgets_path()); budgets)
            style.budgets = *budgets;
        if (style.budgets.weekly_micro_usd)
            request.set_week_start_ms(local_week_start(style.now_ms));
        if (style.budgets.monthly_micro_usd)
            request.set_month_start_ms(local_month_start(style.now_ms));
        MeterClient client(socket_path());
        Result<v1::StatusLineReply> reply =
            client.status_line(request, MeterClient::Clock::now() + k_answer_deadline);
        if (reply) {
            line = hookctl::format_status_line(*reply, style);
        } else {
            line = hookctl::format_degraded_status_line(payload, style);
            if (client.daemon_unreachable())
                spawn_daemon();
        }
    } catch (...) {
        line = "ccmeter: daemon down";
    }
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fputc('\n', stdout);
    return 0;
}

}  // namespace ccmeter
