// The web view's language, English or German, and every string it shows.
//
// The language is the user's choice (the switch in the header, kept in localStorage under
// "ccmeter.language"), else the browser's first preferred language that has a catalogue, else
// English. Every string lives in one catalogue per language (js/lang/en.js, js/lang/de.js, the
// same keys in both: tests/web/check_catalogues.mjs holds them to it and to every key used).
// Numbers and dates follow the language (format.js asks locale()): English shows 1,234.56 and
// ISO dates (2026-12-01 14:05), German 1.234,56 and 01.12.2026 14:05. Money stays in US dollars.
// Changing the language reloads the page, so no view keeps a string of the old one.
import de from './lang/de.js';
import en from './lang/en.js';

const catalogues = { en, de };
const STORAGE_KEY = 'ccmeter.language';
export const LANGUAGES = Object.keys(catalogues);

function stored() {
  try { return localStorage.getItem(STORAGE_KEY); } catch { return null; }  // storage may be off
}

function pick() {
  const saved = stored();
  if (saved && catalogues[saved]) return saved;
  for (const tag of navigator.languages || [navigator.language || 'en']) {
    const base = String(tag).toLowerCase().split('-')[0];
    if (catalogues[base]) return base;
  }
  return 'en';
}

const current = pick();

export function language() { return current; }
// The BCP 47 locale numbers and dates are formatted in.
export function locale() { return current === 'de' ? 'de-DE' : 'en-US'; }

// The string for `key` with {name} placeholders filled from `params`; the English one when the
// language lacks it, the key itself when no catalogue has it (visible, never blank).
// A missing string is reported once on the console (the browser test fails on any).
const reported = new Set();
export function t(key, params) {
  let text = catalogues[current][key];
  if (text === undefined) {
    if (!reported.has(key)) { reported.add(key); console.error('ccmeter: no ' + current + ' string for ' + key); }
    text = en[key];
  }
  if (text === undefined) return key;
  if (params) text = text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
  return text;
}
// `key.one` or `key.other` by the language's plural rule for `n`; {n} is n as given.
export function plural(key, n, params) {
  const form = new Intl.PluralRules(locale()).select(n) === 'one' ? 'one' : 'other';
  return t(key + '.' + form, Object.assign({ n }, params));
}

// Keeps the choice and reloads the page in it.
export function setLanguage(lang) {
  if (!catalogues[lang] || lang === current) return;
  try { localStorage.setItem(STORAGE_KEY, lang); } catch { /* the choice lasts this page only */ }
  location.reload();
}

// Fills the static page: data-i18n (text), data-i18n-title (tooltip), data-i18n-placeholder,
// data-i18n-label (aria-label); sets <html lang>.
export function translatePage(root) {
  const scope = root || document;
  for (const node of scope.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n);
  for (const node of scope.querySelectorAll('[data-i18n-title]')) node.title = t(node.dataset.i18nTitle);
  for (const node of scope.querySelectorAll('[data-i18n-placeholder]')) node.placeholder = t(node.dataset.i18nPlaceholder);
  for (const node of scope.querySelectorAll('[data-i18n-label]')) node.setAttribute('aria-label', t(node.dataset.i18nLabel));
  document.documentElement.lang = current;
  document.title = t('page.title');
}
