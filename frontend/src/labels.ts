// Place names on the map: city (in a province), county, township and grid names drawn by the
// browser (the PNG basemap has no font), each at its label point from
// /api/regions?labels=true (a point inside the region), at the zooms where
// it fits, without overlaps (labelplace.ts decides). The labels sit in a
// pane inside the tile pane, above the basemap and the data layers, in
// thin letters with a light halo: a fire dot under a name still shows
// between the strokes.
import L from './leaflet';
import { api, qs } from './api';
import { boxOf, labelShown, labelText, levelRank, placeLabels, regionPixels, type LabelBox, type LabelLevel } from './labelplace';
import type { RegionCollection, RegionFeature } from './api/types.gen';

interface RegionLabel {
  id: string; level: LabelLevel; text: string; lat: number; lon: number; area: number;
  el?: HTMLElement; w?: number; h?: number;
}

const FONTS: Record<LabelLevel, [px: number, css: string]> = {
  city: [18, '700 18px system-ui, "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif'],
  county: [16, '600 16px system-ui, "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif'],
  township: [14, '600 14px system-ui, "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif'],
  grid: [12, '12px system-ui, "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif'],
};

// Grids are fetched for the view once the map is close enough for them.
const GRID_MIN_ZOOM = 11;

let measurer: CanvasRenderingContext2D | null = null;
function textWidth(text: string, font: string): number {
  measurer ??= document.createElement('canvas').getContext('2d');
  if (!measurer) return text.length * 14;
  measurer.font = font;
  return Math.ceil(measurer.measureText(text).width);
}

/**
 * RegionLabels draws the names of the regions the user may see. Levels
 * without regions (a demo without townships) simply draw nothing.
 * withBasemapLabels(true) leaves county and township names to a basemap
 * that has its own (Tianditu's annotation layers); grid names stay.
 */
export class RegionLabels {
  private pane: HTMLElement;
  private labels = new Map<string, RegionLabel>();
  private gridBounds: L.LatLngBounds[] = [];
  private gridSeq = 0;
  private regions = new Map<string, { name: string; parent: string }>(); // to shorten grid names
  private basemapNames = false;
  private disposed = false;
  private onMove = () => { this.place(); this.loadGrids(); };
  private onZoomStart = () => { this.pane.style.visibility = 'hidden'; };

  constructor(private map: L.Map) {
    this.pane = map.getPane('labels') ?? map.createPane('labels', map.getPane('tilePane'));
    this.pane.classList.add('region-labels');
    this.pane.style.zIndex = '20'; // basemap tiles 1, their labels 2, data layers 10
    this.pane.style.pointerEvents = 'none';
    map.on('zoomstart', this.onZoomStart);
    map.on('moveend zoomend resize', this.onMove);
  }

  /**
   * load fetches the city, county and township names; grids follow the
   * view. A city's name is drawn only in a province (several cities): a
   * city's own server names it in its title.
   */
  async load(): Promise<void> {
    const levels = ['city', 'county', 'township'] as const;
    const got = await Promise.all(levels.map((level) =>
      api.get<RegionCollection>('/api/regions' + qs({ level, labels: 'true', geometry: 'false' })).catch(() => null)));
    if (this.disposed) return;
    // In this order: a township's name loses its county's (labelText).
    levels.forEach((level, i) => {
      const fs = got[i]?.features ?? [];
      this.add(level === 'city' && fs.length < 2 ? [] : fs, level);
    });
    this.place();
    this.loadGrids();
  }

  withBasemapLabels(on: boolean): void {
    this.basemapNames = on;
    this.place();
  }

  dispose(): void {
    this.disposed = true;
    this.map.off('zoomstart', this.onZoomStart);
    this.map.off('moveend zoomend resize', this.onMove);
    this.pane.replaceChildren();
  }

