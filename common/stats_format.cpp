#include "common/stats_format.hpp"

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/value.hpp>
#include <cstdio>
#include <map>
#include <set>
#include <utility>

#include "common/local_periods.hpp"
#include "common/number_text.hpp"
#include "common/saturating_int.hpp"
#include "common/text_sanitizer.hpp"

namespace ccmeter {

namespace json = boost::json;

namespace {

using ModelUsageMap = google::protobuf::Map<std::string, v1::Usage>;

}  // namespace

// ---- JSON ----

void append_usage(json::object& into, const v1::Usage& usage) {
    into["input_tokens"] = usage.input_tokens();
    into["output_tokens"] = usage.output_tokens();
    into["cache_creation_input_tokens"] = usage.cache_creation_input_tokens();
    into["cache_read_input_tokens"] = usage.cache_read_input_tokens();
    into["cache_5m"] = usage.cache_5m();
    into["cache_1h"] = usage.cache_1h();
    into["web_search_requests"] = usage.web_search_requests();
    into["web_fetch_requests"] = usage.web_fetch_requests();
    into["unique_responses"] = usage.responses();
    into["cost_usd"] = static_cast<double>(usage.cost_micro_usd()) / 1e6;
    if (usage.cost_saturated())
        into["cost_saturated"] = true;  // cost_usd is a floor (see ccmeter.proto)
    into["unpriced_responses"] = usage.unpriced_responses();
    std::set<std::string> names(usage.unpriced_models().begin(), usage.unpriced_models().end());
    json::array models;
    for (const std::string& name : names)
        models.emplace_back(name);
    into["unpriced_models"] = std::move(models);
    into["client_priced_responses"] = usage.client_priced_responses();
    into["client_priced_usd"] = static_cast<double>(usage.client_priced_micro_usd()) / 1e6;
    json::array learned;
    for (const std::string& name : std::set<std::string>(usage.client_priced_models().begin(),
                                                         usage.client_priced_models().end()))
        learned.emplace_back(name);
    into["client_priced_models"] = std::move(learned);
}

namespace {

std::vector<std::string> sorted_keys(const ModelUsageMap& by_model) {
    std::vector<std::string> keys;
    keys.reserve(by_model.size());
    for (const auto& entry : by_model)
        keys.push_back(entry.first);
    std::sort(keys.begin(), keys.end());
    return keys;
}

json::object by_model_json(const ModelUsageMap& by_model) {
    json::object object;
    for (const std::string& model : sorted_keys(by_model))
        object[model] = usage_json(by_model.at(model));
    return object;
}

// ---- tables ----

enum class Align { left, right };

// How a column gives way when the table is wider than the terminal (TextTable::render):
// columns with a `drop` rank go first, the highest rank first; then columns with a `shrink_to`
// width are narrowed down to it, their cells cut with "…" (at the start with `keep_end`, for
// paths, whose end names the project).
struct Column {
    std::string header;
    Align align = Align::right;
    int drop = 0;          // 0: kept
    size_t shrink_to = 0;  // 0: never narrowed
    bool keep_end = false;
};

// Low-value columns of the token tables, dropped in this order when the width is short.
constexpr int k_drop_cache_write = 5;
constexpr int k_drop_input = 4;
constexpr int k_drop_cache_read = 3;
constexpr int k_drop_output = 2;
constexpr int k_drop_detail = 1;

// Width on a terminal, counted in code points (every UTF-8 lead byte); enough for paths, model
// names and the box-drawing characters used here.

class TextTable {
  public:
    explicit TextTable(std::vector<Column> columns) : m_columns(std::move(columns)) {}

    // Cells hold transcript data (cwd, session id, model): control characters are replaced.
    void add_row(std::vector<std::string> cells) {
        cells.resize(m_columns.size());
        for (std::string& cell : cells)
            cell = terminal_safe(cell);
        m_rows.push_back(Row{false, std::move(cells)});
    }
    void add_rule() { m_rows.push_back(Row{true, {}}); }

    // `max_width` 0: as wide as the cells need; else columns give way (Column) until the table
    // fits, and what still does not fit is cut at `max_width`.
    std::string render(size_t max_width = 0) const {
        std::vector<size_t> widths(m_columns.size());
        for (size_t c = 0; c < m_columns.size(); ++c)
            widths[c] = display_width(m_columns[c].header);
        for (const Row& row : m_rows)
            for (size_t c = 0; c < row.cells.size(); ++c)
                widths[c] = std::max(widths[c], display_width(row.cells[c]));
        std::vector<bool> shown(m_columns.size(), true);
        auto table_width = [&] {
            size_t total = 0;
            size_t columns = 0;
            for (size_t c = 0; c < widths.size(); ++c)
                if (shown[c]) {
                    total += widths[c];
                    ++columns;
                }
            return total + k_gap.size() * (columns == 0 ? 0 : columns - 1);
        };
        if (max_width > 0) {
            // Drop columns, highest rank first (the rightmost of a rank first).
            while (table_width() > max_width) {
                size_t victim = m_columns.size();
                for (size_t c = 0; c < m_columns.size(); ++c)
                    if (shown[c] && m_columns[c].drop > 0 &&
                        (victim == m_columns.size() || m_columns[c].drop >= m_columns[victim].drop))
                        victim = c;
                if (victim == m_columns.size())
                    break;
                shown[victim] = false;
            }
            // Then narrow the shrinkable ones, the widest first.
            while (table_width() > max_width) {
                size_t widest = m_columns.size();
                for (size_t c = 0; c < m_columns.size(); ++c)
                    if (shown[c] && m_columns[c].shrink_to > 0 &&
                        widths[c] > m_columns[c].shrink_to &&
                        (widest == m_columns.size() || widths[c] > widths[widest]))
                        widest = c;
                if (widest == m_columns.size())
                    break;
                const size_t excess = table_width() - max_width;
                widths[widest] -= std::min(excess, widths[widest] - m_columns[widest].shrink_to);
            }
        }
        const size_t total_width = table_width();

        std::string out;
        std::vector<std::string> headers;
        for (const Column& column : m_columns)
            headers.push_back(column.header);
        append_line(out, headers, widths, shown, max_width);
        for (const Row& row : m_rows) {
            if (row.is_rule) {
                const size_t rule = max_width > 0 ? std::min(total_width, max_width) : total_width;
                for (size_t i = 0; i < rule; ++i)
                    out += "─";
                out.push_back('\n');
            } else {
                append_line(out, row.cells, widths, shown, max_width);
            }
        }
        return out;
    }

