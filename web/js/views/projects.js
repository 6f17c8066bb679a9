// Projects: usage per working directory, sortable.
import { api } from '../api.js';
import { $ } from '../dom.js';
import { count, percent, usd } from '../format.js';
import { SortableTable, costColumn, tokenColumns, tokenFooter } from '../table.js';

export async function load() { render(await api('/api/projects')); }

let projectsTable = null;
function render(data) {
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
