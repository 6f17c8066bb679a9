#include "daemon_spawner.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <system_error>

#include "common/runtime_paths.hpp"

namespace ccmeter {

namespace fs = std::filesystem;

fs::path find_daemon_binary() {
    std::error_code ec;
    const fs::path self = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        const fs::path sibling = self.parent_path() / "ccmeterd";
        if (::access(sibling.c_str(), X_OK) == 0)
            return sibling;
        // Build tree layout: build/hookctl/hookctl next to build/daemon/ccmeterd.
        const fs::path built = self.parent_path().parent_path() / "daemon" / "ccmeterd";
        if (::access(built.c_str(), X_OK) == 0)
            return built;
    }
    return "ccmeterd";
}

bool spawn_daemon() {
    if (const char* no_spawn = std::getenv("CCMETER_NO_SPAWN"); no_spawn && *no_spawn == '1')
        return false;
    const fs::path dir = runtime_dir();
    if (!ensure_private_dir(dir))
        return false;
    const fs::path lock_path = dir / "spawn.lock";
    const int lock = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (lock < 0)
        return false;
    if (::flock(lock, LOCK_EX | LOCK_NB) != 0) {  // another hook is starting it right now
        ::close(lock);
        return true;
    }
    const fs::path binary = find_daemon_binary();
    const fs::path log = dir / "ccmeterd.log";
    const pid_t child = ::fork();
    if (child < 0) {
        ::close(lock);
        return false;
    }
    if (child == 0) {
        ::setsid();
        if (::fork() != 0)
            ::_exit(0);
        // The grandchild: keeps the lock until the daemon has taken its own pid-file lock
        // (the descriptor closes on exec: the daemon's flock on the pid file takes over).
        const int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
        const int err = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        if (null >= 0) {
            ::dup2(null, 0);
            ::dup2(null, 1);
        }
        if (err >= 0)
            ::dup2(err, 2);
        for (int fd = 3; fd < 1024; ++fd)
            ::close(fd);
        ::execlp(binary.c_str(), binary.c_str(), "serve", static_cast<char*>(nullptr));
        ::_exit(127);
    }
    ::waitpid(child, nullptr, 0);  // the intermediate child exits at once
    ::close(lock);
    return true;
}

}  // namespace ccmeter
