// The server's clock. Deadlines, "3小时前" and the "last 24 hours" window
// count from the server's time, not the phone's: a phone's clock may be
// wrong, and the demo's server clock stands at the end of October 2023.
let offset = 0;

/** setServerNow records the server's time (GET /api/me, POST /api/login: "now"). */
export function setServerNow(iso: string | undefined, at: number = Date.now()): void {
  const t = iso ? Date.parse(iso) : NaN;
  offset = isFinite(t) ? t - at : 0;
}

/** now is the server's time in milliseconds. */
export function now(): number {
  return Date.now() + offset;
}

let latest: number | null = null;

/** setLatestDetection records the server's latest detection at or before
 * its now (GET /api/me, POST /api/login: "latest_detection"; none: null). */
export function setLatestDetection(iso: string | null | undefined): void {
  const t = iso ? Date.parse(iso) : NaN;
  latest = isFinite(t) ? t : null;
}

/** latestDetection is that time in milliseconds, or null. */
export function latestDetection(): number | null {
  return latest;
}
