// Reads the complete lines that were appended to a file since a byte offset.
//
// Offsets are byte positions in the file. A line is complete when its '\n' has been written;
// the bytes after the last '\n' (a line Claude Code is still writing) are handed over as the
// "tail" and never counted as consumed, so a caller that stores only the offsets this reader
// returns never advances past an incomplete record.
//
// A LineReader is not thread-safe; use one per thread. Its buffer grows to the longest line seen
// and is reused across files.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace ccmeter {

class LineReader {
  public:
    // Called for each complete line, without its '\n'. `end_offset` is the offset just past the
    // '\n'. The view is valid only during the call. Return false to stop reading after it.
    using LineCallback = std::function<bool(std::string_view line, uint64_t end_offset)>;

    struct Result {
        uint64_t end_offset = 0;  // just past the last complete line handed over
        std::string_view tail;    // bytes after it up to EOF (valid until the next read)
        bool stopped = false;     // the callback returned false
        std::error_code error;    // a read error; lines before it were delivered
    };

    explicit LineReader(size_t chunk_size = 4u << 20);

    // Reads `fd` from `start_offset` up to the end of file as it is now. `start_offset` must be
    // the start of a line.
    Result read(int fd, uint64_t start_offset, const LineCallback& on_line);

  private:
    size_t m_chunk_size;
    std::vector<char> m_buffer;
};

}  // namespace ccmeter
