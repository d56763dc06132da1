// Leaflet as every page of the app uses it: import L from './leaflet',
// never from 'leaflet' directly, so that the fixes below hold everywhere.
import L from 'leaflet';
import 'leaflet/dist/leaflet.css';

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

export default L;
