#include "cli/serve_command.hpp"

#include <fcntl.h>
#include <grpcpp/grpcpp.h>
#include <malloc.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <iostream>
#include <mutex>
#include <string>

#include "cli/pid_lock.hpp"
#include "common/app_paths.hpp"
#include "common/config_dirs.hpp"
#include "common/runtime_paths.hpp"
#include "common/web_token.hpp"
#include "server/backup_scheduler.hpp"
#include "server/ingest_loop.hpp"
#include "server/memory_trimmer.hpp"
#include "server/meter_service.hpp"
#include "server/systemd_notify.hpp"
#include "server/watch_feed.hpp"
#include "server/watch_hub.hpp"
#include "team/team_config.hpp"
#include "team/team_queries.hpp"
#include "team/team_replicator.hpp"
#include "web/web_server.hpp"

namespace ccmeter {

namespace fs = std::filesystem;

namespace {

class Logger {
  public:
    void operator()(const std::string& message) {
        std::lock_guard lock(m_mutex);
        const std::time_t now = std::time(nullptr);
        struct tm parts {};
        gmtime_r(&now, &parts);
        char stamp[32];
        std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &parts);
        std::cerr << stamp << " ccmeterd: " << message << std::endl;
    }

  private:
    std::mutex m_mutex;
};

PriceTable load_prices(const fs::path& configured, Logger& log) {
    PriceTable prices = PriceTable::builtin();
    const fs::path path = configured.empty() ? default_prices_path() : configured;
    std::error_code ec;
    if (fs::exists(path, ec)) {
        if (std::string error = prices.load_overrides(path); !error.empty())
            log("price overrides ignored: " + error);
        else
            log("price overrides loaded from " + path.string());
    }
    return prices;
}

}  // namespace

