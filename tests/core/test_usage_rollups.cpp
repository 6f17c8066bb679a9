// Rollups: on random histories, every report read from the rollups equals the same report
// computed from the stored responses, and the rollups table equals its definition recomputed
// from scratch, however the responses arrived (merged lines across commits, sidechain replays
// replaced by main-chain lines, tiers crossed by later lines, prompts stored before, with and
// after the responses of their turns). The turn rollups likewise, and the turn costs and
// session details read from them equal those computed response by response.
#include <sqlite3.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <random>
#include <set>
#include <tuple>

#include "core/cost_parts.hpp"
#include "core/session_detail.hpp"
#include "core/turn_costs.hpp"
#include "core/usage_heatmap.hpp"
#include "core/usage_queries.hpp"
#include "core/usage_report.hpp"
#include "core/usage_store.hpp"
#include "database_fixture.hpp"
#include "transcript_fixture.hpp"

using namespace ccmeter;

namespace {

constexpr int64_t k_day_ms = 86'400'000;
constexpr int64_t k_start_ms = 1'790'000'000'000;  // 2026-09-21

void require_same(const UsageTotals& a, const UsageTotals& b) {
    CHECK(a.tokens == b.tokens);
    CHECK(a.responses == b.responses);
    CHECK(a.cost_pico_usd == b.cost_pico_usd);
    CHECK(a.unpriced_responses == b.unpriced_responses);
    CHECK(a.unpriced_tokens == b.unpriced_tokens);
    CHECK(a.unpriced_models == b.unpriced_models);
}

void require_same(const std::map<std::string, UsageTotals>& a,
                  const std::map<std::string, UsageTotals>& b) {
    REQUIRE(a.size() == b.size());
    for (auto ia = a.begin(), ib = b.begin(); ia != a.end(); ++ia, ++ib) {
        CHECK(ia->first == ib->first);
        require_same(ia->second, ib->second);
    }
}

// A random history, committed in several batches the way ingestion would: lines of one
// response split over commits with growing tokens, sidechain replays later seen on the main
// chain, responses whose later lines cross the long-context threshold.
class RandomHistory {
  public:
    explicit RandomHistory(uint32_t seed) : m_random(seed) {}

    // `bulk`: as a first backfill writes (write_batch, one group, a bulk load left open for the
    // caller to end or cut short); otherwise one commit per batch.
    void write(UsageStore& store, bool bulk = false) {
        const char* models[] = {"claude-opus-4-5",  "claude-sonnet-4-5", "claude-opus-5-5",
                                "claude-haiku-4-5", "claude-opus-4-6",   "mystery-model-9"};
        const char* cwds[] = {"/home/dev/a", "/home/dev/b", "/srv/c d"};
        std::vector<UsageRecord> all;
        const int responses = 300 + static_cast<int>(m_random() % 300);
        for (int i = 0; i < responses; ++i) {
            UsageRecord r;
            r.message_id = "msg_" + std::to_string(i);
            r.request_id = "req_" + std::to_string(i);
            r.model = models[m_random() % std::size(models)];
            r.session_id = "s" + std::to_string(m_random() % 12);
            r.cwd = cwds[m_random() % std::size(cwds)];
            r.git_branch = m_random() % 2 ? "main" : "dev";
            r.version = "2.1.332";
            // 40 days, clustered into bursts so blocks form; some exactly on bucket edges.
            const int64_t burst = static_cast<int64_t>(m_random() % 60) * 16 * 3'600'000;
            r.timestamp_ms =
                k_start_ms + burst +
                (m_random() % 7 == 0 ? static_cast<int64_t>(m_random() % 8) * k_rollup_bucket_ms
                                     : static_cast<int64_t>(m_random() % (6 * 3'600'000)));
            r.is_sidechain = m_random() % 5 == 0;
            if (r.is_sidechain)
                r.agent_id = "agent-" + std::to_string(m_random() % 3);
            r.speed = m_random() % 9 == 0 ? "fast" : (m_random() % 2 ? "standard" : "");
            r.tokens.input_tokens = static_cast<int64_t>(m_random() % 5000);
            r.tokens.output_tokens = 1 + static_cast<int64_t>(m_random() % 20);  // placeholder
            r.tokens.cache_read_input_tokens =
                m_random() % 6 == 0 ? 150'000 + static_cast<int64_t>(m_random() % 100'000)
                                    : static_cast<int64_t>(m_random() % 50'000);
            r.tokens.cache_1h = static_cast<int64_t>(m_random() % 3000);
            r.tokens.cache_5m = static_cast<int64_t>(m_random() % 3000);
            r.tokens.cache_creation_input_tokens = r.tokens.cache_1h + r.tokens.cache_5m;
            r.tokens.web_search_requests = m_random() % 10 == 0 ? 1 : 0;
            all.push_back(r);
        }
        // Prompts: main-chain ones (some at the very millisecond of a response, some twice at
        // one millisecond) and sidechain ones, which start no turn. Some come with the first
        // batch, some with the responses around them, some only after their turn's responses.
        std::vector<TurnStart> early, late;
        for (int i = 0; i < 80; ++i) {
            TurnStart turn;
            turn.uuid = "prompt-" + std::to_string(i);
            turn.session_id = "s" + std::to_string(m_random() % 12);
            const uint32_t where = m_random() % 10;
            turn.timestamp_ms =
                where < 2 ? all[m_random() % all.size()].timestamp_ms
                          : k_start_ms + static_cast<int64_t>(m_random() % 60) * 16 * 3'600'000 +
                                static_cast<int64_t>(m_random() % (6 * 3'600'000));
            turn.is_sidechain = where == 2;
            if (turn.is_sidechain)
                turn.agent_id = "agent-1";
            (m_random() % 2 ? early : late).push_back(turn);
            if (where == 3) {  // the same prompt time again, another line
                turn.uuid += "-again";
                late.push_back(turn);
            }
        }
        IngestBatch batch;
        auto flush = [&] {
            REQUIRE((bulk ? store.write_batch(batch) : store.commit(batch)).has_value());
            batch.clear();
        };
        for (const TurnStart& turn : early)
            batch.add_turn(turn);
        for (size_t i = 0; i < all.size(); ++i) {
            batch.add_response(all[i]);
            if (m_random() % 40 == 0)
                flush();
        }
        flush();
        for (const TurnStart& turn : late) {
            batch.add_turn(turn);
            if (m_random() % 3 == 0)
                flush();
        }
        flush();
        // Later lines of stored responses, in later commits.
        for (UsageRecord& r : all) {
            const uint32_t what = m_random() % 10;
            if (what < 4) {  // the final line: real output tokens
                r.tokens.output_tokens += static_cast<int64_t>(m_random() % 4000);
            } else if (what == 4) {  // grows past the long-context threshold
                r.tokens.cache_read_input_tokens += 210'000;
            } else if (what == 5 && r.is_sidechain) {  // the main chain's copy, an hour later
                r.is_sidechain = false;
                r.agent_id.clear();
                r.timestamp_ms += 3'600'000 + static_cast<int64_t>(m_random() % 1000);
                r.cwd = "/home/dev/main";
            } else if (what == 6) {  // an older line again: nothing may change
                UsageRecord older = r;
                older.tokens = TokenCounts{};
                batch.add_response(older);
                continue;
            } else {
                continue;
            }
            batch.add_response(r);
            if (m_random() % 25 == 0)
                flush();
        }
        flush();
    }