  private:
    static constexpr std::string_view k_gap = "  ";

    struct Row {
        bool is_rule = false;
        std::vector<std::string> cells;
    };

    void append_line(std::string& out, const std::vector<std::string>& cells,
                     const std::vector<size_t>& widths, const std::vector<bool>& shown,
                     size_t max_width) const {
        std::string line;
        bool first = true;
        for (size_t c = 0; c < m_columns.size(); ++c) {
            if (!shown[c])
                continue;
            if (!first)
                line += k_gap;
            first = false;
            const std::string cell = fit_text(cells[c], widths[c], m_columns[c].keep_end);
            const size_t padding = widths[c] - display_width(cell);
            if (m_columns[c].align == Align::right)
                line.append(padding, ' ');
            line += cell;
            if (m_columns[c].align == Align::left)
                line.append(padding, ' ');
        }
        if (max_width > 0)
            line = fit_text(line, max_width, false);
        while (!line.empty() && line.back() == ' ')
            line.pop_back();
        out += line;
        out.push_back('\n');
    }

    std::vector<Column> m_columns;
    std::vector<Row> m_rows;
};

int64_t total_tokens(const v1::Usage& usage) {
    return usage.input_tokens() + usage.output_tokens() + usage.cache_creation_input_tokens() +
           usage.cache_read_input_tokens();
}

std::string cost_text(const v1::Usage& usage) {
    std::string text = (usage.cost_saturated() ? ">" : "") + format_usd(usage.cost_micro_usd());
    if (usage.unpriced_responses() > 0)
        text += "+?";
    return text;
}

std::vector<Column> token_columns() {
    return {{"Input", Align::right, k_drop_input},
            {"Output", Align::right, k_drop_output},
            {"Cache write", Align::right, k_drop_cache_write},
            {"Cache read", Align::right, k_drop_cache_read},
            {"Total tokens", Align::right},
            {"Cost", Align::right}};
}

std::vector<Column> with_token_columns(std::vector<Column> leading) {
    for (Column& column : token_columns())
        leading.push_back(std::move(column));
    return leading;
}

std::vector<std::string> token_cells(std::vector<std::string> leading, const v1::Usage& usage) {
    leading.push_back(format_count(usage.input_tokens()));
    leading.push_back(format_count(usage.output_tokens()));
    leading.push_back(format_count(usage.cache_creation_input_tokens()));
    leading.push_back(format_count(usage.cache_read_input_tokens()));
    leading.push_back(format_count(total_tokens(usage)));
    leading.push_back(cost_text(usage));
    return leading;
}

std::string breakdown_label(std::string_view model) {
    return "  └ " + short_model_name(model);
}

// Models of a breakdown, most expensive first (then by name).
std::vector<std::pair<std::string, const v1::Usage*>> by_cost(const ModelUsageMap& by_model) {
    std::vector<std::pair<std::string, const v1::Usage*>> models;
    for (const auto& entry : by_model)
        models.emplace_back(entry.first, &entry.second);
    std::sort(models.begin(), models.end(), [](const auto& a, const auto& b) {
        if (a.second->cost_micro_usd() != b.second->cost_micro_usd())
            return a.second->cost_micro_usd() > b.second->cost_micro_usd();
        return a.first < b.first;
    });
    return models;
}

// The table, then a line about responses the costs leave out.
// `text` (one line, words apart by spaces) wrapped at `width` code points (0: not wrapped),
// each line ending in '\n'.
std::string wrapped(const std::string& text, size_t width) {
    if (width == 0 || display_width(text) <= width)
        return text + "\n";
    std::string out;
    std::string line;
    size_t start = 0;
    while (start <= text.size()) {
        size_t end = text.find(' ', start);
        if (end == std::string::npos)
            end = text.size();
        const std::string word = fit_text(text.substr(start, end - start), width, false);
        if (!line.empty() && display_width(line) + 1 + display_width(word) > width) {
            out += line + "\n";
            line.clear();
        }
        line += (line.empty() ? "" : " ") + word;
        start = end + 1;
    }
    return out + line + "\n";
}

std::string with_unpriced_note(const TextTable& table, const v1::Usage& totals, size_t width) {
    std::string out = table.render(width);
    if (totals.unpriced_responses() > 0) {
        std::set<std::string> names(totals.unpriced_models().begin(),
                                    totals.unpriced_models().end());
        std::string note = "+? leaves out " + format_count(totals.unpriced_responses()) +
                           (totals.unpriced_responses() == 1 ? " response" : " responses") +
                           " of models without a price:";
        for (const std::string& name : names)
            note += " " + terminal_safe(name);
        out += wrapped(note, width);
    }
    if (totals.client_priced_responses() > 0) {
        std::set<std::string> names(totals.client_priced_models().begin(),
                                    totals.client_priced_models().end());
        std::string note = format_usd(totals.client_priced_micro_usd()) +
                           " of it is priced from Claude Code's own figures (rates learned from "
                           "its cost records; `hookctl pricing`):";
        for (const std::string& name : names)
            note += " " + terminal_safe(name);
        out += wrapped(note, width);
    }
    return out;
}

std::string joined_short_models(const std::vector<std::string>& models) {
    std::string out;
    for (const std::string& model : models) {
        if (!out.empty())
            out += ", ";
        out += short_model_name(model);
    }
    return out;
}

v1::Usage groups_total(const v1::GroupsReply& reply) {
    v1::Usage totals;
    for (const v1::Group& group : reply.groups())
        add_usage(totals, group.usage());
    return totals;
}

v1::Usage periods_total(const v1::PeriodsReply& reply) {
    v1::Usage totals;
    for (const v1::Period& period : reply.periods())
        add_usage(totals, period.usage());
    return totals;
}

v1::Usage blocks_total(const v1::BlocksReply& reply) {
    v1::Usage totals;
    for (const v1::Block& block : reply.blocks())
        add_usage(totals, block.usage());
    return totals;
}

std::string label_at(const std::vector<std::string>& labels, int index) {
    const size_t i = static_cast<size_t>(index);
    return i < labels.size() ? labels[i] : std::string();
}

// The group's table for sessions and projects: token columns plus breakdown rows.
void add_breakdown_rows(TextTable& table, const ModelUsageMap& by_model,
                        size_t leading_blank_cells) {
    for (const auto& [model, usage] : by_cost(by_model)) {
        std::vector<std::string> leading{breakdown_label(model)};
        leading.resize(1 + leading_blank_cells);
        table.add_row(token_cells(std::move(leading), *usage));
    }
}

}  // namespace

size_t display_width(std::string_view text) {
    size_t width = 0;
    for (char c : text)
        if ((static_cast<unsigned char>(c) & 0xC0) != 0x80)
            ++width;
    return width;
}

std::string fit_text(std::string_view text, size_t width, bool keep_end) {
    if (display_width(text) <= width)
        return std::string(text);
    if (width == 0)
        return {};
    // Byte offsets of each code point's start.
    std::vector<size_t> starts;
    for (size_t i = 0; i < text.size(); ++i)
        if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80)
            starts.push_back(i);
    const size_t keep = width - 1;  // code points kept besides the "…"
    if (keep == 0)
        return "…";
    if (keep_end)
        return "…" + std::string(text.substr(starts[starts.size() - keep]));
    return std::string(text.substr(0, keep < starts.size() ? starts[keep] : text.size())) + "…";
}

