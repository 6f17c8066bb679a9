// The team views from the store's team_totals rows: grouping, distinct members and machines,
// and prices applied per model as the local reports apply them.
#include <catch2/catch.hpp>

#include <map>

#include "team/team_report.hpp"

using namespace ccmeter;

namespace {

constexpr int64_t k_day = 1'790'000'000'000 / k_team_day_ms * k_team_day_ms;

TeamTotalsRow row(std::string member, std::string machine, std::string project, std::string model,
                  int64_t day, int64_t responses, int64_t output_tokens) {
    TeamTotalsRow r;
    r.member = std::move(member);
    r.machine = std::move(machine);
    r.project = std::move(project);
    r.model = std::move(model);
    r.bucket_start_ms = k_day + day * k_team_day_ms;
    r.speed = "standard";
    r.responses = responses;
    r.tokens.input_tokens = 100 * responses;
    r.tokens.output_tokens = output_tokens;
    return r;
}

const std::vector<TeamTotalsRow> k_rows = {
    row("alice", "laptop", "/p/a", "claude-opus-4-5", 0, 3, 3000),
    row("alice", "desktop", "/p/a", "claude-sonnet-4-5", 1, 2, 1000),
    row("bob", "build", "/p/b", "claude-opus-4-5", 1, 5, 500),
    row("bob", "build", "/p/b", "some-unknown-model", 1, 1, 10),
};

}  // namespace

TEST_CASE("team views group the store's rows and count members and machines", "[team]") {
    const PriceTable prices = PriceTable::builtin();
    const std::vector<TeamReportRow> summary =
        team_report(team_view_rows(k_rows, TeamView::summary), TeamView::summary, prices);
    REQUIRE(summary.size() == 1);
    CHECK(summary[0].key.empty());
    CHECK(summary[0].totals.responses == 11);
    CHECK(summary[0].totals.tokens.output_tokens == 4510);
    CHECK(summary[0].members == 2);
    CHECK(summary[0].machines == 3);
    CHECK(summary[0].totals.unpriced_responses == 1);

    const std::vector<TeamReportRow> members =
        team_report(team_view_rows(k_rows, TeamView::members), TeamView::members, prices);
    REQUIRE(members.size() == 2);
    int64_t responses = 0;
    for (const TeamReportRow& member : members) {
        responses += member.totals.responses;
        CHECK(member.members == 1);
        CHECK(member.machines == (member.key == "alice" ? 2 : 1));
    }
    CHECK(responses == 11);
    // Most expensive first.
    CHECK(members[0].totals.cost_pico_usd >= members[1].totals.cost_pico_usd);

    const std::vector<TeamReportRow> daily =
        team_report(team_view_rows(k_rows, TeamView::daily), TeamView::daily, prices);
    REQUIRE(daily.size() == 2);
    CHECK(daily[0].key == utc_day(k_day));
    CHECK(daily[0].totals.responses == 3);
    CHECK(daily[1].key == utc_day(k_day + k_team_day_ms));
    CHECK(daily[1].totals.responses == 8);

    CHECK(team_report(team_view_rows(k_rows, TeamView::machines), TeamView::machines, prices)
              .size() == 3);
    CHECK(team_report(team_view_rows(k_rows, TeamView::projects), TeamView::projects, prices)
              .size() == 2);
    CHECK(team_report(team_view_rows(k_rows, TeamView::models), TeamView::models, prices).size() ==
          3);
    // An empty store still has a summary row, of zeros.
    const std::vector<TeamReportRow> empty =
        team_report(team_view_rows({}, TeamView::summary), TeamView::summary, prices);
    REQUIRE(empty.size() == 1);
    CHECK(empty[0].totals.responses == 0);
    CHECK(team_report(team_view_rows({}, TeamView::members), TeamView::members, prices).empty());
}

TEST_CASE("a team row is priced as the local history prices the same tokens", "[team]") {
    const PriceTable prices = PriceTable::builtin();
    const TeamTotalsRow& opus = k_rows[0];
    const std::vector<TeamReportRow> models =
        team_report(team_view_rows({opus}, TeamView::models), TeamView::models, prices);
    REQUIRE(models.size() == 1);
    const std::optional<int64_t> expected =
        prices.cost_pico_usd(opus.model, opus.bucket_start_ms, opus.speed, false, opus.tokens);
    REQUIRE(expected.has_value());
    CHECK(*expected > 0);
    CHECK(models[0].totals.cost_pico_usd == *expected);
}

TEST_CASE("team view names", "[team]") {
    for (const char* name : {"summary", "daily", "members", "machines", "projects", "models"}) {
        const std::optional<TeamView> view = parse_team_view(name);
        REQUIRE(view.has_value());
        CHECK(team_view_name(*view) == name);
    }
    CHECK_FALSE(parse_team_view("weekly").has_value());
    CHECK_FALSE(parse_team_view("").has_value());
}

TEST_CASE("a view priced per key, model and day costs what its store rows cost one by one",
          "[team]") {
    const PriceTable prices = PriceTable::builtin();
    // Two rows of one key, model and day but different machines and projects: the store sums
    // them into one view row, priced once.
    std::vector<TeamTotalsRow> rows = k_rows;
    rows.push_back(row("alice", "desktop", "/p/c", "claude-opus-4-5", 0, 4, 777));
    for (const TeamView view : {TeamView::summary, TeamView::daily, TeamView::members,
                                TeamView::machines, TeamView::projects, TeamView::models}) {
        const std::vector<TeamViewRow> view_rows = team_view_rows(rows, view);
        CHECK(view_rows.size() < rows.size() * 2);  // grouped, not copied
        std::map<std::string, int64_t> want;
        int64_t responses = 0;
        for (const TeamTotalsRow& r : rows) {
            const std::vector<TeamReportRow> one =
                team_report(team_view_rows({r}, view), view, prices);
            REQUIRE(one.size() == 1);
            want[one[0].key] += one[0].totals.cost_pico_usd;
            responses += r.responses;
        }
        int64_t got_responses = 0;
        for (const TeamReportRow& got : team_report(view_rows, view, prices)) {
            CHECK(got.totals.cost_pico_usd == want[got.key]);
            got_responses += got.totals.responses;
        }
        CHECK(got_responses == responses);
    }
}
