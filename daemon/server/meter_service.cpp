#include "server/meter_service.hpp"

#include <unistd.h>

#include "common/clock.hpp"
#include "common/status_payload.hpp"
#include "core/backup_rotation.hpp"
#include "core/database_backup.hpp"
#include "wire/team_proto.hpp"
#include "wire/tools_proto.hpp"
#include "wire/usage_proto.hpp"

namespace ccmeter {

namespace {

ResponseFilter filter_from(const v1::Filter& filter) {
    ResponseFilter result;
    if (filter.has_since_ms())
        result.since_ms = filter.since_ms();
    if (filter.has_until_ms())
        result.until_ms = filter.until_ms();
    if (filter.has_project())
        result.cwd = filter.project();
    if (filter.has_session_id())
        result.session_id = filter.session_id();
    return result;
}

grpc::Status status_of(const Error& error) {
    switch (error.kind) {
        case ErrorKind::invalid_argument:
            return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, error.message);
        case ErrorKind::not_found:
            return grpc::Status(grpc::StatusCode::NOT_FOUND, error.message);
        case ErrorKind::unavailable:
            return grpc::Status(grpc::StatusCode::UNAVAILABLE, error.message);
        case ErrorKind::internal:
            break;
    }
    return grpc::Status(grpc::StatusCode::INTERNAL, error.message);
}

// Fills `reply` from a successful answer through `fill`, or returns the answer's error.
template <class Answer, class Fill>
grpc::Status reply_with(Result<Answer> answer, Fill&& fill) {
    if (!answer)
        return status_of(answer.error());
    fill(*answer);
    return grpc::Status::OK;
}

}  // namespace

MeterService::MeterService(MeterServiceOptions options, MeterQueries& queries, IngestLoop& loop)
    : m_options(std::move(options)), m_queries(queries), m_loop(loop), m_started_ms(now_ms()) {}

grpc::Status MeterService::Notify(grpc::ServerContext*, const v1::NotifyRequest* request,
                                  v1::NotifyReply*) {
    m_loop.notify({request->transcript_path(), request->agent_transcript_path()});
    return grpc::Status::OK;
}

grpc::Status MeterService::StatusLine(grpc::ServerContext*, const v1::StatusLineRequest* request,
                                      v1::StatusLineReply* reply) {
    Result<StatusPayload> payload = parse_status_payload(request->payload_json());
    if (!payload)
        return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, payload.error().message);
    m_loop.ingest_now(payload->transcript_path, *payload, m_options.status_ingest_deadline);

    reply->set_model_id(payload->model_id);
    reply->set_model_display_name(payload->model_display_name);
    if (payload->client_cost_usd)
        reply->set_client_cost_usd(*payload->client_cost_usd);
    if (payload->context_used_percentage)
        reply->set_context_used_percentage(*payload->context_used_percentage);
    reply->set_context_window_size(payload->context_window_size);

    const int64_t now = now_ms();
    const int64_t today_start =
        request->today_start_ms() > 0 ? request->today_start_ms() : now - 86'400'000;
    return reply_with(
        m_queries.status_figures(payload->session_id, today_start, now, request->week_start_ms(),
                                 request->month_start_ms()),
        [&](const StatusFigures& figures) {
            if (figures.session)
                fill_usage(*figures.session, *reply->mutable_session());
            fill_usage(figures.today, *reply->mutable_today());
            if (figures.this_week)
                fill_usage(*figures.this_week, *reply->mutable_this_week());
            if (figures.this_month)
                fill_usage(*figures.this_month, *reply->mutable_this_month());
            for (const LimitForecast& forecast : figures.limits)
                fill_limit_forecast(forecast, *reply->add_limits());
            if (figures.block)
                fill_block(*figures.block, *reply->mutable_block());
            if (const std::optional<RateLimitSample>& limits = figures.rate_limits) {
                v1::RateLimits& out = *reply->mutable_rate_limits();
                out.set_observed_at_ms(limits->observed_ms);
                if (limits->five_hour_used_percentage)
                    out.set_five_hour_used_percentage(*limits->five_hour_used_percentage);
                if (limits->five_hour_resets_at_ms)
                    out.set_five_hour_resets_at_ms(*limits->five_hour_resets_at_ms);
                if (limits->seven_day_used_percentage)
                    out.set_seven_day_used_percentage(*limits->seven_day_used_percentage);
                if (limits->seven_day_resets_at_ms)
                    out.set_seven_day_resets_at_ms(*limits->seven_day_resets_at_ms);
            }
        });
}

