// 任务 for reviewers (officials, auditors, admins): the tasks of their area
// a page of 50 at a time, filtered, searched and sorted by the server, as a
// table on a desktop and cards on a phone, optionally beside a map of the
// page's tasks; reported tasks can be closed together with one note. The
// filter lives in the URL hash: #/tasks?state=reported&township=…&page=2.
import L from './leaflet';
import { api, ApiError, errorText, qs } from './api';
import { basemapLayer, type Basemap } from './basemap';
import { h, clear, toast } from './dom';
import { formatDateTime } from './format';
import { t, tOr } from './i18n';
import { placeName } from './place';
import { getSession, role } from './session';
import {
  DEFAULT_FILTER, PAGE_SIZE, SORTS, STATE_CHOICES, apiQuery, closeResultText, deadlineText, defaultOrder, listHash, pageCount, pageText, parseListQuery,
  type ListFilter, type ListedTask, type Refusal, type Sort,
} from './reviewutil';

/** The colours of the event tiles' task rings: dispatched, acknowledged, reported, closed. */
export const STATE_COLOURS: Record<string, string> = { dispatched: '#111827', acknowledged: '#f59e0b', reported: '#2563eb', closed: '#16a34a' };
const CLASSES = ['straw_burning', 'open_burning', 'loose_coal_burning', 'construction_site', 'stockpile', 'industrial_heat'];
const DATONG: L.LatLngBoundsExpression = [[39.0, 112.5], [40.75, 114.6]];

interface Region { id: string; name: string }

async function regions(params: Record<string, string>): Promise<Region[]> {
  const fc = await api.get<any>('/api/regions' + qs({ ...params, geometry: 'false' }));
  return (fc?.features ?? []).map((x: any) => ({ id: x.properties?.id ?? x.id, name: x.properties?.name ?? x.id }));
}

const option = (value: string, label: string, cur: string) => h('option', { value, selected: value === cur }, label);
const labelled = (text: string, input: HTMLElement, cls = '') => h('label', { class: cls }, text, input);