  private:
    std::mt19937 m_random;
};

// A filter from an hour boundary 10 days into the history on.
ResponseFilter filters_since_hour() {
    ResponseFilter filter;
    filter.since_ms = k_start_ms + 10 * k_day_ms + 5 * 3'600'000;
    return filter;
}

// Local midnights of `days` days from k_start_ms in a zone `offset_minutes` east of UTC.
std::vector<int64_t> local_days(int offset_minutes, int days) {
    std::vector<int64_t> boundaries;
    const int64_t offset = offset_minutes * 60'000LL;
    const int64_t first = (k_start_ms + offset) / k_day_ms * k_day_ms - offset;
    for (int i = 0; i <= days; ++i)
        boundaries.push_back(first + i * k_day_ms);
    return boundaries;
}

// Every row of the rollups table equals its definition over the stored responses.
void require_rollups_match_responses(const std::filesystem::path& database) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open_v2(database.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
    const char* definition =
        "SELECT (timestamp_ms / 900000) * 900000, source_id, model_id, speed, "
        "(input_tokens + cache_creation_input_tokens + cache_read_input_tokens > 200000), "
        "count(*), sum(input_tokens), sum(output_tokens), sum(cache_creation_input_tokens), "
        "sum(cache_read_input_tokens), sum(cache_5m), sum(cache_1h), sum(web_search_requests), "
        "sum(web_fetch_requests), min(timestamp_ms), max(timestamp_ms) FROM responses "
        "GROUP BY 1, 2, 3, 4, 5";
    const std::string daily =
        std::string("SELECT (timestamp_ms / 86400000) * 86400000") +
        std::string(definition).substr(std::string_view(definition).find(','));
    const std::string hourly =
        std::string("SELECT (timestamp_ms / 3600000) * 3600000") +
        std::string(definition).substr(std::string_view(definition).find(','));
    // The totals: the same sums over all sources (the definition without its source column).
    auto total = [&](const char* step) {
        return std::string("SELECT (timestamp_ms / ") + step + ") * " + step +
               ", model_id, speed, "
               "(input_tokens + cache_creation_input_tokens + cache_read_input_tokens > 200000), "
               "count(*), sum(input_tokens), sum(output_tokens), sum(cache_creation_input_tokens), "
               "sum(cache_read_input_tokens), sum(cache_5m), sum(cache_1h), "
               "sum(web_search_requests), sum(web_fetch_requests), min(timestamp_ms), "
               "max(timestamp_ms) FROM responses GROUP BY 1, 2, 3, 4";
    };
    for (const auto& [table, step] :
         {std::pair{"totals_hourly", "3600000"}, std::pair{"totals_daily", "86400000"}}) {
        for (const std::string& sql :
             {"SELECT count(*) FROM (SELECT * FROM " + std::string(table) + " EXCEPT " +
                  total(step) + ")",
              "SELECT count(*) FROM (" + total(step) + " EXCEPT SELECT * FROM " + table + ")"}) {
            INFO(sql);
            sqlite3_stmt* statement = nullptr;
            REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK);
            REQUIRE(sqlite3_step(statement) == SQLITE_ROW);
            CHECK(sqlite3_column_int64(statement, 0) == 0);
            sqlite3_finalize(statement);
        }
    }
    // The turn rollups: per session, turn (the latest main-chain prompt at or before the
    // response, -1 before the first), UTC day, model, speed, tier and chain; last_ms at least the
    // latest response's time.
    const std::string turns =
        "SELECT s.session_id, coalesce((SELECT max(t.timestamp_ms) FROM turns t WHERE "
        "t.session_id = s.session_id AND t.is_sidechain = 0 AND t.timestamp_ms <= r.timestamp_ms), "
        "-1), (r.timestamp_ms / 86400000) * 86400000, r.model_id, r.speed, "
        "(r.input_tokens + r.cache_creation_input_tokens + r.cache_read_input_tokens > 200000), "
        "r.is_sidechain, count(*), sum(r.input_tokens), sum(r.output_tokens), "
        "sum(r.cache_creation_input_tokens), sum(r.cache_read_input_tokens), sum(r.cache_5m), "
        "sum(r.cache_1h), sum(r.web_search_requests), sum(r.web_fetch_requests) FROM responses r "
        "JOIN sources s ON s.id = r.source_id GROUP BY 1, 2, 3, 4, 5, 6, 7";
    const std::string stored_turns =
        "SELECT session_id, turn_ms, day_ms, model_id, speed, long_context, is_sidechain, "
        "responses, "
        "input_tokens, output_tokens, cache_creation_input_tokens, cache_read_input_tokens, "
        "cache_5m, cache_1h, web_search_requests, web_fetch_requests FROM turn_rollups";
    for (const std::string& sql :
         {"SELECT count(*) FROM (" + stored_turns + " EXCEPT " + turns + ")",
          "SELECT count(*) FROM (" + turns + " EXCEPT " + stored_turns + ")",
          std::string("SELECT count(*) FROM turn_rollups x WHERE x.last_ms < (SELECT "
                      "max(r.timestamp_ms) ") +
              "FROM responses r JOIN sources s ON s.id = r.source_id WHERE s.session_id = "
              "x.session_id AND coalesce((SELECT max(t.timestamp_ms) FROM turns t WHERE "
              "t.session_id "
              "= s.session_id AND t.is_sidechain = 0 AND t.timestamp_ms <= r.timestamp_ms), -1) = "
              "x.turn_ms AND (r.timestamp_ms / 86400000) * 86400000 = x.day_ms AND r.model_id = "
              "x.model_id AND r.speed = x.speed AND (r.input_tokens + "
              "r.cache_creation_input_tokens + "
              "r.cache_read_input_tokens > 200000) = x.long_context AND r.is_sidechain = "
              "x.is_sidechain)"}) {
        INFO(sql);
        sqlite3_stmt* statement = nullptr;
        REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK);
        REQUIRE(sqlite3_step(statement) == SQLITE_ROW);
        CHECK(sqlite3_column_int64(statement, 0) == 0);
        sqlite3_finalize(statement);
    }
    for (const std::string& sql :
         {std::string("SELECT count(*) FROM (SELECT * FROM rollups EXCEPT ") + definition + ")",
          std::string("SELECT count(*) FROM (") + definition + " EXCEPT SELECT * FROM rollups)",
          "SELECT count(*) FROM (SELECT * FROM rollups_daily EXCEPT " + daily + ")",
          "SELECT count(*) FROM (SELECT * FROM rollups_hourly EXCEPT " + hourly + ")",
          "SELECT count(*) FROM (" + hourly + " EXCEPT SELECT * FROM rollups_hourly)",
          "SELECT count(*) FROM (" + daily + " EXCEPT SELECT * FROM rollups_daily)"}) {
        sqlite3_stmt* statement = nullptr;
        REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK);
        REQUIRE(sqlite3_step(statement) == SQLITE_ROW);
        CHECK(sqlite3_column_int64(statement, 0) == 0);
        sqlite3_finalize(statement);
    }
    sqlite3_close(db);
}

}  // namespace

