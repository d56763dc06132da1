// 地图: the basemaps (offline, Tianditu), place names, every server layer as a PNG tile layer, time window,
// day slider, click → event and site popups, 我的位置.
import L, { DATONG, userArea } from './leaflet';
import { watchTileErrors } from './tilesession';
import { api, qs } from './api';
import { addBasemaps, type Basemaps } from './basemap';
import { clear, h, toast } from './dom';
import { getLang, t, tOr } from './i18n';
import { gridLabel, searchBounds, type SearchResult } from './place';
import { now as serverNow } from './clock';
import { bboxAround, dataDay, daysIn, escapeHtml, formatArea, formatDate, formatDateTime, lastHours, monthDay, monthName, shanghaiDayRange, shanghaiRange, tapHalfDegrees, withTimeParams } from './format';
import { RegionLabels } from './labels';
import { addMonitorLayer } from './monitors';
import { addPassPanel } from './passpanel';
import { addLocate } from './locate';
import { distanceMetres, distanceWords } from './position';
import { fuelName, heatReasons, heatSourceName } from './heat';
import type { EventCollection, EventFeature, HotspotFeature, RegionCollection, RegionFeature, SiteCollection, SiteFeature } from './api/types.gen';

interface Layer { id: string; name: string; version?: string | number; timed?: boolean; png: string; mvt?: string }
type Win = { since: string; until: string } | null;

const DEFAULT_ON = new Set(['regions', 'events', 'hotspots']);

// The legend: one entry per meaning, in groups that say what they are
// (a fire event's class fill is not a registry's site layer).
type LegendItem = [kind: string, colour: string, label: string];
const legend: [group: string, items: LegendItem[]][] = [
  ['legend.hot', [['hot', '#d7191c', 'legend.age.6h'], ['hot', '#f46d43', 'legend.age.24h'], ['hot', '#fdae61', 'legend.age.72h'], ['hot', '#c08a3e', 'legend.age.7d'],
    ['hot', '#8c7b6b', 'legend.age.older']]],
  ['legend.class', [['cls', '#e6b800', 'legend.class.straw_burning'], ['cls', '#d62728', 'legend.class.open_burning'], ['cls', '#7b3f00', 'legend.class.loose_coal_burning'],
    ['cls', '#ff7f0e', 'legend.class.construction_site'], ['cls', '#9467bd', 'legend.class.stockpile'], ['sq', '#6b7280', 'legend.class.industrial_heat']]],
  ['legend.state', [['st', '#111827', 'state.dispatched'], ['st', '#f59e0b', 'state.acknowledged'], ['st', '#2563eb', 'state.reported'], ['st', '#16a34a', 'state.closed']]],
  ['legend.sites', [['site sq', '#16a34a', 'legend.site.construction'], ['site', '#2563eb', 'legend.site.stockpile'], ['bad', '#c026d3', 'legend.site.violation'],
    ['zone', '#7c3aed', 'legend.site.nocoal'], ['sq', '#4b5563', 'legend.site.industrial']]],
  // 扬尘监测: HJ 633-2012's level colours of the latest hourly PM10 (as tiles.LevelColours).
  ['legend.monitors', [['cls', '#00e400', 'monitor.level.1'], ['cls', '#ffff00', 'monitor.level.2'], ['cls', '#ff7e00', 'monitor.level.3'],
    ['cls', '#ff0000', 'monitor.level.4'], ['cls', '#99004c', 'monitor.level.5'], ['cls', '#7e0023', 'monitor.level.6'], ['cls', '#9ca3af', 'monitor.level.0']]],
];

function legendBox(): HTMLElement {
  return h('details', { class: 'legend', open: window.innerWidth > 700, 'data-testid': 'legend' },
    h('summary', {}, t('map.legend')),
    legend.map(([group, items]) => h('div', { class: 'lgroup' + (items.length > 5 || group === 'legend.sites' ? ' one' : '') }, h('div', { class: 'lhead' }, t(group)),
      h('ul', {}, items.map(([kind, color, label]) => h('li', { 'data-testid': 'legend-item' },
        h('i', { class: 'sw ' + kind, style: `--c:${color}` }), label.includes('.') ? t(label) : label))))));
}

