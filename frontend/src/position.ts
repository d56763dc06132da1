// "You are here": the distance and direction from the user to a fire, in
// words. Pure maths (no Leaflet, no DOM) so that it is tested on its own.
import { t, type Lang, getLang } from './i18n';

export interface LatLon { lat: number; lon: number }

const R = 6371008.8; // mean Earth radius, metres
const rad = (d: number) => (d * Math.PI) / 180;

/** distanceMetres is the great-circle (haversine) distance between two points. */
export function distanceMetres(a: LatLon, b: LatLon): number {
  const dLat = rad(b.lat - a.lat), dLon = rad(b.lon - a.lon);
  const s = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLon / 2) ** 2;
  return 2 * R * Math.asin(Math.min(1, Math.sqrt(s)));
}

/** bearingDegrees is the initial bearing from a to b: 0 north, 90 east, 0-360. */
export function bearingDegrees(a: LatLon, b: LatLon): number {
  const y = Math.sin(rad(b.lon - a.lon)) * Math.cos(rad(b.lat));
  const x = Math.cos(rad(a.lat)) * Math.sin(rad(b.lat)) - Math.sin(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.cos(rad(b.lon - a.lon));
  return ((Math.atan2(y, x) * 180) / Math.PI + 360) % 360;
}

export const COMPASS = ['n', 'ne', 'e', 'se', 's', 'sw', 'w', 'nw'] as const;
export type Compass = (typeof COMPASS)[number];

/** compass8 is the nearest of the eight compass points to a bearing. */
export function compass8(bearing: number): Compass {
  const b = ((bearing % 360) + 360) % 360;
  return COMPASS[Math.round(b / 45) % 8];
}

/** distanceWords: "约 850 米", "约 2.3 公里", "约 14 公里" (metres rounded to 10, km to 0.1 below 10 km). */
export function distanceWords(m: number, l: Lang = getLang()): string {
  if (m < 1000) return t('pos.m', { n: Math.max(10, Math.round(m / 10) * 10) }, l);
  const km = m < 10000 ? (Math.round(m / 100) / 10).toFixed(1) : String(Math.round(m / 1000));
  return t('pos.km', { n: km }, l);
}

/** nearMetres: closer than this the fire is "here", not in a direction. */
export const nearMetres = 50;

/**
 * fireDirection says where the fire (or, with what 'place', a registered
 * site) is from the user, in words: "距火点约 2.3 公里，在您的东北方向". A
 * position less precise than the distance says so ("定位误差约 1.5 公里").
 */
export function fireDirection(user: LatLon, fire: LatLon, accuracy = 0, l: Lang = getLang(), what: 'fire' | 'place' = 'fire'): string {
  const d = distanceMetres(user, fire);
  let s = d < nearMetres
    ? t(`pos.${what}.here`, { d: distanceWords(d, l) }, l)
    : t(`pos.${what}`, { d: distanceWords(d, l), dir: t('pos.dir.' + compass8(bearingDegrees(user, fire)), undefined, l) }, l);
  if (accuracy > 0 && accuracy >= d / 2 && accuracy >= 30) s += t('pos.rough', { a: distanceWords(accuracy, l) }, l);
  return s;
}
