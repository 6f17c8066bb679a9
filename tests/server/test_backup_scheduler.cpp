#include <stdlib.h>

#include <catch2/catch.hpp>
#include <chrono>

#include "server/backup_scheduler.hpp"

using namespace ccmeter;
using std::chrono::seconds;

namespace {

// Sets the backup variables for one test, unsetting the others.
struct BackupEnvironment {
    BackupEnvironment(const char* dir, const char* interval, const char* keep) {
        set("CCMETER_BACKUP_DIR", dir);
        set("CCMETER_BACKUP_INTERVAL", interval);
        set("CCMETER_BACKUP_KEEP", keep);
    }
    ~BackupEnvironment() {
        for (const char* name :
             {"CCMETER_BACKUP_DIR", "CCMETER_BACKUP_INTERVAL", "CCMETER_BACKUP_KEEP"})
            ::unsetenv(name);
    }
    static void set(const char* name, const char* value) {
        if (value)
            ::setenv(name, value, 1);
        else
            ::unsetenv(name);
    }
};

}  // namespace

TEST_CASE("backup intervals read as seconds, minutes, hours, days or plain seconds") {
    CHECK(parse_backup_interval("90s") == seconds(90));
    CHECK(parse_backup_interval("30m") == seconds(1800));
    CHECK(parse_backup_interval("24h") == seconds(86400));
    CHECK(parse_backup_interval("7d") == seconds(7 * 86400));
    CHECK(parse_backup_interval("45") == seconds(45));
    for (const char* bad : {"", "0", "0h", "-1h", "h", "1.5h", "1w", "1 h", "99999999999d"})
        CHECK_FALSE(parse_backup_interval(bad).has_value());
}

TEST_CASE("without a directory, periodic backups are off; defaults are 24 h and 7") {
    BackupEnvironment environment(nullptr, nullptr, nullptr);
    Result<BackupScheduleOptions> options = backup_schedule_from_environment({});
    REQUIRE(options.has_value());
    CHECK(options->dir.empty());
    CHECK(options->interval == seconds(24 * 3600));
    CHECK(options->keep == 7);
}

TEST_CASE("the environment sets the directory, interval and count, and bad values are errors") {
    {
        BackupEnvironment environment("/backups", "6h", "3");
        Result<BackupScheduleOptions> options = backup_schedule_from_environment({});
        REQUIRE(options.has_value());
        CHECK(options->dir == "/backups");
        CHECK(options->interval == seconds(6 * 3600));
        CHECK(options->keep == 3);
    }
    {
        BackupEnvironment environment("/backups", "soon", nullptr);
        Result<BackupScheduleOptions> options = backup_schedule_from_environment({});
        REQUIRE_FALSE(options.has_value());
        CHECK(options.error().message.find("CCMETER_BACKUP_INTERVAL=soon") != std::string::npos);
    }
    {
        BackupEnvironment environment("/backups", nullptr, "0");
        Result<BackupScheduleOptions> options = backup_schedule_from_environment({});
        REQUIRE_FALSE(options.has_value());
        CHECK(options.error().message.find("CCMETER_BACKUP_KEEP=0") != std::string::npos);
    }
}