TEST_CASE("every report from rollups equals the same report from the responses", "[rollups]") {
    const uint32_t seed = GENERATE(1u, 2u, 3u, 4u, 5u);
    INFO("seed " << seed);
    test::TempHistory history;
    {
        std::unique_ptr<UsageStore> writer = std::move(*UsageStore::open(history.database()));
        RandomHistory(seed).write(*writer);
    }
    require_rollups_match_responses(history.database());

    std::unique_ptr<UsageStore> rollups =
        std::move(*UsageStore::open_read_only(history.database()));
    std::unique_ptr<UsageStore> responses =
        std::move(*UsageStore::open_read_only(history.database()));
    responses->set_row_source(RowSource::responses);
    const PriceTable prices = PriceTable::builtin();
    int64_t stored = 0;
    REQUIRE(responses->for_each_response({}, [&](const UsageRecord&) { ++stored; }).has_value());
    CHECK(rollups->response_count().value() == stored);

    // What turns cost, from the turn rollups and response by response.
    {
        auto a = turn_cost_spread(*rollups, prices, {}, 1000);
        auto b = turn_cost_spread(*responses, prices, {}, 1000);
        REQUIRE(a.has_value());
        REQUIRE(b.has_value());
        CHECK(a->turns > 20);
        CHECK(a->turns == b->turns);
        CHECK(a->p50_micro_usd == b->p50_micro_usd);
        CHECK(a->p90_micro_usd == b->p90_micro_usd);
        CHECK(a->p99_micro_usd == b->p99_micro_usd);
        REQUIRE(a->buckets.size() == b->buckets.size());
        for (size_t i = 0; i < a->buckets.size(); ++i)
            CHECK(a->buckets[i].turns == b->buckets[i].turns);
        REQUIRE(a->most_expensive.size() == b->most_expensive.size());
        for (size_t i = 0; i < a->most_expensive.size(); ++i) {
            const TurnCost& x = a->most_expensive[i];
            const TurnCost& y = b->most_expensive[i];
            CHECK(x.session_id == y.session_id);
            CHECK(x.start_ms == y.start_ms);
            CHECK(x.project == y.project);
            require_same(x.usage, y.usage);
        }
    }

    // The heatmap (read per hour in whole-hour zones, per quarter hour in the others) equals
    // every response put in the cell of its own local weekday and hour.
    const char* saved_tz = std::getenv("TZ");
    const std::string old_tz = saved_tz ? saved_tz : "";
    for (const char* zone : {"UTC", "Europe/Berlin", "Asia/Kathmandu", "America/St_Johns"}) {
        INFO("TZ " << zone);
        setenv("TZ", zone, 1);
        tzset();
        UsageHeatmap expected;
        REQUIRE(responses
                    ->for_each_response({},
                                        [&](const UsageRecord& r) {
                                            const time_t seconds =
                                                static_cast<time_t>(r.timestamp_ms / 1000);
                                            std::tm parts{};
                                            localtime_r(&seconds, &parts);
                                            expected
                                                .cells[static_cast<size_t>((parts.tm_wday + 6) % 7)]
                                                      [static_cast<size_t>(parts.tm_hour)]
                                                .add(r.model, 1, r.tokens,
                                                     prices.cost_pico_usd(r.model, r.timestamp_ms,
                                                                          r.speed, r.tokens));
                                        })
                    .has_value());
        for (const ResponseFilter& filter : {ResponseFilter{}, filters_since_hour()}) {
            Result<UsageHeatmap> heatmap = usage_heatmap(*rollups, prices, filter);
            REQUIRE(heatmap.has_value());
            for (size_t day = 0; day < 7; ++day)
                for (size_t hour = 0; hour < 24; ++hour) {
                    INFO("weekday " << day << " hour " << hour);
                    if (!filter.since_ms)
                        require_same(heatmap->cells[day][hour], expected.cells[day][hour]);
                }
            if (filter.since_ms) {
                Result<UsageHeatmap> raw = usage_heatmap(*responses, prices, filter);
                REQUIRE(raw.has_value());
                for (size_t day = 0; day < 7; ++day)
                    for (size_t hour = 0; hour < 24; ++hour)
                        require_same(heatmap->cells[day][hour], raw->cells[day][hour]);
            }
        }
    }
    if (saved_tz)
        setenv("TZ", old_tz.c_str(), 1);
    else
        unsetenv("TZ");
    tzset();

    std::mt19937 random(seed);
    std::vector<ResponseFilter> filters(1);
    filters.emplace_back().session_id = "s3";
    filters.emplace_back().cwd = "/home/dev/b";
    for (int i = 0; i < 4; ++i) {  // bounds on and off bucket edges
        ResponseFilter& f = filters.emplace_back();
        f.since_ms = k_start_ms + static_cast<int64_t>(random() % (20 * k_day_ms));
        f.until_ms = *f.since_ms + static_cast<int64_t>(random() % (10 * k_day_ms));
        if (i % 2)
            *f.since_ms -= *f.since_ms % k_rollup_bucket_ms;
    }
    filters.emplace_back().since_ms = k_start_ms + 3 * k_day_ms + 123;  // a short window
    filters.back().until_ms = *filters.back().since_ms + 600'000;

    for (const ResponseFilter& filter : filters) {
        INFO("filter since " << filter.since_ms.value_or(-1) << " until "
                             << filter.until_ms.value_or(-1));
        for (Grouping by : {Grouping::none, Grouping::model, Grouping::day_utc, Grouping::session,
                            Grouping::project, Grouping::branch}) {
            auto a = build_report(*rollups, prices, filter, by);
            auto b = build_report(*responses, prices, filter, by);
            REQUIRE(a.has_value());
            REQUIRE(b.has_value());
            require_same(a->totals, b->totals);
            require_same(a->groups, b->groups);
        }
        for (Grouping kind :
             {Grouping::session, Grouping::project, Grouping::model, Grouping::branch}) {
            auto a = usage_by_group(*rollups, prices, kind, filter, true);
            auto b = usage_by_group(*responses, prices, kind, filter, true);
            REQUIRE(a.has_value());
            REQUIRE(b.has_value());
            REQUIRE(a->size() == b->size());
            for (size_t i = 0; i < a->size(); ++i) {
                CHECK((*a)[i].key == (*b)[i].key);
                CHECK((*a)[i].first_ms == (*b)[i].first_ms);
                CHECK((*a)[i].last_ms == (*b)[i].last_ms);
                CHECK((*a)[i].project == (*b)[i].project);
                CHECK((*a)[i].models == (*b)[i].models);
                require_same((*a)[i].usage, (*b)[i].usage);
                require_same((*a)[i].by_model, (*b)[i].by_model);
            }
            auto pa = cost_parts_by_group(*rollups, prices, kind, filter);
            auto pb = cost_parts_by_group(*responses, prices, kind, filter);
            REQUIRE(pa.has_value());
            REQUIRE(pb.has_value());
            CHECK(*pa == *pb);
        }
        const int64_t now = k_start_ms + 30 * k_day_ms + 1234;
        auto a = usage_by_block(*rollups, prices, filter, now);
        auto b = usage_by_block(*responses, prices, filter, now);
        REQUIRE(a.has_value());
        REQUIRE(b.has_value());
        REQUIRE(a->size() == b->size());
        for (size_t i = 0; i < a->size(); ++i) {
            CHECK((*a)[i].start_ms == (*b)[i].start_ms);
            CHECK((*a)[i].first_ms == (*b)[i].first_ms);
            CHECK((*a)[i].last_ms == (*b)[i].last_ms);
            CHECK((*a)[i].burn_pico_usd_per_hour == (*b)[i].burn_pico_usd_per_hour);
            require_same((*a)[i].usage, (*b)[i].usage);
        }
    }
    // Blocks from hourly sums equal blocks made response by response.
    {
        struct Block {
            int64_t start = 0, first = 0, last = 0, responses = 0;
        };
        std::vector<Block> expected;
        REQUIRE(responses
                    ->for_each_response(
                        {},
                        [&](const UsageRecord& r) {
                            const int64_t at = r.timestamp_ms;
                            if (expected.empty() || at >= expected.back().start + k_block_ms ||
                                at - expected.back().last >= k_block_ms)
                                expected.push_back({at / 3'600'000 * 3'600'000, at, at, 0});
                            expected.back().last = at;
                            ++expected.back().responses;
                        })
                    .has_value());
        auto blocks = usage_by_block(*rollups, prices, {}, k_start_ms + 90 * k_day_ms);
        REQUIRE(blocks.has_value());
        REQUIRE(blocks->size() == expected.size());
        for (size_t i = 0; i < expected.size(); ++i) {
            CHECK((*blocks)[i].start_ms == expected[i].start);
            CHECK((*blocks)[i].first_ms == expected[i].first);
            CHECK((*blocks)[i].last_ms == expected[i].last);
            CHECK((*blocks)[i].usage.responses == expected[i].responses);
        }
    }
    // Local days in zones east and west of UTC, a quarter-hour zone among them, and weeks.
    for (int offset : {0, 60, 345, -210, -600}) {
        INFO("utc offset " << offset << " min");
        std::vector<int64_t> days = local_days(offset, 45);
        std::vector<int64_t> weeks;
        for (size_t i = 0; i < days.size(); i += 7)
            weeks.push_back(days[i]);
        // As `hookctl stats` asks: the last boundary is now, the first may be anywhere.
        std::vector<int64_t> ragged = days;
        ragged.front() += 12'345;
        ragged.back() -= 777;
        // Boundaries anywhere: on quarter hours, hours, days, and off them all, some in one
        // bucket of each level (the totals are read between the cuts, finer levels at them).
        std::vector<int64_t> anywhere{days.front() - 7};
        while (anywhere.back() < days.back()) {
            const int64_t step[] = {k_rollup_bucket_ms, 3'600'000, k_day_ms, 1, 60'000, 1'000};
            anywhere.push_back(anywhere.back() + (1 + static_cast<int64_t>(random() % 8)) *
                                                     step[random() % std::size(step)]);
        }
        for (const std::vector<int64_t>& boundaries : {days, weeks, ragged, anywhere}) {
            for (const ResponseFilter& filter : {filters[0], filters[1], filters[2]}) {
                INFO("boundaries " << boundaries.size() << " session "
                                   << filter.session_id.value_or("-") << " cwd "
                                   << filter.cwd.value_or("-"));
                auto a = usage_by_periods(*rollups, prices, boundaries, filter, true);
                auto b = usage_by_periods(*responses, prices, boundaries, filter, true);
                REQUIRE(a.has_value());
                REQUIRE(b.has_value());
                REQUIRE(a->size() == b->size());
                for (size_t i = 0; i < a->size(); ++i) {
                    require_same((*a)[i].usage, (*b)[i].usage);
                    require_same((*a)[i].by_model, (*b)[i].by_model);
                }
                auto pa = cost_parts_by_periods(*rollups, prices, boundaries, filter);
                auto pb = cost_parts_by_periods(*responses, prices, boundaries, filter);
                REQUIRE(pa.has_value());
                REQUIRE(pb.has_value());
                CHECK(*pa == *pb);
            }
        }
    }
}

