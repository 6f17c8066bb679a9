// Test fixture: a history database in a throwaway directory, filled with numbered responses
// committed the way ingestion commits them.
#pragma once

#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <memory>
#include <string>

#include "core/usage_store.hpp"

namespace ccmeter::test {

class TempDatabase {
  public:
    TempDatabase() {
        static std::atomic<int> counter{0};
        m_root =
            std::filesystem::temp_directory_path() /
            ("ccmeter-db-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        std::filesystem::remove_all(m_root);
        std::filesystem::create_directories(m_root);
        Result<std::unique_ptr<UsageStore>> opened = UsageStore::open(database());
        REQUIRE(opened.has_value());
        m_store = std::move(*opened);
    }
    ~TempDatabase() {
        m_store.reset();
        std::filesystem::remove_all(m_root);
    }
    TempDatabase(const TempDatabase&) = delete;
    TempDatabase& operator=(const TempDatabase&) = delete;

    const std::filesystem::path& root() const { return m_root; }
    std::filesystem::path database() const { return m_root / "data" / "usage.db"; }
    UsageStore& store() { return *m_store; }

    // Commits responses first .. first + count - 1, one second apart, 1000 + i output tokens.
    void add_responses(int first, int count) {
        IngestBatch batch;
        for (int i = first; i < first + count; ++i) {
            UsageRecord r;
            r.message_id = "msg_" + std::to_string(i);
            r.request_id = "req_" + std::to_string(i);
            r.model = "claude-opus-4-5";
            r.session_id = "s" + std::to_string(i % 3);
            r.cwd = "/home/dev/p" + std::to_string(i % 2);
            r.timestamp_ms = 1'790'000'000'000 + int64_t{i} * 1000;
            r.tokens.input_tokens = 10;
            r.tokens.output_tokens = 1000 + i;
            batch.add_response(r);
        }
        REQUIRE(m_store->commit(batch).has_value());
    }

  private:
    std::filesystem::path m_root;
    std::unique_ptr<UsageStore> m_store;
};

// Output tokens summed over the responses of the database at `path` (opened read-only).
inline int64_t output_tokens_of(const std::filesystem::path& path, int64_t* responses = nullptr) {
    Result<std::unique_ptr<UsageStore>> store = UsageStore::open_read_only(path);
    REQUIRE(store.has_value());
    int64_t sum = 0, count = 0;
    REQUIRE((*store)
                ->for_each_response({},
                                    [&](const UsageRecord& r) {
                                        sum += r.tokens.output_tokens;
                                        ++count;
                                    })
                .has_value());
    if (responses)
        *responses = count;
    return sum;
}

}  // namespace ccmeter::test
