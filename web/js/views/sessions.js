// Sessions: every session, most recent first, sortable and filterable; a click opens it.
import { api } from '../api.js';
import { $ } from '../dom.js';
import { compact, costText, count, dateTime, duration, projectName, shortModel, totalTokens } from '../format.js';
import { SortableTable, costColumn } from '../table.js';

export async function load() { render(await api('/api/sessions')); }

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
function render(data) {
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
