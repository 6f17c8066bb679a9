// Brings the store up to date with the transcripts on disk, reading only bytes not yet
// consumed.
//
// Per file it keeps (device, inode), the offset just past the last complete line, and the bytes
// before that offset. A file that was replaced (new inode), truncated (shorter than the offset)
// or rewritten in place (different bytes before the offset) is read again from byte 0; the
// store's dedup rule makes that safe. A line still being written is left for the next run,
// unless it is already one complete JSON object. Deleted files keep their rows.
//
// Memory is bounded whatever the files hold: a line over IngestOptions::max_line_bytes is never
// held whole. Once its '\n' arrives it is skipped and counted, and the offset moves past it; while
// it is still growing, the engine remembers (in memory, per file) how far it was scanned, so a
// later run reads only the bytes added since (after a restart it is scanned once more).
//
// Work is committed in batches: rows and the offsets that cover them in one transaction, so the
// process may be killed at any moment.
//
// Threads: an IngestEngine and its store are used from one thread; internally a BatchWriter
// commits on a second thread while the calling thread reads and parses.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/error.hpp"
#include "core/batch_writer.hpp"
#include "core/line_reader.hpp"
#include "core/usage_parser.hpp"
#include "core/usage_store.hpp"

namespace ccmeter {

struct IngestOptions {
    // Usage lines collected in one batch (BatchWriter commits up to k_batches_per_commit of
    // them in one transaction). Bounds memory: about 1 KB a line, and up to three batches are
    // alive (one filled, one waiting, one being written). 5,000: a backfill's peak RSS 72-78 MB
    // at 1 GB and 82-87 MB at 10 GB, against 99-136 MB with 20,000, for the same CPU time at
    // 1 GB and about 18% more wall time at 10 GB (bench/README.md, 2026-12-03).
    size_t batch_lines = 5'000;
    // The longest line read (LineReader): a longer one is skipped, logged and counted (as a
    // malformed line of its file, and in IngestStats::long_lines). Default k_max_line_bytes
    // (64 MiB); smaller only in tests.
    size_t max_line_bytes = k_max_line_bytes;
    // Receives one message per notable event (a malformed line, an unreadable file); may be
    // empty.
    std::function<void(const std::string&)> log;
    // Called after each file with the bytes read so far and the bytes there were to read at
    // the start (a backfill's progress); may be empty.
    std::function<void(int64_t done_bytes, int64_t total_bytes)> progress;
};

struct IngestStats {
    int64_t files_seen = 0;   // transcripts found
    int64_t files_read = 0;   // of which had new bytes
    int64_t files_reset = 0;  // of which were replaced, truncated or rewritten
    int64_t bytes_read = 0;
    int64_t lines = 0;
    int64_t usage_lines = 0;
    int64_t turn_starts = 0;
    int64_t cost_states = 0;      // the client's own cost records (client_cost_state.hpp)
    int64_t malformed_lines = 0;  // found in this run
    // Paths that are not regular files (FIFOs, devices, sockets, directories, symlink loops,
    // other stat() errors): never opened for reading, skipped. Each is logged once per engine.
    int64_t refused_files = 0;
    // Complete lines over IngestOptions::max_line_bytes, skipped (also in malformed_lines).
    int64_t long_lines = 0;
    // Usage lines with a token field out of range (LineKind::out_of_range), found in this run;
    // skipped, and counted in the file's malformed_lines too.
    int64_t out_of_range_lines = 0;
    int64_t commits = 0;
};

class IngestEngine {
  public:
    explicit IngestEngine(UsageStore& store, IngestOptions options = {});

    // Every transcript under each config dir's projects/.
    Result<IngestStats> ingest_dirs(const std::vector<std::filesystem::path>& config_dirs);

    // Just these transcripts (what a hook announces). Only regular files are opened, without
    // ever blocking (see IngestStats::refused_files).
    Result<IngestStats> ingest_files(const std::vector<std::filesystem::path>& files);

  private:
    Result<void> ingest_file(const std::filesystem::path& path,
                             const std::unordered_map<std::string, FileState>& known,
                             IngestStats& stats);
    Result<void> flush();
    // Counts `path` as refused (`why`: what it is) and logs it the first time.
    void refuse(const std::filesystem::path& path, const std::string& why, IngestStats& stats);
    void log(const std::string& message) const;

    UsageStore& m_store;
    IngestOptions m_options;
    LineReader m_reader;
    UsageParser m_parser;
    IngestBatch m_batch;
    std::unique_ptr<BatchWriter> m_writer;  // during ingest_files(), once there is work
    UsageRecord m_usage;
    TurnStart m_turn;
    std::unordered_set<std::string> m_refused_paths;  // logged already
    // An over-long line without its '\n' yet, at `start` of the file, scanned up to `scanned_to`.
    struct LongLine {
        uint64_t device = 0;
        uint64_t inode = 0;
        uint64_t start = 0;
        uint64_t scanned_to = 0;
    };
    std::unordered_map<std::string, LongLine> m_long_lines;  // by path
};

}  // namespace ccmeter
