// Dust seeding for the browser tests, through the public commands only
// (invented data, 示例): a monitor on a demo construction site
// (`skygrid import monitors`, with a snapshot URL), an invented ambient station beside it with
// the last hours' PM10 (`skygrid ingest air`, per-station layout) and four
// whole hours of minute readings posted to POST /api/readings with an
// admin's API token: PM10 220, 230, 240 then 100 µg/m³ against an ambient 60,
// so the Datong default (80 above ambient, 2 hours a day allowed) draws its
// limit at 140 and the third hour exceeds; three minutes flagged D (fault).
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const HOUR = 3600e3;
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
/** beijing: CNEMC's timepoint (Beijing time, the hour's end) of the hour starting at ms (UTC). */
const beijing = (ms) => new Date(ms + HOUR + 8 * HOUR).toISOString().slice(0, 19);

/** seedDust (video: the monitor's HLS URL, '' none) returns { site, monitor, start } (start: the first hour, ms) once the readings are stored. */
export async function seedDust({ url, bin, db }, request, mn = 'E2EDUST0', video = '') {
  const sites = (await (await request.get(url + '/api/sites?kind=construction&limit=6')).json()).features;
  const site = sites[sites.length - 1];
  const [lon, lat] = [(site.bbox[0] + site.bbox[2]) / 2, (site.bbox[1] + site.bbox[3]) / 2];
  const dir = dirname(db);
  const monitors = join(dir, `${mn}.csv`);
  // Its snapshot: an image of this origin (the app's icon), as the CSP allows without video_origins.
  writeFileSync(monitors, `设备编号,访问密码,名称,经度,纬度,快照地址,视频流地址\n${mn},123456,示例扬尘监测仪 ${mn},${lon.toFixed(6)},${lat.toFixed(6)},${url}/icons/icon-192.png,${video}\n`);
  execFileSync(bin, ['import', 'monitors', monitors, '--db', db]);
  // The server's clock (the demo's stands at the end of October 2023): GET /api/me's now.
  const now = Date.parse((await (await request.get(url + '/api/me')).json()).now);
  const start = Math.floor(now / HOUR) * HOUR - 4 * HOUR;
  const air = ['station_code,name,city,lon,lat,timepoint,pm2_5,pm10'];
  for (let h = -20; h < 5; h++) air.push(`E2E9A,示例环境站,大同市,${(lon + 0.002).toFixed(6)},${(lat + 0.002).toFixed(6)},${beijing(start + h * HOUR)},30,60`);
  const airFile = join(dir, `air-${mn}.csv`);
  writeFileSync(airFile, air.join('\n') + '\n');
  execFileSync(bin, ['ingest', 'air', airFile, '--db', db]);
  const token = execFileSync(bin, ['token', 'create', '--user', 'admin', '--name', '示例读数 ' + mn, '--db', db]).toString().trim();
  const items = [];
  for (let i = 0; i < 240; i++) {
    const pm10 = [220, 230, 240, 100][Math.floor(i / 60)] + (i % 7);
    const it = { mn, at: iso(start + i * 60e3), kind: 'minute', values: { pm10, pm25: Math.round(pm10 * 0.45), tsp: pm10 * 2, ws: 1.5 + (i % 5) / 2, wd: 300 } };
    if (i % 80 === 17) { it.values.pm10 = 1500; it.flags = { pm10: 'D' }; }
    items.push(it);
  }
  const res = await (await fetch(url + '/api/readings', { method: 'POST', headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/json' }, body: JSON.stringify(items) })).json();
  const monitor = (await (await request.get(url + '/api/monitors')).json()).items.find((m) => m.mn === mn);
  return { site, monitor, start, stored: res.stored };
}
