// 任务 for reviewers (officials, auditors, admins): the tasks of their area
// a page of 50 at a time, filtered, searched and sorted by the server, as a
// table on a desktop and cards on a phone, optionally beside a map of the
// page's tasks; reported tasks can be closed together with one note. The
// filter lives in the URL hash: #/tasks?state=reported&township=…&page=2.
import L, { DATONG, userArea } from './leaflet';
import { watchTileErrors } from './tilesession';
import { areaRegions, countyOptions, type AreaRegion } from './areafilter';
import { api, ApiError, errorText, newestOnly, qs } from './api';
import { basemapLayer, type Basemap } from './basemap';
import { h, clear, toast } from './dom';
import { formatDateTime } from './format';
import { t, tOr } from './i18n';
import { placeName } from './place';
import { getSession, role } from './session';
import {
  DEFAULT_FILTER, PAGE_SIZE, SORTS, STATE_CHOICES, apiQuery, closeResultText, deadlineText, defaultOrder, listHash, pageCount, pageText, parseListQuery,
  type ListFilter, type ListedTask, type Refusal, type Sort, type View,
} from './reviewutil';
import { DUST_CLASSES, isDust } from './taskwords';
import type { SiteDust } from './api/types.gen';

/** The colours of the event tiles' task rings: dispatched, acknowledged, reported, closed. */
export const STATE_COLOURS: Record<string, string> = { dispatched: '#111827', acknowledged: '#f59e0b', reported: '#2563eb', closed: '#16a34a' };
const CLASSES = ['straw_burning', 'open_burning', 'loose_coal_burning', 'construction_site', 'stockpile', 'industrial_heat'];
// 扬尘告警: dust (every dust class, GET /api/tasks?class=dust) and each dust class.
const DUST = ['dust', ...DUST_CLASSES];

const option = (value: string, label: string, cur: string) => h('option', { value, selected: value === cur }, label);
const labelled = (text: string, input: HTMLElement, cls = '') => h('label', { class: cls }, text, input);
const stateLabel = (s: string) => (s === 'open' ? t('state.open') : s === 'all' ? t('tasks.all') : s === 'reported' ? t('rl.state.reported') : tOr('state', s));

export function render(el: HTMLElement): () => void {
  const list = new ReviewList(el);
  return () => list.dispose();
}

/** PageMap is the map of a page's tasks: a marker per task, coloured by state. */
class PageMap {
  map: L.Map | null = null;
  private markers = new Map<number, L.CircleMarker>();
  private layer = L.featureGroup();
  private tasks: ListedTask[] = [];
  private focused = 0;

  constructor(private el: HTMLElement, private now: () => number, private onPick: (id: number) => void) {}

  /** show makes the map the first time it is shown. */
  show(): void {
    if (this.map) { this.map.invalidateSize(); return; }
    const map = L.map(this.el, { zoomSnap: 0.25, fadeAnimation: false, minZoom: 5, maxZoom: 18 });
    watchTileErrors(map);
    this.map = map;
    map.fitBounds(userArea() ?? DATONG, { animate: false });
    this.layer.addTo(map);
    (window as unknown as { skygridListMap?: L.Map }).skygridListMap = map; // for the browser tests
    api.get<{ basemaps: Basemap[] }>('/api/basemaps').then((bm) => {
      if (this.map && bm.basemaps?.length) basemapLayer(bm.basemaps[0]).addTo(map);
    }).catch(() => {});
    this.draw(this.tasks, this.focused);
  }

  private style(x: ListedTask, on: boolean): L.CircleMarkerOptions {
    const over = deadlineText(x, this.now()).over;
    return { radius: on ? 11 : 7, weight: on ? 4 : over ? 3 : 1.5, color: on ? '#facc15' : over ? '#dc2626' : '#fff', fillColor: STATE_COLOURS[x.state] ?? '#6b7280', fillOpacity: 0.92 };
  }