grpc::Status MeterService::Limits(grpc::ServerContext*, const v1::LimitsRequest* request,
                                  v1::LimitsReply* reply) {
    const int64_t now = request->now_ms() > 0 ? request->now_ms() : now_ms();
    return reply_with(m_queries.limits(now, request->day_start_ms(), request->week_start_ms(),
                                       request->month_start_ms()),
                      [&](const LimitsFigures& figures) { *reply = limits_proto(figures, now); });
}

grpc::Status MeterService::Periods(grpc::ServerContext*, const v1::PeriodsRequest* request,
                                   v1::PeriodsReply* reply) {
    const std::vector<int64_t> boundaries(request->boundaries_ms().begin(),
                                          request->boundaries_ms().end());
    return reply_with(
        m_queries.periods(boundaries, filter_from(request->filter()), request->breakdown()),
        [&](const std::vector<PeriodTotals>& periods) { *reply = periods_proto(periods); });
}

grpc::Status MeterService::Groups(grpc::ServerContext*, const v1::GroupsRequest* request,
                                  v1::GroupsReply* reply) {
    std::optional<Grouping> kind = grouping_of(request->group_by());
    if (!kind)
        return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "group_by is required");
    return reply_with(
        m_queries.groups(*kind, filter_from(request->filter()), request->breakdown()),
        [&](const std::vector<GroupTotals>& groups) { *reply = groups_proto(groups); });
}

grpc::Status MeterService::Session(grpc::ServerContext*, const v1::SessionRequest* request,
                                   v1::SessionReply* reply) {
    SessionPage page;
    if (request->all())
        page.limit = 0;
    else if (request->limit() > 0)
        page.limit = static_cast<size_t>(request->limit());
    if (request->has_before_ms())
        page.before_ms = request->before_ms();
    return reply_with(m_queries.session(request->session_id(), page),
                      [&](const SessionDetail& detail) { *reply = session_proto(detail); });
}

grpc::Status MeterService::Activity(grpc::ServerContext*, const v1::ActivityRequest* request,
                                    v1::ActivityReply* reply) {
    const std::vector<int64_t> boundaries(request->boundaries_ms().begin(),
                                          request->boundaries_ms().end());
    for (size_t i = 1; i < boundaries.size(); ++i)
        if (boundaries[i] <= boundaries[i - 1])
            return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                "activity boundaries must ascend");
    return reply_with(m_queries.activity(boundaries, filter_from(request->filter())),
                      [&](const ActivityReport& report) { *reply = activity_proto(report); });
}

grpc::Status MeterService::Blocks(grpc::ServerContext*, const v1::BlocksRequest* request,
                                  v1::BlocksReply* reply) {
    const int64_t now = request->now_ms() > 0 ? request->now_ms() : now_ms();
    return reply_with(
        m_queries.blocks(filter_from(request->filter()), now),
        [&](const std::vector<BlockTotals>& blocks) { *reply = blocks_proto(blocks); });
}

grpc::Status MeterService::Pricing(grpc::ServerContext*, const v1::PricingRequest*,
                                   v1::PricingReply* reply) {
    *reply = pricing_proto(*m_queries.prices());
    reply->set_overrides_file(m_options.prices_file.string());
    return grpc::Status::OK;
}

grpc::Status MeterService::Check(grpc::ServerContext*, const v1::CheckRequest* request,
                                 v1::CheckReply* reply) {
    const v1::Filter& filter = request->filter();
    return reply_with(
        m_queries.client_check(
            filter.has_since_ms() ? std::optional<int64_t>(filter.since_ms()) : std::nullopt,
            filter.has_until_ms() ? std::optional<int64_t>(filter.until_ms()) : std::nullopt),
        [&](const std::vector<SessionCheck>& sessions) { *reply = check_proto(sessions); });
}

