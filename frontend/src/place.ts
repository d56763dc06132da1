// Place names and map search: pure helpers shared by the map and the task pages.
import type { SearchResult as GenSearchResult } from './api/types.gen';

/** Placed is anything the API gives a place to: a task, an event's properties. */
export interface Placed {
  county_id?: string; county_name?: string;
  township_id?: string; township_name?: string;
  grid_id?: string; grid_name?: string;
}

/**
 * placeName is the readable place, largest first: "浑源县 · 6行10列", or with a
 * township "浑源县 · 永安镇 · 1号网格". A grid's name that repeats its county's
 * or township's is shortened. Without names, the ids.
 */
export function placeName(p: Placed): string {
  const parts: string[] = [];
  if (p.county_name) parts.push(p.county_name);
  if (p.township_name) parts.push(p.township_name);
  let grid = (p.grid_name ?? '').trim();
  for (const prefix of [p.township_name, p.county_name]) {
    if (prefix && grid.startsWith(prefix) && grid.length > prefix.length) grid = grid.slice(prefix.length).trim();
  }
  if (grid) parts.push(grid);
  else if (p.grid_id) parts.push(p.grid_id);
  if (!parts.length && p.county_id) parts.push(p.county_id);
  return parts.join(' · ');
}

/** gridLabel is a grid's id with its name: "140225-005-009（浑源县 6行10列）". */
export function gridLabel(p: Placed): string {
  if (!p.grid_id) return '';
  return p.grid_name ? `${p.grid_id}（${p.grid_name}）` : p.grid_id;
}

/** SearchResult is one place of GET /api/search (the generated type, its
 * kind narrowed to the kinds the search answers with). */
export type SearchResult = Omit<GenSearchResult, 'kind' | 'match'> & {
  kind: 'city' | 'county' | 'township' | 'grid' | 'site';
  match?: number;
};

/**
 * searchBounds turns a result's [west, south, east, north] into Leaflet's
 * [[south, west], [north, east]], widening a point or a sliver (a point
 * site) to about `minMetres` across so the map does not zoom in without end.
 * null for a box that is not one.
 */
export function searchBounds(b: number[] | undefined, minMetres = 300): [[number, number], [number, number]] | null {
  if (!b || b.length < 4 || b.some((x) => !Number.isFinite(x)) || b[0] > b[2] || b[1] > b[3]) return null;
  let [w, s, e, n] = b;
  const halfLat = minMetres / 2 / 111320;
  const halfLon = halfLat / Math.max(0.1, Math.cos(((s + n) / 2) * Math.PI / 180));
  if (e - w < 2 * halfLon) { const c = (w + e) / 2; w = c - halfLon; e = c + halfLon; }
  if (n - s < 2 * halfLat) { const c = (s + n) / 2; s = c - halfLat; n = c + halfLat; }
  return [[s, w], [n, e]];
}
