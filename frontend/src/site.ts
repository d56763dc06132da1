// 工地详情 (#/site/ID): a site's registry facts and violation, its
// monitors' 24-hour and 30-day dust charts with the limit and the ambient
// line, its video (HLS with hls.js, else the snapshot, else 无视频) and
// the exceedances in the period. The chart code and hls.js load only here.
import { api, errorText } from './api';
import { clear, h } from './dom';
import { t, tOr } from './i18n';
import { formatArea, formatDateTime } from './format';
import { dustParas, noAlarmWords, pm10Text, unjudgedWords } from './monitorwords';
import type { MonitorItem, SiteDust, SiteFeature } from './api/types.gen';

type Cleanup = () => void;

export function render(el: HTMLElement, arg?: string): Cleanup | void {
  const id = Number(arg);
  if (!Number.isInteger(id) || id <= 0) {
    el.append(h('p', { class: 'error' }, t('error') + ': ' + arg));
    return;
  }
  const head = h('div', { class: 'pagehead' }, h('h1', { 'data-testid': 'site-title' }, t('site.page')),
    h('a', { href: '#/sites' }, t('site.back')));
  const facts = h('section', { class: 'card site-facts', 'data-testid': 'site-facts' }, h('p', { class: 'muted' }, t('loading')));
  const dust = h('section', { class: 'card site-dust' });
  const video = h('section', { class: 'card site-video', 'data-testid': 'site-video' });
  el.append(head, facts, dust, video);
  const stops: Cleanup[] = [];
  (async () => {
    try {
      const f = await api.get<SiteFeature>(`/api/sites/${id}`);
      drawFacts(facts, head.querySelector('h1')!, f);
    } catch (e) {
      clear(facts);
      facts.append(h('p', { class: 'error' }, errorText(e, t)));
    }
  })();
  stops.push(dustSection(dust, id, '24h', (d) => drawVideo(video, d.monitors.map((m) => m.monitor))));
  return () => stops.forEach((s) => s());
}

function drawFacts(box: HTMLElement, title: HTMLElement, f: SiteFeature): void {
  const p = f.properties;
  title.textContent = p.name ?? t('site.page');
  clear(box);
  const row = (k: string, v: string | undefined | null) => (v ? h('tr', {}, h('th', {}, t(k)), h('td', {}, v)) : null);
  const [lon, lat] = f.bbox ? [(f.bbox[0] + f.bbox[2]) / 2, (f.bbox[1] + f.bbox[3]) / 2] : [null, null];
  box.append(h('h2', {}, t('site.facts')),
    p.violation ? h('p', { class: 'bad', 'data-testid': 'site-violation-text' }, '⚠ ' + (p.violation_name || p.violation)) : h('p', { class: 'ok' }, t('site.ok')),
    h('table', { class: 'kv' },
      row('sites.kind', tOr('kind', p.kind)), row('sites.county', p.county_name), row('sites.area', p.area_m2 ? formatArea(p.area_m2) : null),
      row('site.video', p.attrs?.video ? tOr('attr.video', p.attrs.video) : null), row('site.permit', p.attrs?.permit),
      row('site.builder', p.attrs?.builder), row('sites.start', p.attrs?.start_date), row('sites.end', p.attrs?.end_date)),
    ...(lat !== null && lon !== null ? [h('a', { href: `#/map?lat=${lat.toFixed(5)}&lon=${lon.toFixed(5)}&z=16&what=site` }, t('site.onmap'))] : []));
}

/**
 * dustSection: the range switch, the chart and the exceedances of the
 * site's monitors; onData is called with the first answer. Returns the
 * cleanup (the chart's disposal).
 */
export function dustSection(box: HTMLElement, siteID: number, first: '24h' | '30d', onData?: (d: SiteDust) => void): Cleanup {
  const chartBox = h('div', { class: 'dustchart', 'data-testid': 'dust-chart' });
  const note = h('p', { class: 'muted small', 'data-testid': 'dust-flag-note' });
  const alarms = h('div', { 'data-testid': 'dust-alarms' });
  const status = h('p', { class: 'muted' }, t('loading'));
  const aqi = h('p', { class: 'aqi', 'data-testid': 'county-aqi', hidden: true });
  const tabs = (['24h', '30d'] as const).map((r) => h('button', { type: 'button', class: 'tab', 'data-range': r, onclick: () => load(r) }, t('dust.range.' + r)));
  box.append(h('h2', {}, t('dust.title')), aqi, h('div', { class: 'tabs', role: 'tablist' }, tabs), status, chartBox, note, alarms);
  let chart: import('./dustchart').Chart | null = null;
  let ro: ResizeObserver | null = null;
  let seq = 0, told = false;
  const load = async (range: '24h' | '30d') => {
    const my = ++seq;
    tabs.forEach((b) => b.classList.toggle('active', b.dataset.range === range));
    status.hidden = false;
    status.textContent = t('loading');
    try {
      const [d, charts] = await Promise.all([api.get<SiteDust>(`/api/sites/${siteID}/dust?range=${range}`), import('./dustchart')]);
      if (my !== seq) return;
      if (!told) { told = true; onData?.(d); }
      chart?.dispose();
      chart = null;
      const points = d.monitors.reduce((n, m) => n + m.points.length, 0);
      status.hidden = points > 0;
      status.textContent = d.monitors.length ? t('dust.nodata') : t('dust.nomonitor');
      chartBox.hidden = !d.monitors.length;
      if (d.monitors.length) chart = charts.dustChart(chartBox, d);
      chartBox.dataset.range = range;
      note.textContent = chartBox.dataset.flagged !== '0' && d.monitors.length ? t('dust.flagged.why', { n: chartBox.dataset.flagged ?? 0 }) : '';
      drawAlarms(alarms, d);
      drawAQI(aqi, d);
      if (!ro && chart) {
        ro = new ResizeObserver(() => { if (chart && !chart.isDisposed()) chart.resize(); });
        ro.observe(chartBox);
      }
    } catch (e) {
      if (my !== seq) return;
      status.hidden = false;
      status.textContent = errorText(e, t);
      status.className = 'error';
    }
  };
  load(first);
  return () => { seq++; ro?.disconnect(); chart?.dispose(); };
}

