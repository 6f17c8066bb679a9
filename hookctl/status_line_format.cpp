#include "hookctl/status_line_format.hpp"

#include <optional>
#include <vector>

#include "common/number_text.hpp"
#include "common/stats_format.hpp"
#include "common/status_payload.hpp"
#include "common/text_sanitizer.hpp"

namespace ccmeter::hookctl {

namespace {

// One placeholder's value and the SGR sequence to colour it with (empty: uncoloured).
struct FieldValue {
    std::string text;
    std::string_view sgr;
};

// Values by placeholder name; a name absent here is not a placeholder.
struct FieldValues {
    std::optional<FieldValue> model, session, today, block, block_left, burn, ctx, client_cost,
        rate_5h, budget, limit_full, limit_full_in;

    const std::optional<FieldValue>* find(std::string_view name) const {
        if (name == "model")
            return &model;
        if (name == "session")
            return &session;
        if (name == "today")
            return &today;
        if (name == "block")
            return &block;
        if (name == "block_left")
            return &block_left;
        if (name == "burn")
            return &burn;
        if (name == "ctx")
            return &ctx;
        if (name == "client_cost")
            return &client_cost;
        if (name == "rate_5h")
            return &rate_5h;
        if (name == "budget")
            return &budget;
        if (name == "limit_full")
            return &limit_full;
        if (name == "limit_full_in")
            return &limit_full_in;
        return nullptr;
    }
};

std::string_view money_sgr(int64_t micro_usd, const CostThresholds& thresholds) {
    if (micro_usd >= thresholds.alert_micro_usd)
        return k_sgr_alert;
    if (micro_usd >= thresholds.warn_micro_usd)
        return k_sgr_warn;
    return k_sgr_low;
}

std::string_view percent_sgr(double percentage, const StatusLineStyle& style) {
    if (percentage >= style.percent_alert)
        return k_sgr_alert;
    if (percentage >= style.percent_warn)
        return k_sgr_warn;
    return k_sgr_low;
}

FieldValue money_field(const v1::Usage& usage, const CostThresholds& thresholds) {
    // ">": the cost passed what int64 pico-dollars hold; the figure is a floor.
    std::string text = (usage.cost_saturated() ? ">" : "") + format_usd(usage.cost_micro_usd());
    if (usage.unpriced_responses() > 0)
        text += "+?";
    return FieldValue{std::move(text), money_sgr(usage.cost_micro_usd(), thresholds)};
}

FieldValue percent_field(double percentage, const StatusLineStyle& style) {
    return FieldValue{format_percentage(percentage), percent_sgr(percentage, style)};
}

std::string_view budget_sgr(BudgetLevel level) {
    return level == BudgetLevel::over   ? k_sgr_alert
           : level == BudgetLevel::warn ? k_sgr_warn
                                        : k_sgr_low;
}

// The budget nearest to (or furthest past) its limit: "day 85%".
std::optional<FieldValue> budget_field(const v1::StatusLineReply& reply,
                                       const StatusLineStyle& style) {
    const std::vector<BudgetStatus> statuses =
        budget_statuses(style.budgets, reply.today().cost_micro_usd(),
                        reply.this_week().cost_micro_usd(), reply.this_month().cost_micro_usd());
    const BudgetStatus* top = nullptr;
    for (const BudgetStatus& status : statuses)
        if (!top || budget_used_percentage(status.spent_micro_usd, status.budget_micro_usd) >
                        budget_used_percentage(top->spent_micro_usd, top->budget_micro_usd))
            top = &status;
    if (!top)
        return std::nullopt;
    return FieldValue{
        std::string(top->period) + " " +
            format_percentage(budget_used_percentage(top->spent_micro_usd, top->budget_micro_usd)),
        budget_sgr(top->level)};
}

void append_coloured(std::string& out, const FieldValue& value, bool color) {
    if (value.text.empty())
        return;
    // Values come from transcripts and payloads: never let them reach the terminal raw.
    const std::string text = terminal_safe(value.text);
    if (color && !value.sgr.empty()) {
        out += value.sgr;
        out += text;
        out += k_sgr_reset;
    } else {
        out += text;
    }
}

// Shrinks runs of spaces to one and trims both ends.
std::string squeezed(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        if (c == ' ' && (out.empty() || out.back() == ' '))
            continue;
        out.push_back(c);
    }
    while (!out.empty() && out.back() == ' ')
        out.pop_back();
    return out;
}

// One segment of a template; empty when it is to be dropped.
std::string render_segment(std::string_view segment, const FieldValues& values, bool color) {
    std::string out;
    int placeholders = 0;
    int filled = 0;
    size_t i = 0;
    while (i < segment.size()) {
        if (segment[i] == '{') {
            const size_t close = segment.find('}', i + 1);
            if (close != std::string_view::npos) {
                const std::string_view name = segment.substr(i + 1, close - i - 1);
                if (const std::optional<FieldValue>* value = values.find(name)) {
                    ++placeholders;
                    if (*value && !(*value)->text.empty()) {
                        ++filled;
                        append_coloured(out, **value, color);
                    }
                    i = close + 1;
                    continue;
                }
            }
        }
        out.push_back(segment[i]);
        ++i;
    }
    if (placeholders > 0 && filled == 0)
        return {};
    return squeezed(out);
}

std::vector<std::string> render_segments(std::string_view line_template, const FieldValues& values,
                                         bool color) {
    std::vector<std::string> segments;
    size_t start = 0;
    while (start <= line_template.size()) {
        size_t bar = line_template.find('|', start);
        if (bar == std::string_view::npos)
            bar = line_template.size();
        std::string segment =
            render_segment(line_template.substr(start, bar - start), values, color);
        if (!segment.empty())
            segments.push_back(std::move(segment));
        start = bar + 1;
    }
    return segments;
}

std::string joined(const std::vector<std::string>& segments, const StatusLineStyle& style) {
    std::string out;
    for (size_t i = 0; i < segments.size(); ++i) {
        if (i > 0)
            append_coloured(out, FieldValue{style.separator, k_sgr_dim}, style.color);
        out += segments[i];
    }
    return out;
}

std::string dimmed(std::string_view text, bool color) {
    std::string out;
    append_coloured(out, FieldValue{std::string(text), k_sgr_dim}, color);
    return out;
}

}  // namespace

