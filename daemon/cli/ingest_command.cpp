#include "cli/ingest_command.hpp"

#include <unistd.h>
#include <algorithm>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <cstdio>
#include <ostream>

#include "common/app_paths.hpp"
#include "common/config_dirs.hpp"
#include "common/json_text.hpp"
#include "core/ingest_engine.hpp"
#include "core/usage_report.hpp"

namespace ccmeter {

namespace json = boost::json;

namespace {

json::object totals_json(const UsageTotals& totals) {
    const TokenCounts& t = totals.tokens;
    json::object object;
    object["input_tokens"] = t.input_tokens;
    object["output_tokens"] = t.output_tokens;
    object["cache_creation_input_tokens"] = t.cache_creation_input_tokens;
    object["cache_read_input_tokens"] = t.cache_read_input_tokens;
    object["cache_5m"] = t.cache_5m;
    object["cache_1h"] = t.cache_1h;
    object["unique_responses"] = totals.responses;
    object["cost_usd"] = static_cast<double>(micro_usd(totals.cost_pico_usd)) / 1e6;
    object["unpriced_responses"] = totals.unpriced_responses;
    return object;
}

std::string dollars(int64_t pico_usd) {
    const int64_t cents = (micro_usd(pico_usd) + 5'000) / 10'000;
    char text[48];
    std::snprintf(text, sizeof text, "$%lld.%02lld", static_cast<long long>(cents / 100),
                  static_cast<long long>(cents % 100));
    return text;
}

}  // namespace

int run_ingest_command(const IngestCommandOptions& options, std::ostream& out, std::ostream& err) {
    Grouping group_by = Grouping::none;
    const char* group_key = nullptr;
    if (options.by == "model") {
        group_by = Grouping::model;
        group_key = "by_model";
    } else if (options.by == "day") {
        group_by = Grouping::day_utc;
        group_key = "by_day_utc";
    } else if (options.by == "session") {
        group_by = Grouping::session;
        group_key = "by_session";
    } else if (options.by == "project") {
        group_by = Grouping::project;
        group_key = "by_project";
    } else if (!options.by.empty()) {
        err << "ccmeterd ingest: --by takes model, day, session or project\n";
        return 2;
    }

    PriceTable prices = PriceTable::builtin();
    const std::filesystem::path prices_path =
        options.prices.empty() ? default_prices_path() : options.prices;
    std::error_code ec;
    if (std::filesystem::exists(prices_path, ec)) {
        if (std::string error = prices.load_overrides(prices_path); !error.empty()) {
            err << "ccmeterd: price overrides ignored: " << error << "\n";
        }
    }

    const std::filesystem::path database =
        options.database.empty() ? default_database_path() : options.database;
    Result<std::unique_ptr<UsageStore>> store = UsageStore::open(database);
    if (!store) {
        err << "ccmeterd: " << store.error().message << "\n";
        return 1;
    }
    IngestOptions ingest_options;
    if (options.batch_lines > 0)
        ingest_options.batch_lines = options.batch_lines;
    if (!options.quiet)
        ingest_options.log = [&err](const std::string& line) {
            err << "ccmeterd: " << line << "\n";
        };
    if (options.progress && ::isatty(2)) {
        ingest_options.progress = [&err](int64_t done, int64_t total) {
            const int64_t percent = total > 0 ? std::min<int64_t>(100, done * 100 / total) : 100;
            const int width = 40;
            const int filled = static_cast<int>(percent * width / 100);
            err << "\rbackfill [" << std::string(static_cast<size_t>(filled), '#')
                << std::string(static_cast<size_t>(width - filled), ' ') << "] " << percent << "% "
                << done / 1'000'000 << "/" << total / 1'000'000 << " MB" << std::flush;
        };
    }
    IngestEngine engine(**store, ingest_options);
    const auto started = std::chrono::steady_clock::now();
    const std::vector<std::filesystem::path> dirs =
        options.config_dirs.empty() ? config_dirs_from_environment() : options.config_dirs;
    Result<IngestStats> stats =
        options.files.empty() ? engine.ingest_dirs(dirs) : engine.ingest_files(options.files);
    if (!stats) {
        err << "ccmeterd: ingest stopped: " << stats.error().message << "\n";
        return 1;
    }
    // Committed (safe from a crash of this process) here; after the checkpoint, also from a
    // power loss.
    const auto committed = std::chrono::steady_clock::now();
    if (Result<void> durable = (*store)->checkpoint(); !durable) {
        err << "ccmeterd: " << durable.error().message << "\n";
        return 1;
    }
    if (ingest_options.progress)
        err << "\n";
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const double commit_seconds = std::chrono::duration<double>(committed - started).count();

    Result<UsageReport> report = build_report(**store, prices, {}, group_by);
    if (!report) {
        err << "ccmeterd: " << report.error().message << "\n";
        return 1;
    }
    Result<int64_t> malformed_lines = (*store)->malformed_lines();
    if (!malformed_lines) {
        err << "ccmeterd: " << malformed_lines.error().message << "\n";
        return 1;
    }
    const int64_t malformed = *malformed_lines;
    if (options.json) {
        json::object root;
        json::object totals = totals_json(report->totals);
        totals["malformed_lines"] = malformed;
        root["totals"] = totals;
        root["unique_responses"] = report->totals.responses;
        root["cost_micro_usd"] = micro_usd(report->totals.cost_pico_usd);
        json::array unpriced_models;
        for (const std::string& model : report->totals.unpriced_models)
            unpriced_models.emplace_back(model);
        root["unpriced_models"] = std::move(unpriced_models);
        if (group_key) {
            json::object groups;
            for (const auto& [key, totals_of_group] : report->groups)
                groups[key] = totals_json(totals_of_group);
            root[group_key] = std::move(groups);
        }
        json::object ingest;
        ingest["files_seen"] = stats->files_seen;
        ingest["files_read"] = stats->files_read;
        ingest["files_reset"] = stats->files_reset;
        ingest["bytes_read"] = stats->bytes_read;
        ingest["lines"] = stats->lines;
        ingest["usage_lines"] = stats->usage_lines;
        ingest["malformed_lines"] = stats->malformed_lines;
        ingest["refused_files"] = stats->refused_files;  // not regular files, never opened
        ingest["long_lines"] = stats->long_lines;        // over k_max_line_bytes, skipped
        ingest["out_of_range_lines"] = stats->out_of_range_lines;  // token counts out of range
        ingest["seconds"] = seconds;                // until durable on disk (checkpointed)
        ingest["commit_seconds"] = commit_seconds;  // until committed, as in the daemon
        root["ingest"] = std::move(ingest);
        out << to_json_text(root) << "\n";
        return 0;
    }
    const UsageTotals& t = report->totals;
    out << "ingested " << stats->bytes_read << " new bytes from " << stats->files_read << " of "
        << stats->files_seen << " transcripts in " << seconds << " s\n";
    out << t.responses << " responses, " << dollars(t.cost_pico_usd) << " ("
        << t.tokens.input_tokens << " input, " << t.tokens.output_tokens << " output, "
        << t.tokens.cache_creation_input_tokens << " cache write, "
        << t.tokens.cache_read_input_tokens << " cache read tokens)\n";
    if (t.unpriced_responses > 0) {
        out << t.unpriced_responses << " responses of unknown models are not priced:";
        for (const std::string& model : t.unpriced_models)
            out << " " << model;
        out << "\n";
    }
    if (malformed > 0)
        out << malformed << " malformed lines skipped\n";
    for (const auto& [key, totals_of_group] : report->groups)
        out << "  " << key << "  " << dollars(totals_of_group.cost_pico_usd) << "  "
            << totals_of_group.responses << " responses\n";
    return 0;
}

}  // namespace ccmeter
