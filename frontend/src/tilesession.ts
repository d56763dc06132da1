// A refused tile says nothing to the page (an image has no status): a
// session that had ended (12 hours after log-in, or the user disabled by
// an admin) left the map blank, with no word of why, until the next API
// request. watchTileErrors asks the server who the user is when a tile of
// the map fails, at most once every `every` ms; a 401 there takes the user
// to the log-in page, as every API request's 401 does (api.ts).
import L from './leaflet';
import { api } from './api';

export function watchTileErrors(map: L.Map, every = 10000): void {
  let last = -Infinity;
  const ask = () => {
    if (Date.now() - last < every) return;
    last = Date.now();
    // A 401 has gone to the handler; offline, the map says so itself.
    api.get('/api/me').catch(() => {});
  };
  // A layer added again (a layer switched off and on) keeps one listener:
  // Leaflet's on() ignores a function it already has.
  map.on('layeradd', (e) => {
    if (e.layer instanceof L.TileLayer) e.layer.on('tileerror', ask);
  });
}
