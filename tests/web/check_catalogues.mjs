// Holds the web view's string catalogues (web/js/lang/*.js, README "Web view") to their
// contract: every language has exactly the keys English has, none empty, each with the same
// {placeholders}; plural pairs are complete; every key the page uses statically (t('...'),
// plural('...'), data-i18n* attributes in index.html) exists. Keys built at run time
// ('col.' + name) are caught by e2e.web_dashboard, which fails on the console error t() logs.
//
// Usage: node check_catalogues.mjs WEB_DIR      (exit 0 when all hold, 1 with a list otherwise)
import fs from 'node:fs';
import path from 'node:path';

const web = process.argv[2];
if (!web) { console.error('usage: check_catalogues.mjs WEB_DIR'); process.exit(2); }
const problems = [];

// A catalogue is one `export default { ... }` object literal of strings.
function load(lang) {
  const text = fs.readFileSync(path.join(web, 'js/lang', lang + '.js'), 'utf8');
  const body = text.replace(/^\s*export default /m, 'return ');
  return new Function(body)();  // our own file, checked in
}
const languages = fs.readdirSync(path.join(web, 'js/lang')).filter((f) => f.endsWith('.js')).map((f) => f.slice(0, -3));
const catalogues = Object.fromEntries(languages.map((lang) => [lang, load(lang)]));
const en = catalogues.en;
if (!en) { console.error('no English catalogue'); process.exit(1); }
const placeholders = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort().join(',');

for (const [lang, catalogue] of Object.entries(catalogues)) {
  for (const key of Object.keys(en)) {
    if (!(key in catalogue)) problems.push(`${lang}: missing ${key}`);
  }
  for (const [key, value] of Object.entries(catalogue)) {
    if (!(key in en)) problems.push(`${lang}: ${key} is not in en`);
    else if (typeof value !== 'string' || value === '') problems.push(`${lang}: ${key} is empty`);
    else if (placeholders(value) !== placeholders(en[key])) problems.push(`${lang}: ${key} has {${placeholders(value)}}, en {${placeholders(en[key])}}`);
    const pair = key.match(/^(.*)\.(one|other)$/);
    if (pair && !(pair[1] + (pair[2] === 'one' ? '.other' : '.one') in catalogue)) problems.push(`${lang}: ${key} has no plural partner`);
  }
}

// Keys used in the code and the page.
const used = new Set();
function walk(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) { if (entry.name !== 'lang') walk(full); continue; }
    if (!entry.name.endsWith('.js')) continue;
    const text = fs.readFileSync(full, 'utf8');
    for (const m of text.matchAll(/\bt\('([\w.]+)'\s*[,)]/g)) used.add(m[1]);
    for (const m of text.matchAll(/\bplural\('([\w.]+)'\s*[,)]/g)) { used.add(m[1] + '.one'); used.add(m[1] + '.other'); }
  }
}
walk(web);
const html = fs.readFileSync(path.join(web, 'index.html'), 'utf8');
for (const m of html.matchAll(/data-i18n(?:-title|-placeholder|-label)?="([\w.]+)"/g)) used.add(m[1]);
for (const key of used) if (!(key in en)) problems.push(`used but not in en: ${key}`);
if (used.size < 50) problems.push(`only ${used.size} keys found in use: the scan is broken`);

if (problems.length) {
  console.log(problems.join('\n'));
  process.exit(1);
}
console.log(`ok - ${languages.join(', ')}: ${Object.keys(en).length} strings each; ${used.size} keys used statically, all present`);
