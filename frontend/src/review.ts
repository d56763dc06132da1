// The reviewer's part of a task's page (officials, auditors, admins):
// whom to call, the history, where the report was made and how far from
// the fire, the stamped photos with their flags, and the decisions: close,
// return, reassign (a grid chosen from a list or the map), a note.
import L from './leaflet';
import { watchTileErrors } from './tilesession';
import { api } from './api';
import { h, clear, toast } from './dom';
import { t } from './i18n';
import { formatDateTime } from './format';
import { basemapLayer, type Basemap } from './basemap';
import { distanceWords } from './position';
import { closeNeedsNote, isOpen, kindKey, listedContact, telHref, timelineText } from './taskwords';
import type { Candidate, TaskView } from './types';
import { checklistReview } from './checklist';

type Act = (action: string, payload: Record<string, unknown>) => Promise<boolean>;

/** wordKey: key in the words of what the task is about (a site's task says 工地, a citizen's report 举报地点). */
const wordKey = (x: TaskView, key: string) => kindKey(x.event_class, key);

/** reviewSection appends the reviewer's view to body; the returned function removes its map. */
export function reviewSection(body: HTMLElement, x: TaskView, act: Act): () => void {
  const mapEl = h('div', { class: 'minimap', 'data-testid': 'review-map' });
  const k = (key: string) => wordKey(x, key);
  const where = h('p', { 'data-testid': 'report-where', class: x.report?.far ? 'warn' : 'muted' },
    x.report ? t(k(x.report.far ? 'rv.far' : 'rv.near'), { d: distanceWords(x.report.distance_m) }) : x.reported_at ? t('rv.nopos') : '');
  body.append(
    people(x),
    h('section', { class: 'card' }, h('h2', {}, t('rv.timeline')), timeline(x)),
    h('section', { class: 'card' }, h('h2', {}, t(x.report ? 'rv.where' : k('rv.fireplace'))), where, mapEl,
      h('p', { class: 'maplegend muted' }, h('i', { class: 'dot fire' }), t(k('rv.fire')), ' ', h('i', { class: 'dot rep' }), t('rv.reportpos'), ' ',
        h('i', { class: 'dot pho' }), t('rv.photopos'))));
  // An emergency inspection: the measures as found, each with its photos.
  const items = x.checklist;
  if (items?.length && x.reported_at) body.append(checklistReview(items, x.photos ?? []));
  const ph = photos(x);
  if (ph) body.append(ph);
  const mini = miniMap(mapEl, x);
  if (x.state !== 'closed') body.append(decisions(x, act, mini));
  body.append(noteBox(act));
  return () => mini.remove();
}

function people(x: TaskView): HTMLElement {
  const call = (phone?: string, testid = 'call') => phone && telHref(phone) ? h('a', { class: 'btn call', href: telHref(phone), 'data-testid': testid }, t('rv.call', { phone })) : null;
  const listed = listedContact(x);
  return h('section', { class: 'card people' },
    listed ? h('div', { 'data-testid': 'review-contact' }, h('b', {}, t('tp.contact'), '：'), x.listed_contact || '', x.listed_name ? `（${x.listed_name}）` : '', ' ',
      call(x.listed_phone, 'call-listed')) : null,
    h('div', { 'data-testid': 'review-supervisor' }, h('b', {}, t('rv.supervisor'), '：'), x.supervisor_name || t(x.grid_id ? 'rv.nosup' : 'rv.nogrid'), ' ', call(x.supervisor_phone)),
    x.reporter && x.reporter.name !== x.supervisor_name
      ? h('div', {}, h('b', {}, t('rv.reporter'), '：'), x.reporter.name, ' ', call(x.reporter.phone)) : null);
}

function timeline(x: TaskView): HTMLElement {
  return h('ol', { class: 'timeline', 'data-testid': 'timeline' }, (x.timeline ?? []).map((e) =>
    h('li', { class: 'tl-' + e.action }, h('time', {}, formatDateTime(e.at)), ' ', timelineText(e))));
}

