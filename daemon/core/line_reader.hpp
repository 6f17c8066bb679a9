// Reads the complete lines that were appended to a file since a byte offset.
//
// Offsets are byte positions in the file. A line is complete when its '\n' has been written;
// the bytes after the last '\n' (a line Claude Code is still writing) are handed over as the
// "tail" and never counted as consumed, so a caller that stores only the offsets this reader
// returns never advances past an incomplete record.
//
// Memory is bounded: a line longer than `max_line_bytes` is never held whole. Once complete it
// is reported to the skip callback (and its end offset is consumed like any line's); while it
// has no '\n' yet it is scanned to EOF without keeping its bytes, and the caller may resume the
// scan there on its next read instead of reading it again from its start.
//
// A LineReader is not thread-safe; use one per thread. Its buffer grows to the longest line seen
// (at most max_line_bytes + chunk_size), is reused across files, and shrinks back to chunk_size
// at the start of the next read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace ccmeter {

// The longest line handed over, in bytes without its '\n': 64 MiB. Claude Code's longest real
// lines (a pasted image, a large tool result) are a few MB; anything longer is not a transcript
// record worth its memory (a file of NULs, a runaway writer) and is skipped.
constexpr size_t k_max_line_bytes = size_t{64} << 20;

// Bytes read per pread(): 256 KiB, which stays in the L2 cache while its lines are scanned and
// parsed. Against 4 MiB, in 4 interleaved cold 1 GB backfills: the reading thread 0.88-0.92 s
// of CPU instead of 0.93-1.01 s, peak RSS 67-75 MB instead of 73-78 MB (2026-12-03; a first
// single run that showed 1.32 s for 4 MiB was not repeatable). 64 and 128 KiB are no faster.
constexpr size_t k_default_read_chunk = size_t{256} << 10;

class LineReader {
  public:
    // Called for each complete line, without its '\n'. `end_offset` is the offset just past the
    // '\n'. The view is valid only during the call. Return false to stop reading after it.
    using LineCallback = std::function<bool(std::string_view line, uint64_t end_offset)>;
    // Called instead of LineCallback for a complete line longer than max_line_bytes, which
    // starts at `start_offset` and ends just before `end_offset`. Return false to stop.
    using SkipCallback = std::function<bool(uint64_t start_offset, uint64_t end_offset)>;

    struct Result {
        uint64_t end_offset = 0;  // just past the last complete line handed over or skipped
        std::string_view tail;    // bytes after it up to EOF (valid until the next read)
        // When the bytes after end_offset are an over-long line without its '\n' yet: the EOF
        // offset it was scanned to (its bytes are not kept, `tail` is empty). Otherwise 0.
        uint64_t long_line_scanned_to = 0;
        bool stopped = false;   // a callback returned false
        std::error_code error;  // a read error; lines before it were delivered
    };

    explicit LineReader(size_t chunk_size = k_default_read_chunk,
                        size_t max_line_bytes = k_max_line_bytes);

    // Reads `fd` from `start_offset` up to the end of file as it is now. `start_offset` must be
    // the start of a line. `resume_at`, when greater than `start_offset`, is an earlier result's
    // long_line_scanned_to for the line at `start_offset`: its scan resumes there.
    Result read(int fd, uint64_t start_offset, const LineCallback& on_line,
                const SkipCallback& on_skip = {}, uint64_t resume_at = 0);

    size_t max_line_bytes() const { return m_max_line_bytes; }

  private:
    size_t m_chunk_size;
    size_t m_max_line_bytes;
    std::vector<char> m_buffer;
};

}  // namespace ccmeter