  draw(tasks: ListedTask[], focused: number): void {
    this.tasks = tasks;
    this.focused = focused;
    if (!this.map) return;
    this.layer.clearLayers();
    this.markers.clear();
    for (const x of tasks) {
      if (!x.lat || !x.lon) continue;
      const m = L.circleMarker([x.lat, x.lon], { ...this.style(x, x.id === focused), className: `task-marker s-${x.state}` });
      m.bindTooltip(`#${x.id} · ${placeName(x) || t('rl.unassigned')} · ${tOr('state', x.state)}`);
      m.on('click', () => this.onPick(x.id));
      this.layer.addLayer(m);
      m.getElement()?.setAttribute('data-id', String(x.id));
      this.markers.set(x.id, m);
    }
    const b = this.layer.getBounds();
    if (b.isValid()) this.map.fitBounds(b.pad(0.15), { maxZoom: 13, animate: false });
  }

  /** focus marks a task's marker (and pans to it when asked). */
  focus(id: number, pan: boolean): void {
    const old = this.tasks.find((x) => x.id === this.focused);
    if (old) this.markers.get(old.id)?.setStyle(this.style(old, false));
    this.focused = id;
    const x = this.tasks.find((y) => y.id === id);
    const m = this.markers.get(id);
    if (!x || !m) return;
    m.setStyle(this.style(x, true)).bringToFront();
    if (pan) this.map?.panTo(m.getLatLng(), { animate: false });
  }

  remove(): void {
    if (this.map) { this.map.stop(); this.map.off(); this.map.remove(); this.map = null; }
  }
}

/** The filter controls, each showing a field of the filter. */
interface Controls {
  county: HTMLSelectElement; township: HTMLSelectElement; grid: HTMLSelectElement; cls: HTMLSelectElement; state: HTMLSelectElement;
  overdue: HTMLInputElement; from: HTMLInputElement; to: HTMLInputElement; q: HTMLInputElement; sort: HTMLSelectElement; order: HTMLButtonElement;
  countyBox: HTMLElement; townshipBox: HTMLElement; summary: HTMLElement; search: HTMLFormElement; clear: HTMLButtonElement;
}

function controls(f: ListFilter): Controls {
  const c = {
    county: h('select', { 'data-testid': 'f-county', 'aria-label': t('county') }, option('', t('rl.county.all'), f.county)),
    township: h('select', { 'data-testid': 'f-township', 'aria-label': t('township') }, option('', t('rl.township.all'), f.township)),
    grid: h('select', { 'data-testid': 'f-grid', 'aria-label': t('event.grid') }, option('', t('rl.grid.all'), f.grid)),
    cls: h('select', { 'data-testid': 'f-class', 'aria-label': t('event.class') }, option('', t('rl.class.all'), f.cls), [...CLASSES, ...DUST].map((x) => option(x, tOr('class', x), f.cls))),
    state: h('select', { 'data-testid': 'f-state', 'aria-label': t('tasks.state') }, STATE_CHOICES.map((s) => option(s, stateLabel(s), f.state))),
    overdue: h('input', { type: 'checkbox', 'data-testid': 'f-overdue', checked: f.overdue }),
    from: h('input', { type: 'date', 'data-testid': 'f-from', value: f.from }),
    to: h('input', { type: 'date', 'data-testid': 'f-to', value: f.to }),
    q: h('input', { type: 'search', 'data-testid': 'f-q', value: f.q, placeholder: t('rl.search'), 'aria-label': t('rl.search'), maxlength: 100 }),
    sort: h('select', { 'data-testid': 'f-sort', 'aria-label': t('rl.sort') }, SORTS.map((s) => option(s, t('rl.sort.' + s), f.sort))),
    order: h('button', { type: 'button', 'data-testid': 'f-order', class: 'order' }),
    summary: h('summary', { 'data-testid': 'f-more' }),
    clear: h('button', { type: 'button', class: 'link', 'data-testid': 'f-clear' }, t('rl.clear')),
  };
  const search = h('form', { class: 'rlsearch', role: 'search' }, c.q, h('button', { type: 'submit', 'data-testid': 'f-q-go' }, t('rl.search.go')));
  return { ...c, search, countyBox: labelled(t('county'), c.county), townshipBox: labelled(t('township'), c.township) };
}

