// One session: its cost split into the main chain and subagents, its turns (click one for its
// responses) and its subagents. Every sum shown is the server's (/api/session/ID: "main",
// "subagents", "agents", each turn's "main" and "subagents"), exact to the micro-dollar, and
// covers the whole session; only the turns holding the newest `limit` responses (?limit=) are
// listed, each with its whole figures; "Show more" asks for four times as many.
import { api } from '../api.js';
import { $, el, setNumber } from '../dom.js';
import { compact, costText, count, dateTime, duration, projectName, shortModel, timeOfDay, totalTokens, usdPrecise } from '../format.js';
import { t } from '../i18n.js';

const openTurns = new Set();
const defaultLimit = 100;
let currentSession = '';
let limit = defaultLimit;

// Which session the view shows; a new one starts with every turn closed.
export function show(sessionId) {
  if (sessionId !== currentSession) {
    openTurns.clear();
    limit = defaultLimit;
  }
  currentSession = sessionId;
}
export function reset() {
  openTurns.clear();
  limit = defaultLimit;
}

export async function load() {
  try {
    render(await api('/api/session/' + encodeURIComponent(currentSession) + '?limit=' + limit));
  } catch (error) {
    if (error.status !== 404) throw error;
    $('session-title').textContent = t('session.none');
    $('session-id').textContent = currentSession;
  }
}

