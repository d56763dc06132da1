// The basemaps the server offers (/api/basemaps: the offline one first),
// as Leaflet layers; shared by the map page and the audit page's map.
import L from './leaflet';

export interface Basemap { id: string; name: string; tiles: string[]; labels?: string[]; subdomains?: string | string[]; attribution?: string; maxzoom?: number; offline?: boolean }

/** basemapLayer: a basemap's tiles and labels as one layer. */
export function basemapLayer(b: Basemap): L.LayerGroup {
  const opts: L.TileLayerOptions = { maxZoom: 18, maxNativeZoom: b.maxzoom || 18, attribution: b.attribution ?? '' };
  if (b.subdomains) opts.subdomains = b.subdomains;
  return L.layerGroup([...b.tiles, ...(b.labels ?? [])].map((u) => L.tileLayer(u, opts)));
}
