// bench/web's browser part: loads the web view in headless Chromium (Debian's
// /usr/bin/chromium through playwright-core from tests/web/node_modules; never a downloaded
// browser) and prints JSON with navigation start -> first numbers rendered (the page's
// "ccmeter:first-numbers" mark) and -> overview fully loaded, in ms:
//   fresh_browser_*: the first load in a just-started browser (fresh profile);
//   first_numbers_ms / loaded_ms: `loads` more loads, each in a new tab of that running
//   browser (a user's browser is usually running already).
//
// Usage: node bench/web_page.mjs URL [LOADS] [LOGIN_URL]
// LOGIN_URL (what `hookctl web` opens: it sets the auth cookie and redirects to the page) is
// the fresh browser's load; the later ones load URL with that cookie.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const { chromium } = await import(path.join(here, '../tests/web/node_modules/playwright-core/index.mjs'));
const url = process.argv[2];
const loads = Number(process.argv[3] || 5);
const loginUrl = process.argv[4];
const result = { fresh_browser_first_numbers_ms: null, fresh_browser_loaded_ms: null, first_numbers_ms: [], loaded_ms: [] };
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'ccmeter-bench-chromium-'));
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  viewport: { width: 1280, height: 900 },
});

async function load(page, target = url) {
  await page.goto(target);
  await page.waitForSelector('body[data-loaded="overview"]', { timeout: 60000 });
  return page.evaluate(() => {
    const mark = performance.getEntriesByName('ccmeter:first-numbers')[0];
    return { first: Math.round(mark ? mark.startTime : NaN), loaded: Math.round(performance.now()) };
  });
}

try {
  const first = await load(browser.pages()[0] || await browser.newPage(), loginUrl || url);
  result.fresh_browser_first_numbers_ms = first.first;
  result.fresh_browser_loaded_ms = first.loaded;
  for (let i = 0; i < loads; ++i) {
    const page = await browser.newPage();
    const times = await load(page);
    result.first_numbers_ms.push(times.first);
    result.loaded_ms.push(times.loaded);
    await page.close();
  }
} finally {
  await browser.close();
  fs.rmSync(profile, { recursive: true, force: true });
}
console.log(JSON.stringify(result));
