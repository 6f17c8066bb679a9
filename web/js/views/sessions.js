// Sessions: every session, most recent first, sortable and filterable; a click opens it.
import { api } from '../api.js';
import { $ } from '../dom.js';
import { compact, costText, count, dateTime, duration, projectName, shortModel, totalTokens } from '../format.js';
import { t } from '../i18n.js';
import { SortableTable, column, costColumn } from '../table.js';

export async function load() { render(await api('/api/sessions')); }

let sessionsTable = null;
function sessionsColumns() {
  return [
    column('last_ms', 'last_activity', { value: (s) => s.last_ms, cell: (s) => dateTime(s.last_ms), raw: (s) => s.last_ms }),
    column('project', 'project', { value: (s) => projectName(s.project).toLowerCase(), cell: (s) => projectName(s.project), title: (s) => s.project }),
    column('models', 'models', { optional: true, value: (s) => s.models.join(','), cell: (s) => s.models.map(shortModel).join(', ') }),
    column('duration', 'duration', { num: true, optional: true, value: (s) => s.last_ms - s.first_ms, cell: (s) => duration(s.last_ms - s.first_ms) }),
    column('unique_responses', 'responses', { num: true, optional: true, value: (s) => s.unique_responses, cell: (s) => count(s.unique_responses), raw: (s) => s.unique_responses }),
    column('tokens', 'tokens', { num: true, value: (s) => totalTokens(s), cell: (s) => compact(totalTokens(s)), title: (s) => count(totalTokens(s)), raw: (s) => totalTokens(s) }),
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
        $('sessions-count').textContent = matching === all ? count(all) : t('sessions.count_of', { shown: count(matching), all: count(all) });
        $('sessions-more').hidden = shown === matching;
        $('sessions-more').textContent = t('sessions.more', { shown: count(shown), matching: count(matching) });
      },
    });
    $('sessions-filter').addEventListener('input', (event) => sessionsTable.setFilter(event.target.value));
  }
  sessionsTable.setRows(data.sessions, { last_ms: t('total'), tokens: compact(totalTokens(data.totals)), cost_usd: costText(data.totals), unique_responses: count(data.totals.unique_responses) });
}
