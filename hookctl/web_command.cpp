#include "web_command.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <thread>

#include "common/runtime_paths.hpp"
#include "common/web_token.hpp"
#include "daemon_spawner.hpp"
#include "meter_client.hpp"

extern char** environ;

namespace ccmeter {

namespace {

constexpr std::chrono::seconds k_startup_wait{5};
constexpr std::chrono::seconds k_url_wait{2};

// The URL in the web.url file, if it is a loopback URL "http://127.0.0.1:<port>/".
std::optional<std::string> read_web_url() {
    std::ifstream in(web_url_path());
    std::string url;
    if (!in || !std::getline(in, url))
        return std::nullopt;
    constexpr std::string_view k_prefix = "http://127.0.0.1:";
    if (url.size() <= k_prefix.size() + 1 || url.compare(0, k_prefix.size(), k_prefix) != 0 ||
        url.back() != '/')
        return std::nullopt;
    const std::string port = url.substr(k_prefix.size(), url.size() - k_prefix.size() - 1);
    if (port.empty() || port.size() > 5 ||
        port.find_first_not_of("0123456789") != std::string::npos)
        return std::nullopt;
    return url;
}

bool daemon_answers(MeterClient& client) {
    const Result<v1::HealthReply> health =
        client.health(MeterClient::Clock::now() + std::chrono::seconds(2));
    return health.has_value();
}

// Starts the daemon when nobody answers; true once it answers.
bool reach_daemon(MeterClient& client) {
    if (daemon_answers(client))
        return true;
    if (!client.daemon_unreachable())
        return false;
    std::cerr << "hookctl: starting ccmeterd...\n";
    if (!spawn_daemon())
        return false;
    const auto give_up = std::chrono::steady_clock::now() + k_startup_wait;
    while (std::chrono::steady_clock::now() < give_up) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        if (daemon_answers(client))
            return true;
    }
    return false;
}

bool display_available() {
#ifdef __APPLE__
    return true;
#else
    for (const char* name : {"DISPLAY", "WAYLAND_DISPLAY"})
        if (const char* value = std::getenv(name); value && *value)
            return true;
    return false;
#endif
}

// Runs the opener detached (its own session, no terminal output); does not wait for the
// browser, only for the short-lived intermediate child.
void open_in_browser(const std::string& url) {
#ifdef __APPLE__
    const char* opener = "open";
#else
    const char* opener = "xdg-open";
#endif
    const pid_t child = ::fork();
    if (child < 0)
        return;
    if (child == 0) {
        ::setsid();
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
        std::string program(opener), argument(url);
        char* argv[] = {program.data(), argument.data(), nullptr};
        pid_t opened = 0;
        const int failed = posix_spawnp(&opened, opener, &actions, nullptr, argv, environ);
        ::_exit(failed == 0 ? 0 : 1);
    }
    int status = 0;
    ::waitpid(child, &status, 0);
}

}  // namespace

int run_web_command(const WebCommandOptions& options) {
    MeterClient client(socket_path());
    if (!reach_daemon(client)) {
        std::cerr << "hookctl: ccmeterd is not running and could not be started; see "
                  << (runtime_dir() / "ccmeterd.log").string() << "\n";
        return 1;
    }
    // The daemon answers gRPC before its web view listens: give it a moment.
    std::optional<std::string> url = read_web_url();
    const auto give_up = std::chrono::steady_clock::now() + k_url_wait;
    while (!url && std::chrono::steady_clock::now() < give_up) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        url = read_web_url();
    }
    if (!url) {
        std::cerr << "hookctl: ccmeterd runs without the web view (its port was taken, or it "
                     "was started with --web-port 0); see "
                  << (runtime_dir() / "ccmeterd.log").string() << "\n";
        return 1;
    }
    const std::optional<std::string> token = read_web_token(web_token_path());
    if (!token) {
        std::cerr << "hookctl: cannot read the web view's token " << web_token_path().string()
                  << " (it must be a file of yours, mode 0600)\n";
        return 1;
    }
    const std::string login = *url + "login?token=" + *token;
    std::cout << login << std::endl;
    if (options.open && display_available())
        open_in_browser(login);
    return 0;
}

}  // namespace ccmeter