export function render(el: HTMLElement, _arg?: string): () => void {
  const params = new URLSearchParams(location.hash.split('?')[1] ?? '');
  const mapEl = h('div', { id: 'map' });
  const panel = h('aside', { class: 'mappanel' });
  let labels: RegionLabels | null = null;
  const toggle = h('button', { type: 'button', class: 'paneltoggle', 'aria-label': t('map.layers'), onclick: () => { panel.classList.toggle('open'); labels?.place(); } }, '☰ ' + t('map.layers'));
  // Names are kept clear of the panel: placed again when it changes size.
  panel.addEventListener('toggle', () => labels?.place(), true);
  el.append(h('div', { class: 'mapwrap' }, mapEl, toggle, panel));

  // The credit line is plain (no flag): see leaflet.ts.
  const map = L.map(mapEl, { zoomControl: true, fadeAnimation: false, zoomSnap: 0.25, attributionControl: true, minZoom: 5, maxZoom: 18 });
  watchTileErrors(map);
  (window as unknown as { skygridMap?: L.Map }).skygridMap = map; // for the browser tests
  // The user's area (/api/me) from the start: a province's user does not
  // first fetch Datong's tiles and then jump. Without it, Datong, then the
  // outline when it comes.
  const area = userArea();
  if (area) map.fitBounds(area, { padding: [10, 10], animate: false });
  else map.fitBounds(DATONG, { animate: false });
  // Once the view moves (a search, a drag, a zoom, the locate button), the
  // user's area coming late on a slow network no longer takes it back.
  let moved = false;
  map.once('movestart', () => { moved = true; });
  L.control.scale({ imperial: false, position: 'bottomleft' }).addTo(map);

  // The window opens on the month of the latest detection (the demo's
  // October 2023, a city's own season): its days for the day slider.
  const day0 = dataDay();
  const month = day0.slice(0, 7);
  const wholeMonth = () => shanghaiRange(month + '-01', monthDay(month, 31));
  const monthWords = { m: monthName(month), mo: Number(month.slice(5)) };
  let win: Win = wholeMonth();
  const timed: { layer: L.TileLayer; tpl: string }[] = [];
  const applyWin = () => timed.forEach(({ layer, tpl }) => layer.setUrl(withTimeParams(tpl, win)));
  let disposed = false;

  // Layer switcher.
  const layerBox = h('fieldset', { class: 'layers' }, h('legend', {}, t('map.layers')));
  // Time window.
  const sel = h('select', { 'aria-label': t('map.window'), 'data-testid': 'time-window' },
    h('option', { value: 'month' }, t('map.month', monthWords)),
    h('option', { value: 'day' }, t('map.day', monthWords)),
    h('option', { value: '24h' }, t('map.24h')),
    h('option', { value: '7d' }, t('map.7d')),
    h('option', { value: 'custom' }, t('map.custom')),
    h('option', { value: 'all' }, t('map.all')));
  const d0 = Number(day0.slice(8));
  const slider = h('input', { type: 'range', min: 1, max: daysIn(month), step: 1, value: d0, 'aria-label': t('map.day', monthWords), 'data-testid': 'day-slider' });
  const dayLabel = h('output', {}, t('map.day.label', { ...monthWords, d: d0 }));
  const today = formatDate(serverNow());
  const from = h('input', { type: 'date', value: month + '-01', max: today });
  const to = h('input', { type: 'date', value: day0, max: today });
  const custom = h('div', { class: 'custom', hidden: true }, h('label', {}, t('map.from'), from), h('label', {}, t('map.to'), to),
    h('button', { type: 'button', onclick: () => { if (from.value && to.value) { win = shanghaiRange(from.value, to.value); applyWin(); } } }, t('map.apply')));
  const dayRow = h('div', { class: 'dayrow', hidden: true }, slider, dayLabel);
  const setDay = () => {
    const d = Number(slider.value);
    dayLabel.textContent = t('map.day.label', { ...monthWords, d });
    win = shanghaiDayRange(monthDay(month, d));
    applyWin();
  };
  slider.addEventListener('input', () => { dayLabel.textContent = t('map.day.label', { ...monthWords, d: slider.value }); });
  slider.addEventListener('change', setDay);
  sel.addEventListener('change', () => {
    dayRow.hidden = sel.value !== 'day';
    custom.hidden = sel.value !== 'custom';
    if (sel.value === 'day') return setDay();
    if (sel.value === '24h') win = lastHours(24);
    else if (sel.value === '7d') win = lastHours(24 * 7);
    else if (sel.value === 'all') win = null;
    else if (sel.value === 'month') win = wholeMonth();
    else return;
    applyWin();
  });
  // Search by place: county, township, grid (id or name), registered site.
  const q = h('input', {
    type: 'search', placeholder: t('map.search'), 'aria-label': t('map.search'), 'data-testid': 'grid-search',
    autocomplete: 'off', role: 'combobox', 'aria-autocomplete': 'list', 'aria-expanded': 'false', 'aria-controls': 'search-suggestions',
  });
  const sugg = h('ul', { class: 'suggest', id: 'search-suggestions', role: 'listbox', 'data-testid': 'search-suggestions', hidden: true });
  const searchForm = h('form', { class: 'search', role: 'search' }, h('div', { class: 'searchrow' }, q, h('button', { type: 'submit' }, t('map.go'))), sugg);
  let results: SearchResult[] = [];
  let active = -1;
  let searchSeq = 0;
  let highlight: L.Layer | null = null;
  const showSuggestions = (open: boolean) => { sugg.hidden = !open; q.setAttribute('aria-expanded', String(open)); };
  const drawSuggestions = () => {
    clear(sugg);
    if (!results.length) {
      sugg.append(h('li', { class: 'muted none', 'data-testid': 'search-none' }, t('map.notfound')));
    }
    results.forEach((r, i) => {
      const kind = r.kind === 'site' ? (getLang() === 'zh' && r.site_kind_name ? r.site_kind_name : t('search.kind.site')) : t('search.kind.' + r.kind);
      const li = h('li', { role: 'option', id: 'sugg-' + i, 'aria-selected': String(i === active), class: i === active ? 'active' : '' },
        h('button', { type: 'button', 'data-testid': 'search-result', 'data-kind': r.kind, 'data-id': r.id, tabindex: -1,
          onmousedown: (e: Event) => e.preventDefault(), onclick: () => choose(r) },
          h('span', { class: 'kind k-' + r.kind }, kind), ' ', h('b', {}, r.name),
          // A grid's name starts with its county's: its id says more.
          r.parent_name && !(r.kind === 'grid' && r.name.startsWith(r.parent_name)) ? h('small', { class: 'muted' }, ' · ' + r.parent_name) : null,
          r.kind === 'grid' && r.name !== r.id ? h('small', { class: 'muted' }, ' · ' + r.id) : null));
      sugg.append(li);
    });
    if (active >= 0) q.setAttribute('aria-activedescendant', 'sugg-' + active); else q.removeAttribute('aria-activedescendant');
    showSuggestions(true);
  };
  async function search(text: string): Promise<SearchResult[]> {
    const seq = ++searchSeq;
    const r = await api.get<{ results: SearchResult[] }>('/api/search' + qs({ q: text, limit: 8 }));
    if (seq !== searchSeq || disposed) throw new Error('superseded');
    return r.results ?? [];
  }
  let debounce = 0;
  q.addEventListener('input', () => {
    clearTimeout(debounce);
    const text = q.value.trim();
    if (!text) { searchSeq++; results = []; showSuggestions(false); return; }
    debounce = window.setTimeout(async () => {
      try {
        results = await search(text);
        active = -1;
        drawSuggestions();
      } catch (e) {
        if ((e as Error).message !== 'superseded') toast((e as Error).message, 'err');
      }
    }, 200);
  });
  q.addEventListener('keydown', (e) => {
    if (sugg.hidden || !results.length) return;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      active = (active + (e.key === 'ArrowDown' ? 1 : results.length - 1)) % results.length;
      drawSuggestions();
    } else if (e.key === 'Escape') showSuggestions(false);
  });
  q.addEventListener('blur', () => showSuggestions(false));
  q.addEventListener('focus', () => { if (q.value.trim() && (results.length || !sugg.hidden)) drawSuggestions(); });
  async function choose(r: SearchResult): Promise<void> {
    showSuggestions(false);
    q.value = r.name;
    panel.classList.remove('open');
    const b = searchBounds(r.bbox);
    if (b) map.flyToBounds(b, { padding: [24, 24], maxZoom: r.kind === 'site' ? 17 : 15, duration: 0.6 });
    // Outline it: the region's or the site's geometry.
    const url = r.kind === 'site' ? `/api/sites/${encodeURIComponent(r.id)}` : `/api/regions/${encodeURIComponent(r.id)}`;
    const f = await api.get<RegionFeature | SiteFeature>(url).catch(() => null);
    if (disposed) return;
    highlight?.remove();
    const style = { color: '#1d4ed8', weight: 3, fill: true, fillOpacity: 0.06, dashArray: '' };
    highlight = f?.geometry
      ? L.geoJSON(f, { style, interactive: false, pointToLayer: (_p, ll) => L.circleMarker(ll, { radius: 12, color: '#1d4ed8', weight: 3, fill: false, interactive: false }) })
      : b ? L.rectangle(b, { ...style, interactive: false }) : null;
    highlight?.addTo(map);
    (window as unknown as { skygridHighlight?: unknown }).skygridHighlight = { kind: r.kind, id: r.id, name: r.name, bbox: r.bbox };
  }
  searchForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const text = q.value.trim();
    if (!text) return;
    clearTimeout(debounce);
    if (active >= 0 && results[active]) return choose(results[active]);
    try {
      results = await search(text);
    } catch (err) {
      if ((err as Error).message !== 'superseded') toast((err as Error).message, 'err');
      return;
    }
    if (!results.length) { drawSuggestions(); return toast(t('map.notfound'), 'err'); }
    choose(results[0]);
  });

  panel.append(searchForm, h('fieldset', {}, h('legend', {}, t('map.window')), sel, dayRow, custom), layerBox, legendBox());
  addPassPanel(map, panel);

  // Place names, drawn by the browser.
  labels = new RegionLabels(map);
  labels.load();

  // Basemaps and layers from the server.
  (async () => {
    const [bm, ly] = await Promise.all([
      api.get<Basemaps>('/api/basemaps').catch(() => ({ basemaps: [] } as Basemaps)),
      api.get<{ layers: Layer[] }>('/api/layers').catch(() => ({ layers: [] as Layer[] })),
    ]);
    if (disposed) return;
    addBasemaps(map, bm.basemaps, {
      title: t('basemap.title'), collapsed: window.innerWidth <= 700,
      unreachable: (name) => toast(t('basemap.unreachable', { name }), 'err'),
      onChange: (named) => labels?.withBasemapLabels(named),
    });
    for (const l of ly.layers) {
      // The offline basemap is a basemap (above), not an overlay.
      if (l.id === 'base') continue;
      const tpl = l.png + (l.version !== undefined && l.version !== '' ? (l.png.includes('?') ? '&' : '?') + 'v=' + encodeURIComponent(String(l.version)) : '');
      const layer = L.tileLayer(l.timed ? withTimeParams(tpl, win) : tpl, { maxZoom: 18, zIndex: 10, className: 'ov-' + l.id });
      if (l.timed) timed.push({ layer, tpl });
      const cb = h('input', { type: 'checkbox', checked: DEFAULT_ON.has(l.id), 'data-layer': l.id });
      cb.addEventListener('change', () => (cb.checked ? layer.addTo(map) : layer.remove()));
      layerBox.append(h('label', { class: 'chk' }, cb, ' ', l.name, l.timed ? h('small', { class: 'muted' }, ' · ' + t('map.timed')) : null));
      if (DEFAULT_ON.has(l.id)) layer.addTo(map);
    }
    addMonitorLayer(map, layerBox);
    if (bm.key_hint && !bm.tianditu) layerBox.append(keyHint());
  })();

  // The user's area: outline and zoom.
  (async () => {
    let fc = await api.get<RegionCollection>('/api/regions' + qs({ level: 'county', geometry: 'true' })).catch(() => null);
    if (!disposed && !fc?.features?.length) fc = await api.get<RegionCollection>('/api/regions' + qs({ level: 'grid', geometry: 'true' })).catch(() => null);
    if (disposed || !fc?.features?.length) return;
    const outline = L.geoJSON(fc, { style: { color: '#b3261e', weight: 2.5, fill: false, dashArray: '6 4' }, interactive: false }).addTo(map);
    const focus = params.get('lat') && params.get('lon');
    if (!focus && !moved && !area && outline.getBounds().isValid()) map.fitBounds(outline.getBounds(), { padding: [10, 10], animate: false });
  })();

  // Opened from a task: the fire, and where the user is from it (from the
  // registries, what=site: the site).
  const fire = params.get('lat') && params.get('lon') ? { lat: Number(params.get('lat')), lon: Number(params.get('lon')) } : null;
  const what = params.get('what') === 'site' ? 'place' : 'fire';
  if (fire) {
    const ll = L.latLng(fire.lat, fire.lon);
    map.setView(ll, Number(params.get('z')) || 15);
    L.circleMarker(ll, { radius: 10, color: '#b3261e', weight: 3, fill: false, className: 'fire-focus' }).bindTooltip(t(`pos.${what}at`)).addTo(map);
  }
  const locator = addLocate(map, fire, what);

  // Click: events and sites in a box around the point, at least 44 px wide.
  const eventHotspots = L.layerGroup().addTo(map);
  map.on('popupclose', () => eventHotspots.clearLayers());
  map.on('click', async (e: L.LeafletMouseEvent) => {
    const half = tapHalfDegrees(map.getZoom());
    const w = win ?? { since: '', until: '' };
    const url = '/api/events' + qs({ bbox: bboxAround(e.latlng.lat, e.latlng.lng, half), since: w.since, until: w.until, limit: 5 });
    const popup = L.popup({ maxWidth: 300 }).setLatLng(e.latlng).setContent(`<div data-testid="event-popup">${escapeHtml(t('loading'))}</div>`).openOn(map);
    try {
      // Events, and the registered sites there (a site's record and
      // whether it keeps the dust rules).
      const siteUrl = '/api/sites' + qs({ bbox: bboxAround(e.latlng.lat, e.latlng.lng, half), limit: 5 });
      const [fc, sites] = await Promise.all([api.get<EventCollection>(url), api.get<SiteCollection>(siteUrl).catch(() => null)]);
      const feats = fc.features ?? [];
      // Each event's own hotspots: listed in the popup and ringed on the map.
      const details = await Promise.all(feats.map((f) => api.get<EventFeature>(`/api/events/${encodeURIComponent(f.properties?.id ?? String(f.id))}`).catch(() => null)));
      const hot = details.map((d) => d?.properties?.hotspots?.features ?? []);
      // Industrial heat: why, and the known source nearest to it.
      const heat = await Promise.all(feats.map((f, i) => f.properties?.class === 'industrial_heat' ? heatHtml(f, hot[i]) : ''));
      if (disposed) return;
      eventHotspots.clearLayers();
      hot.flat().forEach((hs) => {
        const [lon, lat] = hs.geometry?.coordinates ?? [];
        if (typeof lon === 'number') L.circleMarker([lat, lon], { radius: 6, color: '#f59e0b', weight: 2, fill: false, interactive: false }).addTo(eventHotspots);
      });
      popup.setContent(popupHtml(feats, sites?.features ?? [], hot, heat));
    } catch (err) {
      popup.setContent(`<div data-testid="event-popup" class="error">${escapeHtml((err as Error).message)}</div>`);
    }
  });

  const onResize = () => map.invalidateSize();
  window.addEventListener('resize', onResize);
  return () => {
    disposed = true;
    locator.dispose();
    labels?.dispose();
    window.removeEventListener('resize', onResize);
    // Stop any pan or zoom animation first: removing a map mid-animation
    // makes Leaflet throw (_leaflet_pos of a removed pane).
    map.stop();
    map.off();
    map.remove();
  };
}

