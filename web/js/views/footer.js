// The footer line: the daemon's time zone (days, weeks and the heatmap use it), its version and
// how much it has read.
import { $ } from '../dom.js';
import { count, pad } from '../format.js';
import { t } from '../i18n.js';

export function renderMeta(meta) {
  const zone = meta.time_zone;
  const offset = zone.utc_offset_minutes;
  const sign = offset < 0 ? '-' : '+';
  const text = 'UTC' + sign + pad(Math.floor(Math.abs(offset) / 60)) + ':' + pad(Math.abs(offset) % 60);
  const browserOffset = -new Date().getTimezoneOffset();
  let line = t('footer.zone', { zone: zone.name || text, offset: text });
  if (browserOffset !== offset) line += t('footer.offset');
  line += t('footer.version', { version: meta.version, responses: count(meta.responses), files: count(meta.files) });
  if (!meta.caught_up) line += t('footer.reading');
  $('footer').textContent = line + '.';
}
