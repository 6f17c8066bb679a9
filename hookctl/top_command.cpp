#include "top_command.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <termios.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <thread>

#include "common/app_paths.hpp"
#include "common/budget_config.hpp"
#include "common/clock.hpp"
#include "common/local_periods.hpp"
#include "common/runtime_paths.hpp"
#include "meter_client.hpp"
#include "stats_command.hpp"
#include "terminal_keys.hpp"
#include "terminal_size.hpp"
#include "top_model.hpp"

namespace ccmeter {

namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr std::chrono::seconds k_query_deadline{10};
constexpr std::chrono::seconds k_watch_idle_timeout{15};  // three missed heartbeats
constexpr std::chrono::milliseconds k_reconnect_every{250};

// What the watch thread tells the main loop, one byte each through a pipe.
constexpr char k_event_connected = 'c';
constexpr char k_event_changed = 'u';
constexpr char k_event_down = 'd';

// Written by the SIGWINCH handler (async-signal-safe: write() only).
int g_signal_pipe = -1;

void on_signal(int signal_number) {
    const char byte = signal_number == SIGWINCH ? 'w' : 't';
    [[maybe_unused]] ssize_t ignored = ::write(g_signal_pipe, &byte, 1);
}

// Raw mode and the alternate screen while it lives.
class TerminalSession {
  public:
    bool start() {
        if (::tcgetattr(STDIN_FILENO, &m_saved) != 0)
            return false;
        struct termios raw = m_saved;
        raw.c_iflag &= ~static_cast<tcflag_t>(BRKINT | ICRNL | INPCK | ISTRIP | IXON);
        raw.c_oflag &= ~static_cast<tcflag_t>(OPOST);
        raw.c_cflag |= CS8;
        raw.c_lflag &= ~static_cast<tcflag_t>(ECHO | ICANON | IEXTEN | ISIG);
        raw.c_cc[VMIN] = 1;
        raw.c_cc[VTIME] = 0;
        if (::tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw) != 0)
            return false;
        m_active = true;
        write_all("\x1b[?1049h\x1b[?25l\x1b[H\x1b[2J");
        return true;
    }
    ~TerminalSession() {
        if (!m_active)
            return;
        write_all("\x1b[0m\x1b[?25h\x1b[?1049l");
        ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &m_saved);
    }
    static void write_all(std::string_view bytes) {
        while (!bytes.empty()) {
            const ssize_t written = ::write(STDOUT_FILENO, bytes.data(), bytes.size());
            if (written < 0) {
                if (errno == EINTR)
                    continue;
                return;
            }
            bytes.remove_prefix(static_cast<size_t>(written));
        }
    }

  private:
    struct termios m_saved {};
    bool m_active = false;
};

MeterClient::Clock::time_point deadline() {
    return MeterClient::Clock::now() + k_query_deadline;
}

// Appends frame timings to $CCMETER_TOP_TIMING, if set.
class FrameTimer {
  public:
    FrameTimer() {
        if (const char* path = std::getenv("CCMETER_TOP_TIMING"))
            m_file = std::fopen(path, "a");
    }
    ~FrameTimer() {
        if (m_file)
            std::fclose(m_file);
    }
    void frame(SteadyClock::time_point cause) {
        if (!m_file)
            return;
        const double ms =
            std::chrono::duration<double, std::milli>(SteadyClock::now() - cause).count();
        std::fprintf(m_file, "frame %lld %.3f\n", static_cast<long long>(m_frames++), ms);
        std::fflush(m_file);
    }

  private:
    std::FILE* m_file = nullptr;
    int64_t m_frames = 0;
};

