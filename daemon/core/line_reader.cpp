#include "core/line_reader.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace ccmeter {

LineReader::LineReader(size_t chunk_size, size_t max_line_bytes)
    : m_chunk_size(std::max<size_t>(chunk_size, 1)), m_max_line_bytes(max_line_bytes) {}

LineReader::Result LineReader::read(int fd, uint64_t start_offset, const LineCallback& on_line,
                                    const SkipCallback& on_skip, uint64_t resume_at) {
    Result result;
    result.end_offset = start_offset;
    if (m_buffer.size() > m_chunk_size) {  // grown by a long line of an earlier read
        m_buffer.resize(m_chunk_size);
        m_buffer.shrink_to_fit();
    }
    if (m_buffer.size() < m_chunk_size)
        m_buffer.resize(m_chunk_size);

    // Hands over (or skips) one complete line; false when a callback asked to stop.
    auto deliver = [&](const char* line, size_t length) {
        const uint64_t line_start = result.end_offset;
        result.end_offset += length + 1;
        const bool go_on = length > m_max_line_bytes
                               ? (!on_skip || on_skip(line_start, result.end_offset))
                               : on_line(std::string_view(line, length), result.end_offset);
        result.stopped = !go_on;
        return go_on;
    };

    bool skipping = resume_at > start_offset;  // inside an over-long line; nothing kept
    uint64_t file_offset = skipping ? resume_at : start_offset;
    size_t kept = 0;  // bytes of an unfinished line at the front of the buffer
    for (;;) {
        if (kept == m_buffer.size())  // a long line, at most m_max_line_bytes so far
            m_buffer.resize(std::min(m_buffer.size() * 2, m_max_line_bytes + m_chunk_size));
        ssize_t got = ::pread(fd, m_buffer.data() + kept, m_buffer.size() - kept,
                              static_cast<off_t>(file_offset));
        if (got < 0) {
            if (errno == EINTR)
                continue;
            result.error = std::error_code(errno, std::generic_category());
            break;
        }
        if (got == 0)
            break;
        const uint64_t read_at = file_offset;  // the file offset of m_buffer[kept]
        file_offset += static_cast<uint64_t>(got);
        const char* begin = m_buffer.data();
        const char* end = begin + kept + static_cast<size_t>(got);
        const char* line = begin;
        if (skipping) {
            const char* newline =
                static_cast<const char*>(std::memchr(begin, '\n', static_cast<size_t>(got)));
            if (!newline)
                continue;  // still inside it
            skipping = false;
            const uint64_t line_start = result.end_offset;
            result.end_offset = read_at + static_cast<uint64_t>(newline + 1 - begin);
            if (on_skip && !on_skip(line_start, result.end_offset)) {
                result.stopped = true;
                return result;
            }
            line = newline + 1;
        }
        for (;;) {
            const char* newline =
                static_cast<const char*>(std::memchr(line, '\n', static_cast<size_t>(end - line)));
            if (!newline)
                break;
            if (!deliver(line, static_cast<size_t>(newline - line)))
                return result;
            line = newline + 1;
        }
        kept = static_cast<size_t>(end - line);
        if (kept > m_max_line_bytes) {  // over the limit without its '\n': stop keeping it
            skipping = true;
            kept = 0;
        } else if (kept > 0 && line != begin) {
            std::memmove(m_buffer.data(), line, kept);
        }
    }
    if (skipping) {
        result.long_line_scanned_to = file_offset;
        kept = 0;
    }
    result.tail = std::string_view(m_buffer.data(), kept);
    return result;
}

}  // namespace ccmeter
