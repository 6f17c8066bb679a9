// ccmeter's history: SQLite (WAL) holding one row per API response, the turn starts, and how far
// each transcript file has been read.
//
// Contract:
// - One row per (message_id, request_id) across all files and restarts. Writing a response
//   that is already stored keeps each token field's maximum; the metadata of a main-chain line
//   replaces that of a sidechain replay; otherwise the first writer's metadata stays.
//   Writing the same lines twice therefore changes nothing, which is what makes re-reading a
//   file from byte 0 safe.
// - A file's offset is committed in the same transaction as the rows read below it, so a crash
//   at any point neither loses nor doubles a response.
// - Rows are never deleted when a transcript disappears: history outlives Claude Code's cleanup.
// - Only token metadata is stored, never message content.
//
// Threads: a UsageStore owns one SQLite connection; use it from one thread at a time. Other
// processes may read the same database concurrently (WAL).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/usage_record.hpp"

namespace ccmeter {

// How far one transcript file has been consumed.
struct FileState {
    std::string path;
    uint64_t device = 0;
    uint64_t inode = 0;
    uint64_t offset = 0;         // just past the last complete line consumed
    std::string tail;            // up to k_tail_check_bytes ending at `offset`
    int64_t malformed_lines = 0; // in the current generation of the file
    int64_t generation = 0;      // times the file was found replaced or truncated and re-read
};

// The number of bytes before a file's offset kept to notice a file rewritten in place.
constexpr size_t k_tail_check_bytes = 64;

// Everything learned from a run of lines, committed atomically.
struct IngestBatch {
    std::vector<UsageRecord> responses;  // one entry per line; duplicates are fine
    std::vector<TurnStart> turns;
    std::vector<FileState> files;        // the new state of each file the lines came from
    bool empty() const { return responses.empty() && turns.empty() && files.empty(); }
    void clear() {
        responses.clear();
        turns.clear();
        files.clear();
    }
};

// Which responses a query visits. Bounds are UTC milliseconds, `until_ms` exclusive.
struct ResponseFilter {
    std::optional<int64_t> since_ms;
    std::optional<int64_t> until_ms;
    std::optional<std::string> session_id;
    std::optional<std::string> cwd;
};

class UsageStore {
public:
    // Opens (creating and migrating as needed) the database at `path`; its parent directory is
    // created with mode 0700.
    static Result<std::unique_ptr<UsageStore>> open(const std::filesystem::path& path);
    ~UsageStore();
    UsageStore(const UsageStore&) = delete;
    UsageStore& operator=(const UsageStore&) = delete;

    int schema_version() const;

    std::optional<FileState> file_state(const std::string& path) const;

    Result<void> commit(const IngestBatch& batch);

    // Calls `visit` for every stored response matching `filter`, in timestamp order.
    Result<void> for_each_response(const ResponseFilter& filter,
                                   const std::function<void(const UsageRecord&)>& visit) const;

    int64_t response_count() const;
    int64_t turn_count() const;
    int64_t malformed_lines() const;  // summed over all files, current generations

    // Flushes the WAL into the database file (all rows durable on disk).
    Result<void> checkpoint();

private:
    explicit UsageStore(sqlite3* db);
    Result<void> migrate();
    Result<void> prepare_statements();
    int64_t scalar(const char* sql) const;

    sqlite3* m_db;
    sqlite3_stmt* m_upsert_response = nullptr;
    sqlite3_stmt* m_insert_turn = nullptr;
    sqlite3_stmt* m_upsert_file = nullptr;
    sqlite3_stmt* m_select_file = nullptr;
};

}  // namespace ccmeter
