// The Overview: period cards, the current 5-hour block, sessions active now, the daily cost
// chart (uPlot, loaded by index.html in the background), the weekday x hour heatmap, the plan
// limits and budgets (limits_panel.js) and the client check. Every number is the server's;
// data-value carries the raw API value.
import { api, showError } from '../api.js';
import { modelColour } from '../colours.js';
import { $, el, setNumber } from '../dom.js';
import {
  MONTHS, MONTHS_LONG, WEEKDAYS, WEEKDAYS_LONG, checkUsd, compact, costText, count, dateTime, dayLabel,
  dayText, duration, pad, projectName, shortModel, signedUsd, timeOfDay, totalTokens, usd, usdAxis, usdPrecise,
} from '../format.js';
import { language, plural, t } from '../i18n.js';
import { renderMeta } from './footer.js';
import { renderLimits } from './limits_panel.js';

// ---- overview: period cards ----

const PERIODS = ['today', 'this_week', 'this_month', 'all_time'];
const KINDS = [
  ['input_tokens', 'input_usd', 'input'],
  ['output_tokens', 'output_usd', 'output'],
  ['cache_creation_input_tokens', 'cache_write_usd', 'cache_write'],
  ['cache_read_input_tokens', 'cache_read_usd', 'cache_read'],
];

function buildCards() {
  const cards = [];
  for (const key of PERIODS) {
    const rows = KINDS.map(([tokens, cost, name]) => el('tr', { title: t('kind.' + name + '.tip') }, [
      el('th', { scope: 'row', text: t('kind.' + name) }),
      el('td', { dataset: { field: tokens } }),
      el('td', { dataset: { part: cost } }),
    ]));
    const card = el('article', { className: 'card', dataset: { period: key } }, [
      el('h3', { text: t('period.' + key), title: t('period.' + key + '.tip') }),
      el('div', { className: 'big', title: t('card.cost.tip'), dataset: { field: 'cost_usd' }, text: '\u2014' }),
      el('div', { className: 'sub' }, [
        el('span', { title: t('card.tokens.tip') }, [el('span', { dataset: { field: 'total_tokens' }, text: '\u2014' }), t('card.tokens')]),
        el('span', { title: t('card.responses.tip') }, [el('span', { dataset: { field: 'unique_responses' }, text: '\u2014' }), el('span', { dataset: { plural: 'responses' }, text: plural('card.responses', 2) })]),
      ]),
      el('table', { className: 'kinds' }, [el('tbody', null, rows)]),
      el('div', { className: 'saved', title: t('card.saved.tip') }, [t('card.saved'), el('span', { dataset: { part: 'cache_savings_usd' } })]),
    ]);
    cards.push(card);
  }
  $('period-cards').replaceChildren(...cards);
}

function renderSummary(summary) {
  for (const key of PERIODS) {
    const card = document.querySelector('.card[data-period="' + key + '"]');
    const usage = summary[key];
    const parts = summary.cost_parts[key];
    setNumber(card.querySelector('[data-field="cost_usd"]'), usage.cost_usd, costText(usage));
    setNumber(card.querySelector('[data-field="total_tokens"]'), totalTokens(usage), compact(totalTokens(usage)), t('tokens.n', { n: count(totalTokens(usage)) }));
    setNumber(card.querySelector('[data-field="unique_responses"]'), usage.unique_responses, count(usage.unique_responses));
    card.querySelector('[data-plural="responses"]').textContent = plural('card.responses', usage.unique_responses);
    for (const [tokens, cost] of KINDS) {
      setNumber(card.querySelector('[data-field="' + tokens + '"]'), usage[tokens], compact(usage[tokens]), t('tokens.n', { n: count(usage[tokens]) }));
      setNumber(card.querySelector('[data-part="' + cost + '"]'), parts[cost], usd(parts[cost]));
    }
    setNumber(card.querySelector('[data-part="cache_savings_usd"]'), parts.cache_savings_usd, usd(parts.cache_savings_usd));
    if (usage.unpriced_responses > 0) card.title = t('card.unpriced', { models: usage.unpriced_models.join(', ') });
  }
}

// ---- overview: block and active sessions ----

