// Place names on the map: which regions' names are drawn at a zoom, and
// where they fit without overlapping. Pure (no Leaflet, no DOM), tested
// on its own; labels.ts draws them.

export type LabelLevel = 'city' | 'county' | 'township' | 'grid';

/** metresPerPixel is the ground size of a CSS pixel of a Web Mercator map. */
export function metresPerPixel(zoom: number, lat: number): number {
  return (156543.03392 * Math.cos((lat * Math.PI) / 180)) / Math.pow(2, zoom);
}

/** regionPixels is about how wide a region of this area is on screen. */
export function regionPixels(areaKm2: number, zoom: number, lat: number): number {
  return (Math.sqrt(Math.max(areaKm2, 0)) * 1000) / metresPerPixel(zoom, lat);
}

/**
 * labelShown says whether a region's name is drawn: a province's cities
 * at the zooms of the whole province (below 9), counties at low zooms
 * (the whole city to a county), townships in the middle, grids only when
 * the cell on screen is wider than its name (with a margin). Each only
 * when the region is wider on screen than its name.
 */
export function labelShown(level: LabelLevel, zoom: number, regionPx: number, textPx: number): boolean {
  switch (level) {
    case 'city': return zoom < 9 && regionPx >= textPx;
    case 'county': return zoom < 11.5 && regionPx >= textPx;
    case 'township': return zoom >= 9.5 && zoom < 14 && regionPx >= textPx * 1.2;
    case 'grid': return zoom >= 11 && regionPx >= textPx + 16;
  }
  return false;
}

/** levelRank orders labels: counties before townships before grids. */
export const levelRank: Record<LabelLevel, number> = { city: 4, county: 3, township: 2, grid: 1 };

/**
 * labelText is a region's name as the map shows it: a grid named after
 * its county or township ("浑源县 6行10列") loses the repeated part when
 * something is left ("6行10列").
 */
export function labelText(name: string, parents: (string | undefined)[] = []): string {
  let s = (name ?? '').trim();
  for (const p of parents) {
    if (p && s.startsWith(p) && s.length > p.length) s = s.slice(p.length).trim();
  }
  return s;
}

/** A label's box on screen: centre x, y, width and height in pixels. */
export interface LabelBox { id: string; x: number; y: number; w: number; h: number; rank: number }

/**
 * placeLabels returns the ids of the labels to draw: best rank first,
 * each kept when its box lies inside the view (width × height, with a
 * margin), clear of what covers the map (blocked: the layers panel, the
 * buttons) and at least pad pixels clear of every box kept before it.
 */
export function placeLabels(boxes: LabelBox[], width: number, height: number, pad = 4, margin = 2, blocked: LabelBox[] = []): string[] {
  const order = [...boxes].sort((a, b) => b.rank - a.rank || a.id.localeCompare(b.id));
  const kept: LabelBox[] = [...blocked];
  for (const b of order) {
    const x0 = b.x - b.w / 2, y0 = b.y - b.h / 2;
    if (x0 < margin || y0 < margin || x0 + b.w > width - margin || y0 + b.h > height - margin) continue;
    const clear = kept.every((k) => Math.abs(k.x - b.x) * 2 >= k.w + b.w + 2 * pad || Math.abs(k.y - b.y) * 2 >= k.h + b.h + 2 * pad);
    if (clear) kept.push(b);
  }
  return kept.slice(blocked.length).map((b) => b.id);
}

/** boxOf is a label box for a screen rectangle (left, top, width, height). */
export function boxOf(id: string, left: number, top: number, w: number, h: number): LabelBox {
  return { id, x: left + w / 2, y: top + h / 2, w, h, rank: Infinity };
}
