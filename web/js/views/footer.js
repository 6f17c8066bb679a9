// The footer line: the daemon's time zone (days, weeks and the heatmap use it), its version and
// how much it has read.
import { $ } from '../dom.js';
import { count, pad } from '../format.js';

export function renderMeta(meta) {
  const zone = meta.time_zone;
  const offset = zone.utc_offset_minutes;
  const sign = offset < 0 ? '-' : '+';
  const text = 'UTC' + sign + pad(Math.floor(Math.abs(offset) / 60)) + ':' + pad(Math.abs(offset) % 60);
  const browserOffset = -new Date().getTimezoneOffset();
  let line = 'Days, weeks and the heatmap use the daemon\u2019s time zone, ' + (zone.name || text) + ' (' + text + ')';
  if (browserOffset !== offset) line += '; this browser is at a different offset';
  line += '. ccmeter ' + meta.version + ' \u00b7 ' + count(meta.responses) + ' responses from ' + count(meta.files) + ' transcripts';
  if (!meta.caught_up) line += ' \u00b7 still reading history';
  $('footer').textContent = line + '.';
}
