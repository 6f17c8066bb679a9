// `hookctl top`: the state of the full-screen view, what each key does to it, and the frame it
// shows, as a pure function of the daemon's replies (no terminal, no I/O: top_command.hpp is
// the thin terminal layer that reads keys, asks the daemon and writes frames).
//
// Views: the tabs Sessions, Projects, Models, Daily (a bar chart of the cost per local day) and
// Limits (the plan limits and budgets), a session's turns (Enter on a session; Esc back) and a
// turn's responses (Enter on a turn; Esc back to the turns).
// Tables are common/stats_format's, fitted to the width (the same figures and formatting as
// `hookctl stats`), one row per item; the selected row starts with "> ".
// Keys: Up/Down (k/j), PgUp/PgDn, Home/End move; Tab/Shift-Tab, Left/Right or 1-5 switch tabs;
// Enter opens the selected session or turn (on Projects: that project's sessions); Esc goes back
// (or clears the filter); "/" edits the tab's filter (a substring of the row's names; Enter keeps
// it, Esc drops it); "s" changes the tab's sort; "r" asks for fresh figures; q or Ctrl-C quits.
//
// Frame: render(width, height) returns exactly `height` lines separated by '\n', none wider than
// `width` code points (escape sequences excluded): line 1 the tabs, line 2 the status (live,
// "daemon down — reconnecting", sort, filter), then the view, last the keys (or the filter
// being typed). With `color`, the active tab and selected row are in reverse video, headers bold
// and a daemon that is down red; without (NO_COLOR), plain text only.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ccmeter/v1/ccmeter.pb.h"
#include "common/budget_config.hpp"
#include "terminal_keys.hpp"

namespace ccmeter {

enum class TopTab { sessions = 0, projects, models, daily, limits };
constexpr size_t k_top_tabs = 5;

// The orders "s" cycles through, per tab (the first is the default):
//   Sessions: recent (last activity, newest first), cost, tokens
//   Projects, Models: cost, tokens, name
//   Daily: date (oldest first), cost
enum class TopSort { recent, cost, tokens, name, date };

// What the terminal layer is asked to do after a key.
struct TopRequest {
    enum class Kind {
        none,  // nothing (the frame may have changed: redraw)
        quit,
        open_session,  // fetch `session_id` and call show_session()
        refresh,       // fetch the current view's figures (after "r" and on a tab switch)
    };
    Kind kind = Kind::none;
    std::string session_id;
};

class TopModel {
  public:
    // The daemon's figures, each replacing the tab's previous ones (the selection follows its
    // row by key).
    void set_sessions(v1::GroupsReply reply);
    void set_projects(v1::GroupsReply reply);
    void set_models(v1::GroupsReply reply);
    // Daily: `labels[i]` names reply.periods(i) ("2026-11-22"); days without usage are left out.
    void set_daily(v1::PeriodsReply reply, std::vector<std::string> labels);
    void set_limits(v1::LimitsReply reply, Budgets budgets);
    // The drilled-into session's turns (after TopRequest::open_session).
    void show_session(v1::SessionReply reply);

    // Whether the daemon answers; `updated_ms` when the figures were last fetched.
    void set_connected(bool connected);
    void set_updated_ms(int64_t updated_ms) { m_updated_ms = updated_ms; }

    TopRequest handle(const Key& key);

    std::string render(size_t width, size_t height, bool color) const;

    TopTab tab() const { return m_tab; }
    bool in_session() const { return m_session.has_value(); }
    bool in_turn() const { return m_turn.has_value(); }
    const std::string& session_id() const;  // of the drilled-into session ("" when none)
    // The key of the selected row of the current view ("" when it has none): a session id,
    // project, model, day label, turn number or "<message id> <request id>" of a response.
    std::string selected_key() const;
    TopSort sort() const { return m_sort[static_cast<size_t>(m_tab)]; }
    const std::string& filter() const { return m_filter[static_cast<size_t>(m_tab)]; }
    bool editing_filter() const { return m_editing_filter; }
    bool connected() const { return m_connected; }
    // Whether the tab has figures yet.
    bool has_figures(TopTab tab) const { return m_loaded[static_cast<size_t>(tab)]; }

  private:
    struct Row {
        std::string key;     // follows the selection across refreshes
        std::string search;  // what the filter matches
        int index = 0;       // in the reply
    };
    // The current view's rows, filtered and sorted.
    std::vector<Row> rows() const;
    std::vector<Row> slot_rows(size_t slot) const;
    std::vector<Row> tab_rows(TopTab tab) const;
    void move(int64_t by);
    // After the rows of `slot` changed (new figures, another sort): the same row selected.
    void keep_selection(size_t slot);
    size_t view_slot() const;  // the tabs, then the session view
    std::string status_line() const;
    std::string help_line() const;
    // The view's table lines (header, rule, rows, rule, total, notes) and where its rows are.
    struct Table {
        std::vector<std::string> lines;
        size_t first_row = 0;  // index in `lines`
        size_t rows = 0;
    };
    Table table(size_t width) const;
    Table daily_chart(size_t width) const;

    TopTab m_tab = TopTab::sessions;
    std::array<TopSort, k_top_tabs> m_sort{TopSort::recent, TopSort::cost, TopSort::cost,
                                           TopSort::date, TopSort::cost};
    std::array<std::string, k_top_tabs> m_filter;
    std::array<bool, k_top_tabs> m_loaded{};
    bool m_editing_filter = false;
    std::string m_filter_before;  // restored by Esc while editing
    // Selected row and first visible row, per tab, for the session view (slot k_top_tabs) and
    // the turn view (k_top_tabs + 1).
    std::array<size_t, k_top_tabs + 2> m_selected{};
    mutable std::array<size_t, k_top_tabs + 2> m_scroll{};
    std::array<std::string, k_top_tabs + 2> m_selected_key;
    bool m_connected = false;
    int64_t m_updated_ms = 0;

    v1::GroupsReply m_sessions;
    v1::GroupsReply m_projects;
    v1::GroupsReply m_models;
    v1::PeriodsReply m_daily;
    std::vector<std::string> m_daily_labels;
    v1::LimitsReply m_limits;
    Budgets m_budgets;
    std::optional<v1::SessionReply> m_session;
    std::optional<size_t> m_turn;  // the turn whose responses are shown
};

}  // namespace ccmeter
