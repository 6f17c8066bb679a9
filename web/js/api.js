// The daemon's JSON API (/api/...; README "Web view"): one GET per call, errors as thrown Error
// with .status, and the page's one error box.
import { $ } from './dom.js';
import { t } from './i18n.js';

export async function api(path) {
  // The server says no-store; /api/summary was preloaded by index.html (same request).
  const response = await fetch(path);
  const body = await response.json().catch(() => ({ error: response.statusText }));
  if (!response.ok) {
    const error = new Error(body.error || response.statusText);
    error.status = response.status;
    throw error;
  }
  return body;
}
export function showError(error) {
  const box = $('error');
  if (!error) { box.hidden = true; return; }
  box.textContent = t('error.load', { message: error.message });
  box.hidden = false;
}
