// Team: the team store's totals (README, "Team store (PostgreSQL)") per member, per machine and
// per UTC day, read by the daemon from PostgreSQL with this member's role (/api/team). When no
// store is configured or it cannot be reached, the panel says why instead of a table.
import { api } from '../api.js';
import { $, el } from '../dom.js';
import { count } from '../format.js';
import { SortableTable, costColumn, tokenColumns, tokenFooter } from '../table.js';

const tables = {};

function table(view, label) {
  if (!tables[view]) {
    tables[view] = new SortableTable($('team-' + view + '-table'), [
      { key: 'key', label, value: (r) => r.key, cell: (r) => r.key },
      { key: 'machines', label: 'Machines', num: true, optional: true, value: (r) => r.machines, cell: (r) => count(r.machines), raw: (r) => r.machines },
      { key: 'unique_responses', label: 'Responses', num: true, value: (r) => r.unique_responses, cell: (r) => count(r.unique_responses), raw: (r) => r.unique_responses },
      ...tokenColumns(),
      costColumn(),
    ], { sortKey: view === 'daily' ? 'key' : 'cost_usd', sortDir: 'desc', rowKey: (r) => r.key });
  }
  return tables[view];
}

export async function load() {
  const note = $('team-note');
  let members;
  try {
    members = await api('/api/team?view=members');
  } catch (error) {
    if (error.status !== 503) throw error;
    note.textContent = error.message;
    $('team-tables').hidden = true;
    return;
  }
  const [machines, daily] = await Promise.all([api('/api/team?view=machines'), api('/api/team?view=daily')]);
  note.textContent = 'Read from the team store as ' + members.member + ' (this machine: ' + members.machine + ').';
  $('team-tables').hidden = false;
  for (const [view, data, label] of [['members', members, 'Member'], ['machines', machines, 'Machine'], ['daily', daily, 'Day (UTC)']]) {
    table(view, label).setRows(data.rows, Object.assign(tokenFooter(data.totals), {
      key: 'Total', unique_responses: count(data.totals.unique_responses),
    }));
  }
}
