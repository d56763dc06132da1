// 统计审计: the bureau's audit of a period (day, week, month, range, key
// period, year) by county, township or grid: summary figures, charts
// (ECharts, loaded with this page only), the confirmed straw burning on a
// map, the tables and the exports. The filter lives in the URL hash:
// #/audit?period=2023-10&by=county&region=140225.
import L from './leaflet';
import { watchTileErrors } from './tilesession';
import { areaRegions, countyOptions } from './areafilter';
import { api, errorText, qs } from './api';
import {
  PERIOD_KINDS, auditQuery, defaultFields, mostHours, yearAgoText, rankBars, fieldsOf, isMonth, isoWeek, parseAuditQuery, periodOf, type AuditFilter, type Day, type GroupBy, type PeriodFields,
} from './auditutil';
import { drawAirRanking, rankTabs } from './auditair';
import { drawDust, dustLevel } from './auditdust';
import { basemapLayer, type Basemap } from './basemap';
import { h, clear } from './dom';
import { dataDay, escapeHtml, formatDateTime, formatNumber } from './format';
import { getLang, t, tOr } from './i18n';
import { role } from './session';

import type {
  AirRankingAnswer, AreaStats, ConfirmedFire as Confirmed, PublishedReportList, PublishRequest, RankView as Rank, RankingAnswer, SeriesView as SeriesResp, StatsAnswer as StatsResp, PublicReportFigures,
} from './api/types.gen';

/** RANK_BARS: the ranking chart's bars at most (the worst first). */
const RANK_BARS = 30;