// The rows of every coarser rollup level, as text, in key order.
std::vector<std::string> rollup_level_lines(const std::filesystem::path& database) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open_v2(database.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
    std::vector<std::string> lines;
    for (const char* table : {"rollups_daily", "rollups_hourly", "totals_hourly", "totals_daily"}) {
        sqlite3_stmt* s = nullptr;
        REQUIRE(sqlite3_prepare_v2(
                    db, (std::string("SELECT * FROM ") + table + " ORDER BY 1, 2, 3, 4, 5").c_str(),
                    -1, &s, nullptr) == SQLITE_OK);
        while (sqlite3_step(s) == SQLITE_ROW) {
            std::string line = table;
            for (int i = 0; i < sqlite3_column_count(s); ++i) {
                const unsigned char* text = sqlite3_column_text(s, i);
                line += std::string("|") + (text ? reinterpret_cast<const char*>(text) : "NULL");
            }
            lines.push_back(std::move(line));
        }
        sqlite3_finalize(s);
    }
    sqlite3_close(db);
    return lines;
}

TEST_CASE(
    "a first backfill's coarser rollups, filled when it ends, equal those kept batch by batch",
    "[rollups]") {
    for (uint32_t seed = 21; seed <= 24; ++seed) {
        INFO("seed " << seed);
        test::TempHistory by_batch;
        {
            std::unique_ptr<UsageStore> writer = std::move(*UsageStore::open(by_batch.database()));
            RandomHistory(seed).write(*writer);
        }
        const std::vector<std::string> want = rollup_level_lines(by_batch.database());
        REQUIRE(want.size() > 100);
        const int64_t by_batch_responses =
            (*UsageStore::open_read_only(by_batch.database()))->response_count().value();
        REQUIRE(by_batch_responses > 50);

        // Ended: the levels are filled, and their triggers keep them from then on.
        test::TempHistory bulk;
        {
            std::unique_ptr<UsageStore> writer = std::move(*UsageStore::open(bulk.database()));
            RandomHistory(seed).write(*writer, true);
            REQUIRE(writer->commit_batches().has_value());
            CHECK(rollup_level_lines(bulk.database()).size() <
                  want.size());  // behind until the end
            REQUIRE(writer->end_bulk_load().has_value());
            CHECK(rollup_level_lines(bulk.database()) == want);
            require_rollups_match_responses(bulk.database());
            RandomHistory(seed + 100).write(*writer);
        }
        require_rollups_match_responses(bulk.database());

        // Past the keys it keeps in memory: the rest of the load goes through responses_by_key,
        // with the same rows.
        test::TempHistory past_limit;
        {
            std::unique_ptr<UsageStore> writer =
                std::move(*UsageStore::open(past_limit.database()));
            writer->set_bulk_key_limit(50);
            RandomHistory(seed).write(*writer, true);
            REQUIRE(writer->end_bulk_load().has_value());
            CHECK(writer->response_count().value() == by_batch_responses);
        }
        CHECK(rollup_level_lines(past_limit.database()) == want);
        require_rollups_match_responses(past_limit.database());

        // Cut short before its end: the next open fills them and gives the triggers back.
        test::TempHistory cut;
        {
            std::unique_ptr<UsageStore> writer = std::move(*UsageStore::open(cut.database()));
            RandomHistory(seed).write(*writer, true);
            REQUIRE(writer->commit_batches().has_value());
        }
        {
            Result<std::unique_ptr<UsageStore>> reopened = UsageStore::open(cut.database());
            REQUIRE(reopened.has_value());
            CHECK(rollup_level_lines(cut.database()) == want);
            RandomHistory(seed + 100).write(**reopened);
        }
        require_rollups_match_responses(cut.database());
    }
}

