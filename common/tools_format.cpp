#include "common/tools_format.hpp"

#include <algorithm>
#include <vector>

#include "common/number_text.hpp"
#include "common/text_sanitizer.hpp"

namespace ccmeter {

namespace json = boost::json;

namespace {

struct Totals {
    int64_t calls = 0;
    int64_t errors = 0;
    int64_t timed_calls = 0;
    int64_t total_ms = 0;
};

Totals totals_of(const v1::ToolsReply& reply) {
    Totals totals;
    for (const v1::ToolStats& tool : reply.tools()) {
        totals.calls += tool.calls();
        totals.errors += tool.errors();
        totals.timed_calls += tool.timed_calls();
        totals.total_ms += tool.total_ms();
    }
    return totals;
}

std::string two_digits(int64_t value) {
    return (value < 10 ? "0" : "") + std::to_string(value);
}

}  // namespace

std::string format_run_time(int64_t ms) {
    if (ms < 0)
        return "-";
    if (ms < 1000)
        return std::to_string(ms) + " ms";
    if (ms < 60'000) {
        const int64_t tenths = (ms + 50) / 100;  // rounded half up to 0.1 s
        if (tenths < 600)
            return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + " s";
    }
    const int64_t seconds = (ms + 500) / 1000;
    if (seconds < 3600)
        return std::to_string(seconds / 60) + "m" + two_digits(seconds % 60) + "s";
    const int64_t minutes = seconds / 60;
    return std::to_string(minutes / 60) + "h" + two_digits(minutes % 60) + "m";
}

json::object tools_json(const v1::ToolsReply& reply) {
    json::array tools;
    for (const v1::ToolStats& tool : reply.tools()) {
        json::object object;
        object["name"] = tool.name();
        object["calls"] = tool.calls();
        object["errors"] = tool.errors();
        object["timed_calls"] = tool.timed_calls();
        object["total_ms"] = tool.total_ms();
        object["p50_ms"] = tool.has_p50_ms() ? json::value(tool.p50_ms()) : json::value(nullptr);
        object["p95_ms"] = tool.has_p95_ms() ? json::value(tool.p95_ms()) : json::value(nullptr);
        tools.emplace_back(std::move(object));
    }
    const Totals totals = totals_of(reply);
    json::object root;
    root["tools"] = std::move(tools);
    root["totals"] = json::object{{"calls", totals.calls},
                                  {"errors", totals.errors},
                                  {"timed_calls", totals.timed_calls},
                                  {"total_ms", totals.total_ms}};
    return root;
}

std::string tools_table(const v1::ToolsReply& reply) {
    if (reply.tools_size() == 0)
        return "No tool calls in the transcripts for this selection.\n";
    const std::vector<std::string> headers = {"Tool",  "Calls", "Errors", "Timed",
                                              "Total", "p50",   "p95"};
    std::vector<std::vector<std::string>> rows;
    auto row_of = [](std::string name, int64_t calls, int64_t errors, int64_t timed,
                     int64_t total_ms, int64_t p50, int64_t p95) {
        return std::vector<std::string>{terminal_safe(name),
                                        format_count(calls),
                                        format_count(errors),
                                        format_count(timed),
                                        timed > 0 ? format_run_time(total_ms) : "-",
                                        format_run_time(p50),
                                        format_run_time(p95)};
    };
    for (const v1::ToolStats& tool : reply.tools())
        rows.push_back(row_of(tool.name(), tool.calls(), tool.errors(), tool.timed_calls(),
                              tool.total_ms(), tool.has_p50_ms() ? tool.p50_ms() : -1,
                              tool.has_p95_ms() ? tool.p95_ms() : -1));
    const Totals totals = totals_of(reply);
    const std::vector<std::string> total_row =
        row_of("Total", totals.calls, totals.errors, totals.timed_calls, totals.total_ms, -1, -1);
    std::vector<size_t> widths(headers.size());
    for (size_t c = 0; c < headers.size(); ++c) {
        widths[c] = std::max(headers[c].size(), total_row[c].size());
        for (const std::vector<std::string>& row : rows)
            widths[c] = std::max(widths[c], row[c].size());
    }
    auto line = [&](const std::vector<std::string>& cells) {
        std::string out;
        for (size_t c = 0; c < cells.size(); ++c) {
            const std::string pad(widths[c] - cells[c].size(), ' ');
            if (c > 0)
                out += "  ";
            out += c == 0 ? cells[c] + pad : pad + cells[c];  // names left, numbers right
        }
        while (!out.empty() && out.back() == ' ')
            out.pop_back();
        return out + "\n";
    };
    size_t width = 2 * (widths.size() - 1);
    for (size_t w : widths)
        width += w;
    std::string rule;
    for (size_t i = 0; i < width; ++i)
        rule += "─";
    rule += "\n";
    std::string out = line(headers) + rule;
    for (const std::vector<std::string>& row : rows)
        out += line(row);
    out += rule + line(total_row);
    out +=
        "Timed: calls with a known run time (the client's OpenTelemetry duration, else the "
        "time from the call to its result); p50 and p95 over those.\n";
    return out;
}

}  // namespace ccmeter
