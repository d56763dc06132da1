// A refused tile says nothing to the page (an image has no status): a
// session that had ended (12 hours after log-in, or the user disabled by
// an admin) left the map blank, with no word of why, until the next API
// request. watchTileErrors asks the server who the user is when a tile of
// the map fails, at most once every `every` ms; a 401 there takes the user
// to the log-in page, as every API request's 401 does (api.ts).
import L from './leaflet';
import { api } from './api';

export function watchTileErrors(map: L.Map, every = 10000): void {
  const watched = new WeakSet<L.Layer>();
  let last = -Infinity;
  const ask = () => {
    if (Date.now() - last < every) return;
    last = Date.now();
    // A 401 has gone to the handler; offline, the map says so itself.
    api.get('/api/me').catch(() => {});
  };
  map.on('layeradd', (e) => {
    const l = e.layer;
    if (l instanceof L.TileLayer && !watched.has(l)) {
      watched.add(l);
      l.on('tileerror', ask);
    }
  });
}
