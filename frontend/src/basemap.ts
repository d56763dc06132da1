// The basemaps the server offers (/api/basemaps: the offline one first),
// as Leaflet layers; shared by the map page and the audit page's map.
import L from './leaflet';

export interface Basemap { id: string; name: string; tiles: string[]; labels?: string[]; subdomains?: string | string[]; attribution?: string; maxzoom?: number; offline?: boolean; crs?: string }

/** Basemaps is the answer of /api/basemaps. */
export interface Basemaps { basemaps: Basemap[]; tianditu?: boolean; key_hint?: boolean }

/**
 * basemapLayer: a basemap's tiles and labels as one layer. The opaque
 * tiles are basemap-tiles (drawn without seams at fractional zooms, see
 * leaflet.ts), the label layers above them basemap-labels.
 */
export function basemapLayer(b: Basemap): L.LayerGroup {
  const opts: L.TileLayerOptions = { maxZoom: 18, maxNativeZoom: b.maxzoom || 18, attribution: b.attribution ?? '' };
  if (b.subdomains) opts.subdomains = b.subdomains;
  // The server's pages send no Referer beyond their origin (Referrer-Policy:
  // same-origin); a remote basemap's tiles send the origin, no path: a
  // Tianditu key restricted to domains checks it.
  if (!b.offline) opts.referrerPolicy = 'strict-origin-when-cross-origin';
  return L.layerGroup([
    ...b.tiles.map((u) => L.tileLayer(u, { ...opts, className: 'basemap-tiles' })),
    ...(b.labels ?? []).map((u) => L.tileLayer(u, { ...opts, className: 'basemap-labels', zIndex: 2 })),
  ]);
}

const STORE = 'skygrid.basemap';

/**
 * addBasemaps puts the server's basemaps on a map: the one the user chose
 * last, else the first remote one (Tianditu, when the server has a key),
 * else the offline one; with more than one, a switcher (Leaflet's layer
 * control, headed 底图). A remote basemap that does not load at all (no
 * internet where the map is used) gives way to the offline one, and the
 * map says so. onChange tells whether the basemap shown has its own place
 * names.
 */
export function addBasemaps(map: L.Map, list: Basemap[], opts: { title: string; collapsed: boolean; unreachable: (name: string) => void; onChange?: (labelled: boolean) => void }): L.Control.Layers | null {
  if (!list.length) return null;
  const layers = new Map<L.Layer, Basemap>();
  const byName: Record<string, L.Layer> = {};
  for (const b of list) {
    const g = basemapLayer(b);
    layers.set(g, b);
    byName[b.name] = g;
  }
  let saved = '';
  try { saved = localStorage.getItem(STORE) ?? ''; } catch { /* private mode */ }
  const first = list.find((b) => b.id === saved) ?? list.find((b) => !b.offline) ?? list[0];
  const offline = list.find((b) => b.offline);
  const choose = (b: Basemap) => {
    opts.onChange?.(!!b.labels?.length);
    // Names read white on imagery, dark on a map.
    map.getContainer().classList.toggle('on-imagery', /img/.test(b.id));
    if (!b.offline && offline) watchReach(byName[b.name] as L.LayerGroup, () => {
      opts.unreachable(b.name);
      map.removeLayer(byName[b.name]);
      map.addLayer(byName[offline.name]);
    });
  };
  map.on('baselayerchange', (e: L.LayersControlEvent) => {
    const b = layers.get(e.layer);
    if (!b) return;
    try { localStorage.setItem(STORE, b.id); } catch { /* private mode */ }
    choose(b);
  });
  byName[first.name].addTo(map);
  choose(first);
  if (list.length < 2) return null;
  const control = L.control.layers(byName, undefined, { position: 'topleft', collapsed: opts.collapsed }).addTo(map);
  const box = control.getContainer()!;
  box.querySelector('.leaflet-control-layers-list')?.prepend(Object.assign(document.createElement('div'), { className: 'lc-title', textContent: opts.title }));
  const toggle = box.querySelector<HTMLAnchorElement>('a.leaflet-control-layers-toggle');
  if (toggle) { toggle.title = opts.title; toggle.setAttribute('aria-label', opts.title); }
  box.dataset.testid = 'basemap-switcher';
  return control;
}

/**
 * watchReach calls gone once when a basemap's tiles all fail: six errors
 * before a single tile loads. A basemap that loads even one tile is kept,
 * and one the user chooses again after that is not taken away again.
 */
const watched = new WeakSet<L.LayerGroup>();
function watchReach(g: L.LayerGroup, gone: () => void): void {
  if (watched.has(g)) return;
  watched.add(g);
  let errors = 0, loaded = 0, done = false;
  g.eachLayer((l) => {
    l.on('tileload', () => { loaded++; });
    l.on('tileerror', () => {
      errors++;
      if (!done && loaded === 0 && errors >= 6) { done = true; gone(); }
    });
  });
}