void add_usage(v1::Usage& into, const v1::Usage& more) {
    into.set_input_tokens(into.input_tokens() + more.input_tokens());
    into.set_output_tokens(into.output_tokens() + more.output_tokens());
    into.set_cache_creation_input_tokens(into.cache_creation_input_tokens() +
                                         more.cache_creation_input_tokens());
    into.set_cache_read_input_tokens(into.cache_read_input_tokens() +
                                     more.cache_read_input_tokens());
    into.set_cache_5m(into.cache_5m() + more.cache_5m());
    into.set_cache_1h(into.cache_1h() + more.cache_1h());
    into.set_web_search_requests(into.web_search_requests() + more.web_search_requests());
    into.set_web_fetch_requests(into.web_fetch_requests() + more.web_fetch_requests());
    into.set_responses(into.responses() + more.responses());
    into.set_cost_micro_usd(saturating_add(into.cost_micro_usd(), more.cost_micro_usd()));
    into.set_cost_saturated(into.cost_saturated() || more.cost_saturated());
    into.set_unpriced_responses(into.unpriced_responses() + more.unpriced_responses());
    into.set_client_priced_responses(into.client_priced_responses() +
                                     more.client_priced_responses());
    into.set_client_priced_micro_usd(
        saturating_add(into.client_priced_micro_usd(), more.client_priced_micro_usd()));
    if (more.client_priced_models_size() > 0) {
        std::set<std::string> names(into.client_priced_models().begin(),
                                    into.client_priced_models().end());
        names.insert(more.client_priced_models().begin(), more.client_priced_models().end());
        into.clear_client_priced_models();
        for (const std::string& name : names)
            into.add_client_priced_models(name);
    }
    if (more.unpriced_models_size() > 0) {
        std::set<std::string> names(into.unpriced_models().begin(), into.unpriced_models().end());
        names.insert(more.unpriced_models().begin(), more.unpriced_models().end());
        into.clear_unpriced_models();
        for (const std::string& name : names)
            into.add_unpriced_models(name);
    }
}

SummaryUsage summary_from_periods(const v1::PeriodsReply& reply, int64_t today_start_ms,
                                  int64_t week_start_ms, int64_t month_start_ms) {
    SummaryUsage summary;
    for (const v1::Period& period : reply.periods()) {
        add_usage(summary.all_time, period.usage());
        if (period.start_ms() >= month_start_ms)
            add_usage(summary.this_month, period.usage());
        if (period.start_ms() >= week_start_ms)
            add_usage(summary.this_week, period.usage());
        if (period.start_ms() >= today_start_ms)
            add_usage(summary.today, period.usage());
    }
    return summary;
}

std::string short_model_name(std::string_view model) {
    constexpr std::string_view k_prefix = "claude-";
    if (model.substr(0, k_prefix.size()) == k_prefix)
        model.remove_prefix(k_prefix.size());
    constexpr size_t k_date_suffix = 9;  // "-20250929"
    if (model.size() > k_date_suffix && model[model.size() - k_date_suffix] == '-' &&
        std::all_of(model.end() - 8, model.end(), [](char c) { return c >= '0' && c <= '9'; }))
        model.remove_suffix(k_date_suffix);
    return std::string(model);
}

json::object usage_json(const v1::Usage& usage) {
    json::object object;
    append_usage(object, usage);
    return object;
}

json::object summary_json(const SummaryUsage& summary) {
    json::object object;
    object["today"] = usage_json(summary.today);
    object["this_week"] = usage_json(summary.this_week);
    object["this_month"] = usage_json(summary.this_month);
    object["all_time"] = usage_json(summary.all_time);
    object["totals"] = usage_json(summary.all_time);
    return object;
}

json::object period_entry_json(const v1::Period& period, const std::string& label, bool breakdown) {
    json::object object;
    object["period"] = label;
    object["start_ms"] = period.start_ms();
    object["end_ms"] = period.end_ms();
    append_usage(object, period.usage());
    if (breakdown)
        object["by_model"] = by_model_json(period.by_model());
    return object;
}

namespace {

// A group with a project (sessions, branches): its key under `key_name`, then "project",
// "first_ms", "last_ms", "models" and its usage (and "by_model" with a breakdown).
json::object project_group_json(const v1::Group& group, const char* key_name, bool breakdown) {
    json::object object;
    object[key_name] = group.key();
    object["project"] = group.project();
    object["first_ms"] = group.first_ms();
    object["last_ms"] = group.last_ms();
    json::array models;
    for (const std::string& model : group.models())
        models.emplace_back(model);
    object["models"] = std::move(models);
    append_usage(object, group.usage());
    if (breakdown)
        object["by_model"] = by_model_json(group.by_model());
    return object;
}

}  // namespace

json::object session_entry_json(const v1::Group& group, bool breakdown) {
    return project_group_json(group, "session_id", breakdown);
}

json::object periods_json(const v1::PeriodsReply& reply, const std::vector<std::string>& labels,
                          bool breakdown) {
    json::array periods;
    for (int i = 0; i < reply.periods_size(); ++i) {
        const v1::Period& period = reply.periods(i);
        if (period.usage().responses() == 0)
            continue;
        periods.emplace_back(period_entry_json(period, label_at(labels, i), breakdown));
    }
    json::object root;
    root["periods"] = std::move(periods);
    root["totals"] = usage_json(periods_total(reply));
    return root;
}

json::object sessions_json(const v1::GroupsReply& reply, bool breakdown) {
    json::array sessions;
    for (const v1::Group& group : reply.groups())
        sessions.emplace_back(session_entry_json(group, breakdown));
    json::object root;
    root["sessions"] = std::move(sessions);
    root["totals"] = usage_json(groups_total(reply));
    return root;
}

