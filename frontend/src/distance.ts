// Distance and direction between two points on the ground, in words a
// supervisor reads at a glance: "约 2.3 公里", "东北".
const R = 6371008.8; // mean Earth radius, metres (as orb/geo)
const rad = (d: number) => (d * Math.PI) / 180;

export interface LatLon { lat: number; lon: number }

/** metres: the great-circle distance. */
export function metres(a: LatLon, b: LatLon): number {
  const dLat = rad(b.lat - a.lat), dLon = rad(b.lon - a.lon);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLon / 2) ** 2;
  return 2 * R * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** bearing: degrees clockwise from north, from a towards b. */
export function bearing(a: LatLon, b: LatLon): number {
  const y = Math.sin(rad(b.lon - a.lon)) * Math.cos(rad(b.lat));
  const x = Math.cos(rad(a.lat)) * Math.sin(rad(b.lat)) - Math.sin(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.cos(rad(b.lon - a.lon));
  return ((Math.atan2(y, x) * 180) / Math.PI + 360) % 360;
}

const ZH = ['北', '东北', '东', '东南', '南', '西南', '西', '西北'];
const EN = ['north', 'north-east', 'east', 'south-east', 'south', 'south-west', 'west', 'north-west'];

/** compass: one of eight directions for a bearing. */
export function compass(deg: number, lang: 'zh' | 'en' = 'zh'): string {
  const i = Math.round((((deg % 360) + 360) % 360) / 45) % 8;
  return (lang === 'zh' ? ZH : EN)[i];
}

/** distanceWords: "230 米", "2.3 公里", "18 公里" (a phone's fix is not closer than that). */
export function distanceWords(m: number, lang: 'zh' | 'en' = 'zh'): string {
  const r = Math.max(10, Math.round(m / 10) * 10);
  if (r < 1000) return lang === 'zh' ? `${r} 米` : `${r} m`;
  const km = m < 10000 ? (Math.round(m / 100) / 10).toFixed(1) : String(Math.round(m / 1000));
  return lang === 'zh' ? `${km} 公里` : `${km} km`;
}
