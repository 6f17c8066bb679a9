#include <stdlib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <memory>
#include <string>

#include "common/saturating_int.hpp"
#include "core/cost_parts.hpp"
#include "core/usage_queries.hpp"
#include "core/usage_report.hpp"

using ccmeter::CostParts;
using ccmeter::PriceTable;
using ccmeter::TokenCounts;

namespace {

TokenCounts tokens(int64_t input, int64_t output, int64_t write_5m, int64_t write_1h, int64_t read,
                   int64_t web_searches = 0) {
    TokenCounts t;
    t.input_tokens = input;
    t.output_tokens = output;
    t.cache_5m = write_5m;
    t.cache_1h = write_1h;
    t.cache_creation_input_tokens = write_5m + write_1h;
    t.cache_read_input_tokens = read;
    t.web_search_requests = web_searches;
    return t;
}

}  // namespace

TEST_CASE("cost parts add up to the price table's cost", "[cost_parts]") {
    const PriceTable prices = PriceTable::builtin();
    struct Case {
        const char* model;
        const char* speed;
        TokenCounts tokens;
    };
    const Case cases[] = {
        {"claude-opus-4-5-20251101", "standard", tokens(100, 500, 0, 2000, 10000)},
        {"claude-haiku-4-5", "", tokens(200, 300, 1000, 0, 0, 3)},
        {"claude-opus-4-6", "fast", tokens(10, 20, 30, 40, 50)},               // 6x
        {"claude-sonnet-4-5", "standard", tokens(1000, 10, 100, 0, 250'000)},  // long context
    };
    for (const Case& c : cases) {
        INFO(c.model);
        const bool long_context = ccmeter::is_long_context(c.tokens);
        std::optional<CostParts> parts =
            prices.cost_parts(c.model, 0, c.speed, long_context, c.tokens);
        REQUIRE(parts);
        CHECK(parts->total() == *prices.cost_pico_usd(c.model, 0, c.speed, c.tokens));
    }
    CHECK_FALSE(prices.cost_parts("gpt-9", 0, "", false, tokens(1, 1, 1, 1, 1)));
}

TEST_CASE("each part and the cache savings, in pico-dollars", "[cost_parts]") {
    const PriceTable prices = PriceTable::builtin();
    // opus-4-5: 5 / 6.25 / 10 / 0.50 / 25 USD per million = pico-dollars per token x 1e6.
    std::optional<CostParts> opus = prices.cost_parts("claude-opus-4-5", 0, "standard", false,
                                                      tokens(100, 500, 400, 2000, 10000, 2));
    REQUIRE(opus);
    CHECK(opus->input == 100LL * 5'000'000);
    CHECK(opus->output == 500LL * 25'000'000);
    CHECK(opus->cache_write == 2000LL * 10'000'000 + 400LL * 6'250'000);
    CHECK(opus->cache_read == 10000LL * 500'000);
    CHECK(opus->web_search == 2 * ccmeter::k_web_search_pico_usd);
    CHECK(opus->cache_savings == 10000LL * (5'000'000 - 500'000));
    // Fast mode multiplies the savings too (opus-4-6: 6x).
    std::optional<CostParts> fast =
        prices.cost_parts("claude-opus-4-6", 0, "fast", false, tokens(0, 0, 0, 0, 1000));
    REQUIRE(fast);
    CHECK(fast->cache_savings == 6LL * 1000 * (5'000'000 - 500'000));
}

TEST_CASE("cost parts by period and by group sum as usage_queries does", "[cost_parts]") {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "ccmeter-cost-parts-XXXXXX").string();
    const std::filesystem::path dir = ::mkdtemp(pattern.data());
    {
        std::unique_ptr<ccmeter::UsageStore> store =
            std::move(*ccmeter::UsageStore::open(dir / "usage.db"));
        ccmeter::IngestBatch batch;
        auto add = [&](const char* id, const char* model, int64_t at_ms, const char* cwd,
                       TokenCounts counts) {
            ccmeter::UsageRecord record;
            record.message_id = id;
            record.request_id = std::string("req-") + id;
            record.model = model;
            record.timestamp_ms = at_ms;
            record.session_id = "s";
            record.cwd = cwd;
            record.tokens = counts;
            batch.add_response(record);
        };
        add("a", "claude-opus-4-5", 1'000'000'000'000, "/p", tokens(100, 500, 0, 2000, 10000));
        add("b", "claude-sonnet-4-5", 1'000'086'400'000, "/q", tokens(1000, 2000, 0, 0, 0));
        add("c", "mystery-model", 1'000'086'400'000, "/q", tokens(5, 5, 5, 5, 5));
        REQUIRE(store->commit(batch).has_value());

        const PriceTable prices = PriceTable::builtin();
        const std::vector<int64_t> boundaries{0, 1'000'050'000'000, 2'000'000'000'000};
        auto periods = ccmeter::cost_parts_by_periods(*store, prices, boundaries, {});
        auto usage = ccmeter::usage_by_periods(*store, prices, boundaries, {}, false);
        REQUIRE(periods.has_value());
        REQUIRE(usage.has_value());
        REQUIRE(periods->size() == 2);
        for (size_t i = 0; i < 2; ++i)
            CHECK((*periods)[i].total() == (*usage)[i].usage.cost_pico_usd);
        CHECK((*periods)[0].cache_savings == 10000LL * 4'500'000);

        auto by_project =
            ccmeter::cost_parts_by_group(*store, prices, ccmeter::Grouping::project, {});
        REQUIRE(by_project.has_value());
        CHECK(by_project->at("/q").total() == 1000LL * 3'000'000 + 2000LL * 15'000'000);
        auto by_model = ccmeter::cost_parts_by_group(*store, prices, ccmeter::Grouping::model, {});
        REQUIRE(by_model.has_value());
        CHECK(by_model->at("mystery-model") == CostParts{});  // unpriced: nothing
    }
    std::filesystem::remove_all(dir);
}

TEST_CASE("one grouping for every reader: a branch is per project, a day is UTC",
          "[cost_parts][grouping]") {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "ccmeter-grouping-XXXXXX").string();
    const std::filesystem::path dir = ::mkdtemp(pattern.data());
    {
        std::unique_ptr<ccmeter::UsageStore> store =
            std::move(*ccmeter::UsageStore::open(dir / "usage.db"));
        ccmeter::IngestBatch batch;
        auto add = [&](const char* id, int64_t at_ms, const char* session, const char* cwd,
                       TokenCounts counts) {
            ccmeter::UsageRecord record;
            record.message_id = id;
            record.request_id = std::string("req-") + id;
            record.model = "claude-sonnet-4-5";
            record.timestamp_ms = at_ms;
            record.session_id = session;
            record.cwd = cwd;
            record.git_branch = "main";
            record.tokens = counts;
            batch.add_response(record);
        };
        // Two projects both on "main"; 2001-09-09 01:46:40 UTC and a day later.
        add("a", 1'000'000'000'000, "s1", "/p", tokens(1000, 0, 0, 0, 0));
        add("b", 1'000'086'400'000, "s2", "/q", tokens(0, 1000, 0, 0, 0));
        add("c", 1'000'086'400'001, "s2", "/q", tokens(0, 1000, 0, 0, 0));
        REQUIRE(store->commit(batch).has_value());
        const PriceTable prices = PriceTable::builtin();

        // Per (project, branch): "main" of /p and "main" of /q are two groups, not one.
        auto parts = ccmeter::cost_parts_by_group(*store, prices, ccmeter::Grouping::branch, {});
        REQUIRE(parts.has_value());
        REQUIRE(parts->size() == 2);
        CHECK(parts->at(std::string("/p") + '\0' + "main").total() == 1000LL * 3'000'000);
        CHECK(parts->at(std::string("/q") + '\0' + "main").total() == 2000LL * 15'000'000);
        auto branches =
            ccmeter::usage_by_group(*store, prices, ccmeter::Grouping::branch, {}, false);
        REQUIRE(branches.has_value());
        REQUIRE(branches->size() == 2);
        CHECK((*branches)[0].key == "main");
        CHECK((*branches)[0].project == "/q");
        CHECK((*branches)[0].usage.cost_pico_usd ==
              parts->at(std::string("/q") + '\0' + "main").total());

        // The ingest command's report groups by the same enum: per UTC day and per branch.
        auto by_day = ccmeter::build_report(*store, prices, {}, ccmeter::Grouping::day_utc);
        REQUIRE(by_day.has_value());
        REQUIRE(by_day->groups.size() == 2);
        CHECK(by_day->groups.at("2001-09-09").responses == 1);
        CHECK(by_day->groups.at("2001-09-10").responses == 2);
        auto by_branch = ccmeter::build_report(*store, prices, {}, ccmeter::Grouping::branch);
        REQUIRE(by_branch.has_value());
        CHECK(by_branch->groups.size() == 2);
        auto by_day_groups =
            ccmeter::usage_by_group(*store, prices, ccmeter::Grouping::day_utc, {}, false);
        REQUIRE(by_day_groups.has_value());
        REQUIRE(by_day_groups->size() == 2);
        CHECK((*by_day_groups)[0].key == "2001-09-10");
    }
    std::filesystem::remove_all(dir);
}

TEST_CASE("money saturates at the int64 bound and is flagged, never wraps", "[cost_parts]") {
    const PriceTable prices = PriceTable::builtin();
    // One aggregate row: 200 responses of 10^9 - 1 tokens in every field of the dearest model.
    const int64_t big = 200 * int64_t{999'999'999};
    const TokenCounts row = tokens(big, big, 0, big, big);
    const std::optional<int64_t> cost =
        prices.cost_pico_usd("claude-opus-4-1-20250805", 0, "standard", row);
    REQUIRE(cost);
    CHECK(*cost == ccmeter::k_int64_max);
    const std::optional<CostParts> parts =
        prices.cost_parts("claude-opus-4-1-20250805", 0, "standard", false, row);
    REQUIRE(parts);
    CHECK(parts->total() == ccmeter::k_int64_max);
    CHECK(parts->output == ccmeter::k_int64_max);  // 2 * 10^11 tokens * $75 / M passes it alone

    // Rows each within int64, whose sum is not.
    ccmeter::UsageTotals totals;
    const TokenCounts small = tokens(1, 1'000'000'000, 0, 0, 0);
    const std::optional<int64_t> one =
        prices.cost_pico_usd("claude-opus-4-1-20250805", 0, "standard", small);
    REQUIRE(one);
    CHECK(*one == 1'000'000'000LL * 75'000'000 + 15'000'000);  // $75,000.000015, exact
    for (int i = 0; i < 200; ++i)
        totals.add("claude-opus-4-1-20250805", 1, small, one);
    CHECK(totals.cost_pico_usd == ccmeter::k_int64_max);
    CHECK(totals.cost_saturated);
    CHECK(totals.responses == 200);
    CHECK(totals.tokens.output_tokens == 200'000'000'000);
    CHECK(ccmeter::micro_usd(totals.cost_pico_usd) == 9'223'372'036'855);  // no overflow

    ccmeter::UsageTotals fine;
    fine.add("claude-opus-4-1-20250805", 1, small, one);
    CHECK_FALSE(fine.cost_saturated);
    CHECK(ccmeter::micro_usd(-1'500'000) == -2);
    CHECK(ccmeter::micro_usd(1'499'999) == 1);
    CHECK(ccmeter::micro_usd(ccmeter::k_int64_min) == -9'223'372'036'855);
}

TEST_CASE("saturating arithmetic holds at the bound it passed", "[cost_parts]") {
    using ccmeter::k_int64_max;
    using ccmeter::k_int64_min;
    CHECK(ccmeter::saturating_add(k_int64_max, 1) == k_int64_max);
    CHECK(ccmeter::saturating_add(k_int64_min, -1) == k_int64_min);
    CHECK(ccmeter::saturating_add(5, -7) == -2);
    CHECK(ccmeter::saturating_multiply(k_int64_max / 2, 3) == k_int64_max);
    CHECK(ccmeter::saturating_multiply(k_int64_max / 2, -3) == k_int64_min);
    CHECK(ccmeter::saturating_multiply(-4, 5) == -20);
    CHECK(ccmeter::saturating_multiply_divide(k_int64_max, 3'600'000, 60'000) == k_int64_max);
    CHECK(ccmeter::saturating_multiply_divide(k_int64_max / 7 * 7, 3, 7) == k_int64_max / 7 * 3);
    CHECK(ccmeter::saturating_multiply_divide(10, 3, 4) == 7);
}
