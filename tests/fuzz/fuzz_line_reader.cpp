// LineReader over a file that grows in random pieces, read after random appends with random
// chunk sizes, line limits, callback stops and restarts (a fresh reader, no resume point).
// Invariants (line_reader.hpp): the lines handed over are exactly the buffer's '\n'-terminated
// lines, each once and in order, whatever the chunking; a line over max_line_bytes is skipped
// with its exact start and end offsets instead; the tail is the bytes after the last '\n'
// (or, past the limit, empty with long_line_scanned_to at EOF), and never longer than the
// limit: what the reader hands over is bounded by max_line_bytes whatever the input.
#include <sys/mman.h>
#include <unistd.h>

#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/line_reader.hpp"
#include "fuzz_check.hpp"

namespace {

using ccmeter::fuzz::check;

// One line handed over (skipped == false) or skipped, as a caller sees it.
struct LineEvent {
    bool skipped = false;
    std::string text;  // handed-over lines only
    uint64_t start_offset = 0;
    uint64_t end_offset = 0;
    bool operator==(const LineEvent&) const = default;
};

std::vector<LineEvent> expected_events(const std::string& file, size_t max_line_bytes) {
    std::vector<LineEvent> events;
    size_t start = 0;
    for (size_t newline = file.find('\n'); newline != std::string::npos;
         newline = file.find('\n', start)) {
        const size_t length = newline - start;
        LineEvent event{length > max_line_bytes, "", start, newline + 1};
        if (!event.skipped)
            event.text = file.substr(start, length);
        events.push_back(event);
        start = newline + 1;
    }
    return events;
}

// The file descriptor of an anonymous in-memory file, closed on scope exit.
class MemoryFile {
  public:
    MemoryFile() : m_fd(memfd_create("fuzz_line_reader", 0)) { check(m_fd >= 0, "memfd_create"); }
    ~MemoryFile() { ::close(m_fd); }
    MemoryFile(const MemoryFile&) = delete;
    MemoryFile& operator=(const MemoryFile&) = delete;
    int fd() const { return m_fd; }

  private:
    int m_fd;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    FuzzedDataProvider input(data, size);
    const size_t chunk_size = input.ConsumeIntegralInRange<size_t>(1, 64);
    const size_t max_line_bytes = input.ConsumeIntegralInRange<size_t>(0, 128);
    auto reader = std::make_unique<ccmeter::LineReader>(chunk_size, max_line_bytes);
    MemoryFile file;
    std::string written;
    std::vector<LineEvent> seen;
    uint64_t offset = 0;     // the start of the next line, as a caller stores it
    uint64_t resume_at = 0;  // an earlier read's long_line_scanned_to for that line
    ccmeter::LineReader::Result last;

    auto read_once = [&](int stop_after) {
        int delivered = 0;
        auto on_line = [&](std::string_view line, uint64_t end_offset) {
            seen.push_back({false, std::string(line), end_offset - line.size() - 1, end_offset});
            return ++delivered != stop_after;
        };
        auto on_skip = [&](uint64_t start_offset, uint64_t end_offset) {
            seen.push_back({true, "", start_offset, end_offset});
            return ++delivered != stop_after;
        };
        last = reader->read(file.fd(), offset, on_line, on_skip, resume_at);
        check(!last.error, "no read error");
        check(last.end_offset >= offset, "the offset never moves back");
        check(last.tail.size() <= max_line_bytes, "the tail is within max_line_bytes");
        resume_at = last.long_line_scanned_to;  // about the line at the new offset
        offset = last.end_offset;
    };

    while (input.remaining_bytes() > 0) {
        const std::string piece = input.ConsumeRandomLengthString(256);
        check(::pwrite(file.fd(), piece.data(), piece.size(), static_cast<off_t>(written.size())) ==
                  static_cast<ssize_t>(piece.size()),
              "pwrite");
        written += piece;
        const uint8_t action = input.ConsumeIntegral<uint8_t>();
        if (action & 1)
            read_once(action >> 5);  // 0: never stop; 1-7: stop after that many lines
        if (action & 2) {            // a restart: a new reader, the scan begins again
            reader = std::make_unique<ccmeter::LineReader>(chunk_size, max_line_bytes);
            resume_at = 0;
        }
    }
    do
        read_once(0);
    while (last.stopped);

    check(seen == expected_events(written, max_line_bytes),
          "the lines seen are the file's lines, each once, in order");
    const size_t last_newline = written.rfind('\n');
    const size_t tail_start = last_newline == std::string::npos ? 0 : last_newline + 1;
    check(last.end_offset == tail_start, "everything up to the last newline is consumed");
    const std::string tail = written.substr(tail_start);
    if (tail.size() > max_line_bytes) {
        check(last.tail.empty() && last.long_line_scanned_to == written.size(),
              "an over-long unfinished line is scanned to EOF, not kept");
    } else {
        check(last.tail == tail && last.long_line_scanned_to == 0,
              "the tail is the unfinished line");
    }
    return 0;
}
