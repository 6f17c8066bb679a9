// Insights: this week and month so far against the last ones cut at the same point, the month
// at API prices against the plan (/api/compare), the cache hit rate and the model mix per day
// over the last 30 days (/api/daily, ratios of the server's figures), the most expensive turns
// and sessions and how turn costs spread (/api/insights). Money shown is the server's.
import { api } from '../api.js';
import { modelColour } from '../colours.js';
import { $, el, setNumber } from '../dom.js';
import { costText, count, dateTime, dayLabel, decimal, duration, percent, projectName, shortDayLabel, shortModel, usd } from '../format.js';
import { plural, t } from '../i18n.js';

export async function load() {
  const [compare, insights, daily, activity] = await Promise.all([
    api('/api/compare'), api('/api/insights'), api('/api/daily?days=30'), api('/api/activity?days=30'),
  ]);
  renderCompare(compare);
  renderPlan(compare.plan);
  renderCache(daily);
  renderMix(daily);
  renderActivity(activity);
  renderTopTurns(insights.top_turns);
  renderTopSessions(insights.top_sessions);
  renderSpread(insights);
}

function figure(label, tip, value, text, key) {
  const node = el('span', { className: 'value', dataset: key ? { figure: key } : undefined });
  setNumber(node, value, text);
  return el('div', null, [el('span', { className: 'label', title: tip, text: label }), node]);
}

// The change in per-mille as "+12.5 %" (the server's rounding), or a dash without a base.
function change(perMille) {
  if (perMille === null) return '\u2013';
  return (perMille > 0 ? '+' : perMille < 0 ? '\u2212' : '\u00b1') + decimal(Math.abs(perMille) / 10, 1) + '\u00a0%';
}

function renderCompare(compare) {
  const rows = ['week', 'month'].map((kind) => {
    const c = compare[kind];
    const node = el('span', { className: 'value', dataset: { change: kind } });
    setNumber(node, c.change_per_mille === null ? '' : c.change_per_mille, change(c.change_per_mille));
    if (c.change_per_mille !== null) node.dataset.trend = c.change_per_mille > 0 ? 'up' : 'down';
    return el('div', { className: 'compare-row', dataset: { kind } }, [
      el('h3', { text: t('insights.' + kind), title: t('insights.' + kind + '.tip') }),
      el('div', { className: 'block-figures' }, [
        figure(t('insights.so_far'), t('insights.so_far.tip'), c.this.cost_usd, costText(c.this), kind + ':this'),
        figure(t('insights.last_to_point'), t('insights.last_to_point.tip', { until: dateTime(c.last.end_ms) }), c.last.cost_usd, costText(c.last), kind + ':last'),
        el('div', null, [el('span', { className: 'label', title: t('insights.change.tip'), text: t('insights.change') }), node]),
      ]),
    ]);
  });
  $('compare-figures').replaceChildren(...rows);
}

function renderPlan(plan) {
  const nodes = [
    figure(t('insights.month_so_far'), t('insights.month_so_far.tip'), plan.month_so_far_usd, usd(plan.month_so_far_usd), 'plan:so_far'),
    figure(t('insights.projected'), t('insights.projected.tip'), plan.projected_month_usd === null ? '' : plan.projected_month_usd,
      plan.projected_month_usd === null ? '\u2013' : usd(plan.projected_month_usd), 'plan:projected'),
  ];
  if (plan.plan_usd_per_month !== null) {
    nodes.push(figure(t('insights.plan_price'), t('insights.plan_price.tip'), plan.plan_usd_per_month, usd(plan.plan_usd_per_month), 'plan:price'));
    const times = plan.projected_per_mille_of_plan;
    nodes.push(figure(t('insights.times'), t('insights.times.tip'), times === null ? '' : times,
      times === null ? '\u2013' : decimal(times / 1000, 1) + '\u00d7', 'plan:times'));
  }
  $('plan-figures').replaceChildren(...nodes);
  $('plan-note').textContent = plan.budgets_error ? plan.budgets_error
    : plan.plan_usd_per_month === null ? t('insights.no_plan') : t('insights.plan_note');
}