// The figures of `tab` from the daemon into `model`; false when the daemon did not answer.
bool fetch(MeterClient& client, TopModel& model, TopTab tab, const v1::HealthReply* health) {
    const int64_t now = now_ms();
    switch (tab) {
        case TopTab::sessions:
        case TopTab::projects:
        case TopTab::models: {
            v1::GroupsRequest request;
            request.set_group_by(tab == TopTab::sessions   ? v1::GROUP_BY_SESSION
                                 : tab == TopTab::projects ? v1::GROUP_BY_PROJECT
                                                           : v1::GROUP_BY_MODEL);
            Result<v1::GroupsReply> reply = client.groups(request, deadline());
            if (!reply)
                return false;
            if (tab == TopTab::sessions)
                model.set_sessions(std::move(*reply));
            else if (tab == TopTab::projects)
                model.set_projects(std::move(*reply));
            else
                model.set_models(std::move(*reply));
            break;
        }
        case TopTab::daily: {
            v1::HealthReply fresh;
            if (!health) {
                Result<v1::HealthReply> asked = client.health(deadline());
                if (!asked)
                    return false;
                fresh = std::move(*asked);
                health = &fresh;
            }
            const auto [first, last] = report_span(v1::Filter(), *health, now);
            v1::PeriodsRequest request;
            std::vector<std::string> labels;
            const std::vector<int64_t> boundaries = period_boundaries(PeriodKind::day, first, last);
            for (size_t i = 0; i < boundaries.size(); ++i) {
                request.add_boundaries_ms(boundaries[i]);
                if (i + 1 < boundaries.size())
                    labels.push_back(day_label(boundaries[i]));
            }
            Result<v1::PeriodsReply> reply = client.periods(request, deadline());
            if (!reply)
                return false;
            model.set_daily(std::move(*reply), std::move(labels));
            break;
        }
        case TopTab::limits: {
            v1::LimitsRequest request;
            request.set_now_ms(now);
            request.set_day_start_ms(local_day_start(now));
            request.set_week_start_ms(local_week_start(now));
            request.set_month_start_ms(local_month_start(now));
            Result<v1::LimitsReply> reply = client.limits(request, deadline());
            if (!reply)
                return false;
            Result<Budgets> budgets = load_budgets(default_budgets_path());
            model.set_limits(std::move(*reply), budgets ? *budgets : Budgets{});
            break;
        }
    }
    model.set_updated_ms(now);
    return true;
}

bool fetch_session(MeterClient& client, TopModel& model, const std::string& session_id) {
    v1::SessionRequest request;
    request.set_session_id(session_id);
    request.set_all(true);  // a turn's responses are browsed from the turns view
    Result<v1::SessionReply> reply = client.session(request, deadline());
    if (!reply)
        return false;
    model.show_session(std::move(*reply));
    model.set_updated_ms(now_ms());
    return true;
}

}  // namespace

