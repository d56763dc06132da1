// A city's own server, not the demo: its map and its statistics open on
// the month of its latest detection. (They opened on the demo's October
// 2023 on every server: a city running in December 2026 saw an empty map
// and a page of zeros until someone changed the window.)
//
// The server is made the way a city makes one: Datong's counties imported,
// a FIRMS file of three detections from the last hours (written here, with
// today's dates: invented points, SYNTHETIC), an admin added, `skygrid
// serve` on port 0. A province's server (two invented cities, SYNTHETIC)
// groups its figures by city.
import { expect, test } from '../fixtures.mjs';
import { listening } from '../lib/demo.mjs';
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

/** firmsRow: a VIIRS NRT row of a detection at lon, lat and time t. */
function firmsRow([lon, lat], t) {
  const iso = t.toISOString();
  return `${lat.toFixed(5)},${lon.toFixed(5)},345.6,0.39,0.36,${iso.slice(0, 10)},${iso.slice(11, 13)}${iso.slice(14, 16)},N20,VIIRS,h,2.0NRT,290.1,42.0,D,0`;
}

/**
 * makeServer builds a database in dir as a city or a province does (each
 * of regions imported as [file, level, ...flags], a FIRMS file of fires
 * [[lon, lat], time], an admin with password pw) and starts serve;
 * resolves { url, proc }.
 */
function makeServer(bin, dir, regions, fires, pw, serveArgs = [], monitors = '') {
  const db = join(dir, 'city.db');
  const run = (...args) => execFileSync(bin, [...args, '--db', db], { stdio: 'pipe' });
  for (const [file, level, ...flags] of regions) run('import', 'regions', file, '--level', level, ...flags);
  if (monitors) {
    writeFileSync(join(dir, 'monitors.csv'), monitors);
    run('import', 'monitors', join(dir, 'monitors.csv'));
  }
  const header = 'latitude,longitude,bright_ti4,scan,track,acq_date,acq_time,satellite,instrument,confidence,version,bright_ti5,frp,daynight,type\n';
  writeFileSync(join(dir, 'fires.csv'), header + fires.map(([pt, t]) => firmsRow(pt, t)).join('\n') + '\n');
  run('ingest', join(dir, 'fires.csv'));
  writeFileSync(join(dir, 'pw'), pw + '\n');
  run('user', 'add', '--name', 'cityadmin', '--role', 'admin', '--password-file', join(dir, 'pw'));
  const proc = spawn(bin, ['serve', '--addr', '127.0.0.1:0', '--db', db, '--set', 'passes.tle_url=http://127.0.0.1:1/tle', ...serveArgs], { stdio: ['ignore', 'pipe', 'ignore'] });
  return listening(proc, 'serve', 60).then(({ url }) => ({ url, proc }));
}

/** loginAs signs in on a server of this spec. */
async function loginAs(p, url, pw) {
  await p.goto(url + '/#/login');
  await p.fill('[data-testid=login-name]', 'cityadmin');
  await p.fill('[data-testid=login-password]', pw);
  await p.click('[data-testid=login-submit]');
}

