// The per-user daemon lock: an flock'd pid file (common/runtime_paths.hpp's pid_file_path()).
// `ccmeterd serve` holds it for its life, so one daemon runs per user; `ccmeterd restore` holds
// it while it replaces the database, so no daemon starts (or runs) meanwhile.
#pragma once

#include <cstdint>
#include <filesystem>

#include "common/error.hpp"

namespace ccmeter {

class PidLock {
  public:
    // Takes the lock on `path` without waiting. held() is false when another process has it
    // (holder_pid() then tells which, from the file, 0 if unknown). With `write_pid`, our pid
    // replaces the file's content.
    static Result<PidLock> try_lock(const std::filesystem::path& path, bool write_pid);

    PidLock(PidLock&& other) noexcept;
    PidLock& operator=(PidLock&& other) noexcept;
    PidLock(const PidLock&) = delete;
    ~PidLock();  // releases the lock

    bool held() const { return m_fd >= 0; }
    int64_t holder_pid() const { return m_holder_pid; }

  private:
    PidLock(int fd, int64_t holder_pid) : m_fd(fd), m_holder_pid(holder_pid) {}
    int m_fd = -1;
    int64_t m_holder_pid = 0;
};

}  // namespace ccmeter
