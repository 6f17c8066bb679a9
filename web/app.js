// ccmeter web view: vanilla JavaScript, no build step. Reads the daemon's JSON API (/api/...),
// follows its Server-Sent Events (/api/events) and updates numbers in place.
//
// Every number shown carries its raw API value in data-value (what the end-to-end test
// compares with the API and with `hookctl stats --json`).
(function () {
  'use strict';

  // ---- formatting ----

  const usdFormat = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const countFormat = new Intl.NumberFormat('en-US');
  const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

  // Dollars and cents; spending under half a cent is "<$0.01", never "$0.00".
  function usd(value) {
    if (value === 0) return '$0.00';
    if (Math.abs(value) < 0.005) return value < 0 ? '-<$0.01' : '<$0.01';
    return (value < 0 ? '-$' : '$') + usdFormat.format(Math.abs(value));
  }
  function usdPrecise(value) {
    if (Math.abs(value) >= 1) return usd(value);
    return '$' + value.toFixed(4);
  }
  function count(value) { return countFormat.format(value); }
  function compact(value) {
    const abs = Math.abs(value);
    if (abs < 1e3) return String(value);
    if (abs < 1e6) return (value / 1e3).toFixed(abs < 1e4 ? 1 : 0) + 'k';
    if (abs < 1e9) return (value / 1e6).toFixed(abs < 1e7 ? 2 : 1) + 'M';
    return (value / 1e9).toFixed(2) + 'B';
  }
  function percent(rate) { return (rate * 100).toFixed(1) + '%'; }
  function duration(ms) {
    const minutes = Math.max(0, Math.floor(ms / 60000));
    const h = Math.floor(minutes / 60);
    const m = minutes % 60;
    if (h >= 24) return Math.floor(h / 24) + 'd ' + (h % 24) + 'h';
    return h > 0 ? h + 'h ' + String(m).padStart(2, '0') + 'm' : m + 'm';
  }
  function dateTime(ms) {
    const d = new Date(ms);
    return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + ' ' +
      pad(d.getHours()) + ':' + pad(d.getMinutes());
  }
  function timeOfDay(ms) {
    const d = new Date(ms);
    return pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds());
  }
  function pad(n) { return String(n).padStart(2, '0'); }
  function shortModel(model) {
    return model.replace(/^claude-/, '').replace(/-\d{8}$/, '');
  }
  function projectName(path) {
    if (!path) return '(unknown)';
    const parts = path.split('/').filter(Boolean);
    return parts.length ? parts[parts.length - 1] : path;
  }
  function totalTokens(u) {
    return u.input_tokens + u.output_tokens + u.cache_creation_input_tokens + u.cache_read_input_tokens;
  }
  function costText(u) {
    return usd(u.cost_usd) + (u.unpriced_responses > 0 ? '+?' : '');
  }

  // ---- DOM helpers ----

  function $(id) { return document.getElementById(id); }
  function el(tag, options, children) {
    const node = document.createElement(tag);
    if (options) {
      for (const [key, value] of Object.entries(options)) {
        if (value === undefined || value === null) continue;
        if (key === 'text') node.textContent = value;
        else if (key === 'className') node.className = value;
        else if (key === 'dataset') Object.assign(node.dataset, value);
        else node.setAttribute(key, value);
      }
    }
    for (const child of children || []) if (child) node.append(child);
    return node;
  }
  // Sets a number's text and raw value, only when it changed (no flicker, no reflow).
  function setNumber(node, value, text, title) {
    if (!node) return;
    const raw = String(value);
    if (node.dataset.value !== raw || node.textContent !== text) {
      node.dataset.value = raw;
      node.textContent = text;
    }
    if (title !== undefined) node.title = title;
  }

  // ---- API ----

  async function api(path) {
    // The server says no-store; /api/summary was preloaded by index.html (same request).
    const response = await fetch(path);
    const body = await response.json().catch(() => ({ error: response.statusText }));
    if (!response.ok) {
      const error = new Error(body.error || response.statusText);
      error.status = response.status;
      throw error;
    }
    return body;
  }
  function showError(error) {
    const box = $('error');
    if (!error) { box.hidden = true; return; }
    box.textContent = 'Could not load data: ' + error.message;
    box.hidden = false;
  }

  // ---- model colours ----

  const PALETTE = ['#7c3aed', '#0d9488', '#d97706', '#2563eb', '#db2777', '#65a30d', '#dc2626', '#0891b2', '#9333ea', '#ca8a04'];
  const FAMILY = [[/opus/, ['#7c3aed', '#a78bfa', '#5b21b6', '#c4b5fd']], [/sonnet/, ['#0d9488', '#2dd4bf', '#115e59', '#5eead4']],
    [/haiku/, ['#d97706', '#fbbf24', '#92400e', '#fcd34d']]];
  const colourOf = new Map();
  function modelColour(model) {
    if (colourOf.has(model)) return colourOf.get(model);
    let colour = null;
    for (const [pattern, shades] of FAMILY) {
      if (!pattern.test(model)) continue;
      const used = [...colourOf.values()];
      colour = shades.find((c) => !used.includes(c)) || null;
      break;
    }
    if (!colour) colour = PALETTE.find((c) => ![...colourOf.values()].includes(c)) || PALETTE[colourOf.size % PALETTE.length];
    colourOf.set(model, colour);
    return colour;
  }

  // ---- sortable tables ----

  // columns: [{key, label, value(row) -> sortable, cell(row) -> Node|string, num, optional}]
  class SortableTable {
    constructor(table, columns, options) {
      this.table = table;
      this.columns = columns;
      this.options = options || {};
      this.rows = [];
      this.sortKey = this.options.sortKey || columns[0].key;
      this.sortDir = this.options.sortDir || 'desc';
      this.filter = '';
      const headRow = el('tr');
      for (const column of columns) {
        const th = el('th', { className: (column.num ? 'num' : '') + (column.optional ? ' optional' : ''), scope: 'col', dataset: { key: column.key } });
        const button = el('button', { type: 'button', text: column.label });
        button.addEventListener('click', () => this.sortBy(column.key));
        th.append(button);
        headRow.append(th);
      }
      this.thead = el('thead', null, [headRow]);
      this.tbody = el('tbody');
      this.tfoot = el('tfoot');
      table.replaceChildren(this.thead, this.tbody, this.tfoot);
      this.updateHeaders();
    }
    sortBy(key) {
      if (this.sortKey === key) this.sortDir = this.sortDir === 'asc' ? 'desc' : 'asc';
      else { this.sortKey = key; this.sortDir = this.columns.find((c) => c.key === key).num ? 'desc' : 'asc'; }
      this.updateHeaders();
      this.render();
    }
    updateHeaders() {
      for (const th of this.thead.querySelectorAll('th')) {
        if (th.dataset.key === this.sortKey) th.setAttribute('aria-sort', this.sortDir === 'asc' ? 'ascending' : 'descending');
        else th.removeAttribute('aria-sort');
      }
    }
    setRows(rows, footer) {
      this.rows = rows;
      this.footer = footer;
      this.render();
    }
    setFilter(text) {
      this.filter = text.trim().toLowerCase();
      this.render();
    }
    render() {
      const column = this.columns.find((c) => c.key === this.sortKey);
      const sign = this.sortDir === 'asc' ? 1 : -1;
      let rows = this.rows;
      if (this.filter && this.options.filterText) {
        rows = rows.filter((row) => this.options.filterText(row).toLowerCase().includes(this.filter));
      }
      rows = rows.slice().sort((a, b) => {
        const x = column.value(a);
        const y = column.value(b);
        if (x < y) return -sign;
        if (x > y) return sign;
        return 0;
      });
      const limit = this.options.limit || Infinity;
      const shown = rows.slice(0, limit);
      const body = [];
      for (const row of shown) {
        const tr = el('tr');
        if (this.options.rowKey) tr.dataset.key = this.options.rowKey(row);
        if (this.options.onClick) {
          tr.className = 'clickable';
          tr.tabIndex = 0;
          tr.addEventListener('click', () => this.options.onClick(row));
          tr.addEventListener('keydown', (event) => { if (event.key === 'Enter') this.options.onClick(row); });
        }
        for (const c of this.columns) {
          const td = el('td', { className: (c.num ? 'num' : '') + (c.optional ? ' optional' : '') + (c.wrap ? ' wrap' : '') });
          td.dataset.col = c.key;
          const content = c.cell(row);
          if (content instanceof Node) td.append(content); else td.textContent = content;
          if (c.raw) td.dataset.value = String(c.raw(row));
          if (c.title) td.title = c.title(row);
          tr.append(td);
        }
        body.push(tr);
      }
      this.tbody.replaceChildren(...body);
      if (this.footer) {
        const tr = el('tr');
        for (const c of this.columns) {
          const td = el('td', { className: (c.num ? 'num' : '') + (c.optional ? ' optional' : '') });
          td.dataset.col = c.key;
          const content = this.footer[c.key];
          if (content !== undefined) {
            if (content instanceof Node) td.append(content); else td.textContent = content;
          }
          tr.append(td);
        }
        this.tfoot.replaceChildren(tr);
      }
      if (this.options.onRender) this.options.onRender(shown.length, rows.length, this.rows.length);
    }
  }

  // Token columns shared by projects, models and turns.
  function tokenColumns() {
    return [
      { key: 'input_tokens', label: 'Input', num: true, optional: true, value: (r) => r.input_tokens, cell: (r) => compact(r.input_tokens), title: (r) => count(r.input_tokens), raw: (r) => r.input_tokens },
      { key: 'output_tokens', label: 'Output', num: true, value: (r) => r.output_tokens, cell: (r) => compact(r.output_tokens), title: (r) => count(r.output_tokens), raw: (r) => r.output_tokens },
      { key: 'cache_creation_input_tokens', label: 'Cache write', num: true, optional: true, value: (r) => r.cache_creation_input_tokens, cell: (r) => compact(r.cache_creation_input_tokens), title: (r) => count(r.cache_creation_input_tokens), raw: (r) => r.cache_creation_input_tokens },
      { key: 'cache_read_input_tokens', label: 'Cache read', num: true, optional: true, value: (r) => r.cache_read_input_tokens, cell: (r) => compact(r.cache_read_input_tokens), title: (r) => count(r.cache_read_input_tokens), raw: (r) => r.cache_read_input_tokens },
    ];
  }
  function costColumn() {
    return { key: 'cost_usd', label: 'Cost', num: true, value: (r) => r.cost_usd, cell: (r) => costText(r), raw: (r) => r.cost_usd };
  }
  function tokenFooter(totals) {
    return {
      input_tokens: compact(totals.input_tokens),
      output_tokens: compact(totals.output_tokens),
      cache_creation_input_tokens: compact(totals.cache_creation_input_tokens),
      cache_read_input_tokens: compact(totals.cache_read_input_tokens),
      cost_usd: costText(totals),
    };
  }

  // ---- overview: period cards ----

  const PERIODS = [['today', 'Today'], ['this_week', 'This week'], ['this_month', 'This month'], ['all_time', 'All time']];
  const KINDS = [
    ['input_tokens', 'input_usd', 'Input'],
    ['output_tokens', 'output_usd', 'Output'],
    ['cache_creation_input_tokens', 'cache_write_usd', 'Cache write'],
    ['cache_read_input_tokens', 'cache_read_usd', 'Cache read'],
  ];

  function buildCards() {
    const cards = [];
    for (const [key, label] of PERIODS) {
      const rows = KINDS.map(([tokens, cost, name]) => el('tr', null, [
        el('th', { scope: 'row', text: name }),
        el('td', { dataset: { field: tokens } }),
        el('td', { dataset: { part: cost } }),
      ]));
      const card = el('article', { className: 'card', dataset: { period: key } }, [
        el('h3', { text: label }),
        el('div', { className: 'big', dataset: { field: 'cost_usd' }, text: '\u2014' }),
        el('div', { className: 'sub' }, [
          el('span', { dataset: { field: 'total_tokens' }, text: '\u2014' }), ' tokens \u00b7 ',
          el('span', { dataset: { field: 'unique_responses' }, text: '\u2014' }), el('span', { dataset: { plural: 'responses' }, text: ' responses' }),
        ]),
        el('table', { className: 'kinds' }, [el('tbody', null, rows)]),
        el('div', { className: 'saved' }, ['Cache saved ', el('span', { dataset: { part: 'cache_savings_usd' } })]),
      ]);
      cards.push(card);
    }
    $('period-cards').replaceChildren(...cards);
  }

  function renderSummary(summary) {
    for (const [key] of PERIODS) {
      const card = document.querySelector('.card[data-period="' + key + '"]');
      const usage = summary[key];
      const parts = summary.cost_parts[key];
      setNumber(card.querySelector('[data-field="cost_usd"]'), usage.cost_usd, costText(usage));
      setNumber(card.querySelector('[data-field="total_tokens"]'), totalTokens(usage), compact(totalTokens(usage)), count(totalTokens(usage)));
      setNumber(card.querySelector('[data-field="unique_responses"]'), usage.unique_responses, count(usage.unique_responses));
      card.querySelector('[data-plural="responses"]').textContent = usage.unique_responses === 1 ? ' response' : ' responses';
      for (const [tokens, cost] of KINDS) {
        setNumber(card.querySelector('[data-field="' + tokens + '"]'), usage[tokens], compact(usage[tokens]), count(usage[tokens]) + ' tokens');
        setNumber(card.querySelector('[data-part="' + cost + '"]'), parts[cost], usd(parts[cost]));
      }
      setNumber(card.querySelector('[data-part="cache_savings_usd"]'), parts.cache_savings_usd, usd(parts.cache_savings_usd));
      if (usage.unpriced_responses > 0) card.title = 'Not priced: ' + usage.unpriced_models.join(', ');
    }
  }

  // ---- overview: block and active sessions ----

  function renderBlock(blocks) {
    const active = blocks.blocks.filter((b) => b.active).pop();
    $('block-none').hidden = !!active;
    $('block-active').hidden = !active;
    if (!active) return;
    setNumber($('block-cost'), active.cost_usd, costText(active));
    setNumber($('block-burn'), active.burn_usd_per_hour, usd(active.burn_usd_per_hour) + '/h');
    setNumber($('block-projected'), active.projected_usd, usd(active.projected_usd));
    setNumber($('block-tokens'), totalTokens(active), compact(totalTokens(active)), count(totalTokens(active)));
    const elapsed = Math.min(1, Math.max(0, (blocks.now_ms - active.start_ms) / (active.end_ms - active.start_ms)));
    $('block-progress').style.width = (elapsed * 100).toFixed(1) + '%';
    $('block-window').textContent = dateTime(active.start_ms) + ' \u2013 ' + timeOfDay(active.end_ms).slice(0, 5) +
      ' \u00b7 ' + duration(active.end_ms - blocks.now_ms) + ' left';
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

  // ---- overview: the client check ----

  // To the micro-dollar under a cent: the check is about exactness.
  function checkUsd(value) {
    const abs = Math.abs(value);
    if (abs >= 1) return usd(value);
    return (value < 0 ? '-$' : '$') + abs.toFixed(abs < 0.01 ? 6 : 4);
  }
  function signedUsd(value) {
    if (value === 0) return '$0.00';
    return (value > 0 ? '+' : '\u2212') + checkUsd(Math.abs(value));
  }
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
      ...days.map((day) => el('tr', null, checkCells(day, day.day, day.sessions))));
    $('check-table').querySelector('tfoot').replaceChildren(
      el('tr', null, checkCells(check.totals, 'Total', check.totals.sessions)));
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
      script.addEventListener('error', () => reject(new Error('cannot load the chart library')), { once: true });
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
      'Total ' + costText(daily.totals) + ' over ' + daily.periods.length + ' active day' + (daily.periods.length === 1 ? '' : 's'));
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
    const series = [{ label: 'Day', value: (u, v) => (v == null ? '' : dateLabel(v)) }];
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
        { stroke: colours.text, grid: { show: false }, ticks: { stroke: colours.grid } },
        { stroke: colours.text, grid: { stroke: colours.grid }, ticks: { show: false }, size: 60, values: (u, values) => values.map((v) => '$' + (v >= 100 ? v.toFixed(0) : v.toFixed(2))) },
      ],
      legend: { live: true },
    }, data, container);
    dailyChart.rawValues = raw;
  }
  // Follows the panel's width (not while the overview is hidden: it has none then).
  function fitChart() {
    if (!dailyChart) return;
    const width = $('daily-chart').clientWidth;
    if (width > 0 && Math.abs(width - dailyChart.width) > 1) dailyChart.setSize({ width, height: 260 });
  }
  function dateLabel(seconds) {
    const d = new Date(seconds * 1000);
    return WEEKDAYS[(d.getDay() + 6) % 7] + ' ' + d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate());
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
        (c ? ' \u00b7 ' + count(c.unique_responses) + ' responses' : '');
    }
  }

  // ---- sessions ----

  let sessionsTable = null;
  function sessionsColumns() {
    return [
      { key: 'last_ms', label: 'Last activity', value: (s) => s.last_ms, cell: (s) => dateTime(s.last_ms), raw: (s) => s.last_ms },
      { key: 'project', label: 'Project', value: (s) => projectName(s.project).toLowerCase(), cell: (s) => projectName(s.project), title: (s) => s.project },
      { key: 'models', label: 'Models', optional: true, value: (s) => s.models.join(','), cell: (s) => s.models.map(shortModel).join(', ') },
      { key: 'duration', label: 'Duration', num: true, optional: true, value: (s) => s.last_ms - s.first_ms, cell: (s) => duration(s.last_ms - s.first_ms) },
      { key: 'unique_responses', label: 'Responses', num: true, optional: true, value: (s) => s.unique_responses, cell: (s) => count(s.unique_responses), raw: (s) => s.unique_responses },
      { key: 'tokens', label: 'Tokens', num: true, value: (s) => totalTokens(s), cell: (s) => compact(totalTokens(s)), title: (s) => count(totalTokens(s)), raw: (s) => totalTokens(s) },
      costColumn(),
    ];
  }
  function renderSessions(data) {
    if (!sessionsTable) {
      sessionsTable = new SortableTable($('sessions-table'), sessionsColumns(), {
        sortKey: 'last_ms',
        sortDir: 'desc',
        limit: 500,
        rowKey: (s) => s.session_id,
        filterText: (s) => s.project + ' ' + s.session_id + ' ' + s.models.join(' '),
        onClick: (s) => { location.hash = '#/session/' + encodeURIComponent(s.session_id); },
        onRender: (shown, matching, all) => {
          $('sessions-count').textContent = matching === all ? count(all) : count(matching) + ' of ' + count(all);
          $('sessions-more').hidden = shown === matching;
          $('sessions-more').textContent = 'Showing ' + count(shown) + ' of ' + count(matching) + '; filter to narrow.';
        },
      });
      $('sessions-filter').addEventListener('input', (event) => sessionsTable.setFilter(event.target.value));
    }
    sessionsTable.setRows(data.sessions, { last_ms: 'Total', tokens: compact(totalTokens(data.totals)), cost_usd: costText(data.totals), unique_responses: count(data.totals.unique_responses) });
  }

  // ---- one session ----

  function sumUsage(responses) {
    const sum = { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, cost_usd: 0, unpriced_responses: 0, unique_responses: 0 };
    for (const r of responses) {
      sum.input_tokens += r.input_tokens;
      sum.output_tokens += r.output_tokens;
      sum.cache_creation_input_tokens += r.cache_creation_input_tokens;
      sum.cache_read_input_tokens += r.cache_read_input_tokens;
      sum.cost_usd += r.cost_usd;
      sum.unpriced_responses += r.unpriced_responses;
      sum.unique_responses += 1;
    }
    sum.cost_usd = Math.round(sum.cost_usd * 1e6) / 1e6;
    return sum;
  }

  const openTurns = new Set();
  function renderSession(session) {
    const totals = session.totals;
    const all = session.turns.flatMap((t) => t.responses);
    const main = all.filter((r) => !r.is_sidechain);
    const side = all.filter((r) => r.is_sidechain);
    const mainSum = sumUsage(main);
    const sideSum = sumUsage(side);
    $('session-title').textContent = projectName(session.project);
    $('session-title').title = session.project;
    $('session-id').textContent = session.session_id + ' \u00b7 ' + session.project;
    setNumber($('session-cost'), totals.cost_usd, costText(totals));
    setNumber($('session-main-cost'), mainSum.cost_usd, usd(mainSum.cost_usd));
    setNumber($('session-agent-cost'), sideSum.cost_usd, usd(sideSum.cost_usd));
    setNumber($('session-responses'), totals.unique_responses, count(totals.unique_responses));
    const first = all.length ? all[0].timestamp_ms : 0;
    const last = all.length ? all[all.length - 1].timestamp_ms : 0;
    $('session-duration').textContent = duration(last - first);

    // Turns: the main chain's responses; what subagents spent in the turn apart.
    const head = el('tr', null, ['#', 'Started', 'Responses', 'Input', 'Output', 'Cache write', 'Cache read', 'Cost', 'Subagents'].map((label, i) =>
      el('th', { className: (i >= 2 ? 'num' : '') + (i === 3 || i === 5 || i === 6 ? ' optional' : ''), text: label })));
    const rows = [];
    session.turns.forEach((turn, index) => {
      const mine = turn.responses.filter((r) => !r.is_sidechain);
      const agents = turn.responses.filter((r) => r.is_sidechain);
      const sum = sumUsage(mine);
      const agentSum = sumUsage(agents);
      const key = String(turn.start_ms);
      const tr = el('tr', { className: 'clickable', tabindex: '0', dataset: { turn: String(index + 1) } }, [
        el('td', { text: String(index + 1) }),
        el('td', { text: dateTime(turn.start_ms) }),
        el('td', { className: 'num', text: count(mine.length) }),
        el('td', { className: 'num optional', title: count(sum.input_tokens), text: compact(sum.input_tokens) }),
        el('td', { className: 'num', title: count(sum.output_tokens), text: compact(sum.output_tokens) }),
        el('td', { className: 'num optional', title: count(sum.cache_creation_input_tokens), text: compact(sum.cache_creation_input_tokens) }),
        el('td', { className: 'num optional', title: count(sum.cache_read_input_tokens), text: compact(sum.cache_read_input_tokens) }),
        el('td', { className: 'num', dataset: { value: String(sum.cost_usd) }, text: usd(sum.cost_usd) }),
        el('td', { className: 'num', dataset: { value: String(agentSum.cost_usd) }, text: agents.length ? usd(agentSum.cost_usd) : '\u2014' }),
      ]);
      const toggle = () => {
        if (openTurns.has(key)) openTurns.delete(key); else openTurns.add(key);
        renderSession(session);
      };
      tr.addEventListener('click', toggle);
      tr.addEventListener('keydown', (event) => { if (event.key === 'Enter') toggle(); });
      rows.push(tr);
      if (openTurns.has(key)) {
        for (const r of turn.responses) {
          const label = el('td', null, [timeOfDay(r.timestamp_ms)]);
          if (r.is_sidechain) label.append(el('span', { className: 'tag', text: r.agent_id ? 'agent ' + r.agent_id : 'sidechain' }));
          rows.push(el('tr', { className: 'detail', dataset: { response: r.message_id } }, [
            el('td'),
            label,
            el('td', { className: 'num', text: shortModel(r.model) }),
            el('td', { className: 'num optional', text: count(r.input_tokens) }),
            el('td', { className: 'num', text: count(r.output_tokens) }),
            el('td', { className: 'num optional', text: count(r.cache_creation_input_tokens) }),
            el('td', { className: 'num optional', text: count(r.cache_read_input_tokens) }),
            el('td', { className: 'num', dataset: { value: String(r.cost_usd) }, text: r.is_sidechain ? '' : usdPrecise(r.cost_usd) }),
            el('td', { className: 'num', text: r.is_sidechain ? usdPrecise(r.cost_usd) : '' }),
          ]));
        }
      }
    });
    $('turns-table').replaceChildren(el('thead', null, [head]), el('tbody', null, rows));

    // Subagents: one row per agent id.
    const byAgent = new Map();
    for (const r of side) {
      const id = r.agent_id || '(sidechain)';
      if (!byAgent.has(id)) byAgent.set(id, []);
      byAgent.get(id).push(r);
    }
    $('agents-none').hidden = byAgent.size > 0;
    $('agents-table').hidden = byAgent.size === 0;
    const agentHead = el('tr', null, ['Agent', 'Models', 'Started', 'Responses', 'Tokens', 'Cost'].map((label, i) =>
      el('th', { className: i >= 3 ? 'num' : '', text: label })));
    const agentRows = [...byAgent.entries()].map(([id, responses]) => {
      const sum = sumUsage(responses);
      const models = [...new Set(responses.map((r) => shortModel(r.model)))].join(', ');
      return el('tr', { dataset: { agent: id } }, [
        el('td', { className: 'mono', text: id }),
        el('td', { text: models }),
        el('td', { text: dateTime(responses[0].timestamp_ms) }),
        el('td', { className: 'num', text: count(responses.length) }),
        el('td', { className: 'num', title: count(totalTokens(sum)), text: compact(totalTokens(sum)) }),
        el('td', { className: 'num', dataset: { value: String(sum.cost_usd) }, text: usd(sum.cost_usd) }),
      ]);
    });
    $('agents-table').replaceChildren(el('thead', null, [agentHead]), el('tbody', null, agentRows));
  }

  // ---- projects and models ----

  let projectsTable = null;
  function renderProjects(data) {
    if (!projectsTable) {
      projectsTable = new SortableTable($('projects-table'), [
        { key: 'project', label: 'Project', wrap: true, value: (p) => p.project.toLowerCase(), cell: (p) => p.project || '(unknown)' },
        { key: 'unique_responses', label: 'Responses', num: true, optional: true, value: (p) => p.unique_responses, cell: (p) => count(p.unique_responses), raw: (p) => p.unique_responses },
        ...tokenColumns(),
        { key: 'cache_hit_rate', label: 'Cache hits', num: true, value: (p) => p.cache_hit_rate, cell: (p) => percent(p.cache_hit_rate), raw: (p) => p.cache_hit_rate },
        { key: 'cache_savings_usd', label: 'Cache saved', num: true, value: (p) => p.cache_savings_usd, cell: (p) => usd(p.cache_savings_usd), raw: (p) => p.cache_savings_usd },
        costColumn(),
      ], { sortKey: 'cost_usd', sortDir: 'desc', rowKey: (p) => p.project });
    }
    const t = data.totals;
    projectsTable.setRows(data.projects, Object.assign(tokenFooter(t), {
      project: 'Total', unique_responses: count(t.unique_responses), cache_hit_rate: percent(t.cache_hit_rate), cache_savings_usd: usd(t.cache_savings_usd),
    }));
  }

  let modelsTable = null;
  function renderModels(data) {
    if (!modelsTable) {
      modelsTable = new SortableTable($('models-table'), [
        { key: 'model', label: 'Model', value: (m) => m.model, cell: (m) => el('span', null, [el('span', { className: 'swatch', dataset: { model: m.model } }), m.model]) },
        { key: 'unique_responses', label: 'Responses', num: true, optional: true, value: (m) => m.unique_responses, cell: (m) => count(m.unique_responses), raw: (m) => m.unique_responses },
        ...tokenColumns(),
        { key: 'cache_hit_rate', label: 'Cache hits', num: true, value: (m) => m.cache_hit_rate, cell: (m) => percent(m.cache_hit_rate), raw: (m) => m.cache_hit_rate },
        { key: 'cache_savings_usd', label: 'Cache saved', num: true, value: (m) => m.cache_savings_usd, cell: (m) => usd(m.cache_savings_usd), raw: (m) => m.cache_savings_usd },
        { key: 'price', label: '$/M in \u00b7 out', num: true, optional: true, value: (m) => (m.prices ? m.prices.input : -1), cell: (m) => (m.prices ? '$' + m.prices.input + ' \u00b7 $' + m.prices.output : 'no price') },
        costColumn(),
      ], {
        sortKey: 'cost_usd', sortDir: 'desc', rowKey: (m) => m.model,
        onRender: () => {
          for (const swatch of $('models-table').querySelectorAll('.swatch')) swatch.style.background = modelColour(swatch.dataset.model);
        },
      });
    }
    const t = data.totals;
    modelsTable.setRows(data.models, Object.assign(tokenFooter(t), {
      model: 'Total', unique_responses: count(t.unique_responses), cache_hit_rate: percent(t.cache_hit_rate), cache_savings_usd: usd(t.cache_savings_usd),
    }));
  }

  // ---- footer ----

  function renderMeta(meta) {
    const zone = meta.time_zone;
    const offset = zone.utc_offset_minutes;
    const sign = offset < 0 ? '-' : '+';
    const text = 'UTC' + sign + pad(Math.floor(Math.abs(offset) / 60)) + ':' + pad(Math.abs(offset) % 60);
    const browserOffset = -new Date().getTimezoneOffset();
    let line = 'Days, weeks and the heatmap use the daemon\u2019s time zone, ' + (zone.name || text) + ' (' + text + ')';
    if (browserOffset !== offset) line += '; this browser is at a different offset';
    line += '. ccmeter ' + meta.version + ' \u00b7 ' + count(meta.responses) + ' responses from ' + count(meta.files) + ' transcripts';
    if (!meta.caught_up) line += ' \u00b7 still reading history';
    $('footer').textContent = line + '.';
  }

  // ---- views, loading, live updates ----

  let currentView = 'overview';
  let currentSession = '';
  let firstNumbers = false;

  async function loadOverview() {
    // Everything is fetched at once; the period cards are drawn first (the first numbers),
    // the rest after them.
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
      then(api('/api/blocks?hours=24'), renderBlock),
      then(Promise.all([api('/api/daily?days=' + selectedDays), uPlotReady()]).then(([daily]) => daily), renderDaily),
      then(api('/api/heatmap'), renderHeatmap),
      then(api('/api/check?days=30'), renderCheck),
      then(api('/api/meta'), renderMeta),
    ]);
  }
  async function loadSessions() { renderSessions(await api('/api/sessions')); }
  async function loadSession() {
    try {
      renderSession(await api('/api/session/' + encodeURIComponent(currentSession)));
    } catch (error) {
      if (error.status !== 404) throw error;
      $('session-title').textContent = 'No such session';
      $('session-id').textContent = currentSession;
    }
  }
  async function loadProjects() { renderProjects(await api('/api/projects')); }
  async function loadModels() { renderModels(await api('/api/models')); }

  const loaders = { overview: loadOverview, sessions: loadSessions, session: loadSession, projects: loadProjects, models: loadModels };

  let loading = null;
  let again = false;
  // Loads the current view; calls while one load runs coalesce into one more.
  function refresh() {
    if (loading) { again = true; return loading; }
    const view = currentView;
    loading = loaders[view]()
      .then(() => { showError(null); document.body.dataset.loaded = view; document.body.dataset.generation = String(generation); })
      .catch(showError)
      .finally(() => {
        loading = null;
        if (again) { again = false; refresh(); }
      });
    return loading;
  }

  function route() {
    const hash = location.hash.replace(/^#\/?/, '');
    let view = hash.split('/')[0] || 'overview';
    if (view === 'session') currentSession = decodeURIComponent(hash.slice('session/'.length));
    if (!loaders[view]) view = 'overview';
    if (view !== currentView) openTurns.clear();
    currentView = view;
    for (const section of document.querySelectorAll('.view')) section.hidden = section.id !== 'view-' + view;
    for (const link of document.querySelectorAll('nav a')) {
      const here = link.dataset.nav === view || (view === 'session' && link.dataset.nav === 'sessions');
      if (here) link.setAttribute('aria-current', 'page'); else link.removeAttribute('aria-current');
    }
    document.body.dataset.view = view;
    if (view === 'overview') fitChart();
    refresh();
  }

  let generation = -1;
  function connect() {
    const live = $('live');
    const source = new EventSource('/api/events');
    let dropped = false;
    source.addEventListener('hello', (event) => {
      live.dataset.state = 'live';
      live.textContent = 'live';
      const seen = JSON.parse(event.data).generation;
      if (dropped || (generation >= 0 && seen !== generation)) refresh();
      generation = seen;
      dropped = false;
    });
    source.addEventListener('usage', (event) => {
      generation = JSON.parse(event.data).generation;
      refresh();
    });
    source.addEventListener('error', () => {
      dropped = true;
      live.dataset.state = 'reconnecting';
      live.textContent = 'reconnecting';
    });
  }

  function start() {
    buildCards();
    for (const button of $('days-select').querySelectorAll('button')) {
      button.addEventListener('click', () => {
        selectedDays = button.dataset.days;
        for (const other of $('days-select').querySelectorAll('button')) other.setAttribute('aria-pressed', String(other === button));
        Promise.all([api('/api/daily?days=' + selectedDays), uPlotReady()]).then(([daily]) => renderDaily(daily)).catch(showError);
      });
    }
    window.addEventListener('hashchange', route);
    // The chart takes its colours from the theme and its width from the window.
    matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => { dailyModels = ''; if (currentView === 'overview') refresh(); });
    let resizeTimer = 0;
    window.addEventListener('resize', () => {
      clearTimeout(resizeTimer);
      resizeTimer = setTimeout(fitChart, 100);
    });
    // Active sessions and the block age with the clock, not only with new usage.
    setInterval(() => { if (currentView === 'overview' && !document.hidden) refresh(); }, 30000);
    route();
    connect();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