function renderBlock(blocks) {
  const active = blocks.blocks.filter((b) => b.active).pop();
  $('block-none').hidden = !!active;
  $('block-active').hidden = !active;
  if (!active) return;
  setNumber($('block-cost'), active.cost_usd, costText(active));
  setNumber($('block-burn'), active.burn_usd_per_hour, t('block.per_hour', { usd: usd(active.burn_usd_per_hour) }));
  setNumber($('block-projected'), active.projected_usd, usd(active.projected_usd));
  setNumber($('block-tokens'), totalTokens(active), compact(totalTokens(active)), t('tokens.n', { n: count(totalTokens(active)) }));
  const elapsed = Math.min(1, Math.max(0, (blocks.now_ms - active.start_ms) / (active.end_ms - active.start_ms)));
  $('block-progress').style.width = (elapsed * 100).toFixed(1) + '%';
  $('block-window').textContent = dateTime(active.start_ms) + ' \u2013 ' + timeOfDay(active.end_ms).slice(0, 5) +
    ' \u00b7 ' + t('block.left', { duration: duration(active.end_ms - blocks.now_ms) });
}

let activeTable = null;
function renderActive(active) {
  const rows = active.sessions;
  $('active-none').hidden = rows.length > 0;
  $('active-table').hidden = rows.length === 0;
  const body = rows.map((s) => {
    const tr = el('tr', { className: 'clickable', tabindex: '0', dataset: { key: s.session_id } }, [
      el('td', { title: s.project, text: projectName(s.project) }),
      el('td', { className: 'optional', text: s.models.map(shortModel).join(', ') }),
      el('td', { className: 'num', text: duration(s.last_ms - s.first_ms) }),
      el('td', { className: 'num', dataset: { value: String(s.cost_usd) }, text: costText(s) }),
    ]);
    tr.addEventListener('click', () => { location.hash = '#/session/' + encodeURIComponent(s.session_id); });
    return tr;
  });
  if (!activeTable) activeTable = $('active-table').querySelector('tbody');
  activeTable.replaceChildren(...body);
}

// ---- overview: the most recent responses ----

function sameDay(a, b) { return new Date(a).toDateString() === new Date(b).toDateString(); }
// Today's responses show their time, older ones their date and time.
function renderRecent(recent) {
  const rows = recent.responses;
  $('recent-none').hidden = rows.length > 0;
  $('recent-table').hidden = rows.length === 0;
  const body = rows.map((r) => {
    const tr = el('tr', { className: 'clickable', tabindex: '0', dataset: { key: r.request_id + '/' + r.message_id } }, [
      el('td', { title: dateTime(r.timestamp_ms), text: sameDay(r.timestamp_ms, Date.now()) ? timeOfDay(r.timestamp_ms) : dateTime(r.timestamp_ms) }),
      el('td', { title: r.project, text: projectName(r.project) }),
      el('td', { className: 'optional', text: shortModel(r.model) }),
      el('td', { title: r.agent_id, text: r.chain === 'main' ? t('recent.main') : t('recent.subagent') }),
      el('td', { className: 'num optional', title: count(r.input_tokens), text: compact(r.input_tokens) }),
      el('td', { className: 'num', title: count(r.output_tokens), text: compact(r.output_tokens) }),
      el('td', { className: 'num optional', title: count(r.cache_creation_input_tokens), text: compact(r.cache_creation_input_tokens) }),
      el('td', { className: 'num optional', title: count(r.cache_read_input_tokens), text: compact(r.cache_read_input_tokens) }),
      el('td', { className: 'num', dataset: { value: r.cost_usd === null ? '' : r.cost_usd },
        text: r.cost_micro_usd === null ? t('recent.unpriced') : usdPrecise(r.cost_micro_usd / 1e6) }),
    ]);
    tr.addEventListener('click', () => { location.hash = '#/session/' + encodeURIComponent(r.session_id); });
    tr.addEventListener('keydown', (event) => { if (event.key === 'Enter') location.hash = '#/session/' + encodeURIComponent(r.session_id); });
    return tr;
  });
  $('recent-table').querySelector('tbody').replaceChildren(...body);
}

// ---- overview: the client check ----

function checkCells(day, label, sessions) {
  return [
    el('td', { text: label }),
    el('td', { className: 'num', text: count(sessions) }),
    el('td', { className: 'num', dataset: { value: String(day.transcripts_usd) }, text: checkUsd(day.transcripts_usd) }),
    el('td', { className: 'num', dataset: { value: String(day.side_calls_usd) }, text: day.side_calls === 0 ? '\u2013' : checkUsd(day.side_calls_usd) + ' (' + count(day.side_calls) + ')' }),
    el('td', { className: 'num', dataset: { value: String(day.client_usd) }, text: checkUsd(day.client_usd) }),
    el('td', { className: 'num', dataset: { value: String(day.difference_usd) }, text: signedUsd(day.difference_usd) }),
  ];
}
function renderCheck(check) {
  const days = check.days.slice().reverse();  // most recent first
  $('check-none').hidden = days.length > 0;
  $('check-table').hidden = days.length === 0;
  $('check-table').querySelector('tbody').replaceChildren(
    ...days.map((day) => el('tr', null, checkCells(day, dayLabel(day.day), day.sessions))));
  $('check-table').querySelector('tfoot').replaceChildren(
    el('tr', null, checkCells(check.totals, t('total'), check.totals.sessions)));
}