  private add(features: RegionFeature[], level: LabelLevel): void {
    for (const f of features) {
      const p = f.properties;
      if (p.id) this.regions.set(p.id, { name: p.name ?? '', parent: p.parent_id ?? '' });
    }
    for (const f of features) {
      const p = f.properties;
      const lp = p.label_point;
      if (!Array.isArray(lp) || this.labels.has(p.id)) continue;
      // A grid's name repeats its township's or county's: shown without it.
      const parent = this.regions.get(p.parent_id);
      const names = [parent?.name ?? p.parent_name, this.regions.get(parent?.parent ?? '')?.name];
      const text = labelText(p.name || p.id, names);
      this.labels.set(p.id, { id: p.id, level, text, lat: lp[1], lon: lp[0], area: p.area_km2 ?? 0 });
    }
  }

  /** loadGrids fetches the grid names around the view when grids may show. */
  private async loadGrids(): Promise<void> {
    if (this.disposed || this.map.getZoom() < GRID_MIN_ZOOM) return;
    const view = this.map.getBounds();
    if (this.gridBounds.some((b) => b.contains(view))) return;
    const b = view.pad(0.5);
    const seq = ++this.gridSeq;
    const bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((x) => x.toFixed(5)).join(',');
    const fc = await api.get<RegionCollection>('/api/regions' + qs({ level: 'grid', labels: 'true', geometry: 'false', bbox, limit: 3000 })).catch(() => null);
    if (this.disposed || !fc) return;
    this.gridBounds.push(b);
    this.add(fc.features ?? [], 'grid');
    if (seq === this.gridSeq) this.place();
  }

  /** covers lists what lies over the map: the layers panel and the map's buttons and boxes. */
  private covers(): LabelBox[] {
    const m = this.map.getContainer().getBoundingClientRect();
    const els = [...document.querySelectorAll<HTMLElement>('.mappanel, .paneltoggle'), ...this.map.getContainer().querySelectorAll<HTMLElement>('.leaflet-control')];
    return els.map((el, i) => ({ el, r: el.getBoundingClientRect(), i })).filter(({ r }) => r.width > 0 && r.height > 0)
      .map(({ r, i }) => boxOf('cover' + i, r.left - m.left, r.top - m.top, r.width, r.height));
  }

  /** place shows the labels that fit the view at this zoom, hiding the rest. */
  place(): void {
    if (this.disposed) return;
    const map = this.map;
    const zoom = map.getZoom();
    const size = map.getSize();
    const lat = map.getCenter().lat;
    const boxes: LabelBox[] = [];
    for (const l of this.labels.values()) {
      if (this.basemapNames && l.level !== 'grid') continue;
      const [px, font] = FONTS[l.level];
      l.w ??= textWidth(l.text, font) + 6;
      l.h ??= px + 6;
      if (!labelShown(l.level, zoom, regionPixels(l.area, zoom, lat), l.w)) continue;
      const p = map.latLngToContainerPoint([l.lat, l.lon]);
      if (p.x < -l.w || p.y < -l.h || p.x > size.x + l.w || p.y > size.y + l.h) continue;
      boxes.push({ id: l.id, x: p.x, y: p.y, w: l.w, h: l.h, rank: levelRank[l.level] * 1e9 + l.area });
    }
    const shown = new Set(placeLabels(boxes, size.x, size.y, 4, 2, this.covers()));
    for (const l of this.labels.values()) {
      if (!shown.has(l.id)) {
        if (l.el) l.el.hidden = true;
        continue;
      }
      if (!l.el) {
        // A point at the label point, the text centred on it.
        l.el = L.DomUtil.create('div', 'region-label rl-' + l.level, this.pane);
        L.DomUtil.create('span', '', l.el).textContent = l.text;
        l.el.dataset.id = l.id;
        l.el.dataset.level = l.level;
      }
      l.el.hidden = false;
      L.DomUtil.setPosition(l.el, map.latLngToLayerPoint([l.lat, l.lon]));
    }
    this.pane.style.visibility = '';
  }
}
