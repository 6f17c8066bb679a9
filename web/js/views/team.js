// Team: the team store's totals (README, "Team store (PostgreSQL)") per member, per machine and
// per UTC day, read by the daemon from PostgreSQL with this member's role (/api/team). When no
// store is configured or it cannot be reached, the panel says why instead of a table.
import { api } from '../api.js';
import { $ } from '../dom.js';
import { count } from '../format.js';
import { t } from '../i18n.js';
import { SortableTable, column, costColumn, tokenColumns, tokenFooter } from '../table.js';

const tables = {};

function table(view, name) {
  if (!tables[view]) {
    tables[view] = new SortableTable($('team-' + view + '-table'), [
      column('key', name, { value: (r) => r.key, cell: (r) => r.key }),
      column('machines', 'machines', { num: true, optional: true, value: (r) => r.machines, cell: (r) => count(r.machines), raw: (r) => r.machines }),
      column('unique_responses', 'responses', { num: true, value: (r) => r.unique_responses, cell: (r) => count(r.unique_responses), raw: (r) => r.unique_responses }),
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
  note.textContent = t('team.read_as', { member: members.member, machine: members.machine });
  $('team-tables').hidden = false;
  for (const [view, data, name] of [['members', members, 'member'], ['machines', machines, 'machine'], ['daily', daily, 'utc_day']]) {
    table(view, name).setRows(data.rows, Object.assign(tokenFooter(data.totals), {
      key: t('total'), unique_responses: count(data.totals.unique_responses),
    }));
  }
}