/** drawAQI: the county's latest hourly AQI in its HJ 633 level colour. */
function drawAQI(el: HTMLElement, d: SiteDust): void {
  clear(el);
  el.hidden = !d.aqi;
  if (!d.aqi) return;
  const ix = d.aqi.index;
  const chip = h('span', { class: 'aqichip' }, `AQI ${ix.aqi} ${ix.level.name}`);
  chip.style.background = ix.level.colour; // CSSOM: no inline style attribute (CSP)
  // The hour is labelled by its end (CNEMC: 18:00 is the mean of 17:00-18:00).
  const end = Date.parse(d.aqi.hour);
  el.append(t('site.aqi', { county: d.county_name ?? '', at: `${formatDateTime(end - 3600e3).slice(5)}–${formatDateTime(end).slice(11)}` }), ' ', chip,
    ix.primary_names.length ? ` ${t('site.aqi.primary', { p: ix.primary_names.join('、') })}` : '');
}

function drawAlarms(box: HTMLElement, d: SiteDust): void {
  clear(box);
  if (!d.monitors.length) return;
  if (!d.alarms.length) { box.append(...dustParas(noAlarmWords(d), 1)); return; }
  box.append(h('h3', {}, t('dust.exceed'), ' ', h('span', { class: 'badge bad' }, String(d.alarms.length))),
    h('ul', { class: 'alarms' }, d.alarms.map((a) => h('li', { 'data-testid': 'dust-alarm' },
      h('b', {}, tOr('rule', a.rule)), h('br'), a.detail))), ...dustParas(unjudgedWords(d), 0));
}

/** drawVideo: each monitor's HLS stream (hls.js, lazy), else its snapshot with its time, else 无视频. */
function drawVideo(box: HTMLElement, ms: MonitorItem[]): void {
  clear(box);
  box.append(h('h2', {}, t('video.title')));
  const withVideo = ms.filter((m) => m.video_url || m.snapshot_url);
  if (!withVideo.length) { box.append(h('p', { class: 'muted', 'data-testid': 'video-none' }, t('video.none'))); return; }
  for (const m of withVideo) {
    const fig = h('figure', { class: 'monitor-video' }, h('figcaption', {}, `${m.name} · PM10 ${pm10Text(m)}`));
    box.append(fig);
    if (m.video_url) playHLS(fig, m);
    else snapshot(fig, m);
  }
}

function snapshot(fig: HTMLElement, m: MonitorItem): void {
  // video_seen_at / video_checked_at / video_error: the snapshot probe's live state.
  const seen = m.video_seen_at;
  if (!m.snapshot_url) { fig.append(h('p', { class: 'muted', 'data-testid': 'video-none' }, t('video.none'))); return; }
  if (m.video_error) {
    // The probe's last look failed: say so (and when it was last seen) rather than show a broken image.
    fig.append(h('p', { class: 'bad', 'data-testid': 'video-offline' },
      seen ? t('video.offline.since', { at: formatDateTime(seen) }) : t('video.offline.never')),
    h('p', { class: 'muted small' }, t('video.offline.why', { why: m.video_error })));
    return;
  }
  fig.append(h('img', { src: m.snapshot_url, alt: m.name, class: 'snapshot', 'data-testid': 'video-snapshot', loading: 'lazy' }),
    h('p', { class: 'muted small' }, seen ? t('video.snapshot', { at: formatDateTime(seen) }) : t('video.snapshot.unknown')));
}

async function playHLS(fig: HTMLElement, m: MonitorItem): Promise<void> {
  const v = h('video', { controls: true, muted: true, playsinline: true, preload: 'none', class: 'hls', 'data-testid': 'video-player' }) as HTMLVideoElement;
  fig.append(v);
  const fail = () => { v.remove(); fig.append(h('p', { class: 'muted' }, t('video.failed'))); snapshot(fig, m); };
  if (v.canPlayType('application/vnd.apple.mpegurl')) { v.src = m.video_url!; v.addEventListener('error', fail, { once: true }); return; }
  try {
    const { default: Hls } = await import('hls.js');
    if (!Hls.isSupported()) { fail(); return; }
    const hls = new Hls({ maxBufferLength: 10 });
    hls.on(Hls.Events.ERROR, (_e, data) => { if (data.fatal) { hls.destroy(); fail(); } });
    hls.loadSource(m.video_url!);
    hls.attachMedia(v);
  } catch {
    fail();
  }
}
