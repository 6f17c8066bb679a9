#include "common/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "common/unique_fd.hpp"

namespace ccmeter {

namespace fs = std::filesystem;

namespace {

Error failure(const fs::path& path, std::string_view what, int error_number) {
    return Error{path.string() + ": " + std::string(what) + ": " + std::strerror(error_number)};
}

Result<void> sync_directory(const fs::path& dir) {
    UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd)
        return failure(dir, "cannot open the directory", errno);
    // Some file systems cannot sync a directory (EINVAL): the rename is then as durable as
    // they make it.
    if (::fsync(fd.get()) != 0 && errno != EINVAL)
        return failure(dir, "fsync failed", errno);
    return {};
}

}  // namespace

Result<void> ensure_private_directory(const fs::path& dir) {
    std::error_code ec;
    if (fs::is_directory(dir, ec))
        return {};
    const bool created = fs::create_directories(dir, ec);
    if (ec)
        return Error{dir.string() + ": cannot create the directory: " + ec.message()};
    if (created)
        fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
    return {};
}

Result<void> write_all_and_sync(int fd, std::string_view text, const fs::path& name) {
    while (!text.empty()) {
        const ssize_t written = ::write(fd, text.data(), text.size());
        if (written < 0) {
            if (errno == EINTR)
                continue;
            return failure(name, "write failed", errno);
        }
        text.remove_prefix(static_cast<size_t>(written));
    }
    if (::fsync(fd) != 0)
        return failure(name, "fsync failed", errno);
    return {};
}

Result<void> write_file_atomically(const fs::path& target, std::string_view text, mode_t mode) {
    fs::path dir = target.parent_path();
    if (dir.empty())
        dir = ".";
    if (Result<void> made = ensure_private_directory(dir); !made)
        return made.error();
    std::string temp_name = (dir / ("." + target.filename().string() + ".ccmeter-XXXXXX")).string();
    UniqueFd fd(::mkostemp(temp_name.data(), O_CLOEXEC));  // created 0600, O_EXCL
    if (!fd)
        return failure(dir, "cannot create a temporary file", errno);
    const fs::path temp_path = temp_name;
    Result<void> written = ::fchmod(fd.get(), mode) == 0
                               ? write_all_and_sync(fd.get(), text, temp_path)
                               : Result<void>(failure(temp_path, "chmod failed", errno));
    if (!fd.close() && written)
        written = failure(temp_path, "close failed", errno);
    if (written && ::rename(temp_path.c_str(), target.c_str()) != 0)
        written = failure(target, "rename failed", errno);
    if (!written) {
        ::unlink(temp_path.c_str());
        return written;
    }
    return sync_directory(dir);
}

}  // namespace ccmeter