export function render(el: HTMLElement): () => void {
  const day0 = dataDay();
  const filter = parseAuditQuery(location.hash.split('?')[1] ?? '', day0.slice(0, 7));
  let disposed = false;
  const stops: (() => void)[] = [];

  // The filter form.
  const fields = fieldsOf(filter.period, defaultFields(day0));
  const kind = h('select', { 'data-testid': 'period-kind', 'aria-label': t('period.kind') },
    PERIOD_KINDS.map((k) => h('option', { value: k, selected: k === fields.kind }, t('period.' + k))));
  const month = h('input', { type: 'month', value: fields.month, 'data-testid': 'period-month', placeholder: 'YYYY-MM' });
  const day = h('input', { type: 'date', value: fields.day, 'data-testid': 'period-day' });
  const weekLabel = h('output', { class: 'muted', 'data-testid': 'period-week' });
  const from = h('input', { type: 'date', value: fields.from, 'data-testid': 'period-from' });
  const to = h('input', { type: 'date', value: fields.to, 'data-testid': 'period-to' });
  const year = h('input', { type: 'number', min: 2000, max: 2100, step: 1, value: fields.year, 'data-testid': 'period-year' });
  const key = h('select', { 'data-testid': 'period-key' },
    h('option', { value: 'spring', selected: fields.key === 'spring' }, t('period.spring')),
    h('option', { value: 'autumn', selected: fields.key === 'autumn' }, t('period.autumn')));
  const byOption = (b: GroupBy) => h('option', { value: b, selected: b === filter.by }, t('by.' + b));
  const by = h('select', { 'data-testid': 'group-by', 'aria-label': t('audit.by') }, (['county', 'township', 'grid'] as GroupBy[]).map(byOption));
  if (filter.by === 'city') by.prepend(byOption('city'));
  // The ranking is of counties, or of cities when the figures are by city.
  const rankBy: GroupBy = filter.by === 'city' ? 'city' : 'county';
  const level = t('level.' + rankBy);
  const county = h('select', { 'data-testid': 'region', 'aria-label': t('audit.region') }, h('option', { value: '' }, t('audit.region.all')));
  const sub = h('input', { type: 'text', 'data-testid': 'subregion', placeholder: t('audit.subregion'), 'aria-label': t('audit.subregion') });
  const err = h('p', { class: 'error', role: 'alert' });

  const lab = (text: string, input: HTMLElement, cls = '') => h('label', { class: cls }, text, input);
  // Built on each change: the year and day inputs serve several kinds.
  const boxes: Record<string, () => HTMLElement> = {
    month: () => lab(t('period.month'), month),
    day: () => lab(t('period.day'), day),
    week: () => h('div', { class: 'fld' }, lab(t('period.weekof'), day), weekLabel),
    range: () => h('div', { class: 'fld two' }, lab(t('period.from'), from), lab(t('period.to'), to)),
    year: () => lab(t('period.year.label'), year),
    key: () => h('div', { class: 'fld two' }, lab(t('period.year.label'), year), lab(t('period.key'), key)),
  };
  const periodBox = h('div', { class: 'fld' });
  const current = (): PeriodFields => ({
    kind: kind.value as PeriodFields['kind'], day: day.value, month: month.value, from: from.value, to: to.value, year: year.value,
    key: key.value as 'spring' | 'autumn',
  });
  const showKind = () => {
    clear(periodBox);
    periodBox.append((boxes[kind.value] ?? boxes.month)());
    weekLabel.textContent = kind.value === 'week' ? isoWeek(day.value) : '';
  };
  kind.addEventListener('change', showKind);
  day.addEventListener('input', () => { weekLabel.textContent = kind.value === 'week' ? isoWeek(day.value) : ''; });
  showKind();

  const form = h('form', { class: 'card filters', 'data-testid': 'audit-filter' },
    lab(t('period.kind'), kind), periodBox, lab(t('audit.by'), by), lab(t('audit.region'), county), lab(t('audit.subregion'), sub, 'opt'),
    h('div', { class: 'fld go' }, h('button', { type: 'submit', class: 'primary', 'data-testid': 'audit-submit' }, t('audit.load'))), err);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const period = periodOf(current());
    if (!period) { err.textContent = t('period.bad'); return; }
    const next: AuditFilter = { period, by: by.value as GroupBy, region: sub.value.trim() || county.value };
    const hash = '#/audit?' + auditQuery(next);
    if (location.hash === hash) location.reload(); else location.hash = hash;
  });

  fillAreaFilter(county, sub, filter, () => disposed, () => { if (filter.by !== 'city') by.prepend(byOption('city')); });

  const p = filter.period;
  const area = { period: p, region: filter.region };
  const exp = (path: string, label: string, id: string, params: Record<string, string> = area) =>
    h('a', { class: 'btn', href: path + qs(params), download: '', 'data-testid': id }, label);
  const exportsBox = h('section', { class: 'card', 'data-testid': 'exports' }, h('h2', {}, t('audit.exports')),
    h('div', { class: 'exrow' }, h('span', { class: 'exlabel' }, t('ex.events')),
      ...['csv', 'xlsx', 'geojson', 'kml'].map((f) => exp(`/api/exports/events.${f}`, f.toUpperCase(), 'export-events-' + f))),
    h('div', { class: 'exrow' }, h('span', { class: 'exlabel' }, t('ex.hotspots')),
      ...['csv', 'geojson', 'kml'].map((f) => exp(`/api/exports/hotspots.${f}`, f.toUpperCase(), 'export-hotspots-' + f))),
    h('div', { class: 'exrow' }, h('span', { class: 'exlabel' }, t('ex.stats')),
      ...['csv', 'xlsx'].map((f) => exp('/api/stats', f.toUpperCase(), 'export-stats-' + f, { ...area, by: filter.by, format: f })),
      isMonth(p)
        ? h('a', { class: 'btn primary', href: '/api/reports/monthly' + qs({ month: p }), target: '_blank', rel: 'noopener', 'data-testid': 'monthly' }, t('audit.monthly'))
        : h('span', { class: 'muted small' }, t('audit.monthonly')),
      isMonth(p) && ['admin', 'auditor'].includes(role()) ? publishToggle(p) : false),
    h('div', { class: 'exrow' }, h('span', { class: 'exlabel' }, t('ex.dust')), exp('/api/exports/dust.csv', 'CSV', 'export-dust-csv')));

  const summary = h('section', { class: 'card', 'data-testid': 'summary' }, h('h2', {}, t('audit.summary')), h('p', { class: 'muted' }, t('loading')));
  const chartBox = (id: string, title: string, height: number) => {
    const box = h('div', { class: 'chart', 'data-testid': id, style: `height:${height}px` });
    return { box, card: h('section', { class: 'card' }, h('h2', {}, title), box) };
  };
  const dailyC = chartBox('chart-daily', t('audit.daily'), 320);
  const rankC = chartBox('chart-ranking', t('audit.rankchart', { level }), 300);
  const respC = chartBox('chart-response', t('audit.response'), 280);
  const mapEl = h('div', { class: 'auditmap', 'data-testid': 'confirmed-map' });
  const confirmedNote = h('p', { class: 'muted', 'data-testid': 'confirmed-count' });
  const mapCard = h('section', { class: 'card' }, h('h2', {}, t('audit.confirmed')), confirmedNote, mapEl);
  const statsCard = h('section', { class: 'card' }, h('h2', {}, t('audit.stats')), h('p', { class: 'muted' }, t('loading')));
  const rankCard = h('section', { class: 'card' }, h('h2', {}, t('audit.ranking', { level })), h('p', { class: 'muted' }, t('loading')));
  const dustCard = h('section', { class: 'card', 'data-testid': 'dust' }, h('h2', {}, t('dust.title')), h('p', { class: 'muted' }, t('loading')));
  // The air-quality ranking, a tab beside the straw-burning one: the period's month, else the latest ranked.
  const airCard = h('section', { class: 'card', 'data-testid': 'air-ranking' }, h('h2', {}, t('air.title')), h('p', { class: 'muted' }, t('loading')));

  el.append(
    h('div', { class: 'pagehead' }, h('h1', {}, t('audit.title')), h('span', { class: 'muted', 'data-testid': 'period-name' }, p)),
    form, summary,
    h('div', { class: 'charts' }, dailyC.card, rankC.card, respC.card, mapCard),
    statsCard, rankTabs(rankCard, airCard), dustCard, exportsBox);

  // The confirmed-burning map.
  const map = L.map(mapEl, { zoomControl: true, fadeAnimation: false, zoomSnap: 0.25, minZoom: 5, maxZoom: 18 });
  watchTileErrors(map);
  map.fitBounds([[39.0, 112.5], [40.75, 114.6]], { animate: false });
  (window as unknown as { skygridAuditMap?: L.Map }).skygridAuditMap = map; // for the browser tests
  stops.push(() => { map.stop(); map.off(); map.remove(); });
  api.get<{ basemaps: Basemap[] }>('/api/basemaps').then((bm) => {
    if (!disposed && bm.basemaps?.length) basemapLayer(bm.basemaps[0]).addTo(map);
  }).catch(() => {});

  const fail = (box: HTMLElement, e: unknown) => { box.querySelector('p.muted')?.remove(); box.append(h('p', { class: 'error' }, `${t('error')}: ${(e as Error).message}`)); };

  (async () => {
    const [stats, rank, series, charts, air] = await Promise.all([
      api.get<StatsResp>('/api/stats' + qs({ period: p, by: filter.by, region: filter.region })).catch((e) => e as Error),
      api.get<RankingAnswer>('/api/stats/ranking' + qs({ period: p, by: rankBy, region: filter.region })).catch((e) => e as Error),
      api.get<SeriesResp>('/api/stats/series' + qs({ period: p, region: filter.region })).catch((e) => e as Error),
      import('./charts'),
      api.get<AirRankingAnswer>('/api/air/ranking' + qs({ month: isMonth(p) ? p : undefined })).catch((e) => e as Error),
    ]);
    if (disposed) return;
    const made: import('./charts').Chart[] = [];
    if (stats instanceof Error) { fail(summary, stats); fail(statsCard, stats); fail(dustCard, stats); } else {
      document.querySelector('[data-testid=period-name]')!.textContent = stats.period;
      // The server groups an area finer than asked (a township official's
      // figures come by township): the form says what is shown.
      const shownBy = stats.stats.query.by as GroupBy;
      if (shownBy && shownBy !== by.value && by.querySelector(`option[value="${shownBy}"]`)) by.value = shownBy;
      drawSummary(summary, stats, series instanceof Error ? null : series);
      drawStats(statsCard, stats);
      const dustBox = stats.dust ? drawDust(dustCard, stats.dust) : null;
      if (!stats.dust) dustCard.remove();
      if (stats.public_reports) dustCard.after(publicCard(stats.public_reports));
      if (dustBox && stats.dust) made.push(drawDustHours(charts, dustBox, stats.dust.counties, dustLevel(stats.dust)));
    }
    // The level ranked: a finer one than asked when the area is (townships).
    const ranked = rank instanceof Error || !rank.by ? level : t('level.' + rank.by);
    if (rank instanceof Error) { fail(rankCard, rank); fail(rankC.card, rank); } else if ((rank.ranking ?? []).length === 1) {
      // One area (an official's): its figures, not a ranking of one.
      drawOwn(rankCard, rank.ranking[0], ranked);
      rankC.card.remove();
    } else {
      drawRanking(rankCard, rank.ranking ?? [], ranked);
      rankC.card.querySelector('h2')!.textContent = t('audit.rankchart', { level: ranked });
      const rows = rankBars(rank.ranking ?? []);
      if (rows.some((r) => r.by === 'unverified')) rankC.box.before(h('p', { class: 'muted small', 'data-testid': 'rank-note' }, t('audit.rank.unverified', { level: ranked })));
      if (rows.length) {
        // A province's 120 counties would make a chart taller than ten
        // screens: it shows the worst, the table all of them.
        const shown = rows.slice(0, RANK_BARS);
        if (rows.length > shown.length) rankC.box.before(h('p', { class: 'muted small', 'data-testid': 'rank-top' }, t('audit.rank.top', { n: shown.length, all: rows.length })));
        rankC.box.style.height = `${Math.max(160, shown.length * 30 + 30)}px`;
        made.push(charts.ranking(rankC.box, shown));
      } else rankC.box.replaceWith(h('p', { class: 'muted' }, t('audit.nodata')));
    }
    if (air instanceof Error) fail(airCard, air); else drawAirRanking(airCard, air);
    if (series instanceof Error) { fail(dailyC.card, series); fail(respC.card, series); fail(mapCard, series); } else {
      made.push(charts.daily(dailyC.box, series.days));
      if (series.response_minutes.length) made.push(charts.response(respC.box, series.response_minutes));
      else respC.box.replaceWith(h('p', { class: 'muted', 'data-testid': 'chart-response-empty' }, t('audit.noresponse')));
      drawConfirmed(map, confirmedNote, series.confirmed);
    }
    stops.push(charts.keepSized(made));
  })();

  const onResize = () => map.invalidateSize();
  window.addEventListener('resize', onResize);
  return () => {
    disposed = true;
    window.removeEventListener('resize', onResize);
    stops.forEach((f) => f());
  };
}

