#include "server/backup_scheduler.hpp"

#include <charconv>
#include <cstdlib>

#include "common/clock.hpp"
#include "core/backup_rotation.hpp"
#include "core/database_backup.hpp"

namespace ccmeter {

namespace fs = std::filesystem;

std::optional<std::chrono::seconds> parse_backup_interval(std::string_view text) {
    int64_t unit = 1;
    if (!text.empty()) {
        switch (text.back()) {
            case 's':
                unit = 1;
                break;
            case 'm':
                unit = 60;
                break;
            case 'h':
                unit = 3600;
                break;
            case 'd':
                unit = 86400;
                break;
            default:
                unit = 0;
        }
        if (unit != 0)
            text.remove_suffix(1);
        else
            unit = 1;
    }
    int64_t count = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), count);
    if (text.empty() || error != std::errc() || end != text.data() + text.size() || count <= 0 ||
        count > int64_t{100} * 365 * 86400 / unit)
        return std::nullopt;
    return std::chrono::seconds(count * unit);
}

Result<BackupScheduleOptions> backup_schedule_from_environment(BackupScheduleOptions options) {
    if (const char* dir = std::getenv("CCMETER_BACKUP_DIR"); dir && *dir)
        options.dir = dir;
    if (const char* text = std::getenv("CCMETER_BACKUP_INTERVAL"); text && *text) {
        std::optional<std::chrono::seconds> interval = parse_backup_interval(text);
        if (!interval)
            return Error{std::string("CCMETER_BACKUP_INTERVAL=") + text +
                         ": expected a duration like 90s, 30m, 24h or 7d"};
        options.interval = *interval;
    }
    if (const char* text = std::getenv("CCMETER_BACKUP_KEEP"); text && *text) {
        size_t keep = 0;
        const std::string_view value(text);
        const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), keep);
        if (error != std::errc() || end != value.data() + value.size() || keep == 0)
            return Error{std::string("CCMETER_BACKUP_KEEP=") + text + ": expected a count >= 1"};
        options.keep = keep;
    }
    return options;
}

BackupScheduler::BackupScheduler(BackupScheduleOptions options,
                                 std::function<void(const std::string&)> log)
    : m_options(std::move(options)), m_log(std::move(log)) {}

BackupScheduler::~BackupScheduler() {
    stop();
}

void BackupScheduler::start() {
    if (m_options.dir.empty() || m_thread.joinable())
        return;
    m_thread = std::thread([this] { run(); });
}

void BackupScheduler::stop() {
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    if (m_thread.joinable())
        m_thread.join();
}

void BackupScheduler::back_up_now() {
    const fs::path target = m_options.dir / backup_file_name(now_ms());
    Result<BackupResult> made = backup_database(m_options.database, target);
    if (!made) {
        m_log("periodic backup failed: " + made.error().message);
        return;
    }
    std::string message = "backup " + made->path.string() + " (" + std::to_string(made->bytes) +
                          " bytes, " + std::to_string(made->duration_ms) + " ms)";
    Result<std::vector<fs::path>> deleted = rotate_backups(m_options.dir, m_options.keep);
    if (!deleted)
        message += "; " + deleted.error().message;
    else if (!deleted->empty())
        message += "; deleted " + std::to_string(deleted->size()) + " older one(s)";
    m_log(message);
}

void BackupScheduler::run() {
    using Clock = std::chrono::system_clock;
    Clock::time_point due = Clock::now();
    const std::vector<fs::path> existing = list_backups(m_options.dir);
    if (!existing.empty()) {
        if (std::optional<int64_t> newest = backup_time_ms(existing.back()))
            due = std::max(
                due, Clock::time_point(std::chrono::milliseconds(*newest)) + m_options.interval);
    }
    std::unique_lock lock(m_mutex);
    for (;;) {
        if (m_wake.wait_until(lock, due, [this] { return m_stopping; }))
            return;
        lock.unlock();
        back_up_now();
        lock.lock();
        due = std::max(due + m_options.interval, Clock::now());
    }
}

}  // namespace ccmeter
