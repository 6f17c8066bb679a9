#include "server/meter_service.hpp"

#include <unistd.h>

#include "core/status_payload.hpp"
#include "core/usage_queries.hpp"
#include "server/usage_proto.hpp"

namespace ccmeter {

namespace {

int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

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

void fill_block(const BlockTotals& block, v1::Block& out) {
    out.set_start_ms(block.start_ms);
    out.set_end_ms(block.end_ms);
    out.set_first_ms(block.first_ms);
    out.set_last_ms(block.last_ms);
    out.set_active(block.active);
    fill_usage(block.usage, *out.mutable_usage());
    out.set_burn_micro_usd_per_hour(micro_usd(block.burn_pico_usd_per_hour));
    out.set_projected_micro_usd(micro_usd(block.projected_pico_usd));
}

// How long a computed 5-hour block (its burn rate, its projection) is reused.
constexpr int64_t k_block_refresh_ms = 5'000;

grpc::Status internal(const Error& error) {
    return grpc::Status(grpc::StatusCode::INTERNAL, error.message);
}

}  // namespace

MeterService::MeterService(MeterServiceOptions options, PriceTable prices, IngestLoop& loop)
    : m_options(std::move(options)),
      m_prices(std::move(prices)),
      m_loop(loop),
      m_started_ms(now_ms()) {}

UsageStore* MeterService::reader(grpc::Status& status) {
    if (!m_reader) {
        Result<std::unique_ptr<UsageStore>> opened = UsageStore::open_read_only(m_options.database);
        if (!opened) {
            status = grpc::Status(grpc::StatusCode::UNAVAILABLE, opened.error().message);
            return nullptr;
        }
        m_reader = std::move(*opened);
    }
    return m_reader.get();
}

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

    std::lock_guard lock(m_reader_mutex);
    grpc::Status status;
    UsageStore* store = reader(status);
    if (!store)
        return status;
    const int64_t now = now_ms();
    StatusCache& cache = m_status_cache;
    if (cache.generation != m_generation.load()) {
        cache = StatusCache();
        cache.generation = m_generation.load();
    }
    if (!payload->session_id.empty()) {
        auto cached = cache.sessions.find(payload->session_id);
        if (cached == cache.sessions.end()) {
            ResponseFilter session;
            session.session_id = payload->session_id;
            Result<UsageReport> report = build_report(*store, m_prices, session, GroupBy::none);
            if (!report)
                return internal(report.error());
            v1::Usage usage;
            fill_usage(report->totals, usage);
            cached = cache.sessions.emplace(payload->session_id, usage).first;
        }
        *reply->mutable_session() = cached->second;
    }
    const int64_t today_start =
        request->today_start_ms() > 0 ? request->today_start_ms() : now - 86'400'000;
    if (!cache.today || cache.today_start_ms != today_start) {
        ResponseFilter today;
        today.since_ms = today_start;
        Result<UsageReport> report = build_report(*store, m_prices, today, GroupBy::none);
        if (!report)
            return internal(report.error());
        cache.today.emplace();
        fill_usage(report->totals, *cache.today);
        cache.today_start_ms = today_start;
    }
    *reply->mutable_today() = *cache.today;
    // The burn rate and time left move with the clock: recompute at least every few seconds.
    if (!cache.block_known || now - cache.block_computed_ms > k_block_refresh_ms) {
        // A block active now started at most 5 h ago; a day of history settles where it began.
        ResponseFilter recent;
        recent.since_ms = now - 24 * 3'600'000;
        Result<std::vector<BlockTotals>> blocks = usage_by_block(*store, m_prices, recent, now);
        if (!blocks)
            return internal(blocks.error());
        cache.block.reset();
        if (!blocks->empty() && blocks->back().active) {
            cache.block.emplace();
            fill_block(blocks->back(), *cache.block);
        }
        cache.block_known = true;
        cache.block_computed_ms = now;
    }
    if (cache.block)
        *reply->mutable_block() = *cache.block;
    if (std::optional<RateLimitSample> limits = store->latest_rate_limits()) {
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
    return grpc::Status::OK;
}

grpc::Status MeterService::Periods(grpc::ServerContext*, const v1::PeriodsRequest* request,
                                   v1::PeriodsReply* reply) {
    std::vector<int64_t> boundaries(request->boundaries_ms().begin(),
                                    request->boundaries_ms().end());
    std::lock_guard lock(m_reader_mutex);
    grpc::Status status;
    UsageStore* store = reader(status);
    if (!store)
        return status;
    Result<std::vector<PeriodTotals>> periods = usage_by_periods(
        *store, m_prices, boundaries, filter_from(request->filter()), request->breakdown());
    if (!periods)
        return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, periods.error().message);
    for (const PeriodTotals& period : *periods) {
        v1::Period& out = *reply->add_periods();
        out.set_start_ms(period.start_ms);
        out.set_end_ms(period.end_ms);
        fill_usage(period.usage, *out.mutable_usage());
        for (const auto& [model, usage] : period.by_model)
            fill_usage(usage, (*out.mutable_by_model())[model]);
    }
    return grpc::Status::OK;
}