TEST_CASE("a database of an older schema gets its rollups built when it is opened", "[rollups]") {
    test::TempHistory history;
    {
        std::unique_ptr<UsageStore> writer = std::move(*UsageStore::open(history.database()));
        RandomHistory(11).write(*writer);
    }
    // Back to schema 2: no rollups, as a database written by the previous release.
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(history.database().c_str(), &db) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db,
                         "DROP TRIGGER responses_rollup_update; "
                         "DROP TRIGGER responses_rollup_delete; DROP TABLE rollups_daily; "
                         "DROP TABLE totals_hourly; DROP TABLE totals_daily; "
                         "DROP TABLE rollups_hourly; "
                         "DROP TABLE rollups; DROP TABLE cost_states; "
                         "DROP TABLE cost_state_models; DROP TABLE client_requests; "
                         "DROP TABLE tool_runs; DROP INDEX responses_from_export; "
                         "DROP TABLE rate_limit_samples; DROP TABLE change_cursors; "
                         "DROP TABLE change_clock; DROP TABLE tool_calls; "
                         "DROP TABLE turn_rollups; DROP TRIGGER responses_turn_rollup_update; "
                         "DROP TRIGGER responses_turn_rollup_delete; "
                         "ALTER TABLE responses DROP COLUMN change_seq; PRAGMA user_version=2;",
                         nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);

    Result<std::unique_ptr<UsageStore>> opened = UsageStore::open(history.database());
    REQUIRE(opened.has_value());
    std::unique_ptr<UsageStore> reopened = std::move(*opened);
    CHECK(reopened->schema_version().value() == UsageStore::current_schema_version());
    require_rollups_match_responses(history.database());
    // And it keeps them from then on.
    RandomHistory(12).write(*reopened);
    require_rollups_match_responses(history.database());
}

