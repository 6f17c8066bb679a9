// The daemon's periodic backups: every `interval` a consistent copy of the database
// (core/database_backup) into `dir`, named by its time (core/backup_rotation), then the oldest
// deleted until `keep` remain. Off unless a directory is configured.
//
// Configuration (`ccmeterd serve` flags, else the environment; defaults here):
//   CCMETER_BACKUP_DIR       --backup-dir       where; unset or empty: no periodic backups
//   CCMETER_BACKUP_INTERVAL  --backup-interval  how often: "90s", "30m", "24h", "7d" or seconds;
//                                               default 24h
//   CCMETER_BACKUP_KEEP      --backup-keep      how many to keep (>= 1); default 7
// The first backup is due one interval after the newest one already in the directory (at once
// when there is none or it is older), so restarts neither skip nor repeat backups.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "common/error.hpp"

namespace ccmeter {

constexpr std::chrono::seconds k_default_backup_interval{24 * 3600};
constexpr size_t k_default_backup_keep = 7;

struct BackupScheduleOptions {
    std::filesystem::path database;
    std::filesystem::path dir;  // empty: off (the default)
    std::chrono::seconds interval = k_default_backup_interval;
    size_t keep = k_default_backup_keep;
};

// "90s", "30m", "24h", "7d" or a number of seconds; nullopt for anything else or zero.
std::optional<std::chrono::seconds> parse_backup_interval(std::string_view text);

// The schedule from CCMETER_BACKUP_DIR, CCMETER_BACKUP_INTERVAL and CCMETER_BACKUP_KEEP over
// `defaults`; an error names the variable that makes no sense.
Result<BackupScheduleOptions> backup_schedule_from_environment(BackupScheduleOptions defaults);

class BackupScheduler {
  public:
    BackupScheduler(BackupScheduleOptions options, std::function<void(const std::string&)> log);
    ~BackupScheduler();  // stops the thread
    BackupScheduler(const BackupScheduler&) = delete;
    BackupScheduler& operator=(const BackupScheduler&) = delete;

    void start();
    void stop();

  private:
    void run();
    void back_up_now();

    BackupScheduleOptions m_options;
    std::function<void(const std::string&)> m_log;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stopping = false;  // guarded by m_mutex
    std::thread m_thread;
};

}  // namespace ccmeter