grpc::Status MeterService::Groups(grpc::ServerContext*, const v1::GroupsRequest* request,
                                  v1::GroupsReply* reply) {
    GroupKind kind;
    switch (request->group_by()) {
        case v1::GROUP_BY_SESSION:
            kind = GroupKind::session;
            break;
        case v1::GROUP_BY_PROJECT:
            kind = GroupKind::project;
            break;
        case v1::GROUP_BY_MODEL:
            kind = GroupKind::model;
            break;
        default:
            return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "group_by is required");
    }
    std::lock_guard lock(m_reader_mutex);
    grpc::Status status;
    UsageStore* store = reader(status);
    if (!store)
        return status;
    Result<std::vector<GroupTotals>> groups = usage_by_group(
        *store, m_prices, kind, filter_from(request->filter()), request->breakdown());
    if (!groups)
        return internal(groups.error());
    for (const GroupTotals& group : *groups) {
        v1::Group& out = *reply->add_groups();
        out.set_key(group.key);
        fill_usage(group.usage, *out.mutable_usage());
        out.set_first_ms(group.first_ms);
        out.set_last_ms(group.last_ms);
        out.set_project(group.project);
        for (const std::string& model : group.models)
            out.add_models(model);
        for (const auto& [model, usage] : group.by_model)
            fill_usage(usage, (*out.mutable_by_model())[model]);
    }
    return grpc::Status::OK;
}

grpc::Status MeterService::Session(grpc::ServerContext*, const v1::SessionRequest* request,
                                   v1::SessionReply* reply) {
    std::lock_guard lock(m_reader_mutex);
    grpc::Status status;
    UsageStore* store = reader(status);
    if (!store)
        return status;
    Result<SessionDetail> detail = session_detail(*store, m_prices, request->session_id());
    if (!detail)
        return internal(detail.error());
    if (detail->turns.empty())
        return grpc::Status(grpc::StatusCode::NOT_FOUND,
                            "no responses for session " + request->session_id());
    reply->set_session_id(detail->session_id);
    reply->set_project(detail->project);
    fill_usage(detail->usage, *reply->mutable_usage());
    for (const TurnTotals& turn : detail->turns) {
        v1::Turn& out = *reply->add_turns();
        out.set_start_ms(turn.start_ms);
        fill_usage(turn.usage, *out.mutable_usage());
        for (const ResponseCost& item : turn.responses) {
            v1::Response& response = *out.add_responses();
            response.set_message_id(item.response.message_id);
            response.set_request_id(item.response.request_id);
            response.set_timestamp_ms(item.response.timestamp_ms);
            response.set_model(item.response.model);
            response.set_is_sidechain(item.response.is_sidechain);
            response.set_agent_id(item.response.agent_id);
            UsageTotals one;
            one.add(item.response.model, 1, item.response.tokens, item.cost_pico_usd);
            fill_usage(one, *response.mutable_usage());
        }
    }
    return grpc::Status::OK;
}

grpc::Status MeterService::Blocks(grpc::ServerContext*, const v1::BlocksRequest* request,
                                  v1::BlocksReply* reply) {
    std::lock_guard lock(m_reader_mutex);
    grpc::Status status;
    UsageStore* store = reader(status);
    if (!store)
        return status;
    const int64_t now = request->now_ms() > 0 ? request->now_ms() : now_ms();
    Result<std::vector<BlockTotals>> blocks =
        usage_by_block(*store, m_prices, filter_from(request->filter()), now);
    if (!blocks)
        return internal(blocks.error());
    for (const BlockTotals& block : *blocks)
        fill_block(block, *reply->add_blocks());
    return grpc::Status::OK;
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
    reply->set_last_ingest_micros(m_loop.last_ingest_micros());
    reply->set_last_ingest_bytes(m_loop.last_ingest_bytes());
    reply->set_pending_files(m_loop.caught_up() ? 0 : -1);
    std::lock_guard lock(m_reader_mutex);
    grpc::Status status;
    UsageStore* store = reader(status);
    if (!store)
        return status;
    reply->set_responses(store->response_count());
    reply->set_files(store->file_count());
    reply->set_malformed_lines(store->malformed_lines());
    if (std::optional<std::pair<int64_t, int64_t>> range = store->response_time_range()) {
        reply->set_first_response_ms(range->first);
        reply->set_last_response_ms(range->second);
    }
    return grpc::Status::OK;
}

}  // namespace ccmeter
