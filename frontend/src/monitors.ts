// 扬尘监测: the monitors layer of the map and the monitors of the registry
// page. Each monitor comes with its HJ 633-2012 level and colour from the
// server (tiles.PM10Level: the latest hourly PM10, grey after 2 hours).
import L from './leaflet';
import { api, errorText } from './api';
import { clear, h } from './dom';
import { t, tOr } from './i18n';
import { formatDateTime } from './format';
import { monitorPopup, monitorState, pm10Text, stateText } from './monitorwords';
import { getSession } from './session';
import type { MonitorItem, MonitorList } from './api/types.gen';

/** addMonitorLayer: a 扬尘监测 checkbox in the layers panel drawing the monitors as coloured dots. */
export function addMonitorLayer(map: L.Map, box: HTMLElement): void {
  const group = L.layerGroup();
  const load = async () => {
    const list = await api.get<MonitorList>('/api/monitors');
    group.clearLayers();
    for (const m of list.items) {
      L.circleMarker([m.lat, m.lon], { radius: 7, color: '#1f2937', weight: 1.5, fillColor: m.colour, fillOpacity: 0.95, className: 'monitor-dot', bubblingMouseEvents: false })
        .bindPopup(monitorPopup(m), { maxWidth: 300 })
        .on('add', (e) => (e.target as L.CircleMarker).getElement()?.setAttribute('data-mn', m.mn))
        .addTo(group);
    }
  };
  const cb = h('input', { type: 'checkbox', 'data-layer': 'monitors' });
  cb.addEventListener('change', () => {
    if (!cb.checked) { group.remove(); return; }
    group.addTo(map);
    load().catch(() => undefined);
  });
  box.append(h('label', { class: 'chk' }, cb, ' ', t('layer.monitors')));
}

// FIRST_MONITORS: the monitors listed at first (a province has 5,000);
// the rest come with a tap.
const FIRST_MONITORS = 50;

/** showAll: the button that shows the hidden rows of tbody (n in all). */
function showAll(tbody: HTMLElement, n: number): HTMLElement {
  const b = h('button', { type: 'button', class: 'more', 'data-testid': 'monitor-more' }, t('monitors.all', { n }));
  b.addEventListener('click', () => {
    tbody.querySelectorAll<HTMLElement>('tr[hidden]').forEach((tr) => { tr.hidden = false; });
    b.remove();
  });
  return b;
}

/** monitorSection: the registry page's list of monitors (the first 50, then all on a tap). */
export function monitorSection(): HTMLElement {
  const tbody = h('tbody');
  const count = h('span', { class: 'muted', 'data-testid': 'monitor-count' });
  const cols = ['monitor.mn', 'monitor.name', 'monitor.state', 'monitor.kind', 'monitor.site', 'monitor.pm10', 'monitor.last'];
  const sec = h('section', { class: 'monitors' },
    h('div', { class: 'pagehead' }, h('h2', {}, t('monitors.title')), count),
    h('div', { class: 'tablewrap' }, h('table', { class: 'grid stack', 'data-testid': 'monitor-table' },
      h('thead', {}, h('tr', {}, cols.map((k) => h('th', {}, t(k))))), tbody)));
  (async () => {
    try {
      const list = await api.get<MonitorList>('/api/monitors');
      count.textContent = t('monitors.count', { n: list.total });
      clear(tbody);
      for (const [i, m] of list.items.entries()) {
        const dot = h('span', { class: 'mdot' });
        dot.style.background = m.colour; // CSSOM: no inline style attribute (CSP)
        const state = monitorState(m);
        const l = (k: string) => ({ 'data-label': t(k) });
        tbody.append(h('tr', { 'data-testid': 'monitor-row', hidden: i >= FIRST_MONITORS }, h('td', l('monitor.mn'), m.mn),
          h('td', { class: 'name' }, h('a', { href: `#/map?lat=${m.lat.toFixed(5)}&lon=${m.lon.toFixed(5)}&z=16&what=site`, title: t('task.showmap') }, m.name)),
          h('td', { ...l('monitor.state'), class: 'mstate ' + state.key, 'data-testid': 'monitor-state' }, stateText(state)),
          h('td', l('monitor.kind'), tOr('monitor.kind', m.kind)),
          h('td', l('monitor.site'), m.site_id ? h('a', { href: `#/site/${m.site_id}` }, m.site_name || String(m.site_id)) : '—'),
          h('td', l('monitor.pm10'), dot, ' ', pm10Text(m)),
          h('td', { ...l('monitor.last'), class: 'date' }, m.last_at ? formatDateTime(m.last_at) : t('monitor.nodata'))));
      }
      if (!list.items.length) {
        const none = getSession()?.user.regions?.length ? 'monitors.none.area' : 'monitors.none';
        tbody.append(h('tr', {}, h('td', { colspan: cols.length, class: 'muted', 'data-testid': 'monitor-none' }, t(none))));
      }
      if (list.items.length > FIRST_MONITORS) sec.append(showAll(tbody, list.items.length));
    } catch (e) {
      clear(tbody);
      tbody.append(h('tr', {}, h('td', { colspan: cols.length, class: 'error' }, errorText(e, t))));
    }
  })();
  return sec;
}