TEST_CASE("a database of schema 5 gets its totals built when it is opened", "[rollups]") {
    test::TempHistory history;
    {
        std::unique_ptr<UsageStore> writer = std::move(*UsageStore::open(history.database()));
        RandomHistory(21).write(*writer);
    }
    // Back to schema 5: rollups per source only, as a database written by the previous release.
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(history.database().c_str(), &db) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db,
                         "DROP TABLE totals_hourly; DROP TABLE totals_daily; "
                         "DROP TRIGGER totals_hourly_insert; "
                         "DROP TRIGGER totals_hourly_update; DROP TRIGGER totals_hourly_delete; "
                         "DROP TRIGGER totals_daily_insert; DROP TRIGGER totals_daily_update; "
                         "DROP TRIGGER totals_daily_delete; DROP TABLE rate_limit_samples; "
                         "DROP TABLE change_cursors; DROP TABLE change_clock; "
                         "DROP TABLE tool_calls; DROP INDEX tool_runs_by_use; DROP TRIGGER "
                         "tool_runs_time_calls; "
                         "DROP TABLE turn_rollups; DROP TRIGGER responses_turn_rollup_update; "
                         "DROP TRIGGER responses_turn_rollup_delete; "
                         "ALTER TABLE responses DROP COLUMN change_seq; "
                         "PRAGMA user_version=5;",
                         nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);

    Result<std::unique_ptr<UsageStore>> opened = UsageStore::open(history.database());
    REQUIRE(opened.has_value());
    std::unique_ptr<UsageStore> reopened = std::move(*opened);
    CHECK(reopened->schema_version().value() == UsageStore::current_schema_version());
    require_rollups_match_responses(history.database());
    RandomHistory(22).write(*reopened);
    require_rollups_match_responses(history.database());
}