json::object projects_json(const v1::GroupsReply& reply, bool breakdown) {
    json::array projects;
    for (const v1::Group& group : reply.groups()) {
        json::object object;
        object["project"] = group.key();
        append_usage(object, group.usage());
        if (breakdown)
            object["by_model"] = by_model_json(group.by_model());
        projects.emplace_back(std::move(object));
    }
    json::object root;
    root["projects"] = std::move(projects);
    root["totals"] = usage_json(groups_total(reply));
    return root;
}

json::object models_json(const v1::GroupsReply& reply) {
    json::array models;
    for (const v1::Group& group : reply.groups()) {
        json::object object;
        object["model"] = group.key();
        append_usage(object, group.usage());
        models.emplace_back(std::move(object));
    }
    json::object root;
    root["models"] = std::move(models);
    root["totals"] = usage_json(groups_total(reply));
    return root;
}

json::object blocks_json(const v1::BlocksReply& reply) {
    json::array blocks;
    for (const v1::Block& block : reply.blocks()) {
        json::object object;
        object["start_ms"] = block.start_ms();
        object["end_ms"] = block.end_ms();
        object["first_ms"] = block.first_ms();
        object["last_ms"] = block.last_ms();
        object["active"] = block.active();
        append_usage(object, block.usage());
        object["burn_usd_per_hour"] = static_cast<double>(block.burn_micro_usd_per_hour()) / 1e6;
        object["projected_usd"] = static_cast<double>(block.projected_micro_usd()) / 1e6;
        blocks.emplace_back(std::move(object));
    }
    json::object root;
    root["blocks"] = std::move(blocks);
    root["totals"] = usage_json(blocks_total(reply));
    return root;
}

json::object session_json(const v1::SessionReply& reply) {
    json::array turns;
    for (const v1::Turn& turn : reply.turns()) {
        json::object turn_object;
        turn_object["number"] = turn.number();
        turn_object["start_ms"] = turn.start_ms();
        append_usage(turn_object, turn.usage());
        json::array responses;
        for (const v1::Response& response : turn.responses()) {
            json::object object;
            object["message_id"] = response.message_id();
            object["request_id"] = response.request_id();
            object["timestamp_ms"] = response.timestamp_ms();
            object["model"] = response.model();
            object["is_sidechain"] = response.is_sidechain();
            object["agent_id"] = response.agent_id();
            append_usage(object, response.usage());
            responses.emplace_back(std::move(object));
        }
        turn_object["main"] = usage_json(turn.main());
        turn_object["subagents"] = usage_json(turn.subagents());
        json::array models;
        for (const std::string& model : turn.models())
            models.emplace_back(model);
        turn_object["models"] = std::move(models);
        turn_object["responses"] = std::move(responses);
        turns.emplace_back(std::move(turn_object));
    }
    json::array agents;
    for (const v1::AgentUsage& agent : reply.agents()) {
        json::object object;
        object["agent_id"] = agent.agent_id();
        object["first_ms"] = agent.first_ms();
        json::array models;
        for (const std::string& model : agent.models())
            models.emplace_back(model);
        object["models"] = std::move(models);
        append_usage(object, agent.usage());
        agents.emplace_back(std::move(object));
    }
    json::object root;
    root["session_id"] = reply.session_id();
    root["project"] = reply.project();
    root["first_ms"] = reply.first_ms();
    root["last_ms"] = reply.last_ms();
    root["totals"] = usage_json(reply.usage());
    root["main"] = usage_json(reply.main());
    root["subagents"] = usage_json(reply.subagents());
    root["by_model"] = by_model_json(reply.by_model());
    root["activity"] =
        reply.has_activity() ? json::value(activity_json(reply.activity())) : json::value(nullptr);
    root["agents"] = std::move(agents);
    root["turns"] = std::move(turns);
    root["turn_count"] = reply.turn_count();
    root["listed_responses"] = reply.listed_responses();
    root["next_before_ms"] =
        reply.has_next_before_ms() ? json::value(reply.next_before_ms()) : json::value(nullptr);
    return root;
}

std::string summary_table(const SummaryUsage& summary, size_t width) {
    TextTable table(with_token_columns({{"Period", Align::left}}));
    table.add_rule();
    table.add_row(token_cells({"Today"}, summary.today));
    table.add_row(token_cells({"This week"}, summary.this_week));
    table.add_row(token_cells({"This month"}, summary.this_month));
    table.add_rule();
    table.add_row(token_cells({"All time"}, summary.all_time));
    return with_unpriced_note(table, summary.all_time, width);
}

std::string periods_table(const v1::PeriodsReply& reply, const std::vector<std::string>& labels,
                          std::string_view period_header, bool breakdown, size_t width) {
    TextTable table(with_token_columns({{std::string(period_header), Align::left}}));
    table.add_rule();
    for (int i = 0; i < reply.periods_size(); ++i) {
        const v1::Period& period = reply.periods(i);
        if (period.usage().responses() == 0)
            continue;
        table.add_row(token_cells({label_at(labels, i)}, period.usage()));
        if (breakdown)
            add_breakdown_rows(table, period.by_model(), 0);
    }
    const v1::Usage totals = periods_total(reply);
    table.add_rule();
    table.add_row(token_cells({"Total"}, totals));
    return with_unpriced_note(table, totals, width);
}

std::string sessions_table(const v1::GroupsReply& reply, bool breakdown, size_t width) {
    TextTable table({{"Session", Align::left, 0, 9},
                     {"Project", Align::left, 0, 12, true},
                     {"Last activity", Align::left, k_drop_detail},
                     {"Models", Align::left, k_drop_output, 10},
                     {"Tokens", Align::right},
                     {"Cost", Align::right}});
    table.add_rule();
    for (const v1::Group& group : reply.groups()) {
        const std::vector<std::string> models(group.models().begin(), group.models().end());
        table.add_row({group.key(), group.project(), local_date_time(group.last_ms()),
                       joined_short_models(models), format_count(total_tokens(group.usage())),
                       cost_text(group.usage())});
        if (breakdown) {
            for (const auto& [model, usage] : by_cost(group.by_model()))
                table.add_row({breakdown_label(model), "", "", "",
                               format_count(total_tokens(*usage)), cost_text(*usage)});
        }
    }
    const v1::Usage totals = groups_total(reply);
    table.add_rule();
    table.add_row({"Total", "", "", "", format_count(total_tokens(totals)), cost_text(totals)});
    return with_unpriced_note(table, totals, width);
}

