// How numbers, money, times and names look in the web view. Pure functions of their arguments
// (the browser's local time zone for times). Money comes from the server, exact to the
// micro-dollar, as a JSON number of dollars: these only format it, never add it up.

const usdFormat = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const countFormat = new Intl.NumberFormat('en-US');
export const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

// Dollars and cents; spending under half a cent is "<$0.01", never "$0.00".
export function usd(value) {
  if (value === 0) return '$0.00';
  if (Math.abs(value) < 0.005) return value < 0 ? '-<$0.01' : '<$0.01';
  return (value < 0 ? '-$' : '$') + usdFormat.format(Math.abs(value));
}
export function usdPrecise(value) {
  if (Math.abs(value) >= 1) return usd(value);
  return '$' + value.toFixed(4);
}
export function count(value) { return countFormat.format(value); }
export function compact(value) {
  const abs = Math.abs(value);
  if (abs < 1e3) return String(value);
  if (abs < 1e6) return (value / 1e3).toFixed(abs < 1e4 ? 1 : 0) + 'k';
  if (abs < 1e9) return (value / 1e6).toFixed(abs < 1e7 ? 2 : 1) + 'M';
  return (value / 1e9).toFixed(2) + 'B';
}
export function percent(rate) { return (rate * 100).toFixed(1) + '%'; }
export function duration(ms) {
  const minutes = Math.max(0, Math.floor(ms / 60000));
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h >= 24) return Math.floor(h / 24) + 'd ' + (h % 24) + 'h';
  return h > 0 ? h + 'h ' + String(m).padStart(2, '0') + 'm' : m + 'm';
}
export function dateTime(ms) {
  const d = new Date(ms);
  return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + ' ' +
    pad(d.getHours()) + ':' + pad(d.getMinutes());
}
export function timeOfDay(ms) {
  const d = new Date(ms);
  return pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds());
}
export function pad(n) { return String(n).padStart(2, '0'); }
export function shortModel(model) {
  return model.replace(/^claude-/, '').replace(/-\d{8}$/, '');
}
export function projectName(path) {
  if (!path) return '(unknown)';
  const parts = path.split('/').filter(Boolean);
  return parts.length ? parts[parts.length - 1] : path;
}
export function totalTokens(u) {
  return u.input_tokens + u.output_tokens + u.cache_creation_input_tokens + u.cache_read_input_tokens;
}
export function costText(u) {
  return usd(u.cost_usd) + (u.unpriced_responses > 0 ? '+?' : '');
}

// To the micro-dollar under a cent: the check is about exactness.
export function checkUsd(value) {
  const abs = Math.abs(value);
  if (abs >= 1) return usd(value);
  return (value < 0 ? '-$' : '$') + abs.toFixed(abs < 0.01 ? 6 : 4);
}
export function signedUsd(value) {
  if (value === 0) return '$0.00';
  return (value > 0 ? '+' : '\u2212') + checkUsd(Math.abs(value));
}
