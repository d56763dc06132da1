// The independent SGP4 side of skygrid's orbit check: satellite.js (a
// separate SGP4 implementation) predicts, for the fixed TLE set in
// orbit/testdata/sgp4.tle, the satellites' positions at fixed times and
// their passes over Datong for 48 hours. The Go package orbit compares its
// own predictions with the committed result (orbit/testdata/reference.json);
// orbitref.test.ts regenerates it and compares it with the committed file.
// Not part of the web app (nothing imports it).
import * as satellite from 'satellite.js';

// The swath of each fire satellite's instrument, km (as skygrid.FireSatellites).
export const SWATH_KM: Record<number, number> = { 37849: 3060, 43013: 3060, 54234: 3060, 27424: 2330, 25994: 2330 };
export const DATONG = { name: '大同市', lat: 40.0768, lon: 113.3001 };
export const FROM = '2026-12-05T00:00:00Z';
const R = 6371.0088;

export interface RefPosition { norad: number; time: string; lat: number; lon: number; alt: number }
export interface RefPass { norad: number; peak: string }
export interface Reference {
  generator: string;
  tle_file: string;
  place: typeof DATONG;
  from: string;
  hours: number;
  positions: RefPosition[];
  passes: RefPass[];
}

interface Sat { norad: number; rec: satellite.SatRec }

export function parseSet(text: string): Sat[] {
  const lines = text.split('\n').map((l) => l.trimEnd()).filter((l) => l && !l.startsWith('#'));
  const out: Sat[] = [];
  for (let i = 0; i + 1 < lines.length; i++) {
    if (lines[i].startsWith('1 ') && lines[i + 1].startsWith('2 ')) {
      out.push({ norad: Number(lines[i].slice(2, 7)), rec: satellite.twoline2satrec(lines[i], lines[i + 1]) });
      i++;
    }
  }
  return out;
}

// subPoint: geodetic latitude, longitude (degrees) and altitude (km) at ms.
export function subPoint(rec: satellite.SatRec, ms: number): { lat: number; lon: number; alt: number } {
  const d = new Date(ms);
  const pv = satellite.propagate(rec, d);
  if (!pv || typeof pv.position === 'boolean' || !pv.position) throw new Error(`no position at ${d.toISOString()}`);
  const g = satellite.eciToGeodetic(pv.position, satellite.gstime(d));
  return { lat: satellite.degreesLat(g.latitude), lon: satellite.degreesLong(g.longitude), alt: g.height };
}

function groundKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const r = Math.PI / 180;
  const a = Math.sin(((lat2 - lat1) * r) / 2) ** 2 + Math.cos(lat1 * r) * Math.cos(lat2 * r) * Math.sin(((lon2 - lon1) * r) / 2) ** 2;
  return 2 * R * Math.atan2(Math.sqrt(a), Math.sqrt(1 - a));
}

// peaks: the times of closest approach (to the second) of the passes whose
// closest approach lies within half the swath of the place, in [from, to].
export function peaks(sat: Sat, lat: number, lon: number, from: number, to: number): number[] {
  const half = SWATH_KM[sat.norad] / 2;
  const dist = (ms: number) => {
    const p = subPoint(sat.rec, Math.round(ms / 1000) * 1000);
    return groundKm(lat, lon, p.lat, p.lon);
  };
  const step = 30_000;
  const out: number[] = [];
  let prev2 = Infinity;
  let prev = Infinity;
  for (let t = from - 20 * 60_000; t <= to + 20 * 60_000; t += step) {
    const d = dist(t);
    if (prev < prev2 && prev <= d && prev <= half) {
      // golden-section search around the sample before t
      let a = t - 2 * step;
      let b = t;
      const g = 0.6180339887498949;
      while (b - a > 1000) {
        const c = b - (b - a) * g;
        const e = a + (b - a) * g;
        if (dist(c) < dist(e)) b = e;
        else a = c;
      }
      const peak = Math.round((a + b) / 2 / 1000) * 1000;
      if (peak >= from && peak <= to) out.push(peak);
    }
    prev2 = prev;
    prev = d;
  }
  return out;
}

export function reference(tleText: string, version: string): Reference {
  const sats = parseSet(tleText);
  const from = Date.parse(FROM);
  const hours = 48;
  const positions: RefPosition[] = [];
  const passes: RefPass[] = [];
  for (const s of sats) {
    for (let h = 0; h <= hours; h += 6) {
      const ms = from + h * 3600_000 + 17_000; // off the whole minute on purpose
      const p = subPoint(s.rec, ms);
      positions.push({ norad: s.norad, time: new Date(ms).toISOString(), lat: round(p.lat, 5), lon: round(p.lon, 5), alt: round(p.alt, 3) });
    }
    for (const ms of peaks(s, DATONG.lat, DATONG.lon, from, from + hours * 3600_000)) {
      passes.push({ norad: s.norad, peak: new Date(ms).toISOString() });
    }
  }
  passes.sort((a, b) => a.peak.localeCompare(b.peak));
  return { generator: `satellite.js ${version} (frontend/src/orbitref.ts)`, tle_file: 'sgp4.tle', place: DATONG, from: FROM, hours, positions, passes };
}

function round(x: number, n: number): number {
  const f = 10 ** n;
  return Math.round(x * f) / f;
}
