// Models: usage per model with its prices, sortable; each model in its page-wide colour.
import { api } from '../api.js';
import { modelColour } from '../colours.js';
import { $, el } from '../dom.js';
import { count, decimal, percent, usd } from '../format.js';
import { t } from '../i18n.js';
import { SortableTable, column, costColumn, tokenColumns, tokenFooter } from '../table.js';

export async function load() { render(await api('/api/models')); }

let modelsTable = null;
// A price in $/Mtok as the server gives it (up to three decimals), in the page's language.
function rate(value) { return '$' + decimal(value, Number.isInteger(value) ? 0 : Math.min(3, String(value).split('.')[1].length)); }
function render(data) {
  if (!modelsTable) {
    modelsTable = new SortableTable($('models-table'), [
      column('model', 'model', { value: (m) => m.model, cell: (m) => el('span', null, [el('span', { className: 'swatch', dataset: { model: m.model } }), m.model]) }),
      column('unique_responses', 'responses', { num: true, optional: true, value: (m) => m.unique_responses, cell: (m) => count(m.unique_responses), raw: (m) => m.unique_responses }),
      ...tokenColumns(),
      column('cache_hit_rate', 'cache_hits', { num: true, value: (m) => m.cache_hit_rate, cell: (m) => percent(m.cache_hit_rate), raw: (m) => m.cache_hit_rate }),
      column('cache_savings_usd', 'cache_saved', { num: true, value: (m) => m.cache_savings_usd, cell: (m) => usd(m.cache_savings_usd), raw: (m) => m.cache_savings_usd }),
      column('price', 'price', { num: true, optional: true, value: (m) => (m.prices ? m.prices.input : -1), cell: (m) => (m.prices ? rate(m.prices.input) + ' \u00b7 ' + rate(m.prices.output) : t('models.no_price')) }),
      costColumn(),
    ], {
      sortKey: 'cost_usd', sortDir: 'desc', rowKey: (m) => m.model,
      onRender: () => {
        for (const swatch of $('models-table').querySelectorAll('.swatch')) swatch.style.background = modelColour(swatch.dataset.model);
      },
    });
  }
  const totals = data.totals;
  modelsTable.setRows(data.models, Object.assign(tokenFooter(totals), {
    model: t('total'), unique_responses: count(totals.unique_responses), cache_hit_rate: percent(totals.cache_hit_rate), cache_savings_usd: usd(totals.cache_savings_usd),
  }));
}