const num = (v: number | null | undefined) => (v === null || v === undefined ? '—' : formatNumber(Math.round(v * 10) / 10));
const pct = (v: number | null | undefined) => (v === null || v === undefined ? '—' : `${Math.round(v * 1000) / 10}%`);
const mins = (v: number | null | undefined) => (v === null || v === undefined ? '—' : String(Math.round(v)));
const minPair = (a: number | null | undefined, b: number | null | undefined) =>
  (a === null || a === undefined) && (b === null || b === undefined) ? '—' : `${mins(a)} / ${mins(b)} ${t('audit.unit.min')}`;

/**
 * fillAreaFilter lists the counties in the area filter (an official's
 * list holds only theirs), under their cities when there are several (a
 * province), each city first as a whole; then the figures may also be
 * grouped by city (byCity). A region not listed goes into sub.
 */
function fillAreaFilter(county: HTMLSelectElement, sub: HTMLInputElement, filter: AuditFilter, gone: () => boolean, byCity: () => void): void {
  Promise.all([areaRegions({ level: 'county' }), areaRegions({ level: 'city' })]).then(([counties, cities]) => {
    if (gone()) return;
    if (cities.length > 1) byCity();
    county.append(...countyOptions(counties, cities, filter.region));
    const listed = (id: string) => counties.some((c) => c.id === id) || (cities.length > 1 && cities.some((c) => c.id === id));
    if (filter.region && !listed(filter.region)) sub.value = filter.region;
  }).catch(() => {});
}

