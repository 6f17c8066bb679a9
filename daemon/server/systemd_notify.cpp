#include "server/systemd_notify.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>

namespace ccmeter {

bool systemd_notify(std::string_view state) {
    const char* target = std::getenv("NOTIFY_SOCKET");
    if (!target || (target[0] != '/' && target[0] != '@'))
        return true;
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    const size_t length = std::strlen(target);
    if (length >= sizeof(address.sun_path))
        return false;
    std::memcpy(address.sun_path, target, length);
    if (address.sun_path[0] == '@')
        address.sun_path[0] = '\0';  // abstract namespace
    const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    const ssize_t sent = ::sendto(fd, state.data(), state.size(), MSG_NOSIGNAL,
                                  reinterpret_cast<const sockaddr*>(&address),
                                  static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + length));
    ::close(fd);
    return sent == static_cast<ssize_t>(state.size());
}

}  // namespace ccmeter
