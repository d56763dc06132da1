// 台账: construction sites, stockpiles and no-coal zones.
import { api, errorText, newestOnly, qs } from './api';
import { h, clear } from './dom';
import { t, tOr } from './i18n';
import { formatArea } from './format';
import { monitorSection } from './monitors';
import { getSession } from './session';
import type { SiteCollection, SiteFeature, SiteProperties } from './api/types.gen';

function center(geom: GeoJSON.Geometry | null): [number, number] | null {
  const pts: number[][] = [];
  const walk = (c: unknown) => { if (Array.isArray(c) && typeof c[0] === 'number') pts.push(c); else if (Array.isArray(c)) c.forEach(walk); };
  walk(geom && 'coordinates' in geom ? geom.coordinates : null);
  if (!pts.length) return null;
  const lon = pts.reduce((a, p) => a + p[0], 0) / pts.length;
  const lat = pts.reduce((a, p) => a + p[1], 0) / pts.length;
  return [lon, lat];
}

/** The columns of each registry: [header key, the cell of a feature's properties]. */
type Col = [string, (p: SiteProperties) => string | HTMLElement, string?];
const attr = (name: string) => (p: SiteProperties) => { const v = p.attrs?.[name]; return v ? tOr('attr.' + name, v) : ''; };
const county: Col = ['sites.county', (p) => p.county_name ?? ''];
const area: Col = ['sites.area', (p) => formatArea(p.area_m2), 'num'];
const date = (name: string) => (p: SiteProperties) => p.attrs?.[name] ?? '';
const COLS: Record<string, Col[]> = {
  construction: [
    county, area,
    ['site.video', (p) => {
      const v = attr('video')(p), id = p.attrs?.platform_id;
      return id ? h('span', {}, v, h('br'), h('small', { class: 'muted', title: t('sites.platform') }, id)) : v;
    }],
    ['site.permit', (p) => p.attrs?.permit ?? ''],
    ['site.builder', (p) => p.attrs?.builder ?? ''],
    ['sites.start', date('start_date'), 'date'],
    ['sites.end', date('end_date'), 'date'],
  ],
  stockpile: [
    county,
    ['site.material', attr('material')],
    ['site.suppression', attr('suppression')],
    area,
  ],
  nocoal: [
    county, area,
    ['site.effective', date('effective_date'), 'date'],
  ],
};

export function render(el: HTMLElement): void {
  const kind = h('select', { 'aria-label': t('sites.kind'), 'data-testid': 'site-kind' },
    ...['construction', 'stockpile', 'nocoal'].map((k) => h('option', { value: k }, t('kind.' + k))));
  const viol = h('input', { type: 'checkbox', 'data-testid': 'site-violation' });
  const filter = h('input', { type: 'search', placeholder: t('sites.name') });
  const count = h('span', { class: 'muted', 'data-testid': 'site-count' });
  // The export: the list's kind and violations filter, as a CSV for Excel.
  const exportLink = h('a', { class: 'btn', download: '', 'data-testid': 'site-export' }, t('sites.export'));
  const exportHref = () => { exportLink.setAttribute('href', '/api/exports/sites.csv' + qs({ kind: kind.value, violation: viol.checked ? 'true' : undefined })); };
  const thead = h('thead');
  const tbody = h('tbody');
  el.append(
    h('div', { class: 'pagehead' }, h('h1', {}, t('sites.title')), kind, h('label', { class: 'chk' }, viol, ' ', t('sites.violation')), filter, count, exportLink),
    h('div', { class: 'tablewrap' }, h('table', { class: 'grid', 'data-testid': 'site-table' }, thead, tbody)),
    monitorSection());
  let feats: SiteFeature[] = [];
  const cols = () => COLS[kind.value] ?? [];
  const width = () => 3 + cols().length;
  const draw = () => {
    clear(thead);
    thead.append(h('tr', {}, h('th', {}, t('log.id')), h('th', {}, t('sites.name')), cols().map(([k, , cls]) => h('th', { class: cls ?? '' }, t(k))),
      h('th', {}, t('sites.status'))));
    clear(tbody);
    const q = filter.value.trim();
    const shown = feats.filter((f) => !q || [f.properties?.name, f.properties?.external_id, f.properties?.id].some((v) => String(v ?? '').includes(q)));
    count.textContent = t('sites.count', { n: shown.length });
    if (!shown.length) tbody.append(h('tr', {}, h('td', { colspan: width(), class: 'muted', 'data-testid': 'site-none' }, noneWords(q, viol.checked))));
    for (const f of shown.slice(0, 1000)) {
      const p = f.properties;
      const c = center(f.geometry);
      tbody.append(h('tr', { class: p.violation ? 'bad' : '', 'data-testid': 'site-row' },
        // The number opens the site page (工地详情: dust chart, video), first in the row on a phone too.
        h('td', { title: `${t('site.page')} #${p.id ?? f.id}` },
          h('a', { href: `#/site/${p.id ?? f.id}`, 'data-testid': 'site-details' }, String(p.external_id || p.id || f.id || ''))),
        // The name leads to the site on the map (a column of its own did not fit the width).
        h('td', {}, c ? h('a', { href: `#/map?lat=${c[1].toFixed(5)}&lon=${c[0].toFixed(5)}&z=16&what=site`, title: t('task.showmap') }, p.name ?? '') : (p.name ?? '')),
        cols().map(([, cell, cls]) => h('td', { class: cls ?? '' }, cell(p))),
        h('td', { class: 'wrap' }, p.violation ? (p.violation_name || '⚠') : t('site.ok'))));
    }
  };
  // Only the newest request's answer is drawn: a late one never shows the wrong kind.
  const ask = newestOnly();
  const load = async () => {
    const current = ask();
    exportHref();
    clear(tbody);
    tbody.append(h('tr', {}, h('td', { colspan: width(), class: 'muted' }, t('loading'))));
    try {
      const fc = await api.get<SiteCollection>('/api/sites' + qs({ kind: kind.value, violation: viol.checked ? 'true' : undefined }));
      if (!current()) return;
      feats = fc.features ?? [];
      draw();
    } catch (e) {
      if (!current()) return;
      clear(tbody);
      tbody.append(h('tr', {}, h('td', { colspan: width(), class: 'error' }, errorText(e, t))));
    }
  };
  kind.addEventListener('change', load);
  viol.addEventListener('change', load);
  filter.addEventListener('input', draw);
  load();
}

/** noneWords: why the table is empty (a filter, the violations only, the user's area). */
function noneWords(q: string, violations: boolean): string {
  if (q) return t('sites.none.q', { q });
  if (violations) return t('sites.none.violation');
  return t(getSession()?.user.regions?.length ? 'sites.none.area' : 'sites.none');
}
