// Models: usage per model with its prices, sortable; each model in its page-wide colour.
import { api } from '../api.js';
import { modelColour } from '../colours.js';
import { $, el } from '../dom.js';
import { count, percent, usd } from '../format.js';
import { SortableTable, costColumn, tokenColumns, tokenFooter } from '../table.js';

export async function load() { render(await api('/api/models')); }

let modelsTable = null;
function render(data) {
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