TEST_CASE("a database of schema 11 gets its turn rollups split by chain when it is opened",
          "[rollups]") {
    test::TempHistory history;
    {
        std::unique_ptr<UsageStore> writer = std::move(*UsageStore::open(history.database()));
        RandomHistory(31).write(*writer);
    }
    // Back to schema 11: one turn rollup row for both chains, as the previous release kept them
    // (its triggers stay: they belong to `responses`).
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(history.database().c_str(), &db) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db, test::k_tool_calls_of_schema_13_sql, nullptr, nullptr, nullptr) ==
            SQLITE_OK);
    REQUIRE(sqlite3_exec(db,
                         "CREATE TABLE old_turn_rollups AS SELECT session_id, turn_ms, day_ms, "
                         "model_id, speed, long_context, sum(responses) AS responses, "
                         "sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens, "
                         "sum(cache_creation_input_tokens) AS cache_creation_input_tokens, "
                         "sum(cache_read_input_tokens) AS cache_read_input_tokens, "
                         "sum(cache_5m) AS cache_5m, sum(cache_1h) AS cache_1h, "
                         "sum(web_search_requests) AS web_search_requests, "
                         "sum(web_fetch_requests) AS web_fetch_requests, max(last_ms) AS last_ms "
                         "FROM turn_rollups GROUP BY 1, 2, 3, 4, 5, 6; DROP TABLE turn_rollups; "
                         "PRAGMA legacy_alter_table=ON; "
                         "ALTER TABLE old_turn_rollups RENAME TO turn_rollups; "
                         "PRAGMA user_version=11;",
                         nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);

    Result<std::unique_ptr<UsageStore>> opened = UsageStore::open(history.database());
    REQUIRE(opened.has_value());
    std::unique_ptr<UsageStore> reopened = std::move(*opened);
    CHECK(reopened->schema_version().value() == UsageStore::current_schema_version());
    require_rollups_match_responses(history.database());
    // The subagents' responses in rows of their own.
    int64_t sidechain_rows = 0;
    REQUIRE(reopened
                ->for_each_turn_rollup(
                    [&](const TurnRollupRow& row) { sidechain_rows += row.is_sidechain ? 1 : 0; })
                .has_value());
    CHECK(sidechain_rows > 0);
    RandomHistory(32).write(*reopened);
    require_rollups_match_responses(history.database());
}

namespace {

void require_same_detail(const SessionDetail& a, const SessionDetail& b) {
    CHECK(a.project == b.project);
    CHECK(a.first_ms == b.first_ms);
    CHECK(a.last_ms == b.last_ms);
    require_same(a.usage, b.usage);
    require_same(a.main, b.main);
    require_same(a.subagents, b.subagents);
    require_same(a.by_model, b.by_model);
    CHECK(a.turn_count == b.turn_count);
    REQUIRE(a.turns.size() == b.turns.size());
    for (size_t i = 0; i < a.turns.size(); ++i) {
        INFO("turn " << i);
        CHECK(a.turns[i].number == b.turns[i].number);
        CHECK(a.turns[i].start_ms == b.turns[i].start_ms);
        require_same(a.turns[i].usage, b.turns[i].usage);
        require_same(a.turns[i].main, b.turns[i].main);
        require_same(a.turns[i].subagents, b.turns[i].subagents);
        CHECK(a.turns[i].models == b.turns[i].models);
        // Responses of one millisecond may come in either order.
        const auto listed = [](const TurnTotals& turn) {
            std::vector<std::tuple<int64_t, std::string, int64_t, int64_t>> ids;
            for (const ResponseCost& r : turn.responses)
                ids.emplace_back(r.response.timestamp_ms, r.response.message_id,
                                 r.response.tokens.output_tokens, r.cost_pico_usd.value_or(-1));
            std::sort(ids.begin(), ids.end());
            return ids;
        };
        CHECK(listed(a.turns[i]) == listed(b.turns[i]));
    }
    REQUIRE(a.agents.size() == b.agents.size());
    for (size_t i = 0; i < a.agents.size(); ++i) {
        CHECK(a.agents[i].agent_id == b.agents[i].agent_id);
        CHECK(a.agents[i].first_ms == b.agents[i].first_ms);
        CHECK(a.agents[i].models == b.agents[i].models);
        require_same(a.agents[i].usage, b.agents[i].usage);
    }
    CHECK(a.listed_responses == b.listed_responses);
    CHECK(a.next_before_ms == b.next_before_ms);
}

}  // namespace

