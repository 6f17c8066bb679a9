// A sortable, filterable table (SortableTable) and the token and cost columns the views share.
import { compact, count, costText } from './format.js';
import { el } from './dom.js';
import { t } from './i18n.js';

// columns: [{key, label, tip, value(row) -> sortable, cell(row) -> Node|string, num, optional}];
// label and tip are shown as given (callers translate them); tip is the header's tooltip.
export class SortableTable {
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
      const th = el('th', { className: (column.num ? 'num' : '') + (column.optional ? ' optional' : ''), scope: 'col', title: column.tip, dataset: { key: column.key } });
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
export function tokenColumns() {
  const tokens = (key, name, optional) => ({
    key, label: t('col.' + name), tip: t('col.' + name + '.tip'), num: true, optional,
    value: (r) => r[key], cell: (r) => compact(r[key]), title: (r) => count(r[key]), raw: (r) => r[key],
  });
  return [
    tokens('input_tokens', 'input', true),
    tokens('output_tokens', 'output', false),
    tokens('cache_creation_input_tokens', 'cache_write', true),
    tokens('cache_read_input_tokens', 'cache_read', true),
  ];
}
export function costColumn() {
  return { key: 'cost_usd', label: t('col.cost'), tip: t('col.cost.tip'), num: true, value: (r) => r.cost_usd, cell: (r) => costText(r), raw: (r) => r.cost_usd };
}
// A column of `key` with the catalogue's label and tooltip col.NAME / col.NAME.tip.
export function column(key, name, options) {
  return Object.assign({ key, label: t('col.' + name), tip: t('col.' + name + '.tip') }, options);
}
export function tokenFooter(totals) {
  return {
    input_tokens: compact(totals.input_tokens),
    output_tokens: compact(totals.output_tokens),
    cache_creation_input_tokens: compact(totals.cache_creation_input_tokens),
    cache_read_input_tokens: compact(totals.cache_read_input_tokens),
    cost_usd: costText(totals),
  };
}