/** ReviewList is the page: the filters, the list, the pager, the map and the bulk close. */
class ReviewList {
  private f: ListFilter = parseListQuery(location.hash.split('?')[1] ?? '');
  private disposed = false;
  private tasks: ListedTask[] = [];
  private total = 0;
  private skew = 0; // the server's clock minus this one, ms
  private ask = newestOnly();
  private focused = 0;
  private selected = new Map<number, number>(); // reported task id -> the version shown
  private cityWide = role() !== 'official';
  private narrow = window.matchMedia('(max-width: 700px)');
  private c = controls(this.f);
  private pageInfo = h('span', { class: 'muted', 'data-testid': 'page-text', role: 'status' });
  private pageInfo2 = h('span', { 'data-testid': 'page-text-bottom' });
  private table = h('table', { class: 'grid rltable', 'data-testid': 'task-table' });
  private prev = h('button', { type: 'button', 'data-testid': 'page-prev' }, '‹ ' + t('rl.prev'));
  private next = h('button', { type: 'button', 'data-testid': 'page-next' }, t('rl.next') + ' ›');
  private pager = h('nav', { class: 'pager', 'aria-label': t('rl.pagetext') }, this.prev, this.pageInfo2, this.next);
  private views = h('div', { class: 'views', role: 'group', 'aria-label': t('rl.view') });
  // 扬尘告警: the dust tasks alone, and back.
  private dustTab = h('button', { type: 'button', class: 'tab', 'data-testid': 'tab-dust', onclick: () => {
    this.c.cls.value = this.f.cls === 'dust' ? '' : 'dust';
    this.apply({ cls: this.c.cls.value });
  } }, t('dust.alarmlist'));
  private mapBox = h('div', { class: 'rlmapbox' });
  private listBox = h('div', { class: 'rllist' });
  private body = h('div', { class: 'rlbody' }, this.mapBox, this.listBox);
  private map: PageMap;
  // The bulk close.
  private all = h('input', { type: 'checkbox', 'data-testid': 'bulk-check-all' });
  private selInfo = h('span', { class: 'muted', 'data-testid': 'bulk-selected' });
  private notes = h('input', { type: 'text', 'data-testid': 'bulk-notes', placeholder: t('rl.notes'), 'aria-label': t('rl.notes'), maxlength: 1000 });
  private bulkBtn = h('button', { type: 'button', class: 'primary', 'data-testid': 'bulk-close' });
  private confirmBox = h('div', { class: 'confirm', 'data-testid': 'bulk-confirm', role: 'alertdialog', hidden: true });
  private result = h('p', { class: 'result', 'data-testid': 'bulk-result', role: 'status' });
  private bulk = h('div', { class: 'card bulk', 'data-testid': 'bulk-bar' },
    h('div', { class: 'bulkrow' }, h('label', { class: 'chk' }, this.all, t('rl.select.page')), this.selInfo, this.notes, this.bulkBtn), this.confirmBox, this.result);
  private timer: number;
  private layout = () => this.arrange();
  private onResize = () => this.map.map?.invalidateSize();

