// The Overview's "Limits and budgets" panel: one gauge per plan limit (used %, when it resets,
// when it reaches 100 % at the current burn) and per budget set (spent of the budget). The
// figures are /api/limits' (`hookctl stats limits --json`); data-value carries each raw value.
import { $, el, setNumber } from '../dom.js';
import { dateTime, decimal, duration, usd, wholePercent } from '../format.js';
import { t } from '../i18n.js';

const LIMIT_NAMES = [[/^five_hour/, 'limit.five_hour'], [/^seven_day/, 'limit.seven_day']];
const PERIODS = ['day', 'week', 'month'];

export function limitLabel(bucket) {
  for (const [pattern, key] of LIMIT_NAMES) {
    if (pattern.test(bucket)) {
      const rest = bucket.replace(pattern, '').replace(/_/g, ' ').trim();
      return rest ? t(key) + ' (' + rest + ')' : t(key);
    }
  }
  return bucket.replace(/_/g, ' ');
}

function levelOfPercent(used) {
  if (used >= 100) return 'over';
  if (used >= 80) return 'warn';
  return 'ok';
}

function gauge(key, label, valueText, used, level, note) {
  const bar = el('div', { className: 'progress-bar', dataset: { level } });
  bar.style.width = Math.max(0, Math.min(100, used)).toFixed(1) + '%';
  const value = el('span', { className: 'gauge-value' });
  setNumber(value, used, valueText);
  return el('div', { className: 'gauge', dataset: { gauge: key } }, [
    el('div', { className: 'gauge-head' }, [el('span', { text: label }), value]),
    el('div', { className: 'progress', 'aria-hidden': 'true' }, [bar]),
    note ? el('p', { className: 'muted gauge-note', text: note }) : null,
  ]);
}

export function renderLimits(data) {
  const nodes = [];
  for (const limit of data.limits) {
    const notes = [];
    if (limit.reset_since_observed) notes.push(t('limit.reset_since', { time: dateTime(limit.observed_ms) }));
    else if (limit.resets_at_ms) notes.push(t('limit.resets', { time: dateTime(limit.resets_at_ms) }));
    if (!limit.reset_since_observed && limit.full_at_ms !== null) {
      notes.push(limit.full_before_reset
        ? t('limit.full_in', { duration: duration(limit.full_at_ms - data.now_ms) })
        : t('limit.full_after'));
    }
    if (limit.percent_per_hour !== null) notes.push(t('limit.per_hour', { rate: decimal(limit.percent_per_hour, 1) }));
    const used = limit.reset_since_observed ? 0 : limit.used_percentage;
    nodes.push(gauge('limit:' + limit.bucket, limitLabel(limit.bucket), wholePercent(limit.used_percentage),
      used, limit.full_before_reset ? 'warn' : levelOfPercent(used), notes.join(' \u00b7 ')));
  }
  for (const budget of data.budgets) {
    nodes.push(gauge('budget:' + budget.period, PERIODS.includes(budget.period) ? t('budget.' + budget.period) : budget.period,
      t('budget.of', { spent: usd(budget.spent_usd), budget: usd(budget.budget_usd) }), budget.used_percentage, budget.level,
      t('budget.used', { percent: wholePercent(budget.used_percentage) })));
  }
  if (data.budgets_error) nodes.push(el('p', { className: 'error-text', text: data.budgets_error }));
  $('limits-none').hidden = nodes.length > 0;
  $('limits-gauges').replaceChildren(...nodes);
}
