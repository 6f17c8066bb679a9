#include "core/ingest_engine.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/config_dirs.hpp"

namespace ccmeter {

namespace fs = std::filesystem;

namespace {

class FileDescriptor {
  public:
    explicit FileDescriptor(int fd) : m_fd(fd) {}
    ~FileDescriptor() {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;
    int get() const { return m_fd; }

  private:
    int m_fd;
};

// The up to k_tail_check_bytes bytes that end at `offset`, or nullopt on a read error.
std::optional<std::string> read_tail(int fd, uint64_t offset) {
    const size_t length = static_cast<size_t>(std::min<uint64_t>(offset, k_tail_check_bytes));
    std::string bytes(length, '\0');
    size_t done = 0;
    while (done < length) {
        ssize_t got = ::pread(fd, bytes.data() + done, length - done,
                              static_cast<off_t>(offset - length + done));
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return std::nullopt;
        done += static_cast<size_t>(got);
    }
    return bytes;
}

// What a run will read at most: the bytes past each known offset (all of a new file).
int64_t unread_bytes(const std::vector<fs::path>& files,
                     const std::unordered_map<std::string, FileState>& known) {
    int64_t total = 0;
    for (const fs::path& file : files) {
        struct stat info {};
        if (::stat(file.c_str(), &info) != 0)
            continue;
        const auto state = known.find(file.string());
        const uint64_t size = static_cast<uint64_t>(info.st_size);
        const uint64_t offset =
            state == known.end() || state->second.offset > size ? 0 : state->second.offset;
        total += static_cast<int64_t>(size - offset);
    }
    return total;
}

// What a non-regular file is, for the log.
std::string file_type_name(mode_t mode) {
    const char* what = "something else";
    if (S_ISFIFO(mode))
        what = "a FIFO";
    else if (S_ISCHR(mode))
        what = "a character device";
    else if (S_ISBLK(mode))
        what = "a block device";
    else if (S_ISSOCK(mode))
        what = "a socket";
    else if (S_ISDIR(mode))
        what = "a directory";
    return std::string(what) + ", not a regular file";
}

}  // namespace

IngestEngine::IngestEngine(UsageStore& store, IngestOptions options)
    : m_store(store),
      m_options(std::move(options)),
      m_reader(k_default_read_chunk, m_options.max_line_bytes) {}

void IngestEngine::log(const std::string& message) const {
    if (m_options.log)
        m_options.log(message);
}

void IngestEngine::refuse(const fs::path& path, const std::string& why, IngestStats& stats) {
    ++stats.refused_files;
    if (!m_refused_paths.insert(path.string()).second)
        return;  // logged already
    log("refused " + path.string() + ": " + why + "; skipped (" +
        std::to_string(m_refused_paths.size()) + " refused so far)");
}

Result<IngestStats> IngestEngine::ingest_dirs(const std::vector<fs::path>& config_dirs) {
    std::vector<fs::path> files;
    for (const fs::path& dir : config_dirs) {
        std::vector<fs::path> found = find_transcripts(dir);
        files.insert(files.end(), found.begin(), found.end());
    }
    return ingest_files(files);
}

Result<IngestStats> IngestEngine::ingest_files(const std::vector<fs::path>& files) {
    IngestStats stats;
    std::unordered_map<std::string, FileState> known;
    if (files.size() > 16) {
        Result<std::unordered_map<std::string, FileState>> states = m_store.file_states();
        if (!states)
            return states.error();
        known.swap(*states);
    } else {
        for (const fs::path& file : files) {
            Result<std::optional<FileState>> state = m_store.file_state(file.string());
            if (!state)
                return state.error();
            if (*state)
                known.emplace(file.string(), std::move(**state));
        }
    }
    m_batch.clear();
    Result<void> outcome;
    int64_t total_bytes = 0;
    if (m_options.progress)
        total_bytes = unread_bytes(files, known);
    for (const fs::path& file : files) {
        outcome = ingest_file(file, known, stats);
        if (!outcome)
            break;
        if (m_options.progress)
            m_options.progress(stats.bytes_read, total_bytes);
    }
    if (outcome)
        outcome = flush();
    if (m_writer) {  // started by the first flush; until finish() only it uses m_store
        Result<void> finished = m_writer->finish();
        if (outcome)
            outcome = finished;
        stats.commits = m_writer->commits();
        m_writer.reset();
    }
    m_batch.clear();
    if (!outcome)
        return outcome.error();
    return stats;
}

Result<void> IngestEngine::flush() {
    if (m_batch.empty())
        return {};
    if (!m_writer)
        m_writer = std::make_unique<BatchWriter>(m_store);
    Result<void> submitted = m_writer->submit(std::move(m_batch));
    m_batch.clear();
    return submitted;
}

Result<void> IngestEngine::ingest_file(const fs::path& path,
                                       const std::unordered_map<std::string, FileState>& known,
                                       IngestStats& stats) {
    ++stats.files_seen;
    FileState state;
    const auto stored = known.find(path.string());
    const bool seen_before = stored != known.end();
    if (seen_before)
        state = stored->second;
    // Only regular files are read: opening a FIFO would block this thread until a writer
    // appears, and a device may never end. stat() follows symlinks (a link to a transcript is
    // fine); a loop fails with ELOOP.
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0) {
        if (errno != ENOENT)
            refuse(path, std::string("cannot stat it: ") + std::strerror(errno), stats);
        return {};
    }
    if (!S_ISREG(info.st_mode)) {
        refuse(path, file_type_name(info.st_mode), stats);
        return {};
    }
    if (seen_before && state.device == static_cast<uint64_t>(info.st_dev) &&
        state.inode == static_cast<uint64_t>(info.st_ino) &&
        static_cast<uint64_t>(info.st_size) == state.offset)
        return {};  // nothing new: no need to open it