  constructor(el: HTMLElement) {
    const mapEl = h('div', { class: 'rlmap', 'data-testid': 'list-map' });
    this.map = new PageMap(mapEl, () => this.serverNow(), (id) => this.focus(id, 'marker'));
    this.mapBox.append(mapEl, h('p', { class: 'rllegend small' },
      Object.entries(STATE_COLOURS).map(([s, col]) => h('span', {}, h('i', { class: 'dot', style: `--c:${col}` }), tOr('state', s))),
      h('span', {}, h('i', { class: 'dot over' }), t('rl.legend.overdue'))));
    for (const v of ['list', 'map'] as View[]) this.views.append(h('button', { type: 'button', 'data-testid': 'view-' + v, onclick: () => this.setView(v) }, t('rl.view.' + v)));
    this.listBox.append(this.bulk, h('div', { class: 'tablewrap' }, this.table), this.pager, h('p', { class: 'muted small' }, t('rl.beijing')));
    el.append(h('div', { class: 'pagehead' }, h('h1', {}, t('rl.title')), this.dustTab, this.pageInfo, this.views), this.filterCard(), this.body);
    this.wire();
    this.narrow.addEventListener('change', this.layout);
    window.addEventListener('resize', this.onResize);
    this.arrange();
    if (this.f.view === 'map') this.map.show();
    this.fillCounties();
    this.fillTownships();
    this.load();
    // The deadlines' words follow the clock.
    this.timer = window.setInterval(() => {
      for (const x of this.tasks) this.table.querySelector(`tr.task[data-id="${x.id}"] td.due`)?.replaceWith(this.dueCell(x, this.serverNow()));
    }, 30000);
  }

  dispose(): void {
    this.disposed = true;
    clearInterval(this.timer);
    this.narrow.removeEventListener('change', this.layout);
    window.removeEventListener('resize', this.onResize);
    this.map.remove();
  }

  private serverNow(): number { return Date.now() + this.skew; }

  /** filterCard: the search box, and the filters that fold away on a phone. */
  private filterCard(): HTMLElement {
    const c = this.c;
    c.countyBox.hidden = !this.cityWide;
    c.townshipBox.hidden = true;
    const more = h('details', { class: 'rlmore', open: !this.narrow.matches }, c.summary,
      h('div', { class: 'filters' }, c.countyBox, c.townshipBox, labelled(t('event.grid'), c.grid), labelled(t('event.class'), c.cls), labelled(t('tasks.state'), c.state),
        h('div', { class: 'fld dates' }, labelled(t('rl.from'), c.from), labelled(t('rl.to'), c.to)),
        h('label', { class: 'chk' }, c.overdue, t('rl.overdue')),
        h('div', { class: 'fld sortrow' }, labelled(t('rl.sort'), c.sort), c.order),
        c.clear));
    return h('div', { class: 'card rlfilters', 'data-testid': 'list-filters' }, c.search, more);
  }

  /** wire: every control changes the filter. */
  private wire(): void {
    const c = this.c;
    c.county.addEventListener('change', () => {
      const city = c.county.selectedOptions[0]?.dataset.city === '1';
      this.apply({ city: city ? c.county.value : '', county: city ? '' : c.county.value, township: '', grid: '' });
      this.fillTownships();
    });
    c.township.addEventListener('change', () => { this.apply({ township: c.township.value, grid: '' }); this.fillGrids(); });
    c.grid.addEventListener('change', () => this.apply({ grid: c.grid.value }));
    c.cls.addEventListener('change', () => this.apply({ cls: c.cls.value }));
    c.state.addEventListener('change', () => this.apply({ state: c.state.value as ListFilter['state'] }));
    c.overdue.addEventListener('change', () => this.apply({ overdue: c.overdue.checked }));
    c.from.addEventListener('change', () => this.apply({ from: c.from.value }));
    c.to.addEventListener('change', () => this.apply({ to: c.to.value }));
    c.sort.addEventListener('change', () => this.sortBy(c.sort.value as Sort));
    c.order.addEventListener('click', () => this.apply({ order: this.f.order === 'asc' ? 'desc' : 'asc' }));
    c.search.addEventListener('submit', (e) => { e.preventDefault(); this.apply({ q: c.q.value.trim() }); });
    c.q.addEventListener('search', () => { if (!c.q.value && this.f.q) this.apply({ q: '' }); }); // the clear button of a search box
    c.clear.addEventListener('click', () => this.reset());
    this.prev.addEventListener('click', () => this.go(this.f.page - 1));
    this.next.addEventListener('click', () => this.go(this.f.page + 1));
    this.bulkBtn.addEventListener('click', () => this.confirmClose());
    this.all.addEventListener('change', () => {
      for (const x of this.tasks) if (x.state === 'reported') { if (this.all.checked) this.selected.set(x.id, x.version); else this.selected.delete(x.id); }
      this.drawBulk();
    });
  }