int run_serve_command(const ServeCommandOptions& options) {
    Logger log;
    // Signals are taken synchronously by this thread; every thread started later inherits the
    // mask.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
    ::signal(SIGPIPE, SIG_IGN);
    ::mallopt(M_ARENA_MAX, k_malloc_arena_max);

    const fs::path dir = runtime_dir();
    if (Result<void> made = ensure_private_dir(dir); !made) {
        log(made.error().message);
        return 1;
    }
    Result<PidLock> lock = PidLock::try_lock(pid_file_path(), true);
    if (!lock) {
        log(lock.error().message);
        return 1;
    }
    if (!lock->held()) {
        log("another ccmeterd already serves " + socket_path().string());
        return 0;
    }
    Result<BackupScheduleOptions> backups = backup_schedule_from_environment({});
    if (!backups) {
        log(backups.error().message);
        return 1;
    }
    if (!options.backup_dir.empty())
        backups->dir = options.backup_dir;
    if (options.backup_interval)
        backups->interval = *options.backup_interval;
    if (options.backup_keep)
        backups->keep = *options.backup_keep;

    IngestLoopOptions loop_options;
    loop_options.config_dirs =
        options.config_dirs.empty() ? config_dirs_from_environment() : options.config_dirs;
    loop_options.database = options.database.empty() ? default_database_path() : options.database;
    loop_options.use_inotify = !options.poll && !std::getenv("CCMETER_POLL");
    loop_options.log = [&log](const std::string& message) { log(message); };
    Result<std::unique_ptr<IngestLoop>> loop = IngestLoop::create(loop_options);
    if (!loop) {
        log(loop.error().message);
        return 1;
    }
    MeterServiceOptions service_options;
    service_options.database = loop_options.database;
    service_options.config_dirs = loop_options.config_dirs;
    service_options.prices_file = options.prices.empty() ? default_prices_path() : options.prices;
    // What queries and ingests freed goes back to the system once the daemon is quiet.
    MemoryTrimmer trimmer;
    trimmer.start();
    MeterQueriesOptions query_options;
    query_options.database = loop_options.database;
    query_options.after_query = [&trimmer] { trimmer.note_activity(); };
    MeterQueries queries(query_options, load_prices(options.prices, log));
    (*loop)->on_new_usage([&queries] { queries.usage_changed(); });
    (*loop)->on_new_usage([&trimmer] { trimmer.note_activity(); });
    // Watch calls (hookctl watch / top): fed after each commit, from the newest row stored now.
    WatchHub watch_hub;
    WatchFeed watch_feed(queries, watch_hub, loop_options.log);
    (*loop)->on_new_usage([&watch_feed] { watch_feed.publish_new(); });
    service_options.watch_hub = &watch_hub;
    // Set once the web server (and with it the receiver) listens; read by Health.
    std::atomic<const OtlpReceiver*> receiver{nullptr};
    std::atomic<uint16_t> receiver_port{0};
    service_options.otel_status = [&receiver, &receiver_port] {
        OtelReceiverStatus status;
        if (const OtlpReceiver* r = receiver.load()) {
            status.listening = true;
            status.endpoint = "http://127.0.0.1:" + std::to_string(receiver_port.load());
            status.events_received = r->events_received();
            status.last_event_ms = r->last_event_ms();
            status.bodies_rejected = r->bodies_rejected();
        }
        return status;
    };
    // Replication to the team store, if one is configured (team_config.hpp): its own thread.
    Result<std::optional<TeamConfig>> team_config = load_team_config();
    if (!team_config) {
        log("team store off: " + team_config.error().message);
        team_config = std::optional<TeamConfig>();
    }
    std::unique_ptr<TeamReplicator> replicator;
    std::function<ReplicationStatus()> replication_status;
    if (*team_config) {
        replicator = std::make_unique<TeamReplicator>(
            TeamReplicatorOptions{**team_config, loop_options.database, loop_options.log});
        replication_status = [&replicator] { return replicator->status(); };
        (*loop)->on_new_usage([&replicator] { replicator->notify(); });
    }
    service_options.replication_status = replication_status;
    service_options.team =
        std::make_shared<const TeamQueries>(*team_config, [&queries] { return queries.prices(); });
    MeterService service(service_options, queries, **loop);

    const fs::path socket = socket_path();
    ::unlink(socket.c_str());  // stale: we hold the lock
    grpc::ServerBuilder builder;
    builder.AddListeningPort("unix:" + socket.string(), grpc::InsecureServerCredentials());
    builder.RegisterService(&service);
    const mode_t old_umask = ::umask(0177);  // the socket is created 0600
    std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
    ::umask(old_umask);
    if (!server) {
        log("cannot listen on " + socket.string());
        return 1;
    }
    ::chmod(socket.c_str(), 0600);
    if (!is_private_socket(socket)) {
        log(socket.string() + " is not private; stopping");
        server->Shutdown();
        return 1;
    }
    // The web view: after the gRPC server, before the ingest loop (so no new usage is missed).
    std::unique_ptr<WebServer> web;
    if (const uint16_t web_port =
            options.web_port.value_or(static_cast<uint16_t>(web_port_from_environment()))) {
        WebServerOptions web_options;
        web_options.port = web_port;
        web_options.url_file = web_url_path();
        web_options.token_file = web_token_path();
        web_options.log = loop_options.log;
        web_options.otel_token_file = default_otel_token_path();
        web_options.otel_sink = [&loop = **loop](ClientEvents events) {
            return loop.record_client_events(std::move(events));
        };
        web_options.prewarm = !std::getenv("CCMETER_WEB_NO_PREWARM");  // bench/web
        web_options.replication_status = replication_status;
        web_options.team = service_options.team;
        web = std::make_unique<WebServer>(web_options, queries, **loop);
        if (Result<void> started = web->start(); !started) {
            log(started.error().message);
            web.reset();
        } else {
            (*loop)->on_new_usage([&server = *web] { server.notify_new_usage(); });
            receiver_port = web->port();
            receiver = web->otlp_receiver();
        }
    }
    (*loop)->start();
    if (replicator) {
        log("replicating to the team store as machine " + (*team_config)->machine);
        replicator->start();
    }
    backups->database = loop_options.database;
    BackupScheduler backup_scheduler(*backups, loop_options.log);
    if (!backups->dir.empty()) {
        log("periodic backups into " + backups->dir.string() + " every " +
            std::to_string(backups->interval.count()) + " s, keeping " +
            std::to_string(backups->keep));
        backup_scheduler.start();
    }
    std::string dirs;
    for (const fs::path& config_dir : loop_options.config_dirs)
        dirs += (dirs.empty() ? "" : ", ") + config_dir.string();
    log("serving " + socket.string() + " (pid " + std::to_string(::getpid()) + ", database " +
        loop_options.database.string() + ", watching " + dirs + ")");
    systemd_notify("READY=1");

    int signal_number = 0;
    while (sigwait(&stop_signals, &signal_number) == 0) {
        if (signal_number != SIGHUP)
            break;
    }
    systemd_notify("STOPPING=1");
    log(std::string("stopping on ") + ::strsignal(signal_number));
    watch_hub.close();  // open Watch calls end at once
    server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
    backup_scheduler.stop();
    if (web)
        web->stop();
    if (replicator)
        replicator->stop();
    (*loop)->stop();
    ::unlink(socket.c_str());
    return 0;
}

}  // namespace ccmeter
