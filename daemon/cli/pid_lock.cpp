#include "cli/pid_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

namespace ccmeter {

Result<PidLock> PidLock::try_lock(const std::filesystem::path& path, bool write_pid) {
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return Error{"cannot open " + path.string() + ": " + std::strerror(errno)};
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        char text[32] = {};
        const ssize_t got = ::pread(fd, text, sizeof text - 1, 0);
        ::close(fd);
        int64_t pid = 0;
        if (got > 0)
            pid = std::strtoll(text, nullptr, 10);
        return PidLock(-1, pid);
    }
    if (write_pid) {
        // The pid is for people and scripts; the lock alone is what counts.
        const std::string pid = std::to_string(::getpid()) + "\n";
        if (::ftruncate(fd, 0) == 0)
            (void)!::pwrite(fd, pid.data(), pid.size(), 0);
    }
    return PidLock(fd, 0);
}

PidLock::PidLock(PidLock&& other) noexcept : m_fd(other.m_fd), m_holder_pid(other.m_holder_pid) {
    other.m_fd = -1;
}

PidLock& PidLock::operator=(PidLock&& other) noexcept {
    if (this != &other) {
        if (m_fd >= 0)
            ::close(m_fd);
        m_fd = other.m_fd;
        m_holder_pid = other.m_holder_pid;
        other.m_fd = -1;
    }
    return *this;
}

PidLock::~PidLock() {
    if (m_fd >= 0)
        ::close(m_fd);
}

}  // namespace ccmeter
