#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "common/stats_format.hpp"
#include "top_model.hpp"

using namespace ccmeter;
namespace v1 = ccmeter::v1;

namespace {

const Key k_up{KeyCode::up, {}};
const Key k_down{KeyCode::down, {}};
const Key k_enter{KeyCode::enter, {}};
const Key k_escape{KeyCode::escape, {}};
const Key k_tab{KeyCode::tab, {}};

v1::Usage usage_of(int64_t output, int64_t cost_micro_usd) {
    v1::Usage usage;
    usage.set_output_tokens(output);
    usage.set_responses(1);
    usage.set_cost_micro_usd(cost_micro_usd);
    return usage;
}

// Three sessions, most recent first (the daemon's order).
v1::GroupsReply sessions() {
    v1::GroupsReply reply;
    struct Item {
        const char* id;
        const char* project;
        int64_t output;
        int64_t cost;
    };
    for (const Item& item : {Item{"aaaa1111-recent", "/home/dev/web", 100, 2'000'000},
                             Item{"bbbb2222-middle", "/home/dev/api", 900, 9'000'000},
                             Item{"cccc3333-oldest", "/home/dev/web", 50'000, 5'000'000}}) {
        v1::Group* group = reply.add_groups();
        group->set_key(item.id);
        group->set_project(item.project);
        group->add_models("claude-opus-4-8");
        *group->mutable_usage() = usage_of(item.output, item.cost);
    }
    return reply;
}

v1::SessionReply session_detail(const std::string& id, int turns) {
    v1::SessionReply reply;
    reply.set_session_id(id);
    reply.set_project("/home/dev/api");
    for (int i = 0; i < turns; ++i) {
        v1::Turn* turn = reply.add_turns();
        turn->set_start_ms(1'795'285'800'000 + i * 60'000);
        *turn->mutable_usage() = usage_of(10 + i, 1'000'000);
        add_usage(*reply.mutable_usage(), turn->usage());
    }
    return reply;
}

std::vector<std::string> lines_of(const std::string& frame) {
    std::vector<std::string> lines;
    size_t start = 0;
    for (;;) {
        const size_t end = frame.find('\n', start);
        lines.push_back(frame.substr(start, end == std::string::npos ? end : end - start));
        if (end == std::string::npos)
            return lines;
        start = end + 1;
    }
}

std::string selected_line(const std::string& frame) {
    for (const std::string& line : lines_of(frame))
        if (line.rfind("> ", 0) == 0)
            return line;
    return {};
}

TopModel loaded() {
    TopModel model;
    model.set_connected(true);
    model.set_sessions(sessions());
    return model;
}

}  // namespace

TEST_CASE("top_model: frames are exactly height lines, none wider than width", "[top_model]") {
    TopModel model = loaded();
    for (auto [width, height] : {std::pair<size_t, size_t>{60, 20}, {80, 24}, {120, 40}, {20, 5}}) {
        INFO(width << "x" << height);
        const std::vector<std::string> lines = lines_of(model.render(width, height, false));
        CHECK(lines.size() == height);
        for (const std::string& line : lines)
            CHECK(display_width(line) <= width);
    }
    const std::string frame = model.render(80, 24, false);
    CHECK(frame.find("[1 Sessions]") != std::string::npos);
    CHECK(frame.find("live") != std::string::npos);
    CHECK(frame.find("$16.00") != std::string::npos);  // the Total of the three
    CHECK(frame.find('\x1b') == std::string::npos);    // no colour asked: plain text
}

TEST_CASE("top_model: up and down move the selection, within the rows", "[top_model]") {
    TopModel model = loaded();
    CHECK(model.selected_key() == "aaaa1111-recent");
    CHECK(selected_line(model.render(80, 24, false)).find("aaaa1111") != std::string::npos);
    model.handle(k_down);
    model.handle(k_down);
    model.handle(k_down);
    CHECK(model.selected_key() == "cccc3333-oldest");
    model.handle(k_up);
    CHECK(model.selected_key() == "bbbb2222-middle");
    CHECK(selected_line(model.render(80, 24, false)).find("bbbb2222") != std::string::npos);
    model.handle(char_key("k"));
    model.handle(k_up);
    CHECK(model.selected_key() == "aaaa1111-recent");
}

TEST_CASE("top_model: s cycles the sort, the selected row stays selected", "[top_model]") {
    TopModel model = loaded();
    model.handle(k_down);  // bbbb2222
    CHECK(model.sort() == TopSort::recent);
    model.handle(char_key("s"));
    CHECK(model.sort() == TopSort::cost);
    CHECK(model.selected_key() == "bbbb2222-middle");
    // Most expensive first: 9, 5, 2 dollars.
    const std::string frame = model.render(80, 24, false);
    CHECK(frame.find("bbbb2222") < frame.find("cccc3333"));
    CHECK(frame.find("cccc3333") < frame.find("aaaa1111"));
    CHECK(frame.find("sort: cost") != std::string::npos);
    model.handle(char_key("s"));
    CHECK(model.sort() == TopSort::tokens);
    const std::string by_tokens = model.render(80, 24, false);
    CHECK(by_tokens.find("cccc3333") < by_tokens.find("bbbb2222"));
    model.handle(char_key("s"));
    CHECK(model.sort() == TopSort::recent);
}

TEST_CASE("top_model: / filters the rows, Esc drops the filter", "[top_model]") {
    TopModel model = loaded();
    model.handle(char_key("/"));
    CHECK(model.editing_filter());
    for (const char* c : {"a", "p", "x"})
        model.handle(char_key(c));
    CHECK(model.render(80, 24, false).find("/apx") != std::string::npos);  // being typed
    model.handle(Key{KeyCode::backspace, {}});
    model.handle(char_key("i"));
    model.handle(k_enter);
    CHECK_FALSE(model.editing_filter());
    CHECK(model.filter() == "api");
    const std::string frame = model.render(80, 24, false);
    CHECK(frame.find("bbbb2222") != std::string::npos);
    CHECK(frame.find("aaaa1111") == std::string::npos);
    CHECK(frame.find("1 rows") != std::string::npos);
    CHECK(frame.find("$9.00") != std::string::npos);  // the Total of what is shown
    CHECK(model.selected_key() == "bbbb2222-middle");
    model.handle(char_key("/"));
    model.handle(char_key("z"));
    CHECK(model.render(80, 24, false).find("(nothing matches /apiz)") != std::string::npos);
    model.handle(k_escape);  // while editing: drops the filter
    CHECK(model.filter().empty());
    CHECK(model.render(80, 24, false).find("3 rows") != std::string::npos);
}

TEST_CASE("top_model: Enter drills into the session's turns, Esc goes back", "[top_model]") {
    TopModel model = loaded();
    model.handle(k_down);
    const TopRequest request = model.handle(k_enter);
    CHECK(request.kind == TopRequest::Kind::open_session);
    CHECK(request.session_id == "bbbb2222-middle");
    model.show_session(session_detail("bbbb2222-middle", 30));
    CHECK(model.in_session());
    std::string frame = model.render(80, 24, false);
    CHECK(frame.find("Session  bbbb2222-middle") != std::string::npos);
    CHECK(frame.find("30 turns") != std::string::npos);
    CHECK(frame.find("$30.00") != std::string::npos);  // its Total
    CHECK(model.selected_key() == "1");
    // Scrolling: the selected turn is always on screen.
    for (int i = 0; i < 25; ++i)
        model.handle(k_down);
    CHECK(model.selected_key() == "26");
    frame = model.render(80, 24, false);
    CHECK(selected_line(frame).find("26") != std::string::npos);
    CHECK(lines_of(frame).size() == 24);
    model.handle(k_escape);
    CHECK_FALSE(model.in_session());
    CHECK(model.selected_key() == "bbbb2222-middle");
}

TEST_CASE("top_model: Enter on a turn shows its responses, Esc back to the turns", "[top_model]") {
    TopModel model = loaded();
    model.handle(k_enter);
    v1::SessionReply detail = session_detail("aaaa1111-recent", 3);
    v1::Turn* second = detail.mutable_turns(1);
    for (int i = 0; i < 2; ++i) {
        v1::Response* response = second->add_responses();
        response->set_message_id("msg_" + std::to_string(i));
        response->set_request_id("req_" + std::to_string(i));
        response->set_timestamp_ms(second->start_ms() + (i + 1) * 1'000);
        response->set_model(i == 0 ? "claude-opus-4-8" : "claude-haiku-4-5");
        response->set_agent_id(i == 1 ? "agent7" : "");
        *response->mutable_usage() = usage_of(5 + i, 500'000);
    }
    model.show_session(detail);
    model.handle(k_down);
    model.handle(k_enter);
    CHECK(model.in_turn());
    CHECK(model.selected_key() == "msg_0 req_0");
    std::string frame = model.render(100, 24, false);
    CHECK(frame.find("turn 2 · 2 responses") != std::string::npos);
    CHECK(frame.find("└") != std::string::npos);
    CHECK(frame.find("haiku-4-5 agent agent7") != std::string::npos);
    CHECK(selected_line(frame).find("opus-4-8") != std::string::npos);
    model.handle(k_down);
    CHECK(model.selected_key() == "msg_1 req_1");
    CHECK(selected_line(model.render(100, 24, false)).find("agent7") != std::string::npos);
    // A refresh of the same session keeps the turn open.
    model.show_session(detail);
    CHECK(model.in_turn());
    CHECK(model.selected_key() == "msg_1 req_1");
    model.handle(k_escape);
    CHECK_FALSE(model.in_turn());
    CHECK(model.in_session());
    CHECK(model.selected_key() == "2");
    model.handle(k_escape);
    CHECK_FALSE(model.in_session());
}

TEST_CASE("top_model: tabs by Tab, arrows and digits; Enter on a project filters sessions",
          "[top_model]") {
    TopModel model = loaded();
    CHECK(model.handle(k_tab).kind == TopRequest::Kind::refresh);
    CHECK(model.tab() == TopTab::projects);
    CHECK(model.render(80, 24, false).find("loading") != std::string::npos);
    v1::GroupsReply projects;
    v1::Group* web = projects.add_groups();
    web->set_key("/home/dev/web");
    *web->mutable_usage() = usage_of(1, 7'000'000);
    model.set_projects(projects);
    CHECK(model.render(80, 24, false).find("[2 Projects]") != std::string::npos);
    CHECK(model.handle(k_enter).kind == TopRequest::Kind::refresh);
    CHECK(model.tab() == TopTab::sessions);
    CHECK(model.filter() == "/home/dev/web");
    CHECK(model.render(80, 24, false).find("2 rows") != std::string::npos);
    model.handle(char_key("5"));
    CHECK(model.tab() == TopTab::limits);
    model.handle(Key{KeyCode::right, {}});
    CHECK(model.tab() == TopTab::sessions);
    model.handle(Key{KeyCode::left, {}});
    CHECK(model.tab() == TopTab::limits);
    model.handle(char_key("4"));
    CHECK(model.tab() == TopTab::daily);
    CHECK(model.handle(char_key("q")).kind == TopRequest::Kind::quit);
    CHECK(model.handle(Key{KeyCode::interrupt, {}}).kind == TopRequest::Kind::quit);
}

TEST_CASE("top_model: the daily chart's bars follow the cost", "[top_model]") {
    TopModel model = loaded();
    model.handle(char_key("4"));
    v1::PeriodsReply daily;
    std::vector<std::string> labels;
    for (int i = 0; i < 3; ++i) {
        v1::Period* period = daily.add_periods();
        *period->mutable_usage() = usage_of(1, (i + 1) * 1'000'000);
        labels.push_back("2026-11-2" + std::to_string(i));
    }
    model.set_daily(daily, labels);
    const std::string frame = model.render(60, 12, false);
    std::string biggest;
    std::string smallest;
    for (const std::string& line : lines_of(frame)) {
        if (line.find("2026-11-22") != std::string::npos)
            biggest = line;
        if (line.find("2026-11-20") != std::string::npos)
            smallest = line;
    }
    auto blocks = [](const std::string& line) {
        size_t count = 0;
        for (size_t at = line.find("█"); at != std::string::npos; at = line.find("█", at + 1))
            ++count;
        return count;
    };
    CHECK(blocks(biggest) > 0);
    CHECK(blocks(biggest) >= 3 * blocks(smallest) - 1);
    CHECK(frame.find("$6.00") != std::string::npos);             // the Total
    CHECK(frame.find("2026-11-22") < frame.find("2026-11-20"));  // newest first
    for (const std::string& line : lines_of(frame))
        CHECK(display_width(line) <= 60);
}

TEST_CASE("top_model: colour only when asked (NO_COLOR), daemon down shown", "[top_model]") {
    TopModel model = loaded();
    const std::string coloured = model.render(80, 24, true);
    CHECK(coloured.find("\x1b[7m") != std::string::npos);  // active tab, selected row
    const std::string plain = model.render(80, 24, false);
    CHECK(plain.find('\x1b') == std::string::npos);
    model.set_updated_ms(1'795'285'800'000);
    model.set_connected(false);
    const std::string down = model.render(80, 24, false);
    CHECK(down.find("daemon down — reconnecting") != std::string::npos);
    CHECK(down.find("$16.00") != std::string::npos);  // the last figures stay
    CHECK(model.render(80, 24, true).find("\x1b[31m") != std::string::npos);
    model.set_connected(true);
    CHECK(model.render(80, 24, false).find("daemon down") == std::string::npos);
}

TEST_CASE("top_model: a refresh keeps the selected row by key", "[top_model]") {
    TopModel model = loaded();
    model.handle(k_down);
    model.handle(k_down);
    CHECK(model.selected_key() == "cccc3333-oldest");
    v1::GroupsReply newer = sessions();
    // A new session comes first: the selection follows cccc3333 to its new place.
    v1::GroupsReply with_new;
    v1::Group* fresh = with_new.add_groups();
    fresh->set_key("dddd4444-new");
    *fresh->mutable_usage() = usage_of(1, 1);
    for (const v1::Group& group : newer.groups())
        *with_new.add_groups() = group;
    model.set_sessions(with_new);
    CHECK(model.selected_key() == "cccc3333-oldest");
    CHECK(selected_line(model.render(80, 24, false)).find("cccc3333") != std::string::npos);
}
