#include "common/machine_identity.hpp"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <vector>

namespace ccmeter {

std::string machine_name() {
    if (const char* name = std::getenv("CCMETER_MACHINE"); name && *name)
        return name;
    char host[256] = {};
    if (::gethostname(host, sizeof host - 1) == 0 && host[0] != '\0')
        return host;
    return "unknown";
}

std::string user_name() {
    const uid_t uid = ::geteuid();
    passwd entry{};
    passwd* found = nullptr;
    std::vector<char> buffer(16 * 1024);
    if (::getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found) == 0 && found &&
        found->pw_name && *found->pw_name)
        return found->pw_name;
    return "uid" + std::to_string(uid);
}

}  // namespace ccmeter