  /** apply changes the filter, keeps it in the URL and loads the page (the first, unless keepPage). */
  private apply(patch: Partial<ListFilter>, keepPage = false): void {
    this.f = { ...this.f, ...patch };
    if (!keepPage) this.f.page = 1;
    history.replaceState(null, '', listHash(this.f));
    this.arrange();
    this.load();
  }

  private sortBy(s: Sort, order = defaultOrder(s)): void {
    this.c.sort.value = s;
    this.apply({ sort: s, order });
  }

  private go(page: number): void {
    this.apply({ page: Math.min(Math.max(1, page), pageCount(this.total)) }, true);
    this.listBox.scrollIntoView({ block: 'start' });
  }

  private reset(): void {
    const c = this.c;
    for (const [input, v] of [[c.county, ''], [c.township, ''], [c.grid, ''], [c.cls, ''], [c.state, 'open'], [c.from, ''], [c.to, ''], [c.q, ''], [c.sort, 'deadline']] as const) input.value = v;
    c.overdue.checked = false;
    this.f = { ...DEFAULT_FILTER, view: this.f.view };
    this.apply({});
    this.fillTownships();
  }

  private setView(v: View): void {
    this.apply({ view: v }, true);
    if (v === 'map') this.map.show();
  }

  /** arrange: cards on a phone and beside the map, a table otherwise; the view buttons; the filters' summary. */
  private arrange(): void {
    const f = this.f;
    this.table.classList.toggle('cards', this.narrow.matches || f.view === 'map');
    this.body.classList.toggle('mapview', f.view === 'map');
    this.mapBox.hidden = f.view !== 'map';
    this.views.querySelectorAll('button').forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.testid === 'view-' + f.view)));
    this.c.order.textContent = t('rl.order.' + f.order);
    this.dustTab.setAttribute('aria-pressed', String(f.cls === 'dust'));
    this.dustTab.classList.toggle('active', f.cls === 'dust');
    const set = [f.city, f.county, f.township, f.grid, f.cls, f.state !== 'open', f.overdue, f.from || f.to].filter(Boolean).length;
    this.c.summary.textContent = t('rl.more') + (set ? ' ' + t('rl.more.n', { n: set }) : '') + ` · ${t('rl.sort.' + f.sort)} ${f.order === 'asc' ? '↑' : '↓'}`;
  }

  // The places to filter by: counties for the city-wide, the townships and
  // grids of the area chosen (or of the official's own area).
  private fill(s: HTMLSelectElement, first: HTMLOptionElement, rs: Pick<AreaRegion, 'id' | 'name'>[], cur: string): void {
    clear(s);
    s.append(first, ...rs.map((r) => option(r.id, r.name, cur)));
  }

  // A province's counties come under their cities, each city first as a
  // whole (its counties' tasks).
  private async fillCounties(): Promise<void> {
    if (!this.cityWide) return;
    const [rs, cities] = await Promise.all([areaRegions({ level: 'county' }).catch(() => []), areaRegions({ level: 'city' }).catch(() => [])]);
    if (this.disposed) return;
    const cur = this.f.city || this.f.county;
    this.fill(this.c.county, option('', t('rl.county.all'), cur), [], cur);
    this.c.county.append(...countyOptions(rs, cities, cur));
  }

  private async fillTownships(): Promise<void> {
    // A city's townships are too many to list: its counties first.
    const rs = this.f.city ? [] : await areaRegions(this.f.county ? { level: 'township', parent: this.f.county } : { level: 'township' }).catch(() => []);
    if (this.disposed) return;
    this.fill(this.c.township, option('', t('rl.township.all'), this.f.township), rs, this.f.township);
    this.c.townshipBox.hidden = rs.length === 0 && !this.f.township;
    await this.fillGrids();
  }

  private async fillGrids(): Promise<void> {
    const own = getSession()?.user.regions ?? [];
    const parent = this.f.township || this.f.county || (!this.cityWide && own.length === 1 ? own[0] : '');
    const rs = parent ? await areaRegions({ level: 'grid', parent }).catch(() => []) : [];
    if (this.disposed) return;
    const cur = this.f.grid;
    const grid = this.c.grid;
    this.fill(grid, option('', t(rs.length || cur ? 'rl.grid.all' : 'rl.grid.pick'), cur), rs.map((r) => ({ id: r.id, name: placeName({ grid_name: r.name, grid_id: r.id }) })), cur);
    if (cur && !rs.some((r) => r.id === cur)) grid.append(option(cur, cur, cur));
    grid.disabled = !rs.length && !cur;
  }

  private async load(): Promise<void> {
    const current = this.ask();
    this.pageInfo.textContent = t('loading');
    try {
      const r = await api.get<{ tasks: ListedTask[]; total: number; now?: string }>('/api/tasks' + qs(apiQuery(this.f)));
      if (this.disposed || !current()) return;
      this.tasks = r.tasks ?? [];
      this.total = r.total ?? 0;
      this.skew = r.now ? Date.parse(r.now) - Date.now() : 0;
      if (!this.tasks.length && this.total > 0 && this.f.page > pageCount(this.total)) { this.apply({ page: pageCount(this.total) }, true); return; }
      for (const id of [...this.selected.keys()]) {
        const x = this.tasks.find((y) => y.id === id);
        if (x?.state === 'reported') this.selected.set(id, x.version); else this.selected.delete(id);
      }
      this.draw();
    } catch (e) {
      if (this.disposed || !current()) return;
      this.tasks = [];
      clear(this.table);
      this.table.append(h('tbody', {}, h('tr', {}, h('td', { class: 'error', 'data-testid': 'list-error' }, errorText(e, t)))));
      this.pageInfo.textContent = '';
    }
  }

  private draw(): void {
    const now = this.serverNow();
    const pages = pageCount(this.total);
    this.pageInfo.textContent = this.pageInfo2.textContent = pageText(this.f.page, this.total);
    this.prev.disabled = this.f.page <= 1;
    this.next.disabled = this.f.page >= pages;
    this.pager.hidden = this.total <= PAGE_SIZE && this.f.page === 1;
    clear(this.table);
    this.table.append(h('thead', {}, h('tr', {}, h('th', { class: 'sel' }), h('th', {}, t('rl.col.id')), this.sortable('place', t('rl.col.place')),
      h('th', {}, t('rl.col.class')), this.sortable('state', t('rl.col.state')), this.sortable('first_seen', t('rl.col.seen')),
      this.sortable('deadline', t('rl.col.due')), h('th', {}, t('rl.col.supervisor')))));
    const tb = h('tbody', {}, this.tasks.map((x) => this.row(x, now)));
    if (!this.tasks.length) {
      tb.append(h('tr', { class: 'empty' }, h('td', { colspan: 8 }, h('p', { 'data-testid': 'list-empty' }, t('rl.empty')),
        h('button', { type: 'button', onclick: () => this.reset() }, t('rl.clear')))));
    }
    this.table.append(tb);
    this.drawBulk();
    this.map.draw(this.tasks, this.focused);
  }

  /** sortable: a column header that sorts by its column, and again the other way. */
  private sortable(key: Sort, label: string): HTMLElement {
    const on = this.f.sort === key;
    const arrow = on ? (this.f.order === 'asc' ? ' ▲' : ' ▼') : '';
    return h('th', { 'aria-sort': on ? (this.f.order === 'asc' ? 'ascending' : 'descending') : 'none' },
      h('button', { type: 'button', class: 'sorter' + (on ? ' on' : ''), 'data-testid': 'sort-' + key,
        onclick: () => this.sortBy(key, on ? (this.f.order === 'asc' ? 'desc' : 'asc') : defaultOrder(key)) }, label, arrow));
  }

  private row(x: ListedTask, now: number): HTMLElement {
    const over = deadlineText(x, now).over;
    let check: HTMLInputElement | null = null;
    if (x.state === 'reported') {
      const box = h('input', { type: 'checkbox', 'data-testid': 'bulk-check', 'aria-label': t('rl.select', { id: x.id }), checked: this.selected.has(x.id) });
      box.addEventListener('change', () => { if (box.checked) this.selected.set(x.id, x.version); else this.selected.delete(x.id); this.drawBulk(); });
      check = box;
    }
    const finding = x.finding && (x.state === 'reported' || x.state === 'closed')
      ? h('small', { class: 'finding', 'data-testid': 'task-finding', title: x.notes ?? '' }, t('rl.finding', { f: tOr('finding', x.finding) }))
      : null;
    const tr = h('tr', { 'data-testid': 'task-item', 'data-id': x.id, 'data-state': x.state, class: `task s-${x.state}${over ? ' overdue' : ''}${x.id === this.focused ? ' hl' : ''}` },
      h('td', { class: 'sel' }, check),
      h('td', { class: 'id' }, h('a', { href: `#/tasks/${x.id}`, 'data-testid': 'task-link' }, `#${x.id}`)),
      h('td', { class: 'place', 'data-testid': 'task-place' }, placeName(x) || t('rl.unassigned'), isDust(x.event_class) && x.event_class !== 'emergency_inspection' ? dustLine(x.id) : null),
      // An emergency inspection names its listed site or enterprise under its class.
      h('td', { class: 'cls', 'data-label': t('rl.col.class') }, tOr('class', x.event_class),
        x.listed_name ? h('b', { class: 'listed', 'data-testid': 'task-listed' }, x.listed_name) : null),
      h('td', { class: 'state' }, h('span', { class: 'badge s-' + x.state }, tOr('state', x.state)),
        x.escalation ? h('span', { class: 'badge esc' }, t('rl.esc', { n: x.escalation })) : null, finding),
      h('td', { class: 'seen', 'data-label': t('rl.col.seen'), 'data-testid': 'task-seen' }, formatDateTime(x.first_seen)),
      this.dueCell(x, now),
      h('td', { class: 'sup', 'data-label': t('rl.col.supervisor') }, x.supervisor_name || '—'));
    // The row opens its task; beside the map it marks its marker.
    tr.addEventListener('click', (e) => {
      if ((e.target as HTMLElement).closest('a, input, button, label')) return;
      if (this.f.view === 'map') this.focus(x.id, 'row');
      else location.hash = `#/tasks/${x.id}`;
    });
    return tr;
  }

  private dueCell(x: ListedTask, now: number): HTMLElement {
    const d = deadlineText(x, now);
    return h('td', { class: 'due' + (d.over ? ' over' : ''), 'data-testid': 'task-due' },
      d.over ? h('b', {}, '⚠ ', d.text) : h('span', {}, d.text), d.when ? h('small', {}, d.when) : null);
  }

  /** focus marks a task's row and its marker: from a click on one, the other is brought into view. */
  private focus(id: number, from: 'row' | 'marker'): void {
    this.focused = id;
    this.map.focus(id, from === 'row');
    this.table.querySelectorAll('tr.task').forEach((tr) => {
      const on = (tr as HTMLElement).dataset.id === String(id);
      tr.classList.toggle('hl', on);
      tr.setAttribute('aria-selected', String(on));
      if (on && from === 'marker') tr.scrollIntoView({ block: 'nearest' });
    });
  }

  private drawBulk(): void {
    const n = this.selected.size;
    const reported = this.tasks.filter((x) => x.state === 'reported');
    this.all.checked = reported.length > 0 && reported.every((x) => this.selected.has(x.id));
    this.all.disabled = !reported.length;
    this.table.querySelectorAll<HTMLInputElement>('input[data-testid=bulk-check]').forEach((c) => { c.checked = this.selected.has(Number(c.closest('tr')?.dataset.id)); });
    this.bulk.hidden = !reported.length && !n && !this.result.textContent;
    this.selInfo.textContent = n ? t('rl.selected', { n }) : t('rl.selected.none');
    this.bulkBtn.textContent = t('rl.bulkclose', { n });
    this.bulkBtn.disabled = n === 0;
    // A confirmation is for the selection it named.
    this.confirmBox.hidden = true;
  }

  /** confirmClose names the tasks and the note, and waits for a yes. */
  private confirmClose(): void {
    const ids = [...this.selected.keys()];
    const note = this.notes.value.trim();
    const yes = h('button', { type: 'button', class: 'primary', 'data-testid': 'bulk-confirm-yes' }, t('rl.confirm.yes'));
    const no = h('button', { type: 'button', 'data-testid': 'bulk-confirm-no', onclick: () => { this.confirmBox.hidden = true; } }, t('rl.cancel'));
    yes.addEventListener('click', () => { yes.disabled = true; this.closeSelected(ids, note); });
    clear(this.confirmBox);
    this.confirmBox.append(h('p', {}, h('b', {}, t('rl.confirm', { n: ids.length, list: ids.map((id) => '#' + id).join('、') }))),
      h('p', { class: 'muted' }, note ? t('rl.confirm.note', { notes: note }) : t('rl.confirm.nonote')), h('div', { class: 'actions' }, yes, no));
    this.confirmBox.hidden = false;
    yes.focus();
  }

  /** closeSelected closes the tasks in one request and says what came of it. */
  private async closeSelected(ids: number[], note: string): Promise<void> {
    const refs = ids.map((id) => ({ id, version: this.selected.get(id)! }));
    let text: string;
    let ok = false;
    try {
      const r = await api.post<{ closed: number }>('/api/tasks/close', { tasks: refs, notes: note });
      text = closeResultText({ closed: r.closed });
      ok = true;
      this.selected.clear();
      this.notes.value = '';
    } catch (e) {
      const refused: Refusal[] = e instanceof ApiError ? e.body?.tasks ?? [] : [];
      text = e instanceof ApiError && refused.length ? closeResultText({ status: e.status, refused, message: e.message }) : errorText(e, t);
    }
    if (this.disposed) return;
    this.confirmBox.hidden = true;
    this.result.textContent = text;
    this.result.className = 'result ' + (ok ? 'ok' : 'bad');
    toast(text, ok ? 'ok' : 'err');
    await this.load();
  }
}

/** dustLine: a dust task's site and its worst value against the limit since the alarm (GET /api/tasks/:id/dust, filled when it answers). */
function dustLine(id: number): HTMLElement {
  const el = h('small', { class: 'dustline', 'data-testid': 'task-dust' }, '…');
  api.get<SiteDust>(`/api/tasks/${id}/dust`).then((d) => {
    const worst = d.alarms.reduce<SiteDust['alarms'][number] | null>((w, a) => (!w || a.value > w.value ? a : w), null);
    const over = d.limits.find((l) => l.rule === worst?.rule)?.over_ambient;
    el.textContent = worst ? t(over ? 'dust.list.over' : 'dust.list.line', { site: d.site_name, v: Math.round(worst.value), l: Math.round(worst.limit) }) : d.site_name;
  }).catch(() => { el.textContent = ''; });
  return el;
}
