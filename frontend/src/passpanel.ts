// 卫星过境 on the map: the next passes of the fire satellites over the
// user's area (Beijing time, satellite, day or night), the age of the
// orbital elements when they are the embedded ones, and a toggle drawing
// the last pass of each satellite as its ground swath ("no fire" is not
// "not seen").
import L from './leaflet';
import { api, errorText } from './api';
import { clear, h } from './dom';
import { getLang, t } from './i18n';
import { formatDateTime } from './format';
import { ageNote, passWhen } from './satpass';
import type { PassCoverage, PassList } from './api/types.gen';

const SWATH_COLOURS: Record<string, string> = { 'Suomi NPP': '#0891b2', 'NOAA-20': '#2563eb', 'NOAA-21': '#7c3aed', Aqua: '#059669', Terra: '#d97706' };

/** when: a pass's peak in Beijing time, in the user's language. */
const when = (iso: string) => (getLang() === 'zh' ? passWhen(iso) : formatDateTime(iso));

/** age: the embedded elements' age in the user's language ('' when fetched). */
function age(l: PassList | PassCoverage): string {
  if (l.tle_source !== 'embedded') return '';
  return getLang() === 'zh' ? ageNote(l) : t('pass.age', { n: Math.max(0, l.tle_age_days) });
}

/** addPassPanel: the 卫星过境 panel in the map's side panel. */
export function addPassPanel(map: L.Map, panel: HTMLElement): void {
  const list = h('ol', { class: 'passes', 'data-testid': 'pass-list' });
  const ageEl = h('p', { class: 'muted passage', 'data-testid': 'pass-age', hidden: true });
  const cb = h('input', { type: 'checkbox', 'data-testid': 'pass-coverage' });
  const note = h('p', { class: 'passnote', 'data-testid': 'pass-notseen', hidden: true }, t('pass.notseen'));
  const box = h('details', { class: 'passpanel', 'data-testid': 'pass-panel' },
    h('summary', {}, t('pass.title')), list, ageEl,
    h('label', { class: 'chk' }, cb, ' ', t('pass.coverage')), note);
  let loaded = false;
  box.addEventListener('toggle', () => {
    if (!box.open || loaded) return;
    loaded = true;
    loadPasses(list, ageEl).catch((e) => { loaded = false; clear(list); list.append(h('li', { class: 'error' }, errorText(e, t))); });
  });
  const swaths = L.geoJSON(undefined, {
    style: (f) => ({ color: SWATH_COLOURS[f?.properties?.satellite] ?? '#2563eb', weight: 1.5, fillOpacity: 0.08, dashArray: '4 3', className: 'pass-swath' }),
    onEachFeature: (f, layer) => layer.bindTooltip(`${f.properties.satellite} ${when(f.properties.peak)}`, { sticky: true }),
  });
  cb.addEventListener('change', async () => {
    note.hidden = !cb.checked;
    if (!cb.checked) { swaths.remove(); return; }
    try {
      const cov = await api.get<PassCoverage>('/api/passes/coverage');
      swaths.clearLayers();
      swaths.addData(cov as unknown as GeoJSON.FeatureCollection);
      swaths.addTo(map);
      swaths.bringToBack();
    } catch (e) {
      note.textContent = errorText(e, t);
    }
  });
  panel.append(box);
}

async function loadPasses(list: HTMLElement, ageEl: HTMLElement): Promise<void> {
  const l = await api.get<PassList>('/api/passes?hours=48');
  clear(list);
  if (!l.passes.length) list.append(h('li', { class: 'muted' }, t('pass.none')));
  for (const p of l.passes.slice(0, 10)) {
    list.append(h('li', { 'data-testid': 'pass-item', class: p.night ? 'night' : 'day' },
      h('time', { datetime: p.peak }, when(p.peak)), ' ', h('b', {}, p.satellite), ' ',
      h('span', { class: 'muted' }, p.night ? t('pass.night') : t('pass.day'))));
  }
  ageEl.textContent = age(l);
  ageEl.hidden = !ageEl.textContent;
}
