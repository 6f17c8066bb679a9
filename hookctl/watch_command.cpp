#include "watch_command.hpp"

#include <chrono>
#include <iostream>
#include <thread>

#include "common/json_text.hpp"
#include "common/runtime_paths.hpp"
#include "meter_client.hpp"
#include "stats_command.hpp"
#include "watch_format.hpp"

namespace ccmeter {

namespace {

// The daemon sends a heartbeat every 5 s of quiet: three missed mean it is gone.
constexpr std::chrono::seconds k_watch_idle_timeout{15};
// How often a daemon that went away is looked for.
constexpr std::chrono::milliseconds k_reconnect_every{250};

}  // namespace

int run_watch_command(bool json) {
    MeterClient client(socket_path());
    if (Result<v1::HealthReply> health = reach_daemon(client); !health)
        std::cerr << "hookctl watch: " << health.error().message << "; waiting for it\n";
    bool announced_down = false;
    bool ever_connected = false;
    for (;;) {
        bool broken_output = false;
        Result<void> ended =
            client.watch(k_watch_idle_timeout, [&](const v1::WatchEvent& event) -> Result<void> {
                switch (event.kind()) {
                    case v1::WATCH_EVENT_CONNECTED:
                        if (announced_down || !ever_connected)
                            std::cerr << (ever_connected ? "hookctl watch: ccmeterd is back\n"
                                                         : "hookctl watch: watching (Ctrl-C "
                                                           "to stop)\n");
                        announced_down = false;
                        ever_connected = true;
                        break;
                    case v1::WATCH_EVENT_RESPONSE:
                        if (json)
                            std::cout << to_json_text(watch_json(event)) << '\n';
                        else
                            std::cout << watch_line(event) << '\n';
                        std::cout.flush();
                        if (!std::cout) {
                            broken_output = true;
                            return Error{"cannot write to stdout"};
                        }
                        break;
                    case v1::WATCH_EVENT_DROPPED:
                        std::cerr << "hookctl watch: " << event.dropped()
                                  << " events left out (a backfill, or reading too slowly)\n";
                        break;
                    default:
                        break;
                }
                return {};
            });
        if (broken_output)
            return 1;
        if (!ended && ended.error().message.find("too many watches") != std::string::npos) {
            std::cerr << "hookctl watch: " << ended.error().message << "\n";
            return 1;
        }
        if (!announced_down && ever_connected) {
            std::cerr << "hookctl watch: ccmeterd went away"
                      << (ended ? std::string() : " (" + ended.error().message + ")")
                      << "; reconnecting...\n";
            announced_down = true;
        }
        std::this_thread::sleep_for(k_reconnect_every);
    }
}

}  // namespace ccmeter
