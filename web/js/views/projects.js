// Projects: usage per working directory, sortable.
import { api } from '../api.js';
import { $ } from '../dom.js';
import { count, percent, usd } from '../format.js';
import { t } from '../i18n.js';
import { SortableTable, column, costColumn, tokenColumns, tokenFooter } from '../table.js';

export async function load() {
  const [projects, branches] = await Promise.all([api('/api/projects'), api('/api/branches')]);
  render(projects);
  renderBranches(branches);
}

// Cost per git branch of each project.
let branchesTable = null;
function renderBranches(data) {
  if (!branchesTable) {
    branchesTable = new SortableTable($('branches-table'), [
      column('project', 'project', { wrap: true, value: (b) => b.project.toLowerCase(), cell: (b) => b.project || t('unknown') }),
      column('branch', 'branch', { value: (b) => b.branch, cell: (b) => b.branch || t('branches.none') }),
      column('unique_responses', 'responses', { num: true, optional: true, value: (b) => b.unique_responses, cell: (b) => count(b.unique_responses), raw: (b) => b.unique_responses }),
      ...tokenColumns(),
      costColumn(),
    ], { sortKey: 'cost_usd', sortDir: 'desc', rowKey: (b) => b.project + '\n' + b.branch });
  }
  const totals = data.totals;
  branchesTable.setRows(data.branches, Object.assign(tokenFooter(totals), { project: t('total'), unique_responses: count(totals.unique_responses) }));
}

let projectsTable = null;
function render(data) {
  if (!projectsTable) {
    projectsTable = new SortableTable($('projects-table'), [
      column('project', 'project', { wrap: true, value: (p) => p.project.toLowerCase(), cell: (p) => p.project || t('unknown') }),
      column('unique_responses', 'responses', { num: true, optional: true, value: (p) => p.unique_responses, cell: (p) => count(p.unique_responses), raw: (p) => p.unique_responses }),
      ...tokenColumns(),
      column('cache_hit_rate', 'cache_hits', { num: true, value: (p) => p.cache_hit_rate, cell: (p) => percent(p.cache_hit_rate), raw: (p) => p.cache_hit_rate }),
      column('cache_savings_usd', 'cache_saved', { num: true, value: (p) => p.cache_savings_usd, cell: (p) => usd(p.cache_savings_usd), raw: (p) => p.cache_savings_usd }),
      costColumn(),
    ], { sortKey: 'cost_usd', sortDir: 'desc', rowKey: (p) => p.project });
  }
  const totals = data.totals;
  projectsTable.setRows(data.projects, Object.assign(tokenFooter(totals), {
    project: t('total'), unique_responses: count(totals.unique_responses), cache_hit_rate: percent(totals.cache_hit_rate), cache_savings_usd: usd(totals.cache_savings_usd),
  }));
}
