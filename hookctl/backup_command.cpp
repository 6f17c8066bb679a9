#include "backup_command.hpp"

#include <chrono>
#include <filesystem>
#include <iostream>
#include <system_error>

#include "common/runtime_paths.hpp"
#include "meter_client.hpp"
#include "stats_command.hpp"

namespace ccmeter {

namespace {

// A copy of a big history takes a while (about 1 GB/s here); generous, but not endless.
constexpr std::chrono::minutes k_backup_deadline{30};

std::string size_text(int64_t bytes) {
    char text[32];
    if (bytes >= 1'000'000'000)
        std::snprintf(text, sizeof text, "%.1f GB", static_cast<double>(bytes) / 1e9);
    else if (bytes >= 1'000'000)
        std::snprintf(text, sizeof text, "%.1f MB", static_cast<double>(bytes) / 1e6);
    else
        std::snprintf(text, sizeof text, "%.1f kB", static_cast<double>(bytes) / 1e3);
    return text;
}

}  // namespace

int run_backup_command(const std::optional<std::string>& path) {
    v1::BackupRequest request;
    if (path) {
        std::error_code ec;
        const std::filesystem::path absolute = std::filesystem::absolute(*path, ec);
        if (ec) {
            std::cerr << "hookctl backup: " << *path << ": " << ec.message() << "\n";
            return 1;
        }
        request.set_path(absolute.lexically_normal().string());
    }
    MeterClient client(socket_path());
    Result<v1::HealthReply> health = reach_daemon(client);
    if (!health) {
        std::cerr << "hookctl backup: " << health.error().message << "\n";
        return 1;
    }
    Result<v1::BackupReply> reply =
        client.backup(request, MeterClient::Clock::now() + k_backup_deadline);
    if (!reply) {
        std::cerr << "hookctl backup: " << reply.error().message << "\n";
        return 1;
    }
    std::cout << reply->path() << "\n"
              << size_text(reply->bytes()) << " (" << reply->bytes() << " bytes), schema "
              << reply->schema_version() << ", " << reply->duration_ms() << " ms\n";
    return 0;
}

}  // namespace ccmeter