/** drawDustHours charts the areas' dust hours in box (the 30 with most
 * when there are more, saying so; level: 区县, 乡镇). */
function drawDustHours(charts: typeof import('./charts'), box: HTMLElement, counties: { region_name: string; region_id: string; exceedance_hours: number }[], level: string): import('./charts').Chart {
  const all = counties.map((a) => ({ name: a.region_name || a.region_id, hours: a.exceedance_hours }));
  const shown = mostHours(all, RANK_BARS);
  if (shown.length < all.length) box.before(h('p', { class: 'muted small', 'data-testid': 'dust-hours-top' }, t('dust.hours.top', { n: shown.length, all: all.length, level })));
  box.style.height = `${Math.max(160, shown.length * 30 + 40)}px`;
  return charts.dustHours(box, shown);
}

function drawSummary(card: HTMLElement, s: StatsResp, series: SeriesResp | null): void {
  clear(card);
  const cur = s.stats.total;
  const ago = s.stats.year_ago?.total ?? null;
  const noData = !!s.stats.year_ago?.no_data;
  const fig = (label: string, value: string, id: string, n?: (a: AreaStats) => number, cls = '') => {
    const c = n && ago ? yearAgoText(n(cur), n(ago), noData) : '';
    return h('div', { class: 'fig ' + cls, 'data-testid': 'fig-' + id },
      h('div', { class: 'v' }, value), h('div', { class: 'k' }, label),
      c ? h('div', { class: 'yo' + (noData ? ' muted' : '') }, c) : null);
  };
  const straw = (a: AreaStats) => a.by_class?.straw_burning ?? 0;
  card.append(h('h2', {}, t('audit.summary'), ' ', h('small', { class: 'muted' }, s.period)),
    h('div', { class: 'figs' },
      fig(t('st.events'), formatNumber(cur.events), 'events', (a) => a.events),
      fig(t('st.hotspots'), formatNumber(cur.hotspots), 'hotspots', (a) => a.hotspots),
      fig(t('st.straw'), formatNumber(straw(cur)), 'straw', straw),
      fig(t('st.tasks'), formatNumber(cur.tasks), 'tasks', (a) => a.tasks),
      fig(t('st.confirmed'), formatNumber(cur.confirmed_straw_burning), 'confirmed', (a) => a.confirmed_straw_burning, 'hot'),
      fig(t('st.false'), formatNumber(cur.false_alarms), 'false', (a) => a.false_alarms),
      fig(t('st.unverified'), formatNumber(cur.unverified), 'unverified', (a) => a.unverified),
      fig(`${t('st.ack')} ${t('audit.median')} / ${t('audit.p90')}`, minPair(cur.ack_median_min, cur.ack_p90_min), 'ack'),
      fig(`${t('st.rep')} ${t('audit.median')} / ${t('audit.p90')}`, minPair(cur.report_median_min, cur.report_p90_min), 'report'),
      fig(t('st.overdue.share'), `${pct(cur.overdue_share)}`, 'overdue', undefined, cur.overdue_share > 0.2 ? 'hot' : ''),
    ));
  if (series && !series.response_minutes.length && !cur.tasks) card.append(h('p', { class: 'muted' }, t('audit.nodata')));
}