int run_top_command() {
    const auto started = SteadyClock::now();
    if (!::isatty(STDIN_FILENO) || !::isatty(STDOUT_FILENO)) {
        std::cerr << "hookctl top: needs a terminal (try hookctl watch or hookctl stats)\n";
        return 1;
    }
    const char* term = std::getenv("TERM");
    const bool color = !std::getenv("NO_COLOR") && !(term && std::strcmp(term, "dumb") == 0);

    MeterClient client(socket_path());
    Result<v1::HealthReply> health = reach_daemon(client);

    int signal_pipe[2];
    int event_pipe[2];
    if (::pipe2(signal_pipe, O_CLOEXEC | O_NONBLOCK) != 0 ||
        ::pipe2(event_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
        std::cerr << "hookctl top: " << std::strerror(errno) << "\n";
        return 1;
    }
    g_signal_pipe = signal_pipe[1];
    struct sigaction action {};
    action.sa_handler = on_signal;
    sigemptyset(&action.sa_mask);
    ::sigaction(SIGWINCH, &action, nullptr);
    ::sigaction(SIGTERM, &action, nullptr);
    ::sigaction(SIGHUP, &action, nullptr);

    TerminalSession terminal;
    if (!terminal.start()) {
        std::cerr << "hookctl top: cannot set up the terminal\n";
        return 1;
    }

    // The watch thread: events as bytes into event_pipe; it runs until the process ends.
    const int event_out = event_pipe[1];
    std::thread([event_out] {
        MeterClient watcher(socket_path());
        auto send = [event_out](char byte) {
            [[maybe_unused]] ssize_t ignored = ::write(event_out, &byte, 1);
        };
        for (;;) {
            watcher.watch(k_watch_idle_timeout, [&](const v1::WatchEvent& event) -> Result<void> {
                if (event.kind() == v1::WATCH_EVENT_CONNECTED)
                    send(k_event_connected);
                else if (event.kind() == v1::WATCH_EVENT_TOTALS_CHANGED ||
                         event.kind() == v1::WATCH_EVENT_DROPPED)
                    send(k_event_changed);
                return {};
            });
            send(k_event_down);
            std::this_thread::sleep_for(k_reconnect_every);
        }
    }).detach();

    TopModel model;
    FrameTimer timer;
    model.set_connected(health.has_value() &&
                        fetch(client, model, model.tab(), health ? &*health : nullptr));
    // The window's size; 80x24 where the terminal does not say.
    auto window_size = [] {
        TerminalSize size = terminal_size(STDOUT_FILENO);
        if (size.columns == 0 || size.rows == 0)
            size = {80, 24};
        return size;
    };
    TerminalSize size = window_size();
    auto draw = [&](SteadyClock::time_point cause) {
        std::string frame = "\x1b[H";
        const std::string text = model.render(size.columns, size.rows, color);
        for (char c : text) {
            if (c == '\n')
                frame += "\x1b[K\r\n";
            else
                frame.push_back(c);
        }
        frame += "\x1b[K\x1b[J";
        TerminalSession::write_all(frame);
        timer.frame(cause);
    };
    // Fetches what the current view shows; false when the daemon is down.
    auto refresh = [&]() {
        const bool ok = model.in_session() ? fetch_session(client, model, model.session_id())
                                           : fetch(client, model, model.tab(), nullptr);
        model.set_connected(ok);
        return ok;
    };
    draw(started);

    for (;;) {
        struct pollfd fds[3] = {
            {STDIN_FILENO, POLLIN, 0}, {signal_pipe[0], POLLIN, 0}, {event_pipe[0], POLLIN, 0}};
        const int ready = ::poll(fds, 3, -1);
        if (ready < 0) {
            if (errno == EINTR)
                continue;
            return 1;
        }
        const auto cause = SteadyClock::now();
        bool redraw = false;
        if (fds[1].revents & POLLIN) {
            char bytes[64];
            const ssize_t n = ::read(signal_pipe[0], bytes, sizeof bytes);
            for (ssize_t i = 0; i < n; ++i) {
                if (bytes[i] == 't')
                    return 0;
                size = window_size();
                redraw = true;
            }
        }
        if (fds[2].revents & POLLIN) {
            char bytes[256];
            const ssize_t n = ::read(event_pipe[0], bytes, sizeof bytes);
            bool changed = false;
            for (ssize_t i = 0; i < n; ++i) {
                if (bytes[i] == k_event_down) {
                    if (model.connected())
                        redraw = true;
                    model.set_connected(false);
                } else if (bytes[i] == k_event_connected) {
                    // Fetched again: what was stored before the watch began is not missed.
                    changed = true;
                } else {
                    changed = true;
                }
            }
            if (changed) {
                refresh();
                redraw = true;
            }
        }
        if (fds[0].revents & (POLLIN | POLLHUP)) {
            char bytes[256];
            const ssize_t n = ::read(STDIN_FILENO, bytes, sizeof bytes);
            if (n <= 0)
                return 0;
            for (const Key& key : decode_keys(std::string_view(bytes, static_cast<size_t>(n)))) {
                const TopRequest request = model.handle(key);
                switch (request.kind) {
                    case TopRequest::Kind::quit:
                        return 0;
                    case TopRequest::Kind::open_session:
                        model.set_connected(fetch_session(client, model, request.session_id));
                        break;
                    case TopRequest::Kind::refresh:
                        refresh();
                        break;
                    case TopRequest::Kind::none:
                        break;
                }
            }
            redraw = true;
        }
        if (redraw)
            draw(cause);
    }
}

}  // namespace ccmeter