// One column per day; `parts(day)` gives [{value 0..1, colour, title}], stacked from the bottom.
function columns(container, days, parts) {
  const nodes = days.map((day) => {
    const stack = parts(day).map((part) => {
      const segment = el('span', { className: 'segment', title: part.title, dataset: part.data });
      segment.style.height = (Math.max(0, Math.min(1, part.value)) * 100).toFixed(2) + '%';
      if (part.colour) segment.style.background = part.colour;
      return segment;
    });
    return el('div', { className: 'column', dataset: { day: day.period } }, [el('div', { className: 'stack' }, stack), el('span', { className: 'column-label', text: shortDayLabel(day.period) })]);
  });
  container.replaceChildren(...nodes);
}

function hitRate(u) {
  const prompt = u.input_tokens + u.cache_creation_input_tokens + u.cache_read_input_tokens;
  return prompt > 0 ? u.cache_read_input_tokens / prompt : 0;
}

function renderCache(daily) {
  columns($('cache-chart'), daily.periods, (day) => {
    const rate = hitRate(day);
    return [{ value: rate, data: { value: String(rate) }, title: dayLabel(day.period) + ': ' + t('insights.hit', { rate: percent(rate) }) }];
  });
}

function renderMix(daily) {
  const seen = new Set();
  columns($('mix-chart'), daily.periods, (day) => {
    const total = day.cost_usd;
    return Object.entries(day.by_model).sort((a, b) => b[1].cost_usd - a[1].cost_usd).map(([model, u]) => {
      seen.add(model);
      const share = total > 0 ? u.cost_usd / total : 0;
      return { value: share, colour: modelColour(model), data: { model }, title: dayLabel(day.period) + ' \u00b7 ' + shortModel(model) + ': ' + percent(share) + ' (' + usd(u.cost_usd) + ')' };
    });
  });
  $('mix-legend').replaceChildren(...[...seen].sort().map((model) => {
    const swatch = el('span', { className: 'swatch' });
    swatch.style.background = modelColour(model);
    return el('span', { className: 'legend-item' }, [swatch, shortModel(model)]);
  }));
}

// Per day: the model working, tools running, waiting for the user, stacked as shares of the
// busiest day's wall time.
const ACTIVITY_PARTS = [['api_ms', 'api', '#7c3aed'], ['tool_ms', 'tools', '#0d9488'], ['idle_ms', 'idle', '#cbd5e1']];
function renderActivity(activity) {
  $('activity-none').hidden = activity.days.length > 0;
  const most = Math.max(1, ...activity.days.map((d) => d.api_ms + d.tool_ms + d.idle_ms));
  columns($('activity-chart'), activity.days, (day) => ACTIVITY_PARTS.map(([key, name, colour]) => ({
    value: day[key] / most, colour, data: { part: key, value: String(day[key]) },
    title: dayLabel(day.period) + ' \u00b7 ' + t('activity.' + name) + ': ' + duration(day[key]),
  })));
  $('activity-legend').replaceChildren(...ACTIVITY_PARTS.map(([, name, colour]) => {
    const swatch = el('span', { className: 'swatch' });
    swatch.style.background = colour;
    return el('span', { className: 'legend-item' }, [swatch, t('activity.' + name)]);
  }));
  const totals = activity.totals;
  $('activity-totals').replaceChildren(
    figure(t('activity.sessions'), t('activity.sessions.tip'), totals.sessions, count(totals.sessions), 'activity:sessions'),
    figure(t('activity.api'), t('activity.api.tip'), totals.api_ms, duration(totals.api_ms), 'activity:api'),
    figure(t('activity.tools'), t('activity.tools.tip'), totals.tool_ms, duration(totals.tool_ms), 'activity:tools'),
    figure(t('activity.idle'), t('activity.idle.tip'), totals.idle_ms, duration(totals.idle_ms), 'activity:idle'),
    figure(t('activity.lines'), t('activity.lines.tip'), totals.lines_added, t('activity.lines_value', { added: count(totals.lines_added), removed: count(totals.lines_removed) }), 'activity:lines'));
}