function render(session) {
  const totals = session.totals;
  $('session-title').textContent = projectName(session.project);
  $('session-title').title = session.project;
  $('session-id').textContent = session.session_id + ' \u00b7 ' + session.project;
  setNumber($('session-cost'), totals.cost_usd, costText(totals));
  setNumber($('session-main-cost'), session.main.cost_usd, costText(session.main));
  setNumber($('session-agent-cost'), session.subagents.cost_usd, costText(session.subagents));
  setNumber($('session-responses'), totals.unique_responses, count(totals.unique_responses));
  $('session-duration').textContent = duration(session.last_ms - session.first_ms);
  setNumber($('session-web'), totals.web_search_requests, t('session.web_value', { searches: count(totals.web_search_requests), fetches: count(totals.web_fetch_requests) }));
  // What the client's processes reported (null before 2.1.332).
  const activity = session.activity;
  $('session-activity').hidden = !activity;
  $('session-activity-none').hidden = !!activity;
  if (activity) {
    setNumber($('activity-api'), activity.api_ms, duration(activity.api_ms));
    setNumber($('activity-tools'), activity.tool_ms, duration(activity.tool_ms));
    setNumber($('activity-idle'), activity.idle_ms, duration(activity.idle_ms), t('activity.wall') + ': ' + duration(activity.wall_ms));
    setNumber($('activity-lines'), activity.lines_added - activity.lines_removed,
      t('activity.lines_value', { added: count(activity.lines_added), removed: count(activity.lines_removed) }));
  }

  // Turns: the main chain's responses; what subagents spent in the turn apart.
  const head = el('tr', null, ['turn', 'started', 'responses', 'input', 'output', 'cache_write', 'cache_read', 'cost', 'subagents'].map((name, i) =>
    el('th', { className: (i >= 2 ? 'num' : '') + (i === 3 || i === 5 || i === 6 ? ' optional' : ''), title: t('col.' + name + '.tip'), text: t('col.' + name) })));
  const rows = [];
  session.turns.forEach((turn, index) => {
    const sum = turn.main;
    const agents = turn.subagents;
    const key = String(turn.start_ms);
    // The session's own turn number (a page lists its newest turns only).
    const number = String(turn.number || index + 1);
    const tr = el('tr', { className: 'clickable', tabindex: '0', dataset: { turn: number } }, [
      el('td', { text: number }),
      el('td', { text: dateTime(turn.start_ms) }),
      el('td', { className: 'num', text: count(sum.unique_responses) }),
      el('td', { className: 'num optional', title: count(sum.input_tokens), text: compact(sum.input_tokens) }),
      el('td', { className: 'num', title: count(sum.output_tokens), text: compact(sum.output_tokens) }),
      el('td', { className: 'num optional', title: count(sum.cache_creation_input_tokens), text: compact(sum.cache_creation_input_tokens) }),
      el('td', { className: 'num optional', title: count(sum.cache_read_input_tokens), text: compact(sum.cache_read_input_tokens) }),
      el('td', { className: 'num', dataset: { value: String(sum.cost_usd) }, text: costText(sum) }),
      el('td', { className: 'num', dataset: { value: String(agents.cost_usd) }, text: agents.unique_responses ? costText(agents) : '\u2014' }),
    ]);
    const toggle = () => {
      if (openTurns.has(key)) openTurns.delete(key); else openTurns.add(key);
      render(session);
    };
    tr.addEventListener('click', toggle);
    tr.addEventListener('keydown', (event) => { if (event.key === 'Enter') toggle(); });
    rows.push(tr);
    if (openTurns.has(key)) {
      for (const r of turn.responses) {
        const label = el('td', null, [timeOfDay(r.timestamp_ms)]);
        if (r.is_sidechain) label.append(el('span', { className: 'tag', text: r.agent_id ? t('session.agent', { id: r.agent_id }) : t('session.sidechain') }));
        rows.push(el('tr', { className: 'detail', dataset: { response: r.message_id } }, [
          el('td'),
          label,
          el('td', { className: 'num', text: shortModel(r.model) }),
          el('td', { className: 'num optional', text: count(r.input_tokens) }),
          el('td', { className: 'num', text: count(r.output_tokens) }),
          el('td', { className: 'num optional', text: count(r.cache_creation_input_tokens) }),
          el('td', { className: 'num optional', text: count(r.cache_read_input_tokens) }),
          el('td', { className: 'num', dataset: { value: String(r.cost_usd) }, text: r.is_sidechain ? '' : usdPrecise(r.cost_usd) }),
          el('td', { className: 'num', text: r.is_sidechain ? usdPrecise(r.cost_usd) : '' }),
        ]));
      }
    }
  });
  $('turns-table').replaceChildren(el('thead', null, [head]), el('tbody', null, rows));
  // Older responses than the listed ones: ask for more.
  const more = session.next_before_ms !== null;
  $('session-more').hidden = !more;
  if (more) {
    $('session-more-text').textContent = t('session.more', {
      shown: count(session.listed_responses), all: count(totals.unique_responses),
      turns: count(session.turns.length), all_turns: count(session.turn_count),
    });
    $('session-more-button').onclick = () => {
      limit = Math.min(limit * 4, 100000);  // the server's most (k_max_session_responses)
      load();
    };
  }

  // Subagents: one row per agent id, as the server summed them.
  $('agents-none').hidden = session.agents.length > 0;
  $('agents-table').hidden = session.agents.length === 0;
  const agentHead = el('tr', null, ['agent', 'models', 'started', 'responses', 'tokens', 'cost'].map((name, i) =>
    el('th', { className: i >= 3 ? 'num' : '', title: t('col.' + name + '.tip'), text: t('col.' + name) })));
  const agentRows = session.agents.map((agent) => {
    const id = agent.agent_id || t('session.sidechain_id');
    return el('tr', { dataset: { agent: id } }, [
      el('td', { className: 'mono', text: id }),
      el('td', { text: agent.models.map(shortModel).join(', ') }),
      el('td', { text: dateTime(agent.first_ms) }),
      el('td', { className: 'num', text: count(agent.unique_responses) }),
      el('td', { className: 'num', title: count(totalTokens(agent)), text: compact(totalTokens(agent)) }),
      el('td', { className: 'num', dataset: { value: String(agent.cost_usd) }, text: costText(agent) }),
    ]);
  });
  $('agents-table').replaceChildren(el('thead', null, [agentHead]), el('tbody', null, agentRows));
}