function photos(x: TaskView): HTMLElement | null {
  if (!x.photos?.length) return null;
  return h('section', { class: 'card' }, h('h2', {}, t('rv.photos')),
    h('div', { class: 'evidence' }, x.photos.map((p) => h('figure', { 'data-testid': 'review-photo' },
      h('a', { href: p.stamped_url || p.url, target: '_blank', rel: 'noopener' }, h('img', { src: p.stamped_url || p.thumb_url, alt: '', loading: 'lazy' })),
      h('figcaption', {},
        p.flag_names?.length ? h('ul', { class: 'flags' }, p.flag_names.map((f) => h('li', {}, '⚠ ', f))) : h('span', { class: 'ok' }, '✓ ', t('rv.photo.ok')),
        ' ', h('a', { href: p.url, target: '_blank', rel: 'noopener' }, t('rv.original')))))));
}

interface Mini { map: L.Map; grids: L.LayerGroup; remove: () => void }

/** miniMap: the fire, the report's position and the photos', on the offline basemap. */
function miniMap(el: HTMLElement, x: TaskView): Mini {
  const map = L.map(el, { zoomControl: true, attributionControl: false, fadeAnimation: false });
  watchTileErrors(map);
  const fire = L.latLng(x.lat, x.lon);
  map.setView(fire, 14);
  api.get<{ basemaps: Basemap[] }>('/api/basemaps').then((b) => { if (b.basemaps[0] && (map as L.Map & { _loaded?: boolean })._loaded) basemapLayer(b.basemaps[0]).addTo(map); }).catch(() => {});
  const grids = L.layerGroup().addTo(map);
  L.circleMarker(fire, { radius: 9, color: '#b91c1c', weight: 3, fillColor: '#ef4444', fillOpacity: 0.8 }).bindTooltip(t(wordKey(x, 'rv.fire')), { permanent: true, direction: 'top' }).addTo(map);
  const pts: L.LatLng[] = [fire];
  if (x.report) {
    const rp = L.latLng(x.report.lat, x.report.lon);
    L.polyline([fire, rp], { color: x.report.far ? '#b91c1c' : '#2563eb', dashArray: '6 6', weight: 2 }).addTo(map);
    L.circleMarker(rp, { radius: 8, color: '#1d4ed8', weight: 3, fillColor: '#60a5fa', fillOpacity: 0.9 }).bindTooltip(t('rv.reportpos'), { permanent: true, direction: 'bottom' }).addTo(map);
    pts.push(rp);
  }
  for (const p of x.photos ?? []) {
    if (typeof p.lat === 'number' && typeof p.lon === 'number') {
      const ll = L.latLng(p.lat, p.lon);
      L.circleMarker(ll, { radius: 5, color: '#7c3aed', weight: 2, fillOpacity: 0.6 }).bindTooltip(t('rv.photopos')).addTo(map);
      pts.push(ll);
    }
  }
  if (pts.length > 1) map.fitBounds(L.latLngBounds(pts).pad(0.3), { maxZoom: 16, animate: false });
  return { map, grids, remove: () => { map.stop(); map.off(); map.remove(); } };
}

/** decisions: close or return a reported task; reassign an open one. */
function decisions(x: TaskView, act: Act, mini: Mini): HTMLElement {
  const box = h('section', { class: 'card review', 'data-testid': 'review-box' }, h('h2', {}, t('rv.actions')));
  if (x.state === 'reported') {
    // A dust task is closed with a reason (the server refuses it without, in English): said before it is sent.
    const needed = closeNeedsNote(x.event_class);
    const notes = h('textarea', { rows: 2, placeholder: t(needed ? 'rv.close.note.needed' : 'rv.close.note'), 'data-testid': 'close-notes' });
    const close = () => (needed && !notes.value.trim() ? (notes.focus(), toast(t('rv.close.note.needed'), 'err')) : act('close', { notes: notes.value }));
    const reason = h('textarea', { rows: 2, placeholder: t('rv.return.reason'), 'data-testid': 'return-reason' });
    box.append(
      h('div', { class: 'decide' }, notes, h('button', { type: 'button', class: 'primary', 'data-testid': 'close', onclick: close }, t('task.close'))),
      h('div', { class: 'decide' }, reason, h('button', { type: 'button', 'data-testid': 'return',
        onclick: () => (reason.value.trim() ? act('return', { reason: reason.value.trim() }) : (reason.focus(), toast(t('rv.return.reason'), 'err'))) }, t('task.return'))));
  }
  if (isOpen(x.state)) box.append(reassign(x, act, mini));
  return box;
}