/** keyHint: how to turn the Tianditu basemaps on (no key set), folded away in the layers panel. */
function keyHint(): HTMLElement {
  const url = 'https://console.tianditu.gov.cn';
  return h('details', { class: 'keyhint', 'data-testid': 'tianditu-hint' },
    h('summary', {}, t('basemap.hint.title')),
    h('p', {}, t('basemap.hint.now')),
    h('ol', {},
      h('li', {}, t('basemap.hint.1').split(url)[0], h('a', { href: url, target: '_blank', rel: 'noopener' }, url), t('basemap.hint.1').split(url)[1] ?? ''),
      h('li', {}, t('basemap.hint.2'))));
}

/**
 * heatHtml says why an industrial-heat event is one (its hotspots'
 * reasons) and names the registered industrial source nearest to it
 * (within 5 km), with the distance.
 */
async function heatHtml(f: EventFeature, hotspots: HotspotFeature[]): Promise<string> {
  const reasons = heatReasons(hotspots.map((hs) => hs.properties?.status_reason));
  const [lon, lat] = f.geometry?.coordinates ?? [];
  let nearest = '';
  if (typeof lon === 'number') {
    const half = 5000 / 111320;
    const bbox = [lon - half / Math.cos((lat * Math.PI) / 180), lat - half, lon + half / Math.cos((lat * Math.PI) / 180), lat + half].map((x) => x.toFixed(5)).join(',');
    const sites = await api.get<SiteCollection>('/api/sites' + qs({ kind: 'industrial', bbox, limit: 50 })).catch(() => null);
    let best: SiteFeature | null = null, bestD = Infinity;
    for (const s of sites?.features ?? []) {
      const b = s.bbox;
      if (!b) continue;
      const d = distanceMetres({ lat, lon }, { lat: (b[1] + b[3]) / 2, lon: (b[0] + b[2]) / 2 });
      if (d < bestD && d <= 5000) { best = s; bestD = d; }
    }
    if (best) {
      const { name, english } = heatSourceName(best.properties);
      const kind = fuelName(best.properties?.props?.fuel);
      nearest = `<p data-testid="heat-source">${escapeHtml(t('heat.nearest'))}：<b>${escapeHtml(name)}</b>` +
        (kind ? `（${escapeHtml(kind)}）` : '') + `，${escapeHtml(t('heat.distance', { d: distanceWords(bestD) }))}` +
        (english ? `<br><small class="muted">${escapeHtml(t('heat.english'))}</small>` : '') + '</p>';
    } else nearest = `<p class="muted" data-testid="heat-source">${escapeHtml(t('heat.none'))}</p>`;
  }
  const why = reasons.length ? `<p class="heatwhy" data-testid="heat-reason"><b>${escapeHtml(t('heat.title'))}</b>：${reasons.map(escapeHtml).join('；')}</p>` : '';
  return why + nearest;
}

