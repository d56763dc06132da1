// The words of a monitor (扬尘监测): its PM10 and its popup, kept apart
// from Leaflet so that unit tests run them.
import { t, tOr } from './i18n';
import { escapeHtml, formatDateTime } from './format';
import type { MonitorItem } from './api/types.gen';

/** pm10Text: "85 µg/m³ · 良", or the level-0 words when there is no recent reading. */
export function pm10Text(m: MonitorItem): string {
  if (m.pm10 === undefined || m.level === 0) return t('monitor.level.0');
  return `${Math.round(m.pm10)} µg/m³ · ${t('monitor.level.' + m.level)}`;
}

/** monitorPopup: device number, site, latest PM10 and its hour (Beijing time). */
export function monitorPopup(m: MonitorItem): string {
  const row = (k: string, v: string) => `<tr><th>${escapeHtml(t(k))}</th><td>${escapeHtml(v)}</td></tr>`;
  return `<div data-testid="monitor-popup"><b>${escapeHtml(m.name)}</b><table class="kv">` +
    row('monitor.mn', m.mn) + row('monitor.kind', tOr('monitor.kind', m.kind)) + row('monitor.site', m.site_name || '—') +
    row('monitor.pm10', pm10Text(m)) + row('monitor.last', m.last_at ? formatDateTime(m.last_at) : t('monitor.nodata')) +
    '</table>' + (m.site_id ? `<a href="#/site/${m.site_id}" data-testid="monitor-site-link">${escapeHtml(t('site.page'))} ›</a>` : '') + '</div>';
}
