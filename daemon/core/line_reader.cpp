#include "core/line_reader.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ccmeter {

LineReader::LineReader(size_t chunk_size) : m_chunk_size(chunk_size) {}

LineReader::Result LineReader::read(int fd, uint64_t start_offset, const LineCallback& on_line) {
    Result result;
    result.end_offset = start_offset;
    if (m_buffer.size() < m_chunk_size)
        m_buffer.resize(m_chunk_size);

    size_t kept = 0;  // bytes of an unfinished line at the front of the buffer
    uint64_t file_offset = start_offset;
    for (;;) {
        if (kept == m_buffer.size())
            m_buffer.resize(m_buffer.size() * 2);  // a very long line
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
        file_offset += static_cast<uint64_t>(got);
        const char* begin = m_buffer.data();
        const char* end = begin + kept + static_cast<size_t>(got);
        const char* line = begin;
        for (;;) {
            const char* newline =
                static_cast<const char*>(std::memchr(line, '\n', static_cast<size_t>(end - line)));
            if (!newline)
                break;
            result.end_offset += static_cast<uint64_t>(newline + 1 - line);
            if (!on_line(std::string_view(line, static_cast<size_t>(newline - line)),
                         result.end_offset)) {
                result.stopped = true;
                return result;
            }
            line = newline + 1;
        }
        kept = static_cast<size_t>(end - line);
        if (kept > 0 && line != begin)
            std::memmove(m_buffer.data(), line, kept);
    }
    result.tail = std::string_view(m_buffer.data(), kept);
    return result;
}

}  // namespace ccmeter
