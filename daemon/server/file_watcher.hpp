// Tells which transcripts changed, using inotify on every directory below each config dir's
// projects/ (new directories are watched as they appear).
//
// Runs on the io_context it is given; its callbacks run there too. When inotify is unavailable
// (no instance left: fs.inotify.max_user_instances) or its watch limit is reached
// (fs.inotify.max_user_watches), start() returns false and the owner polls instead; when the
// limit is reached later (a new directory), exhausted() turns true, on_rescan is called, and the
// owner is expected to drop the watcher and poll. problem() then says why, in words.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <filesystem>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

namespace ccmeter {

class FileWatcher {
  public:
    // `on_change`: a transcript (*.jsonl) was written, created or moved in.
    // `on_rescan`: events may have been lost (queue overflow, a new directory): rescan all.
    FileWatcher(boost::asio::io_context& io, std::vector<std::filesystem::path> config_dirs,
                std::function<void(const std::filesystem::path&)> on_change,
                std::function<void()> on_rescan);
    ~FileWatcher();
    FileWatcher(const FileWatcher&) = delete;
    FileWatcher& operator=(const FileWatcher&) = delete;

    // Sets up the watches. False when inotify cannot be used (the caller polls).
    bool start();
    // Watches roots that did not exist at start() but do now; cheap, called periodically.
    void refresh_roots();
    size_t watch_count() const { return m_paths.size(); }
    // A watch was refused for lack of watches: some directory is not watched.
    bool exhausted() const { return m_exhausted; }
    // Why inotify cannot be used (after start() returned false, or once exhausted()).
    const std::string& problem() const { return m_problem; }

  private:
    bool watch_tree(const std::filesystem::path& dir);
    bool add_watch(const std::filesystem::path& dir);
    void read_events();
    void handle(const char* buffer, size_t length);

    boost::asio::io_context& m_io;
    std::vector<std::filesystem::path> m_config_dirs;
    std::function<void(const std::filesystem::path&)> m_on_change;
    std::function<void()> m_on_rescan;
    int m_fd = -1;
    std::unique_ptr<boost::asio::posix::stream_descriptor> m_stream;
    std::unordered_map<int, std::filesystem::path> m_paths;  // watch descriptor -> directory
    std::vector<char> m_buffer;
    bool m_exhausted = false;
    std::string m_problem;
};

}  // namespace ccmeter
