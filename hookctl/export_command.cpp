#include "export_command.hpp"

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <system_error>

#include <fcntl.h>
#include <unistd.h>

#include "common/clock.hpp"
#include "common/export_format.hpp"
#include "common/local_periods.hpp"
#include "common/runtime_paths.hpp"
#include "common/stats_format.hpp"
#include "meter_client.hpp"
#include "stats_command.hpp"

namespace ccmeter {

namespace fs = std::filesystem;

namespace {

// The daemon sends a page at least this often while it works (a page of 1000 rows takes
// milliseconds; sessions and days are summed first, which may take seconds on a big history).
constexpr std::chrono::seconds k_export_idle_timeout{300};

int usage_error(const std::string& message) {
    std::cerr << "hookctl export: " << message << "\n";
    return 2;
}

}  // namespace

int run_export_command(const ExportCommandOptions& options) {
    ExportKind kind;
    v1::ExportRequest request;
    if (options.what == "responses") {
        kind = ExportKind::responses;
        request.set_what(v1::EXPORT_WHAT_RESPONSES);
    } else if (options.what == "sessions") {
        kind = ExportKind::sessions;
        request.set_what(v1::EXPORT_WHAT_SESSIONS);
    } else if (options.what == "daily") {
        kind = ExportKind::daily;
        request.set_what(v1::EXPORT_WHAT_DAILY);
    } else {
        return usage_error("--what takes responses, sessions or daily");
    }
    ExportFormat format;
    if (options.format == "json")
        format = ExportFormat::json;
    else if (options.format == "csv")
        format = ExportFormat::csv;
    else
        return usage_error("--format takes json or csv");
    Result<v1::Filter> filter =
        report_filter(options.since, options.until, options.tz, options.project);
    if (!filter)
        return usage_error(filter.error().message);
    *request.mutable_filter() = *filter;

    MeterClient client(socket_path());
    Result<v1::HealthReply> health = caught_up_daemon(client);
    if (!health) {
        std::cerr << "hookctl export: " << health.error().message << "\n";
        return 1;
    }
    if (kind == ExportKind::daily) {
        // The local days from the first response (or --since) to the last (or --until), as for
        // `hookctl stats daily`.
        const auto [first, last] = report_span(*filter, *health, now_ms());
        for (int64_t boundary : period_boundaries(PeriodKind::day, first, last))
            request.add_boundaries_ms(boundary);
    }

    std::ofstream file;
    fs::path partial;
    if (options.output) {
        partial = *options.output + ".partial";
        const int fd = ::open(partial.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0) {
            std::cerr << "hookctl export: cannot create " << partial.string() << "\n";
            return 1;
        }
        ::close(fd);
        file.open(partial, std::ios::binary | std::ios::trunc);
        if (!file) {
            std::cerr << "hookctl export: cannot write " << partial.string() << "\n";
            return 1;
        }
    } else {
        std::ios::sync_with_stdio(false);
    }
    std::ostream& out = options.output ? static_cast<std::ostream&>(file) : std::cout;
    auto discard = [&] {
        if (options.output) {
            file.close();
            std::error_code ignored;
            fs::remove(partial, ignored);
        }
    };

    ExportWriter writer(format, kind, out);
    Result<void> streamed = client.export_pages(
        request, k_export_idle_timeout, [&](const v1::ExportPage& page) -> Result<void> {
            for (const v1::ExportedResponse& response : page.responses())
                writer.add(response_export_json(response));
            for (const v1::Group& session : page.sessions())
                writer.add(session_entry_json(session, false));
            for (const v1::Period& period : page.periods())
                writer.add(period_entry_json(period, day_label(period.start_ms()), false));
            if (!out)
                return Error{options.output ? "cannot write " + partial.string()
                                            : std::string("cannot write to stdout")};
            return {};
        });
    if (!streamed) {
        std::cerr << "hookctl export: " << streamed.error().message << "\n";
        discard();
        return 1;
    }
    writer.finish();
    if (!out) {
        std::cerr << "hookctl export: cannot write the output\n";
        discard();
        return 1;
    }
    if (options.output) {
        file.close();
        std::error_code ec;
        fs::rename(partial, *options.output, ec);
        if (ec || !file) {
            std::cerr << "hookctl export: cannot write " << *options.output << "\n";
            discard();
            return 1;
        }
        std::cerr << "hookctl export: " << writer.rows() << " rows written to " << *options.output
                  << "\n";
    }
    return 0;
}

}  // namespace ccmeter