grpc::Status MeterService::Health(grpc::ServerContext*, const v1::HealthRequest*,
                                  v1::HealthReply* reply) {
    reply->set_version(CCMETER_VERSION);
    reply->set_pid(::getpid());
    reply->set_started_ms(m_started_ms);
    reply->set_database(m_options.database.string());
    for (const std::filesystem::path& dir : m_options.config_dirs)
        reply->add_config_dirs(dir.string());
    reply->set_last_ingest_ms(m_loop.last_ingest_ms());
    reply->set_watch_mode(m_loop.watch_mode());
    reply->set_watch_problem(m_loop.watch_problem());
    reply->set_watch_fallbacks(m_loop.watch_fallbacks());
    reply->set_watches(m_loop.watches());
    reply->set_last_ingest_micros(m_loop.last_ingest_micros());
    reply->set_last_ingest_bytes(m_loop.last_ingest_bytes());
    reply->set_pending_files(m_loop.caught_up() ? 0 : -1);
    if (m_options.otel_status) {
        const OtelReceiverStatus otel = m_options.otel_status();
        reply->set_otel_listening(otel.listening);
        reply->set_otel_endpoint(otel.endpoint);
        reply->set_otel_events_received(otel.events_received);
        reply->set_otel_last_event_ms(otel.last_event_ms);
        reply->set_otel_bodies_rejected(otel.bodies_rejected);
    }
    if (m_options.replication_status) {
        const ReplicationStatus replication = m_options.replication_status();
        reply->set_replication(!replication.last_error.empty() ? replication.last_error
                               : replication.caught_up         ? "ok"
                                                               : "catching up");
        reply->set_replication_lag_ms(replication.lag_ms);
        reply->set_replication_pending(replication.pending);
    }
    return reply_with(m_queries.counts(), [&](const StoreCounts& counts) {
        reply->set_responses(counts.responses);
        reply->set_files(counts.files);
        reply->set_malformed_lines(counts.malformed_lines);
        reply->set_schema_version(counts.schema_version);
        if (m_options.watch_hub) {
            reply->set_watchers(static_cast<int64_t>(m_options.watch_hub->subscribers()));
            reply->set_watch_events_published(m_options.watch_hub->events_published());
            reply->set_watch_events_dropped(m_options.watch_hub->events_dropped());
        }
        if (counts.time_range) {
            reply->set_first_response_ms(counts.time_range->first);
            reply->set_last_response_ms(counts.time_range->second);
        }
    });
}

grpc::Status MeterService::Export(grpc::ServerContext* context, const v1::ExportRequest* request,
                                  grpc::ServerWriter<v1::ExportPage>* writer) {
    const size_t page_rows = static_cast<size_t>(
        request->page_rows() > 0 ? std::min(request->page_rows(), k_max_export_page_rows)
                                 : k_default_export_page_rows);
    const ResponseFilter filter = filter_from(request->filter());
    bool gone = false;
    // Sends a page of whole rows; false (and `gone`) once the client went away.
    auto send = [&](const v1::ExportPage& page) {
        if (context->IsCancelled() || !writer->Write(page)) {
            gone = true;
            return false;
        }
        return true;
    };
    switch (request->what()) {
        case v1::EXPORT_WHAT_RESPONSES: {
            v1::ExportPage page;
            Result<void> done = m_queries.export_responses(
                filter, page_rows, [&](const std::vector<PricedResponse>& rows) {
                    page.Clear();
                    for (const PricedResponse& row : rows)
                        fill_exported_response(row, *page.add_responses());
                    return send(page);
                });
            if (!done)
                return status_of(done.error());
            break;
        }
        case v1::EXPORT_WHAT_SESSIONS: {
            Result<std::vector<GroupTotals>> groups =
                m_queries.groups(Grouping::session, filter, false);
            if (!groups)
                return status_of(groups.error());
            const v1::GroupsReply all = groups_proto(*groups);
            v1::ExportPage page;
            for (const v1::Group& group : all.groups()) {
                *page.add_sessions() = group;
                if (static_cast<size_t>(page.sessions_size()) == page_rows) {
                    if (!send(page))
                        break;
                    page.Clear();
                }
            }
            if (!gone && page.sessions_size() > 0)
                send(page);
            break;
        }
        case v1::EXPORT_WHAT_DAILY: {
            const std::vector<int64_t> boundaries(request->boundaries_ms().begin(),
                                                  request->boundaries_ms().end());
            Result<std::vector<PeriodTotals>> periods =
                m_queries.periods(boundaries, filter, false);
            if (!periods)
                return status_of(periods.error());
            const v1::PeriodsReply all = periods_proto(*periods);
            v1::ExportPage page;
            for (const v1::Period& period : all.periods()) {
                if (period.usage().responses() == 0)
                    continue;  // as in hookctl stats daily
                *page.add_periods() = period;
                if (static_cast<size_t>(page.periods_size()) == page_rows) {
                    if (!send(page))
                        break;
                    page.Clear();
                }
            }
            if (!gone && page.periods_size() > 0)
                send(page);
            break;
        }
        default:
            return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                "what to export is required (responses, sessions or daily)");
    }
    if (gone)
        return grpc::Status(grpc::StatusCode::CANCELLED, "the client stopped reading");
    return grpc::Status::OK;
}

