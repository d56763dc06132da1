// A city's own server, not the demo: its map and its statistics open on
// the month of its latest detection. (They opened on the demo's October
// 2023 on every server: a city running in December 2026 saw an empty map
// and a page of zeros until someone changed the window.)
//
// The server is made the way a city makes one: Datong's counties imported,
// a FIRMS file of three detections from the last hours (written here, with
// today's dates: invented points, SYNTHETIC), an admin added, `skygrid
// serve` on port 0.
import { test } from '../fixtures.mjs';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const desktop = { width: 1366, height: 768 };

/** beijing: the Beijing date parts of a time. */
function beijing(d) {
  const s = new Date(d.getTime() + 8 * 3600e3).toISOString();
  return { day: s.slice(0, 10), month: s.slice(0, 7) };
}

/** makeCity builds the database in dir and starts serve; resolves { url, proc }. */
function makeCity(bin, root, dir, times) {
  const db = join(dir, 'city.db');
  const run = (...args) => execFileSync(bin, [...args, '--db', db], { stdio: 'pipe' });
  run('import', 'regions', join(root, 'data', 'boundaries', 'datong_districts_tianditu_cgcs2000.geojson'), '--level', 'county', '--crs', 'cgcs2000');
  const rows = times.map((t, i) => {
    const iso = t.toISOString();
    return `${(39.70 + i * 0.01).toFixed(5)},113.69000,345.6,0.39,0.36,${iso.slice(0, 10)},${iso.slice(11, 13)}${iso.slice(14, 16)},N20,VIIRS,h,2.0NRT,290.1,42.0,D,0`;
  });
  writeFileSync(join(dir, 'fires.csv'), 'latitude,longitude,bright_ti4,scan,track,acq_date,acq_time,satellite,instrument,confidence,version,bright_ti5,frp,daynight,type\n' + rows.join('\n') + '\n');
  run('ingest', join(dir, 'fires.csv'));
  writeFileSync(join(dir, 'pw'), 'city-season-1\n');
  run('user', 'add', '--name', 'cityadmin', '--role', 'admin', '--password-file', join(dir, 'pw'));
  const proc = spawn(bin, ['serve', '--addr', '127.0.0.1:0', '--db', db, '--set', 'passes.tle_url=http://127.0.0.1:1/tle'], { stdio: ['ignore', 'pipe', 'ignore'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const limit = setTimeout(() => { proc.kill(); reject(new Error('serve did not start in 60 s:\n' + out)); }, 60000);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) { clearTimeout(limit); resolve({ url: m[1], proc }); }
    });
    proc.on('exit', (code) => { clearTimeout(limit); reject(new Error(`serve exited ${code}:\n${out}`)); });
  });
}

test('season: a city\'s server opens its map and statistics on its own month', async ({ suite: { page, check, pixels, bin, root } }) => {
  const dir = mkdtempSync(join(tmpdir(), 'skygrid-season-'));
  const now = new Date();
  const times = [5, 4, 3].map((h) => new Date(now.getTime() - h * 3600e3));
  const { day, month } = beijing(times[2]);
  const city = await makeCity(bin, root, dir, times);
  try {
    const p = await page(desktop, 'a city server in its own month');
    const tiles = [];
    p.on('request', (r) => { if (r.url().includes('/tiles/hotspots/')) tiles.push(decodeURIComponent(r.url())); });
    await p.goto(city.url + '/#/login');
    await p.fill('[data-testid=login-name]', 'cityadmin');
    await p.fill('[data-testid=login-password]', 'city-season-1');
    await p.click('[data-testid=login-submit]');
    await p.waitForSelector('#map .ov-hotspots img.leaflet-tile-loaded', { timeout: 20000 });
    await p.waitForLoadState('networkidle');
    const [y, m] = month.split('-').map(Number);
    const chosen = await p.$eval('[data-testid=time-window]', (s) => ({ value: s.value, text: s.selectedOptions[0]?.textContent ?? '' }));
    check(chosen.value === 'month' && chosen.text === `${y}年${m}月全月`,
      `a city's map opens on the month of its latest fire, ${y}年${m}月全月 (shown: "${chosen.text}")`);
    const since = `since=${month}-01T00:00:00+08:00`;
    check(tiles.length > 0 && tiles.every((u) => u.includes(since)), `its fire tiles are asked for that month (${tiles[0] ?? 'none asked'})`);
    // The fires are drawn: the window holds them (the demo's month held none).
    const fires = await pixels(p, '#map .ov-hotspots img.leaflet-tile-loaded');
    check(fires > 0, `the map shows the city's fires of the last hours when it opens (${fires} fire pixels)`);
    await p.selectOption('[data-testid=time-window]', 'day');
    const slider = await p.$eval('[data-testid=day-slider]', (s) => ({ value: s.value, max: s.max, label: s.nextElementSibling?.textContent ?? '' }));
    const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
    check(slider.value === String(Number(day.slice(8))) && slider.max === String(days) && slider.label === `${m}月${Number(day.slice(8))}日`,
      `the by-day slider is on the latest fire's day, ${m}月${Number(day.slice(8))}日, of that month's ${days} days (${JSON.stringify(slider)})`);
    await p.goto(city.url + '/#/audit');
    await p.waitForSelector('[data-testid=fig-events]', { timeout: 20000 });
    const month0 = await p.inputValue('[data-testid=period-month]');
    const events = await p.locator('[data-testid=fig-events] .v').innerText();
    check(month0 === month && Number(events) >= 1, `the statistics open on ${month} with its fires (month ${month0}, 火情 ${events})`);
    // Every other page of a new city's server (no grid, no site, no
    // station, no task yet) opens without an error: the guard fails the
    // test on any failed request or console error.
    for (const page of ['tasks', 'sites', 'moderation', 'warnings', 'auditlog', 'admin']) {
      await p.goto(`${city.url}/#/${page}`);
      await p.waitForFunction(() => {
        const text = document.querySelector('#app')?.innerText ?? '';
        return text.trim().length > 20 && !text.includes('加载中');
      }, null, { timeout: 15000 }).catch(() => {});
      await p.waitForLoadState('networkidle');
      const shown = await p.locator('#app').innerText();
      const errors = await p.locator('#app .error:visible').allInnerTexts();
      check(errors.length === 0 && shown.trim().length > 20, `a new city's ${page} page opens (${shown.trim().slice(0, 40).replace(/\s+/g, ' ')}…${errors.join(' ')})`);
    }
    await p.context().close();
  } finally {
    city.proc.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});
