// Tools: per tool name, its calls, errors and run times (/api/tools, the same JSON as
// `hookctl stats tools --json`), sortable. Every number is the server's; run times are in ms
// there (data-value) and shown as 850 ms, 12.4 s or 3m07s.
import { api } from '../api.js';
import { $ } from '../dom.js';
import { count, decimal } from '../format.js';
import { t } from '../i18n.js';
import { SortableTable, column } from '../table.js';

export async function load() { render(await api('/api/tools')); }

// A run time in ms as people read it; a dash when unknown (null).
export function runTime(ms) {
  if (ms === null || ms === undefined) return '\u2013';
  if (ms < 1000) return count(ms) + '\u00a0ms';
  if (ms < 59950) return decimal(ms / 1000, 1) + '\u00a0s';
  const seconds = Math.round(ms / 1000);
  if (seconds < 3600) return Math.floor(seconds / 60) + 'm' + String(seconds % 60).padStart(2, '0') + 's';
  const minutes = Math.floor(seconds / 60);
  return Math.floor(minutes / 60) + 'h' + String(minutes % 60).padStart(2, '0') + 'm';
}

// Sorts unknown times below every known one.
function known(ms) { return ms === null ? -1 : ms; }
function number(key, name, text, options) {
  return column(key, name, Object.assign({ num: true, value: (r) => known(r[key]), cell: (r) => text(r[key]), raw: (r) => (r[key] === null ? '' : r[key]) }, options));
}

let toolsTable = null;
function render(data) {
  if (!toolsTable) {
    toolsTable = new SortableTable($('tools-table'), [
      column('name', 'tool', { value: (r) => r.name, cell: (r) => r.name }),
      number('calls', 'calls', count),
      number('errors', 'errors', count),
      number('timed_calls', 'timed', count, { optional: true }),
      number('total_ms', 'total_time', runTime),
      number('p50_ms', 'p50', runTime),
      number('p95_ms', 'p95', runTime),
    ], { sortKey: 'calls', sortDir: 'desc', rowKey: (r) => r.name });
  }
  const totals = data.totals;
  toolsTable.setRows(data.tools, {
    name: t('total'), calls: count(totals.calls), errors: count(totals.errors),
    timed_calls: count(totals.timed_calls), total_ms: runTime(totals.timed_calls > 0 ? totals.total_ms : null),
  });
  $('tools-empty').hidden = data.tools.length > 0;
}