function siteHtml(f: SiteFeature): string {
  const p = f.properties;
  const row = (k: string, v: unknown) => (v === undefined || v === null || v === '' ? '' : `<tr><th>${escapeHtml(t(k))}</th><td>${escapeHtml(v)}</td></tr>`);
  const a = p.attrs ?? {};
  if (p.kind === 'industrial') {
    // A known heat source: its Chinese name where the data has one.
    const { name, english } = heatSourceName(p);
    return `<div class="site" data-testid="site-popup"><h3>${escapeHtml(p.kind_name ?? p.kind)} · ${escapeHtml(name)}</h3><table>` +
      row('heat.fuel', fuelName(p.props?.fuel)) + row('site.capacity', p.props?.capacity_mw ? `${p.props.capacity_mw} MW` : '') + '</table>' +
      (english ? `<small class="muted">${escapeHtml(t('heat.english'))}</small>` : '') + '</div>';
  }
  const ok = p.violation ? `<span class="badge bad">${escapeHtml(p.violation_name ?? p.violation)}</span>` : `<span class="badge ok">${escapeHtml(t('site.ok'))}</span>`;
  return `<div class="site" data-testid="site-popup"><h3>${escapeHtml(p.kind_name ?? p.kind)} · ${escapeHtml(p.name)}</h3>${ok}<table>` +
    row('site.area', p.area_m2 ? formatArea(p.area_m2) : '') + row('site.permit', a.permit) + row('site.builder', a.builder) +
    row('site.video', tOr('attr.video', a.video)) + row('site.material', tOr('attr.material', a.material)) + row('site.suppression', tOr('attr.suppression', a.suppression)) + '</table></div>';
}

