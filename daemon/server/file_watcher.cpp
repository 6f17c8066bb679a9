#include "server/file_watcher.hpp"

#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <system_error>

namespace ccmeter {

namespace fs = std::filesystem;

namespace {

constexpr uint32_t k_dir_events = IN_CREATE | IN_MOVED_TO | IN_MODIFY | IN_CLOSE_WRITE |
                                  IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR;

// " (fs.inotify.max_user_watches = 8192)": the smaller of the system's per-user limit and this
// user namespace's (user.max_inotify_*), with its sysctl name; "" when neither can be read.
std::string limit_text(const std::string& system_file, const std::string& namespace_file) {
    const std::string prefix = "/proc/sys/";
    std::string name;
    long long limit = -1;
    for (const std::string& file : {system_file, namespace_file}) {
        std::ifstream in(file);
        long long value = -1;
        if (in >> value && value >= 0 && (limit < 0 || value < limit)) {
            limit = value;
            name = file.substr(prefix.size());
            std::replace(name.begin(), name.end(), '/', '.');
        }
    }
    return limit < 0 ? "" : " (" + name + " = " + std::to_string(limit) + ")";
}

}  // namespace

FileWatcher::FileWatcher(boost::asio::io_context& io, std::vector<fs::path> config_dirs,
                         std::function<void(const fs::path&)> on_change,
                         std::function<void()> on_rescan)
    : m_io(io),
      m_config_dirs(std::move(config_dirs)),
      m_on_change(std::move(on_change)),
      m_on_rescan(std::move(on_rescan)),
      m_buffer(64 * 1024) {}

FileWatcher::~FileWatcher() {
    if (m_stream) {
        boost::system::error_code ignored;
        m_stream->close(ignored);  // closes m_fd
    } else if (m_fd >= 0) {
        ::close(m_fd);
    }
}

bool FileWatcher::start() {
    m_fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (m_fd < 0) {
        m_problem = errno == EMFILE ? "no inotify instance left for this user" +
                                          limit_text("/proc/sys/fs/inotify/max_user_instances",
                                                     "/proc/sys/user/max_inotify_instances")
                                    : std::string("inotify_init1: ") + std::strerror(errno);
        return false;
    }
    m_stream = std::make_unique<boost::asio::posix::stream_descriptor>(m_io, m_fd);
    refresh_roots();
    if (m_exhausted)
        return false;
    read_events();
    return true;
}

void FileWatcher::refresh_roots() {
    for (const fs::path& dir : m_config_dirs) {
        // Watch the config dir itself so that a projects/ created later is noticed, then the
        // whole projects/ tree.
        std::error_code ec;
        if (fs::is_directory(dir, ec))
            add_watch(dir);
        if (fs::is_directory(dir / "projects", ec))
            watch_tree(dir / "projects");
    }
}

bool FileWatcher::add_watch(const fs::path& dir) {
    for (const auto& [wd, path] : m_paths)
        if (path == dir)
            return true;
    const int wd = ::inotify_add_watch(m_fd, dir.c_str(), k_dir_events);
    if (wd < 0) {
        if (errno == ENOSPC && !m_exhausted) {
            m_exhausted = true;
            m_problem = "the inotify watch limit for this user is reached" +
                        limit_text("/proc/sys/fs/inotify/max_user_watches",
                                   "/proc/sys/user/max_inotify_watches") +
                        " with " + std::to_string(m_paths.size()) + " watches of ours; " +
                        dir.string() + " is not watched";
        }
        return false;
    }
    m_paths[wd] = dir;
    return true;
}

bool FileWatcher::watch_tree(const fs::path& dir) {
    if (!add_watch(dir))
        return false;
    std::error_code ec;
    for (fs::recursive_directory_iterator
             it(dir, fs::directory_options::skip_permission_denied, ec),
         end;
         !ec && it != end; it.increment(ec)) {
        std::error_code type_ec;
        if (it->is_directory(type_ec) && !it->is_symlink(type_ec))
            add_watch(it->path());
    }
    return !m_exhausted;
}

void FileWatcher::read_events() {
    m_stream->async_read_some(boost::asio::buffer(m_buffer),
                              [this](boost::system::error_code ec, size_t length) {
                                  if (ec)
                                      return;  // closed
                                  handle(m_buffer.data(), length);
                                  read_events();
                              });
}

void FileWatcher::handle(const char* buffer, size_t length) {
    size_t offset = 0;
    bool rescan = false;
    while (offset + sizeof(inotify_event) <= length) {
        const auto* event = reinterpret_cast<const inotify_event*>(buffer + offset);
        offset += sizeof(inotify_event) + event->len;
        if (event->mask & IN_Q_OVERFLOW) {
            rescan = true;
            continue;
        }
        auto dir = m_paths.find(event->wd);
        if (dir == m_paths.end())
            continue;
        if (event->mask & IN_IGNORED) {
            m_paths.erase(dir);
            continue;
        }
        if (event->len == 0)
            continue;
        const fs::path path = dir->second / event->name;
        const bool in_config_dir = std::find(m_config_dirs.begin(), m_config_dirs.end(),
                                             dir->second) != m_config_dirs.end();
        if (in_config_dir) {  // only projects/ matters there (history.jsonl is no transcript)
            if ((event->mask & IN_ISDIR) && path.filename() == "projects" &&
                (event->mask & (IN_CREATE | IN_MOVED_TO))) {
                watch_tree(path);
                rescan = true;
            }
            continue;
        }
        if (event->mask & IN_ISDIR) {
            if (event->mask & (IN_CREATE | IN_MOVED_TO)) {
                watch_tree(path);
                rescan = true;  // files may have appeared before the watch existed
            }
        } else if (path.extension() == ".jsonl") {
            m_on_change(path);
        }
    }
    if (rescan || m_exhausted)
        m_on_rescan();
}

}  // namespace ccmeter