function drawStats(card: HTMLElement, s: StatsResp): void {
  clear(card);
  card.append(h('h2', {}, t('audit.stats')));
  const cols: [string, (a: AreaStats) => string, boolean][] = [
    ['st.region', (a) => a.region_name || a.region_id || '—', false],
    ['st.hotspots', (a) => num(a.hotspots), true],
    ['st.events', (a) => num(a.events), true],
    ['st.straw', (a) => num(a.by_class?.straw_burning ?? 0), true],
    ['st.tasks', (a) => num(a.tasks), true],
    ['st.confirmed', (a) => num(a.confirmed_straw_burning), true],
    ['st.false', (a) => num(a.false_alarms), true],
    ['st.unverified', (a) => num(a.unverified), true],
    ['st.ack.median', (a) => num(a.ack_median_min), true],
    ['st.ack.p90', (a) => num(a.ack_p90_min), true],
    ['st.rep.median', (a) => num(a.report_median_min), true],
    ['st.rep.p90', (a) => num(a.report_p90_min), true],
    ['st.overdue', (a) => num(a.overdue), true],
    ['st.overdue.share', (a) => pct(a.overdue_share), true],
    ['st.cropland', (a) => (a.cropland_ha ? num(Math.round(a.cropland_ha)) : '—'), true],
    ['st.per1000', (a) => (a.straw_per_1000ha !== undefined && a.straw_per_1000ha !== null ? a.straw_per_1000ha.toFixed(2) : '—'), true],
  ];
  const areas = s.stats.areas ?? [];
  if (!areas.length) { card.append(h('p', { class: 'muted' }, t('audit.nodata'))); return; }
  const row = (a: AreaStats, total = false) => h('tr', { 'data-testid': total ? 'stats-total' : 'stats-row', class: total ? 'total' : '', 'data-region': a.region_id },
    cols.map(([, f, n], i) => h(i === 0 ? 'th' : 'td', { class: n ? 'num' : '' }, total && i === 0 ? t('st.total') : f(a))));
  card.append(h('div', { class: 'tablewrap' }, h('table', { class: 'grid', 'data-testid': 'stats-table' },
    h('thead', {}, h('tr', {}, cols.map(([k, , n]) => h('th', { class: n ? 'num' : '' }, t(k))))),
    h('tbody', {}, areas.map((a) => row(a))),
    h('tfoot', {}, row(s.stats.total, true)))));
}

