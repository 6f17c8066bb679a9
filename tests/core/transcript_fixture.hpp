// Test fixture: a throwaway Claude config dir and history database, and helpers that write
// transcript lines shaped like Claude Code's.
#pragma once

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/ingest_engine.hpp"
#include "core/price_table.hpp"
#include "core/usage_report.hpp"
#include "core/usage_store.hpp"

namespace ccmeter::test {

struct Usage {
    Usage(int64_t input_tokens, int64_t output_tokens, int64_t cache_write_tokens = 0,
          int64_t cache_read_tokens = 0, int64_t cache_1h_tokens = 0)
        : input(input_tokens),
          output(output_tokens),
          cache_write(cache_write_tokens),
          cache_read(cache_read_tokens),
          cache_1h(cache_1h_tokens) {}
    int64_t input = 10;
    int64_t output = 100;
    int64_t cache_write = 0;
    int64_t cache_read = 0;
    int64_t cache_1h = 0;
    std::string speed;
    int64_t web_searches = 0;
};

inline std::string usage_json(const Usage& u) {
    std::string json =
        "{\"input_tokens\":" + std::to_string(u.input) +
        ",\"cache_creation_input_tokens\":" + std::to_string(u.cache_write) +
        ",\"cache_read_input_tokens\":" + std::to_string(u.cache_read) +
        ",\"cache_creation\":{\"ephemeral_5m_input_tokens\":" +
        std::to_string(u.cache_write - u.cache_1h) +
        ",\"ephemeral_1h_input_tokens\":" + std::to_string(u.cache_1h) +
        "},\"output_tokens\":" + std::to_string(u.output) +
        ",\"server_tool_use\":{\"web_search_requests\":" + std::to_string(u.web_searches) +
        ",\"web_fetch_requests\":0}";
    if (!u.speed.empty())
        json += ",\"speed\":\"" + u.speed + "\"";
    return json + ",\"service_tier\":\"standard\"}";
}

// One top-level assistant line of a response.
inline std::string assistant_line(const std::string& message_id, const std::string& request_id,
                                  const Usage& usage,
                                  const std::string& model = "claude-opus-4-5-20251101",
                                  const std::string& session = "s1",
                                  const std::string& timestamp = "2026-02-10T12:00:00.000Z",
                                  bool sidechain = false, const std::string& text = "hello") {
    return "{\"parentUuid\":null,\"isSidechain\":" + std::string(sidechain ? "true" : "false") +
           ",\"userType\":\"external\",\"cwd\":\"/home/dev/proj\",\"sessionId\":\"" + session +
           "\",\"version\":\"2.1.39\",\"gitBranch\":\"main\"" +
           (sidechain ? ",\"agentId\":\"a1\"" : "") + ",\"message\":{\"model\":\"" + model +
           "\",\"id\":\"" + message_id +
           "\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[{\"type\":\"text\","
           "\"text\":\"" +
           text + "\"}],\"usage\":" + usage_json(usage) + "},\"requestId\":\"" + request_id +
           "\",\"type\":\"assistant\",\"uuid\":\"u-" + message_id + "-" +
           std::to_string(usage.output) + "\",\"timestamp\":\"" + timestamp + "\"}";
}

inline std::string user_prompt_line(const std::string& uuid, const std::string& session,
                                    const std::string& timestamp) {
    return "{\"parentUuid\":null,\"isSidechain\":false,\"type\":\"user\",\"message\":{\"role\":"
           "\"user\",\"content\":\"do it\"},\"uuid\":\"" +
           uuid + "\",\"timestamp\":\"" + timestamp + "\",\"sessionId\":\"" + session +
           "\",\"cwd\":\"/home/dev/proj\"}";
}

class TempHistory {
  public:
    TempHistory() {
        static std::atomic<int> counter{0};
        m_root = std::filesystem::temp_directory_path() /
                 ("ccmeter-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        std::filesystem::remove_all(m_root);
        std::filesystem::create_directories(m_root / "claude" / "projects" / "-home-dev-proj");
    }
    ~TempHistory() { std::filesystem::remove_all(m_root); }
    TempHistory(const TempHistory&) = delete;
    TempHistory& operator=(const TempHistory&) = delete;

    std::filesystem::path config_dir() const { return m_root / "claude"; }
    std::filesystem::path database() const { return m_root / "usage.db"; }
    std::filesystem::path transcript(const std::string& name) const {
        return m_root / "claude" / "projects" / "-home-dev-proj" / name;
    }

    // Appends `text` as is (add "\n" for a complete line).
    void append(const std::string& name, const std::string& text) const {
        const std::filesystem::path path = transcript(name);
        std::filesystem::create_directories(path.parent_path());
        std::ofstream(path, std::ios::app | std::ios::binary) << text;
    }
    void append_line(const std::string& name, const std::string& line) const {
        append(name, line + "\n");
    }

    // Ingests everything new and returns the all-time report.
    UsageReport ingest(Grouping group_by = Grouping::none) {
        if (!m_store) {
            Result<std::unique_ptr<UsageStore>> opened = UsageStore::open(database());
            REQUIRE(opened.has_value());
            m_store = std::move(*opened);
        }
        IngestEngine engine(*m_store);
        Result<IngestStats> stats = engine.ingest_dirs({config_dir()});
        REQUIRE(stats.has_value());
        m_last_stats = *stats;
        Result<UsageReport> report = build_report(*m_store, m_prices, {}, group_by);
        REQUIRE(report.has_value());
        return *report;
    }

    UsageStore& store() { return *m_store; }
    const IngestStats& last_stats() const { return m_last_stats; }
    PriceTable& prices() { return m_prices; }

  private:
    std::filesystem::path m_root;
    std::unique_ptr<UsageStore> m_store;
    IngestStats m_last_stats;
    PriceTable m_prices = PriceTable::builtin();
};

}  // namespace ccmeter::test