    // O_NONBLOCK: should the path have been replaced by a FIFO since stat(), open() still
    // returns at once; fstat() then refuses it. O_NOCTTY: never adopt a terminal.
    FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
    if (fd.get() < 0) {
        if (errno != ENOENT)
            log("cannot open " + path.string() + ": " + std::strerror(errno));
        return {};
    }
    if (::fstat(fd.get(), &info) != 0)
        return {};
    if (!S_ISREG(info.st_mode)) {
        refuse(path, file_type_name(info.st_mode), stats);
        return {};
    }
    if (const int flags = ::fcntl(fd.get(), F_GETFL); flags >= 0)
        ::fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK);
    const uint64_t size = static_cast<uint64_t>(info.st_size);
    const bool same_file = seen_before && state.device == static_cast<uint64_t>(info.st_dev) &&
                           state.inode == static_cast<uint64_t>(info.st_ino);
    if (same_file && size == state.offset)
        return {};  // nothing new
    bool reset = seen_before && (!same_file || size < state.offset);
    if (!reset && same_file && state.offset > 0) {
        std::optional<std::string> tail = read_tail(fd.get(), state.offset);
        reset = !tail || *tail != state.tail;
    }
    if (reset) {
        log(path.string() + " was replaced, truncated or rewritten; reading it again");
        ++stats.files_reset;
        ++state.generation;
        state.offset = 0;
        state.malformed_lines = 0;
    }
    state.path = path.string();
    state.device = static_cast<uint64_t>(info.st_dev);
    state.inode = static_cast<uint64_t>(info.st_ino);
    ++stats.files_read;