function drawRanking(card: HTMLElement, ranks: Rank[], level: string): void {
  clear(card);
  card.append(h('h2', {}, t('audit.ranking', { level })));
  if (!ranks.length) { card.append(h('p', { class: 'muted' }, t('audit.nodata'))); return; }
  const score = (r: Rank) => (r.stats?.cropland_ha ? `${r.score.toFixed(2)} ${t('audit.score.ha')}` : `${r.score} ${t('audit.score.n')}`);
  card.append(h('div', { class: 'tablewrap' }, h('table', { class: 'grid', 'data-testid': 'ranking-table' },
    h('thead', {}, h('tr', {}, [t('rk.rank'), level, ...['rk.score', 'st.confirmed', 'st.unverified', 'st.overdue.share', 'rk.reason'].map((k) => t(k))].map((k) => h('th', {}, k)))),
    h('tbody', {}, ranks.map((r) => h('tr', { 'data-testid': 'ranking-row' },
      h('td', { class: 'num' }, String(r.rank)), h('td', {}, r.region_name), h('td', { class: 'num' }, score(r)),
      h('td', { class: 'num' }, num(r.stats?.confirmed_straw_burning)), h('td', { class: 'num' }, num(r.stats?.unverified)),
      h('td', { class: 'num' }, pct(r.stats?.overdue_share)), h('td', { class: 'wrap' }, getLang() === 'zh' ? r.reason : '')))))));
}

/** drawOwn: the figures of the user's one area (a county, or a township
 * at level 乡镇), said as such (no rank). */
function drawOwn(card: HTMLElement, r: Rank, level: string): void {
  clear(card);
  card.setAttribute('data-testid', 'own-county');
  card.append(h('h2', {}, t('audit.own', { name: r.region_name })),
    h('p', { class: 'muted small', 'data-testid': 'own-note' }, t('audit.own.note', { name: r.region_name, level })));
  const score = r.stats?.cropland_ha ? `${r.score.toFixed(2)} ${t('audit.score.ha')}` : `${r.score} ${t('audit.score.n')}`;
  const rows: [string, string][] = [
    ['st.straw', r.stats?.cropland_ha ? `${num(r.stats?.by_class?.straw_burning ?? 0)}（${score}）` : num(r.stats?.by_class?.straw_burning ?? 0)],
    ['st.confirmed', num(r.stats?.confirmed_straw_burning)], ['st.unverified', num(r.stats?.unverified)],
    ['st.overdue.share', pct(r.stats?.overdue_share)],
  ];
  card.append(h('div', { class: 'tablewrap' }, h('table', { class: 'grid kv', 'data-testid': 'own-table' },
    h('tbody', {}, rows.map(([k, v]) => h('tr', {}, h('th', {}, t(k)), h('td', { class: 'num' }, v)))))));
}

