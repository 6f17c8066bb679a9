// How numbers, money, times and names look in the web view, in the page's language
// (i18n.locale(): en-US numbers and ISO dates in English, de-DE in German). Pure functions of
// their arguments (the browser's local time zone for times). Money comes from the server,
// exact to the micro-dollar, as a JSON number of dollars: these only format it, never add it up.
import { locale, t } from './i18n.js';

const lang = locale();
const usdFormat = new Intl.NumberFormat(lang, { style: 'currency', currency: 'USD', currencyDisplay: 'narrowSymbol' });
const countFormat = new Intl.NumberFormat(lang);
const german = lang === 'de-DE';

// Weekday names, Monday first, in the page's language.
export const WEEKDAYS = [...Array(7).keys()].map((i) =>
  new Intl.DateTimeFormat(lang, { weekday: 'short', timeZone: 'UTC' }).format(new Date(Date.UTC(2024, 0, 1 + i))));
export const MONTHS = [...Array(12).keys()].map((i) =>
  new Intl.DateTimeFormat(lang, { month: 'short', timeZone: 'UTC' }).format(new Date(Date.UTC(2024, i, 1))));
export const MONTHS_LONG = [...Array(12).keys()].map((i) =>
  new Intl.DateTimeFormat(lang, { month: 'long', timeZone: 'UTC' }).format(new Date(Date.UTC(2024, i, 1))));
export const WEEKDAYS_LONG = [...Array(7).keys()].map((i) =>
  new Intl.DateTimeFormat(lang, { weekday: 'long', timeZone: 'UTC' }).format(new Date(Date.UTC(2023, 11, 31 + i))));  // Sunday first

function fixed(value, digits) {
  return new Intl.NumberFormat(lang, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);
}
// `text` (an unsigned amount) with the dollar sign where the language puts it.
function dollars(text) { return german ? text + '\u00a0$' : '$' + text; }

// Dollars and cents; spending under half a cent is "<$0.01", never "$0.00".
export function usd(value) {
  if (value === 0) return usdFormat.format(0);
  if (Math.abs(value) < 0.005) return (value < 0 ? '-<' : '<') + usdFormat.format(0.01);
  return usdFormat.format(value);
}
// Four decimals under a dollar (single responses).
export function usdPrecise(value) {
  if (Math.abs(value) >= 1) return usd(value);
  return (value < 0 ? '-' : '') + dollars(fixed(Math.abs(value), 4));
}
// Axis labels: whole dollars from $100, else cents.
export function usdAxis(value) { return dollars(fixed(value, value >= 100 ? 0 : 2)); }
export function count(value) { return countFormat.format(value); }
export function compact(value) {
  const abs = Math.abs(value);
  if (abs < 1e3) return String(value);
  if (abs < 1e6) return fixed(value / 1e3, abs < 1e4 ? 1 : 0) + 'k';
  if (abs < 1e9) return fixed(value / 1e6, abs < 1e7 ? 2 : 1) + 'M';
  return fixed(value / 1e9, 2) + (german ? 'Mrd' : 'B');
}
export function percent(rate) { return fixed(rate * 100, 1) + (german ? '\u00a0%' : '%'); }
export function decimal(value, digits) { return fixed(value, digits); }
// A percentage given in percent (80 for 80 %), rounded to a whole one.
export function wholePercent(value) { return Math.round(value) + (german ? '\u00a0%' : '%'); }
// "45s" under a minute, "12m", "1h 05m", "2d 3h".
export function duration(ms) {
  if (ms < 60000) return Math.max(0, Math.floor(ms / 1000)) + t('unit.second');
  const minutes = Math.max(0, Math.floor(ms / 60000));
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  const [d, hu, mu] = [t('unit.day'), t('unit.hour'), t('unit.minute')];
  if (h >= 24) return Math.floor(h / 24) + d + ' ' + (h % 24) + hu;
  return h > 0 ? h + hu + ' ' + String(m).padStart(2, '0') + mu : m + mu;
}
// A local calendar day from its parts: 2026-12-01 or 01.12.2026.
export function dayText(year, month, day) {
  return german ? pad(day) + '.' + pad(month) + '.' + year : year + '-' + pad(month) + '-' + pad(day);
}
// A "YYYY-MM-DD" day as the API gives it, in the page's language.
export function dayLabel(iso) {
  const [y, m, d] = iso.split('-').map(Number);
  return dayText(y, m, d);
}
// A "YYYY-MM-DD" day without its year, for narrow labels: 12-01 or 01.12.
export function shortDayLabel(iso) {
  const [, m, d] = iso.split('-');
  return german ? d + '.' + m + '.' : m + '-' + d;
}
export function dateTime(ms) {
  const d = new Date(ms);
  return dayText(d.getFullYear(), d.getMonth() + 1, d.getDate()) + ' ' + pad(d.getHours()) + ':' + pad(d.getMinutes());
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
  if (!path) return t('unknown');
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
  return (value < 0 ? '-' : '') + dollars(fixed(abs, abs < 0.01 ? 6 : 4));
}
export function signedUsd(value) {
  if (value === 0) return usd(0);
  return (value > 0 ? '+' : '\u2212') + checkUsd(Math.abs(value));
}