grpc::Status MeterService::Backup(grpc::ServerContext*, const v1::BackupRequest* request,
                                  v1::BackupReply* reply) {
    namespace fs = std::filesystem;
    fs::path target = request->path().empty() ? default_backup_dir(m_options.database)
                                              : fs::path(request->path());
    if (!target.is_absolute())
        return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                            "the backup path must be absolute: " + target.string());
    std::error_code ec;
    if (request->path().empty() || fs::is_directory(target, ec))
        target /= backup_file_name(now_ms());
    Result<BackupResult> made = backup_database(m_options.database, target);
    if (!made)
        return status_of(made.error());
    reply->set_path(made->path.string());
    reply->set_bytes(static_cast<int64_t>(made->bytes));
    reply->set_duration_ms(made->duration_ms);
    reply->set_schema_version(made->schema_version);
    return grpc::Status::OK;
}

grpc::Status MeterService::Team(grpc::ServerContext*, const v1::TeamRequest* request,
                                v1::TeamReply* reply) {
    const std::optional<TeamView> view =
        parse_team_view(request->view().empty() ? "summary" : request->view());
    if (!view)
        return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                            "team view must be summary, daily, members, machines, projects or "
                            "models");
    const TeamQueries unconfigured(std::nullopt, {});
    const TeamQueries& team = m_options.team ? *m_options.team : unconfigured;
    return reply_with(
        team.report(
            *view,
            request->has_since_ms() ? std::optional<int64_t>(request->since_ms()) : std::nullopt,
            request->has_until_ms() ? std::optional<int64_t>(request->until_ms()) : std::nullopt),
        [&](const TeamAnswer& answer) { *reply = team_proto(answer); });
}

grpc::Status MeterService::Watch(grpc::ServerContext* context, const v1::WatchRequest*,
                                 grpc::ServerWriter<v1::WatchEvent>* writer) {
    if (!m_options.watch_hub)
        return grpc::Status(grpc::StatusCode::UNAVAILABLE, "watching is not available");
    std::shared_ptr<WatchSubscription> subscription = m_options.watch_hub->subscribe();
    if (!subscription && m_options.watch_hub->closed())
        return grpc::Status(grpc::StatusCode::UNAVAILABLE, "ccmeterd is stopping");
    if (!subscription)
        return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                            "too many watches open (at most " +
                                std::to_string(m_options.watch_hub->options().max_subscribers) +
                                ")");
    v1::WatchEvent event;
    event.set_kind(v1::WATCH_EVENT_CONNECTED);
    event.set_time_ms(now_ms());
    if (!writer->Write(event))
        return grpc::Status(grpc::StatusCode::CANCELLED, "the client went away");
    // Woken at least every 200 ms to notice a cancelled call or a shutdown.
    constexpr std::chrono::milliseconds k_wake{200};
    auto quiet_since = std::chrono::steady_clock::now();
    while (!context->IsCancelled() && !subscription->closed()) {
        const std::vector<WatchEvent> events = subscription->take(k_wake);
        const auto now = std::chrono::steady_clock::now();
        if (events.empty()) {
            if (now - quiet_since < m_options.watch_heartbeat)
                continue;
            event.Clear();
            event.set_kind(v1::WATCH_EVENT_HEARTBEAT);
            event.set_time_ms(now_ms());
            if (!writer->Write(event))
                break;
            quiet_since = now;
            continue;
        }
        quiet_since = now;
        for (const WatchEvent& published : events) {
            event.Clear();
            event.set_time_ms(published.time_ms);
            switch (published.kind) {
                case WatchEvent::Kind::response:
                    event.set_kind(v1::WATCH_EVENT_RESPONSE);
                    fill_exported_response(published.response, *event.mutable_response());
                    fill_usage(published.session_total, *event.mutable_session_total());
                    break;
                case WatchEvent::Kind::totals_changed:
                    event.set_kind(v1::WATCH_EVENT_TOTALS_CHANGED);
                    break;
                case WatchEvent::Kind::dropped:
                    event.set_kind(v1::WATCH_EVENT_DROPPED);
                    event.set_dropped(published.dropped);
                    break;
            }
            if (!writer->Write(event))
                return grpc::Status(grpc::StatusCode::CANCELLED, "the client went away");
        }
    }
    return grpc::Status::OK;
}

grpc::Status MeterService::Tools(grpc::ServerContext*, const v1::ToolsRequest* request,
                                 v1::ToolsReply* reply) {
    return reply_with(m_queries.tools(filter_from(request->filter())),
                      [&](const std::vector<ToolStats>& tools) { *reply = tools_proto(tools); });
}

}  // namespace ccmeter
