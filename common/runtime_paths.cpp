#include "common/runtime_paths.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

namespace ccmeter {

namespace fs = std::filesystem;

fs::path runtime_dir() {
    if (const char* dir = std::getenv("CCMETER_RUNTIME_DIR"); dir && *dir)
        return dir;
    if (const char* xdg = std::getenv("XDG_RUNTIME_DIR"); xdg && *xdg)
        return fs::path(xdg) / "ccmeter";
    return fs::path("/tmp") / ("ccmeter-" + std::to_string(::getuid()));
}

fs::path socket_path() {
    return runtime_dir() / "ccmeterd.sock";
}
fs::path pid_file_path() {
    return runtime_dir() / "ccmeterd.pid";
}
fs::path web_url_path() {
    return runtime_dir() / "web.url";
}

Result<void> ensure_private_dir(const fs::path& dir) {
    std::error_code ec;
    if (dir.has_parent_path())
        fs::create_directories(dir.parent_path(), ec);
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
        return Error{"cannot create " + dir.string() + ": " + std::strerror(errno)};
    struct stat info {};
    if (::lstat(dir.c_str(), &info) != 0)
        return Error{"cannot stat " + dir.string() + ": " + std::strerror(errno)};
    if (!S_ISDIR(info.st_mode))
        return Error{dir.string() + " is not a directory (a symlink?); refusing to use it"};
    if (info.st_uid != ::getuid())
        return Error{dir.string() + " belongs to another user; refusing to use it"};
    if ((info.st_mode & 0777) != 0700 && ::chmod(dir.c_str(), 0700) != 0)
        return Error{"cannot make " + dir.string() + " private: " + std::strerror(errno)};
    return {};
}

bool is_private_socket(const fs::path& path) {
    struct stat info {};
    return ::lstat(path.c_str(), &info) == 0 && S_ISSOCK(info.st_mode) &&
           info.st_uid == ::getuid() && (info.st_mode & 0077) == 0;
}

}  // namespace ccmeter