std::string projects_table(const v1::GroupsReply& reply, bool breakdown, size_t width) {
    TextTable table(with_token_columns({{"Project", Align::left, 0, 12, true}}));
    table.add_rule();
    for (const v1::Group& group : reply.groups()) {
        table.add_row(token_cells({group.key()}, group.usage()));
        if (breakdown)
            add_breakdown_rows(table, group.by_model(), 0);
    }
    const v1::Usage totals = groups_total(reply);
    table.add_rule();
    table.add_row(token_cells({"Total"}, totals));
    return with_unpriced_note(table, totals, width);
}

std::string models_table(const v1::GroupsReply& reply, size_t width) {
    TextTable table(with_token_columns(
        {{"Model", Align::left, 0, 12}, {"Responses", Align::right, k_drop_detail}}));
    table.add_rule();
    for (const v1::Group& group : reply.groups())
        table.add_row(
            token_cells({group.key(), format_count(group.usage().responses())}, group.usage()));
    const v1::Usage totals = groups_total(reply);
    table.add_rule();
    table.add_row(token_cells({"Total", format_count(totals.responses())}, totals));
    return with_unpriced_note(table, totals, width);
}

std::string blocks_table(const v1::BlocksReply& reply, int64_t now_ms, size_t width) {
    TextTable table({{"Block start", Align::left},
                     {"Status", Align::left, 0, 6},
                     {"Tokens", Align::right, k_drop_detail},
                     {"Cost", Align::right},
                     {"Burn rate", Align::right, k_drop_output},
                     {"Projected", Align::right}});
    table.add_rule();
    for (const v1::Block& block : reply.blocks()) {
        std::string status;
        if (block.active()) {
            status = "active";
            if (now_ms > 0 && now_ms < block.end_ms())
                status += ", " + format_time_left(block.end_ms() - now_ms) + " left";
        }
        table.add_row({local_date_time(block.start_ms()), status,
                       format_count(total_tokens(block.usage())), cost_text(block.usage()),
                       format_usd(block.burn_micro_usd_per_hour()) + "/h",
                       block.active() ? format_usd(block.projected_micro_usd()) : ""});
    }
    const v1::Usage totals = blocks_total(reply);
    table.add_rule();
    table.add_row({"Total", "", format_count(total_tokens(totals)), cost_text(totals), "", ""});
    return with_unpriced_note(table, totals, width);
}

std::string session_table(const v1::SessionReply& reply, bool breakdown, size_t width) {
    TextTable table(with_token_columns({{"Turn", Align::right},
                                        {"Started", Align::left},
                                        {"Models", Align::left, k_drop_detail, 10}}));
    table.add_rule();
    int64_t number = 0;
    for (const v1::Turn& turn : reply.turns()) {
        // A daemon before turn numbers lists every turn.
        number = turn.number() > 0 ? turn.number() : number + 1;
        const std::vector<std::string> models(turn.models().begin(), turn.models().end());
        table.add_row(token_cells(
            {std::to_string(number), local_date_time(turn.start_ms()), joined_short_models(models)},
            turn.usage()));
        if (!breakdown)
            continue;
        for (const v1::Response& response : turn.responses()) {
            std::string model = short_model_name(response.model());
            if (!response.agent_id().empty())
                model += " agent " + response.agent_id();
            else if (response.is_sidechain())
                model += " sidechain";
            table.add_row(token_cells(
                {"", "  └ " + local_time_of_day(response.timestamp_ms()), std::move(model)},
                response.usage()));
        }
    }
    table.add_rule();
    table.add_row(token_cells({"", "Total", ""}, reply.usage()));
    std::string out = "Session  " + terminal_safe(reply.session_id()) + "\nProject  " +
                      (width > 9 ? fit_text(terminal_safe(reply.project()), width - 9, true)
                                 : terminal_safe(reply.project())) +
                      "\n";
    if (reply.has_activity()) {
        const v1::Activity& a = reply.activity();
        out += "Active   model working " + format_time_left(a.api_ms()) + ", tools " +
               format_time_left(a.tool_ms()) + ", idle " + format_time_left(a.idle_ms()) +
               " (wall " + format_time_left(a.wall_ms()) + "); lines +" +
               format_count(a.lines_added()) + " / -" + format_count(a.lines_removed()) + "\n";
    }
    out += "\n";
    out += with_unpriced_note(table, reply.usage(), width);
    const int64_t listed_turns = reply.turns_size();
    if (reply.turn_count() > listed_turns)
        out += "Turns: the " + format_count(listed_turns) + " holding the newest " +
               format_count(reply.listed_responses()) + " responses, of " +
               format_count(reply.turn_count()) + " (--limit N or --all for more)\n";
    else if (breakdown && reply.listed_responses() < reply.usage().responses())
        out += "Responses: the newest " + format_count(reply.listed_responses()) + " of " +
               format_count(reply.usage().responses()) + " (--limit N or --all for more)\n";
    return out;
}

namespace {

// Micro-dollars per million tokens as USD per million tokens ("0.625").
double per_million(int64_t micro_usd) {
    return static_cast<double>(micro_usd) / 1e6;
}

std::string rate_text(int64_t micro_usd) {
    std::string text = std::to_string(micro_usd / 1'000'000);
    int64_t fraction = micro_usd % 1'000'000;
    if (fraction != 0) {
        std::string digits = std::to_string(1'000'000 + fraction).substr(1);
        while (!digits.empty() && digits.back() == '0')
            digits.pop_back();
        text += "." + digits;
    }
    return text;
}

json::object rates_json(const v1::Rates& rates) {
    json::object out;
    out["input"] = per_million(rates.input());
    out["cache_write_5m"] = per_million(rates.cache_write_5m());
    out["cache_write_1h"] = per_million(rates.cache_write_1h());
    out["cache_read"] = per_million(rates.cache_read());
    out["output"] = per_million(rates.output());
    return out;
}

std::string effective_from(int64_t ms) {
    if (ms <= 0)
        return "";
    const time_t seconds = static_cast<time_t>(ms / 1000);
    struct tm parts {};
    gmtime_r(&seconds, &parts);
    char text[48];
    std::snprintf(text, sizeof text, "%04d-%02d-%02d", parts.tm_year + 1900, parts.tm_mon + 1,
                  parts.tm_mday);
    return text;
}

std::string source_text(const v1::PriceRule& rule) {
    if (rule.source() != "learned")
        return rule.source() == "user_file" ? "your prices.json" : "built in";
    std::string text = "learned from the client (" + std::to_string(rule.learned_equations()) +
                       (rule.learned_equations() == 1 ? " process" : " processes");
    if (!rule.learned_determined())
        text += "; per-process totals exact, split over rates estimated";
    if (!rule.learned_consistent())
        text += "; approximate fit";
    return text + ")";
}

}  // namespace