    const uint64_t start = state.offset;
    uint64_t resume_at = 0;  // where the scan of a known over-long line goes on
    if (auto long_line = m_long_lines.find(state.path); long_line != m_long_lines.end()) {
        const LongLine& known_line = long_line->second;
        if (known_line.device == state.device && known_line.inode == state.inode &&
            known_line.start == start && known_line.scanned_to <= size)
            resume_at = known_line.scanned_to;
        else
            m_long_lines.erase(long_line);
    }
    auto handle_line = [&](std::string_view line, uint64_t end_offset) {
        ++stats.lines;
        switch (m_parser.parse(line, m_usage, m_turn)) {
            case LineKind::usage:
                ++stats.usage_lines;
                m_batch.add_response(m_usage);
                break;
            case LineKind::turn_start:
                ++stats.turn_starts;
                m_batch.add_turn(m_turn);
                break;
            case LineKind::cost_state:
                ++stats.cost_states;
                m_batch.add_cost_state(m_parser.cost_state());
                break;
            case LineKind::malformed:
                ++stats.malformed_lines;
                if (state.malformed_lines++ == 0)
                    log(path.string() + ": malformed line ending at byte " +
                        std::to_string(end_offset) + " skipped (further ones are only counted)");
                break;
            case LineKind::out_of_range:  // skipped like a malformed line, counted apart
                ++stats.out_of_range_lines;
                if (state.malformed_lines++ == 0)
                    log(path.string() +
                        ": response with an impossible token count ending at byte " +
                        std::to_string(end_offset) +
                        " skipped (further bad lines are only counted)");
                break;
            case LineKind::ignored:
                break;
        }
        if (!m_parser.tool_uses().empty() || !m_parser.tool_results().empty())
            m_batch.add_tools(m_parser.tool_uses(), m_parser.tool_results());
        state.offset = end_offset;
    };

    Result<void> flushed;
    auto flush_when_full = [&] {
        if (m_batch.lines() + m_batch.turns().size() < m_options.batch_lines)
            return true;
        std::optional<std::string> tail = read_tail(fd.get(), state.offset);
        if (!tail)
            return true;  // retry at the next line
        state.tail = std::move(*tail);
        m_batch.set_file(state);
        flushed = flush();
        return static_cast<bool>(flushed);
    };
    auto skip_long_line = [&](uint64_t line_start, uint64_t end_offset) {
        ++stats.long_lines;
        ++stats.malformed_lines;
        ++state.malformed_lines;
        log(path.string() + ": line of " + std::to_string(end_offset - 1 - line_start) +
            " bytes from byte " + std::to_string(line_start) + " is over the " +
            std::to_string(m_reader.max_line_bytes()) + "-byte line limit; skipped");
        state.offset = end_offset;
        return flush_when_full();
    };
    LineReader::Result read = m_reader.read(
        fd.get(), start,
        [&](std::string_view line, uint64_t end_offset) {
            handle_line(line, end_offset);
            return flush_when_full();
        },
        skip_long_line, resume_at);
    if (!flushed)
        return flushed;
    if (read.long_line_scanned_to > 0) {
        if (m_long_lines.find(state.path) == m_long_lines.end())
            log(path.string() + ": the line from byte " + std::to_string(read.end_offset) +
                " is over the " + std::to_string(m_reader.max_line_bytes()) +
                "-byte line limit and still without its newline; it will be skipped (only new "
                "bytes are scanned)");
        m_long_lines[state.path] =
            LongLine{state.device, state.inode, read.end_offset, read.long_line_scanned_to};
    } else {
        m_long_lines.erase(state.path);
    }
    if (read.error)
        log("cannot read " + path.string() + ": " + read.error.message() +
            "; will retry from byte " + std::to_string(read.end_offset));
    // A last line without '\n' is consumed only once it is a whole JSON object: it cannot grow.
    if (!read.error && !read.tail.empty() && m_parser.is_complete_object(read.tail))
        handle_line(read.tail, read.end_offset + read.tail.size());
    stats.bytes_read += static_cast<int64_t>(state.offset - start);
    std::optional<std::string> tail = read_tail(fd.get(), state.offset);
    if (!tail)
        return {};  // leave the stored state as it was; the next run retries
    state.tail = std::move(*tail);
    m_batch.set_file(state);
    return {};
}

}  // namespace ccmeter