export function render(el: HTMLElement): () => void {
  let f: ListFilter = parseListQuery(location.hash.split('?')[1] ?? '');
  let disposed = false;
  let tasks: ListedTask[] = [];
  let total = 0;
  let skew = 0; // the server's clock minus this one, ms
  let seq = 0;
  let focused = 0;
  const selected = new Map<number, number>(); // reported task id -> the version shown
  const cityWide = role() !== 'official';
  const own = getSession()?.user.regions ?? [];
  const serverNow = () => Date.now() + skew;

  // The filters.
  const county = h('select', { 'data-testid': 'f-county', 'aria-label': t('county') }, option('', t('rl.county.all'), f.county));
  const township = h('select', { 'data-testid': 'f-township', 'aria-label': t('township') }, option('', t('rl.township.all'), f.township));
  const grid = h('select', { 'data-testid': 'f-grid', 'aria-label': t('event.grid') }, option('', t('rl.grid.all'), f.grid));
  const cls = h('select', { 'data-testid': 'f-class', 'aria-label': t('event.class') }, option('', t('rl.class.all'), f.cls),
    CLASSES.map((c) => option(c, tOr('class', c), f.cls)));
  const stateLabel = (s: string) => (s === 'open' ? t('state.open') : s === 'all' ? t('tasks.all') : s === 'reported' ? t('rl.state.reported') : tOr('state', s));
  const state = h('select', { 'data-testid': 'f-state', 'aria-label': t('tasks.state') }, STATE_CHOICES.map((s) => option(s, stateLabel(s), f.state)));
  const overdue = h('input', { type: 'checkbox', 'data-testid': 'f-overdue', checked: f.overdue });
  const from = h('input', { type: 'date', 'data-testid': 'f-from', value: f.from });
  const to = h('input', { type: 'date', 'data-testid': 'f-to', value: f.to });
  const q = h('input', { type: 'search', 'data-testid': 'f-q', value: f.q, placeholder: t('rl.search'), 'aria-label': t('rl.search'), maxlength: 100 });
  const sort = h('select', { 'data-testid': 'f-sort', 'aria-label': t('rl.sort') }, SORTS.map((s) => option(s, t('rl.sort.' + s), f.sort)));
  const order = h('button', { type: 'button', 'data-testid': 'f-order', class: 'order' });
  const countyBox = labelled(t('county'), county);
  const townshipBox = labelled(t('township'), township);
  countyBox.hidden = !cityWide;
  townshipBox.hidden = true;
  const search = h('form', { class: 'rlsearch', role: 'search' }, q, h('button', { type: 'submit', 'data-testid': 'f-q-go' }, t('rl.search.go')));
  const viewBtn = (v: 'list' | 'map') => h('button', { type: 'button', 'data-testid': 'view-' + v, 'aria-pressed': String(f.view === v), onclick: () => setView(v) }, t('rl.view.' + v));
  const views = h('div', { class: 'views', role: 'group', 'aria-label': t('rl.view') }, viewBtn('list'), viewBtn('map'));
  // On a phone the filters fold away under a line saying how many are set.
  const narrow = window.matchMedia('(max-width: 700px)');
  const moreSummary = h('summary', { 'data-testid': 'f-more' });
  const more = h('details', { class: 'rlmore', open: !narrow.matches }, moreSummary,
    h('div', { class: 'filters' }, countyBox, townshipBox, labelled(t('event.grid'), grid), labelled(t('event.class'), cls), labelled(t('tasks.state'), state),
      h('div', { class: 'fld dates' }, labelled(t('rl.from'), from), labelled(t('rl.to'), to)),
      h('label', { class: 'chk' }, overdue, t('rl.overdue')),
      h('div', { class: 'fld sortrow' }, labelled(t('rl.sort'), sort), order),
      h('button', { type: 'button', class: 'link', 'data-testid': 'f-clear', onclick: () => reset() }, t('rl.clear'))));
  const filters = h('div', { class: 'card rlfilters', 'data-testid': 'list-filters' }, search, more);

  // The list, the pager, the map, the bulk close.
  const pageInfo = h('span', { class: 'muted', 'data-testid': 'page-text', role: 'status' });
  const table = h('table', { class: 'grid rltable', 'data-testid': 'task-table' });
  const prev = h('button', { type: 'button', 'data-testid': 'page-prev', onclick: () => go(f.page - 1) }, '‹ ' + t('rl.prev'));
  const next = h('button', { type: 'button', 'data-testid': 'page-next', onclick: () => go(f.page + 1) }, t('rl.next') + ' ›');
  const pageInfo2 = h('span', { 'data-testid': 'page-text-bottom' });
  const pager = h('nav', { class: 'pager', 'aria-label': t('rl.pagetext') }, prev, pageInfo2, next);
  const mapEl = h('div', { class: 'rlmap', 'data-testid': 'list-map' });
  const legend = h('p', { class: 'rllegend small' }, Object.entries(STATE_COLOURS).map(([s, c]) => h('span', {}, h('i', { class: 'dot', style: `--c:${c}` }), tOr('state', s))),
    h('span', {}, h('i', { class: 'dot over' }), t('rl.legend.overdue')));
  const mapBox = h('div', { class: 'rlmapbox' }, mapEl, legend);
  const notes = h('input', { type: 'text', 'data-testid': 'bulk-notes', placeholder: t('rl.notes'), 'aria-label': t('rl.notes'), maxlength: 1000 });
  const bulkBtn = h('button', { type: 'button', class: 'primary', 'data-testid': 'bulk-close', onclick: () => confirmClose() });
  const selInfo = h('span', { class: 'muted', 'data-testid': 'bulk-selected' });
  const all = h('input', { type: 'checkbox', 'data-testid': 'bulk-check-all' });
  all.addEventListener('change', () => {
    for (const x of tasks) if (x.state === 'reported') { if (all.checked) selected.set(x.id, x.version); else selected.delete(x.id); }
    drawBulk();
  });
  const confirmBox = h('div', { class: 'confirm', 'data-testid': 'bulk-confirm', role: 'alertdialog', hidden: true });
  const result = h('p', { class: 'result', 'data-testid': 'bulk-result', role: 'status' });
  const bulk = h('div', { class: 'card bulk', 'data-testid': 'bulk-bar' }, h('div', { class: 'bulkrow' }, h('label', { class: 'chk' }, all, t('rl.select.page')), selInfo, notes, bulkBtn), confirmBox, result);
  const listBox = h('div', { class: 'rllist' }, bulk, h('div', { class: 'tablewrap' }, table), pager, h('p', { class: 'muted small' }, t('rl.beijing')));
  const body = h('div', { class: 'rlbody' }, mapBox, listBox);
  el.append(h('div', { class: 'pagehead' }, h('h1', {}, t('rl.title')), pageInfo, views), filters, body);

  // Cards on a phone and beside the map; a table otherwise.
  const layout = () => {
    const set = [f.county, f.township, f.grid, f.cls, f.state !== 'open', f.overdue, f.from || f.to].filter(Boolean).length;
    moreSummary.textContent = t('rl.more') + (set ? ' ' + t('rl.more.n', { n: set }) : '') + ` · ${t('rl.sort.' + f.sort)} ${f.order === 'asc' ? '↑' : '↓'}`;
    table.classList.toggle('cards', narrow.matches || f.view === 'map');
    body.classList.toggle('mapview', f.view === 'map');
    mapBox.hidden = f.view !== 'map';
    views.querySelectorAll('button').forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.testid === 'view-' + f.view)));
    order.textContent = t('rl.order.' + f.order);
  };
  narrow.addEventListener('change', layout);

  /** apply changes the filter, keeps it in the URL and loads the page. */
  function apply(patch: Partial<ListFilter>, keepPage = false): void {
    f = { ...f, ...patch };
    if (!keepPage) f.page = 1;
    history.replaceState(null, '', listHash(f));
    layout();
    load();
  }
  const go = (page: number) => { apply({ page: Math.min(Math.max(1, page), pageCount(total)) }, true); listBox.scrollIntoView({ block: 'start' }); };
  function reset(): void {
    f = { ...DEFAULT_FILTER, view: f.view };
    for (const [input, v] of [[county, ''], [township, ''], [grid, ''], [cls, ''], [state, 'open'], [from, ''], [to, ''], [q, ''], [sort, 'deadline']] as const) input.value = v;
    overdue.checked = false;
    apply({});
    fillTownships();
  }
  function setView(v: 'list' | 'map'): void {
    apply({ view: v }, true);
    if (v === 'map') { ensureMap(); map!.invalidateSize(); }
  }
  county.addEventListener('change', () => { township.value = ''; grid.value = ''; apply({ county: county.value, township: '', grid: '' }); fillTownships(); });
  township.addEventListener('change', () => { grid.value = ''; apply({ township: township.value, grid: '' }); fillGrids(); });
  grid.addEventListener('change', () => apply({ grid: grid.value }));
  cls.addEventListener('change', () => apply({ cls: cls.value }));
  state.addEventListener('change', () => apply({ state: state.value as ListFilter['state'] }));
  overdue.addEventListener('change', () => apply({ overdue: overdue.checked }));
  from.addEventListener('change', () => apply({ from: from.value }));
  to.addEventListener('change', () => apply({ to: to.value }));
  sort.addEventListener('change', () => apply({ sort: sort.value as Sort, order: defaultOrder(sort.value as Sort) }));
  order.addEventListener('click', () => apply({ order: f.order === 'asc' ? 'desc' : 'asc' }));
  search.addEventListener('submit', (e) => { e.preventDefault(); apply({ q: q.value.trim() }); });
  q.addEventListener('search', () => { if (!q.value && f.q) apply({ q: '' }); }); // the clear button of a search box

  // The places to filter by: counties for the city-wide, the townships and
  // grids of the area chosen (or of the official's own area).
  const fillSelect = (s: HTMLSelectElement, first: HTMLOptionElement, rs: Region[], cur: string) => {
    clear(s);
    s.append(first, ...rs.map((r) => option(r.id, r.name, cur)));
  };
  async function fillTownships(): Promise<void> {
    const rs = await regions(f.county ? { level: 'township', parent: f.county } : { level: 'township' }).catch(() => []);
    if (disposed) return;
    fillSelect(township, option('', t('rl.township.all'), f.township), rs, f.township);
    townshipBox.hidden = rs.length === 0 && !f.township;
    await fillGrids();
  }
  async function fillGrids(): Promise<void> {
    const parent = f.township || f.county || (!cityWide && own.length === 1 ? own[0] : '');
    let rs: Region[] = [];
    if (parent) rs = await regions({ level: 'grid', parent }).catch(() => []);
    if (disposed) return;
    const first = rs.length || f.grid ? option('', t('rl.grid.all'), f.grid) : option('', t('rl.grid.pick'), f.grid);
    fillSelect(grid, first, rs.map((r) => ({ id: r.id, name: placeName({ grid_name: r.name, grid_id: r.id }) })), f.grid);
    if (f.grid && !rs.some((r) => r.id === f.grid)) grid.append(option(f.grid, f.grid, f.grid));
    grid.disabled = !rs.length && !f.grid;
  }
  if (cityWide) {
    regions({ level: 'county' }).then((rs) => {
      if (!disposed) fillSelect(county, option('', t('rl.county.all'), f.county), rs, f.county);
    }).catch(() => {});
  }
  fillTownships();

  // The map of the page's tasks, made when first shown.
  let map: L.Map | null = null;
  const markers = new Map<number, L.CircleMarker>();
  const markerLayer = L.featureGroup();
  function ensureMap(): void {
    if (map) return;
    map = L.map(mapEl, { zoomSnap: 0.25, fadeAnimation: false, minZoom: 5, maxZoom: 18 });
    map.fitBounds(DATONG, { animate: false });
    markerLayer.addTo(map);
    (window as unknown as { skygridListMap?: L.Map }).skygridListMap = map; // for the browser tests
    api.get<{ basemaps: Basemap[] }>('/api/basemaps').then((bm) => {
      if (!disposed && map && bm.basemaps?.length) basemapLayer(bm.basemaps[0]).addTo(map);
    }).catch(() => {});
    drawMarkers();
  }
  const markerStyle = (x: ListedTask, on: boolean): L.CircleMarkerOptions => {
    const over = deadlineText(x, serverNow()).over;
    return { radius: on ? 11 : 7, weight: on ? 4 : over ? 3 : 1.5, color: on ? '#facc15' : over ? '#dc2626' : '#fff', fillColor: STATE_COLOURS[x.state] ?? '#6b7280', fillOpacity: 0.92 };
  };
  function drawMarkers(): void {
    if (!map) return;
    markerLayer.clearLayers();
    markers.clear();
    for (const x of tasks) {
      if (!x.lat || !x.lon) continue;
      const m = L.circleMarker([x.lat, x.lon], { ...markerStyle(x, x.id === focused), className: `task-marker s-${x.state}` });
      m.bindTooltip(`#${x.id} · ${placeName(x) || t('rl.unassigned')} · ${tOr('state', x.state)}`);
      m.on('click', () => focus(x.id, 'marker'));
      markerLayer.addLayer(m);
      m.getElement()?.setAttribute('data-id', String(x.id));
      markers.set(x.id, m);
    }
    const b = markerLayer.getBounds();
    if (b.isValid()) map.fitBounds(b.pad(0.15), { maxZoom: 13, animate: false });
  }
  /** focus marks a task's row and its marker: from a click on one, the other is brought into view. */
  function focus(id: number, from: 'row' | 'marker'): void {
    const old = tasks.find((x) => x.id === focused);
    if (old) markers.get(old.id)?.setStyle(markerStyle(old, false));
    focused = id;
    const x = tasks.find((y) => y.id === id);
    const m = markers.get(id);
    if (x && m) {
      m.setStyle(markerStyle(x, true)).bringToFront();
      if (from === 'row' && map) map.panTo(m.getLatLng(), { animate: false });
    }
    table.querySelectorAll('tr.task').forEach((tr) => {
      const on = (tr as HTMLElement).dataset.id === String(id);
      tr.classList.toggle('hl', on);
      tr.setAttribute('aria-selected', String(on));
      if (on && from === 'marker') tr.scrollIntoView({ block: 'nearest' });
    });
  }

  // The table.
  const sortable = (key: Sort, label: string) => {
    const on = f.sort === key;
    return h('th', { 'aria-sort': on ? (f.order === 'asc' ? 'ascending' : 'descending') : 'none' },
      h('button', { type: 'button', class: 'sorter' + (on ? ' on' : ''), 'data-testid': 'sort-' + key,
        onclick: () => { sort.value = key; apply({ sort: key, order: on ? (f.order === 'asc' ? 'desc' : 'asc') : defaultOrder(key) }); } },
      label, on ? (f.order === 'asc' ? ' ▲' : ' ▼') : ''));
  };
  function row(x: ListedTask, now: number): HTMLElement {
    const d = deadlineText(x, now);
    const check = x.state === 'reported'
      ? h('input', { type: 'checkbox', 'data-testid': 'bulk-check', 'aria-label': t('rl.select', { id: x.id }), checked: selected.has(x.id) })
      : null;
    check?.addEventListener('change', () => { if (check.checked) selected.set(x.id, x.version); else selected.delete(x.id); drawBulk(); });
    const tr = h('tr', { 'data-testid': 'task-item', 'data-id': x.id, 'data-state': x.state, class: `task s-${x.state}${d.over ? ' overdue' : ''}${x.id === focused ? ' hl' : ''}` },
      h('td', { class: 'sel' }, check),
      h('td', { class: 'id' }, h('a', { href: `#/tasks/${x.id}`, 'data-testid': 'task-link' }, `#${x.id}`)),
      h('td', { class: 'place', 'data-testid': 'task-place' }, placeName(x) || t('rl.unassigned')),
      h('td', { class: 'cls', 'data-label': t('rl.col.class') }, tOr('class', x.event_class)),
      h('td', { class: 'state' }, h('span', { class: 'badge s-' + x.state }, tOr('state', x.state)),
        x.escalation ? h('span', { class: 'badge esc' }, t('rl.esc', { n: x.escalation })) : null,
        x.finding && (x.state === 'reported' || x.state === 'closed')
          ? h('small', { class: 'finding', 'data-testid': 'task-finding', title: x.notes ?? '' }, t('rl.finding', { f: tOr('finding', x.finding) }))
          : null),
      h('td', { class: 'seen', 'data-label': t('rl.col.seen'), 'data-testid': 'task-seen' }, formatDateTime(x.first_seen)),
      dueCell(x, now),
      h('td', { class: 'sup', 'data-label': t('rl.col.supervisor') }, x.supervisor_name || '—'));
    tr.addEventListener('click', (e) => {
      if ((e.target as HTMLElement).closest('a, input, button, label')) return;
      if (f.view === 'map') focus(x.id, 'row');
      else location.hash = `#/tasks/${x.id}`;
    });
    return tr;
  }
  function dueCell(x: ListedTask, now: number): HTMLElement {
    const d = deadlineText(x, now);
    return h('td', { class: 'due' + (d.over ? ' over' : ''), 'data-testid': 'task-due' },
      d.over ? h('b', {}, '⚠ ', d.text) : h('span', {}, d.text), d.when ? h('small', {}, d.when) : null);
  }
  function draw(): void {
    const now = serverNow();
    const pages = pageCount(total);
    pageInfo.textContent = pageInfo2.textContent = pageText(f.page, total);
    prev.disabled = f.page <= 1;
    next.disabled = f.page >= pages;
    pager.hidden = total <= PAGE_SIZE && f.page === 1;
    clear(table);
    table.append(h('thead', {}, h('tr', {}, h('th', { class: 'sel' }), h('th', {}, t('rl.col.id')), sortable('place', t('rl.col.place')),
      h('th', {}, t('rl.col.class')), sortable('state', t('rl.col.state')), sortable('first_seen', t('rl.col.seen')), sortable('deadline', t('rl.col.due')),
      h('th', {}, t('rl.col.supervisor')))));
    const tb = h('tbody', {}, tasks.map((x) => row(x, now)));
    if (!tasks.length) {
      tb.append(h('tr', { class: 'empty' }, h('td', { colspan: 8 }, h('p', { 'data-testid': 'list-empty' }, t('rl.empty')),
        h('button', { type: 'button', onclick: () => reset() }, t('rl.clear')))));
    }
    table.append(tb);
    drawBulk();
    drawMarkers();
  }
  function drawBulk(): void {
    const n = selected.size;
    const reported = tasks.filter((x) => x.state === 'reported');
    all.checked = reported.length > 0 && reported.every((x) => selected.has(x.id));
    all.disabled = !reported.length;
    table.querySelectorAll<HTMLInputElement>('input[data-testid=bulk-check]').forEach((c) => { c.checked = selected.has(Number(c.closest('tr')?.dataset.id)); });
    bulk.hidden = !tasks.some((x) => x.state === 'reported') && !n && !result.textContent;
    selInfo.textContent = n ? t('rl.selected', { n }) : t('rl.selected.none');
    bulkBtn.textContent = t('rl.bulkclose', { n });
    bulkBtn.disabled = n === 0;
    // A confirmation is for the selection it named.
    confirmBox.hidden = true;
  }

  // Closing the selected tasks: a confirmation, one request, the result in words.
  function confirmClose(): void {
    const ids = [...selected.keys()];
    clear(confirmBox);
    const note = notes.value.trim();
    const yes = h('button', { type: 'button', class: 'primary', 'data-testid': 'bulk-confirm-yes' }, t('rl.confirm.yes'));
    const no = h('button', { type: 'button', 'data-testid': 'bulk-confirm-no', onclick: () => { confirmBox.hidden = true; } }, t('rl.cancel'));
    yes.addEventListener('click', () => { yes.disabled = true; closeSelected(ids, note); });
    confirmBox.append(h('p', {}, h('b', {}, t('rl.confirm', { n: ids.length, list: ids.map((id) => '#' + id).join('、') }))),
      h('p', { class: 'muted' }, note ? t('rl.confirm.note', { notes: note }) : t('rl.confirm.nonote')), h('div', { class: 'actions' }, yes, no));
    confirmBox.hidden = false;
    yes.focus();
  }
  async function closeSelected(ids: number[], note: string): Promise<void> {
    const refs = ids.map((id) => ({ id, version: selected.get(id)! }));
    let text: string;
    let ok = false;
    try {
      const r = await api.post<{ closed: number }>('/api/tasks/close', { tasks: refs, notes: note });
      text = closeResultText({ closed: r.closed });
      ok = true;
      selected.clear();
      notes.value = '';
    } catch (e) {
      const refused: Refusal[] = e instanceof ApiError ? e.body?.tasks ?? [] : [];
      text = e instanceof ApiError && refused.length ? closeResultText({ status: e.status, refused, message: e.message }) : errorText(e, t);
    }
    if (disposed) return;
    confirmBox.hidden = true;
    result.textContent = text;
    result.className = 'result ' + (ok ? 'ok' : 'bad');
    toast(text, ok ? 'ok' : 'err');
    await load();
  }

  async function load(): Promise<void> {
    const my = ++seq;
    pageInfo.textContent = t('loading');
    try {
      const r = await api.get<{ tasks: ListedTask[]; total: number; now?: string }>('/api/tasks' + qs(apiQuery(f)));
      if (disposed || my !== seq) return;
      tasks = r.tasks ?? [];
      total = r.total ?? 0;
      skew = r.now ? Date.parse(r.now) - Date.now() : 0;
      if (!tasks.length && total > 0 && f.page > pageCount(total)) { apply({ page: pageCount(total) }, true); return; }
      for (const id of [...selected.keys()]) {
        const x = tasks.find((y) => y.id === id);
        if (x?.state === 'reported') selected.set(id, x.version); else selected.delete(id);
      }
      draw();
    } catch (e) {
      if (disposed || my !== seq) return;
      tasks = [];
      clear(table);
      table.append(h('tbody', {}, h('tr', {}, h('td', { class: 'error', 'data-testid': 'list-error' }, errorText(e, t)))));
      pageInfo.textContent = '';
    }
  }

  layout();
  if (f.view === 'map') ensureMap();
  load();
  // The deadlines' words follow the clock.
  const timer = window.setInterval(() => {
    const now = serverNow();
    for (const x of tasks) table.querySelector(`tr.task[data-id="${x.id}"] td.due`)?.replaceWith(dueCell(x, now));
  }, 30000);
  const onResize = () => map?.invalidateSize();
  window.addEventListener('resize', onResize);
  return () => {
    disposed = true;
    clearInterval(timer);
    narrow.removeEventListener('change', layout);
    window.removeEventListener('resize', onResize);
    if (map) { map.stop(); map.off(); map.remove(); }
  };
}
