#include "core/backup_rotation.hpp"

#include <algorithm>
#include <system_error>

#include "common/iso_time.hpp"

namespace ccmeter {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view k_prefix = "usage-";
constexpr std::string_view k_suffix = "Z.db";

}  // namespace

fs::path default_backup_dir(const fs::path& database) {
    return (database.has_parent_path() ? database.parent_path() : fs::path(".")) / "backups";
}

std::string backup_file_name(int64_t at_ms) {
    // "2026-12-02T04:15:00.123Z" -> "20261202T041500.123"
    const std::string iso = format_timestamp_ms(at_ms);
    std::string compact;
    for (char c : iso.substr(0, iso.size() - 1))
        if (c != '-' && c != ':')
            compact.push_back(c);
    return std::string(k_prefix) + compact + std::string(k_suffix);
}

std::optional<int64_t> backup_time_ms(const fs::path& file) {
    const std::string name = file.filename().string();
    // usage- YYYYMMDD T HHMMSS . mmm Z.db
    if (name.size() != k_prefix.size() + 19 + k_suffix.size() || name.rfind(k_prefix, 0) != 0 ||
        name.compare(name.size() - k_suffix.size(), k_suffix.size(), k_suffix) != 0)
        return std::nullopt;
    const std::string c = name.substr(k_prefix.size(), 19);
    const std::string iso = c.substr(0, 4) + "-" + c.substr(4, 2) + "-" + c.substr(6, 2) + "T" +
                            c.substr(9, 2) + ":" + c.substr(11, 2) + ":" + c.substr(13, 2) +
                            c.substr(15, 4) + "Z";
    if (c[8] != 'T' || c[15] != '.')
        return std::nullopt;
    std::optional<int64_t> at = parse_timestamp_ms(iso);
    if (!at || backup_file_name(*at) != name)
        return std::nullopt;
    return at;
}

std::vector<fs::path> list_backups(const fs::path& dir) {
    std::vector<std::pair<int64_t, fs::path>> found;
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        std::error_code type_ec;
        if (!it->is_regular_file(type_ec) || it->is_symlink(type_ec))
            continue;
        if (std::optional<int64_t> at = backup_time_ms(it->path()))
            found.emplace_back(*at, it->path());
    }
    std::sort(found.begin(), found.end());
    std::vector<fs::path> backups;
    for (auto& entry : found)
        backups.push_back(std::move(entry.second));
    return backups;
}

Result<std::vector<fs::path>> rotate_backups(const fs::path& dir, size_t keep) {
    std::vector<fs::path> backups = list_backups(dir);
    std::vector<fs::path> deleted;
    for (size_t i = 0; i + keep < backups.size(); ++i) {
        std::error_code ec;
        if (!fs::remove(backups[i], ec) && ec)
            return Error{"cannot delete the old backup " + backups[i].string() + ": " +
                         ec.message()};
        deleted.push_back(backups[i]);
    }
    return deleted;
}

}  // namespace ccmeter
