// ccmeter web view: vanilla JavaScript modules, no build step. Reads the daemon's JSON API
// (/api/...), follows its Server-Sent Events (/api/events) and updates numbers in place.
//
// This file only routes (#/overview, #/sessions, #/session/ID, #/projects, #/models,
// #/insights, #/team, #/tools), loads the current view and follows live updates; each view is a
// module of its own in js/views/ with a load() that fetches and draws it. Formatting is js/format.js, the API client js/api.js, the
// sortable table js/table.js. Money shown is always the server's figure (no sums in the
// browser). Every number shown carries its raw API value in data-value (what the end-to-end
// test compares with the API and with `hookctl stats --json`). Every string shown comes from
// js/i18n.js (English or German; the EN/DE switch in the header).
import { showError } from './js/api.js';
import { $ } from './js/dom.js';
import { language, setLanguage, t, translatePage } from './js/i18n.js';
import * as insights from './js/views/insights.js';
import * as models from './js/views/models.js';
import * as overview from './js/views/overview.js';
import * as projects from './js/views/projects.js';
import * as session from './js/views/session.js';
import * as sessions from './js/views/sessions.js';
import * as team from './js/views/team.js';

import * as tools from './js/views/tools.js';

const views = { overview, sessions, session, projects, models, insights, team, tools };

let currentView = 'overview';
let generation = -1;
let loading = null;
let again = false;

// Loads the current view; calls while one load runs coalesce into one more.
function refresh() {
  if (loading) { again = true; return loading; }
  const view = currentView;
  loading = views[view].load()
    .then(() => { showError(null); document.body.dataset.loaded = view; document.body.dataset.generation = String(generation); })
    .catch(showError)
    .finally(() => {
      loading = null;
      if (again) { again = false; refresh(); }
    });
  return loading;
}

function route() {
  const hash = location.hash.replace(/^#\/?/, '');
  let view = hash.split('/')[0] || 'overview';
  if (!views[view]) view = 'overview';
  if (view === 'session') session.show(decodeURIComponent(hash.slice('session/'.length)));
  else if (view !== currentView) session.reset();
  currentView = view;
  for (const section of document.querySelectorAll('.view')) section.hidden = section.id !== 'view-' + view;
  for (const link of document.querySelectorAll('nav a')) {
    const here = link.dataset.nav === view || (view === 'session' && link.dataset.nav === 'sessions');
    if (here) link.setAttribute('aria-current', 'page'); else link.removeAttribute('aria-current');
  }
  document.body.dataset.view = view;
  if (view === 'overview') overview.fit();
  refresh();
}

function connect() {
  const live = $('live');
  const source = new EventSource('/api/events');
  let dropped = false;
  source.addEventListener('hello', (event) => {
    live.dataset.state = 'live';
    live.textContent = t('live.live');
    const seen = JSON.parse(event.data).generation;
    if (dropped || (generation >= 0 && seen !== generation)) refresh();
    generation = seen;
    dropped = false;
  });
  source.addEventListener('usage', (event) => {
    generation = JSON.parse(event.data).generation;
    refresh();
  });
  source.addEventListener('error', () => {
    dropped = true;
    live.dataset.state = 'reconnecting';
    live.textContent = t('live.reconnecting');
  });
}

function start() {
  translatePage();
  for (const button of $('lang-select').querySelectorAll('button')) {
    button.setAttribute('aria-pressed', String(button.dataset.lang === language()));
    button.addEventListener('click', () => setLanguage(button.dataset.lang));
  }
  overview.init(() => { if (currentView === 'overview') refresh(); });
  window.addEventListener('hashchange', route);
  // The chart takes its width from the window.
  let resizeTimer = 0;
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(overview.fit, 100);
  });
  // Active sessions and the block age with the clock, not only with new usage.
  setInterval(() => { if (currentView === 'overview' && !document.hidden) refresh(); }, 30000);
  route();
  connect();
}

// A module runs after the document is parsed.
start();
