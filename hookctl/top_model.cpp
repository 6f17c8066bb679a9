#include "top_model.hpp"

#include <algorithm>
#include <cctype>

#include "common/local_periods.hpp"
#include "common/number_text.hpp"
#include "common/stats_format.hpp"
#include "common/text_sanitizer.hpp"

namespace ccmeter {

namespace {

constexpr size_t k_session_slot = k_top_tabs;
constexpr size_t k_turn_slot = k_top_tabs + 1;
constexpr int64_t k_page_rows = 10;
constexpr std::string_view k_reverse = "\x1b[7m";
constexpr std::string_view k_bold = "\x1b[1m";
constexpr std::string_view k_red = "\x1b[31m";
constexpr std::string_view k_reset = "\x1b[0m";

const char* const k_tab_names[k_top_tabs] = {"Sessions", "Projects", "Models", "Daily", "Limits"};

std::string lowercase(std::string_view text) {
    std::string out(text);
    for (char& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

int64_t tokens_of(const v1::Usage& usage) {
    return usage.input_tokens() + usage.output_tokens() + usage.cache_creation_input_tokens() +
           usage.cache_read_input_tokens();
}

std::vector<std::string> split_lines(const std::string& text) {
    std::vector<std::string> lines;
    size_t start = 0;
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos)
            end = text.size();
        lines.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return lines;
}

const char* sort_name(TopSort sort) {
    switch (sort) {
        case TopSort::recent:
            return "recent";
        case TopSort::cost:
            return "cost";
        case TopSort::tokens:
            return "tokens";
        case TopSort::name:
            return "name";
        case TopSort::date:
            return "date";
    }
    return "";
}

std::vector<TopSort> sorts_of(TopTab tab) {
    switch (tab) {
        case TopTab::sessions:
            return {TopSort::recent, TopSort::cost, TopSort::tokens};
        case TopTab::projects:
        case TopTab::models:
            return {TopSort::cost, TopSort::tokens, TopSort::name};
        case TopTab::daily:
            return {TopSort::date, TopSort::cost};
        case TopTab::limits:
            return {TopSort::cost};
    }
    return {};
}

// The bar of a daily chart: `eighths` eighths of a cell, in full and partial blocks.
std::string bar(size_t eighths) {
    static const char* const k_partial[8] = {"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"};
    std::string out;
    for (size_t i = 0; i < eighths / 8; ++i)
        out += "█";
    out += k_partial[eighths % 8];
    return out;
}

// `line` padded with spaces to `width` code points (for a reverse-video row).
std::string padded(std::string line, size_t width) {
    const size_t shown = display_width(line);
    if (shown < width)
        line.append(width - shown, ' ');
    return line;
}

}  // namespace

void TopModel::set_sessions(v1::GroupsReply reply) {
    m_sessions = std::move(reply);
    m_loaded[static_cast<size_t>(TopTab::sessions)] = true;
    keep_selection(static_cast<size_t>(TopTab::sessions));
}

void TopModel::set_projects(v1::GroupsReply reply) {
    m_projects = std::move(reply);
    m_loaded[static_cast<size_t>(TopTab::projects)] = true;
    keep_selection(static_cast<size_t>(TopTab::projects));
}

void TopModel::set_models(v1::GroupsReply reply) {
    m_models = std::move(reply);
    m_loaded[static_cast<size_t>(TopTab::models)] = true;
    keep_selection(static_cast<size_t>(TopTab::models));
}

void TopModel::set_daily(v1::PeriodsReply reply, std::vector<std::string> labels) {
    m_daily = std::move(reply);
    m_daily_labels = std::move(labels);
    m_loaded[static_cast<size_t>(TopTab::daily)] = true;
    keep_selection(static_cast<size_t>(TopTab::daily));
}

void TopModel::set_limits(v1::LimitsReply reply, Budgets budgets) {
    m_limits = std::move(reply);
    m_budgets = budgets;
    m_loaded[static_cast<size_t>(TopTab::limits)] = true;
}

void TopModel::show_session(v1::SessionReply reply) {
    const bool same = m_session && m_session->session_id() == reply.session_id();
    m_session = std::move(reply);
    if (!same) {
        m_turn.reset();
        for (size_t slot : {k_session_slot, k_turn_slot}) {
            m_selected[slot] = 0;
            m_scroll[slot] = 0;
            m_selected_key[slot].clear();
        }
    }
    if (m_turn && static_cast<int>(*m_turn) >= m_session->turns_size())
        m_turn.reset();
    keep_selection(k_session_slot);
    keep_selection(k_turn_slot);
}

void TopModel::set_connected(bool connected) {
    m_connected = connected;
}

const std::string& TopModel::session_id() const {
    static const std::string k_none;
    return m_session ? m_session->session_id() : k_none;
}

size_t TopModel::view_slot() const {
    return m_turn ? k_turn_slot : m_session ? k_session_slot : static_cast<size_t>(m_tab);
}

std::vector<TopModel::Row> TopModel::tab_rows(TopTab tab) const {
    std::vector<Row> rows;
    const TopSort sort = m_sort[static_cast<size_t>(tab)];
    const std::string filter = lowercase(m_filter[static_cast<size_t>(tab)]);
    const v1::GroupsReply* groups = tab == TopTab::sessions   ? &m_sessions
                                    : tab == TopTab::projects ? &m_projects
                                    : tab == TopTab::models   ? &m_models
                                                              : nullptr;
    if (groups) {
        for (int i = 0; i < groups->groups_size(); ++i) {
            const v1::Group& group = groups->groups(i);
            Row row{group.key(), group.key(), i};
            if (tab == TopTab::sessions) {
                row.search += " " + group.project();
                for (const std::string& model : group.models())
                    row.search += " " + model;
            }
            if (!filter.empty() && lowercase(row.search).find(filter) == std::string::npos)
                continue;
            rows.push_back(std::move(row));
        }
        auto usage = [groups](const Row& row) -> const v1::Usage& {
            return groups->groups(row.index).usage();
        };
        if (sort == TopSort::cost)
            std::stable_sort(rows.begin(), rows.end(), [&](const Row& a, const Row& b) {
                return usage(a).cost_micro_usd() > usage(b).cost_micro_usd();
            });
        else if (sort == TopSort::tokens)
            std::stable_sort(rows.begin(), rows.end(), [&](const Row& a, const Row& b) {
                return tokens_of(usage(a)) > tokens_of(usage(b));
            });
        else if (sort == TopSort::name)
            std::stable_sort(rows.begin(), rows.end(),
                             [](const Row& a, const Row& b) { return a.key < b.key; });
        return rows;
    }
    if (tab == TopTab::daily) {
        // Newest day first.
        for (int i = m_daily.periods_size() - 1; i >= 0; --i) {
            if (m_daily.periods(i).usage().responses() == 0)
                continue;
            const size_t at = static_cast<size_t>(i);
            Row row{at < m_daily_labels.size() ? m_daily_labels[at] : std::string(), {}, i};
            row.search = row.key;
            if (!filter.empty() && lowercase(row.search).find(filter) == std::string::npos)
                continue;
            rows.push_back(std::move(row));
        }
        if (sort == TopSort::cost)
            std::stable_sort(rows.begin(), rows.end(), [&](const Row& a, const Row& b) {
                return m_daily.periods(a.index).usage().cost_micro_usd() >
                       m_daily.periods(b.index).usage().cost_micro_usd();
            });
    }
    return rows;
}

std::vector<TopModel::Row> TopModel::slot_rows(size_t slot) const {
    if (slot < k_top_tabs)
        return tab_rows(static_cast<TopTab>(slot));
    std::vector<Row> rows;
    if (!m_session)
        return rows;
    if (slot == k_session_slot) {
        for (int i = 0; i < m_session->turns_size(); ++i)
            rows.push_back(Row{std::to_string(i + 1), {}, i});
    } else if (m_turn) {
        const v1::Turn& turn = m_session->turns(static_cast<int>(*m_turn));
        for (int i = 0; i < turn.responses_size(); ++i)
            rows.push_back(
                Row{turn.responses(i).message_id() + " " + turn.responses(i).request_id(), {}, i});
    }
    return rows;
}

std::vector<TopModel::Row> TopModel::rows() const {
    return slot_rows(view_slot());
}

std::string TopModel::selected_key() const {
    const std::vector<Row> all = rows();
    const size_t selected = m_selected[view_slot()];
    return selected < all.size() ? all[selected].key : std::string();
}

void TopModel::keep_selection(size_t slot) {
    const std::vector<Row> all = slot_rows(slot);
    // The row of the same key, wherever it moved; else the same place, within the rows.
    size_t& selected = m_selected[slot];
    const std::string& key = m_selected_key[slot];
    if (!key.empty())
        for (size_t i = 0; i < all.size(); ++i)
            if (all[i].key == key) {
                selected = i;
                break;
            }
    if (all.empty())
        selected = 0;
    else if (selected >= all.size())
        selected = all.size() - 1;
    m_selected_key[slot] = all.empty() ? std::string() : all[selected].key;
}

void TopModel::move(int64_t by) {
    const std::vector<Row> all = rows();
    const size_t slot = view_slot();
    if (all.empty()) {
        m_selected[slot] = 0;
        m_selected_key[slot].clear();
        return;
    }
    const int64_t last = static_cast<int64_t>(all.size()) - 1;
    const int64_t target =
        std::clamp(static_cast<int64_t>(m_selected[slot]) + by, int64_t{0}, last);
    m_selected[slot] = static_cast<size_t>(target);
    m_selected_key[slot] = all[m_selected[slot]].key;
}

TopRequest TopModel::handle(const Key& key) {
    const size_t tab = static_cast<size_t>(m_tab);
    auto reset_selection = [&] {
        m_selected[tab] = 0;
        m_scroll[tab] = 0;
        move(0);
    };
    if (key.code == KeyCode::interrupt)
        return {TopRequest::Kind::quit, {}};
    if (m_editing_filter) {
        switch (key.code) {
            case KeyCode::character:
                m_filter[tab] += key.text;
                reset_selection();
                break;
            case KeyCode::backspace: {
                std::string& filter = m_filter[tab];
                while (!filter.empty() &&
                       (static_cast<unsigned char>(filter.back()) & 0xC0) == 0x80)
                    filter.pop_back();
                if (!filter.empty())
                    filter.pop_back();
                reset_selection();
                break;
            }
            case KeyCode::enter:
                m_editing_filter = false;
                break;
            case KeyCode::escape:
                m_editing_filter = false;
                m_filter[tab].clear();
                reset_selection();
                break;
            default:
                break;
        }
        return {};
    }
    auto switch_to = [&](size_t next) {
        m_session.reset();
        m_turn.reset();
        m_tab = static_cast<TopTab>(next % k_top_tabs);
        move(0);
        // Other tabs are not kept up to date in the background: fresh figures on the way in.
        return TopRequest{TopRequest::Kind::refresh, {}};
    };
    switch (key.code) {
        case KeyCode::up:
            move(-1);
            return {};
        case KeyCode::down:
            move(1);
            return {};
        case KeyCode::page_up:
            move(-k_page_rows);
            return {};
        case KeyCode::page_down:
            move(k_page_rows);
            return {};
        case KeyCode::home:
            move(-static_cast<int64_t>(rows().size()));
            return {};
        case KeyCode::end:
            move(static_cast<int64_t>(rows().size()));
            return {};
        case KeyCode::tab:
        case KeyCode::right:
            return switch_to(tab + 1);
        case KeyCode::back_tab:
        case KeyCode::left:
            return switch_to(tab + k_top_tabs - 1);
        case KeyCode::enter: {
            if (m_turn)
                return {};
            if (m_session) {
                // The selected turn's responses.
                if (m_session->turns_size() == 0)
                    return {};
                m_turn = m_selected[k_session_slot];
                m_selected[k_turn_slot] = 0;
                m_scroll[k_turn_slot] = 0;
                m_selected_key[k_turn_slot].clear();
                keep_selection(k_turn_slot);
                return {};
            }
            const std::string selected = selected_key();
            if (selected.empty())
                return {};
            if (m_tab == TopTab::sessions)
                return {TopRequest::Kind::open_session, selected};
            if (m_tab == TopTab::projects) {
                // That project's sessions: the Sessions tab filtered by it.
                m_filter[static_cast<size_t>(TopTab::sessions)] = selected;
                m_tab = TopTab::sessions;
                m_selected[static_cast<size_t>(TopTab::sessions)] = 0;
                move(0);
                return {TopRequest::Kind::refresh, {}};
            }
            return {};
        }
        case KeyCode::escape:
            if (m_turn) {
                m_turn.reset();
                return {};
            }
            if (m_session) {
                m_session.reset();
                return {};
            }
            if (!m_filter[tab].empty()) {
                m_filter[tab].clear();
                reset_selection();
            }
            return {};
        case KeyCode::character:
            break;
        default:
            return {};
    }
    const std::string& c = key.text;
    if (c == "q")
        return {TopRequest::Kind::quit, {}};
    if (c == "k")
        move(-1);
    else if (c == "j")
        move(1);
    else if (c.size() == 1 && c[0] >= '1' && c[0] <= '0' + static_cast<char>(k_top_tabs))
        return switch_to(static_cast<size_t>(c[0] - '1'));
    else if (c == "/" && !m_session) {
        m_editing_filter = true;
    } else if (c == "s" && !m_session) {
        const std::vector<TopSort> sorts = sorts_of(m_tab);
        auto at = std::find(sorts.begin(), sorts.end(), m_sort[tab]);
        m_sort[tab] = (at == sorts.end() || at + 1 == sorts.end()) ? sorts.front() : *(at + 1);
        // The same row stays selected, wherever it moved.
        keep_selection(tab);
    } else if (c == "r") {
        return {TopRequest::Kind::refresh, {}};
    }
    return {};
}

TopModel::Table TopModel::daily_chart(size_t width) const {
    Table out;
    const std::vector<Row> all = rows();
    int64_t most = 0;
    v1::Usage total;
    for (const Row& row : all) {
        const v1::Usage& usage = m_daily.periods(row.index).usage();
        most = std::max(most, usage.cost_micro_usd());
        add_usage(total, usage);
    }
    std::vector<std::string> costs;
    size_t cost_width = display_width("Cost");
    for (const Row& row : all) {
        costs.push_back(format_usd(m_daily.periods(row.index).usage().cost_micro_usd()));
        cost_width = std::max(cost_width, display_width(costs.back()));
    }
    const std::string total_cost = format_usd(total.cost_micro_usd());
    cost_width = std::max(cost_width, display_width(total_cost));
    constexpr size_t k_label = 10;  // "2026-11-22"
    const size_t fixed = k_label + 2 + 2 + cost_width;
    const size_t bar_cells = width > fixed + 4 ? width - fixed : 4;
    auto line = [&](const std::string& label, const std::string& middle, const std::string& cost) {
        std::string text = padded(label, k_label) + "  " + padded(middle, bar_cells) + "  ";
        text.append(cost_width - display_width(cost), ' ');
        return text + cost;
    };
    out.lines.push_back(line("Day", "Cost per day", "Cost"));
    out.lines.push_back(std::string());
    for (size_t i = 0; i < std::min(width, fixed + bar_cells); ++i)
        out.lines.back() += "─";
    out.first_row = out.lines.size();
    for (size_t i = 0; i < all.size(); ++i) {
        const int64_t cost = m_daily.periods(all[i].index).usage().cost_micro_usd();
        const size_t eighths =
            most > 0 ? static_cast<size_t>(static_cast<long double>(std::max<int64_t>(cost, 0)) *
                                           static_cast<long double>(bar_cells * 8) /
                                           static_cast<long double>(most))
                     : 0;
        out.lines.push_back(line(all[i].key, bar(eighths), costs[i]));
    }
    out.rows = all.size();
    out.lines.push_back(out.lines[1]);
    out.lines.push_back(line("Total", format_count(tokens_of(total)) + " tokens", total_cost));
    return out;
}

TopModel::Table TopModel::table(size_t width) const {
    Table out;
    std::string text;
    size_t header_lines = 2;  // header and rule
    const std::vector<Row> all = rows();
    if (m_turn) {
        // The turn as `stats SESSION --breakdown` shows it: its row, then one per response.
        v1::SessionReply one;
        one.set_session_id(m_session->session_id());
        one.set_project(m_session->project());
        const v1::Turn& turn = m_session->turns(static_cast<int>(*m_turn));
        *one.add_turns() = turn;
        *one.mutable_usage() = turn.usage();
        text = session_table(one, true, width);
        header_lines = 6;  // "Session", "Project", a blank line, header, rule, the turn
    } else if (m_session) {
        text = session_table(*m_session, false, width);
        header_lines = 5;  // "Session", "Project", a blank line, header, rule
    } else {
        switch (m_tab) {
            case TopTab::sessions:
            case TopTab::projects:
            case TopTab::models: {
                const v1::GroupsReply& source = m_tab == TopTab::sessions   ? m_sessions
                                                : m_tab == TopTab::projects ? m_projects
                                                                            : m_models;
                v1::GroupsReply shown;
                for (const Row& row : all)
                    *shown.add_groups() = source.groups(row.index);
                text = m_tab == TopTab::sessions   ? sessions_table(shown, false, width)
                       : m_tab == TopTab::projects ? projects_table(shown, false, width)
                                                   : models_table(shown, width);
                break;
            }
            case TopTab::daily:
                return daily_chart(width);
            case TopTab::limits:
                out.lines = split_lines(limits_table(m_limits, m_budgets));
                return out;
        }
    }
    out.lines = split_lines(text);
    out.first_row = std::min(header_lines, out.lines.size());
    out.rows = all.size();
    return out;
}

std::string TopModel::status_line() const {
    std::string status;
    if (!m_connected) {
        status = "daemon down — reconnecting";
        if (m_updated_ms > 0)
            status += " (figures of " + local_time_of_day(m_updated_ms) + ")";
        return status;
    }
    status = "live";
    if (m_updated_ms > 0)
        status += " · updated " + local_time_of_day(m_updated_ms);
    if (m_turn) {
        status += " · session " + terminal_safe(m_session->session_id()) + " · turn " +
                  std::to_string(*m_turn + 1) + " · " +
                  std::to_string(m_session->turns(static_cast<int>(*m_turn)).responses_size()) +
                  " responses";
        return status;
    }
    if (m_session) {
        status += " · session " + terminal_safe(m_session->session_id()) + " · " +
                  std::to_string(m_session->turns_size()) + " turns";
        return status;
    }
    if (m_tab != TopTab::limits) {
        status += " · " + std::to_string(rows().size()) + " rows · sort: " + sort_name(sort());
        if (!filter().empty())
            status += " · filter: " + terminal_safe(filter());
    }
    return status;
}

std::string TopModel::help_line() const {
    if (m_editing_filter)
        return "/" + terminal_safe(filter()) + "▏  Enter keep · Esc drop";
    if (m_turn)
        return "↑↓ move  Esc back to the turns  Tab/1-5 tabs  q quit";
    if (m_session)
        return "↑↓ move  Enter responses  Esc back  Tab/1-5 tabs  q quit";
    return "↑↓ move  Enter open  / filter  s sort  Tab/1-5 tabs  r refresh  q quit";
}

std::string TopModel::render(size_t width, size_t height, bool color) const {
    std::vector<std::string> frame;  // plain text, escape sequences added at the end
    if (height == 0 || width == 0)
        return std::string();

    // Line 1: the tabs.
    std::string tabs = "ccmeter";
    size_t active_start = 0;
    size_t active_end = 0;
    for (size_t i = 0; i < k_top_tabs; ++i) {
        const std::string name = std::to_string(i + 1) + " " + k_tab_names[i];
        tabs += " ";
        if (i == static_cast<size_t>(m_tab)) {
            active_start = tabs.size();
            tabs += "[" + name + "]";
            active_end = tabs.size();
        } else {
            tabs += " " + name + " ";
        }
    }
    frame.push_back(tabs);
    frame.push_back(status_line());

    const size_t body_height = height > 3 ? height - 3 : 0;
    const size_t inner = width > 2 ? width - 2 : width;
    std::vector<std::string> body;
    size_t selected_line = std::string::npos;
    size_t header_line = std::string::npos;
    const size_t slot = view_slot();
    if (!m_session && !has_figures(m_tab)) {
        body.push_back("  loading…");
    } else {
        const Table t = table(inner);
        std::vector<std::string> pre(t.lines.begin(),
                                     t.lines.begin() + static_cast<long>(t.first_row));
        const size_t rows_end = std::min(t.lines.size(), t.first_row + t.rows);
        std::vector<std::string> post(t.lines.begin() + static_cast<long>(rows_end), t.lines.end());
        if (t.rows == 0 && m_tab != TopTab::limits) {
            post.insert(post.begin(), filter().empty()
                                          ? "(nothing yet)"
                                          : "(nothing matches /" + terminal_safe(filter()) + ")");
        }
        // Notes after the total go first when space is short, then the total itself.
        while (!post.empty() && pre.size() + post.size() + 1 > body_height && post.size() > 2)
            post.pop_back();
        const size_t window =
            body_height > pre.size() + post.size() ? body_height - pre.size() - post.size() : 1;
        size_t& scroll = m_scroll[slot];
        const size_t selected = m_selected[slot];
        if (t.rows > 0) {
            if (selected < scroll)
                scroll = selected;
            if (selected >= scroll + window)
                scroll = selected + 1 - window;
            if (scroll + window > t.rows)
                scroll = t.rows > window ? t.rows - window : 0;
        } else {
            scroll = 0;
        }
        for (const std::string& line : pre)
            body.push_back("  " + line);
        if (t.first_row >= 2 && m_tab != TopTab::limits)
            header_line = t.first_row - 2;
        const bool selectable = m_tab != TopTab::limits || m_session;
        for (size_t i = scroll; i < std::min(t.rows, scroll + window); ++i) {
            const bool is_selected = selectable && i == selected;
            if (is_selected)
                selected_line = body.size();
            body.push_back((is_selected ? "> " : "  ") + t.lines[t.first_row + i]);
        }
        for (const std::string& line : post)
            body.push_back("  " + line);
    }
    body.resize(body_height);
    for (std::string& line : body)
        frame.push_back(std::move(line));
    if (height >= 3)
        frame.push_back(help_line());
    frame.resize(height);

    std::string out;
    for (size_t i = 0; i < frame.size(); ++i) {
        std::string line = fit_text(frame[i], width, false);
        if (color) {
            if (i == 0 && active_end <= line.size() && active_end > active_start) {
                line = line.substr(0, active_start) + std::string(k_reverse) +
                       line.substr(active_start, active_end - active_start) + std::string(k_reset) +
                       line.substr(active_end);
            } else if (i == 1 && !m_connected) {
                line = std::string(k_red) + line + std::string(k_reset);
            } else if (i >= 2 && i - 2 == selected_line) {
                line = std::string(k_reverse) + padded(line, width) + std::string(k_reset);
            } else if (i >= 2 && i - 2 == header_line) {
                line = std::string(k_bold) + line + std::string(k_reset);
            }
        }
        if (i > 0)
            out.push_back('\n');
        out += line;
    }
    return out;
}

}  // namespace ccmeter