// ---- overview: daily chart ----

let dailyChart = null;
let dailyModels = '';
let selectedDays = '30';

function chartColours() {
  const style = getComputedStyle(document.documentElement);
  return { text: style.getPropertyValue('--muted').trim(), grid: style.getPropertyValue('--line').trim() };
}

// Local midnights from `since` to `until` (exclusive) as "YYYY-MM-DD" labels.
function dayLabels(sinceMs, untilMs) {
  const labels = [];
  const d = new Date(sinceMs);
  d.setHours(12, 0, 0, 0);
  while (d.getTime() < untilMs && labels.length < 4000) {
    labels.push(d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()));
    d.setDate(d.getDate() + 1);
  }
  return labels;
}

// uPlot loads async (the numbers do not wait for it); the chart waits for it.
function uPlotReady() {
  if (window.uPlot) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const script = $('uplot-script');
    script.addEventListener('load', resolve, { once: true });
    script.addEventListener('error', () => reject(new Error(t('error.chart'))), { once: true });
  });
}

function renderDaily(daily) {
  const byLabel = new Map(daily.periods.map((p) => [p.period, p]));
  let labels = daily.since_ms ? dayLabels(daily.since_ms, daily.until_ms) : [];
  for (const p of daily.periods) if (!labels.includes(p.period)) labels.push(p.period);
  labels.sort();
  const totals = new Map();
  for (const p of daily.periods) {
    for (const [model, usage] of Object.entries(p.by_model)) totals.set(model, (totals.get(model) || 0) + usage.cost_usd);
  }
  // Cheapest model first: series 1 is the whole bar and shows its top part, so the most
  // expensive model ends up at the bottom of each bar.
  const models = [...totals.keys()].sort((a, b) => totals.get(a) - totals.get(b));
  const xs = labels.map((label) => {
    const [y, m, d] = label.split('-').map(Number);
    return new Date(y, m - 1, d, 0, 0, 0).getTime() / 1000;
  });
  const raw = models.map((model) => labels.map((label) => {
    const p = byLabel.get(label);
    return p && p.by_model[model] ? p.by_model[model].cost_usd : 0;
  }));
  // Stacked: series k holds the sum of models k..n-1 (drawn in order, each over the last).
  const stacked = [];
  for (let k = 0; k < models.length; ++k) {
    stacked.push(labels.map((_, i) => {
      let sum = 0;
      for (let j = k; j < models.length; ++j) sum += raw[j][i];
      return sum;
    }));
  }
  const data = [xs, ...stacked];
  const container = $('daily-chart');
  container.dataset.total = String(daily.totals.cost_usd);
  setNumber($('daily-total'), daily.totals.cost_usd,
    plural('daily.total', daily.periods.length, { cost: costText(daily.totals) }));
  const key = models.join('|') + '#' + selectedDays + '#' + chartColours().text;
  if (dailyChart && key === dailyModels) {
    dailyChart.rawValues = raw;
    dailyChart.setData(data);
    fitChart();
    return;
  }
  if (dailyChart) dailyChart.destroy();
  dailyModels = key;
  const colours = chartColours();
  const bars = uPlot.paths.bars({ size: [0.8, 48], gap: 1 });
  const series = [{ label: t('daily.day'), value: (u, v) => (v == null ? '' : dateLabel(v)) }];
  for (let k = 0; k < models.length; ++k) {
    const model = models[k];
    const colour = modelColour(model);
    series[k + 1] = {
      label: shortModel(model),
      stroke: colour,
      fill: colour,
      width: 0,
      paths: bars,
      points: { show: false },
      value: (u, v, si, i) => (i == null ? '' : usd(u.rawValues[si - 1][i])),
    };
  }
  const width = container.clientWidth || 600;
  dailyChart = new uPlot({
    width,
    height: 260,
    cursor: { drag: { x: false, y: false }, points: { show: false } },
    // Half a day either side, so the first and last bars are whole.
    scales: { x: { time: true, range: (u, min, max) => [min - 43200, max + 43200] }, y: { range: (u, min, max) => [0, max > 0 ? max * 1.08 : 1] } },
    series,
    axes: [
      // German dates on the axis are day.month. (uPlot's own are month/day).
      { stroke: colours.text, grid: { show: false }, ticks: { stroke: colours.grid }, values: language() === 'de' ? germanDays : undefined },
      { stroke: colours.text, grid: { stroke: colours.grid }, ticks: { show: false }, size: 60, values: (u, values) => values.map(usdAxis) },
    ],
    legend: { live: true },
    // Month and weekday names on the time axis in the page's language.
    fmtDate: (template) => uPlot.fmtDate(template, { MMMM: MONTHS_LONG, MMM: MONTHS, WWWW: WEEKDAYS_LONG, WWW: [WEEKDAYS[6], ...WEEKDAYS.slice(0, 6)] }),
  }, data, container);
  dailyChart.rawValues = raw;
}
// Follows the panel's width (not while the overview is hidden: it has none then).
function fitChart() {
  if (!dailyChart) return;
  const width = $('daily-chart').clientWidth;
  if (width > 0 && Math.abs(width - dailyChart.width) > 1) dailyChart.setSize({ width, height: 260 });
}
function germanDays(u, splits) {
  return splits.map((seconds) => {
    const d = new Date(seconds * 1000);
    return d.getDate() + '.' + (d.getMonth() + 1) + '.';
  });
}
function dateLabel(seconds) {
  const d = new Date(seconds * 1000);
  return WEEKDAYS[(d.getDay() + 6) % 7] + ' ' + dayText(d.getFullYear(), d.getMonth() + 1, d.getDate());
}

