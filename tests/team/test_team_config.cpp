// The team store's configuration: the file's keys, their defaults, and what the environment
// overrides.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "team/team_config.hpp"

using namespace ccmeter;

TEST_CASE("the config file's keys and their defaults", "[team]") {
    Result<TeamConfig> full = parse_team_config(
        R"({"dsn": "host=db user=alice", "machine": "laptop", "interval_seconds": 30,
            "batch_rows": 100})");
    REQUIRE(full.has_value());
    CHECK(full->dsn == "host=db user=alice");
    CHECK(full->machine == "laptop");
    CHECK(full->interval_seconds == 30);
    CHECK(full->batch_rows == 100);

    Result<TeamConfig> bare = parse_team_config(R"({"dsn": "postgresql:///ccmeter"})");
    REQUIRE(bare.has_value());
    CHECK(bare->machine.empty());
    CHECK(bare->interval_seconds == k_default_team_interval_seconds);
    CHECK(bare->batch_rows == k_default_team_batch_rows);
}

TEST_CASE("a bad config file is refused with the key it gets wrong", "[team]") {
    CHECK_FALSE(parse_team_config("[]").has_value());
    CHECK_FALSE(parse_team_config("{").has_value());
    Result<TeamConfig> dsn = parse_team_config(R"({"dsn": 5})");
    REQUIRE_FALSE(dsn.has_value());
    CHECK(dsn.error().message.find("\"dsn\"") != std::string::npos);
    CHECK_FALSE(parse_team_config(R"({"interval_seconds": 0})").has_value());
    CHECK_FALSE(parse_team_config(R"({"batch_rows": -1})").has_value());
    CHECK_FALSE(parse_team_config(R"({"batch_rows": 1.5})").has_value());
}

TEST_CASE("no DSN anywhere means no replication; CCMETER_TEAM_DSN overrides the file", "[team]") {
    const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                      ("ccmeter-team-config-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const std::filesystem::path file = dir / "team.json";
    ::setenv("CCMETER_TEAM_CONFIG", file.c_str(), 1);
    ::unsetenv("CCMETER_TEAM_DSN");
    ::setenv("CCMETER_MACHINE", "box-7", 1);

    Result<std::optional<TeamConfig>> none = load_team_config();
    REQUIRE(none.has_value());
    CHECK_FALSE(none->has_value());

    std::ofstream(file) << R"({"dsn": "host=file", "batch_rows": 9})";
    Result<std::optional<TeamConfig>> from_file = load_team_config();
    REQUIRE(from_file.has_value());
    REQUIRE(from_file->has_value());
    CHECK((*from_file)->dsn == "host=file");
    CHECK((*from_file)->machine == "box-7");  // machine_name() when the file names none
    CHECK((*from_file)->batch_rows == 9);

    ::setenv("CCMETER_TEAM_DSN", "host=env", 1);
    Result<std::optional<TeamConfig>> from_env = load_team_config();
    REQUIRE(from_env.has_value());
    REQUIRE(from_env->has_value());
    CHECK((*from_env)->dsn == "host=env");
    CHECK((*from_env)->batch_rows == 9);

    std::ofstream(file) << R"({"dsn": 1})";
    CHECK_FALSE(load_team_config().has_value());

    ::unsetenv("CCMETER_TEAM_DSN");
    ::unsetenv("CCMETER_TEAM_CONFIG");
    ::unsetenv("CCMETER_MACHINE");
    std::filesystem::remove_all(dir);
}