function header(names) {
  return el('thead', null, [el('tr', null, names.map(([name, num]) =>
    el('th', { className: num ? 'num' : '', title: t('col.' + name + '.tip'), text: t('col.' + name) })))]);
}
function openSession(tr, sessionId) {
  const go = () => { location.hash = '#/session/' + encodeURIComponent(sessionId); };
  tr.addEventListener('click', go);
  tr.addEventListener('keydown', (event) => { if (event.key === 'Enter') go(); });
  return tr;
}

function renderTopTurns(turns) {
  const rows = turns.map((turn) => openSession(el('tr', { className: 'clickable', tabindex: '0', dataset: { session: turn.session_id, start: String(turn.start_ms) } }, [
    el('td', { text: dateTime(turn.start_ms) }),
    el('td', { title: turn.project, text: projectName(turn.project) }),
    el('td', { className: 'num', text: count(turn.unique_responses) }),
    el('td', { className: 'num', dataset: { value: String(turn.cost_usd) }, text: costText(turn) }),
  ]), turn.session_id));
  $('top-turns-table').replaceChildren(header([['started'], ['project'], ['responses', true], ['cost', true]]), el('tbody', null, rows));
}

function renderTopSessions(sessions) {
  const rows = sessions.map((s) => openSession(el('tr', { className: 'clickable', tabindex: '0', dataset: { session: s.session_id } }, [
    el('td', { text: dateTime(s.last_ms) }),
    el('td', { title: s.project, text: projectName(s.project) }),
    el('td', { className: 'num', text: count(s.unique_responses) }),
    el('td', { className: 'num', dataset: { value: String(s.cost_usd) }, text: costText(s) }),
  ]), s.session_id));
  $('top-sessions-table').replaceChildren(header([['last_activity'], ['project'], ['responses', true], ['cost', true]]), el('tbody', null, rows));
}

function renderSpread(insights) {
  $('spread-figures').replaceChildren(
    figure(t('insights.turn_count'), t('insights.turn_count.tip'), insights.turns, count(insights.turns), 'turns'),
    figure(t('insights.p50'), t('insights.p50.tip'), insights.p50_turn_usd, usd(insights.p50_turn_usd), 'p50'),
    figure(t('insights.p90'), t('insights.p90.tip'), insights.p90_turn_usd, usd(insights.p90_turn_usd), 'p90'),
    figure(t('insights.p99'), t('insights.p99.tip'), insights.p99_turn_usd, usd(insights.p99_turn_usd), 'p99'));
  const most = Math.max(1, ...insights.turn_cost_buckets.map((b) => b.turns));
  let from = 0;
  const bars = insights.turn_cost_buckets.map((bucket) => {
    const label = bucket.below_usd === null ? t('insights.above', { from: usd(from) }) : t('insights.range', { from: usd(from), below: usd(bucket.below_usd) });
    if (bucket.below_usd !== null) from = bucket.below_usd;
    const bar = el('span', { className: 'hbar' });
    bar.style.width = (bucket.turns / most * 100).toFixed(1) + '%';
    const value = el('span', { className: 'hbar-count' });
    setNumber(value, bucket.turns, count(bucket.turns));
    return el('div', { className: 'hbar-row', title: plural('insights.bucket', bucket.turns, { range: label }) }, [el('span', { className: 'hbar-label', text: label }), el('span', { className: 'hbar-track' }, [bar]), value]);
  });
  $('spread-bars').replaceChildren(...bars);
}
