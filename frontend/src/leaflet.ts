// Leaflet as every page of the app uses it: import L from './leaflet',
// never from 'leaflet' directly, so that the fixes below hold everywhere.
import L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import { getSession } from './session';

// Tile zooms are whole numbers. The map zooms in quarter steps (zoomSnap
// 0.25, so an area fits the screen), and a tile layer shows the nearest
// whole zoom's tiles scaled. GridLayer._setView rounds the map's zoom
// before asking _clampZoom for the tile zoom, but GridLayer.redraw(),
// which TileLayer.setUrl calls when the time window changes, does not: at
// a map zoom of 10.75 the fire layers asked for /tiles/hotspots/10.75/…,
// which the server refuses (400), and every fire vanished from the map.
// Every tile zoom passes through _clampZoom, so rounding there keeps every
// tile layer whole, whatever the sequence of zoom and URL changes.
type Clamp = { _clampZoom(zoom: number): number };
const grid = L.GridLayer.prototype as unknown as Clamp;
const clampZoom = grid._clampZoom;
grid._clampZoom = function (this: Clamp, zoom: number): number {
  return clampZoom.call(this, Math.round(zoom));
};

// The credit line is plain text: "Leaflet | 边界 © 天地图", without the
// flag and link Leaflet puts before it.
L.Control.Attribution.mergeOptions({ prefix: 'Leaflet' });

// Seams between basemap tiles. At a fractional zoom (the map zooms in
// quarter steps) a tile layer scales its whole-zoom tiles, and the tiles'
// edges fall inside screen pixels: each tile covers part of the pixel on
// its edge, and the map's background shows through as a hairline (or, with
// the mix-blend-mode: plus-lighter Leaflet's CSS gives every tile, both
// tiles add up to a white line). The map's container says when the zoom is
// fractional (leaflet-fractional-zoom), and style.css then draws the
// opaque basemap tiles (class basemap-tiles) one pixel larger, so that each
// overlaps its neighbour, with normal blending. At whole zooms tiles lie on
// whole pixels and are drawn at their own size, sharp.
L.Map.addInitHook(function (this: L.Map) {
  const mark = () => {
    const z = this.getZoom();
    this.getContainer().classList.toggle('leaflet-fractional-zoom', Number.isFinite(z) && z !== Math.round(z));
  };
  this.on('zoom zoomend viewreset load', mark);
  this.whenReady(mark);
});

/** Datong's box: where a map opens when the user's area is not known. */
export const DATONG: L.LatLngBoundsExpression = [[39.0, 112.5], [40.75, 114.6]];

/** userArea is the signed-in user's area (/api/me's area, [min lon, min
 * lat, max lon, max lat]) as Leaflet's bounds, or null. */
export function userArea(): L.LatLngBounds | null {
  const a = getSession()?.area;
  return a?.length === 4 ? L.latLngBounds([a[1], a[0]], [a[3], a[2]]) : null;
}

export default L;
