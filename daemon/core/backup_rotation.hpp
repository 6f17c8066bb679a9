// The names of backups and which of them to keep: `hookctl backup` without a path and the
// daemon's periodic backups name each copy by its UTC time, "usage-20261202T041500.123Z.db",
// so that names sort by time and rotation can tell its own files from anything else in the
// directory (which it never touches).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/error.hpp"

namespace ccmeter {

// Where `hookctl backup` puts a copy when given no path: <the database's directory>/backups.
std::filesystem::path default_backup_dir(const std::filesystem::path& database);

// "usage-YYYYMMDDTHHMMSS.mmmZ.db" of a UTC millisecond time.
std::string backup_file_name(int64_t at_ms);

// The time a backup's file name tells, or nullopt for a name not made by backup_file_name.
std::optional<int64_t> backup_time_ms(const std::filesystem::path& file);

// The backups in `dir` (regular files named by backup_file_name), oldest first; empty when the
// directory does not exist.
std::vector<std::filesystem::path> list_backups(const std::filesystem::path& dir);

// Deletes the oldest backups in `dir` until `keep` remain; returns those deleted.
Result<std::vector<std::filesystem::path>> rotate_backups(const std::filesystem::path& dir,
                                                          size_t keep);

}  // namespace ccmeter