test('season: a city\'s server opens its map and statistics on its own month', async ({ suite: { page, check, pixels, bin, root } }) => {
  const dir = mkdtempSync(join(tmpdir(), 'skygrid-season-'));
  const now = new Date();
  const times = [5, 4, 3].map((h) => new Date(now.getTime() - h * 3600e3));
  const { day, month } = beijing(times[2]);
  const counties = join(root, 'data', 'boundaries', 'datong_districts_tianditu_cgcs2000.geojson');
  const city = await makeServer(bin, dir, [[counties, 'county', '--crs', 'cgcs2000']], times.map((t, i) => [[113.69, 39.70 + i * 0.01], t]), 'city-season-1');
  try {
    const p = await page(desktop, 'a city server in its own month');
    const tiles = [];
    p.on('request', (r) => { if (r.url().includes('/tiles/hotspots/')) tiles.push(decodeURIComponent(r.url())); });
    await loginAs(p, city.url, 'city-season-1');
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

/** square: a GeoJSON feature of a square region. */
const square = (id, name, parent, [x0, y0, x1, y1]) => ({
  type: 'Feature', properties: parent ? { id, name, parent_id: parent } : { id, name },
  geometry: { type: 'Polygon', coordinates: [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]] },
});

test('season: a province\'s server ranks its cities', async ({ suite: { page, check, bin } }) => {
  const dir = mkdtempSync(join(tmpdir(), 'skygrid-province-'));
  const fc = (features) => JSON.stringify({ type: 'FeatureCollection', features });
  writeFileSync(join(dir, 'cities.geojson'), fc([square('SXA', '示例市甲', '', [111, 37, 112, 38]), square('SXB', '示例市乙', '', [112, 37, 113, 38])]));
  writeFileSync(join(dir, 'counties.geojson'), fc([square('SXA1', '示例县甲一', 'SXA', [111, 37, 111.5, 38]),
    square('SXA2', '示例县甲二', 'SXA', [111.5, 37, 112, 38]), square('SXB1', '示例县乙一', 'SXB', [112, 37, 113, 38])]));
  const t = new Date(Date.now() - 2 * 3600e3);
  const fires = [[111.2, 37.5], [111.3, 37.2], [111.7, 37.5], [112.5, 37.5]].map((pt) => [pt, t]);
  // 60 dust monitors (示例, invented): more than the capture table lists.
  const monitors = 'mn,pw,name,lon,lat,kind\n' + Array.from({ length: 60 }, (_, i) =>
    `SXM${String(i + 1).padStart(5, '0')},123456,示例扬尘监测仪${i + 1},${(111.05 + i * 0.03).toFixed(3)},37.6,dust`).join('\n') + '\n';
  const prov = await makeServer(bin, dir, [[join(dir, 'cities.geojson'), 'city'], [join(dir, 'counties.geojson'), 'county']], fires, 'province-1',
    ['--set', 'server.area_name=示例省'], monitors);
  try {
    const p = await page(desktop, 'a province server by city');
    const tiles = [];
    // The outlines come late, as on a phone's slow network: only once
    // the map has asked for its first tiles.
    let firstTile;
    const tileAsked = new Promise((ok) => { firstTile = ok; });
    p.on('request', (r) => {
      const m = r.url().match(/\/tiles\/[a-z_]+\/(\d+)\/(\d+)\/(\d+)\.png/);
      if (m) { tiles.push(m.slice(1).map(Number)); firstTile(); }
    });
    await p.route(/\/api\/regions\?/, async (r) => { await tileAsked; await r.continue(); });
    await loginAs(p, prov.url, 'province-1');
    await p.waitForSelector('[data-testid=logout]');
    // The map opens on the province's cities (111-113 E, 37-38 N): no
    // tile of Datong's box asked for first (the map fitted Datong, then
    // jumped to the province when its outline came).
    await p.waitForSelector('#map .ov-hotspots img.leaflet-tile-loaded', { timeout: 20000 });
    await p.waitForLoadState('networkidle');
    const lon = (x, z) => (x / 2 ** z) * 360 - 180;
    const lat = (y, z) => (Math.atan(Math.sinh(Math.PI * (1 - (2 * y) / 2 ** z))) * 180) / Math.PI;
    const away = tiles.filter(([z, x, y]) => lon(x + 1, z) < 110.5 || lon(x, z) > 113.5 || lat(y + 1, z) > 38.5 || lat(y, z) < 36.5);
    check(tiles.length > 0 && away.length === 0, `the map opens on the province: ${away.length} of ${tiles.length} tiles outside it (${away.slice(0, 3).map((t) => t.join('/')).join(', ')})`);
    await p.unroute(/\/api\/regions\?/);
    // At the zoom of the whole province the cities are named; closer in,
    // their counties.
    const names = async (level) => p.$$eval(`.region-label.rl-${level}:not([hidden]) span`, (ss) => ss.map((s) => s.textContent).sort().join(','));
    await p.evaluate(() => window.skygridMap.setView([37.5, 112], 8, { animate: false }));
    await expect.poll(() => names('city'), { timeout: 10000 }).toBe('示例市乙,示例市甲');
    await p.evaluate(() => window.skygridMap.setView([37.5, 112], 9.5, { animate: false }));
    await expect.poll(() => names('county'), { timeout: 10000 }).not.toBe('');
    check(await names('city') === '' && (await names('county')).includes('示例县乙一'),
      `the province's map names its cities at zoom 8, its counties at 9.5 (${await names('county')})`);
    // The province names itself, not 大同 ([server] area_name).
    const brand = await p.locator('.topbar .brand').innerText();
    const title = await p.title();
    check(brand === '天网格 · 示例省火点监管' && title === '天网格 · 示例省火点网格化监管', `the app names the province: "${brand}", "${title}"`);
    await p.goto(prov.url + '/public');
    const h1 = await p.locator('h1').innerText();
    check(h1 === '示例省大气污染防治信息公开', `the public page names the province: "${h1}"`);
    await expect(p.locator('#pub-fires tfoot th').first()).toHaveText(/全/, { timeout: 15000 });
    const pubWhole = await p.locator('#pub-fires tfoot th').first().innerText();
    check(pubWhole === '全省', `the public fire count's total is the province's, 全省 ("${pubWhole}")`);
    // The task list filters by city too: its counties under it, the city
    // first as a whole (3 fires in 示例市甲's counties, 1 in 示例市乙's).
    await p.goto(prov.url + '/#/tasks?state=all');
    await expect.poll(() => p.locator('[data-testid=f-county] optgroup').count(), { timeout: 15000 }).toBe(2);
    const taskGroups = await p.$$eval('[data-testid=f-county] optgroup', (gs) => gs.map((g) => `${g.label}:${[...g.querySelectorAll('option')].map((o) => o.textContent).join('/')}`));
    await p.selectOption('[data-testid=f-county]', 'SXA');
    await expect(p.locator('[data-testid=page-text]')).toHaveText('第 1/1 页，共 3 条', { timeout: 15000 });
    const places = await p.$$eval('[data-testid=task-item]', (rs) => rs.map((r) => r.textContent));
    check(taskGroups.join(' ') === '示例市甲:示例市甲（全市）/示例县甲一/示例县甲二 示例市乙:示例市乙（全市）/示例县乙一' && places.length === 3 &&
      places.every((x) => x.includes('示例县甲')) && p.url().includes('city=SXA'),
      `the task list by city: ${taskGroups.join(' ')}; 示例市甲 keeps its 3 tasks (${p.url().split('#')[1]})`);
    // The registry lists the first 50 monitors, then all 60 on a tap.
    await p.goto(prov.url + '/#/sites');
    await expect(p.getByTestId('monitor-count')).toHaveText('共 60 台', { timeout: 15000 });
    const listed = await p.locator('[data-testid=monitor-row]:visible').count();
    const moreText = await p.getByTestId('monitor-more').innerText().catch(() => '');
    await p.getByTestId('monitor-more').click().catch(() => {});
    const afterTap = await p.locator('[data-testid=monitor-row]:visible').count();
    check(listed === 50 && moreText === '显示全部 60 台' && afterTap === 60, `the registry lists ${listed} of 60 monitors, "${moreText}", then ${afterTap}`);
    // A warning over all of it is the province's: 全省, not 全市.
    await p.goto(prov.url + '/#/warnings');
    await expect(p.locator('label.county.city')).toHaveText(/全/, { timeout: 15000 });
    const whole = await p.locator('label.county.city').innerText();
    check(whole.trim() === '全省', `the warning form offers the whole province, 全省 ("${whole.trim()}")`);
    // Its counties under their cities: a city's box ticks its counties.
    await expect(p.locator('[data-testid^=warn-citygroup-]')).toHaveCount(2, { timeout: 15000 });
    const warnGroups = await p.$$eval('[data-testid^=warn-citygroup-]', (gs) => gs.map((g) => [...g.querySelectorAll('label')].map((l) => l.textContent.trim()).join('/')));
    await p.getByTestId('warn-wholecity-SXA').check();
    const ticked = await p.$$eval('input.cty:checked', (bs) => bs.map((b) => b.value).join(','));
    await p.getByTestId('warn-county-SXA2').uncheck();
    const wholeAfter = await p.getByTestId('warn-wholecity-SXA').isChecked();
    check(warnGroups.join(' ') === '示例市甲（全市）/示例县甲一/示例县甲二 示例市乙（全市）/示例县乙一' && ticked === 'SXA1,SXA2' && !wholeAfter,
      `the warning form lists the counties under their cities (${warnGroups.join(' ')}); 示例市甲（全市） ticks ${ticked}, and is unticked with one of them (${wholeAfter})`);
    // Issued over all of 示例市甲's counties, the warning is 示例市甲's: in
    // the confirm and in the list (the server's area_names).
    await p.getByTestId('warn-county-SXA2').check();
    await p.getByTestId('warn-level-orange').check();
    await p.getByTestId('warn-issue').click();
    const question = await p.getByTestId('warn-confirm').locator('p').innerText();
    await p.getByTestId('warn-confirm-yes').click();
    await expect(p.getByTestId('warn-row')).toHaveCount(1, { timeout: 15000 });
    const warnRow = await p.getByTestId('warn-row').innerText();
    check(question.includes('（示例市甲）') && warnRow.includes('示例市甲') && !warnRow.includes('示例县甲'),
      `a warning over a whole city names the city: "${question}"; the list: "${warnRow.replace(/\s+/g, ' ')}"`);
    // 全省 ticked over ticked counties: the province, not those counties.
    await p.getByTestId('warn-wholecity-SXB').check();
    await p.getByTestId('warn-city').check();
    await p.getByTestId('warn-level-yellow').check();
    await p.getByTestId('warn-issue').click();
    const wholeQuestion = await p.getByTestId('warn-confirm').locator('p').innerText();
    await p.getByTestId('warn-confirm').getByRole('button', { name: '取消' }).click();
    check(wholeQuestion.includes('（全省）'), `全省 over ticked counties asks for the province: "${wholeQuestion}"`);
    await p.goto(prov.url + '/#/audit');
    await p.waitForSelector('[data-testid=fig-events]', { timeout: 20000 });
    await expect.poll(() => p.locator('[data-testid=group-by] option[value=city]').count(), { timeout: 10000 }).toBe(1);
    const monitorRows = await p.locator('[data-testid=dust-monitor-row]').count();
    const monitorNote = await p.getByTestId('dust-monitors-top').innerText().catch(() => '');
    check(monitorRows === 50 && monitorNote.startsWith('共 60 台监测仪'), `the capture table lists the worst 50 of 60 monitors and says so (${monitorRows} rows; "${monitorNote}")`);
    const groups = await p.$$eval('[data-testid=region] optgroup', (gs) => gs.map((g) => `${g.label}:${[...g.querySelectorAll('option')].map((o) => o.textContent).join('/')}`));
    check(groups.join(' ') === '示例市甲:示例市甲（全市）/示例县甲一/示例县甲二 示例市乙:示例市乙（全市）/示例县乙一',
      `the area filter lists each city, then its counties (${groups.join(' ')})`);
    // A city as the area: its counties' figures.
    await p.selectOption('[data-testid=region]', 'SXA');
    await p.click('[data-testid=audit-submit]');
    await expect.poll(() => p.locator('[data-testid=stats-row]').count(), { timeout: 15000 }).toBe(2);
    const inCity = await p.$$eval('[data-testid=stats-row]', (rs) => rs.map((r) => `${r.querySelector('th').textContent}:${r.querySelectorAll('td')[1].textContent}`));
    check(inCity.join(' ') === '示例县甲一:2 示例县甲二:1', `示例市甲 as the area keeps its two counties (${inCity.join(' ')})`);
    await p.selectOption('[data-testid=region]', '');
    await p.selectOption('[data-testid=group-by]', 'city');
    await p.click('[data-testid=audit-submit]');
    await p.waitForSelector('[data-testid=ranking-row]', { timeout: 20000 });
    const rows = await p.$$eval('[data-testid=stats-row]', (rs) => rs.map((r) => `${r.querySelector('th').textContent}:${r.querySelectorAll('td')[1].textContent}`));
    check(rows.join(' ') === '示例市甲:3 示例市乙:1', `by city, each city's events are its counties' (${rows.join(' ')})`);
    const ranking = await p.$$eval('[data-testid=ranking-row]', (rs) => rs.map((r) => r.querySelectorAll('td')[1].textContent));
    const heads = await p.$$eval('[data-testid=ranking-table] th', (hs) => hs.map((h) => h.textContent));
    const chart = await p.locator('[data-testid=chart-ranking]').locator('xpath=..').locator('h2').innerText();
    check(ranking.join(',') === '示例市甲,示例市乙' && heads[1] === '地市' && chart.startsWith('地市排名'),
      `the ranking is of the cities, 地市 (${ranking.join(',')}; ${heads[1]}; ${chart})`);
    await p.context().close();
  } finally {
    prov.proc.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});
