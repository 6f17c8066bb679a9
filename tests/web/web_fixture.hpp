// A daemon's worth of objects for the web view's tests, over the tiny fixture history in
// fixtures/config (see fixtures/make_fixture.py): a fresh database in a temporary directory,
// filled by the IngestEngine, an IngestLoop (never started) and the MeterQueries over it, and
// the process's time zone set to UTC for the life of the fixture.
#pragma once

#include <stdlib.h>

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>

#include "core/ingest_engine.hpp"
#include "core/price_table.hpp"
#include "core/usage_store.hpp"
#include "query/meter_queries.hpp"
#include "server/ingest_loop.hpp"

#ifndef CCMETER_WEB_FIXTURE_DIR
#error "CCMETER_WEB_FIXTURE_DIR must name tests/web/fixtures/config"
#endif

// 2026-11-21T16:00:00Z, half an hour after the last fixture response.
constexpr int64_t k_fixture_now_ms = 1'795'276'800'000;
constexpr const char* k_session_a = "aaaaaaaa-0000-4000-8000-000000000001";
constexpr const char* k_session_b = "bbbbbbbb-0000-4000-8000-000000000002";

class WebFixture {
  public:
    WebFixture() {
        if (const char* old = std::getenv("TZ"))
            m_old_tz = std::string(old);
        setenv("TZ", "UTC", 1);
        tzset();
        std::string pattern = (std::filesystem::temp_directory_path() / "ccmeter-web-XXXXXX");
        m_dir = ::mkdtemp(pattern.data());
        m_database = m_dir / "usage.db";
        ingest(std::filesystem::path(CCMETER_WEB_FIXTURE_DIR));
        ccmeter::IngestLoopOptions loop_options;
        loop_options.config_dirs = {m_dir / "config"};
        loop_options.database = m_database;
        m_loop = std::move(*ccmeter::IngestLoop::create(loop_options));
        ccmeter::MeterQueriesOptions query_options;
        query_options.database = m_database;
        m_queries =
            std::make_unique<ccmeter::MeterQueries>(query_options, ccmeter::PriceTable::builtin());
    }
    ~WebFixture() {
        m_queries.reset();
        m_loop.reset();
        std::error_code ignored;
        std::filesystem::remove_all(m_dir, ignored);
        if (m_old_tz)
            setenv("TZ", m_old_tz->c_str(), 1);
        else
            unsetenv("TZ");
        tzset();
    }
    WebFixture(const WebFixture&) = delete;
    WebFixture& operator=(const WebFixture&) = delete;

    // Ingests every transcript under `config_dir` into the database (its own connection).
    void ingest(const std::filesystem::path& config_dir) {
        std::unique_ptr<ccmeter::UsageStore> store =
            std::move(*ccmeter::UsageStore::open(m_database));
        ccmeter::IngestEngine engine(*store);
        (void)engine.ingest_dirs({config_dir});
    }

    // Writes one more transcript (a session C response of `output_tokens` sonnet-4-5 output
    // at 2026-11-21T15:45:00Z) into a config dir of its own and ingests it.
    void add_response(int64_t output_tokens) {
        const std::filesystem::path dir = m_dir / "extra" / "projects" / "-home-dev-extra";
        std::filesystem::create_directories(dir);
        std::ofstream out(dir / "cccccccc-0000-4000-8000-000000000003.jsonl", std::ios::app);
        out << R"({"parentUuid":null,"isSidechain":false,"userType":"external",)"
            << R"("cwd":"/home/dev/extra","sessionId":"cccccccc-0000-4000-8000-000000000003",)"
            << R"("version":"2.1.39","gitBranch":"main","type":"assistant","requestId":"req_x)"
            << output_tokens << R"(","uuid":"x-)" << output_tokens
            << R"(","timestamp":"2026-11-21T15:45:00.000Z","message":{"model":)"
            << R"("claude-sonnet-4-5-20250929","id":"msg_x)" << output_tokens
            << R"(","type":"message","role":"assistant","content":[],"usage":{)"
            << R"("input_tokens":0,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,)"
            << R"("output_tokens":)" << output_tokens << "}}}\n";
        out.close();
        ingest(m_dir / "extra");
    }

    ccmeter::MeterQueries& queries() { return *m_queries; }
    ccmeter::IngestLoop& loop() { return *m_loop; }
    const std::filesystem::path& database() const { return m_database; }

  private:
    std::optional<std::string> m_old_tz;
    std::filesystem::path m_dir;
    std::filesystem::path m_database;
    std::unique_ptr<ccmeter::IngestLoop> m_loop;
    std::unique_ptr<ccmeter::MeterQueries> m_queries;
};
