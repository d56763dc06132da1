// The words of a monitor (扬尘监测): its PM10 and its popup, kept apart
// from Leaflet so that unit tests run them.
import { h } from './dom';
import { t, tOr } from './i18n';
import { escapeHtml, formatDateTime } from './format';
import type { MonitorItem, SiteDust } from './api/types.gen';

/** pm10Text: "85 µg/m³ · 良", or the level-0 words when there is no recent reading. */
export function pm10Text(m: MonitorItem): string {
  if (m.pm10 === undefined || m.level === 0) return t('monitor.level.0');
  return `${Math.round(m.pm10)} µg/m³ · ${t('monitor.level.' + m.level)}`;
}

/** A monitor's state by its latest data: on line, silent since when, or never heard. */
export type MonitorState = { key: 'online' | 'silent' | 'never'; since?: string };

/**
 * monitorState: a monitor the server calls silent (quiet for the silence
 * rule's time) is 离线 since its latest data; none ever is 未接入. The
 * list showed a silent monitor's last PM10 as if current until 2 hours
 * had passed.
 */
export function monitorState(m: Pick<MonitorItem, 'last_at' | 'silent'>): MonitorState {
  if (!m.last_at) return { key: 'never' };
  return m.silent ? { key: 'silent', since: m.last_at } : { key: 'online' };
}

/** stateText: 在线, 离线（10-31 17:50 起）, 未接入（无数据）. */
export function stateText(s: MonitorState): string {
  return s.key === 'silent' ? t('monitor.state.silent', { since: formatDateTime(s.since).slice(5) }) : t('monitor.state.' + s.key);
}

/** monitorPopup: device number, site, latest PM10 and its hour (Beijing time). */
export function monitorPopup(m: MonitorItem): string {
  const row = (k: string, v: string) => `<tr><th>${escapeHtml(t(k))}</th><td>${escapeHtml(v)}</td></tr>`;
  return `<div data-testid="monitor-popup"><b>${escapeHtml(m.name)}</b><table class="kv">` +
    row('monitor.mn', m.mn) + row('monitor.kind', tOr('monitor.kind', m.kind)) + row('monitor.site', m.site_name || '—') +
    row('monitor.pm10', pm10Text(m)) + row('monitor.last', m.last_at ? formatDateTime(m.last_at) : t('monitor.nodata')) +
    '</table>' + (m.site_id ? `<a href="#/site/${m.site_id}" data-testid="monitor-site-link">${escapeHtml(t('site.page'))} ›</a>` : '') + '</div>';
}

/**
 * noAlarmWords: what a site's dust answer without alarms says: 本时段无超标
 * only when the rules judged all of it; else that none was found where
 * they could judge, and what they could not (hours without the county's
 * ambient, the hours before the minute readings kept).
 */
export function noAlarmWords(d: Pick<SiteDust, 'unjudged'>): string[] {
  const u = d.unjudged;
  if (!u) return [t('dust.alarms.none')];
  const out = [t(u.none_judged ? 'dust.alarms.unjudged' : 'dust.alarms.none.judged')];
  if (u.no_ambient_hours) out.push(t('dust.unjudged.ambient', { n: u.no_ambient_hours }));
  if (u.minutes_from) out.push(t('dust.unjudged.minutes', { at: formatDateTime(u.minutes_from) }));
  return out;
}

/** unjudgedWords: beside alarms found, what the rules could not judge ('' lines none). */
export function unjudgedWords(d: Pick<SiteDust, 'unjudged'>): string[] {
  return d.unjudged ? noAlarmWords(d).slice(1) : [];
}

/** dustParas: lines of noAlarmWords or unjudgedWords as paragraphs, the first plain ones muted, the rest warnings. */
export function dustParas(lines: string[], plain: number): HTMLElement[] {
  return lines.map((l, i) => h('p', { class: i < plain ? 'muted' : 'warn', 'data-testid': i < plain ? 'dust-none' : 'dust-unjudged' }, l));
}
