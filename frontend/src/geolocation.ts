// The phone's position, for the task list's and page's "距火点约 2.3 公里": asked on a tap (or at once
// when the user has already allowed it), kept for ten minutes in this tab.
import type { LatLon } from './position';

export interface Fix extends LatLon { accuracy: number; at: number }

const KEY = 'skygrid.fix';
const FRESH = 10 * 60 * 1000;
const listeners = new Set<(f: Fix) => void>();
let last: Fix | null = read();

function read(): Fix | null {
  try {
    const v = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as Fix | null;
    return v && Date.now() - v.at < FRESH ? v : null;
  } catch { return null; }
}

function keep(p: GeolocationPosition): Fix {
  last = { lat: p.coords.latitude, lon: p.coords.longitude, accuracy: p.coords.accuracy, at: Date.now() };
  try { sessionStorage.setItem(KEY, JSON.stringify(last)); } catch { /* private mode */ }
  listeners.forEach((f) => f(last!));
  return last;
}

/** lastFix: the latest position of this tab, if fresh. */
export function lastFix(): Fix | null { return last && Date.now() - last.at < FRESH ? last : null; }

const opts: PositionOptions = { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 };

/** locate asks the phone for its position (the browser asks the user the first time). */
export function locate(): Promise<Fix> {
  return new Promise((resolve, reject) => {
    if (!navigator.geolocation) return reject(new Error('no geolocation'));
    navigator.geolocation.getCurrentPosition((p) => resolve(keep(p)), reject, opts);
  });
}

/** allowed: the user has already let this site read the position. */
export async function allowed(): Promise<boolean> {
  try { return (await navigator.permissions?.query({ name: 'geolocation' }))?.state === 'granted'; } catch { return false; }
}

/** follow calls f with each new position until the returned stop is called. */
export function follow(f: (fix: Fix) => void): () => void {
  listeners.add(f);
  const id = navigator.geolocation?.watchPosition((p) => keep(p), () => { /* keep the last */ }, opts);
  return () => {
    listeners.delete(f);
    if (id !== undefined) navigator.geolocation.clearWatch(id);
  };
}