bool colors_enabled(const char* no_color_env, const std::string& config_value) {
    if (config_value == "never")
        return false;
    if (config_value == "always")
        return true;
    return no_color_env == nullptr || no_color_env[0] == '\0';
}

std::string format_status_line(const v1::StatusLineReply& reply, const StatusLineStyle& style) {
    FieldValues values;
    const std::string& model =
        reply.model_display_name().empty() ? reply.model_id() : reply.model_display_name();
    values.model = FieldValue{model, k_sgr_model};
    values.session = money_field(reply.session(), style.session_cost);
    values.today = money_field(reply.today(), style.today_cost);
    if (style.budgets.daily_micro_usd)  // a daily budget decides today's colour
        values.today->sgr = budget_sgr(
            budget_level(reply.today().cost_micro_usd(), *style.budgets.daily_micro_usd));
    values.budget = budget_field(reply, style);
    // The plan limit that fills up first before its reset, if any.
    const v1::LimitForecast* soonest = nullptr;
    for (const v1::LimitForecast& limit : reply.limits())
        if (limit.full_before_reset() && !limit.reset_since_observed() && limit.has_full_at_ms() &&
            (!soonest || limit.full_at_ms() < soonest->full_at_ms()))
            soonest = &limit;
    if (soonest) {
        const int64_t left_ms = soonest->full_at_ms() - style.now_ms;
        const std::string_view sgr = left_ms < 3'600'000 ? k_sgr_alert : k_sgr_warn;
        values.limit_full = FieldValue{limit_label(soonest->bucket()), sgr};
        values.limit_full_in = FieldValue{left_ms > 0 ? format_time_left(left_ms) : "now", sgr};
    }
    if (reply.has_block() && reply.block().active()) {
        const v1::Block& block = reply.block();
        values.block = money_field(block.usage(), style.block_cost);
        values.block_left = FieldValue{format_time_left(block.end_ms() - style.now_ms), {}};
        values.burn = FieldValue{format_usd(block.burn_micro_usd_per_hour()) + "/h",
                                 money_sgr(block.burn_micro_usd_per_hour(), style.burn_per_hour)};
    }
    if (reply.has_context_used_percentage())
        values.ctx = percent_field(reply.context_used_percentage(), style);
    const int64_t client_micro_usd = micro_usd_of_dollars(reply.client_cost_usd());
    values.client_cost =
        FieldValue{format_usd(client_micro_usd), money_sgr(client_micro_usd, style.session_cost)};
    if (reply.has_rate_limits() && reply.rate_limits().has_five_hour_used_percentage())
        values.rate_5h = percent_field(reply.rate_limits().five_hour_used_percentage(), style);
    return joined(render_segments(style.line_template, values, style.color), style);
}

std::string format_degraded_status_line(std::string_view payload_json,
                                        const StatusLineStyle& style) noexcept {
    try {
        Result<StatusPayload> payload = parse_status_payload(payload_json);
        if (!payload)
            return dimmed("ccmeter: daemon down", style.color);
        FieldValues values;
        values.model = FieldValue{
            payload->model_display_name.empty() ? payload->model_id : payload->model_display_name,
            k_sgr_model};
        if (payload->client_cost_usd) {
            const int64_t micro_usd = micro_usd_of_dollars(*payload->client_cost_usd);
            values.client_cost =
                FieldValue{format_usd(micro_usd), money_sgr(micro_usd, style.session_cost)};
        }
        if (payload->context_used_percentage)
            values.ctx = percent_field(*payload->context_used_percentage, style);
        if (payload->five_hour_used_percentage)
            values.rate_5h = percent_field(*payload->five_hour_used_percentage, style);
        std::vector<std::string> segments =
            render_segments(style.degraded_template, values, style.color);
        segments.push_back(dimmed("ccmeterd down", style.color));
        return joined(segments, style);
    } catch (...) {
        return "ccmeter: daemon down";
    }
}

}  // namespace ccmeter::hookctl