// ---- overview: heatmap ----

function renderHeatmap(heatmap) {
  const grid = $('heatmap');
  const max = heatmap.max_cost_usd || 0;
  const byCell = new Map(heatmap.cells.map((c) => [c.weekday * 24 + c.hour, c]));
  if (!grid.childElementCount) {
    const nodes = [el('span')];
    for (let h = 0; h < 24; ++h) nodes.push(el('span', { className: 'hm-hour', text: h % 3 === 0 ? String(h) : '' }));
    for (let w = 0; w < 7; ++w) {
      nodes.push(el('span', { className: 'hm-label', text: WEEKDAYS[w] }));
      for (let h = 0; h < 24; ++h) nodes.push(el('span', { className: 'hm-cell', dataset: { cell: String(w * 24 + h) } }));
    }
    grid.replaceChildren(...nodes);
  }
  for (const cell of grid.querySelectorAll('.hm-cell')) {
    const index = Number(cell.dataset.cell);
    const c = byCell.get(index);
    const cost = c ? c.cost_usd : 0;
    const level = max > 0 ? Math.sqrt(cost / max) : 0;
    cell.style.setProperty('--level', c ? Math.max(0.08, level).toFixed(3) : '0');
    cell.dataset.value = String(cost);
    const w = Math.floor(index / 24);
    const h = index % 24;
    cell.title = WEEKDAYS[w] + ' ' + pad(h) + ':00\u2013' + pad((h + 1) % 24) + ':00 \u00b7 ' + usd(cost) +
      (c ? t('heatmap.responses', { n: count(c.unique_responses) }) : '');
  }
}

let firstNumbers = false;

// Fetches everything at once; the period cards are drawn first (the first numbers), the rest
// after them.
export async function load() {
  const summary = api('/api/summary').then((data) => {
    renderSummary(data);
    if (!firstNumbers) {
      firstNumbers = true;
      performance.mark('ccmeter:first-numbers');
      document.body.dataset.firstNumbers = '1';
    }
  });
  const then = (request, render) => Promise.all([request, summary]).then(([data]) => render(data));
  await Promise.all([
    summary,
    then(api('/api/active?minutes=10'), renderActive),
    then(api('/api/responses?limit=20'), renderRecent),
    then(api('/api/blocks?hours=24'), renderBlock),
    then(Promise.all([api('/api/daily?days=' + selectedDays), uPlotReady()]).then(([daily]) => daily), renderDaily),
    then(api('/api/heatmap'), renderHeatmap),
    then(api('/api/check?days=30'), renderCheck),
    then(api('/api/limits'), renderLimits),
    then(api('/api/meta'), renderMeta),
  ]);
}

// Builds the cards and wires the day range buttons; `refresh` reloads the view (the chart's
// colours follow the theme).
export function init(refresh) {
  buildCards();
  for (const button of $('days-select').querySelectorAll('button')) {
    button.addEventListener('click', () => {
      selectedDays = button.dataset.days;
      for (const other of $('days-select').querySelectorAll('button')) other.setAttribute('aria-pressed', String(other === button));
      Promise.all([api('/api/daily?days=' + selectedDays), uPlotReady()]).then(([daily]) => renderDaily(daily)).catch(showError);
    });
  }
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => { dailyModels = ''; refresh(); });
}

// The chart follows the panel's width.
export function fit() { fitChart(); }
