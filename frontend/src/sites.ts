// 台账: construction sites, stockpiles and no-coal zones.
import { api, errorText, qs } from './api';
import { h, clear } from './dom';
import { t, tOr } from './i18n';
import { formatArea } from './format';

function center(geom: any): [number, number] | null {
  const pts: number[][] = [];
  const walk = (c: any) => { if (typeof c?.[0] === 'number') pts.push(c); else if (Array.isArray(c)) c.forEach(walk); };
  walk(geom?.coordinates);
  if (!pts.length) return null;
  const lon = pts.reduce((a, p) => a + p[0], 0) / pts.length;
  const lat = pts.reduce((a, p) => a + p[1], 0) / pts.length;
  return [lon, lat];
}

/** The columns of each registry: [header key, the cell of a feature's properties]. */
type Col = [string, (p: any) => string | HTMLElement, string?];
const attr = (name: string) => (p: any) => { const v = p.attrs?.[name]; return v ? tOr('attr.' + name, v) : ''; };
const COLS: Record<string, Col[]> = {
  construction: [
    ['sites.area', (p) => formatArea(p.area_m2), 'num'],
    ['site.video', (p) => { const v = attr('video')(p); const id = p.attrs?.platform_id; return id ? `${v}（${id}）` : v; }],
    ['site.permit', (p) => p.attrs?.permit ?? ''],
    ['site.builder', (p) => p.attrs?.builder ?? ''],
  ],
  stockpile: [
    ['site.material', attr('material')],
    ['site.suppression', attr('suppression')],
    ['sites.area', (p) => formatArea(p.area_m2), 'num'],
  ],
  nocoal: [
    ['sites.area', (p) => formatArea(p.area_m2), 'num'],
    ['site.effective', (p) => p.attrs?.effective_date ?? ''],
  ],
};

export function render(el: HTMLElement): void {
  const kind = h('select', { 'aria-label': t('sites.kind'), 'data-testid': 'site-kind' },
    ...['construction', 'stockpile', 'nocoal'].map((k) => h('option', { value: k }, t('kind.' + k))));
  const viol = h('input', { type: 'checkbox', 'data-testid': 'site-violation' });
  const filter = h('input', { type: 'search', placeholder: t('sites.name') });
  const count = h('span', { class: 'muted', 'data-testid': 'site-count' });
  const thead = h('thead');
  const tbody = h('tbody');
  el.append(
    h('div', { class: 'pagehead' }, h('h1', {}, t('sites.title')), kind, h('label', { class: 'chk' }, viol, ' ', t('sites.violation')), filter, count),
    h('div', { class: 'tablewrap' }, h('table', { class: 'grid', 'data-testid': 'site-table' }, thead, tbody)));
  let feats: any[] = [];
  const cols = () => COLS[kind.value] ?? [];
  const width = () => 4 + cols().length;
  const draw = () => {
    clear(thead);
    thead.append(h('tr', {}, h('th', {}, 'ID'), h('th', {}, t('sites.name')), cols().map(([k]) => h('th', {}, t(k))), h('th', {}, t('sites.status')), h('th', {}, t('sites.map'))));
    clear(tbody);
    const q = filter.value.trim();
    const shown = feats.filter((f) => !q || String(f.properties?.name ?? '').includes(q) || String(f.properties?.id ?? '').includes(q));
    count.textContent = t('sites.count', { n: shown.length });
    for (const f of shown.slice(0, 1000)) {
      const p = f.properties ?? {};
      const c = center(f.geometry);
      tbody.append(h('tr', { class: p.violation ? 'bad' : '', 'data-testid': 'site-row' },
        h('td', {}, String(p.id ?? f.id ?? '')), h('td', {}, p.name ?? ''),
        cols().map(([, cell, cls]) => h('td', { class: cls ?? '' }, cell(p))),
        h('td', {}, p.violation ? (p.violation_name || '⚠') : '✓'),
        h('td', {}, c ? h('a', { href: `#/map?lat=${c[1].toFixed(5)}&lon=${c[0].toFixed(5)}&z=16&what=site` }, t('sites.map')) : '')));
    }
  };
  const load = async () => {
    clear(tbody);
    tbody.append(h('tr', {}, h('td', { colspan: width(), class: 'muted' }, t('loading'))));
    try {
      const fc = await api.get<any>('/api/sites' + qs({ kind: kind.value, violation: viol.checked ? 'true' : undefined }));
      feats = fc.features ?? [];
      draw();
    } catch (e) {
      clear(tbody);
      tbody.append(h('tr', {}, h('td', { colspan: width(), class: 'error' }, errorText(e, t))));
    }
  };
  kind.addEventListener('change', load);
  viol.addEventListener('change', load);
  filter.addEventListener('input', draw);
  load();
}