function drawConfirmed(map: L.Map, note: HTMLElement, cs: Confirmed[]): void {
  note.textContent = cs.length ? t('audit.confirmed.n', { n: cs.length }) : t('audit.confirmed.none');
  if (!cs.length) return;
  const group = L.featureGroup();
  for (const c of cs) {
    const place = [c.county_name || c.county_id, c.township_name].filter(Boolean).join(' · ');
    const row = (k: string, v: unknown) => (v === undefined || v === null || v === '' ? '' : `<tr><th>${escapeHtml(t(k))}</th><td>${escapeHtml(v)}</td></tr>`);
    const html = `<div data-testid="confirmed-popup"><h3>${escapeHtml(tOr('finding', c.finding))} <small>#${c.id}</small></h3><table>` +
      row('cf.place', place) + row('event.grid', c.grid_id) + row('cf.time', formatDateTime(c.first_seen)) + row('cf.closed', formatDateTime(c.closed_at)) +
      row('task.finding', tOr('finding', c.finding)) + row('task.notes', c.notes) + `<tr><th>WGS84</th><td>${c.lat.toFixed(5)}, ${c.lon.toFixed(5)}</td></tr>` +
      `</table><a class="btn" href="#/tasks/${c.task_id}">${escapeHtml(t('event.open'))} →</a></div>`;
    L.circleMarker([c.lat, c.lon], { radius: 8, color: '#7f1d1d', weight: 2, fillColor: '#e8590c', fillOpacity: 0.9, className: 'confirmed-marker' })
      .bindPopup(html, { maxWidth: 300 }).addTo(group);
  }
  group.addTo(map);
  const b = group.getBounds();
  if (b.isValid()) map.fitBounds(b.pad(0.3), { maxZoom: 11, animate: false });
}

/**
 * publishToggle marks the month's report public on the public page (admins
 * and auditors; POST /api/reports/monthly/publish, audited), with a link
 * to the public copy once it is.
 */
function publishToggle(month: string): HTMLElement {
  const box = h('input', { type: 'checkbox', 'data-testid': 'monthly-public' }) as HTMLInputElement;
  const view = h('a', { href: '/public/reports/' + month, target: '_blank', rel: 'noopener', 'data-testid': 'monthly-public-view', hidden: true }, t('audit.publicview'));
  const msg = h('span', { class: 'muted small', 'data-testid': 'monthly-public-msg' });
  const show = (on: boolean) => { box.checked = on; view.hidden = !on; };
  api.get<PublishedReportList>('/public/api/reports').then((r) => show(r.reports.some((x) => x.month === month))).catch(() => {});
  box.addEventListener('change', () => {
    const on = box.checked;
    box.disabled = true;
    api.post<PublishRequest>('/api/reports/monthly/publish', { month, public: on })
      .then(() => { show(on); msg.textContent = t(on ? 'audit.published' : 'audit.unpublished'); })
      .catch((e) => { show(!on); msg.textContent = errorText(e, t); })
      .finally(() => { box.disabled = false; });
  });
  return h('span', { class: 'publish' }, h('label', {}, box, ' ' + t('audit.publish')), ' ', view, ' ', msg);
}

/** publicCard: the period's reports from the public, accepted, rejected, rewarded and the total reward. */
function publicCard(f: PublicReportFigures): HTMLElement {
  const cell = (k: string, v: string | number, id: string) =>
    h('div', { class: 'fig' }, h('div', { class: 'v', 'data-testid': id }, String(v)), h('div', { class: 'k' }, t(k)));
  return h('section', { class: 'card', 'data-testid': 'public-figures' }, h('h2', {}, t('audit.public')),
    h('div', { class: 'figs' },
      cell('audit.public.reports', f.reports, 'pub-reports'), cell('audit.public.accepted', f.accepted, 'pub-accepted'),
      cell('audit.public.rejected', f.rejected, 'pub-rejected'), cell('audit.public.pending', f.pending, 'pub-pending'),
      cell('audit.public.rewarded', f.rewarded, 'pub-rewarded'), cell('audit.public.yuan', f.reward_yuan.toFixed(2), 'pub-yuan')));
}