json::object pricing_json(const v1::PricingReply& reply) {
    json::object out;
    out["overrides_file"] = reply.overrides_file();
    json::array rules;
    for (const v1::PriceRule& rule : reply.rules()) {
        json::object item;
        item["model"] = rule.model();
        const std::string from = effective_from(rule.effective_from_ms());
        if (from.empty())
            item["effective_from"] = nullptr;
        else
            item["effective_from"] = from;
        for (auto& [key, value] : rates_json(rule.rates()))
            item[key] = value;
        item["fast_multiplier"] = rule.fast_multiplier();
        if (rule.has_long_context())
            item["long_context"] = rates_json(rule.long_context());
        else
            item["long_context"] = nullptr;
        item["source"] = rule.source();
        if (rule.source() == "learned") {
            json::object learned;
            learned["equations"] = rule.learned_equations();
            learned["determined"] = rule.learned_determined();
            learned["consistent"] = rule.learned_consistent();
            item["learned"] = std::move(learned);
        }
        rules.push_back(std::move(item));
    }
    out["rules"] = std::move(rules);
    return out;
}

std::string pricing_table(const v1::PricingReply& reply) {
    TextTable table({{"Model", Align::left},
                     {"From", Align::left},
                     {"Input"},
                     {"5m write"},
                     {"1h write"},
                     {"Cache read"},
                     {"Output"},
                     {"Fast"},
                     {"Source", Align::left}});
    for (const v1::PriceRule& rule : reply.rules()) {
        const v1::Rates& r = rule.rates();
        const std::string from = effective_from(rule.effective_from_ms());
        table.add_row(
            {rule.model(), from.empty() ? "always" : from, rate_text(r.input()),
             rate_text(r.cache_write_5m()), rate_text(r.cache_write_1h()),
             rate_text(r.cache_read()), rate_text(r.output()),
             rule.fast_multiplier() > 1 ? std::to_string(rule.fast_multiplier()) + "x" : "",
             source_text(rule)});
        if (rule.has_long_context()) {
            const v1::Rates& l = rule.long_context();
            table.add_row({"  └ over 200k input", "", rate_text(l.input()),
                           rate_text(l.cache_write_5m()), rate_text(l.cache_write_1h()),
                           rate_text(l.cache_read()), rate_text(l.output()), "", ""});
        }
    }
    return "USD per million tokens; web searches $0.01 each. Overrides: " +
           terminal_safe(reply.overrides_file()) + "\n" + table.render();
}

namespace {

// Micro-dollars. ours = transcripts + side calls; the difference is client - ours.
struct CheckDay {
    int64_t sessions = 0;
    int64_t transcripts = 0;
    int64_t side_calls = 0;
    int64_t side_call_usd = 0;
    int64_t client = 0;