/** reassign: the grids near the fire with their supervisors, from a list or the map. */
function reassign(x: TaskView, act: Act, mini: Mini): HTMLElement {
  const search = h('input', { type: 'search', placeholder: t('rv.reassign.search'), 'data-testid': 'reassign-search' });
  const list = h('ul', { class: 'candidates', role: 'listbox', 'data-testid': 'reassign-list' });
  const go = h('button', { type: 'button', class: 'primary', disabled: true, 'data-testid': 'reassign' }, t('rv.reassign.none'));
  let all: Candidate[] = [];
  let chosen: Candidate | null = null;
  // A grid's name may already start with its township's.
  const label = (c: Candidate) => (c.parent_name && !c.grid_name.startsWith(c.parent_name) ? `${c.parent_name} ${c.grid_name}` : c.grid_name);
  const choose = (c: Candidate) => {
    chosen = c;
    go.disabled = false;
    go.textContent = t('rv.reassign.to', { grid: label(c) + (c.supervisor_name ? `（${c.supervisor_name}）` : '') });
    draw();
  };
  const draw = () => {
    clear(list);
    const q = search.value.trim();
    for (const c of all.filter((c) => !q || label(c).includes(q) || (c.supervisor_name ?? '').includes(q) || c.grid_id.includes(q)).slice(0, 12)) {
      list.append(h('li', { role: 'option', 'aria-selected': String(c === chosen) },
        h('button', { type: 'button', class: c === chosen ? 'chosen' : '', 'data-testid': 'candidate', 'data-grid': c.grid_id, onclick: () => choose(c) },
          h('b', {}, label(c)), ' ', c.supervisor_name ? c.supervisor_name : h('span', { class: 'muted' }, t('rv.nosup')),
          h('small', { class: 'muted' }, ' · ', c.contains ? t(wordKey(x, 'rv.contains')) : distanceWords(c.distance_m)))));
    }
    mini.grids.eachLayer((l) => (l as L.Path).setStyle?.({ weight: (l as GridLayer).grid === chosen?.grid_id ? 3 : 1, color: (l as GridLayer).grid === chosen?.grid_id ? '#1d4ed8' : '#64748b' }));
  };
  search.addEventListener('input', draw);
  go.addEventListener('click', () => { if (chosen) act('reassign', { grid_id: chosen.grid_id }); });
  api.get<{ candidates: Candidate[] }>(`/api/tasks/${x.id}/candidates?limit=40&geometry=true`).then((r) => {
    all = r.candidates ?? [];
    for (const c of all) {
      if (!c.geometry) continue;
      const layer = L.geoJSON(c.geometry as GeoJSON.Geometry, { style: { color: '#64748b', weight: 1, fillOpacity: 0.05 } });
      layer.eachLayer((l) => { (l as GridLayer).grid = c.grid_id; l.on('click', () => choose(c)); l.addTo(mini.grids); });
    }
    draw();
  }).catch((e) => list.append(h('li', { class: 'error' }, String(e.message ?? e))));
  return h('div', { class: 'reassign' }, h('h3', {}, t('rv.reassign')), h('p', { class: 'muted' }, t('rv.reassign.pick')), search, list, go);
}

/** A candidate grid's shape on the mini map, marked with its grid id. */
type GridLayer = L.Layer & { grid?: string };

/** noteBox: a reviewer's note, kept in the history, in any state. */
function noteBox(act: Act): HTMLElement {
  const text = h('textarea', { rows: 2, 'data-testid': 'note-text' });
  return h('section', { class: 'card' }, h('h2', {}, t('rv.note')), h('p', { class: 'muted' }, t('rv.note.hint')), text,
    h('button', { type: 'button', 'data-testid': 'note-save', onclick: () => { if (text.value.trim()) act('note', { notes: text.value.trim() }); } }, t('rv.note.save')));
}