TEST_CASE("a session's detail from the turn rollups equals the one from every response",
          "[rollups]") {
    const uint32_t seed = GENERATE(1u, 2u, 3u, 4u);
    INFO("seed " << seed);
    test::TempHistory history;
    {
        std::unique_ptr<UsageStore> writer = std::move(*UsageStore::open(history.database()));
        RandomHistory(seed).write(*writer);
    }
    std::unique_ptr<UsageStore> rollups =
        std::move(*UsageStore::open_read_only(history.database()));
    std::unique_ptr<UsageStore> responses =
        std::move(*UsageStore::open_read_only(history.database()));
    responses->set_row_source(RowSource::responses);
    const PriceTable prices = PriceTable::builtin();
    int64_t sessions_seen = 0;
    for (int i = 0; i < 13; ++i) {  // s12 has no response
        const std::string id = "s" + std::to_string(i);
        INFO("session " << id);
        for (size_t limit : {size_t{0}, size_t{1}, size_t{7}, k_session_page_default}) {
            INFO("limit " << limit);
            SessionPage page;
            page.limit = limit;
            auto a = session_detail(*rollups, prices, id, page);
            auto b = session_detail(*responses, prices, id, page);
            REQUIRE(a.has_value());
            REQUIRE(b.has_value());
            require_same_detail(*a, *b);
            if (a->turns.empty())
                continue;
            ++sessions_seen;
            // A page lists the turns holding its responses, each with the whole turn's figures
            // (those of the same turn in the listing of every turn), numbered in the session.
            SessionPage everything;
            everything.limit = 0;
            auto all = session_detail(*rollups, prices, id, everything);
            REQUIRE(all.has_value());
            CHECK(static_cast<int64_t>(all->turns.size()) == all->turn_count);
            CHECK(a->turn_count == all->turn_count);
            const auto require_whole_turns = [&](const SessionDetail& paged) {
                for (const TurnTotals& turn : paged.turns) {
                    INFO("turn number " << turn.number);
                    REQUIRE(turn.number >= 1);
                    REQUIRE(turn.number <= all->turn_count);
                    const TurnTotals& whole = all->turns[static_cast<size_t>(turn.number - 1)];
                    CHECK(whole.number == turn.number);
                    CHECK(turn.start_ms == whole.start_ms);
                    require_same(turn.usage, whole.usage);
                    require_same(turn.main, whole.main);
                    require_same(turn.subagents, whole.subagents);
                    if (limit > 0)
                        CHECK_FALSE(turn.responses.empty());
                }
                for (size_t t = 1; t < paged.turns.size(); ++t)
                    CHECK(paged.turns[t].number == paged.turns[t - 1].number + 1);
            };
            require_whole_turns(*a);
            if (limit > 0 && a->listed_responses < a->usage.responses)
                CHECK(a->turns.back().number == a->turn_count);  // the newest page: the last turn
            // Paging back from the newest covers every response once, each page's totals the
            // whole session's, and every turn.
            std::set<int64_t> turns_seen;
            for (const TurnTotals& turn : a->turns)
                turns_seen.insert(turn.number);
            int64_t listed = a->listed_responses;
            std::optional<int64_t> before = a->next_before_ms;
            while (before && limit > 0) {
                page.before_ms = before;
                auto next = session_detail(*rollups, prices, id, page);
                auto same = session_detail(*responses, prices, id, page);
                REQUIRE(next.has_value());
                REQUIRE(same.has_value());
                require_same_detail(*next, *same);
                require_same(next->usage, a->usage);
                require_whole_turns(*next);
                for (const TurnTotals& turn : next->turns)
                    turns_seen.insert(turn.number);
                REQUIRE(next->listed_responses >= 1);
                for (const TurnTotals& turn : next->turns)
                    for (const ResponseCost& r : turn.responses)
                        CHECK(r.response.timestamp_ms < *before);
                listed += next->listed_responses;
                before = next->next_before_ms;
            }
            CHECK(listed == a->usage.responses);
            CHECK(static_cast<int64_t>(turns_seen.size()) == a->turn_count);
        }
    }
    CHECK(sessions_seen > 0);
}

namespace {

void require_same_spread(const TurnCostSpread& a, const TurnCostSpread& b) {
    CHECK(a.turns == b.turns);
    CHECK(a.p50_micro_usd == b.p50_micro_usd);
    CHECK(a.p90_micro_usd == b.p90_micro_usd);
    CHECK(a.p99_micro_usd == b.p99_micro_usd);
    REQUIRE(a.buckets.size() == b.buckets.size());
    for (size_t i = 0; i < a.buckets.size(); ++i)
        CHECK(a.buckets[i].turns == b.buckets[i].turns);
    REQUIRE(a.most_expensive.size() == b.most_expensive.size());
    for (size_t i = 0; i < a.most_expensive.size(); ++i) {
        INFO("turn " << i);
        CHECK(a.most_expensive[i].session_id == b.most_expensive[i].session_id);
        CHECK(a.most_expensive[i].start_ms == b.most_expensive[i].start_ms);
        CHECK(a.most_expensive[i].project == b.most_expensive[i].project);
        require_same(a.most_expensive[i].usage, b.most_expensive[i].usage);
    }
}

}  // namespace

TEST_CASE("a cache of turn costs answers as every turn does, as usage arrives and prices change",
          "[rollups]") {
    test::TempHistory history;
    std::unique_ptr<UsageStore> store = std::move(*UsageStore::open(history.database()));
    PriceTable prices = PriceTable::builtin();
    TurnCostCache cache;
    for (uint32_t seed = 41; seed < 46; ++seed) {
        INFO("after history " << seed);
        // Every history writes prompts before, with and after their responses, later lines of
        // stored responses and subagents, in sessions the earlier ones wrote to.
        RandomHistory(seed).write(*store);
        Result<TurnCostSpread> cached = turn_cost_spread(*store, prices, {}, 10, &cache);
        Result<TurnCostSpread> read = turn_cost_spread(*store, prices, {}, 10);
        REQUIRE(cached.has_value());
        REQUIRE(read.has_value());
        REQUIRE(read->turns > 0);
        require_same_spread(*cached, *read);
    }
    // Only the first answer read every turn; the others read the sessions that changed.
    CHECK(cache.full_reads() == 1);
    CHECK(cache.sessions_read() > 0);

    // Nothing new: nothing read.
    const int64_t read_before = cache.sessions_read();
    REQUIRE(turn_cost_spread(*store, prices, {}, 10, &cache).has_value());
    CHECK(cache.sessions_read() == read_before);
    CHECK(cache.full_reads() == 1);

    // Other prices: every turn again, priced by them.
    PriceRule cheaper = *prices.find("claude-opus-4-5", 0);
    cheaper.effective_from_ms = 0;
    cheaper.prices.output /= 2;
    cheaper.source = PriceSource::user_file;
    prices.add(cheaper);
    Result<TurnCostSpread> cached = turn_cost_spread(*store, prices, {}, 10, &cache);
    Result<TurnCostSpread> read = turn_cost_spread(*store, prices, {}, 10);
    REQUIRE(cached.has_value());
    REQUIRE(read.has_value());
    require_same_spread(*cached, *read);
    CHECK(cache.full_reads() == 2);
}
