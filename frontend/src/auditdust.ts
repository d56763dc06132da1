// 统计审计 · 扬尘监测: the dust section of the audit page, from the dust
// field of GET /api/stats: the figures, a bar chart of exceedance hours by
// county (ECharts, charts.ts), the counties, the sites with most alarms
// and each monitor's data capture.
import { h, clear } from './dom';
import { formatDateTime, formatNumber } from './format';
import { t } from './i18n';
import { worstCapture } from './auditutil';

import type { DustArea, DustStats, DustSite, MonitorCapture } from './api/types.gen';

/** MONITOR_ROWS: the capture table's rows at most. */
const MONITOR_ROWS = 50;

const pct = (v: number | null | undefined) => (v === null || v === undefined ? '—' : `${Math.round(v * 1000) / 10}%`);
const n = (v: number | null | undefined) => (v === null || v === undefined ? '—' : formatNumber(v));

type Col<T> = [key: string, f: (x: T) => string, num: boolean];

function table<T>(id: string, rowID: string, cols: Col<T>[], rows: T[], total?: T): HTMLElement {
  const tr = (x: T, tot = false) => h('tr', { 'data-testid': tot ? id + '-total' : rowID, class: tot ? 'total' : '' },
    cols.map(([, f, num], i) => h(i === 0 ? 'th' : 'td', { class: num ? 'num' : '' }, tot && i === 0 ? t('st.total') : f(x))));
  return h('div', { class: 'tablewrap' }, h('table', { class: 'grid', 'data-testid': id },
    h('thead', {}, h('tr', {}, cols.map(([k, , num]) => h('th', { class: num ? 'num' : '' }, t(k))))),
    h('tbody', {}, rows.map((x) => tr(x))),
    total ? h('tfoot', {}, tr(total, true)) : null));
}

/** levelKey: the i18n key of the level the dust figures come by (a
 * township official's: level.township, 乡镇). */
const levelKey = (d: DustStats): string => 'level.' + (d.by || 'county');

/** areaCols: the area table's columns, its first named by the level the
 * figures come by. */
const areaCols = (d: DustStats): Col<DustArea>[] => [
  [levelKey(d), (a) => a.region_name || a.region_id || '—', false],
  ['dust.monitors', (a) => n(a.monitors), true],
  ['dust.alarms', (a) => n(a.alarms), true],
  ['dust.hours', (a) => n(a.exceedance_hours), true],
  ['dust.sitehours', (a) => n(a.exceedance_site_hours), true],
  ['dust.days', (a) => n(a.exceedance_days), true],
  ['dust.capture', (a) => pct(a.capture_rate), true],
  ['dust.offline', (a) => n(a.offline_now), true],
  ['dust.offlinehours', (a) => n(a.offline_hours), true],
];

const siteCols: Col<DustSite>[] = [
  ['dust.site', (s) => s.name, false],
  ['dust.county', (s) => s.county_name || s.county_id || '—', false],
  ['dust.alarms', (s) => n(s.alarms), true],
  ['dust.hours', (s) => n(s.exceedance_hours), true],
  ['dust.days', (s) => n(s.exceedance_days), true],
];

const monitorCols: Col<MonitorCapture>[] = [
  ['dust.mn', (m) => m.mn, false],
  ['dust.name', (m) => m.name, false],
  ['dust.county', (m) => m.county_name || m.county_id || '—', false],
  ['dust.capture', (m) => pct(m.capture_rate), true],
  ['dust.offlinehours', (m) => n(m.offline_hours), true],
  ['dust.last', (m) => (m.last_reading ? formatDateTime(m.last_reading) : '—'), false],
  ['dust.offline', (m) => t(m.offline_now ? 'dust.yes' : 'dust.no'), false],
];

/** dustLevel names the level of the dust figures' areas (区县, 乡镇). */
export function dustLevel(d: DustStats): string {
  return t(levelKey(d));
}

/** drawDust fills the dust card and returns the chart box to draw in (null: no county). */
export function drawDust(card: HTMLElement, d: DustStats): HTMLElement | null {
  clear(card);
  const tot = d.total;
  const fig = (label: string, value: string, id: string, cls = '') =>
    h('div', { class: 'fig ' + cls, 'data-testid': 'dust-fig-' + id }, h('div', { class: 'v' }, value), h('div', { class: 'k' }, label));
  card.append(h('h2', {}, t('dust.title')),
    h('div', { class: 'figs' },
      fig(t('dust.alarms'), n(tot.alarms), 'alarms'),
      fig(t('dust.hours'), n(tot.exceedance_hours), 'hours', tot.exceedance_hours > 0 ? 'hot' : ''),
      fig(t('dust.days'), n(tot.exceedance_days), 'days'),
      fig(t('dust.capture'), pct(tot.capture_rate), 'capture', tot.capture_rate !== null && tot.capture_rate < 0.9 ? 'hot' : ''),
      fig(t('dust.offline'), `${n(tot.offline_now)} / ${n(tot.monitors)}`, 'offline', tot.offline_now > 0 ? 'hot' : ''),
      fig(t('dust.tasks'), n(d.tasks?.total), 'tasks'),
      fig(t('dust.ontime'), pct(d.tasks?.on_time_rate), 'ontime')));
  const counties = d.counties ?? [];
  let box: HTMLElement | null = null;
  if (counties.length) {
    // No hour over the limit anywhere: said in words, not as a chart of empty bars.
    const none = counties.every((c) => !c.exceedance_hours);
    box = none ? null : h('div', { class: 'chart', 'data-testid': 'chart-dust-hours', style: `height:${Math.max(160, counties.length * 30 + 40)}px` });
    const level = dustLevel(d);
    card.append(h('h3', {}, t('dust.chart', { level })), box ?? h('p', { class: 'muted', 'data-testid': 'dust-hours-none' }, t('dust.hours.none', { level })),
      table('dust-counties', 'dust-county-row', areaCols(d), counties, tot));
  } else card.append(h('p', { class: 'muted' }, t('dust.nomonitors')));
  card.append(h('h3', {}, t('dust.sites')),
    (d.top_sites ?? []).length ? table('dust-sites', 'dust-site-row', siteCols, d.top_sites) : h('p', { class: 'muted', 'data-testid': 'dust-nosites' }, t('dust.nosites')));
  const monitors = d.monitors ?? [];
  if (monitors.length) {
    // A province has thousands: the worst ones here, all in the XLSX export.
    const shown = monitors.length > MONITOR_ROWS ? worstCapture(monitors, MONITOR_ROWS) : monitors;
    card.append(h('h3', {}, t('dust.capture.title')),
      shown.length < monitors.length ? h('p', { class: 'muted small', 'data-testid': 'dust-monitors-top' }, t('dust.capture.top', { n: shown.length, all: monitors.length })) : '',
      table('dust-monitors', 'dust-monitor-row', monitorCols, shown));
  }
  card.append(h('p', { class: 'muted small' }, t('dust.note')));
  return box;
}