/** hotspotList: an event's detections, newest first, at most 8 listed. */
export function hotspotList(hs: HotspotFeature[]): string {
  if (!hs.length) return '';
  const sorted = [...hs].sort((a, b) => String(b.properties?.acq_time).localeCompare(String(a.properties?.acq_time)));
  const items = sorted.slice(0, 8).map((f) => {
    const p = f.properties;
    const frp = typeof p.frp === 'number' && p.frp > 0 ? ` · FRP ${p.frp} MW` : '';
    return `<li>${escapeHtml(formatDateTime(p.acq_time))} · ${escapeHtml(p.satellite || p.source || '')}${escapeHtml(frp)}</li>`;
  });
  const more = hs.length > 8 ? `<li class="muted">${escapeHtml(t('event.more', { n: hs.length - 8 }))}</li>` : '';
  return `<ul class="hotspots" data-testid="event-hotspots">${items.join('')}${more}</ul>`;
}

function popupHtml(features: EventFeature[], sites: SiteFeature[] = [], hotspots: HotspotFeature[][] = [], extra: string[] = []): string {
  const siteRows = sites.map(siteHtml).join('<hr>');
  if (!features.length) return `<div data-testid="event-popup" class="muted">${siteRows || escapeHtml(t('map.noevent'))}</div>`;
  const rows = features.map((f, i) => {
    const p = f.properties;
    const task: Partial<NonNullable<typeof p.task>> = p.task ?? {};
    const row = (k: string, v: unknown) => (v === undefined || v === null || v === '' ? '' : `<tr><th>${escapeHtml(t(k))}</th><td>${escapeHtml(v)}</td></tr>`);
    return `<div class="ev"><h3>${escapeHtml(tOr('class', p.class) || t('event'))} <small>#${escapeHtml(p.id)}</small></h3><table>` +
      row('county', p.county_name || p.county_id) + row('township', p.township_name) + row('event.grid', gridLabel(p)) + row('event.supervisor', task.supervisor_name) +
      row('event.task', task.state ? tOr('state', task.state) : t('state.unassigned')) +
      row('event.hotspots', p.hotspot_count) + row('event.first', formatDateTime(p.first_seen)) + row('event.last', formatDateTime(p.last_seen)) +
      '</table>' + (extra[i] ?? '') + hotspotList(hotspots[i] ?? []) + (task.id ? `<a class="btn" href="#/tasks/${encodeURIComponent(task.id)}">${escapeHtml(t('event.open'))} →</a>` : '') + '</div>';
  });
  return `<div data-testid="event-popup">${rows.join('<hr>')}${siteRows ? '<hr>' + siteRows : ''}</div>`;
}
