#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "common/json_text.hpp"
#include "common/local_periods.hpp"
#include "common/stats_format.hpp"
#include "scoped_time_zone.hpp"

using namespace ccmeter;
namespace v1 = ccmeter::v1;

namespace {

constexpr int64_t k_day_ms = 86'400'000;
constexpr int64_t k_kolkata_nov_20 = 1'795'285'800'000 - 2 * k_day_ms;
constexpr int64_t k_kolkata_nov_22 = 1'795'285'800'000;
constexpr int64_t k_kolkata_nov_22_140322 = 1'795'336'402'000;

v1::Usage usage(int64_t input, int64_t output, int64_t cache_write, int64_t cache_read,
                int64_t responses, int64_t cost_micro_usd) {
    v1::Usage result;
    result.set_input_tokens(input);
    result.set_output_tokens(output);
    result.set_cache_creation_input_tokens(cache_write);
    result.set_cache_read_input_tokens(cache_read);
    result.set_cache_1h(cache_write);
    result.set_responses(responses);
    result.set_cost_micro_usd(cost_micro_usd);
    return result;
}

v1::Usage opus() {
    return usage(1'234, 56'789, 1'000'000, 12'345'678, 42, 12'345'678);
}
v1::Usage haiku() {
    return usage(10, 20, 300, 4'000, 3, 1'500);
}
v1::Usage unpriced() {
    v1::Usage result = usage(5, 6, 0, 0, 1, 0);
    result.set_unpriced_responses(1);
    result.add_unpriced_models("claude-future-9");
    return result;
}

v1::PeriodsReply three_days(bool breakdown) {
    v1::PeriodsReply reply;
    v1::Period* first = reply.add_periods();
    first->set_start_ms(k_kolkata_nov_20);
    first->set_end_ms(k_kolkata_nov_20 + k_day_ms);
    *first->mutable_usage() = opus();
    if (breakdown)
        (*first->mutable_by_model())["claude-opus-4-8"] = opus();
    v1::Period* empty = reply.add_periods();
    empty->set_start_ms(k_kolkata_nov_20 + k_day_ms);
    empty->set_end_ms(k_kolkata_nov_22);
    v1::Period* last = reply.add_periods();
    last->set_start_ms(k_kolkata_nov_22);
    last->set_end_ms(k_kolkata_nov_22 + k_day_ms);
    v1::Usage both = haiku();
    add_usage(both, unpriced());
    *last->mutable_usage() = both;
    if (breakdown) {
        (*last->mutable_by_model())["claude-haiku-4-5-20251001"] = haiku();
        (*last->mutable_by_model())["claude-future-9"] = unpriced();
    }
    return reply;
}

const std::vector<std::string> k_labels{"2026-11-20", "2026-11-21", "2026-11-22"};

v1::GroupsReply two_sessions() {
    v1::GroupsReply reply;
    v1::Group* recent = reply.add_groups();
    recent->set_key("83ea4090-91e1-462f-8f38-2b2bd4d09199");
    recent->set_project("/home/dev/proj");
    recent->set_first_ms(k_kolkata_nov_22);
    recent->set_last_ms(k_kolkata_nov_22_140322);
    recent->add_models("claude-haiku-4-5-20251001");
    recent->add_models("claude-opus-4-8");
    v1::Usage both = opus();
    add_usage(both, haiku());
    *recent->mutable_usage() = both;
    (*recent->mutable_by_model())["claude-opus-4-8"] = opus();
    (*recent->mutable_by_model())["claude-haiku-4-5-20251001"] = haiku();
    v1::Group* older = reply.add_groups();
    older->set_key("1d9b3bb9-770b-49e0-9acc-002bbf2399f6");
    older->set_project("/home/dev/päckchen");  // two bytes, one column
    older->set_first_ms(k_kolkata_nov_20);
    older->set_last_ms(k_kolkata_nov_20 + 3'600'000);
    older->add_models("claude-future-9");
    *older->mutable_usage() = unpriced();
    (*older->mutable_by_model())["claude-future-9"] = unpriced();
    return reply;
}

v1::GroupsReply models_reply() {
    v1::GroupsReply reply;
    v1::Group* first = reply.add_groups();
    first->set_key("claude-opus-4-8");
    *first->mutable_usage() = opus();
    v1::Group* second = reply.add_groups();
    second->set_key("claude-haiku-4-5-20251001");
    *second->mutable_usage() = haiku();
    return reply;
}

v1::SessionReply one_session() {
    v1::SessionReply session;
    session.set_session_id("83ea4090-91e1-462f-8f38-2b2bd4d09199");
    session.set_project("/home/dev/proj");
    v1::Usage both = opus();
    add_usage(both, haiku());
    *session.mutable_usage() = both;
    v1::Turn* turn = session.add_turns();
    turn->set_start_ms(k_kolkata_nov_22_140322);
    *turn->mutable_usage() = both;
    v1::Response* main_chain = turn->add_responses();
    main_chain->set_message_id("msg_01");
    main_chain->set_request_id("req_01");
    main_chain->set_timestamp_ms(k_kolkata_nov_22_140322 + 5'000);
    main_chain->set_model("claude-opus-4-8");
    *main_chain->mutable_usage() = opus();
    v1::Response* agent = turn->add_responses();
    agent->set_message_id("msg_02");
    agent->set_request_id("req_02");
    agent->set_timestamp_ms(k_kolkata_nov_22_140322 + 65'000);
    agent->set_model("claude-haiku-4-5-20251001");
    agent->set_is_sidechain(true);
    agent->set_agent_id("a1b2c3");
    *agent->mutable_usage() = haiku();
    *turn->mutable_main() = opus();
    *turn->mutable_subagents() = haiku();
    turn->add_models("claude-haiku-4-5-20251001");  // sorted by name, as the daemon sends them
    turn->add_models("claude-opus-4-8");
    session.set_first_ms(main_chain->timestamp_ms());
    session.set_last_ms(agent->timestamp_ms());
    (*session.mutable_by_model())["claude-opus-4-8"] = opus();
    (*session.mutable_by_model())["claude-haiku-4-5-20251001"] = haiku();
    session.set_listed_responses(both.responses());  // every one listed
    session.set_turn_count(1);
    turn->set_number(1);
    *session.mutable_main() = opus();
    *session.mutable_subagents() = haiku();
    v1::AgentUsage* one_agent = session.add_agents();
    one_agent->set_agent_id("a1b2c3");
    one_agent->set_first_ms(k_kolkata_nov_22_140322 + 65'000);
    one_agent->add_models("claude-haiku-4-5-20251001");
    *one_agent->mutable_usage() = haiku();
    return session;
}

// A table's rule: `width` box-drawing characters and a newline.
std::string rule(size_t width) {
    std::string line;
    for (size_t i = 0; i < width; ++i)
        line += "─";
    return line + "\n";
}

std::vector<std::string> keys_of(const boost::json::value& value) {
    std::vector<std::string> keys;
    for (const auto& member : value.as_object())
        keys.emplace_back(member.key());
    return keys;
}

// The JSON as a script reads it: serialized by the lead's writer, parsed back.
boost::json::value round_trip(const boost::json::object& object) {
    return boost::json::parse(ccmeter::to_json_text(object));
}

const std::vector<std::string> k_usage_keys{"input_tokens",
                                            "output_tokens",
                                            "cache_creation_input_tokens",
                                            "cache_read_input_tokens",
                                            "cache_5m",
                                            "cache_1h",
                                            "web_search_requests",
                                            "web_fetch_requests",
                                            "unique_responses",
                                            "cost_usd",
                                            "unpriced_responses",
                                            "unpriced_models",
                                            "client_priced_responses",
                                            "client_priced_usd",
                                            "client_priced_models"};

std::vector<std::string> with_usage_keys(std::vector<std::string> leading,
                                         const std::vector<std::string>& trailing = {}) {
    leading.insert(leading.end(), k_usage_keys.begin(), k_usage_keys.end());
    leading.insert(leading.end(), trailing.begin(), trailing.end());
    return leading;
}

}  // namespace

TEST_CASE("stats_format: a Usage in JSON", "[stats_format]") {
    v1::Usage value = opus();
    value.set_cache_5m(7);
    value.set_web_search_requests(2);
    value.set_web_fetch_requests(3);
    add_usage(value, unpriced());
    CHECK(ccmeter::to_json_text(usage_json(value)) ==
          R"({"input_tokens":1239,"output_tokens":56795,"cache_creation_input_tokens":1000000,)"
          R"("cache_read_input_tokens":12345678,"cache_5m":7,"cache_1h":1000000,)"
          R"("web_search_requests":2,"web_fetch_requests":3,"unique_responses":43,)"
          R"("cost_usd":12.345678,"unpriced_responses":1,"unpriced_models":["claude-future-9"],)"
          R"("client_priced_responses":0,"client_priced_usd":0,"client_priced_models":[]})");
}

TEST_CASE("stats_format: adding usages sums counts and unions unpriced models", "[stats_format]") {
    v1::Usage total;
    add_usage(total, unpriced());
    v1::Usage other = unpriced();
    other.set_unpriced_models(0, "claude-alpha-1");
    other.add_unpriced_models("claude-future-9");
    add_usage(total, other);
    add_usage(total, opus());
    CHECK(total.responses() == 44);
    CHECK(total.unpriced_responses() == 2);
    CHECK(total.cost_micro_usd() == 12'345'678);
    CHECK(total.input_tokens() == 1'244);
    REQUIRE(total.unpriced_models_size() == 2);
    CHECK(total.unpriced_models(0) == "claude-alpha-1");
    CHECK(total.unpriced_models(1) == "claude-future-9");
}

TEST_CASE("stats_format: short model names", "[stats_format]") {
    CHECK(short_model_name("claude-sonnet-4-5-20250929") == "sonnet-4-5");
    CHECK(short_model_name("claude-opus-4-8") == "opus-4-8");
    CHECK(short_model_name("claude-3-5-haiku-20241022") == "3-5-haiku");
    CHECK(short_model_name("<synthetic>") == "<synthetic>");
    CHECK(short_model_name("gpt-x-12345678") == "gpt-x");
    CHECK(short_model_name("").empty());
}

TEST_CASE("stats_format: daily table", "[stats_format]") {
    CHECK(periods_table(three_days(false), k_labels, "Date", false) ==
          "Date        Input  Output  Cache write  Cache read  Total tokens      Cost\n" +
              rule(74) +
              "2026-11-20  1,234  56,789    1,000,000  12,345,678    13,403,701    $12.35\n"
              "2026-11-22     15      26          300       4,000         4,341  <$0.01+?\n" +
              rule(74) +
              "Total       1,249  56,815    1,000,300  12,349,678    13,408,042  $12.35+?\n"
              "+? leaves out 1 response of models without a price: claude-future-9\n");
}

TEST_CASE("stats_format: weekly table with a per-model breakdown", "[stats_format]") {
    v1::PeriodsReply reply = three_days(true);
    CHECK(periods_table(reply, {"2026-W47", "2026-W47", "2026-W47"}, "Week", true) ==
          "Week           Input  Output  Cache write  Cache read  Total tokens      Cost\n" +
              rule(77) +
              "2026-W47       1,234  56,789    1,000,000  12,345,678    13,403,701    $12.35\n"
              "  └ opus-4-8   1,234  56,789    1,000,000  12,345,678    13,403,701    $12.35\n"
              "2026-W47          15      26          300       4,000         4,341  <$0.01+?\n"
              "  └ haiku-4-5     10      20          300       4,000         4,330    <$0.01\n"
              "  └ future-9       5       6            0           0            11   $0.00+?\n" +
              rule(77) +
              "Total          1,249  56,815    1,000,300  12,349,678    13,408,042  $12.35+?\n"
              "+? leaves out 1 response of models without a price: claude-future-9\n");
}

TEST_CASE("stats_format: an empty table still has its header and total", "[stats_format]") {
    CHECK(periods_table(v1::PeriodsReply(), {}, "Month", false) ==
          "Month  Input  Output  Cache write  Cache read  Total tokens   Cost\n" + rule(66) +
              rule(66) + "Total      0       0            0           0             0  $0.00\n");
}

TEST_CASE("stats_format: daily JSON", "[stats_format]") {
    const boost::json::value plain = round_trip(periods_json(three_days(true), k_labels, false));
    CHECK(keys_of(plain) == std::vector<std::string>{"periods", "totals"});
    const boost::json::array& periods = plain.at("periods").as_array();
    REQUIRE(periods.size() == 2);  // the day without responses is left out
    CHECK(keys_of(periods[0]) == with_usage_keys({"period", "start_ms", "end_ms"}));
    CHECK(periods[0].at("period") == "2026-11-20");
    CHECK(periods[0].at("start_ms") == k_kolkata_nov_20);
    CHECK(periods[0].at("end_ms") == k_kolkata_nov_20 + k_day_ms);
    CHECK(periods[0].at("cost_usd") == 12.345678);
    CHECK(periods[1].at("period") == "2026-11-22");
    CHECK(periods[1].at("unique_responses") == 4);
    CHECK(periods[1].at("unpriced_responses") == 1);
    CHECK(periods[1].at("unpriced_models") == boost::json::array{"claude-future-9"});
    CHECK(keys_of(plain.at("totals")) == k_usage_keys);
    CHECK(plain.at("totals").at("cost_usd") == 12.347178);
    CHECK(plain.at("totals").at("unique_responses") == 46);
    CHECK(plain.at("totals").at("cache_read_input_tokens") == 12'349'678);

    const boost::json::value broken_down =
        round_trip(periods_json(three_days(true), k_labels, true));
    const boost::json::value& last = broken_down.at("periods").at(1);
    CHECK(keys_of(last) == with_usage_keys({"period", "start_ms", "end_ms"}, {"by_model"}));
    CHECK(keys_of(last.at("by_model")) ==
          std::vector<std::string>{"claude-future-9", "claude-haiku-4-5-20251001"});
    CHECK(keys_of(last.at("by_model").at("claude-future-9")) == k_usage_keys);
    CHECK(last.at("by_model").at("claude-haiku-4-5-20251001").at("cost_usd") == 0.0015);
}

TEST_CASE("stats_format: summary", "[stats_format]") {
    // Today is the 22nd, the week began before the 20th, the month on the 21st.
    const SummaryUsage summary = summary_from_periods(
        three_days(false), k_kolkata_nov_22, k_kolkata_nov_20 - k_day_ms, k_kolkata_nov_20 + 1);
    CHECK(summary.today.responses() == 4);
    CHECK(summary.this_week.responses() == 46);
    CHECK(summary.this_month.responses() == 4);
    CHECK(summary.all_time.responses() == 46);
    CHECK(summary_table(summary) ==
          "Period      Input  Output  Cache write  Cache read  Total tokens      Cost\n" +
              rule(74) +
              "Today          15      26          300       4,000         4,341  <$0.01+?\n"
              "This week   1,249  56,815    1,000,300  12,349,678    13,408,042  $12.35+?\n"
              "This month     15      26          300       4,000         4,341  <$0.01+?\n" +
              rule(74) +
              "All time    1,249  56,815    1,000,300  12,349,678    13,408,042  $12.35+?\n"
              "+? leaves out 1 response of models without a price: claude-future-9\n");
    const boost::json::value json = round_trip(summary_json(summary));
    CHECK(keys_of(json) ==
          std::vector<std::string>{"today", "this_week", "this_month", "all_time", "totals"});
    CHECK(json.at("today").at("cost_usd") == 0.0015);
    CHECK(json.at("this_week").at("cost_usd") == 12.347178);
    CHECK(json.at("totals") == json.at("all_time"));
    CHECK(keys_of(json.at("totals")) == k_usage_keys);
}

TEST_CASE("stats_format: sessions table in local time", "[stats_format]") {
    ScopedTimeZone zone("Asia/Kolkata");
    CHECK(
        sessions_table(two_sessions(), false) ==
        "Session                               Project             Last activity     Models    "
        "               Tokens      Cost\n" +
            rule(117) +
            "83ea4090-91e1-462f-8f38-2b2bd4d09199  /home/dev/proj      2026-11-22 14:03  haiku-4-5,"
            " opus-4-8  13,408,031    $12.35\n"
            "1d9b3bb9-770b-49e0-9acc-002bbf2399f6  /home/dev/päckchen  2026-11-20 01:00  future-9  "
            "                   11   $0.00+?\n" +
            rule(117) +
            "Total                                                                                 "
            "           13,408,042  $12.35+?\n"
            "+? leaves out 1 response of models without a price: claude-future-9\n");
}

TEST_CASE("stats_format: sessions breakdown, most expensive model first", "[stats_format]") {
    ScopedTimeZone zone("Europe/Berlin");
    const std::string table = sessions_table(two_sessions(), true);
    CHECK(table.find("2026-11-22 09:33") != std::string::npos);  // 14:03 IST is 09:33 CET
    CHECK(table.find("\n  └ opus-4-8    ") != std::string::npos);
    CHECK(table.find("  └ opus-4-8") < table.find("  └ haiku-4-5"));
    CHECK(table.find("  └ haiku-4-5") < table.find("1d9b3bb9"));
    CHECK(table.find("1d9b3bb9") < table.find("  └ future-9"));
}

TEST_CASE("stats_format: sessions JSON", "[stats_format]") {
    const boost::json::value json = round_trip(sessions_json(two_sessions(), false));
    CHECK(keys_of(json) == std::vector<std::string>{"sessions", "totals"});
    const boost::json::value& first = json.at("sessions").at(0);
    CHECK(keys_of(first) ==
          with_usage_keys({"session_id", "project", "first_ms", "last_ms", "models"}));
    CHECK(first.at("session_id") == "83ea4090-91e1-462f-8f38-2b2bd4d09199");
    CHECK(first.at("project") == "/home/dev/proj");
    CHECK(first.at("last_ms") == k_kolkata_nov_22_140322);
    CHECK(first.at("models") == boost::json::array{"claude-haiku-4-5-20251001", "claude-opus-4-8"});
    CHECK(json.at("sessions").at(1).at("project") == "/home/dev/päckchen");
    CHECK(json.at("totals").at("unique_responses") == 46);

    const boost::json::value broken_down = round_trip(sessions_json(two_sessions(), true));
    CHECK(keys_of(broken_down.at("sessions").at(0).at("by_model")) ==
          std::vector<std::string>{"claude-haiku-4-5-20251001", "claude-opus-4-8"});
}

TEST_CASE("stats_format: projects", "[stats_format]") {
    v1::GroupsReply reply = two_sessions();
    reply.mutable_groups(0)->set_key("/home/dev/proj");
    reply.mutable_groups(1)->set_key("/home/dev/päckchen");
    CHECK(
        projects_table(reply, false) ==
        "Project             Input  Output  Cache write  Cache read  Total tokens      Cost\n" +
            rule(82) +
            "/home/dev/proj      1,244  56,809    1,000,300  12,349,678    13,408,031    $12.35\n"
            "/home/dev/päckchen      5       6            0           0            11   $0.00+?\n" +
            rule(82) +
            "Total               1,249  56,815    1,000,300  12,349,678    13,408,042  $12.35+?\n"
            "+? leaves out 1 response of models without a price: claude-future-9\n");
    const boost::json::value json = round_trip(projects_json(reply, false));
    CHECK(keys_of(json) == std::vector<std::string>{"projects", "totals"});
    CHECK(keys_of(json.at("projects").at(0)) == with_usage_keys({"project"}));
    CHECK(json.at("projects").at(0).at("project") == "/home/dev/proj");
    CHECK(keys_of(round_trip(projects_json(reply, true)).at("projects").at(1)) ==
          with_usage_keys({"project"}, {"by_model"}));
}

TEST_CASE("stats_format: models", "[stats_format]") {
    CHECK(models_table(models_reply()) ==
          "Model                      Responses  Input  Output  Cache write  Cache read  "
          "Total tokens    Cost\n" +
              rule(98) +
              "claude-opus-4-8                   42  1,234  56,789    1,000,000  12,345,678  "
              "  13,403,701  $12.35\n"
              "claude-haiku-4-5-20251001          3     10      20          300       4,000  "
              "       4,330  <$0.01\n" +
              rule(98) +
              "Total                             45  1,244  56,809    1,000,300  12,349,678  "
              "  13,408,031  $12.35\n");
    const boost::json::value json = round_trip(models_json(models_reply()));
    CHECK(keys_of(json) == std::vector<std::string>{"models", "totals"});
    CHECK(keys_of(json.at("models").at(1)) == with_usage_keys({"model"}));
    CHECK(json.at("models").at(1).at("model") == "claude-haiku-4-5-20251001");
    CHECK(json.at("totals").at("cost_usd") == 12.347178);
}

TEST_CASE("stats_format: blocks", "[stats_format]") {
    ScopedTimeZone zone("Asia/Kolkata");
    v1::BlocksReply reply;
    v1::Block* done = reply.add_blocks();
    done->set_start_ms(k_kolkata_nov_20 + 3 * 3'600'000 + 1'800'000);  // 22:00 UTC
    done->set_end_ms(done->start_ms() + 5 * 3'600'000);
    done->set_first_ms(done->start_ms() + 60'000);
    done->set_last_ms(done->start_ms() + 4 * 3'600'000);
    *done->mutable_usage() = opus();
    done->set_burn_micro_usd_per_hour(2'469'135);
    v1::Block* active = reply.add_blocks();
    active->set_start_ms(k_kolkata_nov_22_140322 - 2'002'000);  // 08:00 UTC, 13:30 IST
    active->set_end_ms(active->start_ms() + 5 * 3'600'000);
    active->set_first_ms(active->start_ms() + 60'000);
    active->set_last_ms(k_kolkata_nov_22_140322);
    active->set_active(true);
    *active->mutable_usage() = haiku();
    active->set_burn_micro_usd_per_hour(12'345'678);
    active->set_projected_micro_usd(61'728'390);
    CHECK(blocks_table(reply, k_kolkata_nov_22_140322) ==
          "Block start       Status                  Tokens    Cost  Burn rate  Projected\n" +
              rule(78) +
              "2026-11-20 03:30                      13,403,701  $12.35    $2.47/h\n"
              "2026-11-22 13:30  active, 4h26m left       4,330  <$0.01   $12.35/h     $61.73\n" +
              rule(78) + "Total                                 13,408,031  $12.35\n");

    const boost::json::value json = round_trip(blocks_json(reply));
    CHECK(keys_of(json) == std::vector<std::string>{"blocks", "totals"});
    const boost::json::value& second = json.at("blocks").at(1);
    CHECK(keys_of(second) ==
          with_usage_keys({"start_ms", "end_ms", "first_ms", "last_ms", "active"},
                          {"burn_usd_per_hour", "projected_usd"}));
    CHECK(second.at("active") == true);
    CHECK(second.at("start_ms") == k_kolkata_nov_22_140322 - 2'002'000);
    CHECK(second.at("burn_usd_per_hour") == 12.345678);
    CHECK(second.at("projected_usd") == 61.72839);
    CHECK(json.at("blocks").at(0).at("active") == false);
    CHECK(json.at("totals").at("unique_responses") == 45);
}

TEST_CASE("stats_format: one session, its turns and responses", "[stats_format]") {
    ScopedTimeZone zone("Asia/Kolkata");
    CHECK(
        session_table(one_session(), false) ==
        "Session  83ea4090-91e1-462f-8f38-2b2bd4d09199\n"
        "Project  /home/dev/proj\n"
        "\n"
        "Turn  Started           Models               Input  Output  Cache write  Cache read  "
        "Total tokens    Cost\n" +
            rule(105) +
            "   1  2026-11-22 14:03  haiku-4-5, opus-4-8  1,244  56,809    1,000,300  12,349,678  "
            "  13,408,031  $12.35\n" +
            rule(105) +
            "      Total                                  1,244  56,809    1,000,300  12,349,678  "
            "  13,408,031  $12.35\n");
    const std::string detailed = session_table(one_session(), true);
    CHECK(detailed.find("\n        └ 14:03:27      opus-4-8                1,234  56,789") !=
          std::string::npos);
    CHECK(detailed.find("\n        └ 14:04:27      haiku-4-5 agent a1b2c3     10      20") !=
          std::string::npos);

    const boost::json::value json = round_trip(session_json(one_session()));
    CHECK(keys_of(json) == std::vector<std::string>{"session_id", "project", "first_ms", "last_ms",
                                                    "totals", "main", "subagents", "by_model",
                                                    "activity", "agents", "turns", "turn_count",
                                                    "listed_responses", "next_before_ms"});
    CHECK(json.at("turns").at(0).at("number") == 1);
    CHECK(detailed.find("Turns:") == std::string::npos);  // every turn listed
    CHECK(json.at("next_before_ms").is_null());           // every response listed
    CHECK(json.at("listed_responses") == json.at("totals").at("unique_responses"));
    CHECK(json.at("last_ms").as_int64() - json.at("first_ms").as_int64() == 60'000);
    CHECK(json.at("by_model").at("claude-opus-4-8").at("output_tokens") == 56'789);
    CHECK(detailed.find("Responses: the newest") == std::string::npos);
    // A page of the newest response only: the table says so, JSON names the next page.
    v1::SessionReply paged = one_session();
    paged.mutable_turns(0)->mutable_responses()->DeleteSubrange(0, 1);
    paged.set_listed_responses(1);
    paged.set_next_before_ms(k_kolkata_nov_22_140322 + 65'000);
    CHECK(round_trip(session_json(paged)).at("next_before_ms") == k_kolkata_nov_22_140322 + 65'000);
    CHECK(session_table(paged, true)
              .find("Responses: the newest 1 of " + std::to_string(paged.usage().responses()) +
                    " (--limit N or --all for more)\n") != std::string::npos);
    CHECK(session_table(paged, false).find("Responses:") == std::string::npos);
    // The newest page of a session of 7 turns holds its last one: numbered as in the session,
    // and the table says the others are left out.
    v1::SessionReply last_turns = paged;
    last_turns.set_turn_count(7);
    last_turns.mutable_turns(0)->set_number(7);
    const std::string of_seven = session_table(last_turns, false);
    CHECK(of_seven.find("\n   7  2026-11-22 14:03") != std::string::npos);
    CHECK(of_seven.find("Turns: the 1 holding the newest 1 responses, of 7 (--limit N or --all "
                        "for more)\n") != std::string::npos);
    CHECK(round_trip(session_json(last_turns)).at("turn_count") == 7);
    CHECK(json.at("activity").is_null());  // no process of it reported (client < 2.1.332)
    v1::SessionReply reported = one_session();
    reported.mutable_activity()->set_api_ms(90'000);
    reported.mutable_activity()->set_lines_added(12);
    CHECK(round_trip(session_json(reported)).at("activity").at("api_ms") == 90'000);
    CHECK(session_table(reported, false)
              .find("Active   model working 1m, tools 0m, idle 0m (wall "
                    "0m); lines +12 / -0\n") != std::string::npos);
    CHECK(keys_of(json.at("totals")) == k_usage_keys);
    CHECK(json.at("main").at("cost_usd") == json.at("turns").at(0).at("main").at("cost_usd"));
    CHECK(json.at("subagents").at("cost_usd") == 0.0015);
    const boost::json::value& agent_totals = json.at("agents").at(0);
    CHECK(keys_of(agent_totals) == with_usage_keys({"agent_id", "first_ms", "models"}));
    CHECK(agent_totals.at("agent_id") == "a1b2c3");
    CHECK(agent_totals.at("models").at(0) == "claude-haiku-4-5-20251001");
    CHECK(agent_totals.at("unique_responses") == json.at("subagents").at("unique_responses"));
    const boost::json::value& turn = json.at("turns").at(0);
    CHECK(keys_of(turn) ==
          with_usage_keys({"number", "start_ms"}, {"main", "subagents", "models", "responses"}));
    const boost::json::value& agent = turn.at("responses").at(1);
    CHECK(keys_of(agent) == with_usage_keys({"message_id", "request_id", "timestamp_ms", "model",
                                             "is_sidechain", "agent_id"}));
    CHECK(agent.at("message_id") == "msg_02");
    CHECK(agent.at("request_id") == "req_02");
    CHECK(agent.at("timestamp_ms") == k_kolkata_nov_22_140322 + 65'000);
    CHECK(agent.at("model") == "claude-haiku-4-5-20251001");
    CHECK(agent.at("is_sidechain") == true);
    CHECK(agent.at("agent_id") == "a1b2c3");
    CHECK(agent.at("cost_usd") == 0.0015);
}

TEST_CASE("stats_format: escape sequences in a cwd or session id are not printed raw",
          "[stats_format]") {
    v1::GroupsReply reply = two_sessions();
    reply.mutable_groups(0)->set_project("/home/\x1b[2J\x1b]0;pwned\x07");
    reply.mutable_groups(1)->set_key("s\x1b[31m");
    for (const std::string& table : {sessions_table(reply, false), projects_table(reply, false)}) {
        CHECK(table.find('\x1b') == std::string::npos);
        CHECK(table.find('\x07') == std::string::npos);
    }
    CHECK(sessions_table(reply, false).find("/home/?[2J?]0;pwned?") != std::string::npos);
    // The note naming models without a price, too.
    v1::GroupsReply unpriced = models_reply();
    unpriced.mutable_groups(0)->mutable_usage()->set_unpriced_responses(1);
    unpriced.mutable_groups(0)->mutable_usage()->add_unpriced_models("future\x1b[2J");
    CHECK(models_table(unpriced).find('\x1b') == std::string::npos);
}

TEST_CASE("stats_format: money priced from the client is named under the table", "[stats_format]") {
    v1::PeriodsReply reply;
    v1::Period& period = *reply.add_periods();
    period.set_start_ms(0);
    period.set_end_ms(86'400'000);
    v1::Usage& usage = *period.mutable_usage();
    usage.set_responses(2);
    usage.set_cost_micro_usd(15'776);
    usage.set_client_priced_responses(2);
    usage.set_client_priced_micro_usd(15'776);
    usage.add_client_priced_models("claude-opus-7");
    const std::string table = periods_table(reply, {"1970-01-01"}, "Date", false);
    CHECK_THAT(table, Catch::Contains("$0.02 of it is priced from Claude Code's own figures"));
    CHECK_THAT(table, Catch::Contains("claude-opus-7"));
    const boost::json::object json = usage_json(usage);
    CHECK(json.at("client_priced_usd").as_double() == 0.015776);
}

TEST_CASE("stats_format: pricing table and JSON say where each rule comes from", "[stats_format]") {
    v1::PricingReply reply;
    reply.set_overrides_file("/home/u/.config/ccmeter/prices.json");
    v1::PriceRule& builtin = *reply.add_rules();
    builtin.set_model("claude-haiku-5-5");
    builtin.mutable_rates()->set_input(500'000);
    builtin.mutable_rates()->set_cache_write_5m(625'000);
    builtin.mutable_rates()->set_output(2'500'000);
    builtin.set_fast_multiplier(1);
    builtin.set_source("builtin");
    v1::PriceRule& learned = *reply.add_rules();
    learned.set_model("claude-opus-7");
    learned.mutable_rates()->set_input(4'000'000);
    learned.set_fast_multiplier(1);
    learned.set_source("learned");
    learned.set_learned_equations(3);
    learned.set_learned_determined(true);
    learned.set_learned_consistent(true);
    const std::string table = pricing_table(reply);
    CHECK_THAT(table, Catch::Contains("0.625"));
    CHECK_THAT(table, Catch::Contains("learned from the client (3 processes)"));
    CHECK_THAT(table, Catch::Contains("built in"));
    const boost::json::object json = pricing_json(reply);
    const boost::json::array& rules = json.at("rules").as_array();
    CHECK(rules[0].at("cache_write_5m").as_double() == 0.625);
    CHECK(rules[0].at("effective_from").is_null());
    CHECK(rules[1].at("source").as_string() == "learned");
    CHECK(rules[1].at("learned").at("equations").as_int64() == 3);
}

TEST_CASE("stats_format: the client check per day, and each session that differs",
          "[stats_format]") {
    v1::CheckReply reply;
    v1::SessionCheck& same = *reply.add_sessions();
    same.set_session_id("s-same");
    same.set_first_process_ms(1'796'148'272'877);
    same.set_client_micro_usd(31'352);
    same.set_ours_micro_usd(31'352);
    v1::SessionCheck& titled = *reply.add_sessions();
    titled.set_session_id("s-title");
    titled.set_first_process_ms(1'796'148'272'877);
    titled.set_client_micro_usd(20'500);
    titled.set_ours_micro_usd(20'000);
    titled.add_client_only_models("claude-haiku-4-5");
    // Side calls exported by the client are ours too, shown apart: no difference left.
    v1::SessionCheck& exported = *reply.add_sessions();
    exported.set_session_id("s-exported");
    exported.set_first_process_ms(1'796'148'272'877);
    exported.set_client_micro_usd(40'000);
    exported.set_ours_micro_usd(40'000);
    exported.set_side_calls(2);
    exported.set_side_call_micro_usd(1'500);
    const std::string table = check_table(reply);
    CHECK_THAT(table, Catch::Contains("Side calls"));
    CHECK_THAT(table, Catch::Contains("(2)"));
    CHECK_THAT(table, !Catch::Contains("session s-exported"));
    CHECK_THAT(table, Catch::Contains("Reported by client"));
    CHECK_THAT(table, Catch::Contains("session s-title: +$0.000500"));
    CHECK_THAT(table, Catch::Contains("claude-haiku-4-5"));
    CHECK_THAT(table, !Catch::Contains("session s-same"));
    const boost::json::object json = check_json(reply);
    CHECK(json.at("totals").at("sessions").as_int64() == 3);
    CHECK(json.at("totals").at("difference_usd").as_double() == 0.0005);
    CHECK(json.at("totals").at("side_calls").as_int64() == 2);
    CHECK(json.at("sessions").as_array()[1].at("client_usd").as_double() == 0.0205);
    const boost::json::object& with_side_calls = json.at("sessions").as_array()[2].as_object();
    CHECK(with_side_calls.at("transcripts_usd").as_double() == 0.0385);
    CHECK(with_side_calls.at("side_calls_usd").as_double() == 0.0015);
    CHECK(with_side_calls.at("difference_usd").as_double() == 0.0);
}

TEST_CASE("stats_format: plan limits with forecasts and budgets", "[stats_format]") {
    ScopedTimeZone zone("UTC");
    v1::LimitsReply reply;
    reply.set_now_ms(k_kolkata_nov_22_140322);
    v1::LimitForecast* five = reply.add_limits();
    five->set_bucket("five_hour");
    five->set_used_percentage(50);
    five->set_observed_ms(k_kolkata_nov_22_140322);
    five->set_resets_at_ms(k_kolkata_nov_22_140322 + 4 * 3'600'000);
    five->set_percent_per_hour(60);
    five->set_full_at_ms(k_kolkata_nov_22_140322 + 50 * 60'000);
    five->set_full_before_reset(true);
    v1::LimitForecast* opus = reply.add_limits();
    opus->set_bucket("seven_day_opus");
    opus->set_used_percentage(12);
    reply.mutable_today()->set_cost_micro_usd(17'000'000);
    reply.mutable_this_month()->set_cost_micro_usd(10'000'000);
    Budgets budgets;
    budgets.daily_micro_usd = 20'000'000;
    budgets.monthly_micro_usd = 300'000'000;
    const boost::json::value json = round_trip(limits_json(reply, budgets));
    CHECK(keys_of(json) ==
          std::vector<std::string>{"limits", "budgets", "plan_usd_per_month", "now_ms"});
    const boost::json::value& first = json.at("limits").at(0);
    CHECK(keys_of(first) == std::vector<std::string>{"bucket", "used_percentage", "observed_ms",
                                                     "resets_at_ms", "percent_per_hour",
                                                     "full_at_ms", "full_before_reset",
                                                     "reset_since_observed"});
    CHECK(first.at("full_at_ms") == k_kolkata_nov_22_140322 + 50 * 60'000);
    CHECK(json.at("limits").at(1).at("full_at_ms").is_null());
    const boost::json::value& day = json.at("budgets").at(0);
    CHECK(day.at("period") == "day");
    CHECK(day.at("spent_usd").to_number<double>() == 17.0);
    CHECK(day.at("level") == "warn");
    CHECK(json.at("budgets").at(1).at("level") == "ok");
    CHECK(json.at("plan_usd_per_month").is_null());
    const std::string table = limits_table(reply, budgets);
    CHECK(table.find("5h") != std::string::npos);
    CHECK(table.find("60.0%/h") != std::string::npos);
    CHECK(table.find("(before the reset)") != std::string::npos);
    CHECK(table.find("7d opus") != std::string::npos);
    CHECK(table.find("today") != std::string::npos);
    CHECK(table.find("at 80% or more") != std::string::npos);
    CHECK(limits_table(v1::LimitsReply(), Budgets{}).find("No plan limits seen yet") == 0);
}

TEST_CASE("stats_format: activity per day and project, in JSON and as tables", "[stats_format]") {
    v1::ActivityReply reply;
    v1::ActivityPeriod& day = *reply.add_periods();
    day.set_start_ms(k_kolkata_nov_20);
    day.set_end_ms(k_kolkata_nov_20 + k_day_ms);
    day.set_sessions(2);
    v1::Activity& a = *day.mutable_activity();
    a.set_processes(3);
    a.set_api_ms(125 * 60'000);  // 2h05m
    a.set_tool_ms(9 * 60'000);
    a.set_idle_ms(46 * 60'000);
    a.set_wall_ms(180 * 60'000);
    a.set_lines_added(1234);
    a.set_lines_removed(56);
    *reply.mutable_totals() = a;
    reply.set_sessions(2);
    v1::ActivityProject& project = *reply.add_projects();
    project.set_project("/home/dev/app\x1b[31m");
    *project.mutable_activity() = a;
    project.set_sessions(2);

    const boost::json::object json = activity_report_json(reply, {"2026-11-20"});
    CHECK(
        to_json_text(json) ==
        R"({"days":[{"period":"2026-11-20","start_ms":1795113000000,"end_ms":1795199400000,"sessions":2,"processes":3,"api_ms":7500000,"tool_ms":540000,"idle_ms":2760000,"wall_ms":10800000,"lines_added":1234,"lines_removed":56}],"projects":[{"project":"/home/dev/app\u001b[31m","sessions":2,"processes":3,"api_ms":7500000,"tool_ms":540000,"idle_ms":2760000,"wall_ms":10800000,"lines_added":1234,"lines_removed":56}],"totals":{"processes":3,"api_ms":7500000,"tool_ms":540000,"idle_ms":2760000,"wall_ms":10800000,"lines_added":1234,"lines_removed":56,"sessions":2}})");

    const std::string table = activity_table(reply, {"2026-11-20"});
    CHECK(table.find("Model working") != std::string::npos);
    CHECK(table.find("2h05m") != std::string::npos);
    CHECK(table.find("+1,234 / -56") != std::string::npos);
    CHECK(table.find("\x1b") == std::string::npos);  // the project name made terminal-safe
    CHECK(activity_table(v1::ActivityReply{}, {}).find("No client process") == 0);
}

namespace {

size_t widest_line(const std::string& text) {
    size_t widest = 0;
    size_t start = 0;
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos)
            end = text.size();
        widest = std::max(widest, display_width(std::string_view(text).substr(start, end - start)));
        start = end + 1;
    }
    return widest;
}

std::string line_starting(const std::string& text, std::string_view prefix) {
    size_t at = text.find("\n" + std::string(prefix));
    if (text.compare(0, prefix.size(), prefix) == 0)
        at = 0;
    else if (at != std::string::npos)
        ++at;
    if (at == std::string::npos)
        return {};
    return text.substr(at, text.find('\n', at) - at);
}

}  // namespace

TEST_CASE("stats_format: fit_text cuts with an ellipsis at either end", "[stats_format]") {
    CHECK(fit_text("/home/dev/proj", 20, true) == "/home/dev/proj");
    CHECK(fit_text("/home/dev/proj", 8, true) == "…ev/proj");
    CHECK(fit_text("/home/dev/proj", 8, false) == "/home/d…");
    CHECK(fit_text("päckchen", 4, false) == "päc…");  // code points, not bytes
    CHECK(display_width(fit_text("päckchen-und-mehr", 10, true)) == 10);
    CHECK(fit_text("abc", 1, false) == "…");
    CHECK(fit_text("abc", 0, false).empty());
}

TEST_CASE("stats_format: tables fit widths 60, 80 and 120", "[stats_format]") {
    ScopedTimeZone zone("Asia/Kolkata");
    v1::GroupsReply projects = two_sessions();
    projects.mutable_groups(0)->set_key("/home/dev/a/very/long/path/to/the/project/called/ccmeter");
    projects.mutable_groups(1)->set_key("/home/dev/päckchen");
    for (size_t width : {60, 80, 120}) {
        INFO("width " << width);
        const std::string sessions = sessions_table(two_sessions(), false, width);
        CHECK(widest_line(sessions) <= width);
        // Tokens and Cost always stay, with the exact figures of the whole table.
        CHECK(line_starting(sessions, "Total").find("13,408,042  $12.35+?") != std::string::npos);
        const std::string project_table = projects_table(projects, false, width);
        CHECK(widest_line(project_table) <= width);
        CHECK(line_starting(project_table, "Total").find("$12.35+?") != std::string::npos);
        CHECK(widest_line(models_table(models_reply(), width)) <= width);
        CHECK(widest_line(periods_table(three_days(false), k_labels, "Date", false, width)) <=
              width);
        CHECK(widest_line(session_table(one_session(), false, width)) <= width);
    }
    // 120 columns hold the whole sessions table but one column: Models goes first.
    const std::string wide = sessions_table(two_sessions(), false, 120);
    CHECK(wide == sessions_table(two_sessions(), false, 0));  // 117 wide: unchanged
    const std::string sessions_at_100 = sessions_table(two_sessions(), false, 100);
    CHECK(sessions_at_100.find("Last activity") != std::string::npos);
    CHECK(sessions_at_100.find("Models") == std::string::npos);
    // The token table drops Cache write, then Input, then Cache read, then Output.
    const std::string at_100 = projects_table(projects, false, 100);
    CHECK(at_100.find("Cache write") == std::string::npos);
    CHECK(at_100.find("Input") == std::string::npos);
    CHECK(at_100.find("Cache read") != std::string::npos);
    CHECK(at_100.find("Output") != std::string::npos);
    const std::string at_88 = projects_table(projects, false, 88);
    CHECK(at_88.find("Cache read") == std::string::npos);
    CHECK(at_88.find("Output") != std::string::npos);
    CHECK(at_88.find("Total tokens") != std::string::npos);
    // A long project keeps its end.
    const std::string at_60 = projects_table(projects, false, 60);
    CHECK(at_60.find("…") != std::string::npos);
    CHECK(at_60.find("called/ccmeter") != std::string::npos);
    CHECK(at_60.find("Output") == std::string::npos);
    CHECK(line_starting(at_60, "Project").find("Total tokens") != std::string::npos);
    // Width 0 is no limit.
    CHECK(projects_table(projects, false, 0) == projects_table(projects, false));
}
