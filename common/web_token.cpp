#include "common/web_token.hpp"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/atomic_file.hpp"
#include "common/runtime_paths.hpp"

namespace ccmeter {

namespace fs = std::filesystem;

namespace {

bool is_token(std::string_view text) {
    return text.size() == k_web_token_length &&
           text.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

}  // namespace

fs::path web_token_path() {
    return runtime_dir() / "web.token";
}

std::optional<std::string> read_web_token(const fs::path& file) {
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0)
        return std::nullopt;
    struct stat info {};
    char buffer[k_web_token_length + 2] = {};
    ssize_t got = -1;
    if (::fstat(fd, &info) == 0 && S_ISREG(info.st_mode) && info.st_uid == ::geteuid() &&
        (info.st_mode & 077) == 0)
        got = ::read(fd, buffer, sizeof(buffer));
    ::close(fd);
    if (got <= 0)
        return std::nullopt;
    std::string_view text(buffer, static_cast<size_t>(got));
    if (!text.empty() && text.back() == '\n')
        text.remove_suffix(1);
    if (!is_token(text))
        return std::nullopt;
    return std::string(text);
}

Result<std::string> load_or_create_web_token(const fs::path& file) {
    if (std::optional<std::string> existing = read_web_token(file))
        return Result<std::string>(boost::system::in_place_value, *existing);
    unsigned char random[k_web_token_length / 2];
    size_t filled = 0;
    while (filled < sizeof(random)) {
        const ssize_t got = ::getrandom(random + filled, sizeof(random) - filled, 0);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return Error{std::string("cannot get random bytes: ") + std::strerror(errno)};
        filled += static_cast<size_t>(got);
    }
    static constexpr char k_hex[] = "0123456789abcdef";
    std::string token;
    for (unsigned char byte : random) {
        token.push_back(k_hex[byte >> 4]);
        token.push_back(k_hex[byte & 15]);
    }
    CCMETER_TRY(write_file_atomically(file, token + "\n", 0600));
    return Result<std::string>(boost::system::in_place_value, std::move(token));
}

bool web_token_equals(std::string_view a, std::string_view b) {
    if (a.size() != b.size())
        return false;
    unsigned char difference = 0;
    for (size_t i = 0; i < a.size(); ++i)
        difference |= static_cast<unsigned char>(a[i] ^ b[i]);
    return difference == 0;
}

}  // namespace ccmeter