    void add(const CheckDay& other) {
        sessions += other.sessions;
        transcripts += other.transcripts;
        side_calls += other.side_calls;
        side_call_usd += other.side_call_usd;
        client += other.client;
    }
    int64_t difference() const { return client - transcripts - side_call_usd; }
};

CheckDay check_of(const v1::SessionCheck& s) {
    CheckDay check;
    check.sessions = 1;
    check.transcripts = s.ours_micro_usd() - s.side_call_micro_usd();
    check.side_calls = s.side_calls();
    check.side_call_usd = s.side_call_micro_usd();
    check.client = s.client_micro_usd();
    return check;
}

std::map<std::string, CheckDay> check_days(const v1::CheckReply& reply) {
    std::map<std::string, CheckDay> days;
    for (const v1::SessionCheck& s : reply.sessions())
        days[day_label(local_day_start(s.first_process_ms()))].add(check_of(s));
    return days;
}

double usd(int64_t micro) {
    return static_cast<double>(micro) / 1e6;
}

std::string signed_usd(int64_t micro) {
    if (micro == 0)
        return "$0.00";
    std::string text = micro > 0 ? "+" : "-";
    const int64_t magnitude = micro > 0 ? micro : -micro;
    // Under a cent, the micro-dollars themselves.
    if (magnitude < 10'000)
        return text + "$0.00" + std::to_string(1'000'000 + magnitude).substr(3);
    return text + format_usd(magnitude);
}

}  // namespace

namespace {

void put_check(json::object& item, const CheckDay& check) {
    item["transcripts_usd"] = usd(check.transcripts);
    item["side_calls"] = check.side_calls;
    item["side_calls_usd"] = usd(check.side_call_usd);
    item["client_usd"] = usd(check.client);
    item["difference_usd"] = usd(check.difference());
}

}  // namespace

json::object check_json(const v1::CheckReply& reply) {
    json::object out;
    json::array days;
    CheckDay total;
    for (const auto& [label, day] : check_days(reply)) {
        json::object item;
        item["day"] = label;
        item["sessions"] = day.sessions;
        put_check(item, day);
        days.push_back(std::move(item));
        total.add(day);
    }
    out["days"] = std::move(days);
    json::array sessions;
    for (const v1::SessionCheck& s : reply.sessions()) {
        json::object item;
        item["session_id"] = s.session_id();
        item["project"] = s.project();
        item["first_process_ms"] = s.first_process_ms();
        item["processes"] = s.processes();
        put_check(item, check_of(s));
        item["unique_responses"] = s.responses();
        item["unpriced_responses"] = s.unpriced_responses();
        json::array models;
        for (const std::string& model : s.client_only_models())
            models.emplace_back(model);
        item["client_only_models"] = std::move(models);
        sessions.push_back(std::move(item));
    }
    out["sessions"] = std::move(sessions);
    json::object totals;
    totals["sessions"] = total.sessions;
    put_check(totals, total);
    out["totals"] = std::move(totals);
    return out;
}

std::string check_table(const v1::CheckReply& reply) {
    if (reply.sessions_size() == 0)
        return "No session has the client's own cost record yet (Claude Code 2.1.332 and later "
               "write one when a session's process ends).\n";
    TextTable table({{"Day", Align::left},
                     {"Sessions"},
                     {"From transcripts"},
                     {"Side calls"},
                     {"Reported by client"},
                     {"Difference"}});
    const auto side_call_text = [](const CheckDay& check) {
        return check.side_calls == 0
                   ? std::string("-")
                   : format_usd(check.side_call_usd) + " (" + format_count(check.side_calls) + ")";
    };
    CheckDay total;
    for (const auto& [label, day] : check_days(reply)) {
        table.add_row({label, format_count(day.sessions), format_usd(day.transcripts),
                       side_call_text(day), format_usd(day.client), signed_usd(day.difference())});
        total.add(day);
    }
    table.add_rule();
    table.add_row({"Total", format_count(total.sessions), format_usd(total.transcripts),
                   side_call_text(total), format_usd(total.client),
                   signed_usd(total.difference())});
    std::string out = table.render();
    for (const v1::SessionCheck& s : reply.sessions()) {
        const int64_t difference = check_of(s).difference();
        if (difference == 0)
            continue;
        out += "session " + terminal_safe(s.session_id()) + ": " + signed_usd(difference);
        if (s.client_only_models_size() > 0) {
            out += " (the client billed calls no transcript records:";
            for (const std::string& model : s.client_only_models())
                out += " " + terminal_safe(model);
            out += ")";
        } else if (s.unpriced_responses() > 0) {
            out += " (" + format_count(s.unpriced_responses()) + " responses without a price)";
        } else if (difference > 0) {
            out +=
                " (calls the transcript does not record, e.g. session titles, or a final "
                "usage that never reached it)";
        } else {
            out += " (responses of a client process that is still running or wrote no record)";
        }
        out.push_back('\n');
    }
    return out;
}

std::string limit_label(std::string_view bucket) {
    std::string label;
    if (bucket.rfind("five_hour", 0) == 0) {
        label = "5h";
        bucket.remove_prefix(9);
    } else if (bucket.rfind("seven_day", 0) == 0) {
        label = "7d";
        bucket.remove_prefix(9);
    }
    for (const char c : bucket)
        label += c == '_' ? ' ' : c;
    const size_t start = label.find_first_not_of(' ');
    return terminal_safe(start == std::string::npos ? std::string(bucket) : label.substr(start));
}

json::object limits_json(const v1::LimitsReply& reply, const Budgets& budgets) {
    json::array limits;
    for (const v1::LimitForecast& limit : reply.limits()) {
        json::object item;
        item["bucket"] = limit.bucket();
        item["used_percentage"] = limit.used_percentage();
        item["observed_ms"] = limit.observed_ms();
        item["resets_at_ms"] =
            limit.has_resets_at_ms() ? json::value(limit.resets_at_ms()) : json::value(nullptr);
        item["percent_per_hour"] = limit.has_percent_per_hour()
                                       ? json::value(limit.percent_per_hour())
                                       : json::value(nullptr);
        item["full_at_ms"] =
            limit.has_full_at_ms() ? json::value(limit.full_at_ms()) : json::value(nullptr);
        item["full_before_reset"] = limit.full_before_reset();
        item["reset_since_observed"] = limit.reset_since_observed();
        limits.emplace_back(std::move(item));
    }
    json::array budget_items;
    for (const BudgetStatus& status :
         budget_statuses(budgets, reply.today().cost_micro_usd(),
                         reply.this_week().cost_micro_usd(), reply.this_month().cost_micro_usd())) {
        json::object item;
        item["period"] = status.period;
        item["budget_usd"] = usd(status.budget_micro_usd);
        item["spent_usd"] = usd(status.spent_micro_usd);
        item["used_percentage"] =
            budget_used_percentage(status.spent_micro_usd, status.budget_micro_usd);
        item["level"] = budget_level_name(status.level);
        budget_items.emplace_back(std::move(item));
    }
    json::object root;
    root["limits"] = std::move(limits);
    root["budgets"] = std::move(budget_items);
    root["plan_usd_per_month"] = budgets.plan_micro_usd_per_month
                                     ? json::value(usd(*budgets.plan_micro_usd_per_month))
                                     : json::value(nullptr);
    root["now_ms"] = reply.now_ms();
    return root;
}

std::string limits_table(const v1::LimitsReply& reply, const Budgets& budgets) {
    std::string out;
    if (reply.limits_size() == 0) {
        out +=
            "No plan limits seen yet (Claude Code sends them to the status line of subscribers; "
            "install the status line with `hookctl install`).\n";
    } else {
        TextTable table({{"Limit", Align::left},
                         {"Used"},
                         {"Resets at", Align::left},
                         {"Burn"},
                         {"Full at", Align::left}});
        for (const v1::LimitForecast& limit : reply.limits()) {
            std::string full = "-";
            if (limit.reset_since_observed())
                full = "reset since (last seen " + local_date_time(limit.observed_ms()) + ")";
            else if (limit.has_full_at_ms())
                full = local_date_time(limit.full_at_ms()) +
                       (limit.full_before_reset() ? " (before the reset)" : " (after the reset)");
            char burn[32] = "-";
            if (limit.has_percent_per_hour())
                std::snprintf(burn, sizeof burn, "%.1f%%/h", limit.percent_per_hour());
            table.add_row({limit_label(limit.bucket()), format_percentage(limit.used_percentage()),
                           limit.has_resets_at_ms() ? local_date_time(limit.resets_at_ms()) : "-",
                           burn, full});
        }
        out += table.render();
    }
    const std::vector<BudgetStatus> statuses =
        budget_statuses(budgets, reply.today().cost_micro_usd(), reply.this_week().cost_micro_usd(),
                        reply.this_month().cost_micro_usd());
    if (statuses.empty()) {
        out +=
            "No budgets set (~/.config/ccmeter/budgets.json: {\"daily_usd\": 20, "
            "\"weekly_usd\": 100, \"monthly_usd\": 300}).\n";
        return out;
    }
    TextTable table({{"Budget", Align::left}, {"Spent"}, {"Budget"}, {"Used"}, {"", Align::left}});
    for (const BudgetStatus& status : statuses) {
        const char* level = status.level == BudgetLevel::over   ? "over budget"
                            : status.level == BudgetLevel::warn ? "at 80% or more"
                                                                : "";
        table.add_row(
            {std::string(status.period == "day" ? "today" : "this " + std::string(status.period)),
             format_usd(status.spent_micro_usd), format_usd(status.budget_micro_usd),
             format_percentage(
                 budget_used_percentage(status.spent_micro_usd, status.budget_micro_usd)),
             level});
    }
    out += "\n" + table.render();
    return out;
}

namespace {

v1::Usage team_total(const v1::TeamReply& reply) {
    v1::Usage total;
    for (const v1::TeamRow& row : reply.rows())
        add_usage(total, row.usage());
    return total;
}

}  // namespace

json::object team_json(const v1::TeamReply& reply) {
    json::array rows;
    for (const v1::TeamRow& row : reply.rows()) {
        json::object object;
        object["key"] = row.key();
        object["members"] = row.members();
        object["machines"] = row.machines();
        append_usage(object, row.usage());
        rows.emplace_back(std::move(object));
    }
    json::object root;
    root["view"] = reply.view();
    root["member"] = reply.member();
    root["machine"] = reply.machine();
    root["rows"] = std::move(rows);
    root["totals"] = usage_json(team_total(reply));
    return root;
}

std::string team_table(const v1::TeamReply& reply) {
    const std::string& view = reply.view();
    const char* header = view == "daily"      ? "Date (UTC)"
                         : view == "members"  ? "Member"
                         : view == "machines" ? "Machine"
                         : view == "projects" ? "Project"
                         : view == "models"   ? "Model"
                                              : "Team";
    TextTable table(with_token_columns({{header, Align::left},
                                        {"Members", Align::right},
                                        {"Machines", Align::right},
                                        {"Responses", Align::right}}));
    table.add_rule();
    for (const v1::TeamRow& row : reply.rows())
        table.add_row(
            token_cells({view == "summary" ? "All time" : row.key(), format_count(row.members()),
                         format_count(row.machines()), format_count(row.usage().responses())},
                        row.usage()));
    const v1::Usage totals = team_total(reply);
    if (view != "summary") {
        table.add_rule();
        table.add_row(token_cells({"Total", "", "", format_count(totals.responses())}, totals));
    }
    return "Team store, read as " + terminal_safe(reply.member()) +
           " (this machine: " + terminal_safe(reply.machine()) + ")\n" +
           with_unpriced_note(table, totals, 0);
}

json::object branches_json(const v1::GroupsReply& reply) {
    json::array branches;
    for (const v1::Group& group : reply.groups())
        branches.emplace_back(project_group_json(group, "branch", false));
    json::object root;
    root["branches"] = std::move(branches);
    root["totals"] = usage_json(groups_total(reply));
    return root;
}

std::string branches_table(const v1::GroupsReply& reply, size_t width) {
    TextTable table(with_token_columns({{"Project", Align::left}, {"Branch", Align::left}}));
    table.add_rule();
    for (const v1::Group& group : reply.groups())
        table.add_row(token_cells({group.project().empty() ? "(unknown)" : group.project(),
                                   group.key().empty() ? "(no branch)" : group.key()},
                                  group.usage()));
    const v1::Usage totals = groups_total(reply);
    table.add_rule();
    table.add_row(token_cells({"Total", ""}, totals));
    return with_unpriced_note(table, totals, width);
}

namespace {

// Appends an activity's keys (activity_json's) to `object`.
void append_activity(json::object& object, const v1::Activity& activity) {
    object["processes"] = activity.processes();
    object["api_ms"] = activity.api_ms();
    object["tool_ms"] = activity.tool_ms();
    object["idle_ms"] = activity.idle_ms();
    object["wall_ms"] = activity.wall_ms();
    object["lines_added"] = activity.lines_added();
    object["lines_removed"] = activity.lines_removed();
}

}  // namespace

json::object activity_json(const v1::Activity& activity) {
    json::object object;
    append_activity(object, activity);
    return object;
}

json::object activity_report_json(const v1::ActivityReply& reply,
                                  const std::vector<std::string>& labels) {
    json::array days;
    for (int i = 0; i < reply.periods_size(); ++i) {
        const v1::ActivityPeriod& period = reply.periods(i);
        json::object object;
        object["period"] =
            static_cast<size_t>(i) < labels.size() ? labels[static_cast<size_t>(i)] : std::string();
        object["start_ms"] = period.start_ms();
        object["end_ms"] = period.end_ms();
        object["sessions"] = period.sessions();
        append_activity(object, period.activity());
        days.emplace_back(std::move(object));
    }
    json::array projects;
    for (const v1::ActivityProject& project : reply.projects()) {
        json::object object;
        object["project"] = project.project();
        object["sessions"] = project.sessions();
        append_activity(object, project.activity());
        projects.emplace_back(std::move(object));
    }
    json::object totals = activity_json(reply.totals());
    totals["sessions"] = reply.sessions();
    json::object root;
    root["days"] = std::move(days);
    root["projects"] = std::move(projects);
    root["totals"] = std::move(totals);
    return root;
}

namespace {

std::vector<std::string> activity_cells(const v1::Activity& activity) {
    return {format_time_left(activity.api_ms()), format_time_left(activity.tool_ms()),
            format_time_left(activity.idle_ms()), format_time_left(activity.wall_ms()),
            "+" + format_count(activity.lines_added()) + " / -" +
                format_count(activity.lines_removed())};
}

}  // namespace

std::string activity_table(const v1::ActivityReply& reply, const std::vector<std::string>& labels) {
    if (reply.periods_size() == 0)
        return "No client process has reported its activity yet (Claude Code 2.1.332 and later "
               "write it when a session's process ends).\n";
    TextTable table({{"Date", Align::left},
                     {"Sessions"},
                     {"Model working"},
                     {"Tools"},
                     {"Idle"},
                     {"Wall"},
                     {"Lines +/-"}});
    for (int i = 0; i < reply.periods_size(); ++i) {
        std::vector<std::string> row = {
            static_cast<size_t>(i) < labels.size() ? labels[static_cast<size_t>(i)] : "",
            format_count(reply.periods(i).sessions())};
        for (std::string& cell : activity_cells(reply.periods(i).activity()))
            row.push_back(std::move(cell));
        table.add_row(row);
    }
    table.add_rule();
    std::vector<std::string> total = {"Total", format_count(reply.sessions())};
    for (std::string& cell : activity_cells(reply.totals()))
        total.push_back(std::move(cell));
    table.add_row(total);
    std::string out = table.render();
    if (reply.projects_size() > 0) {
        TextTable projects({{"Project", Align::left},
                            {"Sessions"},
                            {"Model working"},
                            {"Tools"},
                            {"Idle"},
                            {"Wall"},
                            {"Lines +/-"}});
        for (const v1::ActivityProject& project : reply.projects()) {
            std::vector<std::string> row = {
                project.project().empty() ? "(unknown)" : terminal_safe(project.project()),
                format_count(project.sessions())};
            for (std::string& cell : activity_cells(project.activity()))
                row.push_back(std::move(cell));
            projects.add_row(row);
        }
        out += "\n" + projects.render();
    }
    return out;
}

}  // namespace ccmeter
